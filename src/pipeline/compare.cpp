// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy compare`: the evidence of two models of the same data by parallel tempering
/// and their Bayes factor (docs/inference.md §6.4).
#include <fmt/format.h>

#include <cmath>
#include <iostream>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/data_file.hpp"
#include "pipeline/fit_pt.hpp"

namespace airy::pipeline {
namespace {

/// A model ready to run: its posterior and PT options, everything checked.
struct PreparedModel {
  posterior::ImagePosterior post;
  infer::PtOptions options;
};

PreparedModel prepare(config::Config& c, const CompareOptions& o, const std::string& name) {
  for (const std::string& note : switch_to_pt(c)) {
    if (!o.quiet) {
      std::cerr << fmt::format("airy compare: model {}: not used by parallel tempering: {}\n", name,
                               note);
    }
  }
  // The data as `fit` reads them: the --data image, or each [[exposures]] table's.
  RunData data = load_run_data(c, o.data_path);
  PreparedModel m{std::move(data.posterior), pt_options(c.sampler)};
  // log Z is a marginal likelihood only when the prior is proper and normalised on the
  // unconstrained space: refused before hours of sampling, not after.
  const std::string issue = m.post.log_density().prior_reference_issue();
  if (!issue.empty()) {
    throw InvalidArgument(fmt::format(
        "compare: model {}: {}: its log Z would not be a marginal likelihood "
        "(is_marginal_likelihood = false), so no Bayes factor; give every parameter a proper "
        "prior",
        name, issue));
  }
  m.options.quiet = o.quiet;
  return m;
}

std::string evidence_line(const std::string& name, const ModelEvidence& m) {
  const infer::PtReport& r0 = m.reports.front();
  double lambda = 0.0;
  for (const auto& r : m.reports) lambda += r.barrier / static_cast<double>(m.reports.size());
  return fmt::format(
      "log Z_{} = {:.4f} +- {:.4f}  ({} PT run(s) x {} chains, mean Lambda {:.2f}, TI {:.4f} +- "
      "{:.4f})\n",
      name, m.evidence.log_z, m.evidence.se, m.reports.size(), r0.num_chains, lambda, m.evidence.ti,
      m.evidence.ti_se);
}

}  // namespace

BayesFactor log_bayes_factor(const infer::PtEvidence& a, const infer::PtEvidence& b,
                             const std::string& name_a, const std::string& name_b) {
  for (const auto& [e, name] : {std::pair{&a, &name_a}, std::pair{&b, &name_b}}) {
    if (!e->is_marginal_likelihood) {
      throw InvalidArgument(fmt::format(
          "Bayes factor: model {}: is_marginal_likelihood = false (an improper prior): its log "
          "Z is relative to the flat measure on the unconstrained space, not a marginal "
          "likelihood",
          *name));
    }
    if (!std::isfinite(e->log_z) || !std::isfinite(e->se)) {
      throw InvalidArgument(fmt::format("Bayes factor: model {}: log Z = {} +- {}: not finite",
                                        *name, e->log_z, e->se));
    }
  }
  return {a.log_z - b.log_z, std::hypot(a.se, b.se)};
}

std::string bayes_factor_words(double log_bf) {
  const double m = std::abs(log_bf);
  // Kass & Raftery's 2 ln B thresholds 2, 6, 10 in natural-log units.
  const char* strength = m < 1.0   ? "not worth more than a bare mention"
                         : m < 3.0 ? "positive"
                         : m < 5.0 ? "strong"
                                   : "very strong";
  return fmt::format("{} evidence for {}", strength, log_bf >= 0.0 ? "A" : "B");
}

CompareResult compare(config::Config a, config::Config b, const CompareOptions& o) {
  const StopSignalScope signals(o.handle_signals);
  // Both models are checked before either runs.
  PreparedModel ma = prepare(a, o, o.name_a);
  PreparedModel mb = prepare(b, o, o.name_b);
  CompareResult r;
  auto run = [&](const PreparedModel& m, ModelEvidence& out) {
    infer::PtResult res = infer::sample_pt(m.post.log_density(), m.options);
    out.reports = std::move(res.reports);
    out.evidence = infer::combine_evidence(out.reports);
    for (const auto& rep : out.reports) r.complete = r.complete && rep.complete;
  };
  run(ma, r.a);
  // sample_pt forgets an earlier stop request, so B is not started after A was stopped.
  if (r.complete && !stop_requested()) run(mb, r.b);
  if (!r.complete || stop_requested()) {
    r.complete = false;
    r.stop_signal = stop_signal();
    r.text = fmt::format("INCOMPLETE: {} stopped the comparison; no Bayes factor\n",
                         r.stop_signal != 0 ? signal_name(r.stop_signal) : "a stop request");
    if (!r.a.reports.empty()) r.text += evidence_line("A", r.a);
    return r;
  }
  r.bayes_factor = log_bayes_factor(r.a.evidence, r.b.evidence, o.name_a, o.name_b);
  r.text = fmt::format("A = {}\nB = {}\n", o.name_a, o.name_b);
  r.text += evidence_line("A", r.a);
  r.text += evidence_line("B", r.b);
  const double lbf = r.bayes_factor.log_bf;
  r.text += fmt::format(
      "log Bayes factor A vs B = log Z_A - log Z_B = {:.4f} +- {:.4f} (Bayes factor 10^{:.2f}): "
      "{} (Kass & Raftery 1995)\n",
      lbf, r.bayes_factor.se, lbf / std::log(10.0), bayes_factor_words(lbf));
  for (const auto& [label, m] : {std::pair{"A", &r.a}, std::pair{"B", &r.b}}) {
    for (std::size_t k = 0; k < m->reports.size(); ++k) {
      for (const auto& w : m->reports[k].warnings) {
        r.text += fmt::format("warning: model {}, run {}: {}\n", label, k + 1, w);
      }
    }
  }
  return r;
}

}  // namespace airy::pipeline
