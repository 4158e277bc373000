// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fit` with sampler.method = "pt": non-reversible parallel tempering on the
/// image posterior (docs/inference.md §6), its draws written like NUTS chains, its report in
/// summary.txt and run_info.toml.
#include "pipeline/fit_pt.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>

#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"
#include "airy/io/cmdstan_csv.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/predictive.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {
namespace {

[[noreturn]] void bad_key(std::string_view key, const std::string& value, std::string_view why) {
  throw InvalidArgument(fmt::format("sampler.{} = {}: {}", key, value, why));
}

void check_range(std::string_view key, long long value, long long lo, long long hi,
                 std::string_view why = "") {
  if (value < lo || value > hi) {
    bad_key(key, std::to_string(value), fmt::format("must be in [{}, {}]{}", lo, hi, why));
  }
}

/// Mean and min of the pair acceptances (NaN for none).
std::pair<double, double> min_mean(const std::vector<double>& v) {
  if (v.empty()) {
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  }
  double sum = 0.0;
  for (double x : v) sum += x;
  return {*std::min_element(v.begin(), v.end()), sum / static_cast<double>(v.size())};
}

}  // namespace

infer::PtOptions pt_options(const config::SamplerConfig& s) {
  if (s.method != "pt") bad_key("method", fmt::format("\"{}\"", s.method), "expected \"pt\"");
  // The parser's ranges (src/config/parse.cpp), repeated for configs built in code.
  check_range("num_chains", s.num_chains, 1, 4096, " (independent PT runs)");
  check_range("pt_chains", s.pt_chains, 2, 4096, " (points of the beta ladder, 0 and 1 included)");
  check_range("pt_rounds", s.pt_rounds, 1, 24, " (round r runs 2^r scans)");
  check_range("pt_explorer_steps", s.pt_explorer_steps, 1, 1000000);
  check_range("pt_gaussian_refit_round", s.pt_gaussian_refit_round, 1, 24);
  check_range("max_depth", s.max_depth, 1, 30);
  check_range("num_threads", s.num_threads, 0, 4096);
  if (!(s.delta > 0.0 && s.delta < 1.0))
    bad_key("delta", fmt::format("{}", s.delta), "must lie in (0, 1)");
  if (!(s.pt_gaussian_sd > 0.0) || !std::isfinite(s.pt_gaussian_sd)) {
    bad_key("pt_gaussian_sd", fmt::format("{}", s.pt_gaussian_sd), "must be > 0");
  }
  if (s.pt_reference != "prior" && s.pt_reference != "gaussian") {
    bad_key("pt_reference", fmt::format("\"{}\"", s.pt_reference),
            "expected \"prior\" or \"gaussian\"");
  }
  if (s.metric != "diag_e" && s.metric != "unit_e") {
    bad_key("metric", fmt::format("\"{}\"", s.metric),
            "method = \"pt\" adapts one diagonal metric per chain of the beta ladder: expected "
            "\"diag_e\" or \"unit_e\"");
  }
  infer::PtOptions o;
  o.num_chains = s.pt_chains;
  o.num_rounds = s.pt_rounds;
  o.num_runs = s.num_chains;
  o.seed = s.seed;
  o.reference = infer::parse_pt_reference(s.pt_reference);
  o.gaussian_sd = s.pt_gaussian_sd;
  o.gaussian_refit_round = s.pt_gaussian_refit_round;
  o.metric = infer::parse_metric(s.metric);
  o.explorer_steps = s.pt_explorer_steps;
  o.max_depth = s.max_depth;
  o.delta = s.delta;
  o.num_threads = s.num_threads;
  return o;
}

infer::Run sample_pt_fit(const posterior::ImagePosterior& post, const config::Config& c,
                         const std::string& data_path, const infer::SamplerOptions& nuts,
                         infer::ReplicaComm* comm, PtFit& pt) {
  infer::PtOptions o = pt_options(c.sampler);
  o.quiet = nuts.quiet;
  o.stop = nuts.stop;
  o.comm = comm;
  // The beta = 1 draws of the last round, in CmdStan's form: no warmup rows (the adaptation
  // rounds are PT's warmup), 2^pt_rounds draws; the PT settings as extra comment lines.
  io::CsvSinkOptions csv;
  csv.path_pattern = path_in(c.output_dir, "chain_{id}.csv");
  csv.settings.model = "airy_image_posterior";
  csv.settings.num_samples = 1 << c.sampler.pt_rounds;
  csv.settings.num_warmup = 0;
  csv.settings.delta = o.delta;
  csv.settings.max_depth = o.max_depth;
  csv.settings.metric = c.sampler.metric;
  csv.settings.num_chains = o.num_runs;
  csv.settings.seed = o.seed;
  csv.settings.data_file = data_path;
  csv.settings.extra = {{"airy_method", "pt"},
                        {"pt_chains", std::to_string(o.num_chains)},
                        {"pt_rounds", std::to_string(o.num_rounds)},
                        {"pt_reference", c.sampler.pt_reference}};
  csv.column_names = structured_output_names(c, post);  // positions[s,a], map[y,x] (fit.cpp)
  o.sink_factory = [csv](int) { return std::make_unique<io::CmdStanCsvSink>(csv); };
  infer::PtResult result = infer::sample_pt(post.log_density(), o);
  pt.reports = std::move(result.reports);
  pt.text = pt_report_text(pt.reports, c.sampler);
  pt.details.clear();
  for (std::size_t k = 0; k < pt.reports.size(); ++k) {
    pt.details += fmt::format("\n--- parallel tempering, run {} ---\n{}", k + 1,
                              infer::format_pt_report(pt.reports[k]));
  }
  return std::move(result.run);
}

