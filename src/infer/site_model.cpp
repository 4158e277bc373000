// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/site_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "airy/core/error.hpp"

namespace airy::infer {

namespace {

/// The SiteModel's per-chain scratch: constrained values and gradients, plus the user's space.
class SiteWorkspace final : public Workspace {
 public:
  std::vector<double> x;
  std::vector<double> gx;
  std::vector<double> gp;    ///< split_gradient: d log prior / dx
  std::vector<double> zero;  ///< split_gradient: zeros, to pull back the log-Jacobian alone
  std::vector<double> gu;    ///< split_gradient: d log|J| / du
  std::unique_ptr<Workspace> user;
};

}  // namespace

Site Site::scalar(std::string name, DistributionPtr prior, BijectorPtr bijector) {
  return Site{std::move(name), 1, false, std::move(prior), std::move(bijector)};
}

Site Site::vector(std::string name, int size, DistributionPtr prior, BijectorPtr bijector) {
  return Site{std::move(name), size, true, std::move(prior), std::move(bijector)};
}

SiteModel::SiteModel(std::vector<Site> sites, LogLikelihood loglik,
                     WorkspaceFactory workspace_factory, DerivedOutputs derived)
    : sites_(std::move(sites)),
      loglik_(std::move(loglik)),
      workspace_factory_(std::move(workspace_factory)),
      derived_(std::move(derived)) {
  if (!derived_.names.empty() && !derived_.compute) {
    throw_invalid("SiteModel", "derived.compute", "must be set when derived.names is not empty");
  }
  std::set<std::string> seen;
  for (auto& s : sites_) {
    if (s.name.empty()) throw_invalid("SiteModel", "site.name", "must not be empty");
    if (!seen.insert(s.name).second) {
      throw InvalidArgument(fmt::format("SiteModel: site '{}': duplicate name", s.name));
    }
    if (s.size < 1) {
      throw InvalidArgument(
          fmt::format("SiteModel: site '{}': size = {}: must be >= 1", s.name, s.size));
    }
    if (!s.is_vector && s.size != 1) {
      throw InvalidArgument(fmt::format(
          "SiteModel: site '{}': size = {}: a scalar site has size 1 (use Site::vector)", s.name,
          s.size));
    }
    if (s.prior) {
      const int ev = s.prior->event_size();
      if (ev != 1 && ev != s.size) {
        throw InvalidArgument(
            fmt::format("SiteModel: site '{}': prior {} has event size {} but the site has size {}",
                        s.name, s.prior->describe(), ev, s.size));
      }
      if (!s.prior->support().continuous()) {
        throw InvalidArgument(fmt::format(
            "SiteModel: site '{}': prior {} is discrete: HMC needs continuous parameters", s.name,
            s.prior->describe()));
      }
      if (!s.bijector) s.bijector = s.prior->site_bijector();
      if (!s.bijector) s.bijector = default_bijector(s.prior->support());
    } else if (!s.bijector) {
      s.bijector = identity_bijector();
    }
    if (prior_issue_.empty()) {
      if (!s.prior) {
        prior_issue_ = fmt::format("site '{}' has a flat (improper) prior", s.name);
      } else if (s.bijector->name() != default_bijector(s.prior->support())->name()) {
        prior_issue_ = fmt::format(
            "site '{}': bijector {} does not map onto the support {} of its prior {} (a "
            "truncated, unnormalised prior)",
            s.name, s.bijector->name(), s.prior->support().describe(), s.prior->describe());
      }
    }
    const int m = s.bijector->unconstrained_size(s.size);
    slices_.push_back(SiteSlice{output_dim_, s.size, dim_, m});
    output_dim_ += s.size;
    dim_ += m;
  }
  site_dim_ = output_dim_;
  output_dim_ += static_cast<int>(derived_.names.size());
}

std::vector<std::string> SiteModel::output_names() const {
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(output_dim_));
  for (const auto& s : sites_) {
    if (!s.is_vector) {
      names.push_back(s.name);
    } else {
      for (int i = 0; i < s.size; ++i) names.push_back(fmt::format("{}[{}]", s.name, i + 1));
    }
  }
  names.insert(names.end(), derived_.names.begin(), derived_.names.end());
  return names;
}

