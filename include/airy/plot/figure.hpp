// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Options shared by every airy figure, and the tick helpers the axes use.
///
/// Figures are drawn with Cairo and written as PNG or PDF by the file extension (".png",
/// ".pdf"). Sizes are in points (1/72 inch); PNGs are rasterised at `dpi`.
#pragma once

#include <string>
#include <vector>

namespace airy::plot {

/// Output and text options common to all figures.
struct FigureOptions {
  double dpi = 200.0;                ///< PNG resolution (PDF is vector)
  std::string font = "DejaVu Sans";  ///< font family
  double font_size = 9.0;            ///< tick-label size in points; labels are ~1.1x
  std::string title;                 ///< optional figure title (suptitle)
};

/// Up to about `max_ticks` "nice" tick values (1, 2, 2.5, 5 x 10^k steps) inside [lo, hi].
std::vector<double> nice_ticks(double lo, double hi, int max_ticks = 5);

/// Tick labels for `ticks` sharing one number of decimals. When the values are tiny or huge
/// (|max| < 1e-3 or >= 1e5) they are divided by 10^`exponent` (set, else 0) and the caller
/// shows "x10^exponent" at the end of the axis, as matplotlib's offset text does.
std::vector<std::string> tick_labels(const std::vector<double>& ticks, int& exponent);

/// `value` with `sig` significant digits of `error` (at least 1): "0.2503 ± 0.0012".
std::string format_mean_sd(double value, double error);

}  // namespace airy::plot
