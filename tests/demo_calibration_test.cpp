// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy demo calibration` end to end (issue #11 §6): the embedded reduced calibration
/// is simulated, fitted from its guess, and its Laplace intervals cover the true flat field
/// at their nominal rates; every figure is drawn; options that do not apply are refused.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
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

/// The whole text of a file.
std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// --seed K is another data set (true flat field and noise), and tools/calibration_coverage.sh
// aggregates sets: two seeds here (the study runs 20, docs/calibration.md).
TEST(CalibrationDemo, EachSeedIsAnotherDataSetAndTheCoverageToolAggregatesThem) {
  if (std::system("python3 -c 'import tomllib' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "python3 >= 3.11 (tomllib) is needed by tools/calibration_coverage.py";
  }
  const fs::path dir = fs::path(::testing::TempDir()) / "airy_demo_calibration_seeds";
  fs::remove_all(dir);
  const std::string cmd = std::string("AIRY=") + AIRY_CLI_PATH + " " + AIRY_SOURCE_DIR +
                          "/tools/calibration_coverage.sh 2 " + dir.string() + " 3 >" +
                          (dir.string() + ".log") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_text(dir.string() + ".log");

  // Set K's true flat field is draw_flat_field(seed K), its noise seed K.
  for (const int k : {3, 4}) {
    const fs::path set = dir / ("set_" + std::to_string(k));
    const RealImage flat = io::read_fits((set / "true_flat_field.fits").string()).image;
    const RealImage expect = pipeline::draw_flat_field(64, 64, 0.05, static_cast<std::uint64_t>(k));
    ASSERT_EQ(flat.rows(), expect.rows());
    ASSERT_EQ(flat.cols(), expect.cols());
    EXPECT_TRUE((flat == expect).all()) << k;
    EXPECT_NE(read_text(set / "config.toml").find(fmt::format("seed = {}\n", k)), std::string::npos)
        << k;
    EXPECT_NE(read_text(dir / ("set_" + std::to_string(k) + ".log"))
                  .find(fmt::format("data set {} (true flat field Philox seed", k)),
              std::string::npos);
  }
  EXPECT_NE(read_text(dir / "set_3" / "data_d0.fits"), read_text(dir / "set_4" / "data_d0.fits"));

  // The aggregator's per-set fractions are the demo's own (C++ truth_coverage, printed as
  // "truth: flat field: 67.9 % of 4096 ..."), to the printed 0.1 %.
  const std::string sets = read_text(dir / "coverage_sets.csv");
  for (const int k : {3, 4}) {
    const std::string log = read_text(dir / ("set_" + std::to_string(k) + ".log"));
    const std::size_t at = log.find("flat field: ");
    ASSERT_NE(at, std::string::npos) << log;
    double in68 = 0, sd68 = 0, in95 = 0, sd95 = 0;
    int n = 0;
    ASSERT_EQ(std::sscanf(log.c_str() + at,
                          "flat field: %lf %% of %d true values inside their 68.3 %% Laplace "
                          "intervals (binomial sd %lf %%), %lf %% inside 95.4 %% (sd %lf %%)",
                          &in68, &n, &sd68, &in95, &sd95),
              5)
        << log;
    EXPECT_NEAR(in68, 68.3, 4.0 * sd68) << k;
    EXPECT_NEAR(in95, 95.4, 4.0 * sd95) << k;
    const std::size_t row = sets.find(fmt::format("\n{},4096,", k));
    ASSERT_NE(row, std::string::npos) << sets;
    double f1 = 0, f2 = 0;
    ASSERT_EQ(std::sscanf(sets.c_str() + row + 1, "%*d,%*d,%lf,%lf", &f1, &f2), 2) << sets;
    EXPECT_NEAR(100.0 * f1, in68, 0.051) << k;
    EXPECT_NEAR(100.0 * f2, in95, 0.051) << k;
  }
  const std::string report = read_text(dir / "coverage.txt");
  EXPECT_NE(report.find("over 2 data sets (seeds 3..4)"), std::string::npos) << report;
  EXPECT_NE(report.find("flat field, 2 sets x 4096 pixels = 8192 true values"), std::string::npos)
      << report;
  EXPECT_NE(report.find("coefficients"), std::string::npos) << report;
  EXPECT_NE(report.find("positions"), std::string::npos) << report;
  EXPECT_NE(report.find("fluxes"), std::string::npos) << report;
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
