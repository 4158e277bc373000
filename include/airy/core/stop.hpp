// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief One process-wide stop request, set by SIGINT, SIGTERM and SIGHUP (batch schedulers
/// send SIGTERM, a closed terminal SIGHUP) and polled by every long phase: the multi-start
/// MAP, the sampler's chains and the pipeline between its steps.
///
/// The first signal only sets the flag: the running phase stops at its next check (one
/// L-BFGS evaluation, one NUTS iteration) and the program writes its outputs from what it
/// has. A second signal exits at once with status 128 + signo: the temporary files of writes
/// in progress (AtomicFile) are removed and the exit file (set_exit_file(), e.g. a
/// run_info.toml saying "interrupted") is written atomically first, so every file left under
/// a final name is whole. Only async-signal-safe calls are made from the handler.
#pragma once

#include <atomic>
#include <string>
#include <string_view>

namespace airy {

/// True once a stop was requested (a signal while a StopSignalScope is installed, or
/// request_stop()).
[[nodiscard]] bool stop_requested() noexcept;

/// The signal number of the first stop request (SIGINT, SIGTERM, SIGHUP); 0 when none, or
/// when the stop came from request_stop() without a signal number.
[[nodiscard]] int stop_signal() noexcept;

/// Requests a stop as a first signal `signo` would (0: no signal; e.g. a GUI's cancel).
void request_stop(int signo = 0) noexcept;

/// Forgets a requested stop and the count of signals received.
void clear_stop() noexcept;

/// The process-wide flag that stop_requested() reads (infer::interrupt_flag() returns it).
[[nodiscard]] std::atomic<bool>& stop_flag() noexcept;

/// "SIGINT", "SIGTERM", "SIGHUP", or "signal <n>" (n > 0); "" for 0.
[[nodiscard]] std::string signal_name(int signo);

/// Installs the SIGINT, SIGTERM and SIGHUP handlers for its lifetime (a signal the process
/// ignores, e.g. SIGHUP under `nohup`, stays ignored). Scopes nest (the pipeline's around the
/// sampler's): the outermost one installs the handlers, clears an earlier stop request, and
/// restores the previous handlers when it ends.
class StopSignalScope {
 public:
  /// @param install false: a no-op scope (a library caller that handles signals itself).
  explicit StopSignalScope(bool install = true);
  ~StopSignalScope();
  StopSignalScope(const StopSignalScope&) = delete;
  StopSignalScope& operator=(const StopSignalScope&) = delete;

  /// Whether any scope has the handlers installed now.
  [[nodiscard]] static bool active() noexcept;

 private:
  bool installed_;
};

/// Registers `contents` to be written atomically to `path` if a second signal ends the
/// process (replacing an earlier registration). `path` must be < 1000 bytes and `contents`
/// < 16 KiB. @throws airy::InvalidArgument when either is too long.
void set_exit_file(const std::string& path, std::string_view contents);
/// Unregisters the exit file.
void clear_exit_file() noexcept;

namespace detail {
/// AtomicFile's temporary files: removed by the handler if a second signal ends the process
/// while they are being written. Paths of 1000 bytes or more, or more than 64 at once, are
/// not tracked (they are then left behind, never under a final name).
void track_temporary_file(const std::string& path) noexcept;
void untrack_temporary_file(const std::string& path) noexcept;
}  // namespace detail

}  // namespace airy
