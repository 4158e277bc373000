// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Atomic file replacement: write to a temporary name, fsync, rename.
#include "airy/core/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"

namespace airy {
namespace {

std::atomic<int> g_fail_after{0};
std::atomic<unsigned> g_counter{0};

/// True when the injected failure fires on this write (tests only).
bool injected_failure() {
  int n = g_fail_after.load();
  if (n <= 0) return false;
  if (n == 1) {
    g_fail_after.store(0);
    return true;
  }
  g_fail_after.store(n - 1);
  return false;
}

[[noreturn]] void fail(const std::string& path, int err) {
  throw Error(fmt::format("'{}': cannot be written: {}", path, std::strerror(err)));
}

/// fsync(2) of an existing file; returns 0 or errno.
int sync_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  const std::filesystem::path p(path_);
  const std::filesystem::path dir = p.parent_path();
  const std::string name = fmt::format(".{}.tmp-{}-{}", p.filename().string(),
                                       static_cast<long>(::getpid()), g_counter.fetch_add(1));
  temp_ = (dir / name).string();
  detail::track_temporary_file(temp_);  // removed if a second signal ends the process
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
  detail::untrack_temporary_file(temp_);
}

void AtomicFile::commit() {
  int err = injected_failure() ? ENOSPC : sync_file(temp_);
  if (err == 0 && std::rename(temp_.c_str(), path_.c_str()) != 0) err = errno;
  if (err != 0) {
    std::remove(temp_.c_str());
    fail(path_, err);
  }
  committed_ = true;
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  AtomicFile file(path);
  const int fd = ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(path, errno);
  int err = detail::write_all(fd, bytes.data(), bytes.size());
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) fail(path, err);  // ~AtomicFile removes the temporary file
  file.commit();
}

namespace detail {

int write_all(int fd, const char* data, std::size_t size) noexcept {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

}  // namespace detail

void inject_write_failure_after(int n) { g_fail_after.store(n); }

}  // namespace airy
