// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/corner.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "airy/core/error.hpp"
#include "canvas.hpp"
#include "corner_layout.hpp"
#include "density.hpp"
#include "draws_access.hpp"

namespace airy::plot {
namespace {

using detail::Axes;
using detail::Canvas;
using detail::Side;

constexpr Rgb kInk{0.12, 0.12, 0.15};
constexpr Rgb kTruth{0.275, 0.510, 0.706};  // corner.py's #4682b4
constexpr Rgb kFill{0.20, 0.33, 0.55};

/// Everything drawn about one parameter.
struct Marginal {
  std::vector<double> v;  ///< pooled, scaled draws
  double mean = 0.0, sd = 0.0, lo = 0.0, hi = 1.0;
  std::optional<double> truth;  ///< scaled
};

Marginal marginal(std::vector<double> v, const ParameterDisplay& p) {
  Marginal m;
  m.v = std::move(v);
  const auto n = static_cast<double>(m.v.size());
  m.mean = std::accumulate(m.v.begin(), m.v.end(), 0.0) / n;
  double ss = 0.0;
  for (double x : m.v) ss += (x - m.mean) * (x - m.mean);
  m.sd = std::sqrt(ss / std::max(1.0, n - 1.0));
  m.lo = detail::quantile(m.v, 0.002);
  m.hi = detail::quantile(m.v, 0.998);
  if (p.truth) {
    m.truth = *p.truth * p.scale;
    m.lo = std::min(m.lo, *m.truth);
    m.hi = std::max(m.hi, *m.truth);
  }
  detail::padded_limits(m.lo, m.hi, 0.08);
  return m;
}

void draw_histogram(const Canvas& c, const Axes& a, const Marginal& m, int bins) {
  const std::vector<double> h = detail::histogram(m.v, m.lo, m.hi, bins);
  const double peak = *std::max_element(h.begin(), h.end());
  Axes ax = a;
  ax.y0 = 0.0;
  ax.y1 = peak > 0 ? 1.1 * peak : 1.0;
  cairo_t* cr = c.cr();
  cairo_save(cr);
  ax.clip(cr);
  const double bw = (m.hi - m.lo) / bins;
  // Filled then stepped outline, as corner.py's histtype="step" with a light fill.
  cairo_move_to(cr, ax.px(m.lo), ax.py(0));
  for (int b = 0; b < bins; ++b) {
    cairo_line_to(cr, ax.px(m.lo + b * bw), ax.py(h[b]));
    cairo_line_to(cr, ax.px(m.lo + (b + 1) * bw), ax.py(h[b]));
  }
  cairo_line_to(cr, ax.px(m.hi), ax.py(0));
  cairo_close_path(cr);
  c.color(kFill, 0.15);
  cairo_fill_preserve(cr);
  c.color(kInk);
  cairo_set_line_width(cr, 0.9);
  cairo_stroke(cr);
  const double top = ax.y, bottom = ax.y + ax.h;
  c.line(ax.px(m.mean), top, ax.px(m.mean), bottom, kInk, 0.7, 0.0);
  c.line(ax.px(m.mean - m.sd), top, ax.px(m.mean - m.sd), bottom, kInk, 0.6, 2.0);
  c.line(ax.px(m.mean + m.sd), top, ax.px(m.mean + m.sd), bottom, kInk, 0.6, 2.0);
  if (m.truth) c.line(ax.px(*m.truth), top, ax.px(*m.truth), bottom, kTruth, 1.2);
  cairo_restore(cr);
}

void draw_pair(const Canvas& c, const Axes& a, const Marginal& mx, const Marginal& my,
               const CornerOptions& opt) {
  detail::Grid g = detail::histogram2d(mx.v, my.v, mx.lo, mx.hi, my.lo, my.hi, opt.bins_2d);
  detail::gaussian_smooth(g, opt.smooth);
  std::vector<double> levels = opt.levels;
  std::sort(levels.begin(), levels.end());
  const std::vector<double> thr = detail::mass_levels(g, levels);  // inner first
  cairo_t* cr = c.cr();
  cairo_save(cr);
  a.clip(cr);
  // Shading: the grid upsampled bilinearly so filled regions follow the contour lines.
  const int up = 6, nx = g.nx * up, ny = g.ny * up;
  std::vector<std::uint32_t> pix(static_cast<std::size_t>(nx) * ny, 0u);
  auto density_at = [&](double fx, double fy) {  // fractional cell-centre coordinates
    fx = std::clamp(fx, 0.0, g.nx - 1.0);
    fy = std::clamp(fy, 0.0, g.ny - 1.0);
    const int i = std::min(static_cast<int>(fx), g.nx - 2),
              j = std::min(static_cast<int>(fy), g.ny - 2);
    const double u = fx - i, w = fy - j;
    return (1 - u) * (1 - w) * g.at(i, j) + u * (1 - w) * g.at(i + 1, j) +
           u * w * g.at(i + 1, j + 1) + (1 - u) * w * g.at(i, j + 1);
  };
  for (int py = 0; py < ny; ++py) {
    for (int px = 0; px < nx; ++px) {
      const double fx = (px + 0.5) / up - 0.5, fy = (ny - 1 - py + 0.5) / up - 0.5;
      const double d = density_at(fx, fy);
      double alpha = 0.0;
      for (std::size_t k = 0; k < thr.size(); ++k) {
        if (d >= thr[k]) alpha = std::max(alpha, 0.55 - 0.3 * static_cast<double>(k));
      }
      if (alpha > 0) pix[static_cast<std::size_t>(py) * nx + px] = detail::argb(kFill, alpha);
    }
  }
  if (opt.show_points && !thr.empty()) {
    const double outer = *std::min_element(thr.begin(), thr.end());
    const std::size_t stride = std::max<std::size_t>(1, mx.v.size() / opt.max_points);
    c.color(kInk, 0.35);
    for (std::size_t i = 0; i < mx.v.size(); i += stride) {
      const double fx = (mx.v[i] - mx.lo) / (mx.hi - mx.lo) * g.nx - 0.5;
      const double fy = (my.v[i] - my.lo) / (my.hi - my.lo) * g.ny - 0.5;
      if (density_at(fx, fy) >= outer) continue;
      cairo_arc(cr, a.px(mx.v[i]), a.py(my.v[i]), 0.45, 0, 2 * M_PI);
      cairo_fill(cr);
    }
  }
  detail::draw_pixels(c, a, pix, nx, ny, true);
  c.color(kInk);
  cairo_set_line_width(cr, 0.8);
  for (double t : thr) {
    for (const auto& s : detail::contour_segments(g, t)) {
      cairo_move_to(cr, a.px(s[0]), a.py(s[1]));
      cairo_line_to(cr, a.px(s[2]), a.py(s[3]));
    }
  }
  cairo_stroke(cr);
  if (mx.truth) c.line(a.px(*mx.truth), a.y, a.px(*mx.truth), a.y + a.h, kTruth, 1.0);
  if (my.truth) c.line(a.x, a.py(*my.truth), a.x + a.w, a.py(*my.truth), kTruth, 1.0);
  if (mx.truth && my.truth) {
    c.color(kTruth);
    cairo_arc(cr, a.px(*mx.truth), a.py(*my.truth), 2.0, 0, 2 * M_PI);
    cairo_fill(cr);
  }
  cairo_restore(cr);
}

}  // namespace

void plot_corner(const std::string& path, const infer::Run& run,
                 const std::vector<ParameterDisplay>& shown, const CornerOptions& opt) {
  const std::vector<int> cols = detail::resolve_columns(run, shown, "plot_corner: " + path);
  const std::vector<ParameterDisplay> params = detail::resolved(shown);
  std::vector<Marginal> m;
  std::vector<detail::CornerAxis> axes;
  for (std::size_t k = 0; k < params.size(); ++k) {
    std::vector<double> v = detail::pooled(run, cols[k], params[k].scale);
    if (v.size() < 2) {
      throw InvalidArgument(fmt::format("plot_corner: {}: fewer than 2 post-warmup draws", path));
    }
    m.push_back(marginal(std::move(v), params[k]));
    // The title's numbers are the ones the solid and dashed lines mark.
    axes.push_back({m.back().lo, m.back().hi, params[k].label, params[k].short_label,
                    params[k].unit, format_mean_sd(m.back().mean, m.back().sd)});
  }
  const int n = static_cast<int>(params.size());
  const double width =
      opt.figure.width > 0.0 ? opt.figure.width : (n <= 3 ? kColumnWidth : kPageWidth);
  const detail::CornerLayout layout =
      detail::corner_layout(Canvas(opt.figure), axes, width, opt.titles, opt.figure.title);
  Canvas c(path, layout.width, layout.height, opt.figure);
  for (int row = 0; row < n; ++row) {
    for (int col = 0; col <= row; ++col) {
      const Axes a = layout.axes(row, col);
      if (row == col) {
        draw_histogram(c, a, m[col], opt.bins_1d);
      } else {
        draw_pair(c, a, m[col], m[row], opt);
      }
      detail::draw_frame(c, a);
    }
  }
  detail::draw_corner_text(c, layout);
  c.save();
}

}  // namespace airy::plot
