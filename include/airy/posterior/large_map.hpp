// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief MAP for 10^3-10^6 parameters: NLopt's L-BFGS on diagonally rescaled coordinates,
/// with no learning rates to tune (docs/fisher.md, section 9).
///
/// The log density log p(u) (any infer::LogDensity, e.g. a SiteModel in its unconstrained
/// space) is maximised over z with u = u0 + s * z (elementwise), s_i > 0 the scale of
/// coordinate i (from the priors' curvature, or the Fisher + prior curvature diagonal), so
/// that the problem L-BFGS sees has a Hessian near the identity (d/dz = s * d/du). Stops at
/// the first evaluated point where the scaled gradient max_i |s_i d log p / du_i| <=
/// gradient_tolerance (about the distance to the mode in units of each coordinate's scale,
/// when the scale is the posterior sd) and log p is the best so far within the rounding noise
/// of a sum of n terms, 16 eps sqrt(n) |log p|; or on NLopt's own stops (its L-BFGS ends
/// with SUCCESS at max |s g| <= 1e-8, or FAILURE when the line search fails at roundoff),
/// evaluation or time limits. Memory: O(m n) for m stored corrections,
/// nothing O(n^2); time per iteration O(m n) plus one log-density gradient.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "airy/infer/log_density.hpp"
#include "airy/infer/site_model.hpp"

namespace airy::posterior {

/// Options of maximize_scaled().
struct LargeMapOptions {
  /// Stop when max_i |s_i d log p/du_i| <= this (dimensionless: "scale units").
  double gradient_tolerance = 1e-6;
  /// NLopt ftol_rel on log p; 0 = off (NLopt's L-BFGS would otherwise use 1e-14, which on a
  /// sum of 10^5-10^6 pixel terms stops long before the gradient tolerance).
  double ftol_rel = 0.0;
  int max_evaluations = 5000;  ///< log-density + gradient evaluations
  double max_seconds = 0.0;    ///< wall-clock limit (0: none)
  /// Stored L-BFGS corrections m; 0 = automatic: 10, fewer (>= 3) when NLopt's
  /// 8 (6 + 2m) n bytes would exceed 1 GiB. (NLopt's own default is max(1310720/n, 10):
  /// 1310 corrections at n = 1000.)
  int lbfgs_memory = 0;
  /// Optional stop flag (e.g. airy::stop_flag()), polled at every evaluation: when set, the
  /// fit ends with the best point so far and reason "interrupted".
  const std::atomic<bool>* stop = nullptr;
};

/// The outcome of maximize_scaled().
struct LargeMapResult {
  /// The converged point, else the one with the highest log p (unconstrained coordinates).
  std::vector<double> u;
  double objective = 0.0;            ///< log p(u)
  double gradient_norm = 0.0;        ///< |d log p / du| (Euclidean) at u
  double scaled_gradient_max = 0.0;  ///< max_i |s_i d log p / du_i| at u
  int evaluations = 0;               ///< log-density + gradient evaluations
  /// Accepted L-BFGS steps, counted as evaluations that improved on the best log p so far
  /// (every iteration's line search ends on one, so this bounds the iterations from above).
  int iterations = 0;
  int outside_support = 0;      ///< evaluations where log p was not finite (steps NLopt undid)
  double seconds = 0.0;         ///< wall time
  int lbfgs_memory = 0;         ///< corrections m used
  std::size_t lbfgs_bytes = 0;  ///< NLopt's L-BFGS work arrays: 8 (6 + 2m) n + 4n bytes
  std::string reason;           ///< "gradient tolerance reached", NLopt's stop reason, ...
  bool converged = false;       ///< the gradient tolerance was met
};

/// Maximises density's log p from u0 in the coordinates z = (u - u0) / scale.
/// @param u0     start (density.dim() values) with a finite log density.
/// @param scale  s_i > 0 and finite (density.dim() values).
/// @throws InvalidArgument for wrong sizes, a non-positive scale (naming its index and
///   value), bad options, or a start with a non-finite log density.
[[nodiscard]] LargeMapResult maximize_scaled(const infer::LogDensity& density,
                                             std::span<const double> u0,
                                             std::span<const double> scale,
                                             const LargeMapOptions& options = {});

/// c_i = -d^2 [log prior + log|det dT/du|] / du_i^2 of a SiteModel at u (the priors'
/// curvature in the unconstrained space; 0 for a flat prior), by central differences of the
/// exact SiteModel::log_prior_gradient (step 1e-5 max(1, |u_i|)). Sites are independent a
/// priori, and a site whose prior is elementwise (scalar, or an IndependentVector) with an
/// elementwise bijector (identity, bounds, intervals) is separable, so one pair of gradients
/// serves all their coordinates at once; the coordinates of other sites (simplex, ordered,
/// multivariate normal) take one pair per position. Cost: 2 max(1, largest non-separable
/// site) prior gradients, O(n) memory.
[[nodiscard]] std::vector<double> prior_curvature_diagonal(const infer::SiteModel& model,
                                                           std::span<const double> u);

/// s_i = 1 / sqrt(c_i) for a precision (curvature) diagonal c (e.g. the Fisher diagonal plus
/// prior_curvature_diagonal, in u); coordinates with c_i <= 0 or not finite get `fallback`.
[[nodiscard]] std::vector<double> scale_from_curvature(std::span<const double> curvature,
                                                       double fallback = 1.0);

}  // namespace airy::posterior
