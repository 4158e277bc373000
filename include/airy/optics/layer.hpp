// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The optical layer interface: an immutable, differentiable map on a pupil-plane field.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/core/parameter_block.hpp"

namespace airy::optics {

using airy::ParameterBlock;
using airy::total_size;

/// Per-caller buffers of one layer (per-wavelength intermediates for the pullback).
class LayerWorkspace {
 public:
  virtual ~LayerWorkspace() = default;
};

/// What a caller will need from a layer's pullback, and what it guarantees about the input;
/// lets a layer skip work. The default (all true / false) asks for every cotangent.
struct LayerNeeds {
  /// in_bar is used; if false, pullback may leave in_bar unset.
  bool input = true;
  /// Per parameter block (parameter_blocks() order): its cotangent is used; if false, the
  /// block's entries of params_bar may be left unchanged. Empty = all needed.
  std::vector<bool> blocks;
  /// The input field at wavelength index w is the same at every evaluation, so a layer may
  /// cache what depends only on it.
  bool fixed_input = false;
};

/// An immutable operation on a monochromatic pupil field with `parameter_blocks()` real
/// parameters, passed flat (blocks concatenated) to every call so one model serves many
/// parameter values. Thread-safe: all per-call state lives in the LayerWorkspace.
///
/// Evaluation protocol (per model evaluation): prepare(params, ws) once, then
/// forward(..., w, ...) for each wavelength index w; pullback(..., w, ...) for each w in any
/// order, then finish_pullback(params, params_bar, ws) once. Complex cotangents use the
/// real-pair convention g = dL/dRe z + i dL/dIm z.
class Layer {
 public:
  virtual ~Layer() = default;
  /// Short type name, e.g. "BasisOptic".
  [[nodiscard]] virtual std::string_view kind() const = 0;
  /// Parameter blocks in flat order (default: none).
  [[nodiscard]] virtual std::vector<ParameterBlock> parameter_blocks() const { return {}; }
  /// The stored parameter values, blocks concatenated.
  [[nodiscard]] virtual RealVector values() const { return {}; }
  /// A copy with the stored values replaced. @throws InvalidArgument on a wrong size or an
  /// invalid value (naming the block).
  [[nodiscard]] virtual std::shared_ptr<const Layer> with_values(std::span<const double> v) const;
  /// Output side length for an input of n x n pixels.
  [[nodiscard]] virtual int output_npixels(int n) const { return n; }
  /// Output pixel scale (m) for an input pixel scale (m).
  [[nodiscard]] virtual double output_pixel_scale(double pixel_scale) const { return pixel_scale; }
  /// Buffers for inputs of n x n pixels and `num_wavelengths` wavelengths.
  [[nodiscard]] virtual std::unique_ptr<LayerWorkspace> make_workspace(int n,
                                                                       int num_wavelengths) const;
  /// Declares what the caller needs (before forward; may be called again to change it). The
  /// default ignores it and computes everything.
  virtual void set_needs(const LayerNeeds& needs, LayerWorkspace& ws) const;
  /// Wavelength-independent work of one evaluation (e.g. OPD = sum c_j Z_j).
  virtual void prepare(std::span<const double> params, LayerWorkspace& ws) const;
  /// out = layer(in) at wavelength `wavelength` (m), pixel scale (m/px), wavelength index w.
  /// `out` is resized only if its shape differs.
  virtual void forward(std::span<const double> params, double wavelength, double pixel_scale, int w,
                       const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const = 0;
  /// in_bar = (d out / d in)^H out_bar (overwritten); ADDS parameter cotangents into
  /// params_bar (or defers them to finish_pullback). `in`/`out` are those of forward at w.
  virtual void pullback(std::span<const double> params, double wavelength, double pixel_scale,
                        int w, const ComplexImage& in, const ComplexImage& out,
                        const ComplexImage& out_bar, ComplexImage& in_bar,
                        std::span<double> params_bar, LayerWorkspace& ws) const = 0;
  /// Completes the parameter cotangents after every wavelength's pullback (adds into
  /// params_bar).
  virtual void finish_pullback(std::span<const double> params, std::span<double> params_bar,
                               LayerWorkspace& ws) const;
};

/// A layer with its key in an optical system (parameter paths are optics.<key>.<block>).
struct NamedLayer {
  std::string key;
  std::shared_ptr<const Layer> layer;
};

}  // namespace airy::optics
