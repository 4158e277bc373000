// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The airy binary on bad input: each error names the key or file and the value, the
/// process exits non-zero, and no output is mistaken for a complete run.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "airy/config/config.hpp"
#include "airy/io/fits.hpp"

#ifdef AIRY_CLI_PATH
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;

using Result = testing::CliResult;

Result run(const std::string& args) { return testing::run_airy(args); }

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    // One directory per test: CTest runs each test as its own process, in parallel.
    dir_ = fs::temp_directory_path() /
           (std::string("airy_cli_test_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::string text(config::flagship_toml());
    text.replace(text.find("npix = 128"), 10, "npix = 32");
    write("run.toml", text);
  }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string edited(const std::string& from, const std::string& to) {
    std::string text(config::flagship_toml());
    text.replace(text.find("npix = 128"), 10, "npix = 32");
    text.replace(text.find(from), from.size(), to);
    return write("edited.toml", text);
  }
  fs::path dir_;
};

void expect_failure(const Result& r, std::initializer_list<std::string> fragments) {
  EXPECT_NE(r.code, 0) << r.output;
  for (const auto& f : fragments) {
    EXPECT_NE(r.output.find(f), std::string::npos) << "missing '" << f << "' in:\n" << r.output;
  }
}

TEST_F(Cli, HelpAndVersion) {
  EXPECT_EQ(run("--help").code, 0);
  for (const char* sub : {"demo", "simulate", "fit", "summary", "plot", "fisher", "optimize"}) {
    const Result r = run(std::string(sub) + " --help");
    EXPECT_EQ(r.code, 0) << sub;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << r.output;
    if (std::string(sub) != "summary" && std::string(sub) != "plot") {
      EXPECT_NE(r.output.find("--overwrite"), std::string::npos) << sub;
    }
  }
  EXPECT_NE(run("fit --help").output.find("--warmup"), std::string::npos);
  EXPECT_EQ(run("--version").code, 0);
}

// Usage errors exit 2 with CLI11's message (docs/cli.md, "Exit codes").
TEST_F(Cli, UsageErrorsExitTwoWithTheMessage) {
  auto usage = [&](const std::string& args, const std::string& message) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
  };
  usage("", "A subcommand is required");
  usage("frobnicate", "A subcommand is required");  // CLI11 reports the missing one first
  // --data is optional for configs with [[exposures]]; a single-image config still needs it.
  usage("fit " + path("run.toml"), "no data file given (--data FILE)");
  usage("fit " + path("run.toml") + " --data x.fits --bogus", "--bogus");
  usage("simulate " + path("nowhere.toml"), "nowhere.toml");
}

// Every numeric option names its real bound: no 300-digit numbers, no silent wrap-around.
TEST_F(Cli, NumericOptionsSayTheirBound) {
  const std::string fit = "fit " + path("run.toml") + " --data x.fits ";
  auto bad = [&](const std::string& args, const std::string& message) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    EXPECT_EQ(r.output.find("1797693"), std::string::npos) << r.output;
  };
  bad(fit + "--chains 0", "--chains: must be an integer >= 1, got 0");
  bad(fit + "--chains 4294967298", "--chains: must be an integer <= 2147483647, got 4294967298");
  bad(fit + "--samples -3", "--samples: must be an integer >= 1, got -3");
  bad(fit + "--warmup -1", "--warmup: must be an integer >= 0, got -1");
  bad(fit + "--threads 1.5", "--threads: must be an integer");
  bad(fit + "--seed -1", "--seed: must be an integer >= 0, got -1");
  bad(fit + "--seed 9223372036854775808",
      "--seed: must be an integer <= 9223372036854775807, got 9223372036854775808");
  bad(fit + "--chains 99999999999999999999999", "out of range");
  bad("optimize " + path("run.toml") + " --data x.fits --starts 0",
      "--starts: must be an integer >= 1, got 0");
}

