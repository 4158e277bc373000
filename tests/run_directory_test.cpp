// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A run directory holds one run, through the airy binary: non-empty directories are
/// refused without --overwrite (which removes airy's files only), `fit` never reads a
/// truth.toml written for other data, `fisher` and `optimize` never write into a fit's
/// directory, and `airy summary` says when a run never finished.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "airy/config/config.hpp"
#include "pipeline/short_flagship_test_util.hpp"

#ifdef AIRY_CLI_PATH
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;
using testing::CliResult;
using testing::run_airy;
using testing::slurp;

class RunDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = pipeline::testing::fresh_dir(
        "airy_run_dir_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    config_ = write_config("run.toml", [](config::Config&) {});
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  /// The short flagship (2 MAP starts, 30 + 20 iterations, output.dir = <dir>/demo), edited.
  std::string write_config(const std::string& name,
                           const std::function<void(config::Config&)>& edit) const {
    config::Config c = pipeline::testing::short_flagship(
        path("demo"), {.num_warmup = 30, .num_samples = 20, .map_starts = 2});
    edit(c);
    std::ofstream(dir_ / name) << config::to_toml(c);
    return path(name);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  CliResult airy(const std::string& args) const { return run_airy(args); }
  CliResult fit(const std::string& data, const std::string& out, const std::string& extra = "") {
    return airy(fmt::format("fit {} --data {} --out {} --quiet --no-plots {}", config_, data,
                            path(out), extra));
  }

  fs::path dir_;
  std::string config_;
};

TEST_F(RunDirectory, SimulateRefusesANonEmptyDirectoryAndOverwriteKeepsOtherFiles) {
  const std::string sim = "simulate " + config_ + " --out " + path("sim");
  const CliResult first = airy(sim);
  ASSERT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("wrote psf.fits, data.fits, config.toml, truth.toml, "
                              "simulate.png, simulate.pdf"),
            std::string::npos)
      << first.output;
  const CliResult again = airy(sim);
  EXPECT_EQ(again.code, 2);
  EXPECT_NE(again.output.find("output directory '" + path("sim") +
                              "': already holds 6 files of another run"),
            std::string::npos)
      << again.output;
  EXPECT_NE(again.output.find("--overwrite"), std::string::npos);
  // Files airy never writes neither block a run nor are removed.
  fs::create_directories(dir_ / "sim2");
  std::ofstream(dir_ / "sim2" / "job.log") << "a batch log\n";
  EXPECT_EQ(airy("simulate " + config_ + " --out " + path("sim2")).code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "sim2" / "job.log"));
  std::ofstream(dir_ / "sim" / "notes.txt") << "mine\n";
  std::ofstream(dir_ / "sim" / "corner.png") << "an old plot\n";
  const CliResult overwrite = airy(sim + " --overwrite");
  EXPECT_EQ(overwrite.code, 0) << overwrite.output;
  EXPECT_TRUE(fs::exists(dir_ / "sim" / "notes.txt"));  // not airy's: kept
  EXPECT_FALSE(fs::exists(dir_ / "sim" / "corner.png"));
  testing::expect_only_whole_files(dir_ / "sim");
}

TEST_F(RunDirectory, SimulateWithoutPriorsSaysItWroteNoTruth) {
  const std::string cfg =
      write_config("no_priors.toml", [](config::Config& c) { c.priors.clear(); });
  const CliResult r = airy("simulate " + cfg + " --out " + path("sim"));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("truth.toml"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "sim" / "truth.toml"));
}

// Data replaced after `simulate`: the truth.toml beside it was written for other data, so
// `fit` does not use it (and says why); --truth uses it on request; the data's own truth
// is used.
TEST_F(RunDirectory, FitNeverReadsATruthWrittenForOtherData) {
  ASSERT_EQ(airy("simulate " + config_ + " --out " + path("sim")).code, 0);
  const std::string other = write_config("other.toml", [](config::Config& c) { c.noise.seed = 7; });
  ASSERT_EQ(airy("simulate " + other + " --out " + path("sim2")).code, 0);
  fs::copy_file(dir_ / "sim2" / "data.fits", dir_ / "sim" / "data.fits",
                fs::copy_options::overwrite_existing);

  const CliResult stale = fit(path("sim/data.fits"), "fit_stale");
  EXPECT_EQ(stale.code, 0) << stale.output;
  EXPECT_NE(stale.output.find("not using '" + path("sim/truth.toml") +
                              "' was written for another 'data.fits' (checksum differs)"),
            std::string::npos)
      << stale.output;
  EXPECT_EQ(stale.output.find("truth:"), std::string::npos) << stale.output;
  EXPECT_FALSE(fs::exists(dir_ / "fit_stale" / "truth.toml"));

  const CliResult given =
      fit(path("sim/data.fits"), "fit_given", "--truth " + path("sim/truth.toml"));
  EXPECT_EQ(given.code, 0) << given.output;
  EXPECT_NE(given.output.find("truth: "), std::string::npos) << given.output;
  EXPECT_TRUE(fs::exists(dir_ / "fit_given" / "truth.toml"));

  const CliResult own = fit(path("sim2/data.fits"), "fit_own");
  EXPECT_EQ(own.code, 0) << own.output;
  EXPECT_NE(own.output.find("truth: "), std::string::npos) << own.output;
  EXPECT_EQ(own.output.find("not using"), std::string::npos) << own.output;
}

