// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Stan's warmup machinery: dual-averaging step size, the windowed schedule and the
/// regularised Welford (co)variance estimator (stan/mcmc/{stepsize,windowed,var,covar}_adaptation).
#pragma once

#include <cstdint>
#include <vector>

#include "airy/core/arrays.hpp"

namespace airy::infer {

/// Nesterov dual averaging of log(step size) (Hoffman & Gelman 2014, Alg. 5):
///   t += 1; H <- (1 - 1/(t+t0)) H + (delta - min(1, a_t))/(t+t0);
///   x = mu - sqrt(t)/gamma H; w = t^-kappa; xbar <- (1-w) xbar + w x; eps = exp(x).
/// complete(): eps = exp(xbar).
struct DualAveraging {
  double delta = 0.8;   ///< target acceptance statistic
  double gamma = 0.05;  ///< regularisation scale
  double kappa = 0.75;  ///< relaxation exponent
  double t0 = 10.0;     ///< iteration offset
  double mu = 0.0;      ///< prox centre, log(10 eps) by convention
  double s_bar = 0.0;   ///< running mean of (delta - a_t), "H bar"
  double x_bar = 0.0;   ///< averaged log step size
  double counter = 0.0;

  /// Resets the averages (not mu).
  void restart() {
    counter = 0.0;
    s_bar = 0.0;
    x_bar = 0.0;
  }
  /// One update from an iteration's accept statistic; writes the next step size.
  void learn(double& epsilon, double accept_stat);
  /// The final step size exp(x_bar).
  void complete(double& epsilon) const;
};

/// Stan's windowed adaptation schedule over num_warmup iterations: an initial fast buffer,
/// doubling slow windows (where the metric is estimated) and a terminal fast buffer.
/// Falls back to 15% / 75% / 10% when init_buffer + window + term_buffer > num_warmup, and
/// never estimates the metric when num_warmup < 20.
class WindowSchedule {
 public:
  WindowSchedule() = default;
  WindowSchedule(int num_warmup, int init_buffer, int term_buffer, int base_window);

  /// True while the current iteration's draw should be added to the estimator.
  [[nodiscard]] bool in_window() const;
  /// True when the current iteration closes a slow window (metric update due).
  [[nodiscard]] bool window_end() const;
  /// Moves to the next iteration (after window_end(), also schedules the next window).
  void advance();

  /// The slow windows as inclusive [first, last] iteration pairs (for tests and docs).
  [[nodiscard]] std::vector<std::pair<int, int>> slow_windows() const;

  [[nodiscard]] int init_buffer() const { return init_buffer_; }
  [[nodiscard]] int term_buffer() const { return term_buffer_; }
  [[nodiscard]] int base_window() const { return base_window_; }

 private:
  void restart();
  void compute_next_window();

  int num_warmup_ = 0;
  int init_buffer_ = 0;
  int term_buffer_ = 0;
  int base_window_ = 0;
  int counter_ = 0;
  int window_size_ = 0;
  int next_window_ = 0;
};

/// Welford's running mean and (co)variance of the draws of one slow window.
class WelfordEstimator {
 public:
  WelfordEstimator(int dim, bool dense);
  void restart();
  void add_sample(const RealVector& q);
  [[nodiscard]] int num_samples() const { return n_; }
  /// Stan's regularised estimate: (n/(n+5)) S + 1e-3 (5/(n+5)) I, S the sample
  /// (co)variance (n-1 denominator). (dim,1) when diagonal, (dim,dim) when dense.
  [[nodiscard]] RealMatrix regularized() const;

 private:
  int dim_;
  bool dense_;
  int n_ = 0;
  RealVector mean_;
  RealMatrix m2_;  ///< (dim,1) or (dim,dim)
};

}  // namespace airy::infer
