// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Likelihoods of a data image given a model image (expected photons per pixel), with
/// the cotangent d log L / d model that seeds the telescope pullback.
#pragma once

#include <string>
#include <string_view>

#include "airy/core/arrays.hpp"

namespace airy::posterior {

/// The noise model of the data.
enum class LikelihoodKind {
  /// d ~ Poisson(mu): log L = sum d log mu - mu - log d!.   d/dmu = d/mu - 1.
  /// Needs d >= 0 (integer-valued counts); mu <= 0 where d > 0 gives -inf.
  kPoisson,
  /// d ~ Normal(mu, sigma): log L = sum -(d-mu)^2/(2 sigma^2) - log(sigma sqrt(2 pi)).
  /// d/dmu = (d - mu)/sigma^2.
  kGaussian,
  /// Photon noise plus Gaussian read noise, normal approximation (the default for CCD-like
  /// data): d ~ Normal(mu, v), v = max(mu, 0) + sigma^2 (photons^2). With r = d - mu:
  /// log L = sum -r^2/(2v) - log(2 pi v)/2,   d/dmu = r/v + r^2/(2 v^2) - 1/(2v) (mu > 0).
  /// Accurate once mu + sigma^2 >~ 10; cheap and smooth.
  kPoissonGaussian,
  /// The exact convolution: P(d | mu) = sum_k Poisson(k; mu) Normal(d - k; 0, sigma), summed
  /// over k in mu +- 10 sqrt(mu + sigma^2) (the terms left out are < 1e-20 of the total).
  /// d/dmu = sum_k P_k (k/mu - 1) / sum_k P_k, with P_k = Poisson(k; mu) Normal(d - k; 0, sigma).
  kPoissonGaussianExact,
};

/// Parses "poisson", "gaussian", "poisson_gaussian", "poisson_gaussian_exact".
/// @throws InvalidArgument naming `field` and the value, listing the accepted names.
LikelihoodKind parse_likelihood(std::string_view name, std::string_view field = "likelihood");
/// The config name of a kind (inverse of parse_likelihood).
std::string likelihood_name(LikelihoodKind kind);

/// A likelihood of a fixed data image. Immutable; evaluation allocates nothing.
class ImageLikelihood {
 public:
  /// @param data   observed image (photons), shape (ny, nx); every pixel must be finite, and
  ///               >= 0 for kPoisson (the message names the first bad pixel (x, y) and value).
  /// @param sigma  read-noise / Gaussian sigma in photons (> 0) for the Gaussian kinds;
  ///               ignored for kPoisson.
  ImageLikelihood(LikelihoodKind kind, RealImage data, double sigma);

  /// log L(model) and writes d log L / d model into `model_bar` (resized if needed).
  /// Returns -inf (model_bar unspecified) when the model is outside the support (mu <= 0 with
  /// d > 0 under Poisson) or not finite.
  double log_likelihood(const RealImage& model, RealImage& model_bar) const;

  [[nodiscard]] LikelihoodKind kind() const { return kind_; }
  [[nodiscard]] const RealImage& data() const { return data_; }
  [[nodiscard]] double sigma() const { return sigma_; }

 private:
  LikelihoodKind kind_;
  RealImage data_;
  RealImage log_factorial_;  ///< log d! per pixel (Poisson constant, so lp__ is a true density)
  double sigma_;
};

}  // namespace airy::posterior
