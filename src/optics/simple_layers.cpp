// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/simple_layers.hpp"

#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"
#include "airy/optics/wavefront.hpp"

namespace airy::optics {

TiltLayer::TiltLayer(double theta_x, double theta_y) : theta_x_(theta_x), theta_y_(theta_y) {
  check_finite("TiltLayer", "angles[0]", theta_x);
  check_finite("TiltLayer", "angles[1]", theta_y);
}

std::vector<ParameterBlock> TiltLayer::parameter_blocks() const {
  return {{"angles", 2, "rad", "tilt (theta_x, theta_y); +theta moves the PSF to +x/+y"}};
}

RealVector TiltLayer::values() const { return RealVector{{theta_x_, theta_y_}}; }

std::shared_ptr<const Layer> TiltLayer::with_values(std::span<const double> v) const {
  if (v.size() != 2) throw_invalid("TiltLayer", "angles", "expected 2 values");
  return std::make_shared<TiltLayer>(v[0], v[1]);
}

void TiltLayer::forward(std::span<const double> p, double wavelength, double pixel_scale, int,
                        const ComplexImage& in, ComplexImage& out, LayerWorkspace&) const {
  tilt(in, wavelength, pixel_scale, p[0], p[1], out);
}

void TiltLayer::pullback(std::span<const double> p, double wavelength, double pixel_scale, int,
                         const ComplexImage&, const ComplexImage& out, const ComplexImage& out_bar,
                         ComplexImage& in_bar, std::span<double> p_bar, LayerWorkspace&) const {
  tilt_pullback(out, out_bar, wavelength, pixel_scale, p[0], p[1], in_bar, p_bar[0], p_bar[1]);
}

void NormaliseLayer::forward(std::span<const double>, double, double, int, const ComplexImage& in,
                             ComplexImage& out, LayerWorkspace&) const {
  normalise(in, out);
}

void NormaliseLayer::pullback(std::span<const double>, double, double, int, const ComplexImage& in,
                              const ComplexImage& out, const ComplexImage& out_bar,
                              ComplexImage& in_bar, std::span<double>, LayerWorkspace&) const {
  normalise_pullback(in, out, out_bar, in_bar);
}

FlipLayer::FlipLayer(int axis) : axis_(axis) {
  if (axis != 0 && axis != 1) {
    throw InvalidArgument(format_invalid("FlipLayer", "axis", axis, "must be 0 (y) or 1 (x)"));
  }
}

void FlipLayer::forward(std::span<const double>, double, double, int, const ComplexImage& in,
                        ComplexImage& out, LayerWorkspace&) const {
  out = flip(in, axis_);
}

void FlipLayer::pullback(std::span<const double>, double, double, int, const ComplexImage&,
                         const ComplexImage&, const ComplexImage& out_bar, ComplexImage& in_bar,
                         std::span<double>, LayerWorkspace&) const {
  in_bar = flip(out_bar, axis_);
}

ResizeLayer::ResizeLayer(int npixels) : npixels_(npixels) {
  check_positive("ResizeLayer", "npixels", npixels);
}

void ResizeLayer::forward(std::span<const double>, double, double, int, const ComplexImage& in,
                          ComplexImage& out, LayerWorkspace&) const {
  out = resize(in, npixels_);
}

void ResizeLayer::pullback(std::span<const double>, double, double, int, const ComplexImage& in,
                           const ComplexImage&, const ComplexImage& out_bar, ComplexImage& in_bar,
                           std::span<double>, LayerWorkspace&) const {
  in_bar = resize(out_bar, static_cast<int>(in.rows()));
}

RotateLayer::RotateLayer(double angle) : angle_(angle) {
  check_finite("RotateLayer", "angle", angle);
  const double q = angle / (0.5 * std::numbers::pi);
  if (std::abs(q - std::round(q)) < 1e-12) quarter_turns_ = static_cast<int>(std::lround(q)) & 3;
}

void RotateLayer::forward(std::span<const double>, double, double, int, const ComplexImage& in,
                          ComplexImage& out, LayerWorkspace&) const {
  out = quarter_turns_ >= 0 ? rotate90(in, quarter_turns_) : rotate(in, angle_);
}

void RotateLayer::pullback(std::span<const double>, double, double, int, const ComplexImage&,
                           const ComplexImage&, const ComplexImage& out_bar, ComplexImage& in_bar,
                           std::span<double>, LayerWorkspace&) const {
  in_bar =
      quarter_turns_ >= 0 ? rotate90(out_bar, -quarter_turns_) : rotate_pullback(out_bar, angle_);
}

}  // namespace airy::optics
