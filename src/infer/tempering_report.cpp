// SPDX-License-Identifier: BSD-3-Clause
#include "tempering_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "airy/core/error.hpp"
#include "airy/infer/site_model.hpp"

namespace airy::infer {

PtReference parse_pt_reference(std::string_view name) {
  if (name == "prior") return PtReference::prior;
  if (name == "gaussian") return PtReference::gaussian;
  throw InvalidArgument(fmt::format(
      "parse_pt_reference: reference = '{}': unknown (expected prior or gaussian)", name));
}

std::string to_string(PtReference reference) {
  return reference == PtReference::prior ? "prior" : "gaussian";
}

void validate(const PtOptions& o, int dim) {
  const char* w = "sample_pt";
  auto at_least = [&](const char* field, double v, double lo) {
    if (!(v >= lo))
      throw InvalidArgument(format_invalid(w, field, v, fmt::format("must be >= {}", lo)));
  };
  at_least("num_chains", o.num_chains, 2);
  at_least("num_rounds", o.num_rounds, 1);
  if (o.num_rounds > 24) {
    throw InvalidArgument(
        format_invalid(w, "num_rounds", o.num_rounds, "must be <= 24 (round r runs 2^r scans)"));
  }
  at_least("num_runs", o.num_runs, 1);
  at_least("explorer_steps", o.explorer_steps, 1);
  at_least("max_depth", o.max_depth, 1);
  at_least("gaussian_refit_round", o.gaussian_refit_round, 1);
  at_least("max_init_tries", o.max_init_tries, 1);
  at_least("num_threads", o.num_threads, 0);
  if (!(o.delta > 0 && o.delta < 1))
    throw InvalidArgument(format_invalid(w, "delta", o.delta, "must be in (0, 1)"));
  check_positive(w, "stepsize", o.stepsize);
  check_positive(w, "max_energy_error", o.max_energy_error);
  check_positive(w, "int_time", o.int_time);
  check_positive(w, "gaussian_sd", o.gaussian_sd);
  if (o.metric == Metric::dense_e) {
    throw_invalid(w, "metric",
                  "dense_e is not supported by parallel tempering (one metric per chain index): "
                  "use diag_e or unit_e");
  }
  if (dim < 1) {
    throw InvalidArgument(fmt::format("sample_pt: target dimension = {}: must be >= 1", dim));
  }
  if (o.comm != nullptr &&
      !(o.comm->size() >= 1 && o.comm->rank() >= 0 && o.comm->rank() < o.comm->size())) {
    throw InvalidArgument(fmt::format("sample_pt: comm: rank {} of {} processes is not valid",
                                      o.comm->rank(), o.comm->size()));
  }
}

PtEvidence combine_evidence(const std::vector<PtReport>& reports) {
  if (reports.empty()) throw_invalid("combine_evidence", "reports", "must not be empty");
  PtEvidence out;
  out.batches = 0;
  double se2 = 0.0;
  double ti_se2 = 0.0;
  const auto k = static_cast<double>(reports.size());
  for (const auto& r : reports) {
    const PtEvidence& e = r.evidence;
    out.forward += e.forward / k;
    out.backward += e.backward / k;
    out.log_z += e.log_z / k;
    out.ti += e.ti / k;
    se2 += e.se * e.se;
    ti_se2 += e.ti_se * e.ti_se;
    out.batches += e.batches;
    out.is_marginal_likelihood = out.is_marginal_likelihood && e.is_marginal_likelihood;
  }
  out.se = std::sqrt(se2) / k;
  out.ti_se = std::sqrt(ti_se2) / k;
  return out;
}

namespace detail {

std::vector<double> unconstrained_init(const TemperedTarget& target,
                                       const std::vector<double>& init) {
  const auto* site_model = dynamic_cast<const SiteModel*>(&target);
  const bool sites_only =
      site_model != nullptr && init.size() == static_cast<std::size_t>(site_model->site_dim());
  if (init.size() != static_cast<std::size_t>(target.output_dim()) && !sites_only) {
    throw InvalidArgument(fmt::format("sample_pt: init: size {} != output dimension {}",
                                      init.size(), target.output_dim()));
  }
  std::vector<double> theta(static_cast<std::size_t>(target.dim()));
  if (!target.unconstrain(init, theta)) {
    const auto names = target.output_names();
    std::vector<std::string> shown;
    for (std::size_t i = 0; i < init.size(); ++i) {
      shown.push_back(fmt::format("{} = {}", names[i], init[i]));
    }
    throw InvalidArgument(
        fmt::format("sample_pt: init: values outside the support: {}", fmt::join(shown, ", ")));
  }
  return theta;
}

void add_warnings(PtReport& r, const std::vector<SampleStats>& top_stats) {
  auto& w = r.warnings;
  const int n = r.num_chains;
  if (!r.complete) {
    w.push_back(fmt::format(
        "stopped early in round {} after {} scans: the draws and log Z come from an unfinished "
        "round",
        r.rounds.size(), r.rounds.empty() ? 0 : r.rounds.back().scans));
  }
  for (std::size_t i = 0; i < r.swap_accept.size(); ++i) {
    if (r.swap_accept[i] < 0.1) {
      w.push_back(fmt::format(
          "chains {} and {} (beta {:.3g} and {:.3g}) accepted {:.3f} of their swaps: the ladder "
          "is nearly split there; use more chains",
          i, i + 1, r.betas[i], r.betas[i + 1], r.swap_accept[i]));
    }
  }
  if (n < 2.0 * r.barrier) {
    w.push_back(fmt::format(
        "num_chains = {} < 2 Lambda = {:.1f}: round trips are rarer than the ladder allows; use "
        "num_chains >= {}",
        n, 2.0 * r.barrier, static_cast<int>(std::ceil(2.0 * r.barrier))));
  }
  if (r.complete && r.round_trips == 0) {
    w.push_back(
        "no round trip between the reference and beta = 1 in the last round: separate modes may "
        "not be mixed; use more chains or rounds");
  }
  const auto& e = r.evidence;
  if (std::isfinite(e.forward) && std::isfinite(e.backward) &&
      std::fabs(e.forward - e.backward) > 0.2 + 6.0 * (std::isfinite(e.se) ? e.se : 0.0)) {
    w.push_back(fmt::format(
        "stepping-stone log Z forward {:.3f} and backward {:.3f} disagree: neighbouring chains "
        "overlap too little for a reliable evidence; use more chains",
        e.forward, e.backward));
  }
  if (!e.is_marginal_likelihood) {
    w.push_back(
        "the prior is improper or truncated: log Z is relative to the flat measure on the "
        "unconstrained space, not a marginal likelihood");
  }
  for (std::size_t k = 1; k < r.explorer_accept.size(); ++k) {
    if (r.explorer_accept[k] < 0.5) {
      w.push_back(fmt::format(
          "NUTS at chain {} (beta {:.3g}) accepted {:.2f} on average: its step size is not yet "
          "adapted; use more rounds",
          k, r.betas[k], r.explorer_accept[k]));
      break;
    }
  }
  const auto div = std::count_if(top_stats.begin(), top_stats.end(),
                                 [](const SampleStats& s) { return s.divergent; });
  if (div > 0) {
    w.push_back(fmt::format("{} of {} transitions at beta = 1 diverged", div, top_stats.size()));
  }
  if (r.rounds.size() >= 2) {
    const double a = r.rounds[r.rounds.size() - 2].barrier;
    const double b = r.rounds.back().barrier;
    if (std::fabs(b - a) > 0.2 * std::max(a, b) && std::max(a, b) > 0.5) {
      w.push_back(fmt::format(
          "Lambda moved from {:.2f} to {:.2f} over the last two rounds: the schedule has not "
          "settled; use more rounds",
          a, b));
    }
  }
}

}  // namespace detail

std::string format_pt_report(const PtReport& r) {
  std::string s = fmt::format("Parallel tempering: {} chains, reference {}\n", r.num_chains,
                              r.reference_description);
  s += fmt::format("{:>5} {:>6} {:>8} {:>11} {:>7} {:>7} {:>8} {:>6} {:>10} {:>8}\n", "round",
                   "scans", "Lambda", "log Z", "min(a)", "mean(a)", "restarts", "trips",
                   "gradients", "time(s)");
  for (const auto& row : r.rounds) {
    s += fmt::format(
        "{:>5} {:>6} {:>8.3f} {:>11.3f} {:>7.3f} {:>7.3f} {:>8} {:>6} {:>10} {:>8.2f}\n", row.round,
        row.scans, row.barrier, row.log_z, row.min_swap_accept, row.mean_swap_accept, row.restarts,
        row.round_trips, row.gradient_evaluations, row.seconds);
  }
  s += fmt::format(
      "last round: Lambda = {:.3f}, {} round trips, {} restarts (ideal rate {:.3f} per scan)\n",
      r.barrier, r.round_trips, r.restarts, r.round_trip_rate);
  s += fmt::format("{:>5} {:>9} {:>9} {:>8} {:>10} {:>8}\n", "chain", "beta", "swap(a)", "lambda",
                   "stepsize", "accept");
  for (int k = 0; k < r.num_chains; ++k) {
    const auto i = static_cast<std::size_t>(k);
    const std::string swap =
        i < r.swap_accept.size() ? fmt::format("{:.3f}", r.swap_accept[i]) : "";
    const std::string eps = k == 0 ? "exact" : fmt::format("{:.4g}", r.stepsizes[i]);
    const std::string acc = k == 0 ? "" : fmt::format("{:.3f}", r.explorer_accept[i]);
    s += fmt::format("{:>5} {:>9.5f} {:>9} {:>8.3f} {:>10} {:>8}\n", k, r.betas[i], swap,
                     r.local_barrier[i], eps, acc);
  }
  const auto& e = r.evidence;
  s += fmt::format(
      "log Z (stepping stone) = {:.4f} +- {:.4f} (forward {:.4f}, backward {:.4f}; {} batches)\n",
      e.log_z, e.se, e.forward, e.backward, e.batches);
  s += fmt::format("log Z (thermodynamic integration) = {:.4f} +- {:.4f}\n", e.ti, e.ti_se);
  s += fmt::format("{} gradient evaluations, {:.2f} s{}\n", r.gradient_evaluations, r.seconds,
                   r.complete ? "" : " (stopped early)");
  for (const auto& w : r.warnings) s += "warning: " + w + "\n";
  return s;
}

}  // namespace airy::infer
