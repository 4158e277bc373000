// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Monochromatic complex wavefront and its elementary differentiable operations.
///
/// Complex cotangents follow the real-pair convention g = dL/dRe z + i dL/dIm z
/// (docs/conventions.md); the adjoint of a C-linear map M is then M^H.
#pragma once

#include "airy/core/arrays.hpp"

namespace airy::optics {

/// Plane a wavefront lives in.
enum class Plane { kPupil, kFocal };

/// A monochromatic complex field on a square pixel grid, indexed [y, x].
struct Wavefront {
  ComplexImage field;        ///< complex amplitude, shape (n, n); power = sum |field|^2
  double wavelength = 0.0;   ///< metres
  double pixel_scale = 0.0;  ///< metres per pixel (pupil) or radians per pixel (focal)
  Plane plane = Plane::kPupil;
};

/// Pupil wavefront of npixels^2 with uniform field 1/npixels^2 (dLux), pixel scale
/// diameter / npixels. @throws InvalidArgument on wavelength, diameter or npixels <= 0.
[[nodiscard]] Wavefront make_wavefront(double wavelength, int npixels, double diameter);

/// Total power sum |E|^2.
[[nodiscard]] double power(const ComplexImage& e);

/// out = E / sqrt(sum |E|^2) (unit power; dLux normalise). A zero field maps to zero.
void normalise(const ComplexImage& e, ComplexImage& out);
/// Adjoint of normalise at E with out = normalise(E):
/// e_bar = (out_bar - out Re<out, out_bar>) / ||E||, <a, b> = sum conj(a) b.
void normalise_pullback(const ComplexImage& e, const ComplexImage& out, const ComplexImage& out_bar,
                        ComplexImage& e_bar);

/// Tilt (dLux 0.15+ sign): out = E exp(i 2pi/lambda (theta_x x + theta_y y)), theta in rad,
/// x, y the pupil pixel centres (pixel_scale m/px). A source at +theta lands at +theta in the
/// focal plane with the exp(-2 pi i x alpha / lambda) MFT kernel.
void tilt(const ComplexImage& e, double wavelength, double pixel_scale, double theta_x,
          double theta_y, ComplexImage& out);
/// Adjoint of tilt: e_bar = out_bar conj(phase);
/// theta_x_bar += k sum x Im(out_bar conj(out)), theta_y_bar likewise with y, k = 2pi/lambda.
void tilt_pullback(const ComplexImage& out, const ComplexImage& out_bar, double wavelength,
                   double pixel_scale, double theta_x, double theta_y, ComplexImage& e_bar,
                   double& theta_x_bar, double& theta_y_bar);

/// Flips rows (axis 0 = y) or columns (axis 1 = x). Linear and self-adjoint.
[[nodiscard]] ComplexImage flip(const ComplexImage& e, int axis);

/// Centred pad (zeros) or crop to npixels x npixels; parity-preserving centre index
/// (n_in - 1)/2 maps to (n_out - 1)/2 when n_in - n_out is even (dLux resize). The adjoint of
/// a pad is the matching crop and vice versa. @throws InvalidArgument if the size difference is
/// odd or npixels < 1.
[[nodiscard]] ComplexImage resize(const ComplexImage& e, int npixels);

/// Rotation by quarter turns (counter-clockwise for +y up): exact, interpolation-free; the
/// adjoint is the rotation by -quarter_turns.
[[nodiscard]] ComplexImage rotate90(const ComplexImage& e, int quarter_turns);

/// Rotation by `angle` rad counter-clockwise (+y up) with bilinear interpolation of re/im
/// about the array centre (zero outside). Linear in E; the adjoint scatters with the same
/// weights (rotate_pullback).
[[nodiscard]] ComplexImage rotate(const ComplexImage& e, double angle);
/// Adjoint of rotate (transpose of the bilinear interpolation matrix).
[[nodiscard]] ComplexImage rotate_pullback(const ComplexImage& out_bar, double angle);

}  // namespace airy::optics
