// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief run_info.toml through a run: "running" per phase, then "complete", "interrupted"
/// or "failed"; a second signal leaves "interrupted" through the exit file (core/stop.hpp).
#include <fmt/format.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>

#include "airy/core/stop.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {
namespace {

/// The exit file's text, if it fits the handler's buffer (a run_info.toml of a few hundred
/// bytes always does; a huge command line leaves the file as it is).
void register_exit_text(const std::string& path, const std::string& text) {
  if (text.size() <= 16384) {
    set_exit_file(path, text);
  } else {
    clear_exit_file();
  }
}

/// Replaces the contents of an existing small file in place: on a full disk the blocks it
/// already has take the new text where a new (temporary) file gets none. Not atomic, so only
/// the last resort of fail(). Returns 0 or errno.
int rewrite_in_place(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int err = 0;
  const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
  if (n != static_cast<ssize_t>(text.size())) err = n < 0 ? errno : ENOSPC;
  if (err == 0 && ::ftruncate(fd, static_cast<off_t>(text.size())) != 0) err = errno;
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

}  // namespace

RunRecord::RunRecord(std::string path, RunInfo info)
    : path_(std::move(path)), info_(std::move(info)) {
  phase("setup");
}

RunRecord::~RunRecord() { clear_exit_file(); }

void RunRecord::phase(const std::string& phase) {
  info_.phase = phase;
  info_.status = "running";
  // What the file says if a second signal ends the process in this phase: the handler
  // cannot format text, so it is prepared now.
  RunInfo exit = info_;
  exit.status = "interrupted";
  exit.stop = fmt::format("{}a second signal during {} (exited at once)",
                          info_.stop.empty() ? "" : info_.stop + ", then ", phase);
  // Registered first: a signal that arrives while run_info.toml is being rewritten still
  // leaves the right text.
  register_exit_text(path_, run_info_text(exit));
  write_run_info(path_, info_);
}

void RunRecord::set_stop(const std::string& stop) { info_.stop = stop; }

void RunRecord::finish(const std::string& status, const std::string& stop,
                       const std::map<std::string, double>& numbers) {
  info_.status = status;
  info_.stop = stop;
  info_.numbers = numbers;
  info_.phase = "done";
  const std::string text = run_info_text(info_);
  register_exit_text(path_, text);  // a second signal from now on leaves the final text too
  write_text(path_, text);
  clear_exit_file();
}

void RunRecord::fail(const std::string& error) noexcept {
  info_.status = "failed";
  info_.error = error;
  try {
    const std::string text = run_info_text(info_);
    register_exit_text(path_, text);
    write_text(path_, text);
    clear_exit_file();
  } catch (const std::exception& e) {
    clear_exit_file();
    // A full disk: the atomic write has no room for its temporary file.
    const int err = rewrite_in_place(path_, run_info_text(info_));
    if (err != 0) {
      std::cerr << fmt::format("airy: error: '{}' still says status = \"running\": {}\n", path_,
                               e.what());
    }
  }
}

}  // namespace airy::pipeline
