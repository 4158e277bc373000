// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Small analytic targets shared by the sampler tests and benchmarks (private).
#pragma once

#include <Eigen/Dense>
#include <cmath>

#include "airy/infer/log_density.hpp"

namespace airy::infer::test_targets {

/// N(0, diag(scale^2)) in n dimensions.
class StdNormal final : public LogDensity {
 public:
  explicit StdNormal(int n, double scale = 1.0) : n_(n), scale_(scale) {}
  [[nodiscard]] int dim() const override { return n_; }
  double log_density_gradient(std::span<const double> q, std::span<double> g,
                              Workspace*) const override {
    double lp = 0;
    const double inv = 1.0 / (scale_ * scale_);
    for (int i = 0; i < n_; ++i) {
      lp -= 0.5 * q[static_cast<std::size_t>(i)] * q[static_cast<std::size_t>(i)] * inv;
      g[static_cast<std::size_t>(i)] = -q[static_cast<std::size_t>(i)] * inv;
    }
    return lp;
  }

 private:
  int n_;
  double scale_;
};

/// N(0, Sigma) with Sigma = [[1, rho], [rho, 1]] scaled by per-axis sd.
class CorrelatedGaussian final : public LogDensity {
 public:
  CorrelatedGaussian(double rho, double sd1, double sd2) {
    Eigen::Matrix2d cov;
    cov << sd1 * sd1, rho * sd1 * sd2, rho * sd1 * sd2, sd2 * sd2;
    prec_ = cov.inverse();
  }
  [[nodiscard]] int dim() const override { return 2; }
  double log_density_gradient(std::span<const double> q, std::span<double> g,
                              Workspace*) const override {
    const Eigen::Vector2d x(q[0], q[1]);
    const Eigen::Vector2d gx = -prec_ * x;
    g[0] = gx[0];
    g[1] = gx[1];
    return 0.5 * x.dot(gx);
  }

 private:
  Eigen::Matrix2d prec_;
};

/// The banana (Haario et al. 1999): x1 ~ N(0, s^2), x2 | x1 ~ N(b (x1^2 - s^2), 1).
/// E[x1] = E[x2] = 0, Var x1 = s^2, Var x2 = 1 + 2 b^2 s^4. Its tails stiffen as x1^2 grows.
class Banana final : public LogDensity {
 public:
  Banana(double b, double s) : b_(b), s_(s) {}
  [[nodiscard]] int dim() const override { return 2; }
  double log_density_gradient(std::span<const double> q, std::span<double> g,
                              Workspace*) const override {
    const double x1 = q[0];
    const double r = q[1] - b_ * (x1 * x1 - s_ * s_);
    g[0] = -x1 / (s_ * s_) + r * 2.0 * b_ * x1;
    g[1] = -r;
    return -0.5 * x1 * x1 / (s_ * s_) - 0.5 * r * r;
  }

 private:
  double b_;
  double s_;
};

}  // namespace airy::infer::test_targets
