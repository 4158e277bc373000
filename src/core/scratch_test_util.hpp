// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Test helpers of the core tests: an emptied scratch folder per test, a whole file.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace airy::testing {

/// <tmp>/<prefix><name>, created empty (each test its own: CTest runs them in parallel).
inline std::filesystem::path fresh_scratch(const std::string& prefix, const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / (prefix + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

/// The whole contents of a file ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace airy::testing
