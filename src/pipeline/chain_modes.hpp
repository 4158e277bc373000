// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Chains that disagree, named: the per-chain mean table and the groups of chains that
/// sit in different modes (issue #13 §3), rather than only a large R-hat.
#pragma once

#include <string>
#include <vector>

#include "airy/infer/draws.hpp"

namespace airy::pipeline {

/// Chains grouped by agreement. Two chains agree on a coordinate when their central 90%
/// intervals (5% and 95% quantiles of their post-warmup draws) overlap; chains that sample
/// the same distribution overlap unless they hold only a handful of draws, while chains
/// stuck in different modes of a multimodal posterior do not. Groups are the connected
/// components of "agree on every coordinate" (single linkage).
struct ChainModes {
  std::vector<std::vector<int>> groups;  ///< chain ids per group, groups by smallest id
  /// Per pair of groups (g, h > g), up to three coordinates on which their chains disagree
  /// most, with the groups' means, in words.
  std::vector<std::string> differences;
  /// "chains sit in different modes ..." when there is more than one group, else "".
  std::string warning;
};

/// Groups the chains of `run` with at least 4 post-warmup draws each (fewer: one group, no
/// warning).
[[nodiscard]] ChainModes chain_modes(const infer::Run& run);

/// The per-chain mean table (one row per coordinate plus lp__, one column per chain) followed
/// by the warning of chain_modes() when chains sit in different modes; "" for a run with a
/// single chain or with fewer than 4 draws in a chain.
[[nodiscard]] std::string chain_mode_report(const infer::Run& run);

}  // namespace airy::pipeline
