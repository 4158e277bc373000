// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private: the figures a run writes, in the formats, width, parameter subset and image
/// stretch of the config's [plot] table (docs/plots.md).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/core/arrays.hpp"
#include "airy/infer/draws.hpp"
#include "airy/io/fits.hpp"
#include "airy/plot/corner.hpp"
#include "airy/plot/figure.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "airy/posterior/likelihood.hpp"

namespace airy::pipeline {

/// The FITS header of an image of this configuration (src/pipeline/fits_header.cpp): poppy's
/// keywords, a WCS (angular: RA---TAN/DEC--TAN in deg, RA to the left; cartesian: LINEAR in m;
/// reference pixel = the optical axis) and provenance: AIRYVER, AIRYREV (git revision at
/// configure time, else 'unknown'), CONFIG (c.source_name), CONFHASH (text_checksum of
/// to_toml(c), i.e. of the config.toml the run writes) and COMMAND (when `command_line` is
/// given). DATE and ORIGIN come from the writer. docs/file_formats.md §FITS.
io::FitsHeader image_header(const config::Config& c, const std::string& extname,
                            const std::string& bunit, const std::string& command_line = "");

/// Figure options from [plot]: width (inches -> points; 0 = each figure's default) and dpi.
plot::FigureOptions figure_options(const config::Config& c);

/// Calls draw(<out_dir>/<stem>.<format>) for each format of [plot] (png, pdf, svg).
void draw_in_formats(const config::Config& c, const std::string& out_dir, const std::string& stem,
                     const std::function<void(const std::string&)>& draw);

/// How each output coordinate is shown: readable label from its name and unit (Zernike
/// coefficients by the config's Noll indices: Z₄ [nm]; Δx ["]; position angle [°]), its
/// display scale, and its truth when `truth` has one.
std::vector<plot::ParameterDisplay> parameter_displays(const config::Config& c,
                                                       const std::vector<std::string>& names,
                                                       const std::vector<std::string>& units,
                                                       const std::map<std::string, double>& truth);

/// The displays [plot] parameters selects, in its order (all when it is empty).
/// @throws InvalidArgument naming an entry that matches no sampled parameter, and the names.
std::vector<plot::ParameterDisplay> selected_parameters(
    const config::Config& c, const std::vector<plot::ParameterDisplay>& all);

/// The tutorial's three panels: PSF, PSF with photon noise, data -> simulate.<formats>.
void draw_simulation_figure(const config::Config& c, const RealImage& psf,
                            const RealImage& photon_noise, const RealImage& data,
                            const std::string& out_dir);

/// (data - model) / sigma_i per pixel under the exposure's likelihood, NaN at the pixels it
/// leaves out (its mask and NaN data): sigma_i^2 = mu_i (Poisson), v_i (Gaussian) or
/// max(mu_i, 0) + v_i (Poisson + read noise), with v_i the variance map's entry or sigma^2
/// (photons^2; a sampled read noise enters at the likelihood's fixed sigma).
RealImage fit_residual(const posterior::ImageLikelihood& like, const RealImage& model);

/// Data / model / residual (fit_residual) of one exposure, titled with chi^2/ndof (ndof =
/// pixels the likelihood uses − `num_parameters`) -> <stem>.<formats>. The pixels left out of
/// the likelihood are blank (NaN) in all three panels and outside the colour scale.
void draw_fit_images(const config::Config& c, const posterior::ImageLikelihood& like,
                     const RealImage& model, const std::string& out_dir, int num_parameters = 0,
                     const std::string& stem = "fit_images",
                     const std::string& model_title = "posterior-mean model",
                     const std::string& exposure_label = "");

/// draw_fit_images for every exposure of `post` (models[e] its model image): <stem>.<formats>
/// for the single image, or <stem>_<label>.<formats> per exposure (the names of its FITS
/// files), titled with the label.
void draw_exposure_fit_images(const config::Config& c, const posterior::ImagePosterior& post,
                              const std::vector<RealImage>& models, const std::string& out_dir,
                              int num_parameters, const std::string& stem,
                              const std::string& model_title);

/// The flat field (detector.pixel_response.map) of a fit -> flat_field.<formats>: with a truth,
/// true / estimate / (estimate − true)/sd / sd; without, estimate / sd. `what` names the
/// estimate ("MAP"). The maps share one colour scale; the residual is in units of the sd.
void draw_flat_field_figure(const config::Config& c, const RealImage& estimate, const RealImage& sd,
                            const std::optional<RealImage>& truth, const std::string& out_dir,
                            const std::string& what = "MAP");

/// Corner and trace plots of the sampled coordinates [plot] selects -> corner.*, trace.*.
void draw_posterior_plots(const config::Config& c, const infer::Run& run,
                          const std::vector<std::string>& units,
                          const std::map<std::string, double>& truth, const std::string& out_dir);

/// The Cramér-Rao correlation matrix with readable parameter names -> correlation.<formats>.
void draw_correlation_figure(const config::Config& c, const posterior::FisherResult& f,
                             const std::string& out_dir);

}  // namespace airy::pipeline
