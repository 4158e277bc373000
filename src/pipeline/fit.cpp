// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fit`: sample the posterior, stream chains to disk, summarise, write files.
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <mutex>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"
#include "airy/infer/diagnostics.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"
#include "airy/io/inference_data.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/chain_modes.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/fit_pt.hpp"
#include "pipeline/init_grid.hpp"
#include "pipeline/optimize_structured.hpp"
#include "pipeline/predictive.hpp"
#include "pipeline/run_files.hpp"
#include "pipeline/structured_laplace.hpp"
#include "pipeline/summary_table.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;

/// netCDF-C is not thread-safe (its table of open files is global, whatever HDF5's build):
/// fits that run concurrently (`airy batch --jobs N`) write posterior.nc one at a time.
void write_inference_data_locked(const std::string& path, const infer::Run& run,
                                 const io::InferenceDataOptions& options) {
  static std::mutex netcdf;
  const std::lock_guard<std::mutex> lock(netcdf);
  io::write_inference_data(path, run, options);
}

/// Known true values and the file they came from ("" when only from the config).
struct Truth {
  std::map<std::string, double> values;
  std::string file;
};

/// The truth of this run: --truth, else the truth.toml beside the data when it was written
/// for exactly that file, plus the priors' `truth` keys. Never a truth.toml of another run.
Truth load_truth(const config::Config& c, const FitOptions& o,
                 const std::vector<std::string>& names, const std::vector<std::string>& data) {
  Truth truth;
  if (!o.truth_path.empty()) {
    truth.values = read_truth(o.truth_path);
    truth.file = o.truth_path;
  } else {
    std::string why;
    truth.values = truth_written_for(data, &why);
    if (!truth.values.empty()) {
      truth.file = (fs::path(data.at(0)).parent_path() / "truth.toml").string();
    } else if (!why.empty()) {
      std::cerr << fmt::format("airy fit: not using {} (--truth FILE uses a truth file)\n", why);
    }
  }
  // A prior's `truth` key covers scalar sites.
  for (const auto& p : c.priors) {
    if (!p.truth) continue;
    const auto dot = p.path.rfind('.');
    const std::string leaf = dot == std::string::npos ? p.path : p.path.substr(dot + 1);
    for (const auto& n : names) {
      if (n == leaf || n == p.path) truth.values[n] = *p.truth;
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

/// The MAP phase of a fit: its report line(s), timings and what the sampler takes from it.
struct MapPhase {
  std::string text;
  double seconds = 0.0;
  long long evaluations = 0;
  bool interrupted = false;
  std::optional<double> best_log_density;
  std::string modes_toml;  ///< [[map_modes]] for run_info.toml
  int starts = 0;          ///< L-BFGS starts run
  /// `# key = value` lines for the chain CSV headers: where the chains started and how the
  /// metric was set, when the MAP decided it (CmdStan's own `init` field says only "map").
  std::vector<std::pair<std::string, std::string>> csv_notes;
};

/// Runs the MAP for sampler.init = "map", metric = "fisher" or metric_init = "laplace" and
/// sets the sampler's init / metric from it; an interrupted MAP sets nothing but the report.
MapPhase run_map(const config::Config& c, const posterior::ImagePosterior& post,
                 const config::SamplerConfig& sc, bool fisher_metric,
                 infer::SamplerOptions& options) {
  MapPhase m;
  // sampler.map_grid: the grid's best points are L-BFGS starts before the random ones.
  MapLaplace ml;
  GridMap gm;
  if (!c.sampler.map_grid.empty()) {
    posterior::OptimizeOptions oo;
    oo.num_starts = c.sampler.map_starts;
    oo.seed = c.sampler.seed;
    gm = grid_map(post, config_grid(c.sampler.map_grid, c.sampler.map_grid_starts), oo);
    ml.map = gm.map;
    if (!ml.map.interrupted) {
      ml.fisher = posterior::fisher_information(post, ml.map.best_start().values);
    }
    m.text = grid_text(gm.grid, c.sampler.map_grid_starts);
  } else {
    ml = map_laplace(post, c.sampler.map_starts, c.sampler.seed);
    gm.modes = distinct_modes(post, ml.map);
  }
  m.modes_toml = modes_toml(ml.map, gm.modes, gm.grid_starts);
  for (const auto& s : ml.map.starts) m.evaluations += s.evaluations;
  m.seconds = ml.map.seconds;
  m.interrupted = ml.map.interrupted;
  if (ml.map.best >= 0) m.best_log_density = ml.map.best_start().objective;
  if (m.interrupted) {
    m.text += fmt::format("MAP: INTERRUPTED in L-BFGS start {} of {} ({} evaluations, {:.2f} s)",
                          ml.map.starts.size() + (ml.map.starts.empty() ? 1 : 0),
                          c.sampler.map_starts, m.evaluations, m.seconds);
    if (ml.map.best < 0) return m.text += "\n", m;
    const posterior::OptimizeStart& best = ml.map.best_start();
    m.text += fmt::format("; best log density so far {:.8g} at:\n", best.objective);
    for (std::size_t i = 0; i < ml.map.names.size(); ++i) {
      m.text += fmt::format("  {} = {:.8g}\n", ml.map.names[i], best.values[i]);
    }
    return m;
  }
  const posterior::OptimizeStart& best = ml.map.best_start();
  m.starts = static_cast<int>(ml.map.starts.size());
  m.text += fmt::format(
      "MAP: best of {} L-BFGS starts, log density {:.8g}, |grad| {:.2g}, {} evaluations in "
      "{:.2f} s ({})\n",
      ml.map.starts.size(), best.objective, best.gradient_norm, m.evaluations, m.seconds,
      best.reason);
  m.text += modes_text(ml.map, gm.modes, gm.grid_starts);
  if (c.sampler.init == "map") {
    options.init = {best.values};
    m.csv_notes.emplace_back(
        "airy_init", fmt::format("map: every chain starts at the MAP (best of {} L-BFGS starts, "
                                 "log density {:.10g}), not at random points",
                                 m.starts, best.objective));
  }
  const bool laplace_start = c.sampler.metric_init == "laplace" && !fisher_metric;
  if (laplace_start && (sc.metric == "dense_e" || sc.metric == "diag_e")) {
    // Stan's windowed adaptation, started from the Laplace metric instead of the identity.
    const RealMatrix& laplace = ml.fisher.laplace_unconstrained;
    options.inv_metric = sc.metric == "dense_e" ? laplace : RealMatrix(laplace.diagonal());
    m.text += fmt::format(
        "metric: {} adapted as usual (windows {}/{}/{}), started from the Laplace metric at "
        "the MAP\n",
        sc.metric, options.init_buffer, options.window, options.term_buffer);
    m.csv_notes.emplace_back("airy_metric_init",
                             "laplace: the metric adaptation started from the Laplace inverse "
                             "metric at the MAP instead of the identity");
  }
  if (fisher_metric) {
    options.inv_metric = ml.fisher.laplace_unconstrained;
    options.adapt_metric = false;
    m.text +=
        "metric: dense, (Fisher + negative prior Hessian)^-1 at the MAP, fixed; warmup "
        "adapts the step size only\n";
    m.csv_notes.emplace_back("airy_metric",
                             "fisher: dense (Fisher + negative prior Hessian)^-1 at the MAP, "
                             "fixed; warmup adapted the step size only");
  }
  return m;
}

/// Whether the MAP phase takes the flat-field path (docs/calibration.md, "NUTS at 10^4
/// parameters"): a posterior the structured Laplace path takes under --laplace auto (a shared
/// flat field, more than kStructuredAbove parameters), no dense_e metric (n x n) and no grid.
/// A config the structured path refuses (a pixel-mixing layer after pixel_response) keeps the
/// dense path, as before.
bool flat_field_map_phase(const config::Config& c, const posterior::ImagePosterior& post) {
  if (c.sampler.metric == "dense_e" || !c.sampler.map_grid.empty()) return false;
  try {
    return use_structured(c, post, LaplaceMethod::kAuto);
  } catch (const InvalidArgument&) {
    return false;
  }
}

/// The MAP phase on a flat-field posterior at 10^3-10^6 parameters, where the dense Fisher
/// matrix of run_map (n renders, n^2 memory) is out of reach: the scaled L-BFGS
/// (structured_map) from the configured values, then sampler.map_starts - 1 prior draws. The
/// Laplace marginal variance of every unconstrained coordinate at the MAP by the flat field's
/// Schur complement (structured_laplace; the exact marginal of the Gaussian approximation, not
/// 1/F_ii) is the diagonal inverse metric: kept fixed with metric = "fisher" (the dense n x n
/// Laplace covariance is out of reach here, so "fisher" is its diagonal; warmup adapts the
/// step size only), or where the windowed adaptation starts with metric_init = "laplace".
/// laplace.csv then holds every parameter's Laplace sd at that MAP (site units).
MapPhase run_flat_field_map(const config::Config& c, const posterior::ImagePosterior& post,
                            const config::SamplerConfig& sc, bool fisher_metric,
                            const std::string& out, infer::SamplerOptions& options) {
  MapPhase m;
  const StructuredOptimize so = structured_map(c, post, c.sampler.map_starts - 1, true);
  const posterior::OptimizeResult& map = so.result;
  m.evaluations = so.evaluations;
  m.seconds = map.seconds;
  m.interrupted = map.interrupted;
  m.text = so.table;
  if (map.best >= 0) m.best_log_density = map.best_start().objective;
  const std::vector<Mode> modes = map.best >= 0 ? distinct_modes(post, map) : std::vector<Mode>{};
  // No [[map_modes]] in run_info.toml: its values table would hold every flat-field pixel
  // (10^4-10^6 entries); the MAP is in laplace.csv, the modes in summary.txt.
  if (m.interrupted) {
    m.text +=
        fmt::format("MAP: INTERRUPTED ({} evaluations, {:.2f} s)\n", m.evaluations, m.seconds);
    return m;
  }
  const posterior::OptimizeStart& best = map.best_start();
  m.starts = static_cast<int>(map.starts.size());
  m.text += fmt::format(
      "MAP: best of {} scaled L-BFGS starts (the configured values, then {} from the priors), "
      "log density {:.8g}, |grad| {:.2g}, {} evaluations in {:.2f} s ({})\n",
      map.starts.size(), c.sampler.map_starts - 1, best.objective, best.gradient_norm,
      m.evaluations, m.seconds, best.reason);
  m.text += modes_text(map, modes, 0);
  if (c.sampler.init == "map") {
    options.init = {best.values};
    m.csv_notes.emplace_back(
        "airy_init", fmt::format("map: every chain starts at the MAP (best of {} scaled L-BFGS "
                                 "starts, log density {:.10g}), not at random points",
                                 m.starts, best.objective));
  }
  const bool laplace_start = c.sampler.metric_init == "laplace" && sc.metric == "diag_e";
  if (fisher_metric || laplace_start) {
    const StructuredLaplace lap = structured_laplace(post, best.values);
    options.inv_metric =
        Eigen::Map<const RealVector>(lap.unconstrained_variance.data(),
                                     static_cast<Eigen::Index>(lap.unconstrained_variance.size()));
    write_text(path_in(out, "laplace.csv"), structured_csv(lap, "map"));
    std::vector<double> v = lap.unconstrained_variance;
    std::sort(v.begin(), v.end());
    const std::string what = fmt::format(
        "the Laplace marginal variances at the MAP by the flat field's Schur complement ({} "
        "coordinates, variance min {:.3g}, median {:.3g}, max {:.3g}; {:.2f} s; every sd in "
        "laplace.csv)",
        v.size(), v.front(), v[v.size() / 2], v.back(), lap.seconds);
    if (fisher_metric) {
      options.adapt_metric = false;
      m.text += fmt::format(
          "metric: diagonal, {}, fixed; warmup adapts the step size only (the dense n x n "
          "Laplace covariance of metric = \"fisher\" is out of reach on the flat-field path)\n",
          what);
      m.csv_notes.emplace_back("airy_metric",
                               "fisher: diagonal, the Laplace marginal variances at the MAP (the "
                               "flat field's Schur complement), fixed; warmup adapted the step "
                               "size only");
    } else {
      m.text += fmt::format("metric: diag_e adapted as usual (windows {}/{}/{}), started from {}\n",
                            options.init_buffer, options.window, options.term_buffer, what);
      m.csv_notes.emplace_back(
          "airy_metric_init",
          "laplace: the metric adaptation started from the Laplace marginal variances at the MAP "
          "(the flat field's Schur complement) instead of the identity");
    }
    // kappa_i = marginal / conditional variance (>= 1): the scaled covariance's condition
    // number is at least max kappa (structured_laplace.hpp), so a diagonal metric needs at
    // least ~sqrt(max kappa) leapfrog steps to cross the widest direction.
    std::vector<std::pair<double, std::size_t>> kappa;
    for (std::size_t i = 0; i < v.size(); ++i) {
      kappa.emplace_back(lap.unconstrained_variance[i] / lap.unconstrained_conditional_variance[i],
                         i);
    }
    std::sort(kappa.begin(), kappa.end());
    // The name of unconstrained coordinate i: its site's output name when the site's
    // bijector keeps the size (every site of a calibration), else "<site> u[k]".
    const infer::SiteModel& model = post.log_density();
    const std::vector<std::string> out_names = model.output_names();
    const auto u_name = [&](std::size_t i) {
      for (std::size_t k = 0; k < model.slices().size(); ++k) {
        const infer::SiteSlice& sl = model.slices()[k];
        const auto local = static_cast<int>(i) - sl.unconstrained_offset;
        if (local < 0 || local >= sl.unconstrained_size) continue;
        return sl.size == sl.unconstrained_size
                   ? out_names[static_cast<std::size_t>(sl.offset + local)]
                   : fmt::format("{} u[{}]", model.sites()[k].name, local);
      }
      return std::string("?");
    };
    m.text += fmt::format(
        "metric: marginal / conditional Laplace variance per coordinate (the diagonal metric's "
        "condition number is at least the max): median {:.3g}, 99% {:.3g}, max {:.3g} ({})\n",
        kappa[kappa.size() / 2].first, kappa[kappa.size() * 99 / 100].first, kappa.back().first,
        u_name(kappa.back().second));
  }
  return m;
}

/// The CmdStan CSV sink of every chain.
io::CsvSinkOptions csv_options(const std::string& out, const infer::SamplerOptions& options,
                               const std::string& metric, const std::string& data_path,
                               const MapPhase& map) {
  io::CsvSinkOptions csv;
  csv.path_pattern = path_in(out, "chain_{id}.csv");
  csv.settings.model = "airy_image_posterior";
  csv.settings.num_samples = options.num_samples;
  csv.settings.num_warmup = options.num_warmup;
  csv.settings.save_warmup = options.save_warmup;
  csv.settings.thin = options.thin;
  csv.settings.delta = options.delta;
  csv.settings.max_depth = options.max_depth;
  csv.settings.metric = metric;
  csv.settings.num_chains = options.num_chains;
  csv.settings.seed = options.seed;
  csv.settings.data_file = data_path;
  // CmdStan's `init` names what the chains started from: a radius (random points in
  // (-r, r) on the unconstrained space, CmdStan's default 2) or, here, the MAP.
  csv.settings.init = options.init.empty() ? fmt::format("{:g}", options.init_radius) : "map";
  csv.settings.adapt_engaged = options.adapt_engaged;
  csv.settings.extra = map.csv_notes;
  return csv;
}

/// Everything `fit` has read and checked before it creates anything.
struct FitInputs {
  const config::Config& c;
  const FitOptions& o;
  const RunData& data;
  const Truth& truth;
};

FitResult run_fit(const FitInputs& in, RunRecord& record) {
  const config::Config& c = in.c;
  const FitOptions& o = in.o;
  const std::string& out = c.output_dir;
  const posterior::ImagePosterior& post = in.data.posterior;
  const infer::SiteModel& density = post.log_density();
  const std::vector<std::string> names = density.output_names();
  const std::vector<std::string> units = post.output_units();
  const int num_exposures = post.num_exposures();
  // The names the run's files show: matrix names for star positions and square maps
  // (positions[s,a], map[y,x]; predictive.hpp), for NUTS and parallel tempering alike
  // (fit_pt.cpp writes its chains with the same names).
  const std::vector<std::string> out_names = structured_output_names(c, post);
  // The truth keyed by those names (truth.toml of `simulate` uses the sampler's).
  std::map<std::string, double> truth_values;
  for (const auto& [k, v] : in.truth.values) {
    const auto it = std::find(names.begin(), names.end(), k);
    truth_values[it == names.end() ? k : out_names[static_cast<std::size_t>(it - names.begin())]] =
        v;
  }

  // Inputs of the run first, so that an interrupted run still documents itself: the config
  // and a copy of each exposure's data image (data.fits, or data_<label>.fits per exposure).
  write_text(path_in(out, "config.toml"), config::to_toml(c));
  std::vector<std::string> data_copies;
  for (int e = 0; e < num_exposures; ++e) {
    const config::ExposureData& d = in.data.exposures[static_cast<std::size_t>(e)];
    data_copies.push_back(path_in(out, config::exposure_file_name(c, e, "data")));
    if (!same_file(d.file, data_copies.back())) {
      io::FitsHeader h = image_header(c, "DATA", "photon", o.command_line);
      h.history.push_back(fmt::format("copy of {} HDU {}", d.file, d.hdu.empty() ? "0" : d.hdu));
      h.history.push_back(fmt::format("source file checksum {}", file_checksum(d.file)));
      io::write_fits(data_copies.back(), d.image, h);
    }
  }
  const std::string truth_copy = path_in(out, "truth.toml");
  if (!truth_values.empty() && !same_file(in.truth.file, truth_copy)) {
    std::vector<std::string> tn;
    std::vector<double> tv;
    for (const auto& [k, v] : truth_values) {
      tn.push_back(k);
      tv.push_back(v);
    }
    write_truth(truth_copy, tn, tv, data_copies, "fit");
  }
  const std::string masked = masked_report(post);
  const bool live_masked = !masked.empty() && !o.quiet;
  if (live_masked) std::cerr << masked;

  // sampler.metric = "fisher": a dense metric from the Laplace approximation at the MAP,
  // fixed through warmup (only the step size adapts); sampler.init = "map": every chain
  // starts at the MAP (docs/fisher.md).
  config::SamplerConfig sc = c.sampler;
  const bool fisher_metric = sc.metric == "fisher";
  // A flat-field posterior above kStructuredAbove parameters: the structured MAP and Laplace
  // (run_flat_field_map), where "fisher" is the diagonal of the Laplace covariance.
  const bool flat_path =
      (fisher_metric || c.sampler.init == "map" || c.sampler.metric_init == "laplace") &&
      flat_field_map_phase(c, post);
  if (fisher_metric) sc.metric = flat_path ? "diag_e" : "dense_e";
  infer::SamplerOptions options = config::sampler_options(sc);
  options.quiet = o.quiet;
  MapPhase map;
  const bool laplace_start =
      c.sampler.metric_init == "laplace" && (sc.metric == "dense_e" || sc.metric == "diag_e");
  if (fisher_metric || laplace_start || c.sampler.init == "map") {
    record.phase("map");
    map = flat_path ? run_flat_field_map(c, post, sc, fisher_metric, out, options)
                    : run_map(c, post, sc, fisher_metric, options);
    record.set_tables(map.modes_toml);
  }
  const bool live_map = !map.text.empty() && (!o.quiet || map.interrupted);
  if (live_map) std::cerr << map.text;
  // After an interrupted MAP the chains stop before their first iteration: the run ends
  // like one interrupted in warmup (CSV headers, the other files from what exists).
  const std::string stopped_in = map.interrupted ? "the MAP" : "sampling";
  const std::atomic<bool> map_stopped{map.interrupted};  // holds even if the flag is cleared
  options.stop = &map_stopped;
  record.phase("sampling");
  io::CsvSinkOptions csv = csv_options(out, options, sc.metric, in.data.description(), map);
  csv.column_names = out_names;
  options.sink_factory = [csv](int) { return std::make_unique<io::CmdStanCsvSink>(csv); };
  PtFit pt;  // sampler.method = "pt": parallel tempering's reports (fit_pt.cpp)
  infer::Run run = c.sampler.method == "pt"
                       ? sample_pt_fit(post, c, in.data.description(), options, o.comm, pt)
                       : infer::sample(density, options);
  for (auto& ch : run.chains) {
    if (ch.names.size() == out_names.size()) ch.names = out_names;
  }

  record.phase("summary");
  FitResult result;
  result.complete =
      !map.interrupted && std::all_of(run.chains.begin(), run.chains.end(),
                                      [](const infer::Chain& ch) { return ch.complete; });
  if (!result.complete) {
    result.stop_signal = stop_signal();
    const std::string by =
        result.stop_signal != 0 ? signal_name(result.stop_signal) : "a stop request";
    result.stopped_by = fmt::format("{} during {}", by, stopped_in);
    record.set_stop(result.stopped_by);
  }
  int min_draws = std::numeric_limits<int>::max();
  for (const auto& ch : run.chains) min_draws = std::min(min_draws, ch.num_draws());
  const bool have_draws = !run.chains.empty() && min_draws >= 4;
  io::InferenceDataOptions nc;
  // observed_data holds every exposure's image; units and named dims (noll, star/axis, ...)
  // per parameter; log_likelihood / posterior_predictive as [output] says (predictive.hpp).
  describe_parameters(c, post, nc);
  nc.truth = truth_values;
  nc.allow_no_draws = true;  // an interrupted run: observed data and truth at least
  if (have_draws) {
    const PredictiveChoice choice =
        choose_predictive(c.output, post, run.chains.size(), static_cast<std::size_t>(min_draws));
    nc.attributes["log_likelihood"] = choice.log_likelihood_reason;
    nc.attributes["posterior_predictive"] = choice.posterior_predictive_reason;
    if (!o.quiet && (!choice.log_likelihood || !choice.posterior_predictive)) {
      std::cerr << fmt::format("posterior.nc: log_likelihood {}; posterior_predictive {}\n",
                               choice.log_likelihood_reason, choice.posterior_predictive_reason);
    }
    add_predictive_groups(post, run, choice, c.sampler.seed, c.sampler.num_threads, nc);
  }
  std::vector<RealImage> models;  // posterior-mean image per exposure (for the figures)
  if (have_draws) {
    result.summary = infer::summarize(run);
    std::string table =
        infer::format_summary(result.summary, summary_columns(post, truth_values, out_names));
    table += truth_report(run, truth_values, &result.truths_outside_99);
    table += chain_mode_report(run);  // chains in different modes, named
    const std::string incomplete =
        result.complete ? std::string()
                        : fmt::format(
                              "INCOMPLETE RUN (interrupted: {}): the summary covers the draws "
                              "made so far\n",
                              result.stopped_by);
    // summary.txt holds everything; the console text leaves out the masked-pixel and MAP /
    // metric lines already printed while the run went on (printed once, not twice).
    write_text(path_in(out, "summary.txt"),
               incomplete + masked + map.text + pt.text + table + pt.details);
    result.summary_text =
        incomplete + (live_masked ? "" : masked) + (live_map ? "" : map.text) + pt.text + table;
    write_text(path_in(out, "summary.csv"), infer::summary_csv(result.summary));
    write_inference_data_locked(path_in(out, "posterior.nc"), run, nc);

    std::vector<double> mean(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) mean[i] = result.summary.rows[i].mean;
    // model.fits / residual.fits, or model_<label>.fits / residual_<label>.fits per exposure.
    for (int e = 0; e < num_exposures; ++e) {
      const RealImage m = post.telescope_at(mean, e).model();
      io::FitsHeader mh = image_header(c, "MODEL", "photon", o.command_line);
      mh.history.push_back("image at the posterior mean of the sampled parameters");
      io::write_fits(path_in(out, config::exposure_file_name(c, e, "model")), m, mh);
      io::FitsHeader rh = image_header(c, "RESIDUAL", "photon", o.command_line);
      rh.history.push_back("data - posterior-mean model (NaN: pixel left out of the likelihood)");
      const RealImage& d = in.data.exposures[static_cast<std::size_t>(e)].image;
      io::write_fits(path_in(out, config::exposure_file_name(c, e, "residual")),
                     masked_as_nan(post.likelihood(e), d - m), rh);
      models.push_back(m);
    }
  } else {
    const std::string head =
        fmt::format("INCOMPLETE RUN (interrupted: {}): no post-warmup draws to summarise\n",
                    result.stopped_by.empty() ? std::string("no draws") : result.stopped_by);
    write_text(path_in(out, "summary.txt"), head + masked + map.text + pt.text + pt.details);
    result.summary_text = head + (live_masked ? "" : masked) + (live_map ? "" : map.text) + pt.text;
    write_inference_data_locked(path_in(out, "posterior.nc"), run, nc);
  }
  if (o.plots && !models.empty()) {
    record.phase("plots");
    draw_exposure_fit_images(c, post, models, out, static_cast<int>(names.size()), "fit_images",
                             "posterior-mean model");
    draw_posterior_plots(c, run, units, truth_values, out);
  }

  std::map<std::string, double> numbers = {{"wall_seconds", run.wall_seconds},
                                           {"num_chains", static_cast<double>(run.chains.size())}};
  double gradients = 0.0;
  for (const auto& ch : run.chains) gradients += static_cast<double>(ch.gradient_evaluations);
  numbers["gradient_evaluations"] = gradients;
  if (have_draws) {
    numbers["divergences"] = result.summary.num_divergent;
    numbers["min_ess_bulk"] = result.summary.min_ess_bulk;
    numbers["ess_bulk_per_second"] = result.summary.ess_per_second;
    numbers["ess_bulk_per_gradient"] = result.summary.ess_per_gradient;
  }
  if (!map.text.empty()) {
    numbers["map_seconds"] = map.seconds;
    numbers["map_gradient_evaluations"] = static_cast<double>(map.evaluations);
    if (map.best_log_density) numbers["map_log_density"] = *map.best_log_density;
  }
  if (result.truths_outside_99 >= 0) numbers["truths_outside_99"] = result.truths_outside_99;
  add_pt_numbers(pt.reports, numbers);
  if (!pt.reports.empty()) record.set_tables(map.modes_toml + pt_runs_toml(pt.reports));
  add_mask_counts(post, numbers);
  record.finish(result.complete ? "complete" : "interrupted", result.stopped_by, numbers);
  return result;
}

}  // namespace

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
  if (o.comm != nullptr && o.comm->size() > 1 && c.sampler.method != "pt") {
    throw InvalidArgument(fmt::format(
        "sampler.method = \"{}\": a fit over {} processes (mpirun) needs parallel tempering "
        "(sampler.method = \"pt\", --pt), whose replicas they share; `airy batch` spreads "
        "many NUTS fits over processes",
        c.sampler.method, o.comm->size()));
  }
  if (o.comm != nullptr && o.comm->rank() != 0) return fit_pt_worker(c, o);
  const StopSignalScope signals(o.handle_signals);
  // Everything that can be checked is checked before the run directory is touched.
  const RunData data = load_run_data(c, o.data_path);
  const Truth truth = load_truth(c, o, data.posterior.log_density().output_names(), data.files());
  if (!c.sampler.map_grid.empty()) {
    check_grid(data.posterior, config_grid(c.sampler.map_grid, c.sampler.map_grid_starts));
  }
  prepare_run_dir(c.output_dir, o.overwrite, inputs_in(c.output_dir, data.files(), o.truth_path));

  RunInfo info;
  info.command_line = o.command_line;
  info.data_file = data.description();
  RunRecord record(path_in(c.output_dir, "run_info.toml"), info);
  try {
    return run_fit(FitInputs{c, o, data, truth}, record);
  } catch (const std::exception& e) {
    record.fail(e.what());
    throw;
  }
}

}  // namespace airy::pipeline
