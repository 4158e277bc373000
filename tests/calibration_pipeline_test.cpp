// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The large-scale (flat-field) path of `airy fisher` and `airy optimize` (issue #11):
/// the Schur-complement sds equal the dense inverse's, and a reduced pixel-level calibration
/// (simulate -> optimize -> Laplace sds) recovers the flat field, Zernikes and positions
/// with plausible interval coverage.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "airy/posterior/large_map.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy::pipeline {
namespace {

/// 3 stars on a 16 x 16 detector in two dithered exposures, 3 Zernikes, a flat field with a
/// Normal(1, 0.05) prior per pixel (256 + 3 + 6 parameters); exposure b is defocused by 80 nm
/// (a diversity that breaks the sign degeneracy of the even Zernikes in a focused image).
/// `extra` adds tables.
std::string small_config(const std::string& flat_file, const std::string& extra) {
  std::string s = R"(
[optics]
npix = 32
diameter = 1.0
psf_npix = 16
psf_pixel_scale = 0.04

[[optics.aperture.shapes]]
type = "circle"
radius = 0.5

[optics.aberrations]
noll = [4, 5, 6]
coefficients = [2e-8, -1e-8, 1.5e-8]

[source]
type = "points"
positions_x = [0.0, 0.15, -0.12]
positions_y = [0.0, 0.1, -0.14]
log_fluxes = [5.0, 4.7, 4.5]
band_nm = [550.0, 650.0]
n_wavelengths = 2

[[detector.layers]]
type = "pixel_response"
)";
  if (!flat_file.empty()) s += "file = \"" + flat_file + "\"\n";
  s += R"(
[likelihood]
kind = "poisson_gaussian"
sigma = 3.0

[noise]
read_sigma = 3.0
seed = 3

[[exposures]]
name = "a"

[[exposures]]
name = "b"
dither = [0.06, -0.04]
diversity_noll = [4]
diversity_coefficients = [8e-8]

[priors."detector.pixel_response.map"]
dist = "normal"
loc = 1.0
scale = 0.05

[priors."optics.aperture.coefficients"]
dist = "normal"
loc = 0.0
scale = 30.0
unit = "nm"

[priors."source.positions"]
dist = "normal"
loc = 0.0
scale = 0.3
unit = "arcsec"
)";
  return s + extra;
}

TEST(CalibrationPipeline, StructuredSdsEqualTheDenseInverse) {
  // Fixed fluxes: the Fisher matrix alone is regular (a free flux and the flat field are
  // degenerate), so both the CRB and the Laplace sds of the dense path exist.
  config::Config c = config::parse_config(small_config("", ""), "small.toml");
  const std::string dense = testing::fresh_dir("airy_calex_", "dense");
  const std::string structured = testing::fresh_dir("airy_calex_", "structured");
  const FisherRunResult d = fisher_run(c, dense, false, false, "dense");
  const FisherRunResult s = fisher_run(c, structured, false, false, "structured");
  ASSERT_FALSE(d.structured);
  ASSERT_TRUE(s.structured);
  ASSERT_EQ(d.fisher.names, s.fisher.names);
  ASSERT_EQ(s.fisher.names.size(), 256u + 3u + 6u);
  // The dense path's Jacobian is exact (one pullback per pixel), the structured one's global
  // columns are 5-point differences: they agree to the differences' ~1e-10.
  for (std::size_t i = 0; i < d.fisher.names.size(); ++i) {
    EXPECT_NEAR(s.fisher.laplace_sd[i], d.fisher.laplace_sd[i], 1e-8 * d.fisher.laplace_sd[i])
        << d.fisher.names[i];
    EXPECT_NEAR(s.fisher.crb[i], d.fisher.crb[i], 1e-8 * d.fisher.crb[i]) << d.fisher.names[i];
  }
  // The sd map holds the flat field's sds in row-major (y, x) order.
  const RealImage map = io::read_fits(structured + "/flat_field_sd.fits").image;
  ASSERT_EQ(map.rows(), 16);
  ASSERT_EQ(map.cols(), 16);
  for (Eigen::Index i = 0; i < map.size(); ++i) {
    EXPECT_DOUBLE_EQ(map.data()[i], s.fisher.laplace_sd[static_cast<std::size_t>(i)]);
  }
  for (const char* f : {"crb.csv", "global_covariance.csv", "flat_field_crb.fits"}) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(structured) / f)) << f;
  }
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(structured) / "fisher.csv"));
}

