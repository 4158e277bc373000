// SPDX-License-Identifier: BSD-3-Clause
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "airy/core/error.hpp"
#include "airy/plot/corner.hpp"
#include "canvas.hpp"
#include "density.hpp"
#include "draws_access.hpp"

namespace airy::plot {
namespace {

using detail::Axes;
using detail::Canvas;
using detail::Side;
using detail::TextSpec;

// Truths in black, dashed: corner.py's steel blue would read as chain 1 (tab10 blue).
constexpr Rgb kTruth{0.0, 0.0, 0.0};
constexpr double kTruthDash = 2.5;
constexpr double kOuter = 4.0, kTickRoom = 4.5, kColGap = 8.0;

/// One row's values: each chain's series (warmup first when included) and the value range.
struct Row {
  std::vector<std::vector<double>> series;
  double lo = INFINITY, hi = -INFINITY;
  std::optional<double> truth;  ///< scaled
};

Row collect(const infer::Run& run, int col, const ParameterDisplay& p, bool warmup) {
  Row r;
  for (const infer::Chain& ch : run.chains) {
    std::vector<double> s;
    const Eigen::Index start = warmup ? 0 : ch.num_warmup_saved;
    for (Eigen::Index i = start; i < ch.draws.rows(); ++i) {
      const double v = p.scale * ch.draws(i, col);
      s.push_back(v);
      if (std::isfinite(v)) r.lo = std::min(r.lo, v), r.hi = std::max(r.hi, v);
    }
    r.series.push_back(std::move(s));
  }
  if (p.truth) {
    r.truth = *p.truth * p.scale;
    r.lo = std::min(r.lo, *r.truth), r.hi = std::max(r.hi, *r.truth);
  }
  if (!std::isfinite(r.lo)) r.lo = 0.0, r.hi = 1.0;
  detail::padded_limits(r.lo, r.hi, 0.06);
  return r;
}

/// The legend items (chains, divergences, truth) left to right, wrapped to `width`; returns
/// the y below the legend.
double draw_legend(const Canvas& c, const infer::Run& run, bool truth, double x0, double y,
                   double width) {
  const double ls = c.label_size(), line_h = 1.4 * ls;
  double x = x0;
  auto item = [&](const std::string& label, auto&& mark) {
    const double w = 17.0 + c.text_width(label, ls);
    if (x > x0 && x + w > width - kOuter) x = x0, y += line_h;
    mark(x, y + 0.5 * ls);
    c.text(x + 17.0, y + 0.5 * ls, label, ls, 0.0, 0.5);
    x += w + 10.0;
  };
  for (std::size_t k = 0; k < run.chains.size(); ++k) {
    const Rgb col = category_color(static_cast<int>(k));
    item(fmt::format("chain {}", run.chains[k].id),
         [&](double lx, double ly) { c.line(lx, ly, lx + 14.0, ly, col, 1.5); });
  }
  item("divergent", [&](double lx, double ly) {
    c.line(lx + 7, ly - 0.5 * ls, lx + 7, ly + 0.5 * ls, {}, 1.0);
  });
  if (truth) {
    item("truth",
         [&](double lx, double ly) { c.line(lx, ly, lx + 14.0, ly, kTruth, 0.9, kTruthDash); });
  }
  return y + line_h;
}

void draw_series(const Canvas& c, const Axes& t, const std::vector<double>& s, int x0,
                 double per_column, Rgb color) {
  cairo_t* cr = c.cr();
  c.color(color, 0.75);
  bool pen = false;
  for (std::size_t i : detail::decimate(s, per_column)) {
    if (!std::isfinite(s[i])) {
      pen = false;
      continue;
    }
    const double px = t.px(x0 + static_cast<double>(i)), py = t.py(s[i]);
    pen ? cairo_line_to(cr, px, py) : cairo_move_to(cr, px, py);
    pen = true;
  }
  cairo_stroke(cr);
}

}  // namespace

void plot_trace(const std::string& path, const infer::Run& run,
                const std::vector<ParameterDisplay>& shown, const TraceOptions& opt) {
  const std::vector<int> cols = detail::resolve_columns(run, shown, "plot_trace: " + path);
  const std::vector<ParameterDisplay> params = detail::resolved(shown);
  const int n = static_cast<int>(params.size());
  int max_draws = 0, max_warm = 0;
  for (const infer::Chain& ch : run.chains) {
    max_draws = std::max(max_draws, ch.num_draws());
    max_warm = std::max(max_warm, ch.num_warmup_saved);
  }
  if (max_draws < 2) {
    throw InvalidArgument(fmt::format("plot_trace: {}: fewer than 2 post-warmup draws", path));
  }
  std::vector<Row> rows;
  bool any_truth = false;
  for (int r = 0; r < n; ++r) {
    rows.push_back(collect(run, cols[r], params[r], opt.include_warmup));
    any_truth = any_truth || rows.back().truth.has_value();
  }
  const int first = opt.include_warmup ? -max_warm : 0;  // iteration of the first x

  // Geometry: labels above each row, value ticks at the left, iteration ticks under the
  // last row; all texts measured so that they fit the width.
  const Canvas probe(opt.figure);
  const double fs = probe.tick_size(), ls = probe.label_size();
  const double width = opt.figure.width > 0.0 ? opt.figure.width : kPageWidth;
  double wy = 0.0;
  for (const Row& row : rows) {
    int e = 0;
    for (const auto& s : tick_labels(nice_ticks(row.lo, row.hi, 4), e)) {
      wy = std::max(wy, probe.text_width(s, fs));
    }
  }
  const double left = kOuter + wy + kTickRoom;
  const double avail = width - left - kOuter - kColGap;
  if (avail < 40.0) {
    throw InvalidArgument(
        fmt::format("plot_trace: {}: a figure {:.0f} pt wide is too narrow", path, width));
  }
  const double dens_w = opt.density_fraction * avail, trace_w = avail - dens_w;
  const double label_h = ls + 3.0, row_pitch = label_h + opt.row_height + 3.0;

  // Legend and rows drawn on a canvas whose height follows from the legend's lines.
  double legend_y = kOuter + (opt.figure.title.empty() ? 0.0 : 1.6 * ls);
  double legend_h = 0.0;
  {
    const Canvas measure(opt.figure);
    legend_h = draw_legend(measure, run, any_truth, left, legend_y, width) - legend_y;
  }
  const double top = legend_y + legend_h + label_h;
  const double height =
      top + (n - 1) * row_pitch + opt.row_height + kTickRoom + fs + 3.0 + 1.1 * ls + kOuter;
  Canvas c(path, width, height, opt.figure);
  if (!opt.figure.title.empty()) {
    c.text(0.5 * width, kOuter, opt.figure.title, 1.25 * ls, 0.5, 0.0, 0.0, true);
  }
  draw_legend(c, run, any_truth, left, legend_y, width);

  // Draws per device pixel column: PNG pixels, or 4 columns per point for vector output.
  const double columns_per_pt = path.ends_with(".png") ? opt.figure.dpi / 72.0 : 4.0;
  const double per_column = (max_draws - first) / (trace_w * columns_per_pt);
  cairo_t* cr = c.cr();
  std::vector<detail::Quad> taken;
  const Axes bottom{left,
                    top + (n - 1) * row_pitch,
                    trace_w,
                    opt.row_height,
                    static_cast<double>(first),
                    static_cast<double>(max_draws - 1),
                    0.0,
                    1.0};
  const std::vector<double> xt =
      detail::fitting_ticks(c, bottom, Side::kBottom, bottom.x0, bottom.x1, 6, 0.0, {}, 3.0, 0.0);
  for (int r = 0; r < n; ++r) {
    const Row& row = rows[static_cast<std::size_t>(r)];
    const double lo = row.lo, hi = row.hi;
    const Axes t{left,
                 top + r * row_pitch,
                 trace_w,
                 opt.row_height,
                 static_cast<double>(first),
                 static_cast<double>(max_draws - 1),
                 lo,
                 hi};
    Axes d{t.x + t.w + kColGap, t.y, dens_w, t.h, 0.0, 1.0, lo, hi};
    cairo_save(cr);
    t.clip(cr);
    if (first < 0) {  // warmup shaded
      c.color({0.92, 0.92, 0.92});
      cairo_rectangle(cr, t.px(first), t.y, t.px(0) - t.px(first), t.h);
      cairo_fill(cr);
    }
    cairo_set_line_width(cr, 0.5);
    for (std::size_t k = 0; k < row.series.size(); ++k) {
      const int x0 = opt.include_warmup ? -run.chains[k].num_warmup_saved : 0;
      draw_series(c, t, row.series[k], x0, per_column, category_color(static_cast<int>(k)));
    }
    // Divergent transitions: a black rug at the bottom of the trace (ArviZ).
    for (const infer::Chain& ch : run.chains) {
      const int x0 = opt.include_warmup ? -ch.num_warmup_saved : 0;
      const std::size_t start =
          opt.include_warmup ? 0 : static_cast<std::size_t>(ch.num_warmup_saved);
      for (std::size_t i = start; i < ch.stats.size(); ++i) {
        if (!ch.stats[i].divergent) continue;
        const double px = t.px(x0 + static_cast<double>(i - start));
        c.line(px, t.y + t.h, px, t.y + t.h - 0.12 * t.h, {0, 0, 0}, 0.8);
      }
    }
    if (row.truth) {
      c.line(t.x, t.py(*row.truth), t.x + t.w, t.py(*row.truth), kTruth, 0.9, kTruthDash);
    }
    cairo_restore(cr);
    detail::draw_frame(c, t);
    const bool last = r == n - 1;
    const std::vector<double> yt =
        detail::fitting_ticks(c, t, Side::kLeft, lo, hi, 4, 0.0, taken, 1.5);
    int ex = 0;
    for (const auto& l : detail::place_tick_labels(c, t, Side::kLeft, yt, 0.0, ex)) {
      taken.push_back(l.box);
    }
    detail::draw_ticks(c, t, Side::kLeft, yt, true, 0.0, &ex);
    const std::string unit = ex == 0 ? params[r].unit
                                     : detail::power_of_ten_text(ex) +
                                           (params[r].unit.empty() ? "" : " " + params[r].unit);
    c.text(t.x, t.y - 3.0, detail::with_unit(params[r].label, unit), ls, 0.0, 1.0);
    // Marginal density of each chain, sideways, sharing the value axis.
    std::vector<double> at(160);
    for (std::size_t i = 0; i < at.size(); ++i) {
      at[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(at.size() - 1);
    }
    std::vector<std::vector<double>> dens;
    double peak = 0.0;
    for (std::size_t k = 0; k < row.series.size(); ++k) {
      const std::size_t skip =
          opt.include_warmup ? static_cast<std::size_t>(run.chains[k].num_warmup_saved) : 0;
      std::vector<double> post;
      for (std::size_t i = skip; i < row.series[k].size(); ++i) {
        if (std::isfinite(row.series[k][i])) post.push_back(row.series[k][i]);
      }
      dens.push_back(detail::kde(post, at));
      peak = std::max(peak, *std::max_element(dens.back().begin(), dens.back().end()));
    }
    d.x1 = peak > 0.0 ? 1.08 * peak : 1.0;
    cairo_save(cr);
    d.clip(cr);
    cairo_set_line_width(cr, 0.9);
    for (std::size_t k = 0; k < dens.size(); ++k) {
      c.color(category_color(static_cast<int>(k)), 0.9);
      for (std::size_t i = 0; i < at.size(); ++i) {
        i == 0 ? cairo_move_to(cr, d.px(dens[k][i]), d.py(at[i]))
               : cairo_line_to(cr, d.px(dens[k][i]), d.py(at[i]));
      }
      cairo_stroke(cr);
    }
    if (row.truth) {
      c.line(d.x, d.py(*row.truth), d.x + d.w, d.py(*row.truth), kTruth, 0.9, kTruthDash);
    }
    cairo_restore(cr);
    detail::draw_frame(c, d);
    detail::draw_ticks(c, d, Side::kLeft, yt, false);
    const double ext = detail::draw_ticks(c, t, Side::kBottom, xt, last);
    if (last) {
      const double y = t.y + t.h + ext + 3.0;
      c.text(t.x + 0.5 * t.w, y,
             first < 0 ? "iteration (warmup shaded, < 0)" : "iteration (post-warmup)", ls, 0.5,
             0.0);
      c.text(d.x + 0.5 * d.w, y, "density", ls, 0.5, 0.0);
    }
  }
  c.save();
}

}  // namespace airy::plot
