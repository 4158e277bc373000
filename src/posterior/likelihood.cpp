// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/likelihood.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
constexpr double kHalfLog2Pi = 0.91893853320467274178;  // log(2 pi) / 2

/// log of the exact Poisson-Gaussian density of one pixel and its derivatives in mu and sigma.
/// Uses log-sum-exp over k so that large mu and small sigma stay finite.
double poisson_gaussian_exact(double d, double mu, double sigma, double* dmu, double* dsigma) {
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
  double total = 0.0, weighted = 0.0, weighted_r2 = 0.0;
  for (long k = k_lo; k <= k_hi; ++k) {
    const double r = (d - static_cast<double>(k)) / sigma;
    const double t = static_cast<double>(k) * log_mu - mu - std::lgamma(k + 1.0) - 0.5 * r * r;
    const double p = std::exp(t - max_term);
    total += p;
    weighted += p * (static_cast<double>(k) / mu - 1.0);
    weighted_r2 += p * r * r;
  }
  *dmu = weighted / total;
  // d/dsigma [-(d-k)^2/(2 sigma^2) - log sigma] = (r^2 - 1)/sigma, r = (d-k)/sigma.
  *dsigma = (weighted_r2 / total - 1.0) / sigma;
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

ImageLikelihood::ImageLikelihood(LikelihoodKind kind, RealImage data, double sigma, PixelMaps maps)
    : kind_(kind), data_(std::move(data)), sigma_(sigma), variance_(std::move(maps.variance)) {
  if (data_.size() == 0) throw_invalid("ImageLikelihood", "data", "image is empty");
  const auto check_shape = [&](const char* what, Eigen::Index rows, Eigen::Index cols) {
    if (rows != data_.rows() || cols != data_.cols()) {
      throw InvalidArgument(
          fmt::format("ImageLikelihood: the {} map is {}x{} (ny x nx) but the data image is {}x{}",
                      what, rows, cols, data_.rows(), data_.cols()));
    }
  };
  if (maps.mask.size() != 0) {
    check_shape("mask", maps.mask.rows(), maps.mask.cols());
    mask_ = (maps.mask != 0).cast<std::uint8_t>();
  } else {
    mask_ = PixelMask::Zero(data_.rows(), data_.cols());
  }
  if (variance_.size() != 0) {
    check_shape("variance", variance_.rows(), variance_.cols());
    if (kind_ == LikelihoodKind::kPoisson) {
      throw_invalid("ImageLikelihood", "variance",
                    "a variance map needs a Gaussian likelihood (gaussian, poisson_gaussian or "
                    "poisson_gaussian_exact); poisson's variance is the model itself");
    }
  }
  for (Eigen::Index y = 0; y < data_.rows(); ++y) {
    for (Eigen::Index x = 0; x < data_.cols(); ++x) {
      const double v = data_(y, x);
      if (std::isnan(v)) {
        // Missing data (a NaN written by the reduction pipeline) is left out, not rejected.
        ++num_nan_;
        mask_(y, x) = 1;
      }
      if (mask_(y, x) != 0) {
        ++num_masked_;
        continue;
      }
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
      if (variance_.size() != 0) {
        const double var = variance_(y, x);
        if (!(var > 0.0) || !std::isfinite(var)) {
          throw InvalidArgument(fmt::format(
              "ImageLikelihood: variance pixel (x={}, y={}) = {}: must be finite and > 0 on "
              "every pixel that is not masked",
              x, y, var));
        }
        log_norm_ += 0.5 * std::log(var) + kHalfLog2Pi;
      }
    }
  }
  if (num_masked_ == data_.size()) {
    throw InvalidArgument(fmt::format(
        "ImageLikelihood: mask: all {} pixels are masked ({} NaN data pixels): no data left",
        data_.size(), num_nan_));
  }
  if (kind_ == LikelihoodKind::kPoisson) {
    log_factorial_ = RealImage::Zero(data_.rows(), data_.cols());
    for (Eigen::Index i = 0; i < data_.size(); ++i) {
      if (mask_.data()[i] == 0) log_factorial_.data()[i] = std::lgamma(data_.data()[i] + 1.0);
    }
  } else if (variance_.size() == 0) {
    check_positive("ImageLikelihood", "sigma", sigma_);
  }
}

std::vector<std::string> ImageLikelihood::noise_parameter_names() const {
  if (kind_ == LikelihoodKind::kPoisson || variance_.size() != 0) return {};
  return {"sigma"};
}

std::vector<double> ImageLikelihood::noise_parameters() const {
  if (kind_ == LikelihoodKind::kPoisson || variance_.size() != 0) return {};
  return {sigma_};
}

double ImageLikelihood::log_likelihood(const RealImage& model, RealImage& model_bar) const {
  const bool has_sigma = kind_ != LikelihoodKind::kPoisson && variance_.size() == 0;
  const double sigma = sigma_;
  return log_likelihood(model, model_bar, std::span<const double>(&sigma, has_sigma ? 1 : 0), {});
}

double ImageLikelihood::log_likelihood(const RealImage& model, RealImage& model_bar,
                                       std::span<const double> noise,
                                       std::span<double> noise_bar) const {
  if (model.rows() != data_.rows() || model.cols() != data_.cols()) {
    throw InvalidArgument(
        fmt::format("ImageLikelihood: model image is {}x{} (ny x nx) but the data image is {}x{}",
                    model.rows(), model.cols(), data_.rows(), data_.cols()));
  }
  const bool has_sigma = kind_ != LikelihoodKind::kPoisson && variance_.size() == 0;
  const std::size_t n_noise = has_sigma ? 1 : 0;
  if (noise.size() != n_noise || (!noise_bar.empty() && noise_bar.size() != n_noise)) {
    throw InvalidArgument(fmt::format(
        "ImageLikelihood::log_likelihood: {} noise parameters and {} cotangents given for the "
        "{} of likelihood {}{}",
        noise.size(), noise_bar.size(), n_noise, likelihood_name(kind_),
        variance_.size() != 0 ? " with a variance map" : ""));
  }
  const double sigma = has_sigma ? noise[0] : sigma_;
  if (has_sigma && !(sigma > 0.0 && std::isfinite(sigma))) return kNegInf;
  model_bar.resize(model.rows(), model.cols());
  const Eigen::Index n = model.size();
  const double* mu = model.data();
  const double* d = data_.data();
  const std::uint8_t* masked = mask_.data();
  const bool any_masked = num_masked_ > 0;
  const double* var = variance_.size() != 0 ? variance_.data() : nullptr;
  double* bar = model_bar.data();
  double total = 0.0;
  double sigma_bar = 0.0;  // d log L / d sigma (photons^-1)
  const double s2 = sigma * sigma;
  switch (kind_) {
    case LikelihoodKind::kPoisson:
      for (Eigen::Index i = 0; i < n; ++i) {
        if (any_masked && masked[i] != 0) {
          bar[i] = 0.0;
          continue;
        }
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
        if (any_masked && masked[i] != 0) {
          bar[i] = 0.0;
          continue;
        }
        const double r = d[i] - mu[i];
        const double v = var != nullptr ? var[i] : s2;
        total -= 0.5 * r * r / v;
        bar[i] = r / v;
        sigma_bar += r * r;
      }
      if (var != nullptr) {
        total -= log_norm_;
      } else {
        const auto n_used = static_cast<double>(n - num_masked_);
        total -= n_used * (std::log(sigma) + kHalfLog2Pi);
        // d/dsigma [-r^2/(2 sigma^2) - log sigma] = r^2/sigma^3 - 1/sigma, summed.
        sigma_bar = sigma_bar / (s2 * sigma) - n_used / sigma;
      }
      break;
    case LikelihoodKind::kPoissonGaussian:
      for (Eigen::Index i = 0; i < n; ++i) {
        if (any_masked && masked[i] != 0) {
          bar[i] = 0.0;
          continue;
        }
        // Below zero the photon variance is clipped at 0, so dv/dmu = 0 there.
        const bool positive = mu[i] > 0.0;
        const double v = (positive ? mu[i] : 0.0) + (var != nullptr ? var[i] : s2);
        const double r = d[i] - mu[i];
        total -= 0.5 * r * r / v + 0.5 * std::log(v) + kHalfLog2Pi;
        // 2 d log L / dv = r^2/v^2 - 1/v; dv/dmu = 1 (mu > 0), dv/dsigma = 2 sigma.
        const double dv2 = r * r / (v * v) - 1.0 / v;
        bar[i] = r / v + (positive ? 0.5 * dv2 : 0.0);
        sigma_bar += dv2;
      }
      sigma_bar *= sigma;
      break;
    case LikelihoodKind::kPoissonGaussianExact:
      for (Eigen::Index i = 0; i < n; ++i) {
        if (any_masked && masked[i] != 0) {
          bar[i] = 0.0;
          continue;
        }
        if (!(mu[i] > 0.0)) return kNegInf;
        const double s = var != nullptr ? std::sqrt(var[i]) : sigma;
        double ds = 0.0;
        total += poisson_gaussian_exact(d[i], mu[i], s, &bar[i], &ds);
        sigma_bar += ds;
      }
      break;
  }
  if (!noise_bar.empty()) noise_bar[0] = sigma_bar;
  return std::isfinite(total) ? total : kNegInf;
}

}  // namespace airy::posterior
