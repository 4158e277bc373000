// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The tempering path between a reference rho and the posterior gamma = pi_0 L, and the
/// LogDensity NUTS sees at one beta (private to airy_infer).
///
/// With l(u) = log gamma(u) - log rho(u), log pi_beta = log rho + beta l; at beta = 0 only rho
/// is evaluated (0 * -inf would be NaN where the likelihood vanishes). For the prior reference
/// l is the log-likelihood itself, never a difference.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "airy/core/arrays.hpp"
#include "airy/core/rng.hpp"
#include "airy/infer/tempered_target.hpp"
#include "airy/infer/tempering.hpp"
#include "hmc.hpp"

namespace airy::infer::detail {

/// The terms of the path at one point, packed as PhasePoint::aux:
/// [log rho, l, d log rho/du (n), dl/du (n)].
struct PathTerms {
  static constexpr int kLogRef = 0;
  static constexpr int kEll = 1;
  static constexpr int kGrad = 2;
  /// Size of the packed vector for dimension n.
  static constexpr int size(int n) { return 2 + 2 * n; }
};

/// rho and l for a TemperedTarget. Immutable during a round; the Gaussian reference is
/// refitted between rounds by the (single) driver thread.
class TemperingPath {
 public:
  /// @throws airy::InvalidArgument for the prior reference when the target's prior cannot
  ///   serve (TemperedTarget::prior_reference_issue()).
  TemperingPath(const TemperedTarget& target, PtReference kind, const RealVector& mean,
                const RealVector& sd);

  [[nodiscard]] int dim() const { return target_.dim(); }
  [[nodiscard]] const TemperedTarget& target() const { return target_; }
  [[nodiscard]] PtReference kind() const { return kind_; }
  [[nodiscard]] const RealVector& mean() const { return mean_; }
  [[nodiscard]] const RealVector& sd() const { return sd_; }
  /// Replaces the Gaussian reference (no effect for the prior reference).
  void set_gaussian(const RealVector& mean, const RealVector& sd);
  [[nodiscard]] std::string describe() const;

  /// Evaluates the path's terms at theta into aux (resized to PathTerms::size(n)). A
  /// non-finite l is stored as -inf ("outside the likelihood's support").
  /// @param ws the target's workspace (from target().make_workspace())
  void evaluate(std::span<const double> theta, RealVector& aux, Workspace* ws) const;
  /// One exact draw from rho into theta.
  void sample_reference(Rng& rng, std::span<double> theta) const;

 private:
  const TemperedTarget& target_;
  PtReference kind_;
  RealVector mean_;
  RealVector sd_;
  double log_norm_ = 0.0;  ///< -sum log(sd sqrt(2 pi))
};

/// log pi_beta and its gradient from packed terms: log rho + beta l (log rho alone at
/// beta = 0); logp = -inf when anything is non-finite (as Hamiltonian::evaluate).
double tempered_value(const RealVector& aux, double beta, RealVector& grad);

/// pi_beta as a LogDensity over the unconstrained space, one per replica (beta is that
/// replica's current chain's). Every evaluation leaves the path terms in its workspace, and
/// copy_terms() (a Hamiltonian evaluation hook) attaches them to the phase point.
class TemperedDensity final : public LogDensity {
 public:
  explicit TemperedDensity(const TemperingPath& path) : path_(path) {}
  double beta = 0.0;

  [[nodiscard]] int dim() const override { return path_.dim(); }
  double log_density_gradient(std::span<const double> theta, std::span<double> grad,
                              Workspace* ws) const override;
  [[nodiscard]] std::unique_ptr<Workspace> make_workspace() const override;
  /// Evaluates the terms only (e.g. after a reference draw); ws from make_workspace().
  void evaluate_terms(std::span<const double> theta, RealVector& aux, Workspace* ws) const;
  /// Hamiltonian::EvaluationHook: z.aux = the terms of the last evaluation.
  static void copy_terms(const Workspace* ws, PhasePoint& z);

 private:
  const TemperingPath& path_;
};

}  // namespace airy::infer::detail
