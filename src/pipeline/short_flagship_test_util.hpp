// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Test helpers shared by the pipeline tests and the end-to-end tests: the flagship
/// config on a 32 px pupil with short, shallow chains, and a fresh scratch folder.
#pragma once

#include <filesystem>
#include <string>

#include "airy/config/config.hpp"

namespace airy::pipeline::testing {

/// Lengths of a short run (2 chains, tree depth <= 5): every code path of the demo in seconds;
/// convergence is the demo's own check, not these tests'.
struct ShortRun {
  int num_warmup = 100;
  int num_samples = 60;
  int map_starts = 16;
};

/// The embedded flagship config on a 32 px pupil (~16x cheaper, same parameters and image)
/// with the lengths of `run`, writing to `out`.
inline config::Config short_flagship(const std::string& out, const ShortRun& run = {}) {
  config::Config c = config::parse_config(config::flagship_toml(), "<embedded>");
  c.optics.npix = 32;
  c.sampler.num_chains = 2;
  c.sampler.num_warmup = run.num_warmup;
  c.sampler.num_samples = run.num_samples;
  c.sampler.max_depth = 5;
  c.sampler.map_starts = run.map_starts;
  c.output_dir = out;
  return c;
}

/// <tmp>/<prefix><name>, emptied: each test its own folder (CTest runs tests in parallel).
inline std::string fresh_dir(const std::string& prefix, const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / (prefix + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

}  // namespace airy::pipeline::testing
