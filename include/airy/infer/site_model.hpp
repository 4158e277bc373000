// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A LogDensity built from named sites (prior + bijector, scalar or vector) and a
/// user log-likelihood over the constrained values: what configs and the image posterior use.
///
/// With constrained x = (x_1, ..., x_S) (sites concatenated in order) and x_s = T_s(u_s):
///   log p(u) = loglik(x) + sum_s [log prior_s(x_s) + log|det dT_s/du_s|]
///   grad_u   = sum_s [J_s^T (dloglik/dx_s + dlogprior_s/dx_s) + dlog|det J_s|/du_s].
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "airy/infer/bijector.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/infer/log_density.hpp"
#include "airy/infer/tempered_target.hpp"

namespace airy::infer {

/// One named parameter block.
struct Site {
  std::string name;
  /// Number of constrained coordinates.
  int size = 1;
  /// Written `name[i]` (1-based) when true, `name` when false (only for size 1).
  bool is_vector = false;
  /// Prior: a scalar distribution applied to each coordinate, or a distribution with
  /// event_size() == size over the whole block. Null: flat (improper) prior.
  DistributionPtr prior;
  /// Map from unconstrained space. Null: prior->site_bijector() if it has one, else
  /// default_bijector(prior->support()) (identity for a flat prior).
  BijectorPtr bijector;

  /// A scalar site named `name`.
  static Site scalar(std::string name, DistributionPtr prior, BijectorPtr bijector = nullptr);
  /// A vector site `name[1..size]`.
  static Site vector(std::string name, int size, DistributionPtr prior,
                     BijectorPtr bijector = nullptr);
};

/// The log-likelihood over the concatenated constrained values x (SiteModel::output_dim()):
/// returns log L(x) and writes dlogL/dx into grad_x (zeroed by the caller, same size as x).
/// A non-finite return means "impossible" (a divergence for the sampler), never throw.
using LogLikelihood =
    std::function<double(std::span<const double> x, std::span<double> grad_x, Workspace* ws)>;
/// Builds the likelihood's per-chain workspace (may return null).
using WorkspaceFactory = std::function<std::unique_ptr<Workspace>()>;

/// Extra output coordinates computed from the sites' constrained values (Stan's transformed
/// parameters / generated quantities), appended after the sites in every draw; e.g. eight
/// schools' theta = theta_trans * tau + mu. `compute(sites, out)`: sites has site_dim()
/// values, out has names.size().
struct DerivedOutputs {
  std::vector<std::string> names;
  std::function<void(std::span<const double> sites, std::span<double> out)> compute;
};

/// Where a site lives in the constrained (output) and unconstrained vectors.
struct SiteSlice {
  int offset = 0;  ///< first constrained coordinate
  int size = 0;    ///< constrained coordinates
  int unconstrained_offset = 0;
  int unconstrained_size = 0;
};

/// A LogDensity from sites and a likelihood. Immutable and thread-safe after construction.
/// As a TemperedTarget it splits log p into the prior term (priors + log-Jacobians) and the
/// likelihood, and draws from the prior when every site has a proper prior and the default
/// bijector of its support (what parallel tempering's reference needs).
class SiteModel : public TemperedTarget {
 public:
  /// @throws airy::InvalidArgument for an empty or duplicate site name, size < 1, a prior
  ///   whose event_size is neither 1 nor size, a discrete prior, a scalar site of size > 1,
  ///   or derived names without a compute function.
  SiteModel(std::vector<Site> sites, LogLikelihood loglik = nullptr,
            WorkspaceFactory workspace_factory = nullptr, DerivedOutputs derived = {});

  [[nodiscard]] int dim() const override { return dim_; }
  [[nodiscard]] int output_dim() const override { return output_dim_; }
  [[nodiscard]] std::vector<std::string> output_names() const override;
  double log_density_gradient(std::span<const double> theta, std::span<double> grad,
                              Workspace* ws) const override;
  [[nodiscard]] std::unique_ptr<Workspace> make_workspace() const override;
  void constrain(std::span<const double> theta, std::span<double> out) const override;
  bool unconstrain(std::span<const double> values, std::span<double> theta) const override;

  /// Number of constrained site coordinates (output_dim() minus the derived outputs).
  [[nodiscard]] int site_dim() const { return site_dim_; }
  /// The sites, with bijectors resolved.
  [[nodiscard]] const std::vector<Site>& sites() const { return sites_; }
  /// Slice of the named site. @throws airy::InvalidArgument for an unknown name.
  [[nodiscard]] SiteSlice slice(std::string_view name) const;
  /// Slices in site order.
  [[nodiscard]] const std::vector<SiteSlice>& slices() const { return slices_; }

  /// Log prior + log-Jacobian only (no likelihood), with gradient (for tests and inits).
  double log_prior_gradient(std::span<const double> theta, std::span<double> grad) const;

  /// log pi_0 = sum_s [log prior_s(x_s) + log|det dT_s/du_s|] and log L(x), each with its
  /// gradient in u: grad_prior = sum_s J_s^T dlogprior_s/dx_s + dlog|J_s|/du_s and
  /// grad_likelihood = J^T dlogL/dx. Their sum equals log_density_gradient().
  SplitValue split_gradient(std::span<const double> theta, std::span<double> grad_prior,
                            std::span<double> grad_likelihood, Workspace* ws) const override;
  /// Empty when every site has a prior and the default bijector of that prior's support (so
  /// a prior draw maps into the unconstrained space and pi_0 integrates to one); else names
  /// the first site that breaks this: a flat (improper) prior, or a bijector whose image is
  /// not the prior's support (a truncated, unnormalised prior).
  [[nodiscard]] std::string prior_reference_issue() const override { return prior_issue_; }
  /// Draws every site from its prior and maps it through the bijector's inverse.
  /// @throws airy::Error when prior_reference_issue() is not empty, or when 100 draws of a
  ///   site all fall on the boundary of its support (e.g. a gamma draw that underflows to 0).
  void sample_prior(Rng& rng, std::span<double> theta) const override;

 private:
  /// Shared by log_density_gradient and log_prior_gradient; ws may be null.
  double evaluate(std::span<const double> theta, std::span<double> grad, Workspace* ws,
                  bool with_likelihood) const;

  std::vector<Site> sites_;
  std::vector<SiteSlice> slices_;
  LogLikelihood loglik_;
  WorkspaceFactory workspace_factory_;
  DerivedOutputs derived_;
  int dim_ = 0;
  int site_dim_ = 0;
  int output_dim_ = 0;
  std::string prior_issue_;
};

}  // namespace airy::infer
