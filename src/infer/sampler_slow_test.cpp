// SPDX-License-Identifier: BSD-3-Clause
// Long statistical runs on analytic targets (Release only; label "slow").
#include <gtest/gtest.h>

#include <cmath>

#include "airy/infer/diagnostics.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/summary.hpp"
#include "test_densities.hpp"

namespace airy::infer {
namespace {

SamplerOptions options(std::uint64_t seed) {
  SamplerOptions o;
  o.num_chains = 4;
  o.num_warmup = 1000;
  o.num_samples = 1000;
  o.seed = seed;
  o.quiet = true;
  return o;
}

/// Means within 4 MCSE, variances within 10%, R-hat < 1.01, no divergences.
void expect_moments(const infer::Run& run, const std::vector<double>& mean,
                    const std::vector<double>& var) {
  const Summary s = summarize(run);
  EXPECT_EQ(s.num_divergent, 0);
  for (std::size_t j = 0; j < mean.size(); ++j) {
    SCOPED_TRACE(run.chains[0].names[j]);
    const ChainDraws x = chain_draws(run, static_cast<int>(j));
    const double m = x.mean();
    const double v = (x.array() - m).square().sum() / static_cast<double>(x.size() - 1);
    EXPECT_LT(std::fabs(m - mean[j]), 4.0 * mcse_mean(x)) << "mean " << m;
    EXPECT_NEAR(v / var[j], 1.0, 0.10) << "variance " << v;
    EXPECT_LT(rhat(x), 1.01);
  }
}

TEST(SamplerSlow, StandardNormal1d) {
  test_targets::StdNormal target(1);
  expect_moments(sample(target, options(1)), {0.0}, {1.0});
}

TEST(SamplerSlow, StandardNormal100d) {
  test_targets::StdNormal target(100);
  auto o = options(2);
  o.num_samples = 3000;  // ESS of x^2 is ~N/3: 10% on 100 variances needs ~3000 draws
  const infer::Run run = sample(target, o);
  expect_moments(run, std::vector<double>(100, 0.0), std::vector<double>(100, 1.0));
  // A well-tuned NUTS on an iid Gaussian needs few leapfrogs (no resonance: the extra
  // U-turn checks) and gets ESS close to the number of draws.
  const Summary s = summarize(run);
  EXPECT_GT(s.min_ess_bulk, 6000);
}

TEST(SamplerSlow, CorrelatedGaussianDenseMetric) {
  test_targets::CorrelatedGaussian target(0.99, 1.0, 3.0);
  auto o = options(3);
  o.metric = Metric::dense_e;
  const infer::Run run = sample(target, o);
  expect_moments(run, {0.0, 0.0}, {1.0, 9.0});
  // Correlation of the draws.
  const ChainDraws a = chain_draws(run, 0);
  const ChainDraws b = chain_draws(run, 1);
  const double cov = ((a.array() - a.mean()) * (b.array() - b.mean())).mean();
  const double corr = cov / std::sqrt((a.array() - a.mean()).square().mean() *
                                      (b.array() - b.mean()).square().mean());
  EXPECT_NEAR(corr, 0.99, 0.002);
}

TEST(SamplerSlow, CorrelatedGaussianDiagMetric) {
  test_targets::CorrelatedGaussian target(0.99, 1.0, 3.0);
  auto o = options(4);
  o.num_samples = 4000;  // diagonal metric on rho = 0.99: long trajectories, low ESS per draw
  expect_moments(sample(target, o), {0.0, 0.0}, {1.0, 9.0});
}

TEST(SamplerSlow, Banana) {
  // b s^2 = 1: a clearly curved banana. Its tails stiffen (the Hessian grows like 4 b^2 x1^2),
  // so at delta 0.8 a few transitions diverge far out in the arms; delta 0.95 keeps the
  // step size small enough to explore them without divergences.
  test_targets::Banana target(0.01, 10.0);
  auto o = options(8);
  o.num_samples = 2000;
  o.delta = 0.95;
  expect_moments(sample(target, o), {0.0, 0.0}, {100.0, 3.0});
}

TEST(SamplerSlow, StaticHmcStandardNormal) {
  test_targets::StdNormal target(5);
  auto o = options(6);
  o.engine = Engine::static_hmc;
  o.int_time = 1.3;  // avoid the 2 pi periodicity of a unit Gaussian
  expect_moments(sample(target, o), std::vector<double>(5, 0.0), std::vector<double>(5, 1.0));
}

}  // namespace
}  // namespace airy::infer
