// SPDX-License-Identifier: BSD-3-Clause
#include "airy/core/atomic_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "airy/core/error.hpp"
#include "core/scratch_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;

using testing::slurp;

fs::path scratch(const std::string& name) { return testing::fresh_scratch("airy_atomic_", name); }

int entries(const fs::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFile, WritesAndReplacesWhole) {
  const fs::path dir = scratch("write");
  const std::string path = (dir / "a.txt").string();
  write_file_atomically(path, "first");
  EXPECT_EQ(slurp(path), "first");
  write_file_atomically(path, "second, longer");
  EXPECT_EQ(slurp(path), "second, longer");
  EXPECT_EQ(entries(dir), 1);  // no temporary file left
}

TEST(AtomicFile, InjectedFailureLeavesOldFileAndNoTemporary) {
  const fs::path dir = scratch("fail");
  const std::string path = (dir / "a.txt").string();
  write_file_atomically(path, "old");
  inject_write_failure_after(1);
  try {
    write_file_atomically(path, "new");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("a.txt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(path), "old");
  EXPECT_EQ(entries(dir), 1);
  write_file_atomically(path, "after");  // the hook fired once only
  EXPECT_EQ(slurp(path), "after");
}

TEST(AtomicFile, UncommittedWriterLeavesNothing) {
  const fs::path dir = scratch("uncommitted");
  const std::string path = (dir / "b.bin").string();
  {
    AtomicFile f(path);
    std::ofstream(f.temp_path()) << "partial";
    EXPECT_TRUE(fs::exists(f.temp_path()));
  }
  EXPECT_EQ(entries(dir), 0);
}

TEST(AtomicFile, MissingDirectoryNamesThePath) {
  const std::string path = "/nonexistent-airy-dir/x.txt";
  try {
    write_file_atomically(path, "x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace airy
