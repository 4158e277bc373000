// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief PT helpers around the run itself: user inits and the report's warnings (private).
#pragma once

#include <vector>

#include "airy/infer/tempering.hpp"

namespace airy::infer::detail {

/// Maps constrained init values (output_dim(), or a SiteModel's site_dim()) to the
/// unconstrained space. @throws airy::InvalidArgument for a wrong size or values outside the
///   support, naming them.
[[nodiscard]] std::vector<double> unconstrained_init(const TemperedTarget& target,
                                                     const std::vector<double>& init);

/// Appends to report.warnings what looks unhealthy in a finished report: a pair that
/// rarely swaps, fewer chains than 2 Lambda, no round trip, forward and backward log Z
/// apart, a poorly adapted explorer, divergences at beta = 1 (top_stats), an early stop.
void add_warnings(PtReport& report, const std::vector<SampleStats>& top_stats);

}  // namespace airy::infer::detail
