// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Options shared by every airy figure, and the tick helpers the axes use.
///
/// Figures are drawn with Cairo and written as PNG, PDF or SVG by the file extension (".png",
/// ".pdf", ".svg"). Sizes are in points (1/72 inch) at the printed size: a figure drawn
/// `width` points wide and printed that wide shows its text at `font_size` points.
/// PNGs are rasterised at `dpi`.
#pragma once

#include <string>
#include <vector>

namespace airy::plot {

/// A journal column (3.5 in) and a full page width (7 in), in points.
inline constexpr double kColumnWidth = 252.0;
inline constexpr double kPageWidth = 504.0;

/// Output and text options common to all figures.
struct FigureOptions {
  double dpi = 150.0;                ///< PNG resolution (PDF and SVG are vector)
  std::string font = "DejaVu Sans";  ///< font family
  /// Tick-label size in points; axis labels and titles are 1.1x. The default keeps every
  /// text >= 7 pt when the figure is printed at its own width.
  double font_size = 7.0;
  double width = 0.0;  ///< figure width in points; 0 = the figure's default (docs/plots.md)
  std::string title;   ///< optional figure title (suptitle)
};

/// Up to about `max_ticks` "nice" tick values (1, 2, 2.5, 5 x 10^k steps) inside [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int max_ticks = 5);

/// Tick labels for `ticks` sharing one number of decimals. When the values are tiny or huge
/// (|max| < 1e-3 or >= 1e5) they are divided by 10^`exponent` (set, else 0) and the caller
/// shows "x10^exponent" at the end of the axis, as matplotlib's offset text does.
std::vector<std::string> tick_labels(const std::vector<double>& ticks, int& exponent);

/// Tick labels of `ticks` divided by 10^`exponent`, sharing one number of decimals.
std::vector<std::string> tick_labels_scaled(const std::vector<double>& ticks, int exponent);

/// `value` with `sig` significant digits of `error` (at least 1): "0.2503 ± 0.0012".
std::string format_mean_sd(double value, double error);

}  // namespace airy::plot
