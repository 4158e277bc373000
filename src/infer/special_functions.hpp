// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Scalar special functions used by distributions, bijectors and diagnostics (private).
#pragma once

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

}  // namespace airy::infer::detail