// A sampled read noise per exposure (its information is in the variance, not the mean: two
// rank-one terms per pixel on the structured path) and a per-pixel prior mean from a FITS map
// (an IndependentVector prior): still the dense inverse's sds.
TEST(CalibrationPipeline, StructuredSdsWithReadNoiseAndAPriorMapEqualTheDenseInverse) {
  const std::string dir = testing::fresh_dir("airy_calex_", "read_noise");
  std::filesystem::create_directories(dir);
  RealImage loc(16, 16);
  for (Eigen::Index i = 0; i < loc.size(); ++i) loc.data()[i] = 1.0 + 0.01 * std::sin(0.3 * i);
  io::write_fits(dir + "/flat_loc.fits", loc, io::FitsHeader{});
  std::string text = small_config(
      "",
      "\n[priors.\"exposures.*.detector.read_noise\"]\ndist = \"log_normal\"\nloc = 1.0\n"
      "scale = 0.3\n");
  const std::string scalar_loc = "loc = 1.0\nscale = 0.05";
  ASSERT_NE(text.find(scalar_loc), std::string::npos);
  text.replace(text.find(scalar_loc), scalar_loc.size(),
               "loc = {file = \"" + dir + "/flat_loc.fits\"}\nscale = 0.05");
  const config::Config c = config::parse_config(text, "small.toml");
  const FisherRunResult d = fisher_run(c, dir + "/dense", false, false, "dense");
  const FisherRunResult s = fisher_run(c, dir + "/structured", false, false, "structured");
  ASSERT_TRUE(s.structured);
  ASSERT_EQ(d.fisher.names, s.fisher.names);
  ASSERT_EQ(s.fisher.names.size(), 256u + 3u + 6u + 2u);
  EXPECT_EQ(s.fisher.names.back(), "read_noise_e1");
  for (std::size_t i = 0; i < d.fisher.names.size(); ++i) {
    EXPECT_NEAR(s.fisher.laplace_sd[i], d.fisher.laplace_sd[i], 1e-8 * d.fisher.laplace_sd[i])
        << d.fisher.names[i];
    EXPECT_NEAR(s.fisher.crb[i], d.fisher.crb[i], 1e-8 * d.fisher.crb[i]) << d.fisher.names[i];
  }
  // Simulated data are made with [noise] read_sigma: that is the read noise's truth, not
  // likelihood.sigma (where a fit starts).
  config::Config sim = c;
  sim.noise.read_sigma = 2.5;
  const SimulateResult r = simulate(sim, dir + "/sim");
  EXPECT_EQ(r.truth.at("read_noise_e0"), 2.5);
  EXPECT_EQ(r.truth.at("read_noise_e1"), 2.5);
}

TEST(CalibrationPipeline, ScaledMapStopsAtOnceWhenTheStopFlagIsSet) {
  // maximize_scaled polls LargeMapOptions::stop at every evaluation (optimize passes the
  // signal flag): a set flag ends it after the start's evaluation, with the start returned.
  config::Config c = config::parse_config(small_config("", ""), "small.toml");
  const auto telescopes = config::build_exposure_telescopes(c);
  std::vector<RealImage> images;
  std::vector<posterior::PixelMaps> maps;
  for (std::size_t e = 0; e < telescopes.size(); ++e) {
    images.push_back(telescopes[e].model());
    maps.push_back(config::load_pixel_maps(c, static_cast<int>(e), "", images.back().rows(),
                                           images.back().cols()));
  }
  const posterior::ImagePosterior post =
      config::build_posterior(c, telescopes, std::move(images), std::move(maps));
  const infer::SiteModel& model = post.log_density();
  std::vector<double> u(static_cast<std::size_t>(model.dim()));
  ASSERT_TRUE(model.unconstrain(post.current_values(), u));
  for (auto& x : u) x += 0.01;  // away from the mode
  const std::vector<double> scale(u.size(), 1.0);
  std::atomic<bool> stop{true};
  posterior::LargeMapOptions o;
  o.stop = &stop;
  const posterior::LargeMapResult r = posterior::maximize_scaled(model, u, scale, o);
  EXPECT_EQ(r.reason, "interrupted");
  EXPECT_LE(r.evaluations, 2);
  EXPECT_EQ(r.u, u);
  stop = false;
  const posterior::LargeMapResult free = posterior::maximize_scaled(model, u, scale, o);
  EXPECT_NE(free.reason, "interrupted");
  EXPECT_GT(free.evaluations, 2);
}

