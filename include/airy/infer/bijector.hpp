// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Bijectors: smooth invertible maps x = T(u) from unconstrained R^m onto a support.
///
/// The sampler works on u; a site's density in u is p(T(u)) |det dT/du|. Each bijector gives
/// the forward map, its inverse, log|det J| and the pullback of a gradient through both
/// (chain rule): grad_u = J^T grad_x + d log|det J| / du.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "airy/infer/distribution.hpp"

namespace airy::infer {

/// A bijection between R^unconstrained_size(n) and a constrained set in R^n.
class Bijector {
 public:
  virtual ~Bijector() = default;
  /// Short name with parameters, e.g. "interval(0, 1)".
  [[nodiscard]] virtual std::string name() const = 0;
  /// Unconstrained dimension m for n constrained coordinates (n for all but simplex: n - 1).
  [[nodiscard]] virtual int unconstrained_size(int constrained_size) const {
    return constrained_size;
  }
  /// x = T(u) (u.size() = m, x.size() = n); returns log|det dT/du|.
  virtual double forward(std::span<const double> u, std::span<double> x) const = 0;
  /// u = T^-1(x); returns false (u unspecified) when x is outside the support.
  virtual bool inverse(std::span<const double> x, std::span<double> u) const = 0;
  /// Given u, x = T(u) and gx = dF/dx for some F, *adds* J^T gx + d log|det J|/du to gu.
  virtual void pullback(std::span<const double> u, std::span<const double> x,
                        std::span<const double> gx, std::span<double> gu) const = 0;
};

using BijectorPtr = std::shared_ptr<const Bijector>;

/// x = u; log|J| = 0.
[[nodiscard]] BijectorPtr identity_bijector();
/// x = lower + exp(u); log|J| = u (Stan's lb_constrain; `positive` when lower = 0).
[[nodiscard]] BijectorPtr lower_bound_bijector(double lower);
/// x = upper - exp(u); log|J| = u.
[[nodiscard]] BijectorPtr upper_bound_bijector(double upper);
/// x = lower + (upper - lower) sigma(u), sigma the logistic function;
/// log|J| = log(upper - lower) - softplus(u) - softplus(-u) (NumPyro and Stan's lub_constrain).
/// @throws airy::InvalidArgument unless lower < upper, both finite.
[[nodiscard]] BijectorPtr interval_bijector(double lower, double upper);
/// Ordered vector: x_1 = u_1, x_k = x_{k-1} + exp(u_k); log|J| = sum_{k>=2} u_k.
[[nodiscard]] BijectorPtr ordered_bijector();
/// Simplex by stick-breaking (NumPyro's StickBreakingTransform): for i < n-1,
/// z_i = sigma(u_i - log(n - 1 - i)), x_i = z_i r_i, r_{i+1} = r_i (1 - z_i), r_0 = 1,
/// x_{n-1} = r_{n-1}; log|J| = sum_i [log z_i + log(1 - z_i) + log r_i]. Maps R^(n-1) to
/// the n-simplex; u = 0 gives the uniform point 1/n.
[[nodiscard]] BijectorPtr simplex_bijector();

/// The bijector a distribution's support calls for: real -> identity, positive/lower_bound ->
/// exp, upper_bound -> upper - exp, interval -> scaled logistic, simplex, ordered.
/// @throws airy::InvalidArgument for a discrete support (integers cannot be sampled by HMC).
[[nodiscard]] BijectorPtr default_bijector(const Support& support);

}  // namespace airy::infer
