// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/likelihood.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2

/// log of the exact Poisson-Gaussian density of one pixel and its derivative in mu.
/// Uses log-sum-exp over k so that large mu and small sigma stay finite.
double poisson_gaussian_exact(double d, double mu, double sigma, double* dmu) {
  const double spread = 10.0 * std::sqrt(mu + sigma * sigma);
  const long k_lo = std::max(0L, static_cast<long>(std::floor(std::min(mu, d) - spread)));
  const long k_hi = static_cast<long>(std::ceil(std::max(mu, d) + spread));
  const double log_mu = std::log(mu);
  // First pass: the largest log term, for a stable log-sum-exp.
  double max_term = kNegInf;
  for (long k = k_lo; k <= k_hi; ++k) {
    const double r = (d - static_cast<double>(k)) / sigma;
    const double t = static_cast<double>(k) * log_mu - mu - std::lgamma(k + 1.0) - 0.5 * r * r;
    max_term = std::max(max_term, t);
  }
  double total = 0.0, weighted = 0.0;
  for (long k = k_lo; k <= k_hi; ++k) {
    const double r = (d - static_cast<double>(k)) / sigma;
    const double t = static_cast<double>(k) * log_mu - mu - std::lgamma(k + 1.0) - 0.5 * r * r;
    const double p = std::exp(t - max_term);
    total += p;
    weighted += p * (static_cast<double>(k) / mu - 1.0);
  }
  *dmu = weighted / total;
  return max_term + std::log(total) - std::log(sigma) - kHalfLog2Pi;
}

}  // namespace

LikelihoodKind parse_likelihood(std::string_view name, std::string_view field) {
  if (name == "poisson") return LikelihoodKind::kPoisson;
  if (name == "gaussian") return LikelihoodKind::kGaussian;
  if (name == "poisson_gaussian") return LikelihoodKind::kPoissonGaussian;
  if (name == "poisson_gaussian_exact") return LikelihoodKind::kPoissonGaussianExact;
  throw InvalidArgument(fmt::format(
      "{} = \"{}\": unknown likelihood (expected one of poisson, gaussian, poisson_gaussian, "
      "poisson_gaussian_exact)",
      field, name));
}

std::string likelihood_name(LikelihoodKind kind) {
  switch (kind) {
    case LikelihoodKind::kPoisson:
      return "poisson";
    case LikelihoodKind::kGaussian:
      return "gaussian";
    case LikelihoodKind::kPoissonGaussian:
      return "poisson_gaussian";
    case LikelihoodKind::kPoissonGaussianExact:
      return "poisson_gaussian_exact";
  }
  return "unknown";
}

ImageLikelihood::ImageLikelihood(LikelihoodKind kind, RealImage data, double sigma)
    : kind_(kind), data_(std::move(data)), sigma_(sigma) {
  if (data_.size() == 0) throw_invalid("ImageLikelihood", "data", "image is empty");
  for (Eigen::Index y = 0; y < data_.rows(); ++y) {
    for (Eigen::Index x = 0; x < data_.cols(); ++x) {
      const double v = data_(y, x);
      if (!std::isfinite(v)) {
        throw InvalidArgument(fmt::format(
            "ImageLikelihood: data pixel (x={}, y={}) = {}: every pixel must be finite", x, y, v));
      }
      if (kind_ == LikelihoodKind::kPoisson && v < 0.0) {
        throw InvalidArgument(fmt::format(
            "ImageLikelihood: data pixel (x={}, y={}) = {}: negative counts are impossible under "
            "a pure Poisson likelihood (use likelihood = \"poisson_gaussian\" for data with read "
            "noise or a subtracted background)",
            x, y, v));
      }
    }
  }
  if (kind_ == LikelihoodKind::kPoisson) {
    log_factorial_ = data_.unaryExpr([](double d) { return std::lgamma(d + 1.0); });
  } else {
    check_positive("ImageLikelihood", "sigma", sigma_);
  }
}

double ImageLikelihood::log_likelihood(const RealImage& model, RealImage& model_bar) const {
  if (model.rows() != data_.rows() || model.cols() != data_.cols()) {
    throw InvalidArgument(
        fmt::format("ImageLikelihood: model image is {}x{} (ny x nx) but the data image is {}x{}",
                    model.rows(), model.cols(), data_.rows(), data_.cols()));
  }
  model_bar.resize(model.rows(), model.cols());
  const Eigen::Index n = model.size();
  const double* mu = model.data();
  const double* d = data_.data();
  double* bar = model_bar.data();
  double total = 0.0;
  const double s2 = sigma_ * sigma_;
  switch (kind_) {
    case LikelihoodKind::kPoisson:
      for (Eigen::Index i = 0; i < n; ++i) {
        if (!(mu[i] > 0.0)) {
          // mu = 0 is allowed only where no photon was seen (log 0^0 = 0).
          if (mu[i] == 0.0 && d[i] == 0.0) {
            bar[i] = -1.0;
            continue;
          }
          return kNegInf;
        }
        total += d[i] * std::log(mu[i]) - mu[i] - log_factorial_.data()[i];
        bar[i] = d[i] / mu[i] - 1.0;
      }
      break;
    case LikelihoodKind::kGaussian:
      for (Eigen::Index i = 0; i < n; ++i) {
        const double r = d[i] - mu[i];
        total -= 0.5 * r * r / s2;
        bar[i] = r / s2;
      }
      total -= static_cast<double>(n) * (std::log(sigma_) + kHalfLog2Pi);
      break;
    case LikelihoodKind::kPoissonGaussian:
      for (Eigen::Index i = 0; i < n; ++i) {
        // Below zero the photon variance is clipped at 0, so dv/dmu = 0 there.
        const bool positive = mu[i] > 0.0;
        const double v = (positive ? mu[i] : 0.0) + s2;
        const double r = d[i] - mu[i];
        total -= 0.5 * r * r / v + 0.5 * std::log(v) + kHalfLog2Pi;
        bar[i] = r / v + (positive ? 0.5 * (r * r / (v * v) - 1.0 / v) : 0.0);
      }
      break;
    case LikelihoodKind::kPoissonGaussianExact:
      for (Eigen::Index i = 0; i < n; ++i) {
        if (!(mu[i] > 0.0)) return kNegInf;
        total += poisson_gaussian_exact(d[i], mu[i], sigma_, &bar[i]);
      }
      break;
  }
  return std::isfinite(total) ? total : kNegInf;
}

}  // namespace airy::posterior
