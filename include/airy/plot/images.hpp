// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Image panels side by side (PSF, data, model, residual), each with a colour bar.
///
/// Images are row-major [y, x] and drawn origin-lower (row 0 at the bottom), with square
/// pixels. With a pixel scale the axes are in arcsec, centred on the image centre
/// (extent ±pixelscale·N/2, as poppy's display_psf); otherwise in pixels. The panels share
/// the figure width (FigureOptions::width; default a page, kPageWidth); tick labels are
/// thinned by their measured extents and titles wrap at spaces so that no texts overlap.
/// Neighbouring panels with the same image shape, colour map, limits, stretch and colour-bar
/// label share one colour bar (drawn right of the second).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/plot/colormap.hpp"
#include "airy/plot/figure.hpp"

namespace airy::plot {

/// How pixel values map to colour.
enum class Stretch {
  kLinear,
  kSqrt,  ///< dLux tutorials' "sqrt photons"
  kLog,   ///< log10, for PSF wings; limits default to [max·1e-6, max]
  /// asinh(x / a) / asinh(1 / a) of x = (v − vmin) / (vmax − vmin) with a = 0.1 (astropy's
  /// AsinhStretch): linear near vmin, logarithmic above; keeps noise and negative values.
  kAsinh,
};

/// Parses "linear", "sqrt", "log" and "asinh"; throws InvalidArgument naming `what` and the
/// value otherwise.
Stretch stretch_from_name(const std::string& name, const std::string& what = "stretch");

/// One image panel.
struct ImagePanel {
  std::string title;
  RealImage image;  ///< (ny, nx), row 0 drawn at the bottom
  Colormap colormap = Colormap::kInferno;
  bool symmetric_limits = false;  ///< limits ±max|value| (residuals), with kRdBu
  std::string colorbar_label;     ///< e.g. "photons", "data − model (σ)"
  Stretch stretch = Stretch::kLinear;
  std::optional<double> vmin;  ///< colour limits; default from the data
  std::optional<double> vmax;
  std::string subtitle;              ///< a second title line, e.g. "χ²/ndof = 1.02"
  std::string colorbar_short_label;  ///< used when colorbar_label is longer than the bar
};

/// Options of plot_images.
struct ImageFigureOptions {
  FigureOptions figure;
  std::optional<double> pixel_scale_arcsec;  ///< axes in arcsec when set, else pixels
  bool axis_labels = true;                   ///< "x [″]" / "y [″]" labels
};

/// Draws `panels` side by side into `path` (.png, .pdf or .svg). Throws airy::InvalidArgument
/// when `panels` is empty, an image is empty, the width leaves no room or the extension is
/// none of those, and airy::Error naming the path when the file cannot be written.
void plot_images(const std::string& path, const std::vector<ImagePanel>& panels,
                 const ImageFigureOptions& options = {});

/// The data / model / residual triptych: data and model share one colour scale (inferno,
/// `stretch`), the residual is (data − model) / sqrt(max(model, 0) + read_noise²) in units
/// of σ with symmetric RdBu limits, titled with χ²/ndof = Σ residual² / (pixels −
/// `num_parameters`). Throws InvalidArgument when the shapes differ.
void plot_data_model_residual(const std::string& path, const RealImage& data,
                              const RealImage& model, const ImageFigureOptions& options = {},
                              double read_noise = 0.0, Stretch stretch = Stretch::kLinear,
                              int num_parameters = 0);

/// "χ²/ndof = 1.02" of a residual image in units of σ: Σ r² / (pixels − num_parameters).
std::string chi2_per_dof_text(const RealImage& residual_sigma, int num_parameters);

}  // namespace airy::plot
