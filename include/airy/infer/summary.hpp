// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The posterior summary table (NumPyro's print_summary columns with the modern
/// diagnostics of diagnostics.hpp) plus run-level health: divergences, max-treedepth hits,
/// E-BFMI, gradient evaluations and ESS per second.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "airy/infer/draws.hpp"

namespace airy::infer {

/// Thresholds that raise flags (Vehtari et al. 2021; Stan).
struct SummaryOptions {
  double rhat_threshold = 1.01;  ///< flag R-hat above
  double ess_threshold = 400.0;  ///< flag bulk or tail ESS below
  double ebfmi_threshold = 0.3;  ///< flag E-BFMI below
  int max_depth = 10;            ///< count draws with treedepth__ >= max_depth
  /// Optional columns of format_summary. `labels`: per row (row order) the name to print,
  /// e.g. the full path "source.separation" (empty or "": the row's name); `units`: per row
  /// its unit, shown in a "unit" column; `truth`: true values by row name, shown in a
  /// "truth" column when any row has one.
  std::vector<std::string> labels;
  std::vector<std::string> units;
  std::map<std::string, double> truth;
};

/// One parameter's row. Quantiles are type-7 quantiles of the pooled post-warmup draws.
struct SummaryRow {
  std::string name;
  double mean = 0, sd = 0, median = 0, q5 = 0, q95 = 0;
  double mcse_mean = 0, mcse_sd = 0;
  double ess_bulk = 0, ess_tail = 0, rhat = 0;
  bool flag_rhat = false;  ///< rhat > threshold
  bool flag_ess = false;   ///< min(ess_bulk, ess_tail) < threshold
};

/// Summary of a Run's post-warmup draws.
struct Summary {
  std::vector<SummaryRow> rows;
  int num_chains = 0;
  int draws_per_chain = 0;                ///< post-warmup draws used per chain (the shortest chain)
  int num_divergent = 0;                  ///< post-warmup divergent transitions
  int num_max_treedepth = 0;              ///< post-warmup transitions at max_depth
  std::int64_t gradient_evaluations = 0;  ///< all chains, warmup included
  double wall_seconds = 0;
  double sampling_seconds = 0;  ///< longest chain's sampling time
  std::vector<double> ebfmi;    ///< per chain
  double min_ess_bulk = 0;      ///< over parameters
  double ess_per_second = 0;    ///< min_ess_bulk / wall_seconds
  double ess_per_gradient = 0;  ///< min_ess_bulk / gradient_evaluations
  bool complete = true;         ///< every chain finished
};

/// Computes the summary (diagnostics exactly as ArviZ; R-hat needs >= 2 chains).
[[nodiscard]] Summary summarize(const Run& run, const SummaryOptions& options = {});

/// Fixed-width text table like NumPyro's print_summary:
///   mean std median 5.0% 95.0% n_eff(bulk) ess_tail r_hat
/// flags (`R` for R-hat, `E` for ESS) and a footer with divergences, E-BFMI, gradient
/// evaluations and ESS/s, with warnings for every threshold crossed.
[[nodiscard]] std::string format_summary(const Summary& summary,
                                         const SummaryOptions& options = {});

/// CSV: name,mean,sd,median,q5,q95,mcse_mean,mcse_sd,ess_bulk,ess_tail,r_hat (full precision).
[[nodiscard]] std::string summary_csv(const Summary& summary);

}  // namespace airy::infer
