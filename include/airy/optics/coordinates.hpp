// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Pixel-centred coordinate grids and their transforms (dLux `utils/coordinates.py`).
#pragma once

#include "airy/core/arrays.hpp"

namespace airy::optics {

/// A pair of coordinate maps on an (ny, nx) grid: x varies along columns, y along rows
/// ([y, x] indexing, +y = increasing row index). Units are those of the caller (metres for
/// pupils).
struct Coords {
  RealImage x;  ///< x coordinate of each pixel centre, shape (ny, nx)
  RealImage y;  ///< y coordinate of each pixel centre, shape (ny, nx)
};

/// 1-D pixel-centre axis: a_i = (i - (n-1)/2) * pixel_scale, i = 0..n-1 (dLux centring: odd n
/// has a sample at 0, even n has none). @throws InvalidArgument if n < 1 or pixel_scale <= 0.
[[nodiscard]] RealVector pixel_axis(int npixels, double pixel_scale);

/// Square grid of n x n pixel centres spanning `diameter` (pixel scale diameter / n), like
/// dLux `pixel_coords(n, diameter)`. @throws InvalidArgument if n < 1 or diameter <= 0.
[[nodiscard]] Coords pixel_coords(int npixels, double diameter);

/// Polar form of a grid: x <- r = hypot(x, y), y <- phi = atan2(y, x) in (-pi, pi].
[[nodiscard]] Coords to_polar(const Coords& c);

/// Coordinates relative to a new origin: (x - tx, y - ty); a shape evaluated on the result
/// moves by +t (dLux `translate_coords`).
[[nodiscard]] Coords translate(const Coords& c, double tx, double ty);

/// Rotates the coordinates counter-clockwise by `angle` radians (dLux `rotate_coords`):
/// x' = cos a x - sin a y, y' = sin a x + cos a y. A shape evaluated on the result appears
/// rotated clockwise by `angle` (+y up).
[[nodiscard]] Coords rotate(const Coords& c, double angle);

/// Scales the coordinates: (x * cx, y * cy); a shape evaluated on the result shrinks by c
/// (dLux `compress_coords`).
[[nodiscard]] Coords compress(const Coords& c, double cx, double cy);

/// Shears the coordinates: (x + sx y, y + sy x) (dLux `shear_coords` on square grids).
[[nodiscard]] Coords shear(const Coords& c, double sx, double sy);

}  // namespace airy::optics
