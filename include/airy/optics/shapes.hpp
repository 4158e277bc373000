// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Aperture shapes (circle, annulus, square, rectangle, regular polygon, hexagon, spider)
/// as signed distances, hard masks, soft (anti-aliased) masks, and dLux's `combine`.
#pragma once

#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/optics/coordinates.hpp"

namespace airy::optics {

/// Which geometry a Shape describes.
enum class ShapeKind { kCircle, kAnnulus, kSquare, kRectangle, kRegularPolygon, kSpider };

/// One aperture shape in the pupil plane (lengths in metres, angles in degrees).
///
/// Transmission is 1 inside the shape and 0 outside (the reverse when `invert`). A spider
/// transmits *outside* its arms (dLux `spider`, occulting). Placement: the shape is first
/// rotated counter-clockwise by `rotation_deg` about its own centre, then centred at
/// (`x0`, `y0`). Points exactly on an edge are outside (strict inequalities, as dLux).
struct Shape {
  ShapeKind kind = ShapeKind::kCircle;
  double radius = 0.0;        ///< circle / annulus outer radius / polygon circumradius (m)
  double inner_radius = 0.0;  ///< annulus inner radius (m)
  double width = 0.0;         ///< square side, rectangle extent along x, spider arm width (m)
  double height = 0.0;        ///< rectangle extent along y (m)
  int nsides = 0;             ///< regular polygon sides (>= 3)
  std::vector<double> arm_angles_deg;  ///< spider: one half-line arm per angle, dLux spider
                                       ///< convention: 0 points to -y, 90 to -x (clockwise)
  double x0 = 0.0, y0 = 0.0;           ///< centre (m)
  double rotation_deg = 0.0;           ///< counter-clockwise rotation (deg)
  bool invert = false;                 ///< swap inside and outside (e.g. an obscuration)

  /// Circle of `radius` m. @throws InvalidArgument if radius <= 0.
  static Shape circle(double radius);
  /// Annulus inner_radius < r < outer_radius. @throws InvalidArgument unless 0 <= in < out.
  static Shape annulus(double inner_radius, double outer_radius);
  /// Square of side `width` m, sides along x and y.
  static Shape square(double width);
  /// Rectangle `width` (along x) by `height` (along y), in metres.
  static Shape rectangle(double width, double height);
  /// Regular polygon with circumradius `rmax` m and a vertex on -x (dLux `reg_polygon`).
  static Shape regular_polygon(int nsides, double rmax);
  /// Hexagon with circumradius `rmax` m: vertices on +-x, flat top and bottom.
  static Shape hexagon(double rmax);
  /// Spider of half-line arms of width `width` m from the centre, one per angle (deg).
  static Shape spider(double width, std::vector<double> arm_angles_deg);

  /// Copy centred at (x, y) metres.
  [[nodiscard]] Shape at(double x, double y) const;
  /// Copy rotated counter-clockwise by `deg` degrees.
  [[nodiscard]] Shape rotated(double deg) const;
  /// Copy with inside and outside swapped.
  [[nodiscard]] Shape inverted() const;
};

/// Signed distance to the transmitting region's edge, negative where the shape transmits,
/// in metres (exact Euclidean distance for circles/annuli, the max of edge-line distances
/// for polygons as in dLux). Shape (ny, nx) of `coords`.
[[nodiscard]] RealImage signed_distance(const Shape& shape, const Coords& coords);

/// Hard-edged transmission: 1 where signed_distance < 0, else 0.
[[nodiscard]] RealImage hard_mask(const Shape& shape, const Coords& coords);

/// Anti-aliased transmission: clip(-d / (2 clip_dist) + 1/2, 0, 1), a linear ramp of width
/// 2 clip_dist (m) centred on the edge (dLux `soft_*` when both clip limits occur).
/// @throws InvalidArgument if clip_dist <= 0.
[[nodiscard]] RealImage soft_mask(const Shape& shape, const Coords& coords, double clip_dist);

/// dLux `combine(arrays, oversample)`: the product of `masks`, then the mean over
/// non-overlapping oversample x oversample blocks. @throws InvalidArgument on shape mismatch
/// or a size not divisible by `oversample`.
[[nodiscard]] RealImage combine(const std::vector<RealImage>& masks, int oversample);

/// Mean (sum = false) or sum over non-overlapping k x k blocks of a (k ny, k nx) image.
[[nodiscard]] RealImage downsample(const RealImage& image, int k, bool sum);

/// Transmission of the product of `shapes` on an npixels x npixels pupil of `diameter` m,
/// soft-edged by evaluating hard masks on a grid `oversample` times finer and averaging
/// (the dLux tutorial recipe: pixel_coords(5N, D) -> hard shapes -> combine(..., 5)).
[[nodiscard]] RealImage aperture_transmission(const std::vector<Shape>& shapes, int npixels,
                                              double diameter, int oversample);

/// As aperture_transmission but with the analytic anti-aliased edge (soft_mask with
/// clip_dist = softening * pixel_scale / 2, i.e. a ramp `softening` pixels wide).
[[nodiscard]] RealImage soft_aperture_transmission(const std::vector<Shape>& shapes, int npixels,
                                                   double diameter, double softening);

}  // namespace airy::optics
