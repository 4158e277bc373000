// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Telescope = source(s) + optical system + detector -> image in photons, with its
/// parameters addressed by path and an exact pullback (vector-Jacobian product).
///
/// CONTRACT (used by airy::posterior and the CLI): the signatures below are stable; the
/// optics engine may add members but not change these.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/core/domain.hpp"

namespace airy::model {

/// One continuous parameter of a telescope, e.g. "source.separation" (size 1, arcsec) or
/// "optics.aperture.coefficients" (size 7, metres of OPD).
struct ParameterInfo {
  std::string path;  ///< dotted path (dLux/zodiax style)
  int size = 1;      ///< number of scalar entries
  std::string unit;  ///< unit of the value, e.g. "arcsec", "deg", "m", "log10 photons"
  std::string doc;   ///< one-line description
  Domain domain;     ///< where each scalar is defined, e.g. (0, inf) for a contrast
};

/// A set of parameter paths resolved once into direct handles, laid out as one flat vector
/// x = concat(value(path_0), value(path_1), ...). The hot loop never parses strings.
class ParameterSet {
 public:
  ParameterSet() = default;
  /// Number of scalars in the flat vector.
  [[nodiscard]] int size() const { return total_; }
  /// Paths in layout order.
  [[nodiscard]] const std::vector<std::string>& paths() const { return paths_; }
  /// Offset of path i in the flat vector.
  [[nodiscard]] int offset(std::size_t i) const { return offsets_[i]; }
  /// Number of scalars of path i.
  [[nodiscard]] int size(std::size_t i) const { return sizes_[i]; }
  /// Names of each scalar: "path" for size-1 paths, "path[k]" (1-based) otherwise.
  [[nodiscard]] std::vector<std::string> coordinate_names() const;
  /// Engine-private handle ids, one per path (opaque to callers).
  [[nodiscard]] const std::vector<int>& handles() const { return handles_; }

 private:
  friend class Telescope;
  std::vector<std::string> paths_;
  std::vector<int> offsets_, sizes_, handles_;
  int total_ = 0;
};

/// Per-caller (per-chain) buffers of a Telescope evaluation; sized once by make_workspace().
class TelescopeWorkspace {
 public:
  virtual ~TelescopeWorkspace() = default;
};

class TelescopeImpl;

/// An immutable differentiable telescope. Thread-safe: all mutable state of an evaluation is
/// in the caller's TelescopeWorkspace.
class Telescope {
 public:
  explicit Telescope(std::shared_ptr<const TelescopeImpl> impl);

  /// Every continuous parameter, in a stable order.
  [[nodiscard]] std::vector<ParameterInfo> parameters() const;
  /// Current value of a parameter. @throws InvalidArgument for an unknown path (naming the
  /// nearest known path).
  [[nodiscard]] RealVector get(std::string_view path) const;
  /// A copy with one parameter replaced. @throws InvalidArgument for an unknown path, a wrong
  /// size (naming expected and given sizes) or a non-finite or out-of-domain value.
  [[nodiscard]] Telescope set(std::string_view path, const RealVector& value) const;
  /// Resolves paths into a ParameterSet. @throws InvalidArgument for unknown or duplicate paths.
  [[nodiscard]] ParameterSet bind(const std::vector<std::string>& paths) const;
  /// Current values of the bound parameters as one flat vector.
  [[nodiscard]] RealVector values(const ParameterSet& set) const;

  /// Buffers for render/pullback of this set (allocations happen here, not per evaluation).
  [[nodiscard]] std::unique_ptr<TelescopeWorkspace> make_workspace(const ParameterSet& set) const;
  /// image = model with the bound parameters replaced by x; saves what pullback needs in ws.
  /// `image` is resized only if its shape differs. Does not allocate once ws and image exist.
  void render(const ParameterSet& set, std::span<const double> x, TelescopeWorkspace& ws,
              RealImage& image) const;
  /// x_bar = (d image / d x)^T image_bar at the x of the last render() on ws (overwrites x_bar).
  void pullback(const ParameterSet& set, const RealImage& image_bar, TelescopeWorkspace& ws,
                std::span<double> x_bar) const;

  /// The detector stages alone, for a PSF rendered elsewhere (one PSF shared by exposures
  /// that differ by a whole-pixel dither, cropped per exposure; model/shared_psf.hpp):
  /// image = the detector layers applied to f x the window of `psf` at (row0, col0) of the PSF
  /// stage's shape (stage_shapes()[0]), f = exposure.flux_scale (1 without the exposure
  /// component; `psf` is at flux scale 1), with the bound detector parameters and flux scale
  /// replaced by x (the others in x are not used: the window stands for the source, optics
  /// and dither). ws may come from make_detector_workspace.
  /// @throws InvalidArgument when the window leaves psf.
  void render_detector(const ParameterSet& set, std::span<const double> x, const RealImage& psf,
                       int row0, int col0, TelescopeWorkspace& ws, RealImage& image) const;
  /// Pullback of render_detector at its last call on ws: x_bar's detector and flux-scale
  /// entries (the others, dither included, are set to 0), and psf_bar's window at (row0, col0)
  /// += (d image / d psf)^T image_bar.
  void pullback_detector(const ParameterSet& set, const RealImage& image_bar,
                         TelescopeWorkspace& ws, std::span<double> x_bar, RealImage& psf_bar,
                         int row0, int col0) const;
  /// Buffers for render_detector/pullback_detector only (no PSF engine buffers: those of a
  /// 1024^2 PSF of 60 star-wavelengths are ~1.5 GB). render() on it throws.
  [[nodiscard]] std::unique_ptr<TelescopeWorkspace> make_detector_workspace(
      const ParameterSet& set) const;

  /// The image with the current parameter values (convenience, allocates).
  [[nodiscard]] RealImage model() const;
  /// Output image shape (rows = y, cols = x).
  [[nodiscard]] int image_rows() const;
  [[nodiscard]] int image_cols() const;
  /// Output (detector) pixel scale in arcsec per pixel (angular systems) or metres (cartesian).
  [[nodiscard]] double pixel_scale() const;

  [[nodiscard]] const TelescopeImpl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const TelescopeImpl> impl_;
};

}  // namespace airy::model
