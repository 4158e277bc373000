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