// A fit may add to the directory of the simulation it fits; a second fit there is refused
// without --overwrite, which keeps the data; old plots never survive a --no-plots run.
TEST_F(RunDirectory, FitIntoItsSimulationAndOverwrite) {
  ASSERT_EQ(airy("simulate " + config_ + " --out " + path("sim")).code, 0);
  const CliResult first = fit(path("sim/data.fits"), "sim");
  EXPECT_EQ(first.code, 0) << first.output;
  EXPECT_NE(first.output.find("truth: "), std::string::npos) << first.output;
  std::ofstream(dir_ / "sim" / "corner.png") << "an old plot\n";
  const CliResult second = fit(path("sim/data.fits"), "sim");
  EXPECT_EQ(second.code, 2);
  EXPECT_NE(second.output.find("already holds"), std::string::npos) << second.output;
  const CliResult overwrite = fit(path("sim/data.fits"), "sim", "--overwrite");
  EXPECT_EQ(overwrite.code, 0) << overwrite.output;
  EXPECT_FALSE(fs::exists(dir_ / "sim" / "corner.png"));
  EXPECT_TRUE(fs::exists(dir_ / "sim" / "data.fits"));
  EXPECT_TRUE(testing::run_info_says(dir_ / "sim", "status", "complete"));
  testing::expect_only_whole_files(dir_ / "sim");
}

// Without --out, `fisher` and `optimize` write to <output.dir>-fisher / -optimize, never
// into the fit in <output.dir>; and they too refuse a non-empty directory.
TEST_F(RunDirectory, FisherAndOptimizeHaveTheirOwnDefaultDirectories) {
  ASSERT_EQ(airy("simulate " + config_ + " --out " + path("sim")).code, 0);
  fs::create_directories(dir_ / "demo");
  std::ofstream(dir_ / "demo" / "run_info.toml") << "status = \"complete\"\n";
  const CliResult fisher = airy("fisher " + config_ + " --no-plots");
  EXPECT_EQ(fisher.code, 0) << fisher.output;
  EXPECT_NE(fisher.output.find("in " + path("demo-fisher") + "/"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "demo-fisher" / "crb.csv"));
  EXPECT_EQ(airy("fisher " + config_ + " --no-plots").code, 2);
  const CliResult opt =
      airy("optimize " + config_ + " --data " + path("sim/data.fits") + " --starts 2");
  EXPECT_EQ(opt.code, 0) << opt.output;
  EXPECT_TRUE(fs::exists(dir_ / "demo-optimize" / "optimize.csv"));
  int files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_ / "demo")) ++files;
  EXPECT_EQ(files, 1);  // the finished run is untouched
}

// `airy summary` names the status of a run that did not complete: never finished (killed),
// failed with its error; both exit 130.
TEST_F(RunDirectory, SummarySaysWhenARunNeverFinished) {
  ASSERT_EQ(airy("simulate " + config_ + " --out " + path("sim")).code, 0);
  ASSERT_EQ(fit(path("sim/data.fits"), "fit").code, 0);
  const CliResult complete = airy("summary " + path("fit"));
  EXPECT_EQ(complete.code, 0) << complete.output;
  std::ofstream(dir_ / "fit" / "run_info.toml") << "status = \"running\"\nphase = \"sampling\"\n";
  const CliResult killed = airy("summary " + path("fit"));
  EXPECT_EQ(killed.code, 130);
  EXPECT_NE(killed.output.find("INCOMPLETE RUN (status: running: the process never finished"),
            std::string::npos)
      << killed.output;
  EXPECT_NE(killed.output.find("last phase: sampling"), std::string::npos) << killed.output;
  std::ofstream(dir_ / "fit" / "run_info.toml")
      << "status = \"failed\"\nerror = \"'x.nc': cannot be written: No space left on device\"\n";
  const CliResult failed = airy("summary " + path("fit"));
  EXPECT_EQ(failed.code, 130);
  EXPECT_NE(failed.output.find("status: failed: 'x.nc': cannot be written"), std::string::npos)
      << failed.output;
}

}  // namespace
}  // namespace airy
#endif
