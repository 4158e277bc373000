// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Grid initialisation of the MAP (docs/inference.md "Grid initialisation"): a coarse
/// grid over a few parameters (separation and position angle, as CANDID does for binaries)
/// evaluated before the multi-start L-BFGS; the best grid points become L-BFGS starts, and
/// every distinct mode the starts end in is reported with its log density.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "airy/posterior/image_posterior.hpp"
#include "airy/posterior/map_fit.hpp"

namespace airy::pipeline {

/// The grid: {parameter, points} per axis (an output name such as "separation" or
/// "coefficients[2]", or a prior path such as "source.separation") and how many of the best
/// grid points L-BFGS starts from.
struct GridSpec {
  std::vector<std::pair<std::string, int>> axes;
  int starts = 4;
  std::string field = "sampler.map_grid";  ///< named in errors (the key or the CLI flag)
};

/// Parses the CLI form "separation=8,position_angle=12".
/// @throws InvalidArgument naming `field` and the entry (no '=', not an integer, < 2).
GridSpec parse_grid_flag(std::string_view text, std::string_view field = "--grid");

/// Checks spec's axes against the posterior's parameters without evaluating anything (the
/// errors of grid_search(), before a run directory is touched).
void check_grid(const posterior::ImagePosterior& posterior, const GridSpec& spec);

/// One evaluated grid point.
struct GridPoint {
  std::vector<double> values;  ///< site values (output order)
  double log_density = 0.0;    ///< log p(u) of the sampler (-inf outside the support)
};

/// The grid's evaluation: every point, best first.
struct GridSearch {
  std::vector<std::string> axis_names;           ///< resolved output names
  std::vector<std::vector<double>> axis_values;  ///< grid values per axis (site units)
  std::vector<double> centre;     ///< the values of the parameters off the grid (prior medians)
  std::vector<GridPoint> points;  ///< sorted by log density, highest first
  double seconds = 0.0;
};

/// Evaluates the posterior's log density on the grid.
///
/// Axis values: an axis whose prior has a bounded support [a, b] takes the midpoints of n
/// equal cells, a + (k + 1/2)(b - a)/n (for a uniform prior these are its (k + 1/2)/n
/// quantiles); otherwise the (k + 1/2)/n quantiles of 4096 prior draws (Philox stream
/// (seed, 2^32 + site)). The other parameters sit at the median of 4096 prior draws, or at the
/// configured value (posterior.current_values()) when their prior is flat.
/// @throws InvalidArgument naming spec.field and the entry for an axis that is not a sampled
///   scalar parameter (with the known names), an axis named twice, fewer than 2 points, or a
///   grid of more than 10^6 points; airy::Error when no grid point has a finite density.
GridSearch grid_search(const posterior::ImagePosterior& posterior, const GridSpec& spec,
                       std::uint64_t seed);

/// One distinct mode among the L-BFGS ends.
struct Mode {
  int start = -1;              ///< the start (index into OptimizeResult::starts) that
                               ///< represents it: the highest log density there
  std::vector<int> members;    ///< every start that ended in it
  double log_density = 0.0;    ///< the representative's log p(u)
  double gradient_norm = 0.0;  ///< the representative's |grad|
};

/// Groups the L-BFGS ends into modes, best first. Two ends a, b (unconstrained u_a, u_b) are
/// one mode when the log density along the segment between them never drops more than 0.5
/// below the lower end: at u_a + t (u_b - u_a), t = 1/4, 1/2, 3/4 (no barrier between them; a
/// scale-free test, unlike a distance). Ends with a non-finite objective are left out.
std::vector<Mode> distinct_modes(const posterior::ImagePosterior& posterior,
                                 const posterior::OptimizeResult& result);

/// A MAP with a grid: the grid's best `spec.starts` points, then `random_starts` prior draws
/// (seed `seed`), each started by L-BFGS (posterior::optimize).
struct GridMap {
  GridSearch grid;
  posterior::OptimizeResult map;
  std::vector<Mode> modes;
  int grid_starts = 0;  ///< map.starts[0 .. grid_starts) came from the grid
};
GridMap grid_map(const posterior::ImagePosterior& posterior, const GridSpec& spec,
                 posterior::OptimizeOptions options);

/// The modes in words: one line per mode (log density, its difference from the best, the
/// starts that ended there, of which from the grid) and the mode's values.
std::string modes_text(const posterior::OptimizeResult& result, const std::vector<Mode>& modes,
                       int grid_starts);
/// The modes as run_info.toml tables: [[map_modes]] log_density, starts, grid_starts,
/// gradient_norm and values = {name = value, ...}.
std::string modes_toml(const posterior::OptimizeResult& result, const std::vector<Mode>& modes,
                       int grid_starts);
/// "grid: 8 x 12 = 96 points over separation, position_angle in 0.05 s; best log density ..."
std::string grid_text(const GridSearch& grid, int starts);

/// The GridSpec of a config's [sampler] map_grid (empty axes when none).
GridSpec config_grid(const std::vector<std::pair<std::string, int>>& map_grid, int starts);

}  // namespace airy::pipeline
