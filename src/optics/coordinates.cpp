// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/coordinates.hpp"

#include <cmath>

#include "airy/core/error.hpp"

namespace airy::optics {

RealVector pixel_axis(int npixels, double pixel_scale) {
  check_positive("pixel_axis", "npixels", npixels);
  check_positive("pixel_axis", "pixel_scale", pixel_scale);
  RealVector a(npixels);
  const double c = 0.5 * (npixels - 1);
  for (int i = 0; i < npixels; ++i) a[i] = (i - c) * pixel_scale;
  return a;
}

Coords pixel_coords(int npixels, double diameter) {
  check_positive("pixel_coords", "npixels", npixels);
  check_positive("pixel_coords", "diameter", diameter);
  const RealVector a = pixel_axis(npixels, diameter / npixels);
  Coords c{RealImage(npixels, npixels), RealImage(npixels, npixels)};
  for (int i = 0; i < npixels; ++i) {
    for (int j = 0; j < npixels; ++j) {
      c.x(i, j) = a[j];
      c.y(i, j) = a[i];
    }
  }
  return c;
}

Coords to_polar(const Coords& c) {
  Coords p{RealImage(c.x.rows(), c.x.cols()), RealImage(c.x.rows(), c.x.cols())};
  for (Eigen::Index k = 0; k < c.x.size(); ++k) {
    p.x.data()[k] = std::hypot(c.x.data()[k], c.y.data()[k]);
    p.y.data()[k] = std::atan2(c.y.data()[k], c.x.data()[k]);
  }
  return p;
}

Coords translate(const Coords& c, double tx, double ty) { return {c.x - tx, c.y - ty}; }

Coords rotate(const Coords& c, double angle) {
  const double ca = std::cos(angle), sa = std::sin(angle);
  return {ca * c.x - sa * c.y, sa * c.x + ca * c.y};
}

Coords compress(const Coords& c, double cx, double cy) { return {c.x * cx, c.y * cy}; }

Coords shear(const Coords& c, double sx, double sy) { return {c.x + sx * c.y, c.y + sy * c.x}; }

}  // namespace airy::optics
