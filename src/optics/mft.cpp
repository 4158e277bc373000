// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/mft.hpp"

#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"

namespace airy::optics {

void gemm_into(const Eigen::Ref<const ComplexMatrix>& a, const Eigen::Ref<const ComplexMatrix>& b,
               Eigen::Ref<ComplexMatrix> c) {
  constexpr Eigen::Index kPanel = 32;
  const Eigen::Index m = a.rows();
  for (Eigen::Index r = 0; r < m; r += kPanel) {
    const Eigen::Index h = std::min(kPanel, m - r);
    c.middleRows(r, h).noalias() = a.middleRows(r, h) * b;
  }
}

Mft::Mft(const MftSpec& spec) : spec_(spec) {
  check_positive("Mft", "n_in", spec.n_in);
  check_positive("Mft", "n_out", spec.n_out);
  check_positive("Mft", "pixel_scale_in", spec.pixel_scale_in);
  check_positive("Mft", "pixel_scale_out", spec.pixel_scale_out);
  check_positive("Mft", "wavelength", spec.wavelength);
  check_nonnegative("Mft", "focal_length", spec.focal_length);
  check_finite("Mft", "shift_x", spec.shift_x);
  check_finite("Mft", "shift_y", spec.shift_y);
  const double dout =
      spec.focal_length > 0 ? spec.pixel_scale_out / spec.focal_length : spec.pixel_scale_out;
  factor_ = spec.pixel_scale_in * dout / spec.wavelength;
  const double k = 2.0 * std::numbers::pi / spec.wavelength;
  const int ni = spec.n_in, no = spec.n_out;
  a_.resize(no, ni);
  b_.resize(ni, no);
  for (int i = 0; i < ni; ++i) {
    const double xi = (i - 0.5 * (ni - 1)) * spec.pixel_scale_in;
    for (int l = 0; l < no; ++l) {
      const double ax = (l - 0.5 * (no - 1) - spec.shift_x) * dout;
      const double ay = (l - 0.5 * (no - 1) - spec.shift_y) * dout;
      b_(i, l) = std::polar(1.0, -k * xi * ax);
      a_(l, i) = std::polar(1.0, -k * xi * ay);
    }
  }
  ah_ = a_.adjoint();
  bh_ = b_.adjoint();
}

void Mft::forward(const ComplexImage& e, ComplexImage& out, ComplexMatrix& tmp) const {
  if (e.rows() != spec_.n_in || e.cols() != spec_.n_in) {
    throw_invalid("Mft::forward", "e", "shape must be (n_in, n_in)");
  }
  tmp.resize(spec_.n_in, spec_.n_out);
  gemm_into(e.matrix(), b_, tmp);
  out.resize(spec_.n_out, spec_.n_out);
  out.matrix().noalias() = a_ * tmp;
  out *= factor_;
}

void Mft::pullback(const ComplexImage& out_bar, ComplexImage& e_bar, ComplexMatrix& tmp) const {
  if (out_bar.rows() != spec_.n_out || out_bar.cols() != spec_.n_out) {
    throw_invalid("Mft::pullback", "out_bar", "shape must be (n_out, n_out)");
  }
  tmp.resize(spec_.n_out, spec_.n_in);
  tmp.noalias() = out_bar.matrix() * bh_;
  e_bar.resize(spec_.n_in, spec_.n_in);
  gemm_into(ah_, tmp, e_bar.matrix());
  e_bar *= factor_;
}

ComplexImage Mft::operator()(const ComplexImage& e) const {
  ComplexImage out;
  ComplexMatrix tmp;
  forward(e, out, tmp);
  return out;
}

}  // namespace airy::optics
