// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief SamplerOptions::adapt_metric = false: the given metric survives warmup unchanged
/// while dual averaging still tunes the step size.
#include <gtest/gtest.h>

#include "airy/infer/sampler.hpp"
#include "test_densities.hpp"

namespace airy::infer {
namespace {

SamplerOptions short_run(Metric metric, RealMatrix inv_metric, bool adapt_metric) {
  SamplerOptions o;
  o.num_chains = 2;
  o.num_warmup = 200;
  o.num_samples = 50;
  o.seed = 7;
  o.quiet = true;
  o.handle_sigint = false;
  o.metric = metric;
  o.inv_metric = std::move(inv_metric);
  o.adapt_metric = adapt_metric;
  return o;
}

TEST(AdaptMetric, FalseKeepsTheGivenDenseMetric) {
  test_targets::CorrelatedGaussian target(0.9, 1.0, 2.0);
  RealMatrix given(2, 2);
  given << 0.5, 0.1, 0.1, 3.0;  // deliberately not the target's covariance
  const infer::Run run = sample(target, short_run(Metric::dense_e, given, false));
  for (const auto& ch : run.chains) {
    EXPECT_EQ(ch.inv_metric, given);
    // Dual averaging still ran: the final step size is not the initial 1.
    EXPECT_NE(ch.stepsize, 1.0);
    EXPECT_GT(ch.stepsize, 0.0);
  }
}

TEST(AdaptMetric, TrueStillEstimatesTheMetric) {
  test_targets::CorrelatedGaussian target(0.9, 1.0, 2.0);
  RealMatrix given(2, 2);
  given << 0.5, 0.1, 0.1, 3.0;
  const infer::Run run = sample(target, short_run(Metric::dense_e, given, true));
  for (const auto& ch : run.chains) EXPECT_NE(ch.inv_metric, given);
}

TEST(AdaptMetric, FalseKeepsTheIdentityForADiagonalMetric) {
  test_targets::CorrelatedGaussian target(0.9, 1.0, 2.0);
  const infer::Run run = sample(target, short_run(Metric::diag_e, RealMatrix(), false));
  for (const auto& ch : run.chains) {
    ASSERT_EQ(ch.inv_metric.rows(), 2);
    EXPECT_EQ(ch.inv_metric(0, 0), 1.0);
    EXPECT_EQ(ch.inv_metric(1, 0), 1.0);
  }
}

}  // namespace
}  // namespace airy::infer
