// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private: the figures a run writes (PNG and PDF of each).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/core/arrays.hpp"
#include "airy/infer/draws.hpp"
#include "airy/io/fits.hpp"

namespace airy::pipeline {

/// The FITS header of an image of this configuration (poppy keywords).
io::FitsHeader image_header(const config::Config& c, const std::string& extname,
                            const std::string& bunit);

/// The tutorial's three panels: PSF, PSF with photon noise, data -> simulate.png/.pdf.
void draw_simulation_figure(const config::Config& c, const RealImage& psf,
                            const RealImage& photon_noise, const RealImage& data,
                            const std::string& out_dir);

/// Data / posterior-mean model / normalised residual -> fit_images.png/.pdf.
void draw_fit_images(const config::Config& c, const RealImage& data, const RealImage& model,
                     const std::string& out_dir);

/// Corner and trace plots of every sampled coordinate -> corner.*, trace.*. Zernike
/// coefficients are labelled by their Noll index (Z4, Z5, ...) from the configuration.
void draw_posterior_plots(const config::Config& c, const infer::Run& run,
                          const std::vector<std::string>& units,
                          const std::map<std::string, double>& truth, const std::string& out_dir);

}  // namespace airy::pipeline
