// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The target a sampler draws from: a log density over R^n with its exact gradient.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace airy::infer {

/// Per-caller scratch space for a LogDensity (one per chain). Subclass it to hold buffers.
class Workspace {
 public:
  virtual ~Workspace() = default;
};

/// A log density over unconstrained R^dim() with its exact gradient, as a sampler sees it.
///
/// Implementations are immutable and thread-safe: every mutable buffer lives in the Workspace
/// that make_workspace() hands to each caller (one per chain), so parallel chains share one
/// LogDensity without locks. A target defined on a constrained space maps its draws back to
/// that space with constrain(); samplers store the constrained values (Stan's `write_array`).
class LogDensity {
 public:
  virtual ~LogDensity() = default;

  /// Dimension n of the unconstrained space.
  [[nodiscard]] virtual int dim() const = 0;

  /// log p(theta) up to a constant (log-Jacobians of any transform included) and writes
  /// d log p / d theta into grad (size dim()). A non-finite value or gradient is allowed and
  /// means "outside the support": samplers treat it as a divergence/rejection, never throw.
  /// @param ws the caller's workspace from make_workspace() (may be null if that returned null)
  virtual double log_density_gradient(std::span<const double> theta, std::span<double> grad,
                                      Workspace* ws) const = 0;

  /// A fresh workspace for one caller. The default holds nothing.
  [[nodiscard]] virtual std::unique_ptr<Workspace> make_workspace() const { return nullptr; }

  /// Number of constrained output coordinates (what draws store). Default: dim().
  [[nodiscard]] virtual int output_dim() const { return dim(); }

  /// Names of the output coordinates, vectors written `name[i]` with i 1-based (Stan).
  /// Default: theta[1] ... theta[n].
  [[nodiscard]] virtual std::vector<std::string> output_names() const;

  /// Maps unconstrained theta (dim()) to the output coordinates (output_dim()). Default: copy.
  virtual void constrain(std::span<const double> theta, std::span<double> out) const;

  /// Maps output coordinates back to unconstrained theta (for user-given inits).
  /// Returns false when `values` lies outside the support. Default: copy.
  virtual bool unconstrain(std::span<const double> values, std::span<double> theta) const;
};

}  // namespace airy::infer
