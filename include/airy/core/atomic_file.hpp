// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Files that appear under their final name only when complete: every output is
/// written to a temporary name in the destination's directory, checked, flushed to disk and
/// then renamed (rename(2) within one file system is atomic). A failure names the final path
/// and leaves nothing under it: a full disk can never leave a truncated file behind a name a
/// user or tool trusts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace airy {

/// A file being written under a temporary name ("<dir>/.<name>.tmp-<pid>-<n>") until
/// commit() renames it onto its final path. Writers (cfitsio, Cairo, NetCDF, streams) open
/// temp_path(), close it themselves, then call commit(). If commit() is never reached (an
/// exception, a failed write), the destructor removes the temporary file; the final path is
/// untouched (an older file there stays whole).
class AtomicFile {
 public:
  /// @param path the final path; its directory must exist.
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Where the writer must write.
  [[nodiscard]] const std::string& temp_path() const { return temp_; }
  /// The final path.
  [[nodiscard]] const std::string& path() const { return path_; }

  /// fsync()s the temporary file and renames it onto path().
  /// @throws airy::Error "'<path>': cannot be written: <reason>" when the temporary file is
  ///   missing, cannot be synced or renamed (the temporary file is then removed).
  void commit();

 private:
  std::string path_;
  std::string temp_;
  bool committed_ = false;
};

/// Writes `bytes` to `path` atomically (write, check every write and close, fsync, rename).
/// @throws airy::Error naming `path` and the system's reason (e.g. "No space left on
///   device"); nothing is left under `path` (a previous file there stays whole).
void write_file_atomically(const std::string& path, std::string_view bytes);

namespace detail {
/// write(2)s all `size` bytes to `fd`, retrying after EINTR and short writes. Returns 0 or
/// the errno of the failed write. Async-signal-safe.
int write_all(int fd, const char* data, std::size_t size) noexcept;
}  // namespace detail

/// Test hook: when set to n > 0, the n-th following write through write_file_atomically()
/// or AtomicFile::commit() (counting both) fails with ENOSPC as if the disk were full.
/// 0 disables it. Not thread-safe; for tests only.
void inject_write_failure_after(int n);

}  // namespace airy
