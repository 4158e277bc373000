// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The process-wide stop request and its signal handlers (see stop.hpp).
#include "airy/core/stop.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"

namespace airy {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signo{0};
std::atomic<int> g_count{0};  ///< signals (and request_stop() calls) since the last clear
static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

constexpr std::size_t kPathMax = 1000;
constexpr std::size_t kExitBytes = 16384;
constexpr int kSlots = 64;

/// A tracked temporary file. state: 0 free, 1 being filled, 2 live (the handler unlinks it).
struct Slot {
  std::atomic<int> state{0};
  char path[kPathMax + 1] = {};
};
Slot g_slots[kSlots];

/// The exit file. state: 0 none (or being replaced), 1 set.
struct ExitFile {
  std::atomic<int> state{0};
  char path[kPathMax + 1] = {};
  char temp[kPathMax + 32] = {};
  char data[kExitBytes] = {};
  std::size_t size = 0;
};
ExitFile g_exit;

constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

void say(const char* text) { (void)detail::write_all(STDERR_FILENO, text, std::strlen(text)); }

const char* short_name(int signo) {
  switch (signo) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "signal";
  }
}

/// Writes the exit file to its temporary name, syncs it and renames it. Async-signal-safe.
void write_exit_file() {
  if (g_exit.state.load() != 1) return;
  const int fd = ::open(g_exit.temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  bool ok = detail::write_all(fd, g_exit.data, g_exit.size) == 0;
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (ok) ok = ::rename(g_exit.temp, g_exit.path) == 0;
  if (!ok) ::unlink(g_exit.temp);
}

extern "C" void airy_stop_handler(int signo) {
  const int saved_errno = errno;
  if (g_count.fetch_add(1) == 0) {
    int none = 0;
    g_signo.compare_exchange_strong(none, signo);
    g_stop.store(true);
    say("\nairy: ");
    say(short_name(signo));
    say(": stopping after the current step and writing the results so far (send it again to "
        "exit at once)\n");
  } else {
    for (Slot& s : g_slots) {
      if (s.state.load() == 2) ::unlink(s.path);
    }
    write_exit_file();
    say("\nairy: ");
    say(short_name(signo));
    say(" again: exiting now\n");
    ::_exit(128 + signo);
  }
  errno = saved_errno;
}

std::mutex& scope_mutex() {
  static std::mutex m;
  return m;
}
int g_depth = 0;  // guarded by scope_mutex()
std::atomic<bool> g_active{false};
struct sigaction g_old[3];

}  // namespace

bool stop_requested() noexcept { return g_stop.load(std::memory_order_relaxed); }

int stop_signal() noexcept { return g_signo.load(); }

void request_stop(int signo) noexcept {
  int zero = 0;
  if (g_count.compare_exchange_strong(zero, 1)) g_signo.store(signo);
  g_stop.store(true);
}

void clear_stop() noexcept {
  g_count.store(0);
  g_signo.store(0);
  g_stop.store(false);
}

std::atomic<bool>& stop_flag() noexcept { return g_stop; }

std::string signal_name(int signo) {
  if (signo == 0) return "";
  if (signo == SIGINT || signo == SIGTERM || signo == SIGHUP) return short_name(signo);
  return fmt::format("signal {}", signo);
}

StopSignalScope::StopSignalScope(bool install) : installed_(install) {
  if (!installed_) return;
  std::lock_guard lock(scope_mutex());
  if (g_depth++ > 0) return;
  clear_stop();
  struct sigaction sa {};
  sa.sa_handler = airy_stop_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns EINTR and the caller polls
  for (int i = 0; i < 3; ++i) {
    // A signal the process was told to ignore (`nohup` ignores SIGHUP) stays ignored.
    sigaction(kSignals[i], nullptr, &g_old[i]);
    if (g_old[i].sa_handler != SIG_IGN) sigaction(kSignals[i], &sa, nullptr);
  }
  g_active.store(true);
}

StopSignalScope::~StopSignalScope() {
  if (!installed_) return;
  std::lock_guard lock(scope_mutex());
  if (--g_depth > 0) return;
  for (int i = 0; i < 3; ++i) sigaction(kSignals[i], &g_old[i], nullptr);
  g_active.store(false);
}

bool StopSignalScope::active() noexcept { return g_active.load(); }

void set_exit_file(const std::string& path, std::string_view contents) {
  if (path.size() >= kPathMax || contents.size() > kExitBytes) {
    throw InvalidArgument(
        fmt::format("set_exit_file: '{}': path of {} bytes or contents of {} "
                    "bytes too long (limits {} and {})",
                    path, path.size(), contents.size(), kPathMax - 1, kExitBytes));
  }
  g_exit.state.store(0);  // the handler ignores the file while it is replaced
  std::memcpy(g_exit.path, path.c_str(), path.size() + 1);
  const std::string temp = path + ".exit-tmp";
  std::memcpy(g_exit.temp, temp.c_str(), temp.size() + 1);
  std::memcpy(g_exit.data, contents.data(), contents.size());
  g_exit.size = contents.size();
  g_exit.state.store(1);
}

void clear_exit_file() noexcept { g_exit.state.store(0); }

namespace detail {

void track_temporary_file(const std::string& path) noexcept {
  if (path.size() >= kPathMax) return;
  for (Slot& s : g_slots) {
    int free = 0;
    if (!s.state.compare_exchange_strong(free, 1)) continue;
    std::memcpy(s.path, path.c_str(), path.size() + 1);
    s.state.store(2);
    return;
  }
}

void untrack_temporary_file(const std::string& path) noexcept {
  for (Slot& s : g_slots) {
    if (s.state.load() == 2 && path == s.path) {
      int live = 2;
      s.state.compare_exchange_strong(live, 0);
      return;
    }
  }
}

}  // namespace detail
}  // namespace airy
