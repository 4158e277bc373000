// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/shapes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"

namespace airy::optics {
namespace {

// dLux `line_distance` for the polygon edge through (x0, y0) with gradient m.
RealImage line_distance(const Coords& c, double m, double x0, double y0) {
  if (m == 0.0) return -std::copysign(1.0, y0) * (y0 - c.y);
  if (!std::isfinite(m)) return -std::copysign(1.0, x0) * (x0 - c.x);
  const double s = (y0 - m * x0) >= 0 ? 1.0 : -1.0;
  return -s * (m * c.x - c.y + y0 - m * x0) / std::sqrt(m * m + 1.0);
}

RealImage polygon_distance(const Coords& c, int nsides, double rmax) {
  std::vector<double> xs(nsides + 1), ys(nsides + 1);
  for (int k = 0; k < nsides; ++k) {
    const double t = -std::numbers::pi + 2.0 * std::numbers::pi * k / nsides;
    xs[k] = rmax * std::cos(t);
    ys[k] = rmax * std::sin(t);
  }
  xs[nsides] = xs[0];
  ys[nsides] = ys[0];
  RealImage d = RealImage::Constant(c.x.rows(), c.x.cols(), -std::numeric_limits<double>::max());
  for (int k = 0; k < nsides; ++k) {
    const double dx = xs[k + 1] - xs[k], dy = ys[k + 1] - ys[k];
    const double m = dx == 0.0 ? std::numeric_limits<double>::infinity() : dy / dx;
    d = d.max(line_distance(c, m, xs[k], ys[k]));
  }
  return d;
}

RealImage spider_distance(const Coords& c, double width, const std::vector<double>& angles) {
  // Each arm: max(|x'| - w/2, y') < 0 on dLux-rotated coordinates; transmitting region is
  // outside every arm, so d = -min_a arm_a.
  RealImage m = RealImage::Constant(c.x.rows(), c.x.cols(), std::numeric_limits<double>::max());
  for (double a : angles) {
    const Coords r = rotate(c, units::deg_to_rad(a));
    m = m.min((r.x.abs() - 0.5 * width).max(r.y));
  }
  return -m;
}

}  // namespace

Shape Shape::circle(double radius) {
  check_positive("Shape::circle", "radius", radius);
  Shape s;
  s.kind = ShapeKind::kCircle;
  s.radius = radius;
  return s;
}

Shape Shape::annulus(double inner_radius, double outer_radius) {
  check_nonnegative("Shape::annulus", "inner_radius", inner_radius);
  check_positive("Shape::annulus", "outer_radius", outer_radius);
  if (!(inner_radius < outer_radius)) {
    throw InvalidArgument(
        format_invalid("Shape::annulus", "inner_radius", inner_radius, "must be < outer_radius"));
  }
  Shape s;
  s.kind = ShapeKind::kAnnulus;
  s.radius = outer_radius;
  s.inner_radius = inner_radius;
  return s;
}

Shape Shape::square(double width) {
  check_positive("Shape::square", "width", width);
  Shape s;
  s.kind = ShapeKind::kSquare;
  s.width = width;
  return s;
}

Shape Shape::rectangle(double width, double height) {
  check_positive("Shape::rectangle", "width", width);
  check_positive("Shape::rectangle", "height", height);
  Shape s;
  s.kind = ShapeKind::kRectangle;
  s.width = width;
  s.height = height;
  return s;
}

Shape Shape::regular_polygon(int nsides, double rmax) {
  if (nsides < 3) {
    throw InvalidArgument(
        format_invalid("Shape::regular_polygon", "nsides", nsides, "must be >= 3"));
  }
  check_positive("Shape::regular_polygon", "rmax", rmax);
  Shape s;
  s.kind = ShapeKind::kRegularPolygon;
  s.nsides = nsides;
  s.radius = rmax;
  return s;
}

Shape Shape::hexagon(double rmax) { return regular_polygon(6, rmax); }

Shape Shape::spider(double width, std::vector<double> arm_angles_deg) {
  check_positive("Shape::spider", "width", width);
  for (double a : arm_angles_deg) check_finite("Shape::spider", "arm_angles_deg", a);
  Shape s;
  s.kind = ShapeKind::kSpider;
  s.width = width;
  s.arm_angles_deg = std::move(arm_angles_deg);
  return s;
}

Shape Shape::at(double x, double y) const {
  check_finite("Shape::at", "x", x);
  check_finite("Shape::at", "y", y);
  Shape s = *this;
  s.x0 = x;
  s.y0 = y;
  return s;
}

Shape Shape::rotated(double deg) const {
  check_finite("Shape::rotated", "deg", deg);
  Shape s = *this;
  s.rotation_deg += deg;
  return s;
}

Shape Shape::inverted() const {
  Shape s = *this;
  s.invert = !s.invert;
  return s;
}

RealImage signed_distance(const Shape& shape, const Coords& coords) {
  Coords c = (shape.x0 != 0.0 || shape.y0 != 0.0) ? translate(coords, shape.x0, shape.y0) : coords;
  // A counter-clockwise shape rotation = evaluating on coordinates rotated clockwise.
  if (shape.rotation_deg != 0.0) c = rotate(c, -units::deg_to_rad(shape.rotation_deg));
  RealImage d;
  switch (shape.kind) {
    case ShapeKind::kCircle:
      d = (c.x.square() + c.y.square()).sqrt() - shape.radius;
      break;
    case ShapeKind::kAnnulus: {
      const RealImage r = (c.x.square() + c.y.square()).sqrt();
      d = (r - shape.radius).max(shape.inner_radius - r);
      break;
    }
    case ShapeKind::kSquare:
      d = c.x.abs().max(c.y.abs()) - 0.5 * shape.width;
      break;
    case ShapeKind::kRectangle:
      d = (c.x.abs() - 0.5 * shape.width).max(c.y.abs() - 0.5 * shape.height);
      break;
    case ShapeKind::kRegularPolygon:
      d = polygon_distance(c, shape.nsides, shape.radius);
      break;
    case ShapeKind::kSpider:
      d = spider_distance(c, shape.width, shape.arm_angles_deg);
      break;
  }
  if (shape.invert) d = -d;
  return d;
}

RealImage hard_mask(const Shape& shape, const Coords& coords) {
  return (signed_distance(shape, coords) < 0.0).cast<double>();
}

RealImage soft_mask(const Shape& shape, const Coords& coords, double clip_dist) {
  check_positive("soft_mask", "clip_dist", clip_dist);
  return (-signed_distance(shape, coords) / (2.0 * clip_dist) + 0.5).max(0.0).min(1.0);
}

RealImage downsample(const RealImage& image, int k, bool sum) {
  check_positive("downsample", "k", k);
  if (image.rows() % k != 0 || image.cols() % k != 0) {
    throw_invalid("downsample", "k", "image size must be divisible by k");
  }
  const Eigen::Index ny = image.rows() / k, nx = image.cols() / k;
  RealImage out(ny, nx);
  for (Eigen::Index i = 0; i < ny; ++i) {
    for (Eigen::Index j = 0; j < nx; ++j) out(i, j) = image.block(i * k, j * k, k, k).sum();
  }
  if (!sum) out /= static_cast<double>(k) * k;
  return out;
}

RealImage combine(const std::vector<RealImage>& masks, int oversample) {
  if (masks.empty()) throw_invalid("combine", "masks", "must not be empty");
  RealImage prod = masks[0];
  for (std::size_t i = 1; i < masks.size(); ++i) {
    if (masks[i].rows() != prod.rows() || masks[i].cols() != prod.cols()) {
      throw_invalid("combine", "masks", "all masks must have the same shape");
    }
    prod *= masks[i];
  }
  return oversample == 1 ? prod : downsample(prod, oversample, false);
}

RealImage aperture_transmission(const std::vector<Shape>& shapes, int npixels, double diameter,
                                int oversample) {
  check_positive("aperture_transmission", "oversample", oversample);
  const Coords c = pixel_coords(npixels * oversample, diameter);
  std::vector<RealImage> masks;
  for (const Shape& s : shapes) masks.push_back(hard_mask(s, c));
  if (masks.empty()) masks.push_back(RealImage::Ones(c.x.rows(), c.x.cols()));
  return combine(masks, oversample);
}

RealImage soft_aperture_transmission(const std::vector<Shape>& shapes, int npixels, double diameter,
                                     double softening) {
  check_positive("soft_aperture_transmission", "softening", softening);
  const Coords c = pixel_coords(npixels, diameter);
  const double clip = 0.5 * softening * diameter / npixels;
  RealImage t = RealImage::Ones(npixels, npixels);
  for (const Shape& s : shapes) t *= soft_mask(s, c, clip);
  return t;
}

}  // namespace airy::optics
