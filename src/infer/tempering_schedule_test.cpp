// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/tempering_schedule.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "airy/core/error.hpp"

namespace airy::infer {
namespace {

using ::testing::HasSubstr;

TEST(MonotoneInterpolant, ReproducesKnotsAndLines) {
  const MonotoneInterpolant line({0.0, 0.5, 2.0, 3.0}, {1.0, 2.0, 5.0, 7.0});
  for (double t : {0.0, 0.1, 0.5, 1.3, 2.0, 2.9, 3.0}) EXPECT_NEAR(line(t), 1.0 + 2.0 * t, 1e-14);
  EXPECT_NEAR(line.derivative(1.7), 2.0, 1e-13);
  // Held constant outside the knots.
  EXPECT_EQ(line(-1.0), 1.0);
  EXPECT_EQ(line(4.0), 7.0);
}

TEST(MonotoneInterpolant, NoOvershootOnSteps) {
  // A step: a natural cubic spline would overshoot; Fritsch-Carlson must not.
  const std::vector<double> x = {0, 1, 2, 3, 4, 5};
  const std::vector<double> y = {0, 0, 0.1, 0.9, 1, 1};
  const MonotoneInterpolant f(x, y);
  double prev = -1.0;
  for (int i = 0; i <= 500; ++i) {
    const double t = 5.0 * i / 500.0;
    const double v = f(t);
    EXPECT_GE(v, prev - 1e-15) << t;
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0);
    prev = v;
  }
  for (std::size_t k = 0; k < x.size(); ++k) EXPECT_DOUBLE_EQ(f(x[k]), y[k]);
  // The derivative is the interpolant's, by central differences.
  for (double t : {0.7, 1.5, 2.2, 3.6}) {
    EXPECT_NEAR(f.derivative(t), (f(t + 1e-6) - f(t - 1e-6)) / 2e-6, 1e-6) << t;
  }
  // A local extremum gets slope zero: no overshoot of non-monotone data either.
  const MonotoneInterpolant bump({0, 1, 2}, {0, 1, 0});
  EXPECT_EQ(bump.derivative(1.0), 0.0);
  EXPECT_LE(bump(0.9), 1.0);
}

TEST(MonotoneInterpolant, RejectsBadKnots) {
  EXPECT_THROW(MonotoneInterpolant({0.0}, {1.0}), InvalidArgument);
  EXPECT_THROW(MonotoneInterpolant({0.0, 1.0}, {1.0}), InvalidArgument);
  try {
    MonotoneInterpolant({0.0, 1.0, 1.0}, {0.0, 1.0, 2.0});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("x[2]"));
  }
  EXPECT_THROW(MonotoneInterpolant({0.0, NAN}, {0.0, 1.0}), InvalidArgument);
}

TEST(Deo, EvenScansProposeEvenPairsOddScansOddPairs) {
  for (std::int64_t scan : {0, 2, 10}) {
    EXPECT_TRUE(deo_proposes(0, scan));
    EXPECT_FALSE(deo_proposes(1, scan));
    EXPECT_TRUE(deo_proposes(2, scan));
  }
  for (std::int64_t scan : {1, 3, 11}) {
    EXPECT_FALSE(deo_proposes(0, scan));
    EXPECT_TRUE(deo_proposes(1, scan));
    EXPECT_FALSE(deo_proposes(2, scan));
  }
}

TEST(RoundTripCounter, CountsOnAHandMadeTour) {
  // N = 3 (top = 2). Starting at the top before the reference was seen counts nothing.
  RoundTripCounter c;
  for (int chain : {2, 1, 2}) c.observe(chain, 2);
  EXPECT_EQ(c.restarts(), 0);
  EXPECT_EQ(c.round_trips(), 0);
  // reference (state 1) -> top: a restart; -> reference: a round trip; again twice more,
  // with dithering in between that must not count.
  for (int chain : {1, 0, 1, 0, 1, 2, 1, 2, 2, 1, 0, 0, 1, 2, 1, 0, 1}) c.observe(chain, 2);
  EXPECT_EQ(c.restarts(), 2);
  EXPECT_EQ(c.round_trips(), 2);
  // Reaching the top without returning is a restart but not a round trip.
  c.observe(2, 2);
  EXPECT_EQ(c.restarts(), 3);
  EXPECT_EQ(c.round_trips(), 2);
  c.reset_counts();
  EXPECT_EQ(c.restarts(), 0);
  c.observe(0, 2);  // the tour state survives the reset
  EXPECT_EQ(c.round_trips(), 1);
}

