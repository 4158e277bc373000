// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy summary` and `airy plot`: everything from the files of a run directory.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>
#include <type_traits>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/chain_modes.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/fit_pt.hpp"
#include "pipeline/predictive.hpp"
#include "pipeline/run_files.hpp"
#include "pipeline/summary_table.hpp"

namespace airy::pipeline {

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

/// The run's config.toml, or nullopt when it is missing or does not load.
std::optional<config::Config> run_config(const std::string& run_dir) {
  const fs::path path = fs::path(run_dir) / "config.toml";
  if (!fs::exists(path)) return std::nullopt;
  try {
    return config::load_config(path.string());
  } catch (const InvalidArgument&) {
    return std::nullopt;
  }
}

/// The run's copies of its data: data.fits, or data_<label>.fits per exposure.
std::vector<std::string> data_copies(const std::string& run_dir,
                                     const std::optional<config::Config>& c) {
  std::vector<std::string> files;
  const int n = c ? std::max<int>(static_cast<int>(c->exposures.size()), 1) : 1;
  for (int e = 0; e < n; ++e) {
    files.push_back(path_in(run_dir, c ? config::exposure_file_name(*c, e, "data") : "data.fits"));
  }
  return files;
}

/// The run's truth.toml, when it was written for the run's data copies.
std::map<std::string, double> truth_of(const std::string& run_dir) {
  const std::vector<std::string> data = data_copies(run_dir, run_config(run_dir));
  for (const auto& f : data) {
    if (!fs::exists(f)) return {};
  }
  std::string why;
  return truth_written_for(data, &why);
}

/// Why a run is not complete, from its run_info.toml.
std::string status_text(const RunInfo& info) {
  if (info.status == "running") {
    return fmt::format(
        "status: running: the process never finished (killed, crashed, or still running; "
        "last phase: {})",
        info.phase.empty() ? "unknown" : info.phase);
  }
  if (info.status == "failed") return fmt::format("status: failed: {}", info.error);
  if (info.status == "interrupted" && !info.stop.empty()) {
    return fmt::format("status: interrupted by {}", info.stop);
  }
  if (info.status == "missing") return "no run_info.toml";
  return "status: " + info.status;
}

/// The fit's table columns (full names, units, truth) from the run's config and data copies;
/// names and truth only when those do not load.
infer::SummaryOptions table_columns(const std::string& run_dir,
                                    const std::map<std::string, double>& truth) {
  try {
    const std::optional<config::Config> c = run_config(run_dir);
    if (c) {
      std::vector<RealImage> data;
      for (const auto& f : data_copies(run_dir, c)) data.push_back(io::read_fits(f).image);
      const auto post =
          config::build_posterior(*c, config::build_exposure_telescopes(*c), std::move(data));
      // The fit's names (positions[s,a], map[y,x]), as NUTS and parallel tempering write them.
      return summary_columns(post, truth, structured_output_names(*c, post));
    }
  } catch (const Error&) {
    // A run directory without its data copies: the table without units.
  }
  infer::SummaryOptions o;
  o.truth = truth;
  return o;
}

}  // namespace

