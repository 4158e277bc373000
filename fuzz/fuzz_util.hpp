// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Shared by the libFuzzer targets: a scratch directory for inputs that the readers take
/// as files, and the exception policy (docs/reliability.md §Fuzzing).
///
/// Policy: a reader may reject any input, but only with airy::InvalidArgument (the message
/// names the file, key or field and the value). Any other exception escaping the reader
/// (std::bad_alloc, std::length_error, std::out_of_range, a bare airy::Error, ...) is a defect:
/// the harness aborts so that libFuzzer records the input, like a crash.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "airy/core/error.hpp"

namespace airy::fuzz {

/// A per-process directory (under /dev/shm when present: the inputs never touch the disk),
/// removed at exit.
inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : (tmp != nullptr ? tmp : "/tmp");
    std::filesystem::path d = base / ("airy-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    static const std::filesystem::path to_remove = d;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(to_remove, ec);
    });
    return d;
  }();
  return dir;
}

/// Writes `bytes` to scratch_dir()/name and returns the path.
inline std::string write_input(const std::string& name, std::string_view bytes) {
  const std::string path = (scratch_dir() / name).string();
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz harness: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

/// Runs `f`; airy::InvalidArgument is an accepted rejection, any other exception aborts with
/// its type and message (libFuzzer then saves the input as a crash).
template <typename F>
void expect_only_invalid_argument(const char* what, F&& f) {
  try {
    f();
  } catch (const InvalidArgument&) {
    // The reader rejected the input with a named error: fine.
  } catch (const Error& e) {
    std::fprintf(stderr, "fuzz %s: airy::Error that is not InvalidArgument: %s\n", what, e.what());
    std::abort();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz %s: unexpected std::exception: %s\n", what, e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "fuzz %s: unexpected non-std exception\n", what);
    std::abort();
  }
}

}  // namespace airy::fuzz
