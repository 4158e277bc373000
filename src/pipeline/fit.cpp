// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fit`: sample the posterior, stream chains to disk, summarise, write files.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/infer/diagnostics.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/io/inference_data.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;

std::string path_in(const std::string& dir, const std::string& file) {
  return (fs::path(dir) / file).string();
}

std::map<std::string, double> load_truth(const config::Config& c, const FitOptions& o,
                                         const std::vector<std::string>& names) {
  std::map<std::string, double> truth;
  std::string path = o.truth_path;
  if (path.empty()) {
    const fs::path beside = fs::path(o.data_path).parent_path() / "truth.toml";
    if (fs::exists(beside)) path = beside.string();
  }
  if (!path.empty()) truth = read_truth(path);
  // A prior's `truth` key covers scalar sites.
  for (const auto& p : c.priors) {
    if (!p.truth) continue;
    const auto dot = p.path.rfind('.');
    const std::string leaf = dot == std::string::npos ? p.path : p.path.substr(dot + 1);
    for (const auto& n : names) {
      if (n == leaf || n == p.path) truth[n] = *p.truth;
    }
  }
  return truth;
}

/// Pooled post-warmup draws of one coordinate.
std::vector<double> pooled(const infer::Run& run, int column) {
  std::vector<double> v;
  for (const auto& ch : run.chains) {
    for (Eigen::Index r = ch.num_warmup_saved; r < ch.draws.rows(); ++r) {
      v.push_back(ch.draws(r, column));
    }
  }
  return v;
}

