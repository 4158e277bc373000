// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Scalar special functions used by distributions, bijectors and diagnostics (private).
#pragma once

#include <cmath>

namespace airy::infer::detail {

/// psi(x) = d lgamma(x)/dx: recurrence up to x >= 6, then the asymptotic series.
double digamma(double x);
/// log(1 + exp(x)) without overflow (softplus).
double log1p_exp(double x);
/// log(exp(a) + exp(b)) for a, b possibly -inf.
double log_sum_exp(double a, double b);
/// Logistic sigmoid 1/(1 + exp(-x)).
double inv_logit(double x);
/// Standard normal quantile Phi^-1(p), p in (0,1): Acklam's rational approximation
/// refined by one Halley step on erfc (relative error ~1e-15).
double inv_Phi(double p);
/// Regularised incomplete beta I_x(a, b) (continued fraction, Numerical Recipes 6.4).
double inc_beta(double a, double b, double x);
/// Quantile of Beta(a, b): the x with I_x(a, b) = p (bisection + Newton, |dx| < 1e-14).
double beta_quantile(double p, double a, double b);

/// One coordinate of the interval bijector x = lo + (hi - lo) sigma(u): writes x, kept strictly
/// inside (lo, hi) in floating point as NumPyro's clipped expit, and returns
/// log|dx/du| = log(hi - lo) - softplus(u) - softplus(-u).
inline double interval_forward(double u, double lo, double hi, double& x) {
  const double w = hi - lo;
  double xi = lo + w * inv_logit(u);
  if (!(xi > lo)) xi = std::nextafter(lo, hi);
  if (!(xi < hi)) xi = std::nextafter(hi, lo);
  x = xi;
  return std::log(w) - log1p_exp(u) - log1p_exp(-u);
}
/// Its inverse u = logit((x - lo) / (hi - lo)); false when x is outside (lo, hi).
inline bool interval_inverse(double x, double lo, double hi, double& u) {
  const double s = (x - lo) / (hi - lo);
  u = std::log(s) - std::log1p(-s);
  return x > lo && x < hi;
}
/// dx/du gx + d log|dx/du| / du = gx (hi - lo) s (1 - s) + 1 - 2 s, s = sigma(u).
inline double interval_pullback(double u, double lo, double hi, double gx) {
  const double s = inv_logit(u);
  return gx * (hi - lo) * s * (1.0 - s) + 1.0 - 2.0 * s;
}

}  // namespace airy::infer::detail
