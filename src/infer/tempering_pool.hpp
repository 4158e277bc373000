// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Threads over PT replicas with a fixed placement and a per-scan barrier (private).
///
/// Thread t owns a contiguous block of replicas, the first (R mod T) threads one more: the
/// placement Pigeons uses for MPI ranks (mpi_utils/LoadBalance.jl). A scan is a parallel
/// exploration of every replica followed by one serial step (the swaps) that runs while all
/// replicas rest. Results do not depend on T: a replica's exploration touches only its own
/// state, and the serial step sees the replicas in index order.
#pragma once

#include <exception>
#include <functional>
#include <utility>
#include <vector>

namespace airy::infer::detail {

class ReplicaPool {
 public:
  /// @param num_threads threads to use (clamped to [1, num_replicas])
  ReplicaPool(int num_replicas, int num_threads);

  [[nodiscard]] int num_threads() const { return static_cast<int>(blocks_.size()); }
  /// Replicas [first, last) of thread t.
  [[nodiscard]] std::pair<int, int> block(int t) const { return blocks_[static_cast<size_t>(t)]; }

  /// fn(r) for every replica in parallel. Rethrows the failure of the lowest replica index.
  void for_each(const std::function<void(int replica)>& fn) const;

  /// Up to `count` scans: explore(r, s) for every replica r in parallel, then step(s) on one
  /// thread; step returns false to stop after this scan. A failure in either stops the scans
  /// and is rethrown (the lowest replica's first). Returns the number of scans completed.
  int scans(int count, const std::function<void(int replica, int scan)>& explore,
            const std::function<bool(int scan)>& step) const;

 private:
  std::vector<std::pair<int, int>> blocks_;
};

}  // namespace airy::infer::detail