FitResult summarize_run(const std::string& run_dir) {
  const infer::Run run = io::read_cmdstan_csv_run(chain_files(run_dir));
  const RunInfo info = read_run_info((fs::path(run_dir) / "run_info.toml").string());
  FitResult result;
  result.complete =
      info.status == "complete" && std::all_of(run.chains.begin(), run.chains.end(),
                                               [](const infer::Chain& ch) { return ch.complete; });
  result.stopped_by = info.stop;
  const std::string status = status_text(info);
  if (run.chains.empty() || run.chains[0].num_draws() < 4) {
    result.complete = false;
    result.summary_text =
        fmt::format("INCOMPLETE RUN ({}): no post-warmup draws to summarise\n", status);
    return result;
  }
  result.summary = infer::summarize(run);
  // The fit's own figures: the CSVs time each chain, not the run (threads, MAP, waits).
  auto recorded = [&](const char* key, auto& field) {
    auto it = info.numbers.find(key);
    if (it != info.numbers.end()) field = static_cast<std::decay_t<decltype(field)>>(it->second);
  };
  recorded("wall_seconds", result.summary.wall_seconds);
  recorded("gradient_evaluations", result.summary.gradient_evaluations);
  recorded("ess_bulk_per_second", result.summary.ess_per_second);
  recorded("ess_bulk_per_gradient", result.summary.ess_per_gradient);
  const std::map<std::string, double> truth = truth_of(run_dir);
  result.summary_text = infer::format_summary(result.summary, table_columns(run_dir, truth));
  // A parallel tempering run: its report (Lambda, rungs, round trips, swap acceptance per
  // pair, log Z +- se) from run_info.toml's [[pt_runs]], first, as `airy fit` printed it.
  const std::vector<infer::PtReport> pt =
      read_pt_runs((fs::path(run_dir) / "run_info.toml").string());
  if (!pt.empty()) {
    config::SamplerConfig sampler;
    if (const auto c = run_config(run_dir)) sampler = c->sampler;
    result.summary_text = pt_report_text(pt, sampler) + result.summary_text;
  }
  result.summary_text += truth_report(run, truth, &result.truths_outside_99);
  result.summary_text += chain_mode_report(run);
  if (!result.complete) {
    result.summary_text =
        fmt::format("INCOMPLETE RUN ({}): the summary covers the draws written so far\n{}", status,
                    result.summary_text);
  }
  return result;
}

void plot_run(const std::string& run_dir, const PlotOverrides& overrides) {
  const infer::Run run = io::read_cmdstan_csv_run(chain_files(run_dir));
  const fs::path dir(run_dir);
  for (const auto& ch : run.chains) {
    if (ch.num_draws() < 4) {
      throw InvalidArgument(fmt::format(
          "run directory '{}': chain {} has {} post-warmup draws, too few to plot ({})", run_dir,
          ch.id, ch.num_draws(), status_text(read_run_info((dir / "run_info.toml").string()))));
    }
  }
  config::Config c = config::load_config((dir / "config.toml").string());
  apply_plot_overrides(c.plot, overrides);
  // The run's own copies of the data; the likelihood's masks and variance maps enter the
  // residual panels (figures.hpp).
  std::vector<RealImage> data;
  for (const auto& f : data_copies(run_dir, c)) data.push_back(io::read_fits(f).image);
  const std::vector<model::Telescope> telescopes = config::build_exposure_telescopes(c);
  const auto post = config::build_posterior(c, telescopes, std::move(data));
  const infer::Summary summary = infer::summarize(run);
  std::vector<double> mean;
  for (const auto& row : summary.rows) mean.push_back(row.mean);
  std::vector<RealImage> models;
  for (int e = 0; e < post.num_exposures(); ++e)
    models.push_back(post.telescope_at(mean, e).model());
  draw_exposure_fit_images(c, post, models, run_dir, static_cast<int>(mean.size()), "fit_images",
                           "posterior-mean model");
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
  if (o.threads_per_chain) {
    if (*o.threads_per_chain < 0) {
      throw InvalidArgument(
          fmt::format("--threads-per-chain = {}: must be >= 0", *o.threads_per_chain));
    }
    c.sampler.threads_per_chain = *o.threads_per_chain;
  }
  if (o.seed) {
    using Seed = decltype(c.sampler.seed);
    if (*o.seed > std::numeric_limits<Seed>::max()) {
      throw InvalidArgument(
          fmt::format("--seed = {}: must be <= {}", *o.seed, std::numeric_limits<Seed>::max()));
    }
    c.sampler.seed = static_cast<Seed>(*o.seed);
  }
  if (o.out) c.output_dir = *o.out;
}

std::string command_output_dir(const config::Config& c, const std::string& command) {
  std::string base = c.output_dir;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "-" + command;
}

const char* version() { return AIRY_VERSION_STRING; }

}  // namespace airy::pipeline
