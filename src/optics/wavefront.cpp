// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/wavefront.hpp"

#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"

namespace airy::optics {

Wavefront make_wavefront(double wavelength, int npixels, double diameter) {
  check_positive("make_wavefront", "wavelength", wavelength);
  check_positive("make_wavefront", "npixels", npixels);
  check_positive("make_wavefront", "diameter", diameter);
  Wavefront wf;
  wf.field = ComplexImage::Constant(npixels, npixels, Complex(1.0 / (double(npixels) * npixels)));
  wf.wavelength = wavelength;
  wf.pixel_scale = diameter / npixels;
  return wf;
}

double power(const ComplexImage& e) { return e.abs2().sum(); }

void normalise(const ComplexImage& e, ComplexImage& out) {
  const double p = power(e);
  out.resize(e.rows(), e.cols());
  if (p > 0) {
    out = e * (1.0 / std::sqrt(p));
  } else {
    out.setZero();
  }
}

void normalise_pullback(const ComplexImage& e, const ComplexImage& out, const ComplexImage& out_bar,
                        ComplexImage& e_bar) {
  const double p = power(e);
  if (!(p > 0)) {
    e_bar.setZero(e.rows(), e.cols());
    return;
  }
  const double proj = (out.conjugate() * out_bar).real().sum();
  e_bar.resize(e.rows(), e.cols());
  e_bar = (out_bar - out * proj) * (1.0 / std::sqrt(p));
}

void tilt(const ComplexImage& e, double wavelength, double pixel_scale, double theta_x,
          double theta_y, ComplexImage& out) {
  const double k = 2.0 * std::numbers::pi / wavelength;
  const Eigen::Index ny = e.rows(), nx = e.cols();
  out.resize(ny, nx);
  for (Eigen::Index i = 0; i < ny; ++i) {
    const double y = (i - 0.5 * (ny - 1)) * pixel_scale;
    for (Eigen::Index j = 0; j < nx; ++j) {
      const double x = (j - 0.5 * (nx - 1)) * pixel_scale;
      out(i, j) = e(i, j) * std::polar(1.0, k * (theta_x * x + theta_y * y));
    }
  }
}

void tilt_pullback(const ComplexImage& out, const ComplexImage& out_bar, double wavelength,
                   double pixel_scale, double theta_x, double theta_y, ComplexImage& e_bar,
                   double& theta_x_bar, double& theta_y_bar) {
  const double k = 2.0 * std::numbers::pi / wavelength;
  const Eigen::Index ny = out.rows(), nx = out.cols();
  e_bar.resize(ny, nx);
  for (Eigen::Index i = 0; i < ny; ++i) {
    const double y = (i - 0.5 * (ny - 1)) * pixel_scale;
    for (Eigen::Index j = 0; j < nx; ++j) {
      const double x = (j - 0.5 * (nx - 1)) * pixel_scale;
      e_bar(i, j) = out_bar(i, j) * std::polar(1.0, -k * (theta_x * x + theta_y * y));
      const double im = std::imag(out_bar(i, j) * std::conj(out(i, j)));
      theta_x_bar += k * x * im;
      theta_y_bar += k * y * im;
    }
  }
}

ComplexImage flip(const ComplexImage& e, int axis) {
  if (axis == 0) return e.colwise().reverse();
  if (axis == 1) return e.rowwise().reverse();
  throw InvalidArgument(format_invalid("flip", "axis", axis, "must be 0 (y) or 1 (x)"));
}

ComplexImage resize(const ComplexImage& e, int npixels) {
  check_positive("resize", "npixels", npixels);
  const int n = static_cast<int>(e.rows());
  if ((n - npixels) % 2 != 0) {
    throw InvalidArgument(
        format_invalid("resize", "npixels", npixels, "must have the parity of the input size"));
  }
  ComplexImage out = ComplexImage::Zero(npixels, npixels);
  if (npixels >= n) {
    const int o = (npixels - n) / 2;
    out.block(o, o, n, n) = e;
  } else {
    const int o = (n - npixels) / 2;
    out = e.block(o, o, npixels, npixels);
  }
  return out;
}

ComplexImage rotate90(const ComplexImage& e, int quarter_turns) {
  const int q = ((quarter_turns % 4) + 4) % 4;
  const Eigen::Index n = e.rows();
  if (e.cols() != n) throw_invalid("rotate90", "e", "must be square");
  ComplexImage out(n, n);
  // Counter-clockwise by 90 deg (+y up, [y, x]): out(y', x') = e(y, x) with
  // (x', y') = (-y, x), i.e. out(i', j') = e(j', n-1-i')... derived per index below.
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      switch (q) {
        case 0:
          out(i, j) = e(i, j);
          break;
        case 1:
          out(i, j) = e(n - 1 - j, i);
          break;
        case 2:
          out(i, j) = e(n - 1 - i, n - 1 - j);
          break;
        default:
          out(i, j) = e(j, n - 1 - i);
          break;
      }
    }
  }
  return out;
}

namespace {

// Bilinear sample weights: out(i, j) = sum_w w e(iy, ix) at the source point of the
// counter-clockwise rotation by angle (source = R(-angle) * target about the centre).
template <class F>
void for_each_rotation_weight(Eigen::Index n, double angle, F&& f) {
  const double c = std::cos(angle), s = std::sin(angle), mid = 0.5 * (n - 1);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) {
      const double x = j - mid, y = i - mid;
      const double xs = c * x + s * y + mid, ys = -s * x + c * y + mid;
      const double fx = std::floor(xs), fy = std::floor(ys);
      const double tx = xs - fx, ty = ys - fy;
      const Eigen::Index x0 = static_cast<Eigen::Index>(fx), y0 = static_cast<Eigen::Index>(fy);
      const double w[4] = {(1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty};
      const Eigen::Index xx[4] = {x0, x0 + 1, x0, x0 + 1}, yy[4] = {y0, y0, y0 + 1, y0 + 1};
      for (int k = 0; k < 4; ++k) {
        if (xx[k] >= 0 && xx[k] < n && yy[k] >= 0 && yy[k] < n && w[k] != 0.0) {
          f(i, j, yy[k], xx[k], w[k]);
        }
      }
    }
  }
}

}  // namespace

ComplexImage rotate(const ComplexImage& e, double angle) {
  const Eigen::Index n = e.rows();
  ComplexImage out = ComplexImage::Zero(n, n);
  for_each_rotation_weight(
      n, angle, [&](auto i, auto j, auto ys, auto xs, double w) { out(i, j) += w * e(ys, xs); });
  return out;
}

ComplexImage rotate_pullback(const ComplexImage& out_bar, double angle) {
  const Eigen::Index n = out_bar.rows();
  ComplexImage e_bar = ComplexImage::Zero(n, n);
  for_each_rotation_weight(n, angle, [&](auto i, auto j, auto ys, auto xs, double w) {
    e_bar(ys, xs) += w * out_bar(i, j);
  });
  return e_bar;
}

}  // namespace airy::optics
