// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The data of a run (one image or N exposures), the posterior given them, and the
/// report of the pixels the likelihood leaves out.
#include <fmt/format.h>

#include "airy/config/build.hpp"
#include "pipeline/data_file.hpp"

namespace airy::pipeline {

std::vector<std::string> RunData::files() const {
  std::vector<std::string> f;
  for (const auto& e : exposures) f.push_back(e.file);
  return f;
}

std::string RunData::description() const {
  if (exposures.size() == 1 && exposures[0].label.empty()) return exposures[0].file;
  std::string s;
  for (const auto& e : exposures) {
    s += fmt::format("{}{}{}", s.empty() ? "" : ", ", e.file,
                     e.hdu.empty() ? std::string() : "[" + e.hdu + "]");
  }
  return s;
}

RunData load_run_data(const config::Config& c, const std::string& data_path, int concurrent) {
  std::vector<model::Telescope> telescopes = config::build_exposure_telescopes(c);
  std::vector<config::ExposureData> exposures =
      config::load_exposure_data(c, data_path, telescopes);
  std::vector<RealImage> images;
  std::vector<posterior::PixelMaps> maps;
  for (const auto& e : exposures) {
    images.push_back(e.image);
    maps.push_back(e.maps);
  }
  posterior::ImagePosterior post =
      config::build_posterior(c, telescopes, std::move(images), std::move(maps));
  const int threads = config::evaluation_threads(
      c, post.num_exposures(), concurrent > 0 ? concurrent : config::concurrent_chains(c));
  if (threads > 1) post = post.with_threads(threads);
  return RunData{std::move(telescopes), std::move(exposures), std::move(post)};
}

std::string masked_report(const posterior::ImagePosterior& post) {
  std::string s;
  for (int e = 0; e < post.num_exposures(); ++e) {
    const posterior::ImageLikelihood& l = post.likelihood(e);
    if (l.num_masked() == 0) continue;
    const std::string& name = post.exposure_name(e);
    const std::string which =
        post.num_exposures() == 1 && name.empty()
            ? std::string()
            : fmt::format("exposure '{}': ", name.empty() ? std::to_string(e) : name);
    s += fmt::format("data: {}{} of {} pixels masked ({} NaN), left out of the likelihood\n", which,
                     l.num_masked(), l.data().size(), l.num_nan());
  }
  return s;
}

void add_mask_counts(const posterior::ImagePosterior& post,
                     std::map<std::string, double>& numbers) {
  double masked = 0.0, nan = 0.0;
  for (int e = 0; e < post.num_exposures(); ++e) {
    masked += static_cast<double>(post.likelihood(e).num_masked());
    nan += static_cast<double>(post.likelihood(e).num_nan());
  }
  numbers["num_exposures"] = post.num_exposures();
  numbers["masked_pixels"] = masked;
  numbers["nan_pixels"] = nan;
}

}  // namespace airy::pipeline
