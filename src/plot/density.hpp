// SPDX-License-Identifier: BSD-3-Clause
// Private numerical helpers of the posterior plots: histograms, smoothing, contour levels,
// marching squares and a Gaussian KDE.
#pragma once

#include <array>
#include <vector>

namespace airy::plot::detail {

/// The q-quantile (0..1) of `v` (copied and partially sorted), linear interpolation.
double quantile(std::vector<double> v, double q);

/// Counts of `v` in `bins` equal bins over [lo, hi] (values outside are ignored).
std::vector<double> histogram(const std::vector<double>& v, double lo, double hi, int bins);

/// A row-major 2-D grid: value(ix, iy) = data[iy * nx + ix].
struct Grid {
  int nx = 0, ny = 0;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;  ///< extent of the grid (cell edges)
  std::vector<double> data;
  [[nodiscard]] double at(int ix, int iy) const {
    return data[static_cast<std::size_t>(iy) * nx + ix];
  }
  /// Cell-centre coordinates.
  [[nodiscard]] double cx(double ix) const { return x0 + (ix + 0.5) * (x1 - x0) / nx; }
  [[nodiscard]] double cy(double iy) const { return y0 + (iy + 0.5) * (y1 - y0) / ny; }
};

/// 2-D histogram of (x, y) on `bins` x `bins` cells over the given extent.
Grid histogram2d(const std::vector<double>& x, const std::vector<double>& y, double x0, double x1,
                 double y0, double y1, int bins);

/// Separable Gaussian smoothing with standard deviation `sigma` cells (zero padding).
void gaussian_smooth(Grid& g, double sigma);

/// Density thresholds whose super-level sets enclose the fractions `levels` of the total
/// mass (corner.py's algorithm), returned in the order of `levels`.
std::vector<double> mass_levels(const Grid& g, const std::vector<double>& levels);

/// A contour as line segments (x0, y0, x1, y1) in data coordinates at `level`, by marching
/// squares over the cell centres.
std::vector<std::array<double, 4>> contour_segments(const Grid& g, double level);

/// Indices of `v` that draw the same polyline when consecutive values share a device pixel
/// column, `per_column` values per column (min-max decimation): per column the first,
/// minimum, maximum and last finite value, in index order; a non-finite value is kept (it
/// breaks the line). All indices when per_column <= 4.
std::vector<std::size_t> decimate(const std::vector<double>& v, double per_column);

/// Gaussian KDE of `v` (Scott's bandwidth) evaluated at `at`.
std::vector<double> kde(const std::vector<double>& v, const std::vector<double>& at);

}  // namespace airy::plot::detail
