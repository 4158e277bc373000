// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief log Z from a PT round's record of l = log(gamma/rho) at every chain and scan:
/// stepping stone (forward, backward, mean) and thermodynamic integration, with standard
/// errors from batch means (private to airy_infer; docs/inference.md §6.4).
#pragma once

#include <Eigen/Core>
#include <span>

#include "airy/infer/tempering.hpp"

namespace airy::infer::detail {

/// ell(t, k): l of the state at chain k after the exploration of scan t (num_scans, N);
/// betas: the round's schedule (N). Uses every scan (each one gives a draw from every
/// pi_beta_k), so no swap proposal is needed. Standard errors: the scans are cut into
/// B = floor(sqrt(T)) consecutive batches (Flegal & Jones 2010) and the estimator is
/// linearised around the full-round means (delta method), which keeps the correlation
/// between pairs and along the scans; NaN when B < 2.
[[nodiscard]] PtEvidence estimate_evidence(const Eigen::MatrixXd& ell,
                                           std::span<const double> betas);

}  // namespace airy::infer::detail