double quantile_of(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const double h = (static_cast<double>(v.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

RealImage load_data(const std::string& path, const model::Telescope& telescope) {
  if (path.empty()) throw InvalidArgument("fit: no data file given (--data FILE)");
  if (!fs::exists(path)) throw InvalidArgument(fmt::format("data file '{}': does not exist", path));
  RealImage image = io::read_fits(path).image;
  if (image.rows() != telescope.image_rows() || image.cols() != telescope.image_cols()) {
    throw InvalidArgument(fmt::format(
        "data file '{}': image is {}x{} pixels (ny x nx) but the configured telescope renders "
        "{}x{} (optics.psf_npix x optics.oversample, after detector downsampling)",
        path, image.rows(), image.cols(), telescope.image_rows(), telescope.image_cols()));
  }
  io::check_all_finite(image, fmt::format("data file '{}'", path));
  return image;
}

std::string truth_report(const infer::Run& run, const std::map<std::string, double>& truth,
                         int* outside) {
  *outside = -1;
  if (truth.empty() || run.chains.empty() || run.chains[0].num_draws() < 2) return "";
  *outside = 0;
  int checked = 0;
  std::string misses;
  const auto& names = run.chains[0].names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto it = truth.find(names[i]);
    if (it == truth.end()) continue;
    const auto v = pooled(run, static_cast<int>(i));
    const double lo = quantile_of(v, 0.005), hi = quantile_of(v, 0.995);
    ++checked;
    if (it->second < lo || it->second > hi) {
      ++*outside;
      misses +=
          fmt::format("  {} = {:.6g} outside [{:.6g}, {:.6g}]\n", names[i], it->second, lo, hi);
    }
  }
  return fmt::format("truth: {}/{} true values inside their central 99% intervals\n{}",
                     checked - *outside, checked, misses);
}

FitResult fit(const config::Config& c, const FitOptions& o) {
  const std::string& out = c.output_dir;
  prepare_output_dir(out);
  const model::Telescope telescope = config::build_telescope(c);
  RealImage data = load_data(o.data_path, telescope);
  const posterior::ImagePosterior post = config::build_posterior(c, telescope, data);
  const infer::SiteModel& density = post.log_density();
  const std::vector<std::string> names = density.output_names();
  const std::vector<std::string> units = post.output_units();
  const auto truth = load_truth(c, o, names);

  // Inputs of the run first, so that an interrupted run still documents itself.
  write_text(path_in(out, "config.toml"), config::to_toml(c));
  if (fs::absolute(o.data_path) != fs::absolute(path_in(out, "data.fits"))) {
    io::write_fits(path_in(out, "data.fits"), data, image_header(c, "DATA", "photons"));
  }
  if (!truth.empty() && !fs::exists(path_in(out, "truth.toml"))) {
    std::vector<std::string> tn;
    std::vector<double> tv;
    for (const auto& [k, v] : truth) {
      tn.push_back(k);
      tv.push_back(v);
    }
    write_truth(path_in(out, "truth.toml"), tn, tv);
  }
  RunInfo info;
  info.status = "running";
  info.command_line = o.command_line;
  info.data_file = o.data_path;
  write_run_info(path_in(out, "run_info.toml"), info);
  for (const auto& entry : fs::directory_iterator(out)) {
    // Chains of an earlier run in the same directory would be mixed into this one.
    const std::string f = entry.path().filename().string();
    if (f.starts_with("chain_") && f.ends_with(".csv")) fs::remove(entry.path());
  }

  // sampler.metric = "fisher": a dense metric from the Laplace approximation at the MAP,
  // fixed through warmup (only the step size adapts); sampler.init = "map": every chain
  // starts at the MAP (docs/fisher.md).
  config::SamplerConfig sc = c.sampler;
  const bool fisher_metric = sc.metric == "fisher";
  if (fisher_metric) sc.metric = "dense_e";
  infer::SamplerOptions options = config::sampler_options(sc);
  options.quiet = o.quiet;
  std::string map_text;
  double map_seconds = 0.0;
  long long map_evaluations = 0;
  const bool laplace_start =
      c.sampler.metric_init == "laplace" && (sc.metric == "dense_e" || sc.metric == "diag_e");
  if (fisher_metric || laplace_start || c.sampler.init == "map") {
    const MapLaplace ml = map_laplace(post, c.sampler.map_starts, c.sampler.seed);
    const posterior::OptimizeStart& best = ml.map.best_start();
    for (const auto& s : ml.map.starts) map_evaluations += s.evaluations;
    map_seconds = ml.map.seconds;
    map_text = fmt::format(
        "MAP: best of {} L-BFGS starts, log density {:.8g}, |grad| {:.2g}, {} evaluations in "
        "{:.2f} s ({})\n",
        ml.map.starts.size(), best.objective, best.gradient_norm, map_evaluations, map_seconds,
        best.reason);
    if (c.sampler.init == "map") options.init = {best.values};
    if (laplace_start && !fisher_metric) {
      // Stan's windowed adaptation, started from the Laplace metric instead of the identity.
      const RealMatrix& laplace = ml.fisher.laplace_unconstrained;
      options.inv_metric = sc.metric == "dense_e" ? laplace : RealMatrix(laplace.diagonal());
      map_text += fmt::format(
          "metric: {} adapted as usual (windows {}/{}/{}), started from the Laplace metric at "
          "the MAP\n",
          sc.metric, options.init_buffer, options.window, options.term_buffer);
    }
    if (fisher_metric) {
      options.inv_metric = ml.fisher.laplace_unconstrained;
      options.adapt_metric = false;
      map_text +=
          "metric: dense, (Fisher + negative prior Hessian)^-1 at the MAP, fixed; warmup "
          "adapts the step size only\n";
    }
    if (!o.quiet) std::cerr << map_text;
  }
  io::CsvSinkOptions csv;
  csv.path_pattern = path_in(out, "chain_{id}.csv");
  csv.settings.model = "airy_image_posterior";
  csv.settings.num_samples = options.num_samples;
  csv.settings.num_warmup = options.num_warmup;
  csv.settings.save_warmup = options.save_warmup;
  csv.settings.thin = options.thin;
  csv.settings.delta = options.delta;
  csv.settings.max_depth = options.max_depth;
  csv.settings.metric = sc.metric;
  csv.settings.num_chains = options.num_chains;
  csv.settings.seed = options.seed;
  csv.settings.data_file = o.data_path;
  options.sink_factory = [csv](int) { return std::make_unique<io::CmdStanCsvSink>(csv); };
  const infer::Run run = infer::sample(density, options);

  FitResult result;
  result.complete = std::all_of(run.chains.begin(), run.chains.end(),
                                [](const infer::Chain& ch) { return ch.complete; });
  const bool have_draws = !run.chains.empty() && run.chains[0].num_draws() >= 4;
  if (have_draws) {
    result.summary = infer::summarize(run);
    result.summary_text = infer::format_summary(result.summary);
    result.summary_text += truth_report(run, truth, &result.truths_outside_99);
    result.summary_text = map_text + result.summary_text;
    if (!result.complete) {
      result.summary_text =
          "INCOMPLETE RUN (interrupted): the summary covers the draws made so far\n" +
          result.summary_text;
    }
    write_text(path_in(out, "summary.txt"), result.summary_text);
    write_text(path_in(out, "summary.csv"), infer::summary_csv(result.summary));

    io::InferenceDataOptions nc;
    nc.observed = data;
    nc.truth = truth;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!units[i].empty()) nc.units[names[i]] = units[i];
    }
    io::write_inference_data(path_in(out, "posterior.nc"), run, nc);

    std::vector<double> mean(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) mean[i] = result.summary.rows[i].mean;
    const RealImage model = post.telescope_at(mean).model();
    io::FitsHeader mh = image_header(c, "MODEL", "photons");
    mh.history.push_back("image at the posterior mean of the sampled parameters");
    io::write_fits(path_in(out, "model.fits"), model, mh);
    io::FitsHeader rh = image_header(c, "RESIDUAL", "photons");
    rh.history.push_back("data - posterior-mean model");
    io::write_fits(path_in(out, "residual.fits"), RealImage(data - model), rh);
    if (o.plots) {
      draw_fit_images(c, data, model, out, static_cast<int>(names.size()));
      draw_posterior_plots(c, run, units, truth, out);
    }
  } else {
    result.summary_text = "INCOMPLETE RUN: interrupted before any post-warmup draw\n";
    write_text(path_in(out, "summary.txt"), result.summary_text);
  }

  info.status = result.complete ? "complete" : "interrupted";
  info.numbers = {
      {"wall_seconds", run.wall_seconds},
      {"num_chains", static_cast<double>(run.chains.size())},
      {"gradient_evaluations", static_cast<double>(result.summary.gradient_evaluations)},
      {"divergences", static_cast<double>(result.summary.num_divergent)},
      {"min_ess_bulk", result.summary.min_ess_bulk},
      {"ess_bulk_per_second", result.summary.ess_per_second},
      {"ess_bulk_per_gradient", result.summary.ess_per_gradient}};
  if (!map_text.empty()) {
    info.numbers["map_seconds"] = map_seconds;
    info.numbers["map_gradient_evaluations"] = static_cast<double>(map_evaluations);
  }
  if (result.truths_outside_99 >= 0) {
    info.numbers["truths_outside_99"] = result.truths_outside_99;
  }
  write_run_info(path_in(out, "run_info.toml"), info);
  return result;
}

}  // namespace airy::pipeline
