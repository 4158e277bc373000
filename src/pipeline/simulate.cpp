// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy simulate`: the configured telescope's image, noisy data and the truth.
#include <fmt/format.h>

#include <optional>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "airy/plot/images.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {

SimulateResult simulate(const config::Config& c, const std::string& out_dir, bool overwrite) {
  // Everything that can fail on bad input runs before the directory is touched. Exposure e's
  // noise comes from Philox stream 1 + e of noise.seed: the single image (and exposure 0) is
  // stream 1, and the exposures' noise is independent.
  const std::vector<model::Telescope> telescopes = config::build_exposure_telescopes(c);
  const int n = static_cast<int>(telescopes.size());
  std::vector<RealImage> models;
  std::vector<config::SimulatedData> sims;
  std::vector<std::string> data_names;
  for (int e = 0; e < n; ++e) {
    models.push_back(telescopes[static_cast<std::size_t>(e)].model());
    sims.push_back(
        config::simulate_data(c.noise, models.back(), 1 + static_cast<std::uint64_t>(e)));
    data_names.push_back(config::exposure_file_name(c, e, "data"));
    for (int k = 0; k < e; ++k) {
      if (data_names[static_cast<std::size_t>(k)] == data_names.back()) {
        throw InvalidArgument(fmt::format(
            "{}: exposures {} and {} would both write '{}': give them names that differ in "
            "letters, digits, '-', '.' or '_'",
            c.source_name, k, e, data_names.back()));
      }
    }
  }
  std::optional<posterior::ImagePosterior> post;
  if (!c.priors.empty()) {
    std::vector<RealImage> data;
    for (const auto& s : sims) data.push_back(s.data);
    post.emplace(config::build_posterior(c, telescopes, std::move(data)));
  }
  prepare_run_dir(out_dir, overwrite);

  SimulateResult result;
  auto path = [&](const std::string& name) {
    result.written.push_back(name);
    return path_in(out_dir, name);
  };
  // The config as run; with [[exposures]] each exposure's data is the file written here
  // (relative to this directory, where the config is: `airy fit <out>/config.toml` fits it).
  config::Config written = c;
  for (int e = 0; e < static_cast<int>(written.exposures.size()); ++e) {
    auto& x = written.exposures[static_cast<std::size_t>(e)];
    x.data = data_names[static_cast<std::size_t>(e)];
    x.hdu.clear();
  }
  // Every FITS header carries the checksum of this config.toml (image_header).
  std::vector<std::string> data_paths;
  for (int e = 0; e < n; ++e) {
    const auto ue = static_cast<std::size_t>(e);
    io::FitsHeader psf_header = image_header(written, "MODEL", "photon");
    psf_header.history.push_back("noise-free image of the configured telescope (airy simulate)");
    io::write_fits(path(config::exposure_file_name(c, e, "psf")), models[ue], psf_header);
    io::FitsHeader data_header = image_header(written, "DATA", "photon");
    data_header.history.push_back(
        fmt::format("simulated data: photon noise {}, read noise sigma {} photons, seed {}{}",
                    c.noise.photon ? "on" : "off", c.noise.read_sigma, c.noise.seed,
                    c.exposures.empty() ? std::string() : fmt::format(", stream {}", 1 + e)));
    data_paths.push_back(path(data_names[ue]));
    io::write_fits(data_paths.back(), sims[ue].data, data_header);
  }
  result.data_path = data_paths[0];
  result.data_paths = data_paths;
  write_text(path("config.toml"), config::to_toml(written));

  // The truth of every sampled parameter, in its sampling units (requires priors), with the
  // data files' checksums: `airy fit` trusts it for exactly these data files.
  if (post) {
    const auto names = post->log_density().output_names();
    auto values = post->current_values();
    // A sampled read noise: the data were made with [noise] read_sigma (likelihood.sigma is
    // only where a fit starts).
    for (int e = 0; e < post->num_exposures(); ++e) {
      if (const int g = post->read_noise_index(e); g >= 0) {
        values[static_cast<std::size_t>(g)] =
            c.noise.read_sigma / post->scales()[static_cast<std::size_t>(g)];
      }
    }
    write_truth(path("truth.toml"), names, values, data_paths, "simulate");
    for (std::size_t i = 0; i < names.size(); ++i) result.truth[names[i]] = values[i];
  }
  // The figure shows the single image, or exposure 0 of N.
  draw_simulation_figure(c, models[0], sims[0].photon_noise_only, sims[0].data, out_dir);
  result.written.push_back("simulate.png");
  result.written.push_back("simulate.pdf");
  return result;
}

}  // namespace airy::pipeline
