// SPDX-License-Identifier: BSD-3-Clause
// Private: rectangles and rotated text boxes on a canvas (points, y downwards), and whether
// two of them overlap, for laying out labels by their measured extents.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace airy::plot::detail {

/// A point on the canvas (points, y grows downwards).
struct Point {
  double x = 0.0, y = 0.0;
};

/// A convex quadrilateral, corners in order around it: the ink box of a (possibly rotated)
/// text, or an axis-aligned rectangle.
struct Quad {
  std::array<Point, 4> p{};
};

/// The axis-aligned rectangle with top-left (x, y) and size w x h.
Quad rect_quad(double x, double y, double w, double h);

/// Whether `a` and `b` come closer than `pad` points along every separating direction (the
/// edge normals of both; separating-axis theorem for convex polygons). pad = 0: they
/// intersect (touching edges do not count).
bool overlaps(const Quad& a, const Quad& b, double pad = 0.0);

/// True when `q` overlaps any of `others` (closer than `pad`).
bool overlaps_any(const Quad& q, const std::vector<Quad>& others, double pad = 0.0);

/// Axis-aligned bounds of a quad: {x0, y0, x1, y1}.
std::array<double, 4> bounds(const Quad& q);

/// One text as drawn: its string, size (points) and ink box.
struct DrawnText {
  std::string text;
  double size = 0.0;
  Quad box;
};

/// Everything a canvas drew that a layout test checks: the texts, the axes frames and the
/// canvas size (points).
struct DrawLog {
  double width = 0.0, height = 0.0;
  std::vector<DrawnText> texts;
  std::vector<Quad> frames;
};

/// Test hook: while `log` is not null, every canvas created afterwards records into it
/// (replacing its contents at construction). Not thread-safe; for tests only.
void set_draw_log(DrawLog* log);
/// The log set by set_draw_log (null when none).
DrawLog* draw_log();

}  // namespace airy::plot::detail
