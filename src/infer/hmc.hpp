// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Euclidean Hamiltonian, leapfrog, Stan's multinomial NUTS transition and static HMC
/// (private to airy_infer; stan/mcmc/hmc/{hamiltonians,integrators,nuts,static}).
#pragma once

#include <Eigen/Cholesky>
#include <cstdint>
#include <vector>

#include "airy/core/rng.hpp"
#include "airy/infer/draws.hpp"
#include "airy/infer/log_density.hpp"
#include "airy/infer/sampler.hpp"

namespace airy::infer::detail {

/// A point in phase space: position q, momentum p, log density and its gradient at q.
struct PhasePoint {
  RealVector q;
  RealVector p;
  RealVector g;  ///< d log p / dq
  double logp = 0.0;
  double raw_logp = 0.0;  ///< what the target returned (logp is -inf if anything non-finite)
  /// What an evaluation hook copied from the workspace at q (tempering: the reference and
  /// likelihood terms with their gradients); empty for plain NUTS. Travels with the point.
  RealVector aux;
};

/// H(q, p) = -log p(q) + p^T M^-1 p / 2 with a unit, diagonal or dense inverse metric.
class Hamiltonian {
 public:
  Hamiltonian(const LogDensity& target, Workspace* ws, Metric metric);

  /// Sets the inverse metric ((n,1) or (n,n); ignored for unit_e).
  void set_inv_metric(const RealMatrix& inv_metric);
  /// The inverse metric as stored in Chain ((n,1) for unit/diag, (n,n) dense).
  [[nodiscard]] RealMatrix inv_metric() const;

  /// Evaluates log p and gradient at z.q; non-finite value or gradient -> logp = -inf.
  void evaluate(PhasePoint& z);
  /// p ~ N(0, M).
  void sample_p(PhasePoint& z, Rng& rng) const;
  /// p# = M^-1 p.
  [[nodiscard]] RealVector dtau_dp(const RealVector& p) const;
  /// p# = M^-1 p into out (no allocation once out is sized).
  void dtau_dp(const RealVector& p, RealVector& out) const;
  /// Kinetic energy p^T M^-1 p / 2.
  [[nodiscard]] double kinetic(const RealVector& p) const;
  /// H, with NaN mapped to +inf.
  [[nodiscard]] double energy(const PhasePoint& z) const;
  /// One velocity-Verlet step of size eps (negative: backwards).
  void leapfrog(PhasePoint& z, double eps);

  /// Called after every evaluation with the workspace and the point, so that a target can
  /// attach what it computed on the way (PhasePoint::aux). Null (the default): nothing.
  using EvaluationHook = void (*)(const Workspace* ws, PhasePoint& z);
  void set_evaluation_hook(EvaluationHook hook) { hook_ = hook; }

  [[nodiscard]] std::int64_t gradient_evaluations() const { return n_grad_; }
  [[nodiscard]] int dim() const { return dim_; }

 private:
  const LogDensity& target_;
  Workspace* ws_;
  Metric metric_;
  int dim_;
  RealVector inv_diag_;
  Eigen::MatrixXd inv_dense_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  mutable RealVector tmp_;  ///< scratch for dtau_dp in leapfrog / kinetic
  std::int64_t n_grad_ = 0;
  EvaluationHook hook_ = nullptr;
};

/// One transition's diagnostics.
struct TransitionInfo {
  double accept_stat = 0.0;
  int treedepth = 0;
  int n_leapfrog = 0;
  bool divergent = false;
  double energy = 0.0;
  double stepsize = 0.0;
};

/// Static HMC or NUTS transitions with a nominal step size (CmdStan's base_hmc).
class HmcKernel {
 public:
  HmcKernel(Hamiltonian& h, const SamplerOptions& options);

  /// Draws the next state into z (which must hold a valid evaluated point).
  TransitionInfo transition(PhasePoint& z, Rng& rng);
  /// Stan's init_stepsize heuristic from z (z unchanged).
  /// @throws airy::Error "Posterior is improper" (eps > 1e7) or when eps reaches 0.
  void init_stepsize(const PhasePoint& z, Rng& rng);

  double nominal_stepsize = 1.0;

 private:
  TransitionInfo nuts(PhasePoint& z, Rng& rng);
  TransitionInfo static_hmc(PhasePoint& z, Rng& rng);

  /// Stan's recursive build_tree; returns validity.
  bool build_tree(int depth, PhasePoint& z, PhasePoint& z_propose, RealVector& p_sharp_beg,
                  RealVector& p_sharp_end, RealVector& rho, RealVector& p_beg, RealVector& p_end,
                  double H0, double sign, int& n_leapfrog, double& log_sum_weight,
                  double& sum_metro_prob, Rng& rng);

  /// Per-depth buffers of build_tree (index = depth), sized once: no allocation per leaf.
  struct Scratch {
    RealVector p_init_end, p_sharp_init_end, rho_init;
    RealVector p_final_beg, p_sharp_final_beg, rho_final, rho_subtree, tmp;
    PhasePoint z_propose_final;
  };
  /// Top-level state of one NUTS transition.
  struct TopLevel {
    PhasePoint z, z_fwd, z_bck, z_sample, z_propose;
    RealVector p_fwd_fwd, p_sharp_fwd_fwd, p_fwd_bck, p_sharp_fwd_bck;
    RealVector p_bck_fwd, p_sharp_bck_fwd, p_bck_bck, p_sharp_bck_bck;
    RealVector rho, rho_fwd, rho_bck, tmp;
  };
  void ensure_buffers();
  /// Stan's compute_criterion on rho = a + b (b may be empty for rho = a).
  bool criterion(const RealVector& p_sharp_minus, const RealVector& p_sharp_plus,
                 const RealVector& a, const RealVector* b, RealVector& tmp) const;

  std::vector<Scratch> scratch_;
  TopLevel top_;
  Hamiltonian& h_;
  Engine engine_;
  int max_depth_;
  double int_time_;
  double jitter_;
  double max_delta_h_;
  double epsilon_ = 1.0;  ///< step size of the current transition
  bool divergent_ = false;
};

}  // namespace airy::infer::detail
