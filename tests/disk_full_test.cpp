// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A full disk. `airy simulate` and `airy fit` on small tmpfs mounts (in a private
/// mount namespace, skipped where `unshare`/`mount` are not allowed) exit 1 naming the file
/// that could not be written, and leave no truncated file under a final name; and the same
/// with an injected ENOSPC at every write of `simulate` and at two writes of `fit` (always
/// runs).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "airy/config/config.hpp"
#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"

#ifdef AIRY_CLI_PATH
#include "run_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;

class DiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = pipeline::testing::fresh_dir(
        "airy_disk_full_", ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "mnt");
    config::Config c = pipeline::testing::short_flagship((dir_ / "sim").string());
    c.sampler.map_starts = 2;
    std::ofstream(dir_ / "run.toml") << config::to_toml(c);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  /// Runs `airy <args>` with dir_/mnt a tmpfs of `size` in a private mount namespace (the
  /// mount vanishes with it), then copies what airy left there into dir_/<copy> and its
  /// output into dir_/<copy>.txt. Returns airy's exit code, or -1 when no tmpfs could be
  /// mounted here (not root, no user namespaces).
  int run_on_tmpfs(const std::string& size, const std::string& args, const std::string& copy) {
    const fs::path mnt = dir_ / "mnt";
    const fs::path out = dir_ / copy;
    const fs::path mounted = dir_ / (copy + ".mounted");
    fs::create_directories(out);
    const std::string script = fmt::format(
        "mount -t tmpfs -o size={} tmpfs {} || exit 99; touch {}; {} {} > {}.txt 2>&1; rc=$?; "
        "cp -a {}/. {}/; exit $rc",
        size, mnt.string(), mounted.string(), AIRY_CLI_PATH, args, out.string(), mnt.string(),
        out.string());
    for (const char* unshare : {"unshare --mount", "unshare --user --map-root-user --mount"}) {
      const int status =
          std::system(fmt::format("{} sh -c '{}' 2>/dev/null", unshare, script).c_str());
      if (fs::exists(mounted) && WIFEXITED(status)) return WEXITSTATUS(status);
    }
    return -1;
  }

  fs::path dir_;
};

TEST_F(DiskFull, SimulateOnATinyTmpfs) {
  for (const char* size : {"8k", "24k"}) {
    const int code =
        run_on_tmpfs(size,
                     fmt::format("simulate {} --out {}/sim", (dir_ / "run.toml").string(),
                                 (dir_ / "mnt").string()),
                     std::string("sim_") + size);
    if (code == -1) GTEST_SKIP() << "no tmpfs mount in a private namespace here";
    const std::string output = testing::slurp(dir_ / (std::string("sim_") + size + ".txt"));
    EXPECT_EQ(code, 1) << output;
    EXPECT_NE(output.find((dir_ / "mnt" / "sim").string()), std::string::npos) << output;
    EXPECT_EQ(output.find("airy simulate: wrote"), std::string::npos) << output;
    testing::expect_only_whole_files(dir_ / (std::string("sim_") + size) / "sim");
  }
}

TEST_F(DiskFull, FitOnASmallTmpfsStopsAtTheChainThatCannotGrow) {
  const std::string data =
      pipeline::simulate(config::load_config((dir_ / "run.toml").string()), (dir_ / "sim").string())
          .data_path;
  const int code =
      run_on_tmpfs("48k",
                   fmt::format("fit {} --data {} --out {}/fit --quiet --no-plots "
                               "--samples 2000",
                               (dir_ / "run.toml").string(), data, (dir_ / "mnt").string()),
                   "fit");
  if (code == -1) GTEST_SKIP() << "no tmpfs mount in a private namespace here";
  const std::string output = testing::slurp(dir_ / "fit.txt");
  EXPECT_EQ(code, 1) << output;
  EXPECT_NE(output.find("No space left on device"), std::string::npos) << output;
  const fs::path run = dir_ / "fit" / "fit";
  testing::expect_only_whole_files(run);
  // run_info.toml says failed, with the error naming the file (rewritten in place when the
  // disk has no room for a new file).
  EXPECT_TRUE(testing::run_info_says(run, "status", "failed"))
      << testing::slurp(run / "run_info.toml");
  EXPECT_NE(testing::slurp(run / "run_info.toml").find("cannot be written: No space left"),
            std::string::npos);
}

/// The files of `dir` (names only).
std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// ENOSPC injected at the n-th write of `simulate` (psf.fits, data.fits, config.toml,
// truth.toml, simulate.png, simulate.pdf): the error names that file, which is absent,
// and the files before it are whole.
TEST_F(DiskFull, InjectedFailureAtEveryWriteOfSimulate) {
  const config::Config c = config::load_config((dir_ / "run.toml").string());
  const std::vector<std::string> order = {"psf.fits",   "data.fits",    "config.toml",
                                          "truth.toml", "simulate.png", "simulate.pdf"};
  for (std::size_t n = 1; n <= order.size(); ++n) {
    const fs::path out = dir_ / fmt::format("inject_{}", n);
    inject_write_failure_after(static_cast<int>(n));
    try {
      (void)pipeline::simulate(c, out.string());
      ADD_FAILURE() << "write " << n << " did not fail";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(order[n - 1]), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
    }
    inject_write_failure_after(0);
    std::vector<std::string> before(order.begin(), order.begin() + static_cast<long>(n) - 1);
    std::sort(before.begin(), before.end());
    EXPECT_EQ(listing(out), before) << "write " << n;
    testing::expect_only_whole_files(out);
  }
}

// ENOSPC injected into `fit` at its 3rd write (data.fits, after run_info.toml and
// config.toml) and its 10th (posterior.nc): the run fails naming the file, run_info.toml
// says so with the error, nothing is truncated.
TEST_F(DiskFull, InjectedFailureDuringFit) {
  config::Config c = config::load_config((dir_ / "run.toml").string());
  const std::string data = pipeline::simulate(c, (dir_ / "sim").string()).data_path;
  c.sampler.num_warmup = 30;
  c.sampler.num_samples = 20;
  for (int n : {3, 10}) {
    c.output_dir = (dir_ / fmt::format("fit_{}", n)).string();
    pipeline::FitOptions o;
    o.data_path = data;
    o.quiet = true;
    o.plots = false;
    inject_write_failure_after(n);
    std::string error;
    try {
      (void)pipeline::fit(c, o);
    } catch (const Error& e) {
      error = e.what();
    }
    inject_write_failure_after(0);
    ASSERT_NE(error.find("cannot be written: No space left on device"), std::string::npos)
        << "write " << n << ": " << error;
    const std::string file = error.substr(1, error.find("':") - 1);
    EXPECT_FALSE(fs::exists(file)) << file;
    testing::expect_only_whole_files(c.output_dir);
    EXPECT_TRUE(testing::run_info_says(c.output_dir, "status", "failed"));
    EXPECT_NE(testing::slurp(fs::path(c.output_dir) / "run_info.toml")
                  .find(fs::path(file).filename().string()),
              std::string::npos);
  }
}

}  // namespace
}  // namespace airy
#endif
