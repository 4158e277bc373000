// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Image panels side by side (PSF, data, model, residual), each with a colour bar.
///
/// Images are row-major [y, x] and drawn origin-lower (row 0 at the bottom), with square
/// pixels. With a pixel scale the axes are in arcsec, centred on the image centre
/// (extent ±pixelscale·N/2, as poppy's display_psf); otherwise in pixels.
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
};

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
};

/// Options of plot_images.
struct ImageFigureOptions {
  FigureOptions figure;
  std::optional<double> pixel_scale_arcsec;  ///< axes in arcsec when set, else pixels
  double panel_size = 190.0;                 ///< width of each image in points
  bool axis_labels = true;                   ///< "x [arcsec]" / "y [arcsec]" labels
};

/// Draws `panels` side by side into `path` (.png or .pdf). Throws airy::InvalidArgument when
/// `panels` is empty, an image is empty or the extension is neither, and airy::Error naming
/// the path when the file cannot be written.
void plot_images(const std::string& path, const std::vector<ImagePanel>& panels,
                 const ImageFigureOptions& options = {});

/// The data / model / residual triptych: data and model share one colour scale (inferno,
/// `stretch`), the residual is (data − model) / sqrt(max(model, 0) + read_noise²) in units
/// of σ with symmetric RdBu limits. Throws InvalidArgument when the shapes differ.
void plot_data_model_residual(const std::string& path, const RealImage& data,
                              const RealImage& model, const ImageFigureOptions& options = {},
                              double read_noise = 0.0, Stretch stretch = Stretch::kLinear);

}  // namespace airy::plot
