// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy batch` as a process: a SIGTERM while the second of three targets runs ends it
/// with exit code 143 (the first complete, the second interrupted, the third not started);
/// the same command again resumes without redoing the first (its files untouched) and exits
/// 0; duplicate targets and missing files are usage errors (exit 2) before anything runs.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "airy/config/config.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"

#ifdef AIRY_CLI_PATH
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;
using testing::AiryProcess;
using testing::run_airy;
using testing::run_info_says;
using testing::wait_until;

class BatchCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = pipeline::testing::fresh_dir(
        "airy_batch_cli_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    config::Config c = pipeline::testing::short_flagship((dir_ / "sim").string(),
                                                         pipeline::testing::ShortRun{40, 30, 2});
    c.sampler.num_threads = 1;
    data_ = pipeline::simulate(c, c.output_dir).data_path;
    std::ofstream(dir_ / "fit.toml") << config::to_toml(c);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  std::string manifest(const std::vector<std::string>& targets) const {
    std::string text = "[batch]\nout = \"runs\"\n";
    for (const auto& t : targets) {
      text += "[[fits]]\ntarget = \"" + t + "\"\nconfig = \"fit.toml\"\ndata = \"" + data_ + "\"\n";
    }
    const fs::path p = dir_ / "m.toml";
    std::ofstream(p) << text;
    return p.string();
  }

  fs::path dir_;
  std::string data_;
};

TEST_F(BatchCli, SigtermStopsTheBatchAndTheSameCommandResumes) {
  const std::string m = manifest({"a", "b", "c"});
  const fs::path runs = dir_ / "runs";
  {
    AiryProcess batch({"batch", m, "--quiet"}, (dir_ / "output.txt").string());
    ASSERT_TRUE(wait_until([&] { return run_info_says(runs / "b", "status", "running"); }, 120.0))
        << batch.output();
    batch.signal(SIGTERM);
    EXPECT_EQ(batch.wait(60.0), 128 + SIGTERM) << batch.output();
    EXPECT_NE(batch.output().find("not run"), std::string::npos) << batch.output();
  }
  EXPECT_TRUE(run_info_says(runs / "a", "status", "complete"));
  EXPECT_TRUE(run_info_says(runs / "b", "status", "interrupted"));
  EXPECT_FALSE(fs::exists(runs / "c"));
  const auto a_time = fs::last_write_time(runs / "a" / "run_info.toml");

  const testing::CliResult resumed = run_airy("batch " + m + " --quiet");
  EXPECT_EQ(resumed.code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("resumed"), std::string::npos) << resumed.output;
  EXPECT_EQ(fs::last_write_time(runs / "a" / "run_info.toml"), a_time);
  for (const char* t : {"b", "c"}) EXPECT_TRUE(run_info_says(runs / t, "status", "complete")) << t;
  EXPECT_TRUE(fs::exists(runs / "batch_summary.csv"));
}

TEST_F(BatchCli, BadManifestsAreUsageErrorsBeforeAnythingRuns) {
  const testing::CliResult dup = run_airy("batch " + manifest({"a", "b", "a"}));
  EXPECT_EQ(dup.code, 2) << dup.output;
  EXPECT_NE(dup.output.find("fits[2] (target 'a'): target 'a' appears twice"), std::string::npos)
      << dup.output;
  std::ofstream(dir_ / "m2.toml") << "[[fits]]\ntarget = \"x\"\nconfig = \"fit.toml\"\n"
                                     "data = \"nowhere.fits\"\n";
  const testing::CliResult missing = run_airy("batch " + (dir_ / "m2.toml").string());
  EXPECT_EQ(missing.code, 2) << missing.output;
  EXPECT_NE(missing.output.find("data = 'nowhere.fits': no such file"), std::string::npos)
      << missing.output;
  EXPECT_FALSE(fs::exists(dir_ / "runs"));
  EXPECT_FALSE(fs::exists(dir_ / "m2-runs"));
}

}  // namespace
}  // namespace airy
#endif
