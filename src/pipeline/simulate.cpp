// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy simulate`: the configured telescope's image, noisy data and the truth.
#include <fmt/format.h>

#include <optional>

#include "airy/config/build.hpp"
#include "airy/core/units.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "airy/plot/images.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {

io::FitsHeader image_header(const config::Config& c, const std::string& extname,
                            const std::string& bunit) {
  io::FitsHeader h;
  h.extname = extname;
  h.bunit = bunit;
  const bool angular = c.optics.type == "angular";
  int sampling = c.optics.oversample;
  for (const auto& l : c.detector) {
    if (l.type == "downsample") sampling /= l.factor;
  }
  h.pixelscale = c.optics.psf_pixel_scale / std::max(sampling, 1);
  h.pixunit = angular ? "arcsecond" : "meter";
  h.oversample = std::max(sampling, 1);
  h.det_sampling = std::max(sampling, 1);
  const config::SpectrumValues spec = config::spectrum_values(c.source);
  double mean = 0.0;
  for (std::size_t i = 0; i < spec.weights.size(); ++i) {
    mean += spec.weights[i] * spec.wavelengths_m[i];
  }
  h.wavelength = mean;
  h.nwaves = static_cast<int>(spec.wavelengths_m.size());
  h.waves = spec.wavelengths_m;
  h.weights = spec.weights;
  if (angular) h.diffraction_limit = units::rad_to_arcsec(mean / c.optics.diameter);
  h.diameter = c.optics.diameter;
  h.normalization = "none";
  return h;
}

SimulateResult simulate(const config::Config& c, const std::string& out_dir, bool overwrite) {
  // Everything that can fail on bad input runs before the directory is touched.
  const model::Telescope telescope = config::build_telescope(c);
  const RealImage model = telescope.model();
  const config::SimulatedData sim = config::simulate_data(c.noise, model);
  std::optional<posterior::ImagePosterior> post;
  if (!c.priors.empty()) post.emplace(config::build_posterior(c, telescope, sim.data));
  prepare_run_dir(out_dir, overwrite);

  SimulateResult result;
  auto path = [&](const std::string& name) {
    result.written.push_back(name);
    return path_in(out_dir, name);
  };
  io::FitsHeader psf_header = image_header(c, "MODEL", "photons");
  psf_header.history.push_back("noise-free image of the configured telescope (airy simulate)");
  io::write_fits(path("psf.fits"), model, psf_header);
  io::FitsHeader data_header = image_header(c, "DATA", "photons");
  data_header.history.push_back(
      fmt::format("simulated data: photon noise {}, read noise sigma {} photons, seed {}",
                  c.noise.photon ? "on" : "off", c.noise.read_sigma, c.noise.seed));
  result.data_path = path("data.fits");
  io::write_fits(result.data_path, sim.data, data_header);
  write_text(path("config.toml"), config::to_toml(c));

  // The truth of every sampled parameter, in its sampling units (requires priors), with
  // data.fits's checksum: `airy fit` trusts it for exactly this data file.
  if (post) {
    const auto names = post->log_density().output_names();
    const auto values = post->current_values();
    write_truth(path("truth.toml"), names, values, result.data_path, "simulate");
    for (std::size_t i = 0; i < names.size(); ++i) result.truth[names[i]] = values[i];
  }
  draw_simulation_figure(c, model, sim.photon_noise_only, sim.data, out_dir);
  result.written.push_back("simulate.png");
  result.written.push_back("simulate.pdf");
  return result;
}

}  // namespace airy::pipeline
