// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Issue #11 through the pipeline and the airy binary: `airy simulate` of a config with
/// [[exposures]] writes one data file per exposure, `airy fit <sim>/config.toml` fits them
/// jointly and recovers the truths; one [[exposures]] table is the single-image run draw for
/// draw; real data come from SCI / ERR / DQ HDUs with NaN and flagged pixels masked and
/// counted.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>
#include <string>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/short_flagship_test_util.hpp"
#include "run_test_util.hpp"
#include "testing/expect_invalid.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;
using airy::testing::run_airy;
using airy::testing::slurp;

std::string fresh_dir(const std::string& name) {
  return pipeline::testing::fresh_dir("airy_expo_", name);
}

/// A point source seen through a small clear pupil: 12x12 pixels, fast to render.
const char* kScene = R"(
[optics]
npix = 24
diameter = 1.0
psf_npix = 12
psf_pixel_scale = 0.04

[[optics.aperture.shapes]]
type = "circle"
radius = 0.5

[source]
type = "point"
x_position = 0.01
y_position = -0.02
log_flux = 4.5
band_nm = [550.0, 650.0]
n_wavelengths = 2

[noise]
photon = true
read_sigma = 3.0
seed = 7

[likelihood]
kind = "poisson_gaussian"
sigma = 3.0

[priors."source.x_position"]
dist = "uniform"
low = -0.1
high = 0.1

[priors."source.y_position"]
dist = "uniform"
low = -0.1
high = 0.1

[priors."source.log_flux"]
dist = "uniform"
low = 4.0
high = 5.0

[sampler]
num_chains = 2
num_warmup = 150
num_samples = 150
max_depth = 6
seed = 3
)";

/// Three dithered exposures; exposures b and c have their own flux scale (exposure a's fixes
/// the scale of log_flux).
const char* kThreeExposures = R"(
[[exposures]]
name = "a"
dither = [0.0, 0.0]

[[exposures]]
name = "b"
dither = [0.02, -0.01]
flux_scale = 0.8

[[exposures]]
name = "c"
dither = [-0.015, 0.025]
flux_scale = 1.3

[priors."exposures.b.exposure.flux_scale"]
dist = "uniform"
low = 0.3
high = 3.0

[priors."exposures.c.exposure.flux_scale"]
dist = "uniform"
low = 0.3
high = 3.0
)";

std::string write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
  return path.string();
}

TEST(ExposuresPipeline, SimulateThenFitThreeDitheredExposuresRecoversTheTruth) {
  const fs::path dir = fresh_dir("three");
  const std::string cfg = write_file(dir / "three.toml", std::string(kScene) + kThreeExposures);
  const fs::path sim = dir / "sim", fit = dir / "fit";
  const auto s = run_airy("simulate " + cfg + " --out " + sim.string());
  ASSERT_EQ(s.code, 0) << s.output;
  for (const char* f : {"data_a.fits", "data_b.fits", "data_c.fits", "psf_a.fits", "psf_c.fits",
                        "truth.toml", "config.toml"}) {
    EXPECT_TRUE(fs::exists(sim / f)) << f;
  }
  EXPECT_FALSE(fs::exists(sim / "data.fits"));
  // Independent noise per exposure: data - psf differ between a and a dithered copy of it.
  const RealImage na = io::read_fits((sim / "data_a.fits").string()).image -
                       io::read_fits((sim / "psf_a.fits").string()).image;
  const RealImage nb = io::read_fits((sim / "data_b.fits").string()).image -
                       io::read_fits((sim / "psf_b.fits").string()).image;
  EXPECT_GT((na - nb).abs().maxCoeff(), 1.0);
  const std::string truth_text = slurp(sim / "truth.toml");
  EXPECT_NE(truth_text.find("\"flux_scale_e1\" = 0.80000000000000004"), std::string::npos)
      << truth_text;
  EXPECT_NE(truth_text.find("data_files = [\"data_a.fits\", \"data_b.fits\", \"data_c.fits\"]"),
            std::string::npos)
      << truth_text;

  // The simulation's config.toml points each exposure at its file: no --data needed.
  const auto f = run_airy("fit " + (sim / "config.toml").string() + " --out " + fit.string() +
                          " --quiet --no-plots");
  ASSERT_EQ(f.code, 0) << f.output;
  for (const char* file : {"data_a.fits", "data_c.fits", "model_a.fits", "model_b.fits",
                           "residual_c.fits", "posterior.nc", "summary.csv", "truth.toml"}) {
    EXPECT_TRUE(fs::exists(fit / file)) << file;
  }
  (void)airy::testing::expect_only_whole_files(fit);
  const std::string summary_csv = slurp(fit / "summary.csv");
  EXPECT_NE(summary_csv.find("flux_scale_e1"), std::string::npos);
  EXPECT_NE(summary_csv.find("flux_scale_e2"), std::string::npos);
  const io::CmdStanCsv chain = io::read_cmdstan_csv((fit / "chain_1.csv").string());
  EXPECT_EQ(chain.chain.names, (std::vector<std::string>{"x_position", "y_position", "log_flux",
                                                         "flux_scale_e1", "flux_scale_e2"}));
  const std::string info = slurp(fit / "run_info.toml");
  EXPECT_NE(info.find("num_exposures = 3"), std::string::npos) << info;
  EXPECT_NE(info.find("masked_pixels = 0"), std::string::npos) << info;

  // Every truth within 4 posterior sd of the posterior mean (the truth.toml found beside the
  // data is the simulation's: the fit's summary checks it too).
  const pipeline::FitResult r = pipeline::summarize_run(fit.string());
  EXPECT_NE(r.summary_text.find("truth: "), std::string::npos) << r.summary_text;
  const std::map<std::string, double> truth = {{"x_position", 0.01},
                                               {"y_position", -0.02},
                                               {"log_flux", 4.5},
                                               {"flux_scale_e1", 0.8},
                                               {"flux_scale_e2", 1.3}};
  ASSERT_EQ(r.summary.rows.size(), truth.size());
  for (const auto& row : r.summary.rows) {
    const double t = truth.at(row.name);
    EXPECT_LT(std::fabs(row.mean - t), 4.0 * row.sd)
        << row.name << ": mean " << row.mean << " sd " << row.sd << " truth " << t;
    EXPECT_LT(row.rhat, 1.1) << row.name;
  }
  // `airy plot` redraws from the run directory's per-exposure copies.
  const auto p = run_airy("plot " + fit.string());
  EXPECT_EQ(p.code, 0) << p.output;
}

