// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief TelescopeImpl: the components of a Telescope and its parameter registry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/detector/detector_layer.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/optics/psf_engine.hpp"
#include "airy/sources/source.hpp"

namespace airy::model {

/// Which component a parameter path belongs to.
enum class Component { kSource, kOptics, kDetector };

/// One registered parameter path and where its values live in the full parameter vector.
struct ParameterEntry {
  std::string path;  ///< e.g. "optics.aperture.coefficients"
  int size = 1;
  std::string unit, doc;
  int offset = 0;  ///< offset in the full parameter vector
  Component component = Component::kSource;
  int component_index = 0;  ///< layer index for optics/detector entries
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
                std::vector<detector::NamedDetectorLayer> detector);

  [[nodiscard]] const optics::OpticalSystem& system() const { return *system_; }
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
  std::vector<std::pair<int, int>> shapes_;
};

}  // namespace airy::model
