// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The airy binary on bad input: each error names the key or file and the value, the
/// process exits non-zero, and no output is mistaken for a complete run.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "airy/config/config.hpp"
#include "airy/io/fits.hpp"

#ifdef AIRY_CLI_PATH
namespace airy {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code = -1;
  std::string output;
};

Result run(const std::string& args) {
  const std::string cmd = std::string(AIRY_CLI_PATH) + " " + args + " 2>&1";
  Result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe)) r.output += buffer;
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

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
  for (const char* sub : {"demo", "simulate", "fit", "summary", "plot"}) {
    const Result r = run(std::string(sub) + " --help");
    EXPECT_EQ(r.code, 0) << sub;
    EXPECT_NE(r.output.find("Usage"), std::string::npos) << r.output;
  }
  EXPECT_NE(run("fit --help").output.find("--warmup"), std::string::npos);
  EXPECT_EQ(run("--version").code, 0);
  EXPECT_NE(run("").code, 0);  // a subcommand is required
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
  RealImage nan_image = RealImage::Constant(16, 16, 10.0);
  nan_image(3, 5) = std::numeric_limits<double>::quiet_NaN();
  io::write_fits(path("nan.fits"), nan_image, io::FitsHeader{});
  expect_failure(run("fit " + cfg + " --data " + path("nan.fits") + " --out " + path("f")),
                 {"nan.fits", "nan"});
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
