// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Run NUTS (or static HMC) on any LogDensity: options named like CmdStan, parallel
/// chains with per-chain Philox streams, streaming sinks, progress and Ctrl-C handling.
///
/// Algorithm (Stan's, see docs/inference.md): multinomial NUTS with biased progressive
/// sampling at the top level, the generalised U-turn criterion with the two extra checks
/// across subtrees, divergence when H - H0 > max_energy_error, dual-averaging step size and
/// windowed (75/25/50) diagonal or dense metric adaptation with Stan's regularisation.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/infer/draws.hpp"
#include "airy/infer/log_density.hpp"

namespace airy::infer {

/// The Euclidean metric's form (CmdStan `metric`).
enum class Metric { unit_e, diag_e, dense_e };
/// The transition kernel (CmdStan `engine`).
enum class Engine { nuts, static_hmc };

/// "diag_e" etc. @throws airy::InvalidArgument for an unknown name.
[[nodiscard]] Metric parse_metric(std::string_view name);
[[nodiscard]] std::string to_string(Metric metric);

/// Sampler options; defaults are CmdStan's.
struct SamplerOptions {
  int num_warmup = 1000;   ///< warmup (adaptation) iterations per chain
  int num_samples = 1000;  ///< post-warmup iterations per chain
  int num_chains = 4;
  int thin = 1;               ///< keep iterations with index % thin == 0
  bool save_warmup = false;   ///< keep the (thinned) warmup draws too
  std::uint64_t seed = 1234;  ///< chain c uses Philox stream (seed, c)
  Engine engine = Engine::nuts;
  Metric metric = Metric::diag_e;
  int max_depth = 10;                        ///< NUTS maximum tree depth
  double int_time = 2.0 * std::numbers::pi;  ///< static HMC integration time
  double stepsize = 1.0;                     ///< initial step size
  double stepsize_jitter = 0.0;              ///< eps = eps_nom (1 + j (2U - 1)) per transition
  double max_energy_error = 1000.0;          ///< divergence threshold on H - H0
  // adaptation (CmdStan `adapt`)
  bool adapt_engaged = true;
  double delta = 0.8;
  double gamma = 0.05;
  double kappa = 0.75;
  double t0 = 10.0;
  int init_buffer = 75;
  int term_buffer = 50;
  int window = 25;
  /// Estimate the metric in the slow windows (Stan). false: keep the metric (inv_metric, or
  /// the identity) fixed through warmup while dual averaging still adapts the step size, e.g.
  /// for a metric from the Laplace approximation (docs/fisher.md).
  bool adapt_metric = true;
  /// Initial inverse metric: empty for the identity, (n,1) diagonal or (n,n) dense.
  RealMatrix inv_metric;
  // initialisation
  double init_radius = 2.0;  ///< CmdStan `init`: uniform(-r, r) on the unconstrained space
  /// User initial values in the constrained (output) space: empty (random), one vector for
  /// every chain, or one per chain; each of output_dim() values (a SiteModel also accepts
  /// just its site_dim() site values).
  std::vector<std::vector<double>> init;
  int max_init_tries = 100;
  // execution
  int num_threads = 0;  ///< 0: min(num_chains, hardware_concurrency)
  /// Called once per chain (from that chain's thread) to create its streaming sink.
  std::function<std::unique_ptr<DrawSink>(int chain_id)> sink_factory;
  bool keep_draws = true;              ///< store draws in the returned Run (false: sinks only)
  bool quiet = false;                  ///< no progress output
  double refresh_seconds = 0.25;       ///< TTY redraw period
  double plain_refresh_seconds = 5.0;  ///< non-TTY status line period
  /// Install airy's SIGINT/SIGTERM/SIGHUP handlers (airy/core/stop.hpp) for the call: the
  /// first signal stops the chains gracefully, a second exits the process at once (128 +
  /// signo). false: leave the process's handlers alone (the process-wide stop flag is still
  /// polled).
  bool handle_sigint = true;
  /// Optional external stop flag (e.g. a GUI's cancel button); polled every iteration.
  const std::atomic<bool>* stop = nullptr;
};

/// Validates options against a target of dimension dim.
/// @throws airy::InvalidArgument naming the field and value.
void validate(const SamplerOptions& options, int dim);

/// Samples `target`. Chains run in parallel threads; the same seed gives bit-identical
/// draws whatever num_threads. Returns draws in the constrained space (target.constrain).
/// On a stop request (SIGINT, SIGTERM, SIGHUP, airy::request_stop() or *options.stop) every
/// chain stops after its current iteration and returns its draws so far with
/// Chain::complete = false; sinks still get end(). A request made before the call under an
/// enclosing airy::StopSignalScope stands (the chains stop at once); otherwise it is cleared.
/// @throws airy::InvalidArgument for bad options; airy::Error when no valid initial point
///   is found (naming the failing coordinates) or the step-size search fails.
[[nodiscard]] Run sample(const LogDensity& target, const SamplerOptions& options = {});

/// The process-wide stop flag the signal handlers set (airy::stop_flag()).
std::atomic<bool>& interrupt_flag();

}  // namespace airy::infer