TEST(ExposuresPipeline, OneExposureTableIsTheSingleImageRunDrawForDraw) {
  const fs::path dir = fresh_dir("one");
  config::Config single = config::parse_config(kScene, "single.toml");
  single.sampler.num_warmup = 60;
  single.sampler.num_samples = 40;
  const auto sim = pipeline::simulate(single, (dir / "sim").string());
  ASSERT_EQ(sim.data_paths, std::vector<std::string>{sim.data_path});
  EXPECT_EQ(fs::path(sim.data_path).filename(), "data.fits");

  pipeline::FitOptions o;
  o.quiet = true;
  o.plots = false;
  o.data_path = sim.data_path;
  single.output_dir = (dir / "single").string();
  const auto a = pipeline::fit(single, o);

  config::Config one = config::parse_config(
      std::string(kScene) +
          fmt::format("[[exposures]]\nname = \"only\"\ndata = \"{}\"\n", sim.data_path),
      "one.toml");
  one.sampler = single.sampler;
  one.output_dir = (dir / "one").string();
  o.data_path.clear();
  const auto b = pipeline::fit(one, o);
  ASSERT_TRUE(a.complete && b.complete);
  EXPECT_TRUE(fs::exists(dir / "one" / "data_only.fits"));
  EXPECT_TRUE(fs::exists(dir / "one" / "model_only.fits"));
  // The same draws, bit for bit.
  for (int id : {1, 2}) {
    const auto ca =
        io::read_cmdstan_csv((dir / "single" / fmt::format("chain_{}.csv", id)).string());
    const auto cb = io::read_cmdstan_csv((dir / "one" / fmt::format("chain_{}.csv", id)).string());
    ASSERT_EQ(ca.chain.draws.rows(), cb.chain.draws.rows());
    EXPECT_EQ((ca.chain.draws - cb.chain.draws).cwiseAbs().maxCoeff(), 0.0) << "chain " << id;
  }
  ASSERT_EQ(a.summary.rows.size(), b.summary.rows.size());
  for (std::size_t i = 0; i < a.summary.rows.size(); ++i) {
    EXPECT_EQ(a.summary.rows[i].mean, b.summary.rows[i].mean) << a.summary.rows[i].name;
  }
}

/// A JWST-like file: an empty-ish primary HDU, then SCI (photons), ERR (photons) and DQ
/// (flags) extensions of 12x12 pixels.
struct RealData {
  std::string path;
  RealImage sci, err, dq;
};

