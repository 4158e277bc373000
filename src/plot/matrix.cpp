// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "airy/core/error.hpp"
#include "airy/plot/colormap.hpp"
#include "canvas.hpp"

namespace airy::plot {
namespace {

using detail::Axes;
using detail::Canvas;
using detail::Quad;
using detail::TextSpec;

constexpr double kOuter = 4.0, kLabelGap = 4.0, kBarGap = 8.0, kBarWidth = 7.0, kTickRoom = 4.5;

/// "0.85", "−0.12": two decimals with a typographic minus, never "−0.00".
std::string cell_text(double v) {
  std::string s = fmt::format("{:.2f}", v);
  if (s == "-0.00") s = "0.00";
  if (s[0] == '-') s = "\u2212" + s.substr(1);
  return s;
}

/// Relative luminance of an sRGB colour (Rec. 709 weights), to pick white or black text.
double luminance(Rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

/// The column labels under cells of size `cell` starting at x0, rotated by `angle` (0, 45
/// or 90 degrees), with their top at y.
std::vector<TextSpec> column_labels(const Canvas& c, const std::vector<std::string>& labels,
                                    double x0, double y, double cell, double angle) {
  const double ls = c.label_size();
  std::vector<TextSpec> out;
  for (std::size_t j = 0; j < labels.size(); ++j) {
    const double cx = x0 + (static_cast<double>(j) + 0.5) * cell;
    if (angle == 0.0) {
      out.push_back({cx, y, labels[j], ls, 0.5, 0.0});
    } else if (angle == 90.0) {
      out.push_back({cx, y, labels[j], ls, 1.0, 0.5, 90.0});
    } else {  // the middle of the label's right end under the cell centre
      const double shift = 0.5 * 0.72 * ls * std::sin(angle * M_PI / 180.0);
      out.push_back({cx - shift, y, labels[j], ls, 1.0, 0.0, angle});
    }
  }
  return out;
}

bool any_overlap(const Canvas& c, const std::vector<TextSpec>& t, double pad) {
  std::vector<Quad> q;
  for (const TextSpec& s : t) {
    const Quad b = s.box(c);
    if (detail::overlaps_any(b, q, pad)) return true;
    q.push_back(b);
  }
  return false;
}

}  // namespace

void plot_correlation(const std::string& path, const RealMatrix& m,
                      const std::vector<std::string>& labels, const MatrixOptions& opt) {
  const auto n = static_cast<int>(m.rows());
  if (n == 0 || m.cols() != n) {
    throw InvalidArgument(fmt::format("plot_correlation: {}: the matrix is {}x{}, not square", path,
                                      m.rows(), m.cols()));
  }
  if (labels.size() != static_cast<std::size_t>(n)) {
    throw InvalidArgument(fmt::format("plot_correlation: {}: {} labels for a {}x{} matrix", path,
                                      labels.size(), n, n));
  }
  const Canvas probe(opt.figure);
  const double fs = probe.tick_size(), ls = probe.label_size();
  const double width =
      opt.figure.width > 0.0 ? opt.figure.width : (n <= 6 ? kColumnWidth : kPageWidth);
  double wl = 0.0;
  for (const std::string& l : labels) wl = std::max(wl, probe.text_width(l, ls));
  const std::vector<double> bar_ticks = {-1.0, -0.5, 0.0, 0.5, 1.0};
  int exponent = 0;
  const std::vector<std::string> bar_labels = tick_labels(bar_ticks, exponent);
  double wb = 0.0;
  for (const std::string& l : bar_labels) wb = std::max(wb, probe.text_width(l, fs));
  const double left = kOuter + wl + kLabelGap;
  const double deco = kBarGap + kBarWidth + kTickRoom + wb + 3.0 + ls + kOuter;
  const double cell = (width - left - deco) / n;
  if (cell < 4.0) {
    throw InvalidArgument(fmt::format(
        "plot_correlation: {}: a figure {:.0f} pt wide leaves no room for {} parameters", path,
        width, n));
  }
  const double top = kOuter + (opt.figure.title.empty() ? 0.0 : 1.6 * ls) + 0.5 * fs;
  const Axes grid{left, top, n * cell, n * cell, 0.0, 1.0, 0.0, 1.0};
  // Column labels: horizontal when they clear each other, else slanted, else vertical.
  std::vector<TextSpec> columns;
  for (double angle : {0.0, 45.0, 90.0}) {
    columns = column_labels(probe, labels, left, grid.y + grid.h + kLabelGap, cell, angle);
    if (!any_overlap(probe, columns, 1.0)) break;
  }
  double bottom = grid.y + grid.h + kLabelGap;
  for (const TextSpec& t : columns) bottom = std::max(bottom, detail::bounds(t.box(probe))[3]);
  const double height = std::max(bottom, top + grid.h) + kOuter;

  Canvas c(path, width, height, opt.figure);
  if (!opt.figure.title.empty()) {
    c.text(0.5 * width, kOuter, opt.figure.title, 1.25 * ls, 0.5, 0.0, 0.0, true);
  }
  cairo_t* cr = c.cr();
  const std::string widest = "\u22120.00";
  const bool values = opt.values && probe.text_width(widest, fs) <= cell - 2.0 && fs <= cell - 2.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) {
      const double v = m(i, j);
      const Rgb col = colormap_lookup(Colormap::kRdBu, 0.5 + 0.5 * std::clamp(v, -1.0, 1.0));
      const double x = left + j * cell, y = top + i * cell;  // row i from the top
      c.color(col);
      cairo_rectangle(cr, x, y, cell, cell);
      cairo_fill(cr);
      if (values && std::isfinite(v)) {
        const Rgb ink = luminance(col) < 0.45 ? Rgb{1, 1, 1} : Rgb{0, 0, 0};
        c.text(x + 0.5 * cell, y + 0.5 * cell, cell_text(v), fs, 0.5, 0.5, 0.0, false, ink);
      }
    }
  }
  detail::draw_frame(c, grid);
  for (int i = 0; i < n; ++i) {
    c.text(left - kLabelGap, top + (i + 0.5) * cell, labels[static_cast<std::size_t>(i)], ls, 1.0,
           0.5);
  }
  for (const TextSpec& t : columns) t.draw(c);
  // Colour bar on [-1, 1].
  const Axes bar{left + grid.w + kBarGap, top, kBarWidth, grid.h, 0.0, 1.0, -1.0, 1.0};
  std::vector<std::uint32_t> grad(256);
  for (int k = 0; k < 256; ++k) {
    grad[static_cast<std::size_t>(255 - k)] =
        detail::argb(colormap_lookup(Colormap::kRdBu, k / 255.0));
  }
  detail::draw_pixels(c, bar, grad, 1, 256, true);
  detail::draw_frame(c, bar);
  std::vector<Quad> taken;
  for (std::size_t k = 0; k < bar_ticks.size(); ++k) {
    const double yy = bar.py(bar_ticks[k]);
    const Quad q = c.text_quad(bar.x + bar.w + kTickRoom, yy, bar_labels[k], fs, 0.0, 0.5);
    if (detail::overlaps_any(q, taken, 1.5)) continue;
    taken.push_back(q);
    c.line(bar.x + bar.w, yy, bar.x + bar.w + 3.0, yy, {0, 0, 0}, 0.6);
    c.text(bar.x + bar.w + kTickRoom, yy, bar_labels[k], fs, 0.0, 0.5);
  }
  c.text(bar.x + bar.w + kTickRoom + wb + 3.0, bar.y + 0.5 * bar.h, opt.colorbar_label, ls, 0.5,
         0.0, 90.0);
  c.save();
}

}  // namespace airy::plot
