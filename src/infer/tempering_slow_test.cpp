// SPDX-License-Identifier: BSD-3-Clause
// Parallel tempering on analytic targets with known evidence, barrier and mode weights
// (Release only; label "slow"). Each test takes a few seconds on one core.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "airy/infer/diagnostics.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/site_model.hpp"
#include "airy/infer/tempering.hpp"
#include "tempering_test_targets.hpp"

namespace airy::infer {
namespace {

using test_targets::GaussianTarget;
using test_targets::MixtureTarget;

PtOptions options(std::uint64_t seed, int chains) {
  PtOptions o;
  o.seed = seed;
  o.num_chains = chains;
  o.num_threads = 1;
  return o;
}

/// |estimate - truth| within `tol` nats and within 4 standard errors (plus 0.02 for the
/// stepping stone's O(1/n) bias).
void expect_evidence(const PtReport& r, double truth, double tol) {
  SCOPED_TRACE(format_pt_report(r));
  EXPECT_NEAR(r.evidence.log_z, truth, tol);
  EXPECT_LT(std::fabs(r.evidence.log_z - truth), 4.0 * r.evidence.se + 0.02);
  EXPECT_GT(r.evidence.se, 0.0);
  EXPECT_LT(r.evidence.se, tol / 2);
}

TEST(PtSlow, GaussianEvidenceAndPosterior) {
  // Stepping stone's variance is about pi Lambda^2 / ((N - 1) n_eff) (docs/inference.md §6.4):
  // with Lambda ~ 2.3, 12 chains and 2048 scans its standard error is ~0.03.
  const GaussianTarget t({1.0, -0.5, 2.0, 0.3}, 2.0, 0.5);
  auto o = options(11, 12);
  o.num_rounds = 11;
  o.num_runs = 2;
  const PtResult res = sample_pt(t, o);
  for (const auto& r : res.reports) {
    expect_evidence(r, t.log_evidence(), 0.15);
    EXPECT_NEAR(r.evidence.ti, t.log_evidence(), 0.2);
    EXPECT_TRUE(r.warnings.empty()) << format_pt_report(r);
  }
  const PtEvidence both = combine_evidence(res.reports);
  EXPECT_NEAR(both.log_z, t.log_evidence(), 0.1);
  EXPECT_NEAR(both.se, std::hypot(res.reports[0].evidence.se, res.reports[1].evidence.se) / 2,
              1e-15);
  for (int j = 0; j < t.dim(); ++j) {
    const ChainDraws x = chain_draws(res.run, j);
    const double m = x.mean();
    const double v = (x.array() - m).square().sum() / static_cast<double>(x.size() - 1);
    EXPECT_LT(std::fabs(m - t.posterior_mean(j)), 4.0 * mcse_mean(x)) << j;
    EXPECT_NEAR(v / t.posterior_var(), 1.0, 0.15) << j;
    EXPECT_LT(rhat(x), 1.02) << j;
  }
}

TEST(PtSlow, AdaptedScheduleMatchesTheClosedFormBarrier) {
  // Prior N(0, I_d), likelihood exp(-|x|^2 / (2 s^2)): pi_beta = N(0, tau^2 I) with
  // tau^2 = s^2/(s^2 + beta), and V = -l = |x|^2/(2 s^2) + const. The local barrier
  // lambda(beta) = E|V - V'|/2 = tau^2/s^2 * Gamma((d+1)/2)/(sqrt(pi) Gamma(d/2)) (the mean
  // absolute difference of two chi^2_d is 4 Gamma((d+1)/2)/(sqrt(pi) Gamma(d/2))), so
  // Lambda(beta) = c_d log(1 + beta/s^2) and the equal-rejection schedule is
  // beta_k = s^2 ((1 + 1/s^2)^(k/(N-1)) - 1).
  const int d = 10;
  const double s = 0.1;
  const int n = 30;
  const GaussianTarget t(std::vector<double>(d, 0.0), 1.0, s);
  const double c =
      std::exp(std::lgamma((d + 1) / 2.0) - std::lgamma(d / 2.0)) / std::sqrt(std::numbers::pi);
  auto big_lambda = [&](double b) { return c * std::log1p(b / (s * s)); };
  const double truth = big_lambda(1.0);
  const PtResult res = sample_pt(t, options(12, n));
  const PtReport& r = res.reports[0];
  SCOPED_TRACE(format_pt_report(r));
  EXPECT_NEAR(r.barrier / truth, 1.0, 0.08);
  for (int k = 1; k + 1 < n; ++k) {
    // Where the adapted chains sit on the true barrier: equally spaced.
    EXPECT_NEAR(big_lambda(r.betas[static_cast<std::size_t>(k)]) / truth, k / (n - 1.0), 0.04) << k;
  }
  // Equal rejections: every pair near Lambda/(N - 1) (binomial noise of 512 proposals).
  for (double a : r.swap_accept) EXPECT_NEAR(1.0 - a, truth / (n - 1), 0.08);
  expect_evidence(r, t.log_evidence(), 0.2);
}

TEST(PtSlow, MixtureWeightsAndEvidenceWhereNutsStaysInOneMode) {
  // Three modes 4 apart from the origin (14 sd apart from each other) in 6 dimensions.
  const int d = 6;
  std::vector<Eigen::VectorXd> means;
  for (int j = 0; j < 3; ++j) means.push_back(4.0 * Eigen::VectorXd::Unit(d, j));
  const MixtureTarget t(means, {0.2, 0.3, 0.5}, 0.4, 3.0);
  const std::vector<double> w = t.posterior_weights();
  auto modes_of = [&](const Chain& c) {
    std::vector<int> m;
    for (Eigen::Index i = 0; i < c.draws.rows(); ++i) {
      const Eigen::VectorXd x = c.draws.row(i).transpose();
      m.push_back(t.nearest(std::span<const double>(x.data(), static_cast<std::size_t>(d))));
    }
    return m;
  };

  // NUTS: every chain stays in the mode it started in.
  SamplerOptions so;
  so.num_chains = 4;
  so.num_warmup = 500;
  so.num_samples = 500;
  so.seed = 3;
  so.quiet = true;
  so.num_threads = 1;
  const infer::Run nuts = sample(t, so);
  for (const Chain& c : nuts.chains) {
    const auto m = modes_of(c);
    EXPECT_TRUE(std::all_of(m.begin(), m.end(), [&](int v) { return v == m[0]; }))
        << "NUTS chain " << c.id << " switched modes";
  }

  // PT: the weights (z-test with the indicator's ESS) and the evidence.
  auto o = options(13, 20);
  o.num_rounds = 12;
  const PtResult res = sample_pt(t, o);
  const PtReport& r = res.reports[0];
  expect_evidence(r, t.log_evidence(), 0.1);
  EXPECT_GT(r.round_trips, 100);
  const auto m = modes_of(res.run.chains[0]);
  for (int j = 0; j < 3; ++j) {
    ChainDraws ind(static_cast<Eigen::Index>(m.size()), 1);
    for (std::size_t i = 0; i < m.size(); ++i) ind(static_cast<Eigen::Index>(i), 0) = m[i] == j;
    const double p = ind.mean();
    const double se = std::sqrt(p * (1 - p) / ess_basic(ind));
    SCOPED_TRACE(format_pt_report(r));
    EXPECT_LT(std::fabs(p - w[static_cast<std::size_t>(j)]), 4.0 * se)
        << "mode " << j << ": " << p << " vs " << w[static_cast<std::size_t>(j)] << " (se " << se
        << ")";
    EXPECT_LT(se, 0.05);
  }
}

TEST(PtSlow, ConjugateSiteModelEvidenceThroughBijectors) {
  // Gamma-Poisson, Beta-Binomial and Normal-Normal sites: the prior reference is drawn on
  // the constrained space and mapped through exp, logit and the identity; log Z is closed
  // form: Z = b^a G(a+K) / (G(a) (b+n)^(a+K) prod k!) * C(5,3) B(5, 5)/B(2, 3) * N(y; 0, 4.25).
  const std::vector<double> counts = {4, 2, 5};
  const std::vector<double> y = {1.0, -0.5};
  std::vector<Site> sites = {
      Site::scalar("rate", make_distribution("gamma", {{"shape", 3}, {"rate", 2}})),
      Site::scalar("p", make_distribution("beta", {{"alpha", 2}, {"beta", 3}})),
      Site::vector("m", 2, make_distribution("normal", {{"loc", 0}, {"scale", 2}})),
  };
  LogLikelihood ll = [&](std::span<const double> x, std::span<double> g, Workspace*) {
    double lp = 0.0;
    for (double k : counts) {
      lp += k * std::log(x[0]) - x[0] - std::lgamma(k + 1);
      g[0] += k / x[0] - 1;
    }
    lp += std::log(10.0) + 3 * std::log(x[1]) + 2 * std::log1p(-x[1]);
    g[1] += 3 / x[1] - 2 / (1 - x[1]);
    for (std::size_t i = 0; i < 2; ++i) {
      lp += test_targets::log_normal_pdf(y[i], x[2 + i], 0.5);
      g[2 + i] += (y[i] - x[2 + i]) / 0.25;
    }
    return lp;
  };
  const SiteModel model(sites, ll);
  auto lbeta = [](double a, double b) {
    return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  };
  double truth =
      3 * std::log(2.0) + std::lgamma(3 + 11.0) - std::lgamma(3.0) - (3 + 11.0) * std::log(2.0 + 3);
  for (double k : counts) truth -= std::lgamma(k + 1);
  truth += std::log(10.0) + lbeta(5, 5) - lbeta(2, 3);
  for (double v : y) truth += test_targets::log_normal_pdf(v, 0.0, std::sqrt(4.25));
  auto o = options(14, 12);
  o.num_rounds = 11;
  const PtResult res = sample_pt(model, o);
  expect_evidence(res.reports[0], truth, 0.1);
  EXPECT_TRUE(res.reports[0].evidence.is_marginal_likelihood);
  // Posterior mean of the rate: Gamma(a + K, b + n) -> 14/5.
  const ChainDraws rate = chain_draws(res.run, 0);
  EXPECT_LT(std::fabs(rate.mean() - 14.0 / 5.0), 4 * mcse_mean(rate));
}

TEST(PtSlow, GaussianReferenceForAFlatPrior) {
  // Flat prior, likelihood N(y; x, 0.5^2 I): Z = 1 relative to Lebesgue measure. The
  // Gaussian reference starts at N(0, 2^2) and is refitted to the posterior.
  const GaussianTarget t({1.0, -0.5, 2.0, 0.3}, 0.0, 0.5);
  auto o = options(15, 8);
  o.reference = PtReference::gaussian;
  o.num_rounds = 11;
  const PtResult res = sample_pt(t, o);
  const PtReport& r = res.reports[0];
  expect_evidence(r, 0.0, 0.1);
  EXPECT_FALSE(r.evidence.is_marginal_likelihood);
  // A reference moment-matched to the posterior leaves a small barrier.
  EXPECT_LT(r.barrier, 1.5);
  for (int j = 0; j < t.dim(); ++j) {
    const ChainDraws x = chain_draws(res.run, j);
    EXPECT_LT(std::fabs(x.mean() - t.posterior_mean(j)), 4.0 * mcse_mean(x)) << j;
  }
}

TEST(PtSlow, EvidenceStandardErrorIsCalibrated) {
  // Over 60 seeds the squared z-scores of the stepping-stone estimate average about
  // 1.15 (a t with 15 degrees of freedom: 16 batches); a standard error off by a factor
  // of 1.5 either way moves the average out of [0.5, 2].
  const GaussianTarget t({0.5, -1.0}, 1.5, 0.5);
  const int seeds = 60;
  double z2 = 0.0;
  for (int seed = 1; seed <= seeds; ++seed) {
    auto o = options(static_cast<std::uint64_t>(1000 + seed), 6);
    o.num_rounds = 8;
    const PtEvidence e = sample_pt(t, o).reports[0].evidence;
    ASSERT_EQ(e.batches, 16);
    const double z = (e.log_z - t.log_evidence()) / e.se;
    z2 += z * z / seeds;
  }
  EXPECT_GT(z2, 0.5);
  EXPECT_LT(z2, 2.0);
}

}  // namespace
}  // namespace airy::infer
