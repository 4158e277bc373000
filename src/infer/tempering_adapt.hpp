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
/// 1. eps_k *= clamp(((1 - delta)/(1 - a_k))^(1/2), 0.1, 4), a_k the mean accept_stat:
///    NUTS's rejection grows like eps^2 (energy error sd ∝ eps^2), so this aims at delta;
/// 2. v_k = w S_k + (1 - w) v_k with w = n/(n + 5), S_k the chain's sample variance
///    (shrinkage towards the previous metric, as Stan shrinks towards 1e-3);
/// 3. eps_k *= min_i sqrt(S_i/v_new_i) / min_i sqrt(S_i/v_old_i): a stable step keeps
///    eps sqrt(v_i)/sd_i bounded in the worst direction, so a metric that shrinks by 100 lets
///    the step grow by 10 at once instead of over several rounds.
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