FitResult fit_pt_worker(const config::Config& c, const FitOptions& fo) {
  const StopSignalScope signals(fo.handle_signals);
  // The same checks as rank 0 before its run directory: a bad data file fails everywhere.
  const RunData data = load_run_data(c, fo.data_path);
  infer::PtOptions o = pt_options(c.sampler);
  o.quiet = true;
  o.comm = fo.comm;
  o.keep_draws = false;  // rank 0 keeps and writes them
  const infer::PtResult r = infer::sample_pt(data.posterior.log_density(), o);
  FitResult result;
  result.complete = std::all_of(r.run.chains.begin(), r.run.chains.end(),
                                [](const infer::Chain& ch) { return ch.complete; });
  if (!result.complete) result.stop_signal = stop_signal();
  return result;
}

std::string pt_report_text(const std::vector<infer::PtReport>& reports,
                           const config::SamplerConfig& s) {
  if (reports.empty()) return "";
  std::string t = fmt::format(
      "Parallel tempering (non-reversible, NUTS explorers): {} run(s) x {} chains, reference "
      "{}, {} rounds ({} beta = 1 draws per run)\n",
      reports.size(), reports[0].num_chains, s.pt_reference, s.pt_rounds, 1 << s.pt_rounds);
  t +=
      fmt::format("{:>4} {:>6} {:>8} {:>6} {:>7} {:>7} {:>13} {:>8} {:>11} {:>8}\n", "run", "rungs",
                  "Lambda", "trips", "min(a)", "mean(a)", "log Z", "se", "gradients", "time(s)");
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const infer::PtReport& r = reports[k];
    const auto [lo, mean] = min_mean(r.swap_accept);
    t += fmt::format(
        "{:>4} {:>6} {:>8.3f} {:>6} {:>7.3f} {:>7.3f} {:>13.4f} {:>8.4f} {:>11} {:>8.2f}{}\n",
        k + 1, r.num_chains, r.barrier, r.round_trips, lo, mean, r.evidence.log_z, r.evidence.se,
        r.gradient_evaluations, r.seconds, r.complete ? "" : "  (stopped early)");
  }
  t += "swap acceptance of each pair (beta_i, beta_i+1):\n";
  for (std::size_t k = 0; k < reports.size(); ++k) {
    std::string pairs;
    for (double a : reports[k].swap_accept) pairs += fmt::format(" {:.2f}", a);
    t += fmt::format("  run {}:{}\n", k + 1, pairs);
  }
  const infer::PtEvidence z = infer::combine_evidence(reports);
  t += fmt::format("log Z = {:.4f} +- {:.4f} (stepping stone, mean of {} run(s)): {}\n", z.log_z,
                   z.se, reports.size(),
                   z.is_marginal_likelihood
                       ? "the log marginal likelihood"
                       : "NOT a marginal likelihood (improper prior: relative to the flat "
                         "measure on the unconstrained space)");
  for (std::size_t k = 0; k < reports.size(); ++k) {
    for (const auto& w : reports[k].warnings) t += fmt::format("warning: run {}: {}\n", k + 1, w);
  }
  return t;
}

void add_pt_numbers(const std::vector<infer::PtReport>& reports, std::map<std::string, double>& n) {
  if (reports.empty()) return;
  const infer::PtEvidence z = infer::combine_evidence(reports);
  n["log_evidence"] = z.log_z;
  n["log_evidence_se"] = z.se;
  n["log_evidence_is_marginal_likelihood"] = z.is_marginal_likelihood ? 1.0 : 0.0;
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const infer::PtReport& r = reports[k];
    const std::string p = fmt::format("pt.run_{}.", k + 1);
    const auto [lo, mean] = min_mean(r.swap_accept);
    n[p + "barrier"] = r.barrier;
    n[p + "rungs"] = r.num_chains;
    n[p + "round_trips"] = static_cast<double>(r.round_trips);
    n[p + "min_swap_accept"] = lo;
    n[p + "mean_swap_accept"] = mean;
    n[p + "log_z"] = r.evidence.log_z;
    n[p + "log_z_se"] = r.evidence.se;
    n[p + "gradient_evaluations"] = static_cast<double>(r.gradient_evaluations);
    n[p + "seconds"] = r.seconds;
  }
}

