// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fit` on a flat-field posterior above kStructuredAbove parameters (issue #11
/// §4): the MAP phase takes the scaled L-BFGS and the chains' diagonal inverse metric is the
/// Laplace marginal variances by the flat field's Schur complement, which must equal the
/// diagonal of the dense Laplace covariance (F_u - H_u)^-1 at the same point.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "airy/posterior/fisher.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy::pipeline {
namespace {

/// 3 stars on a 32 x 32 detector in two dithered exposures (b defocused), 3 Zernikes, fixed
/// fluxes and a Normal(1, 0.05) flat field: 1024 + 3 + 6 = 1033 parameters, just above
/// kStructuredAbove, small enough for the dense Fisher matrix as the reference.
std::string config_text(const std::string& flat_file) {
  return R"(
[optics]
npix = 32
diameter = 1.0
psf_npix = 32
psf_pixel_scale = 0.04

[[optics.aperture.shapes]]
type = "circle"
radius = 0.5

[optics.aberrations]
noll = [4, 5, 6]
coefficients = [2e-8, -1e-8, 1.5e-8]

[source]
type = "points"
positions_x = [0.0, 0.3, -0.25]
positions_y = [0.0, 0.2, -0.28]
log_fluxes = [5.0, 4.7, 4.5]
band_nm = [550.0, 650.0]
n_wavelengths = 2

[[detector.layers]]
type = "pixel_response"
file = ")" +
         flat_file +
         R"("

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
}

/// laplace.csv: parameter,unit,map,crb,laplace_sd -> (map, laplace_sd) per row.
void read_laplace_csv(const std::string& path, std::vector<std::string>& names,
                      std::vector<double>& map, std::vector<double>& sd) {
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "parameter,unit,map,crb,laplace_sd");
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream fields(line);
    for (std::string x; std::getline(fields, x, ',');) f.push_back(x);
    ASSERT_EQ(f.size(), 5u) << line;
    names.push_back(f[0]);
    map.push_back(std::stod(f[2]));
    sd.push_back(std::stod(f[4]));
  }
}

/// The text of a file.
std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Both metric settings of the flat-field path: metric = "fisher" keeps the Laplace diagonal
// through warmup (only the step size adapts), metric_init = "laplace" starts the windowed
// adaptation from it (no warmup here, so the chain's metric is the initial one).
TEST(CalibrationNuts, TheDiagonalMetricIsTheSchurComplementLaplaceVariances) {
  const std::string dir = testing::fresh_dir("airy_calnuts_", "fit");
  std::filesystem::create_directories(dir);
  io::write_fits(dir + "/flat.fits", draw_flat_field(32, 32, 0.05, 5), io::FitsHeader{});
  const config::Config truth = config::parse_config(config_text(dir + "/flat.fits"), "t.toml");
  (void)simulate(truth, dir + "/sim");

  config::Config c = config::load_config(dir + "/sim/config.toml");
  for (auto& l : c.detector) l.file.clear();  // the fit's flat field starts at ones
  c.sampler.num_chains = 1;
  c.sampler.num_samples = 5;
  c.sampler.init = "map";
  c.sampler.map_starts = 1;  // the configured values only
  FitOptions o;
  o.quiet = true;
  o.plots = false;

  config::Config fixed = c;  // metric = "fisher": the Laplace diagonal, fixed
  fixed.output_dir = dir + "/fisher";
  fixed.sampler.metric = "fisher";
  fixed.sampler.num_warmup = 30;
  ASSERT_TRUE(fit(fixed, o).complete);
  config::Config start = c;  // metric_init = "laplace", no warmup
  start.output_dir = dir + "/laplace";
  start.sampler.metric = "diag_e";
  start.sampler.metric_init = "laplace";
  start.sampler.num_warmup = 0;
  ASSERT_TRUE(fit(start, o).complete);

  std::vector<std::string> names;
  std::vector<double> map, sd;
  read_laplace_csv(fixed.output_dir + "/laplace.csv", names, map, sd);
  ASSERT_EQ(map.size(), 1033u);
  EXPECT_EQ(read_text(fixed.output_dir + "/laplace.csv"),
            read_text(start.output_dir + "/laplace.csv"));
  const std::string summary = read_text(fixed.output_dir + "/summary.txt");
  EXPECT_NE(summary.find("scaled L-BFGS starts (the configured values, then 0 from the priors)"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("metric: diagonal, the Laplace marginal variances"), std::string::npos)
      << summary;
  EXPECT_NE(summary.find("condition number is at least the max"), std::string::npos) << summary;
  EXPECT_NE(read_text(start.output_dir + "/summary.txt").find("metric: diag_e adapted as usual"),
            std::string::npos);

  // The reference: the dense Laplace covariance (F_u - H_u)^-1 at the same MAP, its Fisher
  // matrix from exact pullbacks (the structured path's global columns are 5-point
  // differences, ~1e-10 relative).
  const RunData data = load_run_data(c, "");
  const posterior::FisherResult dense = posterior::fisher_information(data.posterior, map);
  ASSERT_EQ(dense.names, names);
  const RealVector diag = dense.laplace_unconstrained.diagonal();
  for (const std::string& run : {fixed.output_dir, start.output_dir}) {
    const io::CmdStanCsv chain = io::read_cmdstan_csv(run + "/chain_1.csv");
    const RealMatrix& inv = chain.chain.inv_metric;
    ASSERT_EQ(inv.rows(), 1033) << run;
    ASSERT_EQ(inv.cols(), 1) << run;
    for (Eigen::Index i = 0; i < diag.size(); ++i) {
      EXPECT_NEAR(inv(i, 0), diag[i], 1e-7 * diag[i])
          << run << " " << names[static_cast<std::size_t>(i)];
    }
  }
  for (std::size_t i = 0; i < sd.size(); ++i) {
    EXPECT_NEAR(sd[i], dense.laplace_sd[i], 1e-7 * dense.laplace_sd[i]) << names[i];
  }
  // The MAP is one: the gradient in units of each coordinate's Laplace sd, |g_i| sd_i, is
  // small. maximize_scaled stops at max_i |s_i g_i| <= 1e-4 with s_i the conditional sds at
  // the start (<= the marginal sd, by up to the globals' share of a pixel's variance), so a
  // bound 100x looser than the tolerance leaves room for that ratio and still fails a MAP
  // phase that stopped early (|g| sd ~ 1 away from the mode).
  const infer::SiteModel& model = data.posterior.log_density();
  std::vector<double> u(static_cast<std::size_t>(model.dim())), g(u.size());
  ASSERT_TRUE(model.unconstrain(map, u));
  auto ws = model.make_workspace();
  (void)model.log_density_gradient(u, g, ws.get());
  for (std::size_t i = 0; i < g.size(); ++i) {
    EXPECT_LT(std::abs(g[i]) * std::sqrt(diag[static_cast<Eigen::Index>(i)]), 1e-2) << names[i];
  }
}

}  // namespace
}  // namespace airy::pipeline
