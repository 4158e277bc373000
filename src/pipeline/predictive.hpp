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
#include "airy/posterior/pointwise.hpp"

namespace airy::pipeline {

/// observed_data's variable of exposure e: "image" for one exposure, "image_<label>" for
/// several (the Python package's names).
std::string observed_name(const posterior::ImagePosterior& post, int e);

/// `image` (the shape of like's data) with the pixels left out of the likelihood (its mask and
/// NaN data) set to NaN: what observed_data and the residual images show there (no data).
RealImage masked_as_nan(const posterior::ImageLikelihood& like, RealImage image);

/// observed_data (every exposure; masked pixels, the mask's and NaN data's, are NaN: they are
/// no data of the likelihood), `units` per parameter and named dims of the vector
/// parameters: Zernike coefficients over `noll` (the configured Noll indices), star positions
/// over (`star`, `axis` = "x", "y"), dithers and tilts over `axis`, square pixel maps over
/// (`<leaf>_y`, `<leaf>_x`).
void describe_parameters(const config::Config& c, const posterior::ImagePosterior& post,
                         io::InferenceDataOptions& nc);

/// The output names of the posterior's coordinates as the run's files show them: a vector site
/// that describe_parameters gives two dims is named as a CmdStan matrix, `<name>[i,j]`
/// (1-based, row-major over those dims): star positions `positions[s,a]` over (star, axis),
/// a = 1 the x and a = 2 the y of star s (the sampler's `positions[2s-1]`, `positions[2s]`),
/// square maps `map[y,x]` (the sampler's `map[(y-1) nx + x]`). CmdStan CSV columns
/// `positions.s.a`, which cmdstanpy reads as an array (draws, stars, 2) and the NetCDF writer
/// as a variable over (star, axis). Every other name as log_density().output_names().
std::vector<std::string> structured_output_names(const config::Config& c,
                                                 const posterior::ImagePosterior& post);

/// Replicated data under a likelihood's noise model (posterior/pointwise.hpp) ...
using posterior::replicate;
/// ... and the same at the likelihood's own sigma.
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

/// Applies the switches ("auto" writes a group of at most auto_max_megabytes, 8 bytes a value;
/// log_likelihood counts the joint `image` of several exposures too) to a run of `num_chains` x
/// `num_draws` draws. posterior_predictive covers k = clamp(posterior_predictive_draws /
/// num_chains, 1, num_draws) evenly spaced draws of every chain: draw floor(j num_draws / k), j =
/// 0..k-1.
PredictiveChoice choose_predictive(const config::OutputConfig& o,
                                   const posterior::ImagePosterior& post, std::size_t num_chains,
                                   std::size_t num_draws);

/// Renders the model of the chosen draws (threads: `num_threads`, 0 = hardware; one
/// posterior::ExposureRenderer per thread and exposure) and fills
/// nc.log_likelihood (per exposure: dims (y, x) as observed_data when no pixel is masked,
/// else `pixel_<name>` over the unmasked pixels, coordinate y * nx + x; with several
/// exposures also `image`, every exposure's unmasked pixels over one dim `pixel`, the joint
/// model's pointwise log likelihood for az.loo(var_name="image")) and
/// nc.posterior_predictive (per exposure, observed_data's dims). A sampled read noise enters
/// both at each draw's value. Replicates draw from Philox streams 2^40 + i of `seed`,
/// i = chain * k + j (the same files for any thread count).
void add_predictive_groups(const posterior::ImagePosterior& post, const infer::Run& run,
                           const PredictiveChoice& choice, std::uint64_t seed, int num_threads,
                           io::InferenceDataOptions& nc);

}  // namespace airy::pipeline
