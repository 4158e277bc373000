// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Analytic TemperedTargets with known evidence for the PT tests (private).
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "airy/infer/tempered_target.hpp"

namespace airy::infer::test_targets {

/// log N(x; m, s^2).
inline double log_normal_pdf(double x, double m, double s) {
  const double z = (x - m) / s;
  return -0.5 * z * z - std::log(s) - 0.5 * std::log(2.0 * std::numbers::pi);
}

/// Prior N(0, prior_sd^2 I_d); likelihood N(y; x, noise_sd^2 I_d) (normalised in y).
/// Z = prod_i N(y_i; 0, prior_sd^2 + noise_sd^2); the posterior is N(w y, w noise_sd^2) with
/// w = prior_sd^2 / (prior_sd^2 + noise_sd^2). A flat prior (prior_sd = 0) gives Z = 1.
class GaussianTarget final : public TemperedTarget {
 public:
  GaussianTarget(std::vector<double> y, double prior_sd, double noise_sd)
      : y_(std::move(y)), prior_sd_(prior_sd), noise_sd_(noise_sd) {}
  [[nodiscard]] int dim() const override { return static_cast<int>(y_.size()); }
  SplitValue split_gradient(std::span<const double> x, std::span<double> gp, std::span<double> gl,
                            Workspace*) const override {
    SplitValue v;
    for (std::size_t i = 0; i < y_.size(); ++i) {
      if (prior_sd_ > 0) {
        v.log_prior += log_normal_pdf(x[i], 0.0, prior_sd_);
        gp[i] = -x[i] / (prior_sd_ * prior_sd_);
      } else {
        gp[i] = 0.0;
      }
      v.log_likelihood += log_normal_pdf(y_[i], x[i], noise_sd_);
      gl[i] = (y_[i] - x[i]) / (noise_sd_ * noise_sd_);
    }
    return v;
  }
  [[nodiscard]] std::string prior_reference_issue() const override {
    return prior_sd_ > 0 ? "" : "the prior is flat (improper)";
  }
  void sample_prior(Rng& rng, std::span<double> x) const override {
    for (double& v : x) v = rng.normal(0.0, prior_sd_);
  }
  [[nodiscard]] double log_evidence() const {
    double z = 0.0;
    for (double y : y_) {
      z += prior_sd_ > 0 ? log_normal_pdf(y, 0.0, std::hypot(prior_sd_, noise_sd_)) : 0.0;
    }
    return z;
  }
  [[nodiscard]] double posterior_mean(int i) const {
    return shrink() * y_[static_cast<std::size_t>(i)];
  }
  [[nodiscard]] double posterior_var() const { return shrink() * noise_sd_ * noise_sd_; }

 private:
  [[nodiscard]] double shrink() const {
    return prior_sd_ > 0 ? prior_sd_ * prior_sd_ / (prior_sd_ * prior_sd_ + noise_sd_ * noise_sd_)
                         : 1.0;
  }
  std::vector<double> y_;
  double prior_sd_;
  double noise_sd_;
};

/// Prior N(0, prior_sd^2 I_d); likelihood L(x) = sum_j w_j N(x; mu_j, sd^2 I_d). The
/// posterior is a Gaussian mixture with weights ∝ w_j N(mu_j; 0, (prior_sd^2 + sd^2) I) and
/// Z = sum_j w_j N(mu_j; 0, (prior_sd^2 + sd^2) I).
class MixtureTarget final : public TemperedTarget {
 public:
  MixtureTarget(std::vector<Eigen::VectorXd> means, std::vector<double> weights, double sd,
                double prior_sd)
      : means_(std::move(means)), weights_(std::move(weights)), sd_(sd), prior_sd_(prior_sd) {}
  [[nodiscard]] int dim() const override { return static_cast<int>(means_[0].size()); }
  SplitValue split_gradient(std::span<const double> xs, std::span<double> gp, std::span<double> gl,
                            Workspace*) const override {
    const Eigen::Map<const Eigen::VectorXd> x(xs.data(), dim());
    SplitValue v;
    for (int i = 0; i < dim(); ++i) {
      v.log_prior += log_normal_pdf(x[i], 0.0, prior_sd_);
      gp[static_cast<std::size_t>(i)] = -x[i] / (prior_sd_ * prior_sd_);
    }
    std::vector<double> lc(means_.size());
    double mx = -INFINITY;
    for (std::size_t j = 0; j < means_.size(); ++j) {
      lc[j] = std::log(weights_[j]) - 0.5 * (x - means_[j]).squaredNorm() / (sd_ * sd_) -
              dim() * (std::log(sd_) + 0.5 * std::log(2.0 * std::numbers::pi));
      mx = std::max(mx, lc[j]);
    }
    double s = 0.0;
    for (double l : lc) s += std::exp(l - mx);
    v.log_likelihood = mx + std::log(s);
    Eigen::VectorXd g = Eigen::VectorXd::Zero(dim());
    for (std::size_t j = 0; j < means_.size(); ++j) {
      g += std::exp(lc[j] - v.log_likelihood) * (means_[j] - x) / (sd_ * sd_);
    }
    for (int i = 0; i < dim(); ++i) gl[static_cast<std::size_t>(i)] = g[i];
    return v;
  }
  [[nodiscard]] std::string prior_reference_issue() const override { return ""; }
  void sample_prior(Rng& rng, std::span<double> x) const override {
    for (double& v : x) v = rng.normal(0.0, prior_sd_);
  }
  /// log of the component terms w_j N(mu_j; 0, (prior_sd^2 + sd^2) I).
  [[nodiscard]] std::vector<double> log_terms() const {
    std::vector<double> out;
    const double s = std::hypot(prior_sd_, sd_);
    for (std::size_t j = 0; j < means_.size(); ++j) {
      double l = std::log(weights_[j]);
      for (int i = 0; i < dim(); ++i) l += log_normal_pdf(means_[j][i], 0.0, s);
      out.push_back(l);
    }
    return out;
  }
  [[nodiscard]] double log_evidence() const {
    const auto l = log_terms();
    double mx = -INFINITY;
    for (double v : l) mx = std::max(mx, v);
    double s = 0.0;
    for (double v : l) s += std::exp(v - mx);
    return mx + std::log(s);
  }
  [[nodiscard]] std::vector<double> posterior_weights() const {
    const auto l = log_terms();
    const double z = log_evidence();
    std::vector<double> w;
    for (double v : l) w.push_back(std::exp(v - z));
    return w;
  }
  /// Index of the component whose posterior centre is nearest to x.
  [[nodiscard]] int nearest(std::span<const double> xs) const {
    const Eigen::Map<const Eigen::VectorXd> x(xs.data(), dim());
    const double k = prior_sd_ * prior_sd_ / (prior_sd_ * prior_sd_ + sd_ * sd_);
    int best = 0;
    for (std::size_t j = 1; j < means_.size(); ++j) {
      if ((x - k * means_[j]).squaredNorm() <
          (x - k * means_[static_cast<std::size_t>(best)]).squaredNorm()) {
        best = static_cast<int>(j);
      }
    }
    return best;
  }

 private:
  std::vector<Eigen::VectorXd> means_;
  std::vector<double> weights_;
  double sd_;
  double prior_sd_;
};

}  // namespace airy::infer::test_targets
