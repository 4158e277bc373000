// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Likelihoods of a data image given a model image (expected photons per pixel), with
/// the cotangent d log L / d model that seeds the telescope pullback, optional per-pixel
/// variance and mask maps, and the read noise sigma as a parameter with its own gradient.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "airy/core/arrays.hpp"

namespace airy::posterior {

/// The noise model of the data. Sums run over the pixels i that are not masked; v_i below is
/// sigma^2, or the pixel's variance-map entry variance_i when a map is given.
enum class LikelihoodKind {
  /// d ~ Poisson(mu): log L = sum d log mu - mu - log d!.   d/dmu = d/mu - 1.
  /// Needs d >= 0 (integer-valued counts); mu <= 0 where d > 0 gives -inf. No variance map.
  kPoisson,
  /// d ~ Normal(mu, v_i): log L = sum -(d-mu)^2/(2 v_i) - log(2 pi v_i)/2.
  /// d/dmu = (d - mu)/v_i;  with v_i = sigma^2: d/dsigma = sum (r^2/sigma^3 - 1/sigma).
  kGaussian,
  /// Photon noise plus Gaussian read noise, normal approximation (the default for CCD-like
  /// data): d ~ Normal(mu, v), v = max(mu, 0) + v_i (photons^2). With r = d - mu:
  /// log L = sum -r^2/(2v) - log(2 pi v)/2,   d/dmu = r/v + r^2/(2 v^2) - 1/(2v) (mu > 0),
  /// with v_i = sigma^2: d/dsigma = sum sigma (r^2/v^2 - 1/v)   (dv/dsigma = 2 sigma).
  /// Accurate once mu + v_i >~ 10; cheap and smooth.
  kPoissonGaussian,
  /// The exact convolution: P(d | mu) = sum_k Poisson(k; mu) Normal(d - k; 0, s), s = sqrt(v_i),
  /// summed over k in mu +- 10 sqrt(mu + s^2) (the terms left out are < 1e-20 of the total).
  /// With P_k = Poisson(k; mu) Normal(d - k; 0, s):  d/dmu = sum_k P_k (k/mu - 1) / sum_k P_k,
  /// d/dsigma = sum_k P_k ((d-k)^2/s^3 - 1/s) / sum_k P_k.
  kPoissonGaussianExact,
};

/// Parses "poisson", "gaussian", "poisson_gaussian", "poisson_gaussian_exact".
/// @throws InvalidArgument naming `field` and the value, listing the accepted names.
LikelihoodKind parse_likelihood(std::string_view name, std::string_view field = "likelihood");
/// The config name of a kind (inverse of parse_likelihood).
std::string likelihood_name(LikelihoodKind kind);

/// A per-pixel mask, shape (ny, nx): nonzero = excluded from the likelihood.
using PixelMask = Eigen::Array<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Optional per-pixel maps of a data image; each is empty (none) or of the data's shape.
struct PixelMaps {
  /// Per-pixel variance v_i in photons^2: kGaussian's variance of the pixel, the
  /// Poisson + read kinds' read variance (v = max(mu, 0) + v_i). Replaces sigma^2 in every
  /// pixel (so sigma is then no parameter). Not allowed with kPoisson.
  RealImage variance;
  /// Pixels to exclude (nonzero), e.g. a data-quality map's flagged pixels.
  PixelMask mask;
};

/// A likelihood of a fixed data image. Immutable; evaluation allocates nothing.
class ImageLikelihood {
 public:
  /// @param data   observed image (photons), shape (ny, nx). NaN pixels are masked (counted
  ///               by num_nan()); every unmasked pixel must be finite, and >= 0 for kPoisson
  ///               (the message names the first bad pixel (x, y) and its value).
  /// @param sigma  read-noise / Gaussian sigma in photons (> 0) for the Gaussian kinds without
  ///               a variance map (its default value when sampled); ignored otherwise.
  /// @param maps   optional variance map and mask (see PixelMaps).
  /// @throws InvalidArgument for an empty image, a map of the wrong shape, a variance map
  ///   with kPoisson, a variance <= 0 or non-finite on an unmasked pixel (naming x, y and the
  ///   value), or a mask that leaves no pixel.
  ImageLikelihood(LikelihoodKind kind, RealImage data, double sigma, PixelMaps maps = {});

  /// log L(model) at the fixed sigma() and writes d log L / d model into `model_bar`
  /// (resized if needed; 0 at masked pixels). Returns -inf (model_bar unspecified) when the
  /// model is outside the support (mu <= 0 with d > 0 under Poisson) or not finite at an
  /// unmasked pixel. Masked pixels (their data and model) do not enter.
  double log_likelihood(const RealImage& model, RealImage& model_bar) const;

  /// The same with the noise parameters (noise_parameter_names(), e.g. {sigma} in photons)
  /// as arguments: writes d log L / d noise into `noise_bar` when it is non-empty (same size
  /// as noise). With noise = {sigma()} it equals the two-argument form bit for bit. A
  /// non-positive or non-finite sigma gives -inf.
  /// @throws InvalidArgument when noise or a non-empty noise_bar has the wrong size.
  double log_likelihood(const RealImage& model, RealImage& model_bar, std::span<const double> noise,
                        std::span<double> noise_bar) const;

  /// Names of the noise parameters log_likelihood accepts: {"sigma"} for the Gaussian kinds
  /// without a variance map, {} otherwise (Poisson has none; a map fixes each pixel's variance).
  [[nodiscard]] std::vector<std::string> noise_parameter_names() const;
  /// Their current values ({sigma()} or {}).
  [[nodiscard]] std::vector<double> noise_parameters() const;

  [[nodiscard]] LikelihoodKind kind() const { return kind_; }
  /// The data as given (NaN where it was NaN).
  [[nodiscard]] const RealImage& data() const { return data_; }
  [[nodiscard]] double sigma() const { return sigma_; }
  /// The variance map (photons^2), or empty.
  [[nodiscard]] const RealImage& variance() const { return variance_; }
  /// The pixels left out (nonzero): the given mask plus the NaN data pixels.
  [[nodiscard]] const PixelMask& mask() const { return mask_; }
  /// Number of pixels left out of the likelihood (mask and NaN data together).
  [[nodiscard]] Eigen::Index num_masked() const { return num_masked_; }
  /// Number of data pixels that were NaN (and so masked), masked or not by the given mask.
  [[nodiscard]] Eigen::Index num_nan() const { return num_nan_; }
  /// v_i of pixel i (row-major index): variance_i, or sigma^2 (photons^2; unused by kPoisson).
  [[nodiscard]] double pixel_variance(Eigen::Index i) const {
    return variance_.size() != 0 ? variance_.data()[i] : sigma_ * sigma_;
  }

 private:
  LikelihoodKind kind_;
  RealImage data_;
  RealImage log_factorial_;  ///< log d! per pixel (Poisson constant, so lp__ is a true density)
  double sigma_;
  RealImage variance_;     ///< per-pixel variance (photons^2) or empty
  PixelMask mask_;         ///< nonzero = excluded (always the data's shape)
  double log_norm_ = 0.0;  ///< sum over unmasked pixels of log(2 pi variance_i)/2 (map only)
  Eigen::Index num_masked_ = 0;
  Eigen::Index num_nan_ = 0;
};

}  // namespace airy::posterior
