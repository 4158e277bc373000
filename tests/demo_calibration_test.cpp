// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy demo calibration` end to end (issue #11 §6): the embedded reduced calibration
/// is simulated, fitted from its guess, and its Laplace intervals cover the true flat field
/// at their nominal rates; every figure is drawn; options that do not apply are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "airy/io/fits.hpp"
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;

TEST(CalibrationDemo, RecoversTheFlatFieldWithNominalCoverageAndDrawsEveryFigure) {
  const fs::path dir = fs::path(::testing::TempDir()) / "airy_demo_calibration";
  fs::remove_all(dir);
  const testing::CliResult r = testing::run_airy("demo calibration --out " + dir.string());
  ASSERT_EQ(r.code, 0) << r.output;

  // "truth: flat field: 67.9 % of 4096 true values inside their 68.3 % Laplace intervals
  // (binomial sd 0.7 %), 95.1 % inside 95.4 % (sd 0.3 %)": each fraction within 4 binomial
  // sds of its nominal value (a wrong sd scale, e.g. a missing factor 2 in the Schur
  // complement, moves the 68 % fraction by tens of sds).
  // std::sscanf, not std::regex (GCC 12 warns inside <regex> in the sanitizer build).
  const std::size_t at = r.output.find("flat field: ");
  ASSERT_NE(at, std::string::npos) << r.output;
  double in68 = 0, sd68 = 0, in95 = 0, sd95 = 0;
  int n = 0;
  ASSERT_EQ(std::sscanf(r.output.c_str() + at,
                        "flat field: %lf %% of %d true values inside their 68.3 %% Laplace "
                        "intervals (binomial sd %lf %%), %lf %% inside 95.4 %% (sd %lf %%)",
                        &in68, &n, &sd68, &in95, &sd95),
            5)
      << r.output;
  EXPECT_EQ(n, 4096);
  EXPECT_NEAR(in68, 68.3, 4.0 * sd68);
  EXPECT_NEAR(in95, 95.4, 4.0 * sd95);

  for (const char* f :
       {"true_flat_field.fits", "truth.toml", "data_d0.fits", "data_d4.fits", "map/optimize.csv",
        "map/flat_field.fits", "map/flat_field_sd.fits", "map/flat_field.png", "map/flat_field.pdf",
        "map/best_fit_d0.png", "map/best_fit_d4.png", "map/global_covariance.csv"}) {
    EXPECT_TRUE(fs::is_regular_file(dir / f)) << f;
  }
  const RealImage truth = io::read_fits((dir / "true_flat_field.fits").string()).image;
  EXPECT_EQ(truth.rows(), 64);
  EXPECT_EQ(truth.cols(), 64);
  // Normal(1, 0.05): the sample mean within 4 standard errors of 1.
  EXPECT_NEAR(truth.mean(), 1.0, 4.0 * 0.05 / 64.0);

  // A second run into the same directory is refused (a run directory holds one run).
  const testing::CliResult again = testing::run_airy("demo calibration --out " + dir.string());
  EXPECT_EQ(again.code, 2) << again.output;
  EXPECT_NE(again.output.find("--overwrite"), std::string::npos) << again.output;
  fs::remove_all(dir);
}

TEST(CalibrationDemo, SamplingOptionsAreRefused) {
  const testing::CliResult r = testing::run_airy("demo calibration --chains 2");
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("--chains is not used"), std::string::npos) << r.output;
  const testing::CliResult bad = testing::run_airy("demo calibraton");
  EXPECT_EQ(bad.code, 2) << bad.output;
}

}  // namespace
}  // namespace airy
