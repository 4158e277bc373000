// SPDX-License-Identifier: BSD-3-Clause
#include "tempering_pool.hpp"

#include <algorithm>
#include <barrier>
#include <thread>

namespace airy::infer::detail {

namespace {

/// Runs body(t) for t in [0, n): t = 0 on the calling thread, the others on new threads.
template <class Body>
void run_threads(int n, Body&& body) {
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(std::max(0, n - 1)));
  for (int t = 1; t < n; ++t) pool.emplace_back([&body, t] { body(t); });
  body(0);
  for (auto& th : pool) th.join();
}

std::exception_ptr first_error(const std::vector<std::exception_ptr>& errors) {
  for (const auto& e : errors) {
    if (e) return e;
  }
  return nullptr;
}

}  // namespace

ReplicaPool::ReplicaPool(int num_replicas, int num_threads) {
  const int t = std::clamp(num_threads, 1, std::max(1, num_replicas));
  const int base = num_replicas / t;
  const int extra = num_replicas % t;
  int first = 0;
  for (int i = 0; i < t; ++i) {
    const int size = base + (i < extra ? 1 : 0);
    blocks_.emplace_back(first, first + size);
    first += size;
  }
}

void ReplicaPool::for_each(const std::function<void(int)>& fn) const {
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(blocks_.back().second));
  run_threads(num_threads(), [&](int t) {
    for (int r = block(t).first; r < block(t).second; ++r) {
      try {
        fn(r);
      } catch (...) {
        errors[static_cast<std::size_t>(r)] = std::current_exception();
      }
    }
  });
  if (auto e = first_error(errors)) std::rethrow_exception(e);
}

int ReplicaPool::scans(int count, const std::function<void(int, int)>& explore,
                       const std::function<bool(int)>& step) const {
  if (count <= 0) return 0;
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(blocks_.back().second));
  std::exception_ptr error;
  // Written only by the completion step, which every thread waits for at the barrier; the
  // barrier orders those writes before the reads of the next phase.
  int done = 0;
  bool stop = false;
  auto completion = [&]() noexcept {
    error = first_error(errors);
    if (!error) {
      try {
        stop = !step(done);
      } catch (...) {
        error = std::current_exception();
      }
    }
    ++done;
    if (error || done >= count) stop = true;
  };
  std::barrier sync(num_threads(), completion);
  run_threads(num_threads(), [&](int t) {
    while (!stop) {
      for (int r = block(t).first; r < block(t).second; ++r) {
        try {
          explore(r, done);
        } catch (...) {
          errors[static_cast<std::size_t>(r)] = std::current_exception();
        }
      }
      sync.arrive_and_wait();
    }
  });
  if (error) std::rethrow_exception(error);
  return done;
}

}  // namespace airy::infer::detail
