// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Config -> objects: the telescope with the configured (true) values, the posterior
/// of the sampled parameters given data, and simulated noisy data.
#pragma once

#include <cstdint>
#include <optional>
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

/// The telescope with every parameter at its configured value (with [[exposures]]: exposure
/// 0's, see build_exposure_telescopes).
/// @throws InvalidArgument naming the config key for values the optics engine rejects.
[[nodiscard]] model::Telescope build_telescope(const Config& config);

/// One telescope per exposure: without [[exposures]] exactly build_telescope(config); with
/// them, per [[exposures]] table the shared optics, source and detector plus the exposure's
/// band, diversity layer ("optics.diversity"), dither and flux scale (exposure.dither,
/// exposure.flux_scale). @throws InvalidArgument naming the exposure.
[[nodiscard]] std::vector<model::Telescope> build_exposure_telescopes(const Config& config);

/// The posterior of the configured priors given one data image per exposure; a prior on
/// "exposures.<i>.<path>" is exposure i's own parameter, "exposures.*.<path>" one per exposure,
/// any other path is shared. @throws InvalidArgument naming the prior (and exposure) for a bad
/// distribution, an unknown path or exposure, and the data problems of the single-image form.
[[nodiscard]] posterior::ImagePosterior build_posterior(
    const Config& config, const std::vector<model::Telescope>& telescopes,
    std::vector<RealImage> data);

/// The same with per-exposure pixel maps (variance, mask; load_exposure_data), one per exposure
/// or none. @throws InvalidArgument naming the exposure for a map ImageLikelihood rejects.
[[nodiscard]] posterior::ImagePosterior build_posterior(
    const Config& config, const std::vector<model::Telescope>& telescopes,
    std::vector<RealImage> data, std::vector<posterior::PixelMaps> maps);

/// Threads per log-density evaluation (sampler.threads_per_chain) when `concurrent` evaluations
/// run at once (the chains running together; 1 for a MAP): the configured count, or with 0
/// max(1, cores / concurrent); never more than num_exposures (the unit of parallel work).
[[nodiscard]] int evaluation_threads(const Config& config, int num_exposures, int concurrent);

/// The chains a NUTS run of `config` runs at once: min(num_chains, num_threads), or with
/// num_threads = 0 min(num_chains, cores) (infer::sample's rule); under parallel tempering
/// (method = "pt") all cores (its replicas run at once).
[[nodiscard]] int concurrent_chains(const Config& config);

/// The posterior of the configured priors given `data` under the configured likelihood.
/// @throws InvalidArgument naming the prior (path) for a bad distribution or unknown path, and
///   the data problem (shape, NaN, negative counts under Poisson).
[[nodiscard]] posterior::ImagePosterior build_posterior(const Config& config,
                                                        const model::Telescope& telescope,
                                                        RealImage data);

/// One exposure's data as a run reads it (docs/config.md [[exposures]]).
struct ExposureData {
  std::string label;          ///< the exposure's name, else its index; "" without [[exposures]]
  std::string file;           ///< the FITS file the image came from
  std::string hdu;            ///< its HDU ("" = primary; a number or an EXTNAME)
  RealImage image;            ///< photons; NaN pixels are left out by the likelihood
  posterior::PixelMaps maps;  ///< the configured variance (or err^2) and mask maps, or empty
};

/// Reads every exposure's data: without [[exposures]] the image of `data_path` (the --data
/// file); with them each exposure's `data` file and `hdu` (number or EXTNAME), or, without
/// `data`, HDU `hdu` (default: the exposure's index) of `data_path`; plus its variance / err
/// and mask maps (load_pixel_maps). NaN data pixels are kept (the likelihood masks them).
/// @throws InvalidArgument naming the exposure, file and HDU for a missing file or HDU, an
///   image of another shape than the exposure's telescope renders, an infinite pixel.
[[nodiscard]] std::vector<ExposureData> load_exposure_data(
    const Config& config, const std::string& data_path,
    const std::vector<model::Telescope>& telescopes);

/// Exposure e's variance and mask maps ({} without [[exposures]] or when not configured): a
/// map's file defaults to `data_file`; err maps are squared; with mask_bits a pixel is masked
/// when (flags & mask_bits) != 0, else when the mask is nonzero.
/// @throws InvalidArgument naming the exposure, key, file and HDU.
[[nodiscard]] posterior::PixelMaps load_pixel_maps(const Config& config, int e,
                                                   const std::string& data_file, Eigen::Index rows,
                                                   Eigen::Index cols);

/// Exposure e's label: its name, else its index; "" without [[exposures]].
[[nodiscard]] std::string exposure_label(const Config& config, int e);
/// The file a run writes for exposure e: "<stem>.fits" without [[exposures]] (the single
/// image), "<stem>_<label>.fits" with them (characters other than letters, digits, '-', '.',
/// '_' in the label become '_').
[[nodiscard]] std::string exposure_file_name(const Config& config, int e, const std::string& stem);

/// Noisy data from a noise-free image: Poisson(model) if noise.photon, plus
/// Normal(0, read_sigma), from Philox stream (noise.seed, `stream`): 1 for the single image
/// and exposure 0, 1 + e for exposure e (independent noise per exposure). Also returns the image
/// with photon noise only (for the tutorial's three-panel figure).
struct SimulatedData {
  RealImage photon_noise_only;
  RealImage data;
};
[[nodiscard]] SimulatedData simulate_data(const NoiseConfig& noise, const RealImage& model,
                                          std::uint64_t stream = 1);

/// Memory a configuration needs, in bytes, by part, from the array sizes the optics engine
/// allocates (N = optics.npix, E = edge_oversample, K = Zernike modes, M = psf_npix x
/// oversample, L = wavelengths, S = stars; docs/config.md "Memory"). An upper estimate
/// (checked against measured peak RSS in the tests), so that a configuration that cannot fit
/// stops before allocating rather than swapping or dying in std::bad_alloc.
struct MemoryEstimate {
  std::uint64_t build_peak = 0;  ///< transient: the aperture sampled at N E per side
  std::uint64_t model = 0;       ///< the telescope: pupil maps, Zernike basis, MFT matrices
  /// One evaluation workspace (render + pullback buffers); with sampler.method = "pt" a chain
  /// is a PT run: pt_chains workspaces plus the replicas' statistics.
  std::uint64_t per_chain = 0;
  std::uint64_t draws_per_chain = 0;  ///< draws kept in memory per chain (when known)
  /// Peak bytes for `chains` chains: max(build_peak, model + chains (per_chain + draws)).
  [[nodiscard]] std::uint64_t total(int chains) const;
};
/// @param output_dim sampled coordinates per draw (0: draws not counted).
[[nodiscard]] MemoryEstimate estimate_memory(const Config& config, int output_dim = 0);
/// MemAvailable of /proc/meminfo (physical memory if absent), in bytes.
[[nodiscard]] std::uint64_t available_memory_bytes();
/// @throws InvalidArgument naming the dominant key (optics.npix, edge_oversample, psf_npix,
///   n_wavelengths, num_chains, num_samples), the bytes needed and the bytes available, when
///   the estimate for `chains` chains exceeds `available` (default: available_memory_bytes()).
void check_memory(const Config& config, int chains, int output_dim = 0,
                  std::optional<std::uint64_t> available = std::nullopt);

/// Sampler options from the [sampler] table.
[[nodiscard]] infer::SamplerOptions sampler_options(const SamplerConfig& sampler);

}  // namespace airy::config
