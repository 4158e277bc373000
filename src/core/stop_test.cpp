// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The process-wide stop request: handlers installed and restored by scopes, a first
/// signal only sets the flag, a second exits at once with 128 + signo after removing the
/// temporary files of writes in progress and writing the exit file.
#include "airy/core/stop.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"
#include "core/scratch_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;

using testing::slurp;

void (*handler_of(int signo))(int) {
  struct sigaction sa {};
  sigaction(signo, nullptr, &sa);
  return sa.sa_handler;
}

TEST(Stop, ScopesInstallAndRestoreTheHandlersOfAllThreeSignals) {
  // Whatever the test runner set (a shell under nohup ignores SIGHUP): start from defaults.
  for (int s : {SIGINT, SIGTERM, SIGHUP}) std::signal(s, SIG_DFL);
  void (*airy_handler)(int) = nullptr;
  {
    const StopSignalScope outer;
    EXPECT_TRUE(StopSignalScope::active());
    airy_handler = handler_of(SIGINT);
    EXPECT_NE(airy_handler, SIG_DFL);
    for (int s : {SIGTERM, SIGHUP}) EXPECT_EQ(handler_of(s), airy_handler) << s;
    {
      const StopSignalScope inner;
      const StopSignalScope disabled(false);
    }
    EXPECT_TRUE(StopSignalScope::active());  // the inner scope did not uninstall them
    EXPECT_EQ(handler_of(SIGTERM), airy_handler);
  }
  EXPECT_FALSE(StopSignalScope::active());
  for (int s : {SIGINT, SIGTERM, SIGHUP}) EXPECT_EQ(handler_of(s), SIG_DFL) << s;
}

TEST(Stop, AnIgnoredSignalStaysIgnored) {
  const auto old = std::signal(SIGHUP, SIG_IGN);  // as under `nohup`
  {
    const StopSignalScope scope;
    EXPECT_EQ(handler_of(SIGHUP), SIG_IGN);
    EXPECT_NE(handler_of(SIGTERM), SIG_IGN);
    std::raise(SIGHUP);
    EXPECT_FALSE(stop_requested());
  }
  EXPECT_EQ(handler_of(SIGHUP), SIG_IGN);
  std::signal(SIGHUP, old);
}

TEST(Stop, AFirstSignalOnlySetsTheFlagAndNestedScopesKeepIt) {
  {
    const StopSignalScope outer;
    EXPECT_FALSE(stop_requested());
    std::raise(SIGTERM);  // would end the process without the handler
    EXPECT_TRUE(stop_requested());
    EXPECT_EQ(stop_signal(), SIGTERM);
    EXPECT_EQ(signal_name(stop_signal()), "SIGTERM");
    const StopSignalScope inner;  // e.g. the sampler's inside the pipeline's
    EXPECT_TRUE(stop_requested());
  }
  EXPECT_TRUE(stop_requested());  // until the next outermost scope or clear_stop()
  const StopSignalScope next;
  EXPECT_FALSE(stop_requested());
  EXPECT_EQ(stop_signal(), 0);
}

TEST(Stop, RequestStopWithoutASignal) {
  clear_stop();
  request_stop();
  EXPECT_TRUE(stop_requested());
  EXPECT_EQ(stop_signal(), 0);
  EXPECT_TRUE(stop_flag().load());
  clear_stop();
  EXPECT_FALSE(stop_requested());
}

// The child writes a file through AtomicFile, registers an exit file, and gets SIGINT then
// SIGHUP: it must exit with 128 + SIGHUP at once, with no temporary file left and the exit
// file written whole.
TEST(Stop, ASecondSignalExitsAtOnceLeavingOnlyWholeFiles) {
  const fs::path dir = testing::fresh_scratch("airy_stop_", "second");
  const std::string final_path = (dir / "posterior.nc").string();
  const std::string exit_path = (dir / "run_info.toml").string();
  std::ofstream(exit_path) << "status = \"running\"\n";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const StopSignalScope scope;
    AtomicFile file(final_path);
    std::ofstream(file.temp_path()) << "half a file";
    set_exit_file(exit_path, "status = \"interrupted\"\n");
    std::raise(SIGINT);
    if (!stop_requested()) ::_exit(3);
    std::raise(SIGHUP);
    ::_exit(4);  // not reached
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGHUP);
  EXPECT_FALSE(fs::exists(final_path));
  EXPECT_EQ(slurp(exit_path), "status = \"interrupted\"\n");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++entries;
    EXPECT_EQ(e.path().filename(), "run_info.toml");  // no temporary file left behind
  }
  EXPECT_EQ(entries, 1);
  fs::remove_all(dir);
}

TEST(Stop, ExitFileLimits) {
  EXPECT_THROW(set_exit_file(std::string(1000, 'a'), "x"), InvalidArgument);
  EXPECT_THROW(set_exit_file("run_info.toml", std::string(16385, 'x')), InvalidArgument);
  set_exit_file("run_info.toml", std::string(16384, 'x'));
  clear_exit_file();
}

}  // namespace
}  // namespace airy
