// SPDX-License-Identifier: BSD-3-Clause
#include "density.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace airy::plot::detail {

double quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(std::floor(pos));
  const double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] + f * (v[i + 1] - v[i]) : v[i];
}

std::vector<double> histogram(const std::vector<double>& v, double lo, double hi, int bins) {
  std::vector<double> h(static_cast<std::size_t>(bins), 0.0);
  for (double x : v) {
    if (!(x >= lo && x <= hi)) continue;
    const int b = std::min(bins - 1, static_cast<int>((x - lo) / (hi - lo) * bins));
    h[static_cast<std::size_t>(b)] += 1.0;
  }
  return h;
}

Grid histogram2d(const std::vector<double>& x, const std::vector<double>& y, double x0, double x1,
                 double y0, double y1, int bins) {
  Grid g{bins, bins, x0, x1, y0, y1, std::vector<double>(static_cast<std::size_t>(bins) * bins)};
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!(x[i] >= x0 && x[i] <= x1 && y[i] >= y0 && y[i] <= y1)) continue;
    const int ix = std::min(bins - 1, static_cast<int>((x[i] - x0) / (x1 - x0) * bins));
    const int iy = std::min(bins - 1, static_cast<int>((y[i] - y0) / (y1 - y0) * bins));
    g.data[static_cast<std::size_t>(iy) * bins + ix] += 1.0;
  }
  return g;
}

void gaussian_smooth(Grid& g, double sigma) {
  if (!(sigma > 0.0)) return;
  const int r = static_cast<int>(std::ceil(4.0 * sigma));
  std::vector<double> k(static_cast<std::size_t>(2 * r + 1));
  for (int i = -r; i <= r; ++i)
    k[static_cast<std::size_t>(i + r)] = std::exp(-0.5 * i * i / (sigma * sigma));
  const double s = std::accumulate(k.begin(), k.end(), 0.0);
  for (double& w : k) w /= s;
  std::vector<double> tmp(g.data.size(), 0.0);
  for (int iy = 0; iy < g.ny; ++iy) {
    for (int ix = 0; ix < g.nx; ++ix) {
      double acc = 0.0;
      for (int j = -r; j <= r; ++j) {
        const int xx = ix + j;
        if (xx >= 0 && xx < g.nx) acc += k[static_cast<std::size_t>(j + r)] * g.at(xx, iy);
      }
      tmp[static_cast<std::size_t>(iy) * g.nx + ix] = acc;
    }
  }
  for (int iy = 0; iy < g.ny; ++iy) {
    for (int ix = 0; ix < g.nx; ++ix) {
      double acc = 0.0;
      for (int j = -r; j <= r; ++j) {
        const int yy = iy + j;
        if (yy >= 0 && yy < g.ny) {
          acc += k[static_cast<std::size_t>(j + r)] * tmp[static_cast<std::size_t>(yy) * g.nx + ix];
        }
      }
      g.data[static_cast<std::size_t>(iy) * g.nx + ix] = acc;
    }
  }
}

std::vector<double> mass_levels(const Grid& g, const std::vector<double>& levels) {
  std::vector<double> flat = g.data;
  std::sort(flat.begin(), flat.end(), std::greater<>());
  const double total = std::accumulate(flat.begin(), flat.end(), 0.0);
  std::vector<double> out;
  for (double level : levels) {
    double cum = 0.0, v = flat.empty() ? 0.0 : flat.front();
    for (double f : flat) {
      if (cum + f > level * total) break;
      cum += f;
      v = f;
    }
    out.push_back(v);
  }
  return out;
}

std::vector<std::array<double, 4>> contour_segments(const Grid& g, double level) {
  std::vector<std::array<double, 4>> segs;
  // Corners of cell (i, j): centres (i, j), (i+1, j), (i+1, j+1), (i, j+1).
  auto interp = [&](double ax, double ay, double av, double bx, double by, double bv) {
    const double t = (level - av) / (bv - av);
    return std::array<double, 2>{g.cx(ax + t * (bx - ax)), g.cy(ay + t * (by - ay))};
  };
  for (int j = 0; j + 1 < g.ny; ++j) {
    for (int i = 0; i + 1 < g.nx; ++i) {
      const double v[4] = {g.at(i, j), g.at(i + 1, j), g.at(i + 1, j + 1), g.at(i, j + 1)};
      const double cx[4] = {0, 1, 1, 0}, cy[4] = {0, 0, 1, 1};
      std::vector<std::array<double, 2>> pts;
      for (int e = 0; e < 4; ++e) {
        const int a = e, b = (e + 1) % 4;
        if ((v[a] >= level) != (v[b] >= level)) {
          pts.push_back(interp(i + cx[a], j + cy[a], v[a], i + cx[b], j + cy[b], v[b]));
        }
      }
      if (pts.size() == 2) {
        segs.push_back({pts[0][0], pts[0][1], pts[1][0], pts[1][1]});
      } else if (pts.size() == 4) {  // saddle: pair by the centre value
        const double centre = 0.25 * (v[0] + v[1] + v[2] + v[3]);
        if ((centre >= level) == (v[0] >= level)) {
          segs.push_back({pts[0][0], pts[0][1], pts[1][0], pts[1][1]});
          segs.push_back({pts[2][0], pts[2][1], pts[3][0], pts[3][1]});
        } else {
          segs.push_back({pts[0][0], pts[0][1], pts[3][0], pts[3][1]});
          segs.push_back({pts[1][0], pts[1][1], pts[2][0], pts[2][1]});
        }
      }
    }
  }
  return segs;
}

std::vector<std::size_t> decimate(const std::vector<double>& v, double per_column) {
  std::vector<std::size_t> out;
  if (!(per_column > 4.0)) {
    out.resize(v.size());
    std::iota(out.begin(), out.end(), std::size_t{0});
    return out;
  }
  std::size_t i = 0;
  while (i < v.size()) {
    if (!std::isfinite(v[i])) {
      out.push_back(i++);
      continue;
    }
    // One column: the run of finite values up to the next column boundary.
    const auto column = static_cast<std::size_t>(std::floor(static_cast<double>(i) / per_column));
    const std::size_t first = i;
    std::size_t lo = i, hi = i, last = i;
    for (; i < v.size() && std::isfinite(v[i]) &&
           static_cast<std::size_t>(std::floor(static_cast<double>(i) / per_column)) == column;
         ++i) {
      if (v[i] < v[lo]) lo = i;
      if (v[i] > v[hi]) hi = i;
      last = i;
    }
    for (std::size_t k : {first, std::min(lo, hi), std::max(lo, hi), last}) {
      if (out.empty() || k > out.back()) out.push_back(k);  // ascending, distinct
    }
  }
  return out;
}

std::vector<double> kde(const std::vector<double>& v, const std::vector<double>& at) {
  std::vector<double> out(at.size(), 0.0);
  const auto n = static_cast<double>(v.size());
  if (v.size() < 2) return out;
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double var = 0.0;
  for (double x : v) var += (x - mean) * (x - mean);
  const double sd = std::sqrt(var / (n - 1.0));
  const double h = sd > 0.0 ? sd * std::pow(n, -0.2) : 1e-12 + 1e-3 * std::abs(mean);
  const double norm = 1.0 / (n * h * std::sqrt(2.0 * M_PI));
  for (std::size_t k = 0; k < at.size(); ++k) {
    double acc = 0.0;
    for (double x : v) {
      const double z = (at[k] - x) / h;
      if (z * z < 50.0) acc += std::exp(-0.5 * z * z);
    }
    out[k] = acc * norm;
  }
  return out;
}

}  // namespace airy::plot::detail
