// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Assembling telescopes: make_telescope, TelescopeBuilder and the flagship factory.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "airy/detector/detector_layer.hpp"
#include "airy/model/telescope.hpp"
#include "airy/model/telescope_impl.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/sources/binary_source.hpp"
#include "airy/sources/source.hpp"

namespace airy::model {

/// Telescope = source + optical system + detector layers (applied in order to the PSF).
/// Parameter paths: source.<block>, optics.<layer key>.<block>, detector.<key>.<block>.
/// @throws InvalidArgument on a null component or duplicate detector keys.
/// With `exposure`, the telescope also has the exposure component (exposure.dither,
/// exposure.flux_scale; see ExposureSettings): one exposure of a multi-exposure fit.
[[nodiscard]] Telescope make_telescope(std::shared_ptr<const optics::OpticalSystem> system,
                                       std::shared_ptr<const sources::Source> source,
                                       std::vector<detector::NamedDetectorLayer> detector = {},
                                       std::optional<ExposureSettings> exposure = std::nullopt);

/// Fluent assembly, e.g.
///   TelescopeBuilder().optics(sys).source(src).detector_layer("jitter", jit).build()
class TelescopeBuilder {
 public:
  TelescopeBuilder& optics(std::shared_ptr<const optics::OpticalSystem> system);
  TelescopeBuilder& source(std::shared_ptr<const sources::Source> source);
  TelescopeBuilder& detector_layer(std::string key,
                                   std::shared_ptr<const detector::DetectorLayer> layer);
  /// Adds the exposure component (dither in arcsec, flux scale > 0).
  TelescopeBuilder& exposure(ExposureSettings settings);
  /// @throws InvalidArgument if optics or source is missing.
  [[nodiscard]] Telescope build() const;

 private:
  std::shared_ptr<const optics::OpticalSystem> system_;
  std::shared_ptr<const sources::Source> source_;
  std::vector<detector::NamedDetectorLayer> detector_;
  std::optional<ExposureSettings> exposure_;
};

/// Options of the flagship telescope (the dLux HMC tutorial plus one spider arm).
struct FlagshipOptions {
  int wf_npixels = 128;           ///< pupil pixels per side
  double diameter = 1.0;          ///< m
  int aperture_oversample = 5;    ///< combine() sub-sampling of the hard shapes
  bool spider = true;             ///< add one spider arm (breaks the pupil's point symmetry)
  double spider_width = 0.03;     ///< m
  double spider_angle_deg = 0.0;  ///< dLux spider angle: 0 points to -y, 90 to -x
  std::vector<int> noll = {4, 5, 6, 7, 8, 9, 10};  ///< Zernike basis (normalise = true)
  RealVector coefficients;                         ///< m of OPD per mode; empty = zeros
  int psf_npixels = 16;
  double psf_pixel_scale = 0.03;  ///< arcsec per detector pixel
  int oversample = 1;
  /// Tutorial source values: log_flux 3.5, separation 0.1", position angle 90 deg.
  sources::BinaryParameters source{0.0, 0.0, 0.1, 90.0, 3.5, 3.37};
  int num_wavelengths = sources::kAlphaCenNumWavelengths;  ///< over 530-640 nm, uniform
  bool downsample = false;             ///< add Downsample(oversample) "downsample"
  std::optional<double> jitter_sigma;  ///< add GaussianJitter "jitter" (px)
  bool pixel_response = false;         ///< add PixelResponse "pixel_response" (ones)
  std::optional<double> background;    ///< add Background "background" (photons)
  std::optional<double> saturation;    ///< add Saturation "saturation" (photons)
};

/// The flagship: circle(D/2) [x one spider arm] combined at `aperture_oversample`,
/// BasisOptic "aperture" (Noll basis on the pupil, diameter D, normalise), MFT to
/// psf_npixels at psf_pixel_scale, AlphaCen-style BinarySource, optional detector layers.
/// @throws InvalidArgument on invalid options (e.g. coefficients size != noll size).
[[nodiscard]] Telescope flagship_telescope(const FlagshipOptions& options = {});

}  // namespace airy::model
