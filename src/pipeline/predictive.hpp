// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief What posterior.nc holds besides the draws (docs/file_formats.md §NetCDF): the
/// observed images of every exposure, named dims and units of the parameters, and the
/// optional per-pixel `log_likelihood` and `posterior_predictive` groups.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/core/rng.hpp"
#include "airy/infer/draws.hpp"
#include "airy/io/inference_data.hpp"
#include "airy/posterior/image_posterior.hpp"

namespace airy::pipeline {

/// observed_data's variable of exposure e: "image" for one exposure, "image_<label>" for
/// several (the Python package's names).
std::string observed_name(const posterior::ImagePosterior& post, int e);

/// observed_data (every exposure), `units` per parameter and named dims of the vector
/// parameters: Zernike coefficients over `noll` (the configured Noll indices), star positions
/// over (`star`, `axis` = "x", "y"), dithers and tilts over `axis`, square pixel maps over
/// (`<leaf>_y`, `<leaf>_x`).
void describe_parameters(const config::Config& c, const posterior::ImagePosterior& post,
                         io::InferenceDataOptions& nc);

/// Per-pixel log likelihood of exposure e's data given `model` (photons), by the same formula
/// and constants as the posterior's total (each pixel is a one-pixel ImageLikelihood): the
/// sum over the unmasked pixels equals post.likelihood(e).log_likelihood(model). Masked
/// pixels get NaN. Row-major (y, x).
class PointwiseLikelihood {
 public:
  explicit PointwiseLikelihood(const posterior::ImageLikelihood& like);
  /// Writes one value per pixel into `out` (size ny * nx).
  void evaluate(const RealImage& model, double* out) const;
  [[nodiscard]] std::size_t num_unmasked() const { return unmasked_.size(); }
  /// Row-major indices y * nx + x of the pixels in the likelihood.
  [[nodiscard]] const std::vector<std::size_t>& unmasked() const { return unmasked_; }

 private:
  std::vector<posterior::ImageLikelihood> pixels_;  ///< one per unmasked pixel
  std::vector<std::size_t> unmasked_;
  std::size_t size_;
};

/// A replicate of exposure e's data under its noise model given `model` (photons), row-major:
/// poisson: Poisson(mu); gaussian: mu + N(0, v_i); poisson_gaussian: mu + N(0, max(mu, 0) + v_i)
/// (the likelihood's own normal approximation); poisson_gaussian_exact: Poisson(mu) + N(0, v_i).
/// Masked pixels get NaN (they are not modelled).
void replicate(const posterior::ImageLikelihood& like, const RealImage& model, Rng& rng,
               double* out);

/// What `[output] log_likelihood` / `posterior_predictive` decided and why (one line each).
struct PredictiveChoice {
  bool log_likelihood = false;
  bool posterior_predictive = false;
  std::vector<long long> predictive_draws;  ///< post-warmup draw indices, the same per chain
  std::string log_likelihood_reason;
  std::string posterior_predictive_reason;
};

/// Applies the switches ("auto" writes a group of at most auto_max_megabytes, 8 bytes a value)
/// to a run of `num_chains` x `num_draws` draws. posterior_predictive covers
/// k = clamp(posterior_predictive_draws / num_chains, 1, num_draws) evenly spaced draws of
/// every chain: draw floor(j num_draws / k), j = 0..k-1.
PredictiveChoice choose_predictive(const config::OutputConfig& o,
                                   const posterior::ImagePosterior& post, std::size_t num_chains,
                                   std::size_t num_draws);

/// Renders the model of the chosen draws (threads: `num_threads`, 0 = hardware) and fills
/// nc.log_likelihood (per exposure: dims (y, x) as observed_data when no pixel is masked,
/// else `pixel_<name>` over the unmasked pixels, coordinate y * nx + x) and
/// nc.posterior_predictive (per exposure, observed_data's dims). Replicates draw from Philox
/// streams 2^40 + i of `seed`, i = chain * k + j (the same files for any thread count).
void add_predictive_groups(const posterior::ImagePosterior& post, const infer::Run& run,
                           const PredictiveChoice& choice, std::uint64_t seed, int num_threads,
                           io::InferenceDataOptions& nc);

}  // namespace airy::pipeline