TEST_F(Cli, ConfigErrorsNameKeyAndSuggest) {
  expect_failure(
      run("simulate " + edited("diameter = 1.0", "diamter = 1.0") + " --out " + path("o")),
      {"diamter", "did you mean 'diameter'", "edited.toml:"});
  expect_failure(
      run("simulate " + edited("diameter = 1.0", "diameter = -1.0") + " --out " + path("o")),
      {"optics.diameter", "-1"});
  expect_failure(run("simulate " + edited("npix = 32", "npix = \"many\"") + " --out " + path("o")),
                 {"optics.npix", "integer"});
  expect_failure(run("simulate " + edited("low = 0.01\nhigh = 0.5", "low = 0.5\nhigh = 0.01") +
                     " --out " + path("o")),
                 {"source.separation", "no support"});
}

TEST_F(Cli, DataFileErrorsNameTheFile) {
  const std::string cfg = path("run.toml");
  expect_failure(run("fit " + cfg + " --data " + path("missing.fits") + " --out " + path("f")),
                 {"missing.fits"});
  const std::string text = write("not_fits.fits", "this is not a FITS file\n");
  expect_failure(run("fit " + cfg + " --data " + text + " --out " + path("f")), {"not_fits.fits"});
  io::write_fits(path("small.fits"), RealImage::Constant(8, 8, 1.0), io::FitsHeader{});
  expect_failure(run("fit " + cfg + " --data " + path("small.fits") + " --out " + path("f")),
                 {"small.fits", "8x8", "16x16"});
  // A NaN pixel is missing data, masked and counted (tests/exposures_pipeline_test.cpp).
  // An infinite pixel is reported as the value that is there, not as nan.
  for (const double v :
       {std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    RealImage inf_image = RealImage::Constant(16, 16, 10.0);
    inf_image(3, 5) = v;
    io::write_fits(path("inf.fits"), inf_image, io::FitsHeader{});
    const Result r = run("fit " + cfg + " --data " + path("inf.fits") + " --out " + path("f"));
    EXPECT_EQ(r.code, 2) << r.output;
    EXPECT_NE(r.output.find(v > 0 ? "pixel (x=5, y=3) = inf is not finite"
                                  : "pixel (x=5, y=3) = -inf is not finite"),
              std::string::npos)
        << r.output;
  }
  RealImage negative = RealImage::Constant(16, 16, 10.0);
  negative(2, 2) = -4.0;
  io::write_fits(path("negative.fits"), negative, io::FitsHeader{});
  // Poisson has no read noise: its `sigma` key goes too (a key a kind does not use is an error).
  const std::string poisson = edited(
      "kind = \"poisson_gaussian\" # normal approximation: variance = model + sigma^2\nsigma = 3.0",
      "kind = \"poisson\"");
  expect_failure(run("fit " + poisson + " --data " + path("negative.fits") + " --out " + path("f")),
                 {"negative", "Poisson"});
  EXPECT_FALSE(fs::exists(path("f/chain_1.csv")));  // nothing that looks like a run
}

TEST_F(Cli, UnwritableOutputDirectory) {
  io::write_fits(path("ok.fits"), RealImage::Constant(16, 16, 10.0), io::FitsHeader{});
  write("blocker", "a file where a directory should be");
  expect_failure(run("simulate " + path("run.toml") + " --out " + path("blocker/sub")),
                 {"blocker/sub"});
  expect_failure(run("fit " + path("run.toml") + " --data " + path("ok.fits") + " --out " +
                     path("blocker/sub")),
                 {"blocker/sub"});
}

TEST_F(Cli, SummaryOfSomethingThatIsNotARun) {
  expect_failure(run("summary " + path("nowhere")), {"nowhere"});
  fs::create_directories(path("empty"));
  expect_failure(run("summary " + path("empty")), {"chain_"});
}

}  // namespace
}  // namespace airy
#endif
