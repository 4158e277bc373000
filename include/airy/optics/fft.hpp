// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief FFT propagation pupil -> focal plane (dLux 0.15 `propagate_FFT`): FFTW inside, or
/// Eigen's bundled FFT (kissfft) when built with AIRY_WITH_FFTW=OFF (same results to rounding).
#pragma once

#include <memory>

#include "airy/core/arrays.hpp"

namespace airy::optics {

/// Zero-padded, centred, unitary FFT propagator:
///
///     forward:  out = fftshift(fft2(ifftshift(pad(E)))) / N_pad,  N_pad = n pad_factor
///     pullback: E_bar = crop(fftshift(ifft2(ifftshift(out_bar)))) (unnormalised ifft2 / N_pad)
///
/// (the map is unitary, so its real-pair adjoint is its inverse restricted by the crop).
/// Kernel exp(-2 pi i jk / N) (the MFT's sign). Output pixel scale lambda / (n dx pad) rad
/// (times f if focal_length > 0), zero frequency at index N_pad / 2 (equals the MFT centre
/// (N_pad-1)/2 for odd N_pad). Immutable; plans are made once at construction.
class FftPropagator {
 public:
  /// @throws InvalidArgument on non-positive sizes, pixel scale, wavelength or pad < 1, or if
  /// n (pad - 1) is odd.
  FftPropagator(int n_in, double pixel_scale_in, double wavelength, int pad,
                double focal_length = 0.0);
  ~FftPropagator();
  FftPropagator(const FftPropagator&) = delete;
  FftPropagator& operator=(const FftPropagator&) = delete;

  [[nodiscard]] int n_out() const { return n_out_; }
  /// Output pixel scale: rad, or m if a focal length was given.
  [[nodiscard]] double pixel_scale_out() const { return pixel_scale_out_; }
  /// Forward propagation; e is (n_in, n_in), out becomes (n_out, n_out).
  void forward(const ComplexImage& e, ComplexImage& out) const;
  /// Adjoint of forward.
  void pullback(const ComplexImage& out_bar, ComplexImage& e_bar) const;

 private:
  struct Plans;
  int n_in_, n_out_;
  double pixel_scale_out_;
  std::unique_ptr<Plans> plans_;
};

}  // namespace airy::optics
