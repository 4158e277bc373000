// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Matrix Fourier transform (Soummer et al. 2007) with dLux 0.15 centring, sign and
/// normalisation, done as two complex GEMMs with matrices built once.
#pragma once

#include "airy/core/arrays.hpp"

namespace airy::optics {

/// Geometry of one MFT: pupil (n_in px of pixel_scale_in m) -> focal plane (n_out px).
struct MftSpec {
  int n_in = 0;                  ///< input pixels per side
  double pixel_scale_in = 0.0;   ///< input pixel scale, m
  int n_out = 0;                 ///< output pixels per side
  double pixel_scale_out = 0.0;  ///< output pixel scale: rad (angular) or m (focal_length > 0)
  double wavelength = 0.0;       ///< m
  double focal_length = 0.0;     ///< m; 0 = angular output
  double shift_x = 0.0;          ///< output shift along x, output pixels (PSF moves by +shift)
  double shift_y = 0.0;          ///< output shift along y, output pixels
};

/// An immutable MFT. With input pixel centres x_j = (j - (n_in-1)/2) dx_in (same for y) and
/// output angles a_l = (l - (n_out-1)/2 - shift) dx_out [/ f]:
///
///     forward:  out = c A E B,  A[k,i] = exp(-2 pi i a_k y_i / lambda),
///                               B[j,l] = exp(-2 pi i x_j a_l / lambda),  c = dx_in dx_out' /
///                               lambda
///     pullback: E_bar = c A^H out_bar B^H          (real-pair convention, M^H adjoint)
///
/// c makes the transform unitary over one alias period (n_out dx_out' = lambda / dx_in).
/// Shapes: E (n_in, n_in) [y, x], out (n_out, n_out) [y, x]. Thread-safe (const).
class Mft {
 public:
  /// @throws InvalidArgument on non-positive sizes, pixel scales or wavelength.
  explicit Mft(const MftSpec& spec);

  /// out = c A E B; `tmp` is a caller buffer (resized to n_in x n_out if needed).
  void forward(const ComplexImage& e, ComplexImage& out, ComplexMatrix& tmp) const;
  /// e_bar = c A^H out_bar B^H; `tmp` is a caller buffer (n_out x n_in).
  void pullback(const ComplexImage& out_bar, ComplexImage& e_bar, ComplexMatrix& tmp) const;
  /// Convenience allocating forward.
  [[nodiscard]] ComplexImage operator()(const ComplexImage& e) const;

  [[nodiscard]] const MftSpec& spec() const { return spec_; }
  /// A, shape (n_out, n_in): rows = output y, cols = input y.
  [[nodiscard]] const ComplexMatrix& a() const { return a_; }
  /// B, shape (n_in, n_out): rows = input x, cols = output x.
  [[nodiscard]] const ComplexMatrix& b() const { return b_; }
  /// A^H (n_in, n_out) and B^H (n_out, n_in), cached for the pullback.
  [[nodiscard]] const ComplexMatrix& a_adjoint() const { return ah_; }
  [[nodiscard]] const ComplexMatrix& b_adjoint() const { return bh_; }
  /// The real scale c = dx_in dx_out' / lambda.
  [[nodiscard]] double factor() const { return factor_; }

 private:
  MftSpec spec_;
  ComplexMatrix a_, b_, ah_, bh_;
  double factor_ = 0.0;
};

/// C = A B for row-major complex matrices without heap allocation (Eigen's GEMM blocking
/// buffers stay on the stack): the product is done in row panels of at most 32 rows.
/// C must already have shape (A.rows(), B.cols()).
void gemm_into(const Eigen::Ref<const ComplexMatrix>& a, const Eigen::Ref<const ComplexMatrix>& b,
               Eigen::Ref<ComplexMatrix> c);

}  // namespace airy::optics
