// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Test helper of the io tests: a per-process scratch folder, removed at exit.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace airy::io::testing {

/// <tmp>/airy_io_<pid>/<sub>, created on first use; the whole airy_io_<pid> folder is removed
/// when the test program exits.
inline std::string scratch_dir(const std::string& sub) {
  namespace fs = std::filesystem;
  static const struct Root {
    fs::path dir = fs::temp_directory_path() / ("airy_io_" + std::to_string(::getpid()));
    ~Root() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } root;
  const fs::path dir = root.dir / sub;
  fs::create_directories(dir);
  return dir.string();
}

}  // namespace airy::io::testing
