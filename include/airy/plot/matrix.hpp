// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A correlation matrix as a labelled grid of coloured cells with their values.
#pragma once

#include <string>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/plot/figure.hpp"

namespace airy::plot {

/// Options of plot_correlation. The default width (figure.width = 0) is a journal column
/// (kColumnWidth) for up to 6 parameters and a page (kPageWidth) for more.
struct MatrixOptions {
  FigureOptions figure;
  bool values = true;  ///< print each value in its cell (when the cells are large enough)
  std::string colorbar_label = "correlation";
};

/// Draws the n x n `matrix` (entries in [-1, 1]) into `path` (.png, .pdf or .svg) as cells
/// coloured RdBu on [-1, 1] (blue negative, white 0, red positive) in matrix orientation:
/// row i is the i-th from the top, column j the j-th from the left, so the diagonal runs from
/// top-left to bottom-right. `labels[i]` names row i (at the left) and column i (at the
/// bottom; slanted or vertical when horizontal labels would overlap); values are printed to
/// two decimals in white on dark cells, black on light ones, when they fit at the tick-label
/// size. @throws InvalidArgument for a non-square or empty matrix, a label count other than
/// n, or a width that leaves no room.
void plot_correlation(const std::string& path, const RealMatrix& matrix,
                      const std::vector<std::string>& labels, const MatrixOptions& options = {});

}  // namespace airy::plot
