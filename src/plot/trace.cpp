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

using detail::Axes;
using detail::Canvas;
using detail::Side;

void plot_trace(const std::string& path, const infer::Run& run,
                const std::vector<ParameterDisplay>& params, const TraceOptions& opt) {
  const std::vector<int> cols = detail::resolve_columns(run, params, "plot_trace: " + path);
  const double fs = opt.figure.font_size;
  const int n = static_cast<int>(params.size());
  int max_draws = 0, max_warm = 0;
  for (const infer::Chain& ch : run.chains) {
    max_draws = std::max(max_draws, ch.num_draws());
    max_warm = std::max(max_warm, ch.num_warmup_saved);
  }
  if (max_draws < 2) {
    throw InvalidArgument(fmt::format("plot_trace: {}: fewer than 2 post-warmup draws", path));
  }
  const int first = opt.include_warmup ? -max_warm : 0;  // iteration of the first x
  const double left = 10.0 + 5.0 * fs,
               top = 10.0 + 2.4 * fs + (opt.figure.title.empty() ? 0.0 : 1.8 * fs);
  const double row_gap = 2.2 * fs, col_gap = 10.0, bottom = 8.0 + 3.2 * fs;
  const double width = left + opt.trace_width + col_gap + opt.density_width + 14.0;
  const double height = top + n * opt.row_height + (n - 1) * row_gap + bottom;
  Canvas c(path, width, height, opt.figure);
  double y_text = 6.0;
  if (!opt.figure.title.empty()) {
    c.text(0.5 * width, y_text, opt.figure.title, 1.25 * fs, 0.5, 0.0, 0.0, true);
    y_text += 1.8 * fs;
  }
  // Legend: one coloured dash per chain, and the divergence marker.
  double lx = left;
  for (std::size_t k = 0; k < run.chains.size(); ++k) {
    const Rgb col = category_color(static_cast<int>(k));
    c.line(lx, y_text + 0.5 * fs, lx + 14.0, y_text + 0.5 * fs, col, 1.5);
    const std::string label = fmt::format("chain {}", run.chains[k].id);
    c.text(lx + 17.0, y_text + 0.5 * fs, label, fs, 0.0, 0.5);
    lx += 17.0 + c.text_width(label, fs) + 10.0;
  }
  c.line(lx + 4.0, y_text, lx + 4.0, y_text + fs, {0, 0, 0}, 1.0);
  c.text(lx + 8.0, y_text + 0.5 * fs, "divergent", fs, 0.0, 0.5);

  cairo_t* cr = c.cr();
  for (int r = 0; r < n; ++r) {
    const int col = cols[r];
    const double scale = params[r].scale;
    double lo = INFINITY, hi = -INFINITY;
    std::vector<std::vector<double>> series;
    for (const infer::Chain& ch : run.chains) {
      std::vector<double> s;
      const Eigen::Index start = opt.include_warmup ? 0 : ch.num_warmup_saved;
      for (Eigen::Index i = start; i < ch.draws.rows(); ++i) {
        const double v = scale * ch.draws(i, col);
        s.push_back(v);
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
      }
      series.push_back(std::move(s));
    }
    if (!std::isfinite(lo)) lo = 0.0, hi = 1.0;
    detail::padded_limits(lo, hi, 0.06);
    Axes t{left,
           top + r * (opt.row_height + row_gap),
           opt.trace_width,
           opt.row_height,
           static_cast<double>(first),
           static_cast<double>(max_draws - 1),
           lo,
           hi};
    Axes d{t.x + t.w + col_gap, t.y, opt.density_width, t.h, 0.0, 1.0, lo, hi};
    cairo_save(cr);
    t.clip(cr);
    if (first < 0) {  // warmup shaded
      c.color({0.92, 0.92, 0.92});
      cairo_rectangle(cr, t.px(first), t.y, t.px(0) - t.px(first), t.h);
      cairo_fill(cr);
    }
    cairo_set_line_width(cr, 0.5);
    for (std::size_t k = 0; k < series.size(); ++k) {
      const infer::Chain& ch = run.chains[k];
      const int x0 = opt.include_warmup ? -ch.num_warmup_saved : 0;
      c.color(category_color(static_cast<int>(k)), 0.75);
      bool pen = false;
      for (std::size_t i = 0; i < series[k].size(); ++i) {
        const double v = series[k][i];
        if (!std::isfinite(v)) {
          pen = false;
          continue;
        }
        const double px = t.px(x0 + static_cast<double>(i)), py = t.py(v);
        pen ? cairo_line_to(cr, px, py) : cairo_move_to(cr, px, py);
        pen = true;
      }
      cairo_stroke(cr);
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
    cairo_restore(cr);
    detail::draw_frame(c, t);
    const bool last = r == n - 1;
    detail::draw_ticks(c, t, Side::kBottom, nice_ticks(t.x0, t.x1, 6), last);
    int ex = 0;
    detail::draw_ticks(c, t, Side::kLeft, nice_ticks(lo, hi, 4), true, 0.0, &ex);
    std::string label = detail::axis_label(params[r]);
    if (ex != 0) {
      label = (params[r].label.empty() ? params[r].name : params[r].label) + " [" +
              detail::power_of_ten_text(ex) + (params[r].unit.empty() ? "" : " " + params[r].unit) +
              "]";
    }
    c.text(t.x, t.y - 3.0, label, 1.05 * fs, 0.0, 1.0);
    // Marginal density of each chain, sideways, sharing the value axis.
    std::vector<double> at(160);
    for (std::size_t i = 0; i < at.size(); ++i) {
      at[i] = lo + (hi - lo) * static_cast<double>(i) / static_cast<double>(at.size() - 1);
    }
    std::vector<std::vector<double>> dens;
    double peak = 0.0;
    for (std::size_t k = 0; k < series.size(); ++k) {
      const infer::Chain& ch = run.chains[k];
      const std::size_t skip =
          opt.include_warmup ? static_cast<std::size_t>(ch.num_warmup_saved) : 0;
      std::vector<double> post;
      for (std::size_t i = skip; i < series[k].size(); ++i) {
        if (std::isfinite(series[k][i])) post.push_back(series[k][i]);
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
    if (params[r].truth) {
      const double tv = *params[r].truth * scale;
      c.line(d.x, d.py(tv), d.x + d.w, d.py(tv), {0.275, 0.510, 0.706}, 1.0, 2.5);
    }
    cairo_restore(cr);
    detail::draw_frame(c, d);
    detail::draw_ticks(c, d, Side::kLeft, nice_ticks(lo, hi, 4), false);
    if (last) {
      c.text(t.x + 0.5 * t.w, t.y + t.h + 3.0 + 1.6 * fs,
             first < 0 ? "iteration (warmup shaded, < 0)" : "iteration (post-warmup)", 1.05 * fs,
             0.5, 0.0);
      c.text(d.x + 0.5 * d.w, t.y + t.h + 3.0 + 0.4 * fs, "density", 1.05 * fs, 0.5, 0.0);
    }
  }
  c.finish();
}

}  // namespace airy::plot
