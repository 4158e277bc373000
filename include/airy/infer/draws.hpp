// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief What a sampler produces: per-chain draws and CmdStan's per-draw statistics, and the
/// streaming sink interface through which chains reach disk while they are being drawn.
///
/// This header is the contract between airy::infer (which fills it), airy::io (which writes and
/// reads CmdStan CSV and ArviZ NetCDF) and airy::plot (which draws it). Draws are stored in the
/// *constrained* (user) space, one row per saved iteration, one column per named coordinate.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "airy/core/arrays.hpp"

namespace airy::infer {

/// CmdStan's sampler diagnostics for one iteration (the `__`-suffixed CSV columns).
struct SampleStats {
  double lp = 0.0;           ///< lp__: log density (up to a constant) incl. log-Jacobian
  double accept_stat = 0.0;  ///< accept_stat__: mean Metropolis acceptance over the tree
  double stepsize = 0.0;     ///< stepsize__: integrator step size used
  int treedepth = 0;         ///< treedepth__: depth of the NUTS tree (0 for static HMC)
  int n_leapfrog = 0;        ///< n_leapfrog__: leapfrog steps (gradient evaluations)
  bool divergent = false;    ///< divergent__: energy error > max_energy_error (1000)
  double energy = 0.0;       ///< energy__: Hamiltonian at the selected state
};

/// Names of the CmdStan diagnostic columns, in CSV order.
inline const std::vector<std::string>& sample_stat_names() {
  static const std::vector<std::string> names = {"lp__",        "accept_stat__", "stepsize__",
                                                 "treedepth__", "n_leapfrog__",  "divergent__",
                                                 "energy__"};
  return names;
}

/// Everything one chain produced. Rows [0, num_warmup_saved) of `draws` are warmup draws
/// (only present when warmup was saved), the rest are post-warmup draws.
struct Chain {
  int id = 1;                             ///< 1-based chain id (CmdStan `id`)
  std::vector<std::string> names;         ///< coordinate names, vectors as `name[i]` (1-based)
  RealMatrix draws;                       ///< (num_saved, names.size()), constrained space
  std::vector<SampleStats> stats;         ///< one per row of `draws`
  int num_warmup_saved = 0;               ///< leading rows that are warmup
  bool complete = true;                   ///< false when sampling was interrupted (SIGINT)
  double stepsize = 0.0;                  ///< adapted step size
  RealMatrix inv_metric;                  ///< adapted inverse metric: (n,1) diagonal or (n,n) dense
  double warmup_seconds = 0.0;            ///< wall time of warmup
  double sampling_seconds = 0.0;          ///< wall time of sampling
  std::int64_t gradient_evaluations = 0;  ///< log density + gradient calls, warmup included

  /// Number of post-warmup draws held.
  [[nodiscard]] int num_draws() const { return static_cast<int>(draws.rows()) - num_warmup_saved; }
};

/// A multi-chain run. All chains share `names`.
struct Run {
  std::vector<Chain> chains;
  double wall_seconds = 0.0;  ///< wall time of the whole run (chains run in parallel)
};

/// Receives a chain's output as it is produced, so that an interrupted run leaves valid
/// files. One sink per chain; each sink is called from that chain's thread only.
class DrawSink {
 public:
  virtual ~DrawSink() = default;
  /// Before the first draw: coordinate names (constrained space).
  virtual void begin(int chain_id, std::span<const std::string> names) = 0;
  /// After warmup: the adapted step size and inverse metric ((n,1) diagonal or (n,n) dense).
  virtual void adaptation(double stepsize, const RealMatrix& inv_metric) = 0;
  /// One saved iteration; `warmup` tells whether it is a warmup draw.
  virtual void draw(bool warmup, std::span<const double> values, const SampleStats& stats) = 0;
  /// After the last draw (also after an interruption, with complete = false).
  virtual void end(const Chain& chain) = 0;
};

}  // namespace airy::infer