TEST(CalibrationPipeline, StructuredPathNeedsADiagonalFlatField) {
  // A jitter after the flat field mixes pixels: named, not silently wrong.
  std::string text = small_config("", "");
  text.replace(text.find("[[detector.layers]]"), 0,
               "[[detector.layers]]\ntype = \"pixel_response\"\n\n[[detector.layers]]\n"
               "type = \"jitter\"\nsigma = 0.5\n\n");
  text.erase(text.rfind("[[detector.layers]]\ntype = \"pixel_response\"\n"),
             std::string("[[detector.layers]]\ntype = \"pixel_response\"\n").size());
  config::Config c = config::parse_config(text, "jit.toml");
  const std::string out = testing::fresh_dir("airy_calex_", "jitter");
  try {
    (void)fisher_run(c, out, false, false, "structured");
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("detector.layers[1].type = \"jitter\""), std::string::npos)
        << e.what();
  }
}

TEST(CalibrationPipeline, ReducedCalibrationRecoversTheFlatFieldWithPlausibleCoverage) {
  const std::string dir = testing::fresh_dir("airy_calex_", "e2e");
  std::filesystem::create_directories(dir);
  // The true flat field: Normal(1, 0.05) per pixel, as the prior says.
  std::mt19937_64 gen(11);
  std::normal_distribution<double> normal(1.0, 0.05);
  RealImage flat(16, 16);
  for (Eigen::Index i = 0; i < flat.size(); ++i) flat.data()[i] = normal(gen);
  io::write_fits(dir + "/flat_true.fits", flat, io::FitsHeader{});
  const std::string extra = R"(
[priors."source.fluxes"]
dist = "log_normal"
loc = 10.5
scale = 1.0
)";
  config::Config c =
      config::parse_config(small_config(dir + "/flat_true.fits", extra), dir + "/calibration.toml");
  (void)simulate(c, dir + "/sim");

  // Fit from a guess: every star 0.02" off, Zernikes at 0, flat field ones.
  config::Config g = config::load_config(dir + "/sim/config.toml");
  for (auto& x : g.source.positions_x) x += 0.02;
  for (auto& y : g.source.positions_y) y -= 0.02;
  g.optics.coefficients = {0.0, 0.0, 0.0};
  for (auto& l : g.detector) l.file.clear();
  g.output_dir = dir + "/opt";
  OptimizeRunOptions o;
  o.init = "config";
  o.laplace = "structured";
  const OptimizeRunResult r = optimize_run(g, o);
  ASSERT_TRUE(r.structured);
  ASSERT_EQ(r.result.best, 0);
  EXPECT_EQ(r.result.best_start().reason, "gradient tolerance reached");

  // Laplace sds at the MAP from optimize.csv (parameter,unit,value,crb,laplace_sd).
  const std::string csv = [&] {
    std::ifstream in(dir + "/opt/optimize.csv");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  std::vector<double> value, sd;
  std::istringstream lines(csv);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 5u) << line;
    value.push_back(std::stod(f[2]));
    sd.push_back(std::stod(f[4]));
  }
  ASSERT_EQ(value.size(), 256u + 3u + 6u + 3u);
  // Flat field: the fraction of true values inside the 68% / 95% intervals, against
  // binomial bounds (256 pixels: sd of the fraction 0.029 / 0.014; 4 sds either side).
  int in68 = 0, in95 = 0;
  for (int i = 0; i < 256; ++i) {
    const double z = std::abs(value[static_cast<std::size_t>(i)] - flat.data()[i]) /
                     sd[static_cast<std::size_t>(i)];
    in68 += z < 0.9945;
    in95 += z < 1.96;
  }
  EXPECT_NEAR(in68 / 256.0, 0.6827, 4 * std::sqrt(0.6827 * 0.3173 / 256)) << in68;
  EXPECT_NEAR(in95 / 256.0, 0.9545, 4 * std::sqrt(0.9545 * 0.0455 / 256)) << in95;
  // Zernikes (nm) and positions (arcsec) within 4 sds of the truth.
  const std::vector<double> truth = {20.0, -10.0, 15.0, 0.0, 0.0, 0.15, 0.1, -0.12, -0.14};
  for (std::size_t k = 0; k < truth.size(); ++k) {
    EXPECT_LT(std::abs(value[256 + k] - truth[k]), 4 * sd[256 + k])
        << k << ": " << value[256 + k] << " +- " << sd[256 + k] << " vs " << truth[k];
  }
  for (const char* f : {"flat_field.fits", "flat_field_sd.fits", "best_fit_a.fits"}) {
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir) / "opt" / f)) << f;
  }
}

}  // namespace
}  // namespace airy::pipeline
