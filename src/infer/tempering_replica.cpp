// SPDX-License-Identifier: BSD-3-Clause
#include "tempering_replica.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "airy/core/error.hpp"

namespace airy::infer::detail {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

void Moments::reset(int dim) {
  n = 0;
  mean = RealVector::Zero(dim);
  m2 = RealVector::Zero(dim);
}

void Moments::add(const RealVector& x) {
  ++n;
  const RealVector d = x - mean;
  mean += d / static_cast<double>(n);
  m2.array() += d.array() * (x - mean).array();
}

void Moments::merge(const Moments& o) {
  if (o.n == 0) return;
  if (n == 0) {
    *this = o;
    return;
  }
  const double na = static_cast<double>(n);
  const double nb = static_cast<double>(o.n);
  const double nt = na + nb;
  const RealVector d = o.mean - mean;
  mean += d * (nb / nt);
  m2 += o.m2 + d.cwiseProduct(d) * (na * nb / nt);
  n += o.n;
}

RealVector Moments::variance() const {
  if (n < 2) return RealVector::Constant(mean.size(), kNaN);
  return m2 / static_cast<double>(n - 1);
}

Replica::Replica(int index, int num_chains, const TemperingPath& path, const SamplerOptions& kernel,
                 std::uint64_t seed, std::uint64_t stream)
    : chain(index),
      index_(index),
      path_(path),
      density_(path),
      ws_(density_.make_workspace()),
      h_(density_, ws_.get(), kernel.metric),
      kernel_(h_, kernel),
      rng_(seed, stream) {
  h_.set_evaluation_hook(&TemperedDensity::copy_terms);
  moments.resize(static_cast<std::size_t>(num_chains));
  z_.q = RealVector::Zero(path.dim());
  z_.p = RealVector::Zero(path.dim());
  z_.g = RealVector::Zero(path.dim());
  draw_.resize(path.dim());
}

void Replica::initialize(std::span<const double> theta, int max_tries) {
  const int n = path_.dim();
  auto finite_terms = [&] {
    return std::isfinite(z_.aux[PathTerms::kLogRef]) && std::isfinite(z_.aux[PathTerms::kEll]) &&
           z_.aux.allFinite();
  };
  if (!theta.empty()) {
    for (int i = 0; i < n; ++i) z_.q[i] = theta[static_cast<std::size_t>(i)];
    density_.evaluate_terms(theta, z_.aux, ws_.get());
    ++extra_evaluations_;
    if (finite_terms()) return;
    throw Error(fmt::format(
        "sample_pt: init: the reference term ({}) or the log-likelihood term ({}) or their "
        "gradients are not finite at the given values",
        z_.aux[PathTerms::kLogRef], z_.aux[PathTerms::kEll]));
  }
  for (int t = 0; t < max_tries; ++t) {
    path_.sample_reference(rng_, std::span<double>(draw_.data(), static_cast<std::size_t>(n)));
    z_.q = draw_;
    density_.evaluate_terms(std::span<const double>(draw_.data(), static_cast<std::size_t>(n)),
                            z_.aux, ws_.get());
    ++extra_evaluations_;
    if (finite_terms()) return;
  }
  throw Error(fmt::format(
      "sample_pt: replica {}: no draw of the reference ({}) with a finite log-likelihood and "
      "gradient in {} tries; last: log-likelihood term = {} (give init values inside the "
      "likelihood's support)",
      index_, path_.describe(), max_tries, z_.aux[PathTerms::kEll]));
}

void Replica::set_chain_point(double beta) {
  density_.beta = beta;
  z_.logp = tempered_value(z_.aux, beta, z_.g);
  z_.raw_logp = z_.logp;
}

double Replica::find_stepsize(double beta, const RealVector& inv_metric, double start) {
  if (inv_metric.size() > 0) h_.set_inv_metric(inv_metric);
  set_chain_point(beta);
  kernel_.nominal_stepsize = start;
  kernel_.init_stepsize(z_, rng_);
  return kernel_.nominal_stepsize;
}

void Replica::explore(std::span<const double> betas, const ChainKernels& kernels, int steps,
                      std::span<double> constrained) {
  const int n = path_.dim();
  const auto k = static_cast<std::size_t>(chain);
  last = ScanRecord{};
  if (chain == 0) {
    path_.sample_reference(rng_, std::span<double>(draw_.data(), static_cast<std::size_t>(n)));
    z_.q = draw_;
    density_.evaluate_terms(std::span<const double>(draw_.data(), static_cast<std::size_t>(n)),
                            z_.aux, ws_.get());
    ++extra_evaluations_;
    last.info.accept_stat = kNaN;
  } else {
    if (kernels.inv_metric[k].size() > 0) h_.set_inv_metric(kernels.inv_metric[k]);
    kernel_.nominal_stepsize = kernels.stepsize[k];
    set_chain_point(betas[k]);
    for (int s = 0; s < steps; ++s) last.info = kernel_.transition(z_, rng_);
  }
  last.ell = z_.aux[PathTerms::kEll];
  last.log_target = z_.aux[PathTerms::kLogRef] + last.ell;
  moments[k].add(z_.q);
  if (!constrained.empty()) {
    path_.target().constrain(std::span<const double>(z_.q.data(), static_cast<std::size_t>(n)),
                             constrained);
  }
  last.swap_uniform = rng_.uniform01();
}

void Replica::refresh_terms() {
  density_.evaluate_terms(
      std::span<const double>(z_.q.data(), static_cast<std::size_t>(path_.dim())), z_.aux,
      ws_.get());
  ++extra_evaluations_;
}

void Replica::reset_round() {
  for (auto& m : moments) m.reset(path_.dim());
}

}  // namespace airy::infer::detail
