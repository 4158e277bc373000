// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Colour maps for images: inferno and viridis (matplotlib's perceptually uniform
/// maps), RdBu_r (ColorBrewer's diverging red-blue, blue for negative) for residuals and OPD,
/// and gray for pupils.
#pragma once

#include <string>

namespace airy::plot {

/// Colour maps airy draws with.
enum class Colormap {
  kInferno,  ///< default for PSFs, data and models (hcipy, dLux)
  kViridis,
  kRdBu,  ///< diverging, for residuals and OPD: blue < 0 < red, white at the centre
  kGray,
};

/// An sRGB colour, components in [0, 1].
struct Rgb {
  double r = 0.0;
  double g = 0.0;
  double b = 0.0;
};

/// The colour of `map` at t in [0, 1] (clamped; NaN gives mid-gray), linearly interpolated
/// between the 256 table entries.
Rgb colormap_lookup(Colormap map, double t);

/// Parses "inferno", "viridis", "rdbu" (or "rdbu_r", "coolwarm", "residual") and "gray".
/// Throws airy::InvalidArgument naming the unknown map.
Colormap colormap_from_name(const std::string& name);

/// The k-th colour (cycled) of matplotlib's "tab10" palette, used for chains.
Rgb category_color(int k);

}  // namespace airy::plot
