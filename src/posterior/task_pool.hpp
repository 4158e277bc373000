// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A persistent team of threads that runs one parallel loop at a time (private to the
/// posterior): the exposures of one log-density evaluation.
///
/// for_each(n, fn) runs fn(i) for every i in [0, n) on the pool's threads and the calling
/// thread, taking indices from a shared counter, and returns when all are done. The caller
/// decides what is deterministic: here every index writes only its own buffers, and the
/// results are summed afterwards in index order, so they do not depend on the thread count.
/// Starting and waiting use one mutex and two condition variables: no allocation per loop
/// (an exception thrown by fn is the exception; the one of the lowest index is rethrown).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace airy::posterior::detail {

class TaskPool {
 public:
  /// @param num_threads threads of a loop, the caller included (>= 1; 1 = no worker thread).
  explicit TaskPool(int num_threads);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  /// Threads of a loop, the caller included.
  [[nodiscard]] int num_threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// fn(i) for every i in [0, n); rethrows the exception of the lowest index that threw.
  template <class F>
  void for_each(int n, F& fn) {
    run(
        n, [](void* f, int i) { (*static_cast<F*>(f))(i); }, &fn);
  }

 private:
  using Task = void (*)(void*, int);
  void run(int n, Task task, void* context);
  void worker_loop();
  void drain();  // takes indices until none is left

  std::mutex mutex_;
  std::condition_variable wake_;  // a new loop (or stop)
  std::condition_variable done_;  // the last worker left the loop
  std::vector<std::thread> workers_;
  std::uint64_t generation_ = 0;  // loops started; guarded by mutex_
  int active_ = 0;                // workers still in the current loop; guarded by mutex_
  bool stop_ = false;             // guarded by mutex_
  // The current loop: written by run() before the generation changes (under mutex_), read by
  // the workers after they see it change.
  Task task_ = nullptr;
  void* context_ = nullptr;
  int count_ = 0;
  std::atomic<int> next_{0};
  std::exception_ptr error_;  // the lowest index's failure; guarded by mutex_
  int error_index_ = 0;
};

}  // namespace airy::posterior::detail