TEST(Barrier, CumulativeAndLocal) {
  const std::vector<double> r = {0.2, 0.2, 0.2, 0.2};
  const auto cum = cumulative_barrier(r);
  ASSERT_EQ(cum.size(), 5U);
  for (std::size_t k = 0; k < cum.size(); ++k) EXPECT_NEAR(cum[k], 0.2 * k, 1e-15);
  // Equal rejections on an even grid: lambda(beta) = r (N - 1) everywhere.
  const std::vector<double> betas = {0.0, 0.25, 0.5, 0.75, 1.0};
  for (double l : local_barrier(betas, r)) EXPECT_NEAR(l, 0.8, 1e-12);
  // tau = 1/(2 + 2 sum r/(1-r)) = 1/(2 + 2 * 4 * 0.25) = 1/4.
  EXPECT_DOUBLE_EQ(round_trip_rate(r), 0.25);
  EXPECT_EQ(round_trip_rate(std::vector<double>{0.1, 1.0}), 0.0);
}

TEST(EqualRejectionSchedule, KeepsAnAlreadyEqualSchedule) {
  const std::vector<double> betas = {0.0, 0.1, 0.3, 0.6, 1.0};
  const auto out = equal_rejection_schedule(betas, std::vector<double>{0.3, 0.3, 0.3, 0.3}, 5);
  for (std::size_t k = 0; k < betas.size(); ++k) EXPECT_NEAR(out[k], betas[k], 1e-14);
}

TEST(EqualRejectionSchedule, FindsTheOptimumOfASmoothBarrier) {
  // Lambda(beta) = 3 log(1 + 9 beta)/log(10): most of the barrier near beta = 0. Measured
  // exactly on an even grid of 9 points (r_i = Lambda(beta_{i+1}) - Lambda(beta_i)), the new
  // 7-point schedule must be close to the optimum Lambda(beta_j) = 3 j/6, i.e.
  // beta_j = (10^(j/6) - 1)/9, and must crowd towards 0 (the 1/8 of interpolation between
  // the old knots limits the accuracy to about 0.015 in Lambda/3).
  auto lambda = [](double b) { return 3.0 * std::log1p(9.0 * b) / std::log(10.0); };
  std::vector<double> betas;
  std::vector<double> r;
  for (int k = 0; k <= 8; ++k) betas.push_back(k / 8.0);
  for (int k = 0; k < 8; ++k) r.push_back(lambda(betas[k + 1]) - lambda(betas[k]));
  const auto out = equal_rejection_schedule(betas, r, 7);
  ASSERT_EQ(out.size(), 7U);
  EXPECT_EQ(out.front(), 0.0);
  EXPECT_EQ(out.back(), 1.0);
  for (std::size_t j = 1; j < out.size(); ++j) {
    EXPECT_GT(out[j], out[j - 1]);
    EXPECT_NEAR(lambda(out[j]) / 3.0, j / 6.0, 0.02) << j;
    EXPECT_NEAR(out[j], (std::pow(10.0, j / 6.0) - 1.0) / 9.0, 0.01) << j;
  }
  EXPECT_LT(out[1], 0.125);  // the first new point inside the old first interval
}

TEST(EqualRejectionSchedule, ZeroRejectionsStillGiveAValidSchedule) {
  const std::vector<double> betas = {0.0, 0.5, 1.0};
  const auto out = equal_rejection_schedule(betas, std::vector<double>{0.0, 0.0}, 4);
  ASSERT_EQ(out.size(), 4U);
  for (std::size_t k = 1; k < out.size(); ++k) EXPECT_GT(out[k], out[k - 1]);
  const auto one_sided = equal_rejection_schedule(betas, std::vector<double>{0.4, 0.0}, 3);
  EXPECT_GT(one_sided[1], 0.0);
  EXPECT_LT(one_sided[1], 0.5);
}

TEST(EqualRejectionSchedule, RejectsBadInput) {
  const std::vector<double> r = {0.1, 0.1};
  auto message = [&](std::vector<double> betas, std::vector<double> rej, int n) {
    try {
      (void)equal_rejection_schedule(betas, rej, n);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_THAT(message({0.1, 0.5, 1.0}, r, 3), HasSubstr("betas[0] = 0.1"));
  EXPECT_THAT(message({0.0, 0.5, 0.9}, r, 3), HasSubstr("betas[2] = 0.9"));
  EXPECT_THAT(message({0.0, 0.5, 0.5, 1.0}, {0.1, 0.1, 0.1}, 3), HasSubstr("betas[2]"));
  EXPECT_THAT(message({0.0, 0.5, 1.0}, {0.1}, 3), HasSubstr("rejection has 1 values"));
  EXPECT_THAT(message({0.0, 0.5, 1.0}, {0.1, 1.5}, 3), HasSubstr("rejection[1]"));
  EXPECT_THAT(message({0.0, 0.5, 1.0}, r, 1), HasSubstr("num_chains = 1"));
}

}  // namespace
}  // namespace airy::infer
