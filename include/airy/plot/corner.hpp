// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Corner plot of posterior draws (post-warmup draws of all chains pooled).
///
/// Lower triangle: 1-D histograms on the diagonal with the mean (solid) and mean ± sd
/// (dashed) marked, and titled "label = mean ± sd" from the same numbers; 2-D panels with
/// density shading, contours enclosing 39.3% and 86.5% of the mass (the 1σ and 2σ levels of
/// a 2-D Gaussian, as corner.py) of a Gaussian-smoothed 2-D histogram, and the draws outside
/// the outer contour as points; truth values as blue lines (corner.py's #4682b4).
///
/// Figures are laid out for a given printed width with one text size throughout: tick labels
/// are thinned (and slanted when horizontal ones would not fit) by their measured extents so
/// that no two texts overlap; long labels give way to their short forms, and titles are
/// dropped only when the panels would become smaller than three label heights.
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
  std::string name;  ///< airy name, e.g. "optics.aperture.coefficients[2]"
  /// Axis label without the unit; "" = readable_label(name, unit) (labels.hpp), whose unit
  /// symbol and scale then apply too.
  std::string label;
  double scale = 1.0;
  std::string unit;             ///< "" or "1": dimensionless (no "[unit]")
  std::optional<double> truth;  ///< in the parameter's own units (before `scale`)
  std::string short_label;      ///< used where `label` does not fit; "" = label
};

/// Options of plot_corner. The default width (figure.width = 0) is a journal column
/// (kColumnWidth) for up to 3 parameters and a page (kPageWidth) for more.
struct CornerOptions {
  FigureOptions figure;
  bool titles = true;  ///< "label = mean ± sd" over the diagonal (when the panels allow)
  int bins_1d = 30;
  int bins_2d = 40;
  double smooth = 1.2;                          ///< Gaussian smoothing, in 2-D bins
  std::vector<double> levels = {0.393, 0.865};  ///< enclosed 2-D masses of the contours
  bool show_points = false;                     ///< draws outside the outer contour
  int max_points = 4000;                        ///< points drawn per panel at most
};

/// Draws the corner plot of `parameters` (names must exist in the run) into `path`.
/// Throws airy::InvalidArgument for an empty run, unknown names or fewer than 2 draws.
void plot_corner(const std::string& path, const infer::Run& run,
                 const std::vector<ParameterDisplay>& parameters,
                 const CornerOptions& options = {});

/// Options of plot_trace. The default width (figure.width = 0) is a page (kPageWidth).
struct TraceOptions {
  FigureOptions figure;
  double density_fraction = 0.22;  ///< share of the panel width given to the densities
  double row_height = 30.0;        ///< points per parameter row
  bool include_warmup = false;     ///< plot saved warmup draws too (shaded)
};

/// Trace plot: per parameter a row with each chain's draws against iteration (tab10
/// colours, thin lines; more draws than device pixels are reduced to each pixel column's
/// first, minimum, maximum and last value, which draws the same picture), divergent draws as
/// black ticks at the bottom (ArviZ's rug), truth values as black dashed lines, and at the right
/// each chain's marginal density (Gaussian KDE) sharing the value axis.
void plot_trace(const std::string& path, const infer::Run& run,
                const std::vector<ParameterDisplay>& parameters, const TraceOptions& options = {});

}  // namespace airy::plot
