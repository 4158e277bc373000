// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private helpers of `airy fit` with sampler.method = "pt" and of `airy compare`:
/// the [sampler] table as PtOptions, one PT sampling of an image posterior streamed to CmdStan
/// CSV, and its per-run report for summary.txt and run_info.toml.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "airy/config/config.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/tempering.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "airy/posterior/image_posterior.hpp"

namespace airy::pipeline {

/// The PT options of a [sampler] table (method = "pt"): num_chains independent runs of
/// pt_chains chains each, the explorers' metric, delta and max_depth, the seed and threads.
/// @throws InvalidArgument naming the sampler key and value (e.g. "sampler.pt_chains = 1:
///   must be >= 2 ..."), also for a config built in code that never went through the parser.
[[nodiscard]] infer::PtOptions pt_options(const config::SamplerConfig& sampler);

/// What a PT fit reports besides its draws.
struct PtFit {
  std::vector<infer::PtReport> reports;  ///< one per run
  std::string text;     ///< the per-run table, swap acceptance per pair, log Z, warnings
  std::string details;  ///< format_pt_report() of every run (per-round tables)
};

/// Runs parallel tempering on the posterior for `airy fit`: `nuts.quiet` and `nuts.stop` are
/// honoured; every run streams its beta = 1 draws to <out>/chain_<run>.csv. Fills `pt`.
/// `comm` (may be null): the processes sharing the replicas, this one rank 0.
[[nodiscard]] infer::Run sample_pt_fit(const posterior::ImagePosterior& posterior,
                                       const config::Config& config, const std::string& data_path,
                                       const infer::SamplerOptions& nuts, infer::ReplicaComm* comm,
                                       PtFit& pt);

/// fit() on a process of rank > 0 of options.comm: loads the data, runs its share of the
/// replicas (the same PtOptions as rank 0), writes and prints nothing. complete and
/// stop_signal as rank 0's result.
[[nodiscard]] FitResult fit_pt_worker(const config::Config& config, const FitOptions& options);

/// The per-run table of `reports` (Lambda, rungs, round trips, min/mean swap acceptance,
/// log Z +- se, gradients, seconds), the swap acceptance of every pair, log Z of all runs
/// (combine_evidence) and every warning, prefixed "run <k>: ".
[[nodiscard]] std::string pt_report_text(const std::vector<infer::PtReport>& reports,
                                         const config::SamplerConfig& sampler);

/// run_info.toml numbers of a PT fit: log_evidence, log_evidence_se,
/// log_evidence_is_marginal_likelihood (1/0), and per run k "pt.run_<k>.<quantity>"
/// (barrier, rungs, round_trips, min_swap_accept, mean_swap_accept, log_z, log_z_se,
/// gradient_evaluations, seconds): dotted keys, i.e. a TOML table [pt.run_<k>].
void add_pt_numbers(const std::vector<infer::PtReport>& reports,
                    std::map<std::string, double>& numbers);

/// run_info.toml's [[pt_runs]] tables: per run its rungs, barrier, round trips, restarts,
/// log_z, log_z_se, gradient_evaluations, seconds, complete, betas and swap_accept (arrays)
/// and warnings, all `airy summary` needs to show the PT report again.
[[nodiscard]] std::string pt_runs_toml(const std::vector<infer::PtReport>& reports);

/// The reports of a PT run read back from its run_info.toml (empty for a NUTS run, a missing
/// or unreadable file): the fields pt_runs_toml() writes; evidence.is_marginal_likelihood
/// from log_evidence_is_marginal_likelihood.
[[nodiscard]] std::vector<infer::PtReport> read_pt_runs(const std::string& run_info_path);

}  // namespace airy::pipeline