std::unique_ptr<Workspace> SiteModel::make_workspace() const {
  auto ws = std::make_unique<SiteWorkspace>();
  ws->x.resize(static_cast<std::size_t>(site_dim_));
  ws->gx.resize(static_cast<std::size_t>(site_dim_));
  if (workspace_factory_) ws->user = workspace_factory_();
  return ws;
}

SiteSlice SiteModel::slice(std::string_view name) const {
  for (std::size_t i = 0; i < sites_.size(); ++i) {
    if (sites_[i].name == name) return slices_[i];
  }
  throw InvalidArgument(fmt::format("SiteModel::slice: name = '{}': unknown site", name));
}

double SiteModel::evaluate(std::span<const double> theta, std::span<double> grad, Workspace* ws,
                           bool with_likelihood) const {
  SiteWorkspace local;
  auto* sws = dynamic_cast<SiteWorkspace*>(ws);
  if (sws == nullptr) {
    local.x.resize(static_cast<std::size_t>(site_dim_));
    local.gx.resize(static_cast<std::size_t>(site_dim_));
    sws = &local;
  }
  std::span<double> x(sws->x);
  std::span<double> gx(sws->gx);
  std::fill(gx.begin(), gx.end(), 0.0);
  std::fill(grad.begin(), grad.end(), 0.0);

  double lp = 0.0;
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    const auto& sl = slices_[s];
    lp += sites_[s].bijector->forward(
        theta.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                      static_cast<std::size_t>(sl.unconstrained_size)),
        x.subspan(static_cast<std::size_t>(sl.offset), static_cast<std::size_t>(sl.size)));
  }
  if (with_likelihood && loglik_) {
    lp += loglik_(x, gx, sws->user.get());
    if (!std::isfinite(lp)) return lp;
  }
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    const auto& site = sites_[s];
    const auto& sl = slices_[s];
    auto xs = x.subspan(static_cast<std::size_t>(sl.offset), static_cast<std::size_t>(sl.size));
    auto gs = gx.subspan(static_cast<std::size_t>(sl.offset), static_cast<std::size_t>(sl.size));
    if (site.prior) {
      if (site.prior->event_size() == 1) {
        for (std::size_t i = 0; i < xs.size(); ++i) {
          lp += site.prior->log_prob(xs.subspan(i, 1), gs.subspan(i, 1));
        }
      } else {
        lp += site.prior->log_prob(xs, gs);
      }
    }
    site.bijector->pullback(theta.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                                          static_cast<std::size_t>(sl.unconstrained_size)),
                            xs, gs,
                            grad.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                                         static_cast<std::size_t>(sl.unconstrained_size)));
  }
  return lp;
}

double SiteModel::log_density_gradient(std::span<const double> theta, std::span<double> grad,
                                       Workspace* ws) const {
  return evaluate(theta, grad, ws, true);
}

double SiteModel::log_prior_gradient(std::span<const double> theta, std::span<double> grad) const {
  return evaluate(theta, grad, nullptr, false);
}

