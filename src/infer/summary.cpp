// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "airy/infer/diagnostics.hpp"

namespace airy::infer {

Summary summarize(const Run& run, const SummaryOptions& o) {
  Summary s;
  s.num_chains = static_cast<int>(run.chains.size());
  s.wall_seconds = run.wall_seconds;
  if (run.chains.empty()) return s;
  s.draws_per_chain = std::numeric_limits<int>::max();
  for (const auto& c : run.chains) {
    s.draws_per_chain = std::min(s.draws_per_chain, c.num_draws());
    s.gradient_evaluations += c.gradient_evaluations;
    s.sampling_seconds = std::max(s.sampling_seconds, c.sampling_seconds);
    s.complete = s.complete && c.complete;
    for (std::size_t i = static_cast<std::size_t>(c.num_warmup_saved); i < c.stats.size(); ++i) {
      s.num_divergent += c.stats[i].divergent ? 1 : 0;
      s.num_max_treedepth += c.stats[i].treedepth >= o.max_depth ? 1 : 0;
    }
  }
  s.ebfmi = ebfmi(run);
  s.min_ess_bulk = std::numeric_limits<double>::infinity();
  const auto& names = run.chains.front().names;
  for (std::size_t j = 0; j < names.size(); ++j) {
    const ChainDraws x = chain_draws(run, static_cast<int>(j));
    SummaryRow r;
    r.name = names[j];
    if (x.size() == 0) {
      s.rows.push_back(r);
      continue;
    }
    r.mean = x.mean();
    r.sd = x.size() > 1
               ? std::sqrt((x.array() - r.mean).square().sum() / static_cast<double>(x.size() - 1))
               : 0.0;
    r.median = median(x);
    r.q5 = quantile(x, 0.05);
    r.q95 = quantile(x, 0.95);
    r.mcse_mean = mcse_mean(x);
    r.mcse_sd = mcse_sd(x);
    r.ess_bulk = ess_bulk(x);
    r.ess_tail = ess_tail(x);
    r.rhat = rhat(x);
    r.flag_rhat = r.rhat > o.rhat_threshold;
    r.flag_ess = std::min(r.ess_bulk, r.ess_tail) < o.ess_threshold;
    if (std::isfinite(r.ess_bulk)) s.min_ess_bulk = std::min(s.min_ess_bulk, r.ess_bulk);
    s.rows.push_back(r);
  }
  if (!std::isfinite(s.min_ess_bulk)) s.min_ess_bulk = 0.0;
  s.ess_per_second = s.wall_seconds > 0 ? s.min_ess_bulk / s.wall_seconds : 0.0;
  s.ess_per_gradient = s.gradient_evaluations > 0
                           ? s.min_ess_bulk / static_cast<double>(s.gradient_evaluations)
                           : 0.0;
  return s;
}

std::string format_summary(const Summary& s, const SummaryOptions& o) {
  auto label = [&](std::size_t i) {
    return i < o.labels.size() && !o.labels[i].empty() ? o.labels[i] : s.rows[i].name;
  };
  const bool with_units = !o.units.empty();
  bool with_truth = false;
  std::size_t w = 4, wu = 4;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    w = std::max(w, label(i).size());
    if (i < o.units.size()) wu = std::max(wu, o.units[i].size());
    with_truth = with_truth || o.truth.count(s.rows[i].name) != 0;
  }
  std::string out = fmt::format("\n{:<{}}", "", w);
  if (with_units) out += fmt::format(" {:<{}}", "unit", wu);
  out +=
      fmt::format(" {:>10} {:>10} {:>10} {:>10} {:>10}", "mean", "std", "median", "5.0%", "95.0%");
  if (with_truth) out += fmt::format(" {:>10}", "truth");
  out += fmt::format(" {:>9} {:>9} {:>7}\n", "n_eff", "ess_tail", "r_hat");
  bool any_r = false;
  bool any_e = false;
  for (std::size_t i = 0; i < s.rows.size(); ++i) {
    const SummaryRow& r = s.rows[i];
    std::string flags;
    if (r.flag_rhat) flags += 'R';
    if (r.flag_ess) flags += 'E';
    any_r = any_r || r.flag_rhat;
    any_e = any_e || r.flag_ess;
    out += fmt::format("{:<{}}", label(i), w);
    if (with_units) out += fmt::format(" {:<{}}", i < o.units.size() ? o.units[i] : "", wu);
    out += fmt::format(" {:>10.4g} {:>10.4g} {:>10.4g} {:>10.4g} {:>10.4g}", r.mean, r.sd, r.median,
                       r.q5, r.q95);
    if (with_truth) {
      auto t = o.truth.find(r.name);
      out += t != o.truth.end() ? fmt::format(" {:>10.4g}", t->second) : fmt::format(" {:>10}", "");
    }
    out += fmt::format(" {:>9.1f} {:>9.1f} {:>7.3f}{}\n", r.ess_bulk, r.ess_tail, r.rhat,
                       flags.empty() ? std::string() : " " + flags);
  }
  out += fmt::format("\n{} chains x {} draws{}\n", s.num_chains, s.draws_per_chain,
                     s.complete ? "" : " (interrupted: some chains are incomplete)");
  out += fmt::format("Number of divergences: {}\n", s.num_divergent);
  if (s.num_max_treedepth > 0) {
    out +=
        fmt::format("Transitions at max tree depth ({}): {}\n", o.max_depth, s.num_max_treedepth);
  }
  std::string e;
  for (std::size_t i = 0; i < s.ebfmi.size(); ++i) {
    e += fmt::format("{}{:.2f}", i ? ", " : "", s.ebfmi[i]);
  }
  out += fmt::format("E-BFMI per chain: {}\n", e);
  out += fmt::format("Gradient evaluations: {}; wall time {:.3g} s\n", s.gradient_evaluations,
                     s.wall_seconds);
  out += fmt::format("Min bulk ESS: {:.1f}; ESS/s: {:.4g}; ESS per gradient: {:.3g}\n",
                     s.min_ess_bulk, s.ess_per_second, s.ess_per_gradient);
  if (any_r) {
    out += fmt::format("WARNING (R): R-hat > {} for some parameters: chains have not mixed\n",
                       o.rhat_threshold);
  }
  if (any_e) {
    out += fmt::format("WARNING (E): bulk or tail ESS < {} for some parameters: run longer\n",
                       o.ess_threshold);
  }
  if (s.num_divergent > 0) {
    out += fmt::format(
        "WARNING: {} divergent transitions after warmup: the posterior may be "
        "biased; reparametrise or raise delta\n",
        s.num_divergent);
  }
  for (std::size_t i = 0; i < s.ebfmi.size(); ++i) {
    if (s.ebfmi[i] < o.ebfmi_threshold) {
      out += fmt::format("WARNING: chain {} E-BFMI = {:.2f} < {}\n", i + 1, s.ebfmi[i],
                         o.ebfmi_threshold);
    }
  }
  return out;
}

std::string summary_csv(const Summary& s) {
  std::string out = "name,mean,sd,median,q5,q95,mcse_mean,mcse_sd,ess_bulk,ess_tail,r_hat\n";
  for (const auto& r : s.rows) {
    out += fmt::format(
        "{},{:.17g},{:.17g},{:.17g},{:.17g},{:.17g},{:.17g},{:.17g},{:.17g},{:.17g},"
        "{:.17g}\n",
        r.name, r.mean, r.sd, r.median, r.q5, r.q95, r.mcse_mean, r.mcse_sd, r.ess_bulk, r.ess_tail,
        r.rhat);
  }
  return out;
}

}  // namespace airy::infer
