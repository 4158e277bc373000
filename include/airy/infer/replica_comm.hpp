// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief How parallel tempering's processes talk: an abstract replica communicator, and the
/// in-process one (docs/inference.md §6.6).
///
/// sample_pt() places the N replicas of a run in contiguous blocks over the communicator's
/// P processes (the first N mod P processes hold one more, as Pigeons' LoadBalance). Each
/// process explores only its own replicas; after each scan one all_gather gives every
/// process every replica's scan record (l, lp, the NUTS statistics, the swap uniform: a few
/// doubles per replica, whatever the dimension), and every process then runs the same swap
/// step on the same numbers. Per-round statistics are gathered the same way and reduced in
/// replica order. The library has no MPI: the CLI implements this interface over MPI
/// (apps/airy/mpi_comm.cpp, built with -DAIRY_WITH_MPI=ON).
#pragma once

#include <span>

namespace airy::infer {

/// A fixed group of processes that run one parallel tempering together. Every process calls
/// every method the same number of times in the same order (collective calls).
class ReplicaComm {
 public:
  virtual ~ReplicaComm() = default;
  /// This process, 0 .. size() - 1. Process 0 alone writes outputs.
  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;
  /// Concatenation in process order of every process's `mine` into `all`. `counts[p]` is the
  /// number of doubles process p gives (the same span on every process; counts[rank()] ==
  /// mine.size(), all.size() == sum of counts). Must copy the bits exactly.
  /// @throws airy::Error when the transport fails.
  virtual void all_gather(std::span<const double> mine, std::span<const int> counts,
                          std::span<double> all) = 0;
};

/// One process: rank 0 of 1; all_gather copies `mine` into `all`. sample_pt() uses it when
/// PtOptions::comm is null (its threads share the replicas' memory).
class LocalReplicaComm final : public ReplicaComm {
 public:
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }
  void all_gather(std::span<const double> mine, std::span<const int> counts,
                  std::span<double> all) override;
};

}  // namespace airy::infer
