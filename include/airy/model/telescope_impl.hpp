// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief TelescopeImpl: the components of a Telescope and its parameter registry.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/detector/detector_layer.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/optics/psf_engine.hpp"
#include "airy/sources/source.hpp"

namespace airy::model {

/// Which component a parameter path belongs to.
enum class Component { kSource, kOptics, kDetector, kExposure };

/// What one exposure of a multi-exposure fit changes in the scene: a pointing offset (dither)
/// added to every star's position and a flux scale (exposure time x throughput) multiplying
/// every star's photons. As parameters: "exposure.dither" (2, arcsec, (x, y)) and
/// "exposure.flux_scale" (1, > 0). dLux's `Dither` adds its dithers to source.position in the
/// same way. Forward (per star s, wavelength l):
///   theta_s -> theta_s + rad(dither),   a_sl -> flux_scale a_sl
/// Pullback: dither_bar = rad/arcsec x sum_s theta_bar_s,  flux_scale_bar = sum a_bar_sl a_sl,
///   a_bar_sl (into the source) = flux_scale a_bar_sl.
struct ExposureSettings {
  double dither_x = 0.0;    ///< arcsec
  double dither_y = 0.0;    ///< arcsec
  double flux_scale = 1.0;  ///< > 0
};

/// One registered parameter path and where its values live in the full parameter vector.
struct ParameterEntry {
  std::string path;  ///< e.g. "optics.aperture.coefficients"
  int size = 1;
  std::string unit, doc;
  int offset = 0;  ///< offset in the full parameter vector
  Component component = Component::kSource;
  int component_index = 0;  ///< layer index for optics/detector entries
  Domain domain;            ///< where each scalar is defined
};

/// Immutable state of a Telescope: the source, optical system (with its PSF engine and MFT
/// cache) and detector layers, and the full parameter vector
/// [source | optics layers | detector layers] (each component's blocks concatenated).
class TelescopeImpl {
 public:
  /// Builds the registry and the MFT cache. @throws InvalidArgument on null components,
  /// duplicate detector keys or a detector layer that cannot take the PSF's shape.
  TelescopeImpl(std::shared_ptr<const optics::OpticalSystem> system,
                std::shared_ptr<const sources::Source> source,
                std::vector<detector::NamedDetectorLayer> detector,
                std::optional<ExposureSettings> exposure = std::nullopt);

  [[nodiscard]] const optics::OpticalSystem& system() const { return *system_; }
  /// The shared components, to assemble other telescopes (e.g. one per exposure) from them.
  [[nodiscard]] const std::shared_ptr<const optics::OpticalSystem>& system_ptr() const {
    return system_;
  }
  [[nodiscard]] const std::shared_ptr<const sources::Source>& source_ptr() const { return source_; }
  [[nodiscard]] const sources::Source& source() const { return *source_; }
  [[nodiscard]] const std::vector<detector::NamedDetectorLayer>& detector() const {
    return detector_;
  }
  [[nodiscard]] const optics::PsfEngine& engine() const { return *engine_; }
  [[nodiscard]] const std::vector<ParameterEntry>& entries() const { return entries_; }
  /// Index of `path` in entries(), or -1.
  [[nodiscard]] int find(std::string_view path) const;
  /// The registered path closest to `path` (edit distance), for error messages.
  [[nodiscard]] std::string nearest(std::string_view path) const;
  /// Full parameter vector (current values).
  [[nodiscard]] const RealVector& values() const { return values_; }
  /// Segments of the full vector: source [0, source_size), optics, then each detector layer.
  [[nodiscard]] int source_size() const { return source_size_; }
  [[nodiscard]] int optics_offset() const { return source_size_; }
  [[nodiscard]] int optics_size() const { return system_->num_parameters(); }
  [[nodiscard]] const std::vector<int>& detector_offsets() const { return detector_offsets_; }
  /// Whether the telescope has the exposure component, and the offset of its 3 values
  /// [dither_x, dither_y, flux_scale] (after the detector's) in the full vector.
  [[nodiscard]] bool has_exposure() const { return exposure_offset_ >= 0; }
  [[nodiscard]] int exposure_offset() const { return exposure_offset_; }
  /// Shapes of the images after each detector stage (stage 0 = PSF).
  [[nodiscard]] const std::vector<std::pair<int, int>>& stage_shapes() const { return shapes_; }

  /// Replaces values_[entry] (validated by the owning component). @throws InvalidArgument.
  void set_values(int entry, const RealVector& v);

 private:
  std::shared_ptr<const optics::OpticalSystem> system_;
  std::shared_ptr<const sources::Source> source_;
  std::vector<detector::NamedDetectorLayer> detector_;
  std::shared_ptr<const optics::PsfEngine> engine_;
  std::vector<ParameterEntry> entries_;
  RealVector values_;
  int source_size_ = 0;
  std::vector<int> detector_offsets_;
  int exposure_offset_ = -1;
  std::vector<std::pair<int, int>> shapes_;
};

}  // namespace airy::model
