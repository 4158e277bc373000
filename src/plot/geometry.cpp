// SPDX-License-Identifier: BSD-3-Clause
#include "geometry.hpp"

#include <algorithm>
#include <cmath>

namespace airy::plot::detail {
namespace {

DrawLog* g_log = nullptr;

/// Projections of `q` onto the direction (nx, ny): [min, max].
std::array<double, 2> project(const Quad& q, double nx, double ny) {
  double lo = INFINITY, hi = -INFINITY;
  for (const Point& p : q.p) {
    const double v = p.x * nx + p.y * ny;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return {lo, hi};
}

/// Whether some edge normal of `edges` separates a and b by at least `pad`.
bool separated_along_edges(const Quad& edges, const Quad& a, const Quad& b, double pad) {
  for (int i = 0; i < 4; ++i) {
    const Point& p0 = edges.p[static_cast<std::size_t>(i)];
    const Point& p1 = edges.p[static_cast<std::size_t>((i + 1) % 4)];
    double nx = p0.y - p1.y, ny = p1.x - p0.x;
    const double len = std::hypot(nx, ny);
    if (len < 1e-12) continue;  // degenerate edge (empty text)
    nx /= len;
    ny /= len;
    const auto pa = project(a, nx, ny), pb = project(b, nx, ny);
    if (pa[1] + pad <= pb[0] || pb[1] + pad <= pa[0]) return true;
  }
  return false;
}

}  // namespace

Quad rect_quad(double x, double y, double w, double h) {
  return Quad{{Point{x, y}, Point{x + w, y}, Point{x + w, y + h}, Point{x, y + h}}};
}

bool overlaps(const Quad& a, const Quad& b, double pad) {
  return !separated_along_edges(a, a, b, pad) && !separated_along_edges(b, a, b, pad);
}

bool overlaps_any(const Quad& q, const std::vector<Quad>& others, double pad) {
  return std::any_of(others.begin(), others.end(),
                     [&](const Quad& o) { return overlaps(q, o, pad); });
}

std::array<double, 4> bounds(const Quad& q) {
  std::array<double, 4> b{INFINITY, INFINITY, -INFINITY, -INFINITY};
  for (const Point& p : q.p) {
    b[0] = std::min(b[0], p.x);
    b[1] = std::min(b[1], p.y);
    b[2] = std::max(b[2], p.x);
    b[3] = std::max(b[3], p.y);
  }
  return b;
}

void set_draw_log(DrawLog* log) { g_log = log; }

DrawLog* draw_log() { return g_log; }

}  // namespace airy::plot::detail
