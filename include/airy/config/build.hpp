// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Config -> objects: the telescope with the configured (true) values, the posterior
/// of the sampled parameters given data, and simulated noisy data.
#pragma once

#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/core/arrays.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/model/telescope.hpp"
#include "airy/posterior/image_posterior.hpp"

namespace airy::config {

/// The Zernike coefficients of the configuration (m): the explicit list, or
/// coefficients_rms * N(0, 1) draws from Philox stream (coefficients_seed, 0).
[[nodiscard]] std::vector<double> true_coefficients(const OpticsConfig& optics);

/// Wavelengths (m) and weights (sum 1) of the source spectrum.
struct SpectrumValues {
  std::vector<double> wavelengths_m;
  std::vector<double> weights;
};
[[nodiscard]] SpectrumValues spectrum_values(const SourceConfig& source);

/// The telescope with every parameter at its configured value.
/// @throws InvalidArgument naming the config key for values the optics engine rejects.
[[nodiscard]] model::Telescope build_telescope(const Config& config);

/// The posterior of the configured priors given `data` under the configured likelihood.
/// @throws InvalidArgument naming the prior (path) for a bad distribution or unknown path, and
///   the data problem (shape, NaN, negative counts under Poisson).
[[nodiscard]] posterior::ImagePosterior build_posterior(const Config& config,
                                                        const model::Telescope& telescope,
                                                        RealImage data);

/// Noisy data from a noise-free image: Poisson(model) if noise.photon, plus
/// Normal(0, read_sigma), from Philox stream (noise.seed, 1). Also returns the image with
/// photon noise only (for the tutorial's three-panel figure).
struct SimulatedData {
  RealImage photon_noise_only;
  RealImage data;
};
[[nodiscard]] SimulatedData simulate_data(const NoiseConfig& noise, const RealImage& model);

/// Sampler options from the [sampler] table.
[[nodiscard]] infer::SamplerOptions sampler_options(const SamplerConfig& sampler);

}  // namespace airy::config
