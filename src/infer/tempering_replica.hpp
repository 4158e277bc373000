// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A PT replica: a state that moves between chain indices, with its own random
/// stream, workspace, NUTS kernel and per-chain statistics (private to airy_infer).
///
/// Everything a replica does in a scan depends only on its own state, its own Philox stream
/// and the round's frozen per-chain settings, so a scan's result does not depend on which
/// thread or which process (replica_comm.hpp) runs it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/core/rng.hpp"
#include "airy/infer/tempering_schedule.hpp"
#include "hmc.hpp"
#include "tempering_path.hpp"

namespace airy::infer::detail {

/// Running mean and sum of squared deviations, mergeable in any tree (Chan, Golub & LeVeque
/// 1979): n = na + nb, d = mean_b - mean_a, mean = mean_a + d nb/n, M2 = M2a + M2b + d^2 na nb/n.
struct Moments {
  std::int64_t n = 0;
  RealVector mean;
  RealVector m2;

  void reset(int dim);
  void add(const RealVector& x);
  void merge(const Moments& other);
  /// M2/(n - 1) (NaN for n < 2).
  [[nodiscard]] RealVector variance() const;
};

/// The explorer's settings per chain index (index 0, the reference, is unused). Frozen
/// within a round; the driver re-estimates them between rounds.
struct ChainKernels {
  std::vector<double> stepsize;
  std::vector<RealVector> inv_metric;  ///< diagonal inverse metric per chain (n)
};

/// What a replica's exploration in one scan produced, read by the serial swap step.
struct ScanRecord {
  double ell = 0.0;         ///< l at the new state
  double log_target = 0.0;  ///< log gamma = log rho + l (lp__)
  TransitionInfo info;      ///< the last NUTS transition (zeros at the reference)
  double swap_uniform = 0.0;
};

class Replica {
 public:
  /// Replica `index` of a ladder of num_chains chains; Philox stream (seed, stream).
  Replica(int index, int num_chains, const TemperingPath& path, const SamplerOptions& kernel,
          std::uint64_t seed, std::uint64_t stream);
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  /// Starting state: `theta` (unconstrained) when not empty, else reference draws until l
  /// and the reference term are finite. @throws airy::Error after max_tries failures.
  void initialize(std::span<const double> theta, int max_tries);
  /// Stan's step-size heuristic for pi_beta from the current state (one step's acceptance
  /// crosses 0.8), starting at `start`; metric `inv_metric` (empty: unit).
  double find_stepsize(double beta, const RealVector& inv_metric, double start);
  /// One scan's exploration at the current chain: an exact reference draw at chain 0, else
  /// `steps` NUTS transitions of pi_{beta_chain}; then adds the state to moments[chain], and
  /// draws the swap uniform (every scan, used or not, so the stream does not depend on the
  /// swap pattern). When `constrained` is not empty it receives target.constrain(state).
  void explore(std::span<const double> betas, const ChainKernels& kernels, int steps,
               std::span<double> constrained);
  /// Re-evaluates the path terms at the current state (after the reference changed).
  void refresh_terms();
  /// Starts a round: empty per-chain moments.
  void reset_round();

  [[nodiscard]] int index() const { return index_; }
  [[nodiscard]] const RealVector& position() const { return z_.q; }
  [[nodiscard]] std::int64_t gradient_evaluations() const {
    return h_.gradient_evaluations() + extra_evaluations_;
  }

  int chain = 0;                 ///< the chain index this replica holds
  ScanRecord last;               ///< this scan's result
  std::vector<Moments> moments;  ///< per chain index, this round

 private:
  void set_chain_point(double beta);

  int index_;
  const TemperingPath& path_;
  TemperedDensity density_;
  std::unique_ptr<Workspace> ws_;
  Hamiltonian h_;
  HmcKernel kernel_;
  Rng rng_;
  PhasePoint z_;
  RealVector draw_;
  std::int64_t extra_evaluations_ = 0;  ///< evaluations outside the Hamiltonian
};

}  // namespace airy::infer::detail
