// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Corner plot of posterior draws (post-warmup draws of all chains pooled).
///
/// Lower triangle: 1-D histograms on the diagonal with the mean (solid) and mean ± sd
/// (dashed) marked, and titled "label = mean ± sd" from the same numbers; 2-D panels with
/// density shading, contours enclosing 39.3% and 86.5% of the mass (the 1σ and 2σ levels of
/// a 2-D Gaussian, as corner.py) of a Gaussian-smoothed 2-D histogram, and the draws outside
/// the outer contour as points; truth values as blue lines (corner.py's #4682b4).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "airy/infer/draws.hpp"
#include "airy/plot/figure.hpp"

namespace airy::plot {

/// How one parameter is shown: values are multiplied by `scale` and labelled with `unit`
/// (e.g. Zernike coefficients in metres shown in nm: scale 1e9, unit "nm").
struct ParameterDisplay {
  std::string name;   ///< airy name, e.g. "optics.aperture.coefficients[2]"
  std::string label;  ///< axis label; default: the name
  double scale = 1.0;
  std::string unit;
  std::optional<double> truth;  ///< in the parameter's own units (before `scale`)
};

/// Options of plot_corner.
struct CornerOptions {
  FigureOptions figure;
  double panel_size = 72.0;  ///< points per panel
  int bins_1d = 30;
  int bins_2d = 40;
  double smooth = 1.2;                          ///< Gaussian smoothing, in 2-D bins
  std::vector<double> levels = {0.393, 0.865};  ///< enclosed 2-D masses of the contours
  bool show_points = true;                      ///< draws outside the outer contour
  int max_points = 4000;                        ///< points drawn per panel at most
};

/// Draws the corner plot of `parameters` (names must exist in the run) into `path`.
/// Throws airy::InvalidArgument for an empty run, unknown names or fewer than 2 draws.
void plot_corner(const std::string& path, const infer::Run& run,
                 const std::vector<ParameterDisplay>& parameters,
                 const CornerOptions& options = {});

/// Options of plot_trace.
struct TraceOptions {
  FigureOptions figure;
  double trace_width = 360.0;    ///< points
  double density_width = 110.0;  ///< points
  double row_height = 62.0;      ///< points
  bool include_warmup = false;   ///< plot saved warmup draws too (shaded)
};

/// Trace plot: per parameter a row with each chain's draws against iteration (tab10
/// colours, thin lines), divergent draws as black ticks at the bottom (ArviZ's rug), and at
/// the right each chain's marginal density (Gaussian KDE) sharing the value axis.
void plot_trace(const std::string& path, const infer::Run& run,
                const std::vector<ParameterDisplay>& parameters, const TraceOptions& options = {});

}  // namespace airy::plot