RealData real_data(const fs::path& dir, const config::Config& c) {
  const model::Telescope t = config::build_telescope(c);
  RealData d;
  d.sci = t.model() + 5.0;
  d.err = (t.model() + 16.0).sqrt();  // photon + read noise
  d.dq = RealImage::Zero(d.sci.rows(), d.sci.cols());
  d.sci(1, 2) = std::numeric_limits<double>::quiet_NaN();
  d.sci(7, 3) = std::numeric_limits<double>::quiet_NaN();
  d.dq(7, 3) = 1;   // flagged and NaN: counted once
  d.dq(0, 0) = 1;   // DO_NOT_USE
  d.dq(5, 6) = 5;   // DO_NOT_USE + another bit
  d.dq(9, 9) = 4;   // only a bit that mask_bits = 1 does not select
  d.dq(10, 1) = 2;  // likewise
  std::vector<io::FitsImage> images(4);
  images[0].image = RealImage::Zero(1, 1);
  images[0].header.extname = "PRIMARY";
  images[1] = {d.sci, {}};
  images[1].header.extname = "SCI";
  images[2] = {d.err, {}};
  images[2].header.extname = "ERR";
  images[3] = {d.dq, {}};
  images[3].header.extname = "DQ";
  d.path = (dir / "jw_cal.fits").string();
  fs::create_directories(dir);
  io::write_fits(d.path, images);
  return d;
}

std::string real_exposure(const std::string& path, const std::string& extra = "") {
  return fmt::format(
      "[[exposures]]\nname = \"cal\"\ndata = \"{}\"\nhdu = \"SCI\"\nerr_hdu = \"ERR\"\n"
      "mask_hdu = \"DQ\"\nmask_bits = 1\n{}",
      path, extra);
}

TEST(ExposuresPipeline, SciErrDqHdusGiveVarianceAndMaskAndTheCountsAreReported) {
  const fs::path dir = fresh_dir("real");
  std::string scene(kScene);
  const std::string kind = "kind = \"poisson_gaussian\"";
  scene.replace(scene.find(kind), kind.size(), "kind = \"gaussian\"");
  const config::Config bare = config::parse_config(scene, "real.toml");
  const RealData d = real_data(dir, bare);
  config::Config c = config::parse_config(scene + real_exposure(d.path), "real.toml");
  c.output_dir = (dir / "opt").string();

  const pipeline::RunData run = pipeline::load_run_data(c, "");
  const posterior::ImageLikelihood& like = run.posterior.likelihood(0);
  EXPECT_EQ(like.num_nan(), 2);
  EXPECT_EQ(like.num_masked(), 4);  // 2 NaN + (0,0) + (5,6); (7,3) is both
  // The log likelihood is the Gaussian with variance ERR^2 over the unmasked pixels only.
  const RealImage mu = run.telescopes[0].model();
  double expected = 0.0;
  for (Eigen::Index y = 0; y < mu.rows(); ++y) {
    for (Eigen::Index x = 0; x < mu.cols(); ++x) {
      const bool out = std::isnan(d.sci(y, x)) || (static_cast<int>(d.dq(y, x)) & 1) != 0;
      if (out) continue;
      const double v = d.err(y, x) * d.err(y, x), r = d.sci(y, x) - mu(y, x);
      expected += -r * r / (2.0 * v) - 0.5 * std::log(2.0 * std::numbers::pi * v);
    }
  }
  RealImage bar;
  EXPECT_NEAR(like.log_likelihood(mu, bar), expected, 1e-9 * std::fabs(expected));
  EXPECT_EQ(bar(0, 0), 0.0);
  EXPECT_NE(bar(9, 9), 0.0);

  // `airy optimize` reports the counts on stdout and in optimize.txt.
  const std::string cfg = write_file(dir / "real.toml", scene + real_exposure(d.path));
  const auto r = run_airy("optimize " + cfg + " --starts 2 --out " + (dir / "cli").string());
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("exposure 'cal': 4 of 144 pixels masked (2 NaN)"), std::string::npos)
      << r.output;
  EXPECT_TRUE(fs::exists(dir / "cli" / "best_fit_cal.fits"));
  EXPECT_TRUE(fs::exists(dir / "cli" / "best_fit_residual_cal.fits"));
  // ... and a fit in stdout and run_info.toml.
  const auto f = run_airy("fit " + cfg + " --samples 20 --warmup 20 --quiet --no-plots --out " +
                          (dir / "fit").string());
  ASSERT_EQ(f.code, 0) << f.output;
  EXPECT_NE(f.output.find("exposure 'cal': 4 of 144 pixels masked (2 NaN)"), std::string::npos)
      << f.output;
  const std::string info = slurp(dir / "fit" / "run_info.toml");
  EXPECT_NE(info.find("masked_pixels = 4"), std::string::npos) << info;
  EXPECT_NE(info.find("nan_pixels = 2"), std::string::npos) << info;
  EXPECT_NE(info.find("jw_cal.fits[SCI]"), std::string::npos) << info;
}

/// log density and gradient at unconstrained point u.
double density(const posterior::ImagePosterior& post, const std::vector<double>& u,
               std::vector<double>& grad) {
  const auto ws = post.log_density().make_workspace();
  return post.log_density().log_density_gradient(u, grad, ws.get());
}

