// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy summary` and `airy plot`: everything from the files of a run directory.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {

std::string truth_report(const infer::Run& run, const std::map<std::string, double>& truth,
                         int* outside);

namespace {

namespace fs = std::filesystem;

std::vector<std::string> chain_files(const std::string& run_dir) {
  if (!fs::is_directory(run_dir)) {
    throw InvalidArgument(fmt::format("run directory '{}': does not exist", run_dir));
  }
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(run_dir)) {
    const std::string f = entry.path().filename().string();
    if (f.starts_with("chain_") && f.ends_with(".csv")) files.push_back(entry.path().string());
  }
  // chain_2.csv before chain_10.csv.
  std::sort(files.begin(), files.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  if (files.empty()) {
    throw InvalidArgument(
        fmt::format("run directory '{}': no chain_<id>.csv files (not an airy fit?)", run_dir));
  }
  return files;
}

std::map<std::string, double> truth_of(const std::string& run_dir) {
  const fs::path p = fs::path(run_dir) / "truth.toml";
  return fs::exists(p) ? read_truth(p.string()) : std::map<std::string, double>{};
}

}  // namespace

FitResult summarize_run(const std::string& run_dir) {
  const infer::Run run = io::read_cmdstan_csv_run(chain_files(run_dir));
  const std::string status = read_run_status((fs::path(run_dir) / "run_info.toml").string());
  FitResult result;
  result.complete =
      status == "complete" && std::all_of(run.chains.begin(), run.chains.end(),
                                          [](const infer::Chain& ch) { return ch.complete; });
  if (run.chains.empty() || run.chains[0].num_draws() < 4) {
    result.complete = false;
    result.summary_text =
        fmt::format("INCOMPLETE RUN ({}): no post-warmup draws to summarise\n", status);
    return result;
  }
  result.summary = infer::summarize(run);
  result.summary_text = infer::format_summary(result.summary);
  result.summary_text += truth_report(run, truth_of(run_dir), &result.truths_outside_99);
  if (!result.complete) {
    result.summary_text =
        fmt::format("INCOMPLETE RUN (status: {}): the summary covers the draws written so far\n{}",
                    status, result.summary_text);
  }
  return result;
}

void plot_run(const std::string& run_dir, const PlotOverrides& overrides) {
  const infer::Run run = io::read_cmdstan_csv_run(chain_files(run_dir));
  const fs::path dir(run_dir);
  config::Config c = config::load_config((dir / "config.toml").string());
  apply_plot_overrides(c.plot, overrides);
  const RealImage data = io::read_fits((dir / "data.fits").string()).image;
  const model::Telescope telescope = config::build_telescope(c);
  const auto post = config::build_posterior(c, telescope, data);
  const infer::Summary summary = infer::summarize(run);
  std::vector<double> mean;
  for (const auto& row : summary.rows) mean.push_back(row.mean);
  draw_fit_images(c, data, post.telescope_at(mean).model(), run_dir, static_cast<int>(mean.size()));
  draw_posterior_plots(c, run, post.output_units(), truth_of(run_dir), run_dir);
}

void apply_overrides(config::Config& c, const Overrides& o) {
  auto positive = [](const char* field, int v) {
    if (v < 1) throw InvalidArgument(fmt::format("--{} = {}: must be >= 1", field, v));
  };
  if (o.num_chains) positive("chains", *o.num_chains), c.sampler.num_chains = *o.num_chains;
  if (o.num_samples) positive("samples", *o.num_samples), c.sampler.num_samples = *o.num_samples;
  if (o.num_warmup) {
    if (*o.num_warmup < 0) {
      throw InvalidArgument(fmt::format("--warmup = {}: must be >= 0", *o.num_warmup));
    }
    c.sampler.num_warmup = *o.num_warmup;
  }
  if (o.num_threads) {
    if (*o.num_threads < 0) {
      throw InvalidArgument(fmt::format("--threads = {}: must be >= 0", *o.num_threads));
    }
    c.sampler.num_threads = *o.num_threads;
  }
  if (o.seed) c.sampler.seed = *o.seed;
  if (o.out) c.output_dir = *o.out;
}

const char* version() { return AIRY_VERSION_STRING; }

}  // namespace airy::pipeline
