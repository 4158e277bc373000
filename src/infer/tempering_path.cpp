// SPDX-License-Identifier: BSD-3-Clause
#include "tempering_path.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <numbers>

#include "airy/core/error.hpp"

namespace airy::infer::detail {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The target's workspace plus the packed path terms of the last evaluation.
class TemperedWorkspace final : public Workspace {
 public:
  std::unique_ptr<Workspace> target;
  RealVector terms;
};

}  // namespace

TemperingPath::TemperingPath(const TemperedTarget& target, PtReference kind, const RealVector& mean,
                             const RealVector& sd)
    : target_(target), kind_(kind) {
  if (kind_ == PtReference::prior) {
    const std::string issue = target_.prior_reference_issue();
    if (!issue.empty()) {
      throw InvalidArgument(fmt::format(
          "sample_pt: reference = prior: {}; the prior cannot be the reference distribution "
          "(use reference = gaussian, a Gaussian fitted on the unconstrained space)",
          issue));
    }
  }
  set_gaussian(mean, sd);
}

void TemperingPath::set_gaussian(const RealVector& mean, const RealVector& sd) {
  if (kind_ != PtReference::gaussian) return;
  mean_ = mean;
  sd_ = sd;
  log_norm_ = -(sd_.array().log().sum() +
                0.5 * static_cast<double>(sd_.size()) * std::log(2.0 * std::numbers::pi));
}

std::string TemperingPath::describe() const {
  if (kind_ == PtReference::prior) return "prior (exact draws)";
  return fmt::format(
      "gaussian on the unconstrained space, mean in [{:.4g}, {:.4g}], sd in [{:.4g}, {:.4g}]",
      mean_.minCoeff(), mean_.maxCoeff(), sd_.minCoeff(), sd_.maxCoeff());
}

void TemperingPath::evaluate(std::span<const double> theta, RealVector& aux, Workspace* ws) const {
  const int n = dim();
  aux.resize(PathTerms::size(n));
  double* g_ref = aux.data() + PathTerms::kGrad;
  double* g_ell = g_ref + n;
  const auto un = static_cast<std::size_t>(n);
  std::span<double> gp(g_ref, un);
  std::span<double> gl(g_ell, un);
  const SplitValue v = target_.split_gradient(theta, gp, gl, ws);
  double ell = v.log_likelihood;
  if (kind_ == PtReference::prior) {
    aux[PathTerms::kLogRef] = v.log_prior;
  } else {
    // rho = q (Gaussian), l = log pi_0 + log L - log q.
    double log_q = log_norm_;
    for (int i = 0; i < n; ++i) {
      const double z = (theta[static_cast<std::size_t>(i)] - mean_[i]) / sd_[i];
      log_q -= 0.5 * z * z;
      const double dq = -z / sd_[i];
      g_ell[i] += g_ref[i] - dq;
      g_ref[i] = dq;
    }
    ell = v.log_prior + v.log_likelihood - log_q;
    aux[PathTerms::kLogRef] = log_q;
  }
  aux[PathTerms::kEll] = std::isfinite(ell) ? ell : -kInf;
}

void TemperingPath::sample_reference(Rng& rng, std::span<double> theta) const {
  if (kind_ == PtReference::prior) {
    target_.sample_prior(rng, theta);
    return;
  }
  for (int i = 0; i < dim(); ++i) theta[static_cast<std::size_t>(i)] = rng.normal(mean_[i], sd_[i]);
}

double tempered_value(const RealVector& aux, double beta, RealVector& grad) {
  const int n = static_cast<int>(aux.size() - 2) / 2;
  const double log_ref = aux[PathTerms::kLogRef];
  const double ell = aux[PathTerms::kEll];
  grad = aux.segment(PathTerms::kGrad, n);
  if (beta == 0.0) return std::isfinite(log_ref) && grad.allFinite() ? log_ref : -kInf;
  grad += beta * aux.segment(PathTerms::kGrad + n, n);
  const double lp = log_ref + beta * ell;
  return std::isfinite(lp) && grad.allFinite() ? lp : -kInf;
}

double TemperedDensity::log_density_gradient(std::span<const double> theta, std::span<double> grad,
                                             Workspace* ws) const {
  auto* tws = dynamic_cast<TemperedWorkspace*>(ws);
  TemperedWorkspace local;
  if (tws == nullptr) tws = &local;
  path_.evaluate(theta, tws->terms, tws->target.get());
  const int n = dim();
  const double* g_ref = tws->terms.data() + PathTerms::kGrad;
  const double* g_ell = g_ref + n;
  const double log_ref = tws->terms[PathTerms::kLogRef];
  if (beta == 0.0) {
    for (int i = 0; i < n; ++i) grad[static_cast<std::size_t>(i)] = g_ref[i];
    return log_ref;
  }
  for (int i = 0; i < n; ++i) grad[static_cast<std::size_t>(i)] = g_ref[i] + beta * g_ell[i];
  return log_ref + beta * tws->terms[PathTerms::kEll];
}

std::unique_ptr<Workspace> TemperedDensity::make_workspace() const {
  auto ws = std::make_unique<TemperedWorkspace>();
  ws->target = path_.target().make_workspace();
  ws->terms.resize(PathTerms::size(dim()));
  return ws;
}

void TemperedDensity::evaluate_terms(std::span<const double> theta, RealVector& aux,
                                     Workspace* ws) const {
  auto* tws = dynamic_cast<TemperedWorkspace*>(ws);
  path_.evaluate(theta, aux, tws != nullptr ? tws->target.get() : nullptr);
}

void TemperedDensity::copy_terms(const Workspace* ws, PhasePoint& z) {
  const auto* tws = dynamic_cast<const TemperedWorkspace*>(ws);
  if (tws != nullptr) z.aux = tws->terms;
}

}  // namespace airy::infer::detail
