// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Per-pixel log likelihood of an exposure at posterior draws (ArviZ's log_likelihood
/// group, for az.loo / az.waic) and replicated data (posterior_predictive), rendered through the
/// posterior's own parameter binding with one reused workspace: the CLI's posterior.nc and the
/// Python package's to_arviz share it.
///
/// For draw values v (site units, output order) and exposure e with bound coordinates j:
///   telescope value x_j = scale_g v_g,  g = global_indices(e)[j]
///   mu = render(parameter_set(e), x)          (photons per pixel)
///   sigma = scale_r v_r  (r = read_noise_index(e) >= 0), else likelihood(e).sigma()
///   ll_i = log L_i(d_i | mu_i, sigma)          (one pixel of likelihood(e), same constants)
/// so that sum over unmasked i of ll_i = likelihood(e).log_likelihood(mu, ., {sigma}).
/// Rebuilding the telescope per draw (ImagePosterior::telescope_at(v, e).model()) gives the
/// same image but allocates the telescope and its buffers every time.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/core/rng.hpp"
#include "airy/model/telescope.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "airy/posterior/likelihood.hpp"

namespace airy::posterior {

/// Per-pixel log likelihood of one exposure's data given a model image (photons), by the same
/// formula and constants as the image's total (each pixel is a one-pixel ImageLikelihood with
/// the pixel's own variance when the exposure has a variance map). Masked pixels (the mask
/// and NaN data) get NaN. Immutable: one instance serves every thread.
class PointwiseLikelihood {
 public:
  explicit PointwiseLikelihood(const ImageLikelihood& like);
  /// Writes one value per pixel, row-major (y, x), into `out` (size ny * nx) at the
  /// likelihood's own sigma.
  void evaluate(const RealImage& model, double* out) const;
  /// The same with the read-noise sigma `sigma` (photons) of a likelihood that has one
  /// (noise_parameter_names() = {"sigma"}); ignored otherwise (Poisson, variance map).
  void evaluate(const RealImage& model, double sigma, double* out) const;
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] std::size_t num_unmasked() const { return unmasked_.size(); }
  /// Row-major indices y * nx + x of the pixels in the likelihood, ascending.
  [[nodiscard]] const std::vector<std::size_t>& unmasked() const { return unmasked_; }

 private:
  void evaluate(const RealImage& model, double sigma, double* out, bool with_sigma) const;
  std::vector<ImageLikelihood> pixels_;  ///< one per unmasked pixel
  std::vector<std::size_t> unmasked_;
  std::size_t size_;
  bool has_sigma_;
};

/// Exposure e's model image and read-noise sigma at site values, through the posterior's own
/// binding (parameter_set(e), global_indices(e), scales()) with one workspace for every call.
/// One instance per thread; the posterior must outlive it.
class ExposureRenderer {
 public:
  /// @throws InvalidArgument when e is not an exposure of `post`.
  ExposureRenderer(const ImagePosterior& post, int e);
  /// The model (photons, (ny, nx)) at `values` (site units, output order, site_dim() of
  /// them); valid until the next call.
  /// @throws InvalidArgument for a wrong number of values.
  const RealImage& render(std::span<const double> values);
  /// The exposure's read-noise sigma (photons) at `values`: the sampled site's value times its
  /// scale, else the likelihood's fixed sigma.
  [[nodiscard]] double sigma(std::span<const double> values) const;
  [[nodiscard]] int exposure() const { return e_; }

 private:
  const ImagePosterior* post_;
  int e_;
  std::unique_ptr<model::TelescopeWorkspace> ws_;
  std::vector<double> x_;
  RealImage mu_;
};

/// A replicate of `like`'s data under its noise model given `model` (photons), row-major:
/// poisson: Poisson(mu); gaussian: mu + N(0, v_i); poisson_gaussian: mu + N(0, max(mu, 0) + v_i)
/// (the likelihood's own normal approximation); poisson_gaussian_exact: Poisson(mu) + N(0, v_i),
/// with v_i the variance map's pixel, else sigma^2 (`sigma` in photons: a draw's sampled read
/// noise, or like.sigma()). Masked pixels get NaN (they are not modelled).
void replicate(const ImageLikelihood& like, const RealImage& model, double sigma, Rng& rng,
               double* out);

/// Replicated data of exposure e at each of `num_draws` draws (as pointwise_log_likelihood),
/// draw i from Philox stream `first_stream + i` of `seed`, into `out` (num_draws * ny * nx).
void replicate_draws(const ImagePosterior& post, int e, std::span<const double> draws,
                     std::size_t num_draws, std::uint64_t seed, std::uint64_t first_stream,
                     double* out);

/// Per-pixel log L of exposure e at each of `num_draws` draws (row-major (num_draws,
/// site_dim) site values) into `out` (num_draws * ny * nx, row-major (draw, y, x); NaN at
/// masked pixels): one render per draw through one ExposureRenderer.
/// @throws InvalidArgument when e is not an exposure or draws has the wrong size.
void pointwise_log_likelihood(const ImagePosterior& post, int e, std::span<const double> draws,
                              std::size_t num_draws, double* out);

}  // namespace airy::posterior
