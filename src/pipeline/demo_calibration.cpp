// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy demo calibration`: the reduced pixel-level calibration of
/// examples/calibration.toml end to end (docs/calibration.md): a true flat field, the
/// simulation, the MAP from examples/calibration_guess.toml, the Laplace sd of every parameter
/// and the comparison with the truth.
#include <fmt/format.h>

#include <filesystem>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {

namespace fs = std::filesystem;

RealImage draw_flat_field(Eigen::Index rows, Eigen::Index cols, double sd, std::uint64_t seed) {
  // Normal(1, sd) per pixel: the prior the fit assumes, so that the Laplace intervals' coverage
  // of the true values is the calibration check of docs/calibration.md.
  Rng rng(seed, 0);
  RealImage flat(rows, cols);
  for (Eigen::Index i = 0; i < flat.size(); ++i) flat.data()[i] = rng.normal(1.0, sd);
  return flat;
}

CalibrationDemoResult calibration_demo(const CalibrationDemoOptions& o) {
  config::Config truth =
      config::parse_config(config::calibration_toml(), "<embedded examples/calibration.toml>");
  if (!o.out_dir.empty()) truth.output_dir = o.out_dir;
  // The noise of the data: Philox streams 1 + e of noise.seed (simulate); the flat field
  // below uses stream 0 of its own seed, so equal seeds still give independent draws.
  truth.noise.seed = o.noise_seed;
  const std::string out = fs::absolute(truth.output_dir).lexically_normal().string();
  truth.output_dir = out;
  CalibrationDemoResult r;
  r.sim_dir = out;
  r.map_dir = path_in(out, "map");
  prepare_run_dir(out, o.overwrite);  // before the flat field is written into it
  prepare_run_dir(r.map_dir, o.overwrite);

  // The true flat field on the detector grid: the shape of the image rendered with the
  // pixel_response layer's default map (ones), before the file exists.
  config::Config ones = truth;
  for (auto& layer : ones.detector) {
    if (layer.type == "pixel_response") layer.file.clear();
  }
  const RealImage image = config::build_telescope(ones).model();
  const RealImage flat = draw_flat_field(image.rows(), image.cols(), 0.05, o.flat_seed);
  r.true_flat_path = path_in(out, "true_flat_field.fits");
  io::FitsHeader h = image_header(truth, "FLAT_TRUE", "1");
  h.history.push_back(
      fmt::format("true flat field: Normal(1, 0.05) per pixel, Philox seed {}", o.flat_seed));
  io::write_fits(r.true_flat_path, flat, h);
  bool found = false;
  for (auto& layer : truth.detector) {
    if (layer.type == "pixel_response") layer.file = r.true_flat_path, found = true;
  }
  if (!found) throw Error("calibration demo: the embedded example has no pixel_response layer");
  r.simulation = simulate(truth, out, o.overwrite);

  // The fit starts from the guess: every exposure reads the data just simulated.
  config::Config guess = config::parse_config(config::calibration_guess_toml(),
                                              "<embedded examples/calibration_guess.toml>");
  if (guess.exposures.size() != r.simulation.data_paths.size()) {
    throw Error("calibration demo: the guess and the truth have different exposures");
  }
  for (std::size_t e = 0; e < guess.exposures.size(); ++e) {
    guess.exposures[e].data = r.simulation.data_paths[e];
  }
  guess.output_dir = r.map_dir;
  OptimizeRunOptions oo;
  oo.init = "config";
  oo.laplace = "structured";
  oo.overwrite = o.overwrite;
  r.map = optimize_run(guess, oo);
  return r;
}

}  // namespace airy::pipeline
