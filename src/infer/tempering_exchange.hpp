// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief What PT's processes exchange, as flat arrays of doubles (private to airy_infer;
/// replica_comm.hpp says who exchanges when).
///
/// Every value crosses as the bits of a double: integers below 2^53 (counts, tree depths) are
/// exact, NaN stays NaN. So a process that unpacks a record holds exactly what the replica's
/// own process computed, which is what makes the output the same for any number of processes.
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "tempering_replica.hpp"

namespace airy::infer::detail {

/// Replicas [first, last) of each of `processes` processes: contiguous blocks, the first
/// (N mod P) processes one more (Pigeons' LoadBalance). A process may hold none (P > N).
[[nodiscard]] std::vector<std::pair<int, int>> replica_blocks(int num_replicas, int processes);

/// Doubles of one ScanRecord.
inline constexpr int kScanRecordSize = 9;
/// Appends r's fields (l, lp, accept_stat, tree depth, leapfrog steps, divergent, energy,
/// step size, swap uniform).
void pack(const ScanRecord& r, std::vector<double>& out);
/// Reads kScanRecordSize doubles from `in`.
[[nodiscard]] ScanRecord unpack_scan_record(std::span<const double> in);

/// Doubles of one replica's per-chain moments: num_chains * (1 + 2 dim).
[[nodiscard]] int moments_size(int num_chains, int dim);
/// Appends every chain's (n, mean, m2).
void pack(const std::vector<Moments>& m, std::vector<double>& out);
/// Reads moments_size(num_chains, dim) doubles from `in`.
[[nodiscard]] std::vector<Moments> unpack_moments(std::span<const double> in, int num_chains,
                                                  int dim);

}  // namespace airy::infer::detail
