// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Fixture shared by the large-MAP test and benchmark: a separable flat-field problem
/// of any size with an analytic mode.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "airy/core/rng.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/site_model.hpp"

namespace airy::posterior::testing {

/// Counts d_p ~ Poisson(f_p m_p) of a flat field f_p ~ Normal(1, tau_p), with the prior
/// Normal(1, tau_p) per pixel (an IndependentVector). Per pixel the log posterior
/// d log(f m) - f m - (f - 1)^2/(2 tau^2) is maximised where
/// f^2 + (m tau^2 - 1) f - d tau^2 = 0, the positive root.
struct FlatFieldProblem {
  std::vector<double> m, tau, d, mode;
  std::shared_ptr<const infer::SiteModel> model;
};

inline FlatFieldProblem make_flat_field(int n, std::uint64_t seed) {
  FlatFieldProblem p;
  Rng rng(seed, 0);
  p.m.resize(n);
  p.tau.resize(n);
  p.d.resize(n);
  p.mode.resize(n);
  for (int i = 0; i < n; ++i) {
    p.m[i] = 50.0 + 5000.0 * rng.uniform01();  // expected photons at f = 1
    p.tau[i] = 0.02 + 0.08 * rng.uniform01();
    const double f = rng.normal(1.0, p.tau[i]);
    p.d[i] = static_cast<double>(rng.poisson(f * p.m[i]));
    const double b = p.m[i] * p.tau[i] * p.tau[i] - 1.0;
    p.mode[i] = 0.5 * (-b + std::sqrt(b * b + 4.0 * p.d[i] * p.tau[i] * p.tau[i]));
  }
  auto m = std::make_shared<const std::vector<double>>(p.m);
  auto d = std::make_shared<const std::vector<double>>(p.d);
  infer::LogLikelihood loglik = [m, d](std::span<const double> f, std::span<double> g,
                                       infer::Workspace*) {
    double total = 0.0;
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (!(f[i] > 0.0)) return -std::numeric_limits<double>::infinity();
      const double mu = f[i] * (*m)[i];
      total += (*d)[i] * std::log(mu) - mu;
      g[i] += (*d)[i] / f[i] - (*m)[i];
    }
    return total;
  };
  const auto prior = infer::make_independent("normal", {{"loc", {1.0}}, {"scale", p.tau}});
  p.model = std::make_shared<const infer::SiteModel>(
      std::vector<infer::Site>{infer::Site::vector("flat", n, prior)}, loglik);
  return p;
}

}  // namespace airy::posterior::testing
