// SPDX-License-Identifier: BSD-3-Clause
#include "corner_layout.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "airy/core/error.hpp"

namespace airy::plot::detail {
namespace {

constexpr double kOuter = 4.0;     // blank border of the canvas (points)
constexpr double kTickRoom = 4.5;  // tick mark (3) + gap to its label (1.5)
constexpr double kLabelPad = 3.0;  // between tick labels and an axis label
constexpr double kTextPad = 2.5;   // least clearance between neighbouring tick labels
// Least clearance between axis labels and titles: about a word space at 7 pt, so that
// neighbouring labels ("Z₉ [nm]", "Z₁₀ [nm]") never read as one.
constexpr double kWordPad = 2.5;
constexpr double kTitleLift = 3.0;  // diagonal title above its panel

/// One way of labelling the figure; corner_layout tries them in order.
struct Mode {
  bool short_labels, titles, x_vertical, y_horizontal;
};

double gap_of(double panel) { return std::max(2.0, 0.05 * panel); }

std::string unit_text(const std::string& unit, int exponent) {
  if (exponent == 0) return unit;
  return power_of_ten_text(exponent) + (unit.empty() ? "" : " " + unit);
}

/// Every pair of quads at least `pad` apart, and all inside the canvas.
bool clear(const std::vector<Quad>& q, double width, double height) {
  for (std::size_t i = 0; i < q.size(); ++i) {
    const auto b = bounds(q[i]);
    if (b[0] < 0.0 || b[1] < 0.0 || b[2] > width || b[3] > height) return false;
    for (std::size_t j = i + 1; j < q.size(); ++j) {
      if (overlaps(q[i], q[j], kWordPad)) return false;
    }
  }
  return true;
}

/// The layout in `m`, or nothing when its texts collide or its panels are too small
/// (`force`: return it anyway when the panels have any size).
std::optional<CornerLayout> try_mode(const Canvas& c, const std::vector<CornerAxis>& ax, double W,
                                     const Mode& m, const std::string& suptitle, bool force) {
  const int n = static_cast<int>(ax.size());
  const double fs = c.tick_size(), ls = c.label_size();
  CornerLayout L;
  L.titles = m.titles, L.short_labels = m.short_labels;
  L.x_vertical = m.x_vertical, L.y_horizontal = m.y_horizontal;
  for (const CornerAxis& a : ax) L.lo.push_back(a.lo), L.hi.push_back(a.hi);
  auto name = [&](int k) { return m.short_labels ? ax[k].short_label : ax[k].label; };
  auto candidate_exponent = [&](int k) {
    int e = 0;
    (void)tick_labels(nice_ticks(ax[k].lo, ax[k].hi, 4), e);
    return e;
  };

  // Horizontal geometry from upper bounds: the widest candidate tick labels before thinning.
  double wy = 0.0, ylabel_room = 0.0, x_over = 0.0;
  for (int k = 1; k < n; ++k) {
    int e = 0;
    for (const auto& s : tick_labels(nice_ticks(ax[k].lo, ax[k].hi, 4), e)) {
      wy = std::max(wy, c.text_width(s, fs));
    }
    const std::string l = with_unit(name(k), unit_text(ax[k].unit, candidate_exponent(k)));
    ylabel_room = std::max(ylabel_room, m.y_horizontal ? c.text_width(l, ls) : ls);
  }
  {
    int e = 0;
    for (const auto& s : tick_labels(nice_ticks(ax[n - 1].lo, ax[n - 1].hi, 4), e)) {
      x_over = std::max(x_over, 0.5 * c.text_width(s, fs));
    }
  }
  L.left = kOuter + (n > 1 ? ylabel_room + kLabelPad + wy + kTickRoom : 0.0);
  std::vector<double> tw(static_cast<std::size_t>(n), 0.0);
  for (int k = 0; k < n; ++k) tw[k] = c.text_width(name(k) + " = " + ax[k].value, ls);
  // Right margin: the last tick label, and titles wider than their panel run rightwards
  // over the empty upper triangle and may pass the last panel.
  auto right = [&](double p) {
    const double g = gap_of(p);
    double over = x_over;
    for (int k = 0; m.titles && k < n; ++k) {
      if (tw[k] > p) over = std::max(over, tw[k] - (n - 1 - k) * (p + g) - p);
    }
    return kOuter + over;
  };
  double lo = 0.0, hi = W;  // the largest panel with left + panels + right <= W
  for (int it = 0; it < 60; ++it) {
    const double p = 0.5 * (lo + hi);
    (L.left + n * p + (n - 1) * gap_of(p) + right(p) <= W ? lo : hi) = p;
  }
  L.panel = lo, L.gap = gap_of(lo);
  if (L.panel < 4.0) return std::nullopt;
  if (!force && L.panel < (m.titles ? 3.0 * ls : 2.0 * fs)) return std::nullopt;
  L.top = kOuter + (suptitle.empty() ? 0.0 : 1.6 * ls) + (m.titles ? ls + kTitleLift : 0.6 * fs);
  L.width = W;

  // Ticks: left column top to bottom, then the bottom row left to right, each set the
  // largest whose labels clear those already placed; slanted when horizontal ones leave a
  // column with fewer than two.
  std::vector<Quad> taken;
  L.yticks.assign(static_cast<std::size_t>(n), {});
  L.xticks.assign(static_cast<std::size_t>(n), {});
  std::vector<int> xexp(static_cast<std::size_t>(n), 0), yexp(static_cast<std::size_t>(n), 0);
  double ytick_left = L.left - kTickRoom;
  for (int r = 1; r < n; ++r) {
    const Axes a = L.axes(r, 0);
    L.yticks[r] = fitting_ticks(c, a, Side::kLeft, ax[r].lo, ax[r].hi, 4, 0.0, taken, kTextPad);
    for (const TickLabel& t : place_tick_labels(c, a, Side::kLeft, L.yticks[r], 0.0, yexp[r])) {
      taken.push_back(t.box);
      ytick_left = std::min(ytick_left, bounds(t.box)[0]);
    }
  }
  for (double angle : {0.0, 45.0}) {
    std::vector<Quad> placed = taken;
    bool ok = true;
    for (int k = 0; k < n && ok; ++k) {
      const Axes a = L.axes(n - 1, k);
      L.xticks[k] =
          fitting_ticks(c, a, Side::kBottom, ax[k].lo, ax[k].hi, 4, angle, placed, kTextPad);
      if (angle == 0.0 && L.xticks[k].size() < 2 && nice_ticks(ax[k].lo, ax[k].hi, 4).size() >= 2) {
        ok = false;
      }
      for (const TickLabel& t : place_tick_labels(c, a, Side::kBottom, L.xticks[k], angle, xexp[k]))
        placed.push_back(t.box);
    }
    if (ok || angle != 0.0) {
      L.x_angle = angle;
      taken = placed;
      break;
    }
  }
  const Axes bottom_left = L.axes(n - 1, 0);
  double xtick_bottom = bottom_left.y + bottom_left.h + kTickRoom;
  for (const Quad& q : taken) xtick_bottom = std::max(xtick_bottom, bounds(q)[3]);

  // Axis labels beyond the tick labels, titles over the diagonal.
  const double xl_y = xtick_bottom + kLabelPad, yl_x = ytick_left - kLabelPad;
  for (int k = 0; k < n; ++k) {
    const Axes a = L.axes(n - 1, k);
    const std::string l = with_unit(name(k), unit_text(ax[k].unit, xexp[k]));
    L.texts.push_back(m.x_vertical ? TextSpec{a.x + 0.5 * a.w, xl_y, l, ls, 1.0, 0.5, 90.0}
                                   : TextSpec{a.x + 0.5 * a.w, xl_y, l, ls, 0.5, 0.0, 0.0});
  }
  for (int r = 1; r < n; ++r) {
    const Axes a = L.axes(r, 0);
    const std::string l = with_unit(name(r), unit_text(ax[r].unit, yexp[r]));
    L.texts.push_back(m.y_horizontal ? TextSpec{yl_x, a.y + 0.5 * a.h, l, ls, 1.0, 0.5, 0.0}
                                     : TextSpec{yl_x, a.y + 0.5 * a.h, l, ls, 0.5, 1.0, 90.0});
  }
  for (int k = 0; m.titles && k < n; ++k) {
    const Axes a = L.axes(k, k);
    const std::string t = name(k) + " = " + ax[k].value;
    L.texts.push_back(tw[k] <= a.w ? TextSpec{a.x + 0.5 * a.w, a.y - kTitleLift, t, ls, 0.5, 1.0}
                                   : TextSpec{a.x, a.y - kTitleLift, t, ls, 0.0, 1.0});
  }
  if (!suptitle.empty()) {
    L.texts.push_back({0.5 * W, kOuter, suptitle, 1.25 * ls, 0.5, 0.0, 0.0, true});
  }
  double bottom = xl_y;
  for (const TextSpec& t : L.texts) {
    const Quad q = t.box(c);
    bottom = std::max(bottom, bounds(q)[3]);
    taken.push_back(q);
  }
  L.height = bottom + kOuter;
  if (force) return L;
  if (!clear(taken, L.width, L.height)) return std::nullopt;
  for (const TextSpec& t : L.texts) {  // no label over a panel
    const Quad q = t.box(c);
    for (int r = 0; r < n; ++r) {
      for (int k = 0; k <= r; ++k) {
        const Axes a = L.axes(r, k);
        if (overlaps(q, rect_quad(a.x, a.y, a.w, a.h))) return std::nullopt;
      }
    }
  }
  return L;
}

}  // namespace

Axes CornerLayout::axes(int row, int col) const {
  Axes a;
  a.x = left + col * (panel + gap);
  a.y = top + row * (panel + gap);
  a.w = a.h = panel;
  a.x0 = lo[static_cast<std::size_t>(col)], a.x1 = hi[static_cast<std::size_t>(col)];
  a.y0 = lo[static_cast<std::size_t>(row)], a.y1 = hi[static_cast<std::size_t>(row)];
  return a;
}

CornerLayout corner_layout(const Canvas& measure, const std::vector<CornerAxis>& axes, double width,
                           bool titles, const std::string& suptitle) {
  // Vertical bottom labels come first with rotated left labels (as the bottom ones: the
  // panels keep the most room), then with horizontal ones (easier to read, wider).
  static const Mode kModes[] = {{false, true, false, false},  {true, true, false, false},
                                {true, true, true, false},    {true, true, true, true},
                                {false, false, false, false}, {true, false, false, false},
                                {true, false, true, false},   {true, false, true, true}};
  // The first mode that works, unless a later one with the same titles setting gives panels
  // at least 10% larger (short labels and narrower title overhangs can buy much room).
  std::optional<CornerLayout> best;
  for (const Mode& m : kModes) {
    if (m.titles && !titles) continue;
    if (best && best->titles && !m.titles) break;
    auto l = try_mode(measure, axes, width, m, suptitle, false);
    if (l && (!best || l->panel > 1.1 * best->panel)) best = std::move(l);
  }
  if (best) return *best;
  if (auto l = try_mode(measure, axes, width, kModes[std::size(kModes) - 1], suptitle, true))
    return *l;
  throw InvalidArgument(fmt::format(
      "plot_corner: a figure {:.0f} pt ({:.2f} in) wide leaves no room for {} parameters", width,
      width / 72.0, axes.size()));
}

void draw_corner_text(const Canvas& c, const CornerLayout& l) {
  const int n = static_cast<int>(l.lo.size());
  for (int row = 0; row < n; ++row) {
    for (int col = 0; col <= row; ++col) {
      const Axes a = l.axes(row, col);
      int exponent = 0;  // folded into the axis labels
      draw_ticks(c, a, Side::kBottom, l.xticks[col], row == n - 1, l.x_angle, &exponent);
      if (row != col) {
        draw_ticks(c, a, Side::kLeft, l.yticks[row], col == 0, 0.0, &exponent);
      }
    }
  }
  for (const TextSpec& t : l.texts) t.draw(c);
}

}  // namespace airy::plot::detail
