// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Maximum a posteriori and maximum-likelihood fits of an ImagePosterior with NLopt's
/// L-BFGS (NLOPT_LD_LBFGS) in the unconstrained space, from several starts drawn from the
/// priors (docs/fisher.md).
///
/// Objectives (maximised over u in R^n, x = T(u) the site values):
///   MAP:  log p(u) = log L(x) + sum_s [log prior_s(x_s) + log|det dT_s/du_s|]  (the sampler's
///         density; its maximiser is the mode in u, which the Jacobian term moves slightly
///         from the mode in x)
///   ML:   log L(x(u))   (reparametrisation-invariant: the maximiser maps to the ML x)
/// Both with their exact gradients (one render + one pullback per evaluation).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "airy/posterior/image_posterior.hpp"

namespace airy::posterior {

/// What is maximised.
enum class FitObjective { kMap, kMaximumLikelihood };

/// Options of optimize(); NLopt's stopping rules.
struct OptimizeOptions {
  FitObjective objective = FitObjective::kMap;
  int num_starts = 16;         ///< random starts drawn from the priors
  std::uint64_t seed = 1;      ///< start s draws from Philox stream (seed, s)
  int max_evaluations = 3000;  ///< per start (nlopt maxeval)
  double ftol_rel = 1e-15;     ///< relative change of the objective (nlopt ftol_rel)
  double xtol_rel = 1e-12;     ///< relative change of u (nlopt xtol_rel)
  int lbfgs_memory = 20;       ///< stored corrections (nlopt vector storage)
  /// Extra starts in site units (output order), tried before the random ones.
  std::vector<std::vector<double>> starts;
  /// Install airy's SIGINT/SIGTERM/SIGHUP handlers for the call (airy/core/stop.hpp): a
  /// first signal ends the running start at its next evaluation, keeping its best point, and
  /// skips the remaining starts (OptimizeResult::interrupted).
  bool handle_signals = true;
  /// Optional external stop flag, polled at every evaluation like a signal.
  const std::atomic<bool>* stop = nullptr;
};

/// The outcome of one start.
struct OptimizeStart {
  std::vector<double> start;          ///< initial site values
  std::vector<double> values;         ///< final site values
  std::vector<double> unconstrained;  ///< final u
  double objective = 0.0;             ///< final log p(u) (MAP) or log L (ML)
  double gradient_norm = 0.0;         ///< |d objective / du| (Euclidean) at the end
  int evaluations = 0;                ///< objective + gradient evaluations
  std::string reason;                 ///< NLopt's stop reason ("ftol_rel reached", ...,
                                      ///< "interrupted": the best point before the stop)
  bool success = false;               ///< NLopt returned a success code (> 0)
};

/// All starts and the best one.
struct OptimizeResult {
  std::vector<std::string> names;  ///< output names
  std::vector<std::string> units;  ///< site units
  std::vector<OptimizeStart> starts;
  int best = -1;  ///< index of the highest finite objective (-1 only when interrupted)
  double seconds = 0.0;
  /// A stop request ended the fit early: `starts` holds the finished starts and the stopped
  /// one (at its best point so far); the remaining starts were not run.
  bool interrupted = false;
  [[nodiscard]] const OptimizeStart& best_start() const { return starts.at(best); }
};

/// Runs L-BFGS from options.starts then options.num_starts prior draws.
/// A start with a non-finite density (a prior draw outside the model's domain) is redrawn up
/// to 100 times. Evaluations outside the support return -inf and NLopt backtracks.
/// A stop request (signal, airy::request_stop(), *options.stop) ends it early with
/// `interrupted` set (see OptimizeResult), never with an exception.
/// @throws InvalidArgument for num_starts < 0, no starts at all, a start of the wrong size or
///   outside the support; airy::Error when no start ends with a finite objective (unless
///   interrupted).
[[nodiscard]] OptimizeResult optimize(const ImagePosterior& posterior,
                                      const OptimizeOptions& options = {});

/// "map" / "ml" <-> FitObjective. @throws InvalidArgument naming `field` and the value.
FitObjective parse_objective(std::string_view name, std::string_view field = "objective");

}  // namespace airy::posterior