SplitValue SiteModel::split_gradient(std::span<const double> theta, std::span<double> grad_prior,
                                     std::span<double> grad_likelihood, Workspace* ws) const {
  SiteWorkspace local;
  auto* sws = dynamic_cast<SiteWorkspace*>(ws);
  if (sws == nullptr) sws = &local;
  const auto n = static_cast<std::size_t>(site_dim_);
  for (auto* v : {&sws->x, &sws->gx, &sws->gp, &sws->zero}) v->resize(n);
  sws->gu.resize(static_cast<std::size_t>(dim_));
  std::span<double> x(sws->x);
  std::span<double> gx(sws->gx);
  std::span<double> gp(sws->gp);
  std::fill(gx.begin(), gx.end(), 0.0);
  std::fill(gp.begin(), gp.end(), 0.0);
  std::fill(sws->zero.begin(), sws->zero.end(), 0.0);
  std::fill(sws->gu.begin(), sws->gu.end(), 0.0);
  std::fill(grad_prior.begin(), grad_prior.end(), 0.0);
  std::fill(grad_likelihood.begin(), grad_likelihood.end(), 0.0);
  auto usub = [](auto v, const SiteSlice& sl) {
    return v.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                     static_cast<std::size_t>(sl.unconstrained_size));
  };
  auto xsub = [](auto v, const SiteSlice& sl) {
    return v.subspan(static_cast<std::size_t>(sl.offset), static_cast<std::size_t>(sl.size));
  };

  SplitValue out;
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    out.log_prior += sites_[s].bijector->forward(usub(theta, slices_[s]), xsub(x, slices_[s]));
  }
  if (loglik_) out.log_likelihood = loglik_(x, gx, sws->user.get());
  const std::span<const double> zero(sws->zero);
  const std::span<double> gu(sws->gu);
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    const auto& site = sites_[s];
    const auto& sl = slices_[s];
    const auto us = usub(theta, sl);
    const auto xs = xsub(std::span<const double>(x), sl);
    const auto gps = xsub(gp, sl);
    if (site.prior) {
      if (site.prior->event_size() == 1) {
        for (std::size_t i = 0; i < xs.size(); ++i) {
          out.log_prior += site.prior->log_prob(xs.subspan(i, 1), gps.subspan(i, 1));
        }
      } else {
        out.log_prior += site.prior->log_prob(xs, gps);
      }
    }
    // The prior term owns the log-Jacobian: pullback(gp) = J^T gp + dlog|J|/du. The
    // likelihood's J^T gx is pullback(gx) - pullback(0), which keeps its rounding error
    // relative to |J^T gx| + |dlog|J|/du| rather than to the whole gradient.
    site.bijector->pullback(us, xs, gps, usub(grad_prior, sl));
    site.bijector->pullback(us, xs, xsub(std::span<const double>(gx), sl),
                            usub(grad_likelihood, sl));
    site.bijector->pullback(us, xs, xsub(zero, sl), usub(gu, sl));
  }
  for (std::size_t i = 0; i < grad_likelihood.size(); ++i) grad_likelihood[i] -= gu[i];
  return out;
}

void SiteModel::sample_prior(Rng& rng, std::span<double> theta) const {
  if (!prior_issue_.empty()) throw Error("SiteModel::sample_prior: " + prior_issue_);
  std::vector<double> xs;
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    const auto& site = sites_[s];
    const auto& sl = slices_[s];
    xs.resize(static_cast<std::size_t>(sl.size));
    auto us = theta.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                            static_cast<std::size_t>(sl.unconstrained_size));
    bool ok = false;
    for (int attempt = 0; attempt < 100 && !ok; ++attempt) {
      if (site.prior->event_size() == 1) {
        for (double& v : xs) v = site.prior->sample(rng);
      } else {
        site.prior->sample(rng, xs);
      }
      ok = site.bijector->inverse(xs, us) &&
           std::all_of(us.begin(), us.end(), [](double v) { return std::isfinite(v); });
    }
    if (!ok) {
      throw Error(fmt::format(
          "SiteModel::sample_prior: site '{}': 100 draws from {} all fell outside the open "
          "support (underflow at the boundary?)",
          site.name, site.prior->describe()));
    }
  }
}

void SiteModel::constrain(std::span<const double> theta, std::span<double> out) const {
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    const auto& sl = slices_[s];
    sites_[s].bijector->forward(
        theta.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                      static_cast<std::size_t>(sl.unconstrained_size)),
        out.subspan(static_cast<std::size_t>(sl.offset), static_cast<std::size_t>(sl.size)));
  }
  if (derived_.compute) {
    derived_.compute(out.first(static_cast<std::size_t>(site_dim_)),
                     out.subspan(static_cast<std::size_t>(site_dim_)));
  }
}

bool SiteModel::unconstrain(std::span<const double> values, std::span<double> theta) const {
  bool ok = true;
  for (std::size_t s = 0; s < sites_.size(); ++s) {
    const auto& sl = slices_[s];
    ok = sites_[s].bijector->inverse(
             values.subspan(static_cast<std::size_t>(sl.offset), static_cast<std::size_t>(sl.size)),
             theta.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                           static_cast<std::size_t>(sl.unconstrained_size))) &&
         ok;
  }
  return ok;
}

}  // namespace airy::infer
