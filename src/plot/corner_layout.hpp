// SPDX-License-Identifier: BSD-3-Clause
// Private: the corner plot's geometry for a given printed width, found by measuring every
// label with Cairo so that no two texts overlap.
#pragma once

#include <string>
#include <vector>

#include "canvas.hpp"

namespace airy::plot::detail {

/// What the layout knows about one parameter (display units).
struct CornerAxis {
  double lo = 0.0, hi = 1.0;  ///< data limits of its axis
  std::string label;          ///< e.g. "position angle"
  std::string short_label;    ///< e.g. "PA"
  std::string unit;           ///< unit symbol, "" when dimensionless
  std::string value;          ///< "mean ± sd" for the diagonal title
};

/// The chosen geometry: panel size and position, ticks and every label's place.
struct CornerLayout {
  double width = 0.0, height = 0.0;         ///< canvas (points)
  double left = 0.0, top = 0.0;             ///< top-left corner of panel (0, 0)
  double panel = 0.0, gap = 0.0;            ///< panel side and spacing (points)
  bool titles = false;                      ///< diagonal titles drawn
  bool short_labels = false;                ///< short label forms used
  bool x_vertical = false;                  ///< bottom axis labels rotated 90 degrees
  bool y_horizontal = false;                ///< left axis labels horizontal
  double x_angle = 0.0;                     ///< bottom tick-label rotation (0 or 45)
  std::vector<double> lo, hi;               ///< data limits per parameter
  std::vector<std::vector<double>> xticks;  ///< per parameter, as a column
  std::vector<std::vector<double>> yticks;  ///< per parameter, as a row
  std::vector<TextSpec> texts;              ///< axis labels, titles, suptitle

  /// The axes box of panel (row, col) with its data limits.
  [[nodiscard]] Axes axes(int row, int col) const;
};

/// Lays out a corner plot of `axes` (at least one) `width` points wide. Tries, in order:
/// long labels with titles, short labels with titles, short labels with vertical bottom and
/// horizontal left labels, then the same three without titles; a layout qualifies when no
/// two texts overlap and, with titles, panels are at least three label heights. Takes the
/// first that qualifies, or a later one with titles as well and panels 10% larger.
/// @throws InvalidArgument when `width` leaves no room for the panels.
CornerLayout corner_layout(const Canvas& measure, const std::vector<CornerAxis>& axes, double width,
                           bool titles, const std::string& suptitle);

/// Draws the ticks (labels on the bottom row and left column) and every text of `l` onto the
/// frames of the lower triangle.
void draw_corner_text(const Canvas& c, const CornerLayout& l);

}  // namespace airy::plot::detail
