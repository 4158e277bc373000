// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The flat field (detector.pixel_response.map) as a sampled vector site with a
/// Normal(1, s) prior per pixel, shared by two dithered exposures, through `airy fisher`:
/// the bounds equal the analytic ones of a diagonal Fisher matrix.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "airy/config/build.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy::pipeline {
namespace {

/// A point source on a 10x10 detector, seen in two exposures dithered by a pixel and a half,
/// with a sampled flat field and a known Gaussian read noise of 3 photons.
const char* kFlatField = R"(
[optics]
npix = 24
diameter = 1.0
psf_npix = 10
psf_pixel_scale = 0.04

[[optics.aperture.shapes]]
type = "circle"
radius = 0.5

[source]
type = "point"
log_flux = 5.0
band_nm = [550.0, 650.0]
n_wavelengths = 2

[[detector.layers]]
type = "pixel_response"

[likelihood]
kind = "gaussian"
sigma = 3.0

[[exposures]]
name = "a"

[[exposures]]
name = "b"
dither = [0.06, -0.02]
flux_scale = 0.7

[priors."detector.pixel_response.map"]
dist = "normal"
loc = 1.0
scale = 0.05
)";

TEST(FlatFieldFisher, DiagonalBoundsOfASharedFlatFieldEqualTheAnalyticOnes) {
  config::Config c = config::parse_config(kFlatField, "flat.toml");
  const std::string out = testing::fresh_dir("airy_flat_", "fisher");
  const FisherRunResult r = fisher_run(c, out, false);
  ASSERT_EQ(r.fisher.names.size(), 100u);
  EXPECT_EQ(r.fisher.names[0], "map[1]");  // 1-based, as Stan
  // Gaussian, mu_e,i = f_i m_e,i: the information of pixel i is sum_e m_e,i^2 / sigma^2 and no
  // two pixels share any (diagonal); the prior adds 1/s^2 to the Laplace precision.
  const auto telescopes = config::build_exposure_telescopes(c);
  const RealImage ma = telescopes[0].model(), mb = telescopes[1].model();
  EXPECT_GT((ma - mb).abs().maxCoeff(), 0.1 * ma.maxCoeff());  // the dither moved the star
  const double sigma = 3.0, s = 0.05;
  for (Eigen::Index i = 0; i < ma.size(); ++i) {
    const double info =
        (ma.data()[i] * ma.data()[i] + mb.data()[i] * mb.data()[i]) / (sigma * sigma);
    const auto k = static_cast<std::size_t>(i);
    EXPECT_NEAR(r.fisher.crb[k], 1.0 / std::sqrt(info), 1e-9 / std::sqrt(info)) << i;
    const double laplace = 1.0 / std::sqrt(info + 1.0 / (s * s));
    EXPECT_NEAR(r.fisher.laplace_sd[k], laplace, 1e-9 * laplace) << i;
    for (Eigen::Index j = 0; j < ma.size(); ++j) {
      if (j != i) {
        EXPECT_EQ(r.fisher.fisher(i, j), 0.0) << i << "," << j;
      }
    }
  }
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(out) / "crb.csv"));
}

}  // namespace
}  // namespace airy::pipeline
