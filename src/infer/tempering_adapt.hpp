// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Between-round adaptation of the PT explorers and of the Gaussian reference
/// (private to airy_infer; docs/inference.md §6.3).
#pragma once

#include <span>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/infer/tempering.hpp"
#include "tempering_path.hpp"
#include "tempering_replica.hpp"

namespace airy::infer::detail {

/// Re-estimates every chain k >= 1's step size and diagonal metric from its round:
/// 1. eps_k *= clamp(((1 - delta)/(1 - a_k))^(1/3), 0.2, 3), a_k the mean accept_stat. The
///    rejection of NUTS grows like eps^p with p = 2 for small steps and faster near the
///    stability limit; assuming p = 3 converges for every p < 6 (an exponent of 1/2 makes the
///    step oscillate where p > 4);
/// 2. v_k = w S_k + (1 - w) v_k with w = n/(n + 5), S_k the chain's sample variance
///    (shrinkage towards the previous metric, as Stan shrinks towards 1e-3);
/// 3. eps_k *= min_i sqrt(v_old,i / v_new,i): no direction's step eps sqrt(v_i) grows when
///    the metric changes, so a metric that widens (a chain whose round visited several modes)
///    cannot push the step past the stability limit; step 1 regains what this gives away.
/// Chains without data keep their settings.
void adapt_kernels(ChainKernels& kernels, const std::vector<Moments>& moments,
                   std::span<const double> accept, const PtOptions& options);

/// Carries log eps_k and log v_k from the old schedule to the new one by monotone
/// (Fritsch-Carlson) interpolation in beta over chains 1..N-1, held constant beyond them.
void move_kernels(ChainKernels& kernels, std::span<const double> old_betas,
                  std::span<const double> new_betas);

/// Moment-matches the Gaussian reference to the beta = 1 chain's draws (mean, sd per
/// unconstrained coordinate). Returns false (reference unchanged) without at least 2
/// draws or with a non-finite or zero sd.
bool refit_gaussian(TemperingPath& path, const Moments& top);

/// Chain k's inverse metric as Chain stores it: (dim, 1), ones for a unit metric.
[[nodiscard]] RealMatrix as_matrix(const ChainKernels& kernels, int k, int dim);

}  // namespace airy::infer::detail
