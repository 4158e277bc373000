// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A posterior that exposes its prior and likelihood separately, as parallel tempering
/// needs: pi_beta(u) ∝ pi_0(u) L(u)^beta on the unconstrained space (docs/inference.md §6).
#pragma once

#include <span>
#include <string>

#include "airy/core/rng.hpp"
#include "airy/infer/log_density.hpp"

namespace airy::infer {

/// The two terms of a posterior at one point of the unconstrained space.
struct SplitValue {
  /// log pi_0(u): the prior pushed forward to the unconstrained space, log-Jacobians included
  /// and with its normalising constant (so that pi_0 integrates to one when proper).
  double log_prior = 0.0;
  /// log L(u): the log-likelihood (everything that is not prior).
  double log_likelihood = 0.0;
};

/// A LogDensity whose log density is log pi_0(u) + log L(u), with both terms available on
/// their own. Implementations are immutable and thread-safe like every LogDensity.
///
/// Parallel tempering (tempering.hpp) walks the path pi_beta ∝ pi_0 L^beta from the prior
/// (beta = 0) to the posterior (beta = 1). It draws exact i.i.d. samples at beta = 0 from
/// sample_prior() when prior_reference_issue() is empty, and otherwise needs an explicit
/// Gaussian reference (PtReference::gaussian).
class TemperedTarget : public LogDensity {
 public:
  /// Both terms at theta (size dim()). Writes d log pi_0/du into grad_prior and d log L/du
  /// into grad_likelihood (each of size dim(), overwritten). A non-finite log_likelihood means
  /// "outside the likelihood's support", never throw.
  virtual SplitValue split_gradient(std::span<const double> theta, std::span<double> grad_prior,
                                    std::span<double> grad_likelihood, Workspace* ws) const = 0;

  /// Why the prior cannot serve as an exact, normalised reference distribution: empty when
  /// it can, else a sentence naming the culprit (e.g. "site 'flux' has a flat (improper)
  /// prior"). The default says that the target offers no prior sampler.
  [[nodiscard]] virtual std::string prior_reference_issue() const;

  /// One exact draw u ~ pi_0 on the unconstrained space (size dim()). Only called when
  /// prior_reference_issue() is empty. The default throws airy::Error.
  virtual void sample_prior(Rng& rng, std::span<double> theta) const;

  /// log pi_0 + log L with the summed gradient (what NUTS samples). The default calls
  /// split_gradient() with a temporary second gradient buffer.
  double log_density_gradient(std::span<const double> theta, std::span<double> grad,
                              Workspace* ws) const override;
};

}  // namespace airy::infer