TEST(ExposuresPipeline, MaskedPixelsDoNotChangeTheLogDensity) {
  const fs::path dir = fresh_dir("masked");
  const config::Config bare = config::parse_config(kScene, "m.toml");
  RealData d = real_data(dir, bare);
  const config::Config c =
      config::parse_config(std::string(kScene) + real_exposure(d.path), "m.toml");
  const pipeline::RunData before = pipeline::load_run_data(c, "");
  // Change the data of a flagged pixel: the log density at any point stays the same.
  d.sci(5, 6) += 1000.0;
  std::vector<io::FitsImage> images = {
      {RealImage::Zero(1, 1), {}}, {d.sci, {}}, {d.err, {}}, {d.dq, {}}};
  images[1].header.extname = "SCI";
  images[2].header.extname = "ERR";
  images[3].header.extname = "DQ";
  io::write_fits(d.path, images);
  const pipeline::RunData after = pipeline::load_run_data(c, "");
  const std::vector<double> u = {0.1, -0.3, 0.2};
  std::vector<double> ga(3), gb(3);
  EXPECT_EQ(density(before.posterior, u, ga), density(after.posterior, u, gb));
  EXPECT_EQ(ga, gb);
  // An unmasked pixel's data does change it.
  d.sci(9, 9) += 1000.0;
  images[1].image = d.sci;
  io::write_fits(d.path, images);
  const pipeline::RunData changed = pipeline::load_run_data(c, "");
  EXPECT_NE(density(before.posterior, u, ga), density(changed.posterior, u, gb));
}

using testing::expect_invalid;

TEST(ExposuresPipeline, BadRealDataInputIsNamed) {
  const fs::path dir = fresh_dir("bad");
  const config::Config bare = config::parse_config(kScene, "bad.toml");
  const RealData d = real_data(dir, bare);
  auto load = [&](const std::string& exposure) {
    return [&, exposure] {
      (void)pipeline::load_run_data(config::parse_config(kScene + exposure, "bad.toml"), "");
    };
  };
  // An HDU that does not exist, named with the exposure and what the file has.
  expect_invalid(
      load(fmt::format("[[exposures]]\nname = \"x\"\ndata = \"{}\"\nhdu = \"SCJ\"\n", d.path)),
      {"exposure 'x'", "jw_cal.fits", "EXTNAME = 'SCJ'", "1 = 'SCI'"});
  // A mask of the wrong shape.
  const std::string small = (dir / "small.fits").string();
  io::write_fits(small, RealImage::Zero(4, 4), io::FitsHeader{});
  expect_invalid(load(fmt::format("[[exposures]]\nname = \"x\"\ndata = \"{}\"\nhdu = 1\n"
                                  "mask = \"{}\"\n",
                                  d.path, small)),
                 {"exposure 'x': mask", "small.fits", "4x4", "12x12"});
  // A variance <= 0 on an unmasked pixel.
  RealImage var = RealImage::Ones(12, 12);
  var(4, 8) = -1.0;
  const std::string bad_var = (dir / "var.fits").string();
  io::write_fits(bad_var, var, io::FitsHeader{});
  expect_invalid(load(fmt::format("[[exposures]]\nname = \"x\"\ndata = \"{}\"\nhdu = 1\n"
                                  "variance = \"{}\"\n",
                                  d.path, bad_var)),
                 {"exposure 'x'", "variance pixel (x=8, y=4) = -1"});
  // DQ flags must be integers when mask_bits selects bits.
  RealImage flags = RealImage::Zero(12, 12);
  flags(2, 3) = 0.5;
  const std::string bad_dq = (dir / "dq.fits").string();
  io::write_fits(bad_dq, flags, io::FitsHeader{});
  expect_invalid(load(fmt::format("[[exposures]]\nname = \"x\"\ndata = \"{}\"\nhdu = 1\n"
                                  "mask = \"{}\"\nmask_bits = 1\n",
                                  d.path, bad_dq)),
                 {"exposure 'x': mask", "(x=3, y=2) = 0.5", "integer flags"});
  // variance and err together, mask_bits without a mask: named config keys.
  expect_invalid(
      [&] {
        (void)config::parse_config(
            std::string(kScene) + "[[exposures]]\nvariance = \"v.fits\"\nerr_hdu = 2\n",
            "bad.toml");
      },
      {"exposures[0].err_hdu", "not both"});
  expect_invalid(
      [&] {
        (void)config::parse_config(std::string(kScene) + "[[exposures]]\nmask_bits = 1\n",
                                   "bad.toml");
      },
      {"exposures[0].mask_bits", "needs a mask"});
  // An exposure without data and no --data file.
  expect_invalid(load("[[exposures]]\nname = \"x\"\n"), {"exposure 'x'", "no --data file"});
}

}  // namespace
}  // namespace airy
