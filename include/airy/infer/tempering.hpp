// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Non-reversible parallel tempering (NRPT; Syed, Bouchard-Cote, Deligiannidis & Doucet
/// 2021, JRSS-B 84(2), the algorithm of Pigeons.jl) with NUTS as the local explorer, and the
/// model evidence log Z from its path (docs/inference.md §6).
///
/// N chains at 0 = beta_0 < ... < beta_{N-1} = 1 target pi_beta ∝ rho^(1-beta) gamma^beta,
/// gamma = pi_0 L the unnormalised posterior and rho the reference (the prior pi_0, or a
/// Gaussian). A scan explores every chain (an exact draw at beta = 0, NUTS elsewhere), then
/// the deterministic even-odd scheme proposes swaps of neighbouring chains' indices, accepted
/// with probability min(1, exp((beta_{i+1} - beta_i)(l(x_i) - l(x_{i+1})))), l = log(gamma/rho).
/// Round r runs 2^r scans with the schedule and the explorers frozen; between rounds the
/// schedule is moved to equalise the swap rejections and every chain's step size and metric
/// are re-estimated. The last round's beta = 1 states are the draws.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include "airy/infer/draws.hpp"
#include "airy/infer/replica_comm.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/tempered_target.hpp"

namespace airy::infer {

/// The reference distribution at beta = 0. An explicit choice: a prior that cannot serve is
/// an error, never silently replaced.
enum class PtReference {
  /// The prior pi_0, sampled exactly (TemperedTarget::sample_prior). Needs a proper prior
  /// that maps onto the unconstrained space (TemperedTarget::prior_reference_issue()).
  prior,
  /// A mean-field Gaussian q = N(mu, diag sigma^2) on the unconstrained space, refitted by
  /// moment matching to the beta = 1 chain after the rounds >= gaussian_refit_round
  /// (single-leg variational PT, Surjanovic et al. 2022). For improper or very wide priors.
  gaussian,
};

/// "prior" or "gaussian". @throws airy::InvalidArgument for another name.
[[nodiscard]] PtReference parse_pt_reference(std::string_view name);
[[nodiscard]] std::string to_string(PtReference reference);

/// One row of the per-round table (Pigeons' report).
struct PtRound {
  int round = 0;                          ///< 1-based
  int scans = 0;                          ///< 2^round (fewer when interrupted)
  double barrier = 0.0;                   ///< Lambda-hat = sum of pair rejections
  double log_z = 0.0;                     ///< stepping-stone log Z, (forward + backward)/2
  double min_swap_accept = 0.0;           ///< min over pairs of mean swap acceptance
  double mean_swap_accept = 0.0;          ///< mean over pairs
  std::int64_t restarts = 0;              ///< tempered restarts (reference -> target)
  std::int64_t round_trips = 0;           ///< reference -> target -> reference
  std::int64_t gradient_evaluations = 0;  ///< over all replicas
  double seconds = 0.0;                   ///< wall time
};

/// log Z = log ∫ pi_0 L du from the last round (docs/inference.md §6.4).
struct PtEvidence {
  double forward = 0.0;   ///< stepping stone, forward: sum_i log mean_t exp(db_i l(x_i,t))
  double backward = 0.0;  ///< backward: -sum_i log mean_t exp(-db_i l(x_{i+1},t))
  double log_z = 0.0;     ///< (forward + backward)/2, the estimate reported
  double se = 0.0;        ///< its standard error (batch means + delta method)
  double ti = 0.0;        ///< thermodynamic integration (Hermite-corrected trapezoid)
  double ti_se = 0.0;     ///< TI's Monte Carlo standard error (not its discretisation error)
  int batches = 0;        ///< batches of scans behind the standard errors
  /// False when the prior is improper: log Z is then relative to the flat measure on the
  /// unconstrained space, not a marginal likelihood (a Bayes factor needs proper priors).
  bool is_marginal_likelihood = true;
};

/// Everything one PT run reports besides its draws.
struct PtReport {
  PtReference reference = PtReference::prior;
  std::string reference_description;  ///< e.g. "prior" or "gaussian(mean, sd) refitted ..."
  int num_chains = 0;
  std::vector<double> betas;              ///< the last round's schedule (N)
  std::vector<double> swap_accept;        ///< mean acceptance of pair (i, i+1) (N - 1)
  std::vector<double> local_barrier;      ///< lambda-hat(beta_k) (N)
  double barrier = 0.0;                   ///< Lambda-hat of the last round
  std::vector<double> stepsizes;          ///< explorer step size per chain (NaN at 0)
  std::vector<double> explorer_accept;    ///< mean NUTS accept_stat per chain (NaN at 0)
  std::vector<PtRound> rounds;            ///< one row per round run
  std::int64_t restarts = 0;              ///< in the last round
  std::int64_t round_trips = 0;           ///< in the last round
  double round_trip_rate = 0.0;           ///< tau-hat = 1/(2 + 2 sum r/(1-r)) per scan
  PtEvidence evidence;                    ///< from the last round
  std::int64_t gradient_evaluations = 0;  ///< all rounds, all replicas
  double seconds = 0.0;                   ///< wall time of the run
  bool complete = true;                   ///< false when stopped early
  std::vector<std::string> warnings;      ///< what looks unhealthy, in words
};

/// Draws (one Chain per independent run, in Chain's usual form) and one report per run.
struct PtResult {
  Run run;
  std::vector<PtReport> reports;
};

/// Parallel tempering options. Defaults follow Pigeons (10 chains, 10 rounds: 2046 scans,
/// 1024 draws) with one NUTS transition per scan at max tree depth 8.
struct PtOptions {
  int num_chains = 10;        ///< N: points of the beta ladder (>= 2; rule of thumb N >= 2 Lambda)
  int num_rounds = 10;        ///< round r has 2^r scans; the last round's draws are returned
  int num_runs = 1;           ///< independent PT runs, each one output Chain (R-hat across them)
  std::uint64_t seed = 1234;  ///< run c, replica r: Philox stream (seed, c * 2^32 + r)
  PtReference reference = PtReference::prior;
  /// Gaussian reference: initial sd on every unconstrained coordinate (the initial mean is
  /// the unconstrained `init`, or 0).
  double gaussian_sd = 2.0;
  /// Gaussian reference: refit to the beta = 1 chain after each round >= this one.
  int gaussian_refit_round = 4;
  // explorer (NUTS per chain index; step size and diagonal metric adapted between rounds)
  Engine engine = Engine::nuts;
  Metric metric = Metric::diag_e;            ///< unit_e or diag_e (one metric per chain index)
  int explorer_steps = 1;                    ///< NUTS transitions per scan and chain
  int max_depth = 8;                         ///< NUTS maximum tree depth (caps the work per scan)
  double int_time = 2.0 * std::numbers::pi;  ///< static HMC integration time
  double delta = 0.8;                        ///< target mean accept_stat per chain
  double stepsize = 1.0;                     ///< start of each chain's step-size search
  double max_energy_error = 1000.0;          ///< divergence threshold
  /// Initial values in the constrained (output) space for every replica (empty: draws from
  /// the reference until the likelihood is finite).
  std::vector<double> init;
  int max_init_tries = 100;
  // execution
  /// Threads of this process. Without comm, 0 = min(num_runs * num_chains, hardware
  /// threads) shared by the runs, which go side by side; with comm, 0 = one per replica this
  /// process holds, up to the hardware threads, and the runs go one after another.
  int num_threads = 0;
  /// The processes that share every run's replicas (replica_comm.hpp); null: this process
  /// alone. Every process calls sample_pt with the same target and options (bar sinks,
  /// callbacks and threads) and gets the same result; only rank 0 calls sink_factory and
  /// on_round and prints. A failure on one process is thrown there while the others wait
  /// in the next exchange: the caller ends them (MPI_Abort in the CLI).
  ReplicaComm* comm = nullptr;
  /// Called once per run (from that run's thread) to stream its last round's draws.
  std::function<std::unique_ptr<DrawSink>(int chain_id)> sink_factory;
  bool keep_draws = true;  ///< store draws in the returned Run (false: sinks only)
  bool quiet = true;       ///< false: one line per round on stderr
  /// Called after every round of run `chain_id` (from that run's thread).
  std::function<void(int chain_id, const PtRound& round)> on_round;
  /// Optional stop flag, polled every scan together with infer::interrupt_flag().
  const std::atomic<bool>* stop = nullptr;
};

/// @throws airy::InvalidArgument naming the field and value for a bad option, or a dense
///   metric (one dense metric per chain index is not supported).
void validate(const PtOptions& options, int dim);

/// Runs NRPT on `target`. Same seed, same output, bit for bit, for any num_threads and any
/// number of processes in options.comm (replica r of run c owns the Philox stream (seed,
/// c 2^32 + r) wherever it runs; swaps are decided from gathered values every process holds
/// alike; every reduction runs in replica order over a tree fixed by N). When stopped early (Ctrl-C
/// or *options.stop) each run returns its current round's beta = 1 draws with complete = false.
/// @throws airy::InvalidArgument for bad options or, with PtReference::prior, a prior that
///   cannot serve as the reference (the message names the site and suggests "gaussian");
///   airy::Error when no replica finds a finite starting point.
[[nodiscard]] PtResult sample_pt(const TemperedTarget& target, const PtOptions& options = {});

/// The evidence of independent runs: the mean of each estimate and se = sqrt(sum se_k^2)/K
/// (likewise ti_se); batches summed; a marginal likelihood only if every run's is.
/// @throws airy::InvalidArgument for an empty list.
[[nodiscard]] PtEvidence combine_evidence(const std::vector<PtReport>& reports);

/// The report as text: the per-round table, the per-pair swap acceptance, barrier, round
/// trips, log Z (stepping stone with its error, thermodynamic integration), cost, warnings.
[[nodiscard]] std::string format_pt_report(const PtReport& report);

}  // namespace airy::infer