std::string pt_runs_toml(const std::vector<infer::PtReport>& reports) {
  toml::array runs;
  for (std::size_t k = 0; k < reports.size(); ++k) {
    const infer::PtReport& r = reports[k];
    toml::array betas, swap, warnings;
    for (double b : r.betas) betas.push_back(b);
    for (double a : r.swap_accept) swap.push_back(a);
    for (const auto& w : r.warnings) warnings.push_back(w);
    runs.push_back(toml::table{{"run", static_cast<std::int64_t>(k + 1)},
                               {"rungs", r.num_chains},
                               {"barrier", r.barrier},
                               {"round_trips", r.round_trips},
                               {"restarts", r.restarts},
                               {"log_z", r.evidence.log_z},
                               {"log_z_se", r.evidence.se},
                               {"gradient_evaluations", r.gradient_evaluations},
                               {"seconds", r.seconds},
                               {"complete", r.complete},
                               {"betas", std::move(betas)},
                               {"swap_accept", std::move(swap)},
                               {"warnings", std::move(warnings)}});
  }
  std::ostringstream out;
  out << toml::table{{"pt_runs", std::move(runs)}} << "\n";
  return out.str();
}

std::vector<infer::PtReport> read_pt_runs(const std::string& path) {
  std::vector<infer::PtReport> reports;
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const std::exception&) {
    return reports;  // no file, or not TOML: the summary says what run_info.toml holds
  }
  const toml::array* runs = t["pt_runs"].as_array();
  if (runs == nullptr) return reports;
  const bool marginal = t["log_evidence_is_marginal_likelihood"].value_or(1.0) != 0.0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const toml::node& n : *runs) {
    const toml::table* run = n.as_table();
    if (run == nullptr) continue;
    infer::PtReport r;
    const toml::table& x = *run;
    r.num_chains = static_cast<int>(x["rungs"].value_or(std::int64_t{0}));
    r.barrier = x["barrier"].value_or(nan);
    r.round_trips = x["round_trips"].value_or(std::int64_t{0});
    r.restarts = x["restarts"].value_or(std::int64_t{0});
    r.evidence.log_z = x["log_z"].value_or(nan);
    r.evidence.se = x["log_z_se"].value_or(nan);
    r.evidence.is_marginal_likelihood = marginal;
    r.gradient_evaluations = x["gradient_evaluations"].value_or(std::int64_t{0});
    r.seconds = x["seconds"].value_or(nan);
    r.complete = x["complete"].value_or(true);
    auto doubles = [&](const char* key, std::vector<double>& out) {
      if (const toml::array* a = x[key].as_array()) {
        for (const toml::node& v : *a) out.push_back(v.value_or(nan));
      }
    };
    doubles("betas", r.betas);
    doubles("swap_accept", r.swap_accept);
    if (const toml::array* a = x["warnings"].as_array()) {
      for (const toml::node& v : *a) r.warnings.push_back(v.value_or(std::string()));
    }
    reports.push_back(std::move(r));
  }
  return reports;
}

std::vector<std::string> switch_to_pt(config::Config& c) {
  config::SamplerConfig& s = c.sampler;
  const config::SamplerConfig defaults;
  std::vector<std::string> notes;
  if (s.method == "pt") return notes;
  s.method = "pt";
  // NUTS-only settings have no meaning for PT: each one that differs from its default is
  // named, then reset (config.toml of the run is then a valid PT config).
  auto drop = [&](bool differs, std::string what) {
    if (differs) notes.push_back(std::move(what));
  };
  drop(s.num_warmup != defaults.num_warmup, fmt::format("num_warmup = {}", s.num_warmup));
  drop(s.num_samples != defaults.num_samples, fmt::format("num_samples = {}", s.num_samples));
  drop(s.save_warmup != defaults.save_warmup, "save_warmup = true");
  drop(s.thin != defaults.thin, fmt::format("thin = {}", s.thin));
  drop(s.init != defaults.init, fmt::format("init = \"{}\"", s.init));
  drop(s.metric_init != defaults.metric_init, fmt::format("metric_init = \"{}\"", s.metric_init));
  drop(s.init == "map" || s.metric == "fisher" || s.metric_init == "laplace",
       fmt::format("map_starts = {}", s.map_starts));
  drop(!s.map_grid.empty(), "map_grid");
  s.num_warmup = defaults.num_warmup;
  s.num_samples = defaults.num_samples;
  s.save_warmup = defaults.save_warmup;
  s.thin = defaults.thin;
  s.init = defaults.init;
  s.metric_init = defaults.metric_init;
  s.map_starts = defaults.map_starts;
  s.map_grid.clear();  // a MAP initialisation, dropped with map_starts
  s.map_grid_starts = defaults.map_grid_starts;
  if (s.metric != "diag_e" && s.metric != "unit_e") {
    notes.push_back(
        fmt::format("metric = \"{}\" (PT adapts a diagonal metric per chain: "
                    "diag_e used)",
                    s.metric));
    s.metric = "diag_e";
  }
  return notes;
}

}  // namespace airy::pipeline
