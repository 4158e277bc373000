// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Small pupil layers: Tilt, Normalise, Flip, Resize, Rotate.
#pragma once

#include "airy/optics/layer.hpp"

namespace airy::optics {

/// dLux Tilt (0.15 sign): out = in exp(i 2pi/lambda (theta_x x + theta_y y)).
/// Parameter "angles" = (theta_x, theta_y) in rad. Pullback: see tilt_pullback.
class TiltLayer final : public Layer {
 public:
  /// @throws InvalidArgument on non-finite angles.
  TiltLayer(double theta_x, double theta_y);
  [[nodiscard]] std::string_view kind() const override { return "Tilt"; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  [[nodiscard]] std::shared_ptr<const Layer> with_values(std::span<const double> v) const override;
  void forward(std::span<const double> params, double wavelength, double pixel_scale, int w,
               const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const override;
  void pullback(std::span<const double> params, double wavelength, double pixel_scale, int w,
                const ComplexImage& in, const ComplexImage& out, const ComplexImage& out_bar,
                ComplexImage& in_bar, std::span<double> params_bar,
                LayerWorkspace& ws) const override;

 private:
  double theta_x_, theta_y_;
};

/// dLux Normalise: out = in / ||in|| (unit power); pullback: normalise_pullback.
class NormaliseLayer final : public Layer {
 public:
  [[nodiscard]] std::string_view kind() const override { return "Normalise"; }
  void forward(std::span<const double> params, double wavelength, double pixel_scale, int w,
               const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const override;
  void pullback(std::span<const double> params, double wavelength, double pixel_scale, int w,
                const ComplexImage& in, const ComplexImage& out, const ComplexImage& out_bar,
                ComplexImage& in_bar, std::span<double> params_bar,
                LayerWorkspace& ws) const override;
};

/// dLux Flip: reverses axis 0 (y, rows) or 1 (x, columns). Self-adjoint permutation.
/// Allocates per call (not for hot paths).
class FlipLayer final : public Layer {
 public:
  /// @throws InvalidArgument unless axis is 0 or 1.
  explicit FlipLayer(int axis);
  [[nodiscard]] std::string_view kind() const override { return "Flip"; }
  void forward(std::span<const double> params, double wavelength, double pixel_scale, int w,
               const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const override;
  void pullback(std::span<const double> params, double wavelength, double pixel_scale, int w,
                const ComplexImage& in, const ComplexImage& out, const ComplexImage& out_bar,
                ComplexImage& in_bar, std::span<double> params_bar,
                LayerWorkspace& ws) const override;

 private:
  int axis_;
};

/// dLux Resize: centred zero-pad or crop to npixels (parity preserved). Adjoint: crop/pad.
class ResizeLayer final : public Layer {
 public:
  /// @throws InvalidArgument if npixels < 1.
  explicit ResizeLayer(int npixels);
  [[nodiscard]] std::string_view kind() const override { return "Resize"; }
  [[nodiscard]] int output_npixels(int) const override { return npixels_; }
  void forward(std::span<const double> params, double wavelength, double pixel_scale, int w,
               const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const override;
  void pullback(std::span<const double> params, double wavelength, double pixel_scale, int w,
                const ComplexImage& in, const ComplexImage& out, const ComplexImage& out_bar,
                ComplexImage& in_bar, std::span<double> params_bar,
                LayerWorkspace& ws) const override;

 private:
  int npixels_;
};

/// Rotation by `angle` rad counter-clockwise (+y up): exact for multiples of pi/2, bilinear
/// interpolation of re/im otherwise. Linear in the field; the angle is fixed (no gradient).
class RotateLayer final : public Layer {
 public:
  /// @throws InvalidArgument if angle is not finite.
  explicit RotateLayer(double angle);
  [[nodiscard]] std::string_view kind() const override { return "Rotate"; }
  void forward(std::span<const double> params, double wavelength, double pixel_scale, int w,
               const ComplexImage& in, ComplexImage& out, LayerWorkspace& ws) const override;
  void pullback(std::span<const double> params, double wavelength, double pixel_scale, int w,
                const ComplexImage& in, const ComplexImage& out, const ComplexImage& out_bar,
                ComplexImage& in_bar, std::span<double> params_bar,
                LayerWorkspace& ws) const override;

 private:
  double angle_;
  int quarter_turns_ = -1;  // >= 0 when angle is a multiple of pi/2
};

}  // namespace airy::optics
