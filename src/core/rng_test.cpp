// SPDX-License-Identifier: BSD-3-Clause
#include "airy/core/rng.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <concepts>
#include <limits>
#include <random>
#include <vector>

#include "airy/core/error.hpp"

namespace airy {
namespace {

static_assert(std::uniform_random_bit_generator<Rng>);

TEST(Rng, SameSeedAndStreamGiveSameSequence) {
  Rng a(42, 3);
  Rng b(42, 3);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a(), b());
}

TEST(Rng, StreamsAndSeedsDiffer) {
  Rng a(42, 1);
  Rng b(42, 2);
  Rng c(43, 1);
  int same_ab = 0;
  int same_ac = 0;
  for (int i = 0; i < 100; ++i) {
    const auto x = a();
    same_ab += x == b() ? 1 : 0;
    same_ac += x == c() ? 1 : 0;
  }
  EXPECT_EQ(same_ab, 0);
  EXPECT_EQ(same_ac, 0);
}

TEST(Rng, Philox4x32KnownAnswer) {
  // Random123's kat_vectors: philox4x32 10, ctr = 0, key = 0 -> 6627e8d5 e169c58d bc57ac4c 9b00dbd8
  Rng r(0, 0);
  EXPECT_EQ(r.next_u32(), 0x6627e8d5u);
  EXPECT_EQ(r.next_u32(), 0xe169c58du);
  EXPECT_EQ(r.next_u32(), 0xbc57ac4cu);
  EXPECT_EQ(r.next_u32(), 0x9b00dbd8u);
}

struct Moments {
  double mean = 0;
  double var = 0;
};

template <class F>
Moments moments(F&& f, int n) {
  double s = 0;
  double s2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = f();
    s += x;
    s2 += x * x;
  }
  const double m = s / n;
  return {m, s2 / n - m * m};
}

constexpr int kN = 200000;

void expect_moments(const Moments& got, double mean, double var) {
  // 5 standard errors of the mean; variance within 3%.
  EXPECT_NEAR(got.mean, mean, 5.0 * std::sqrt(var / kN));
  EXPECT_NEAR(got.var, var, 0.03 * var);
}

TEST(Rng, Uniform01IsOpenAndHasRightMoments) {
  Rng r(1, 0);
  auto m = moments(
      [&] {
        const double u = r.uniform01();
        EXPECT_GT(u, 0.0);
        EXPECT_LT(u, 1.0);
        return u;
      },
      kN);
  expect_moments(m, 0.5, 1.0 / 12.0);
}

TEST(Rng, NormalMoments) {
  Rng r(2, 0);
  expect_moments(moments([&] { return r.normal(); }, kN), 0.0, 1.0);
  expect_moments(moments([&] { return r.normal(3.0, 2.0); }, kN), 3.0, 4.0);
}

TEST(Rng, ExponentialGammaBetaMoments) {
  Rng r(3, 0);
  expect_moments(moments([&] { return r.exponential(); }, kN), 1.0, 1.0);
  expect_moments(moments([&] { return r.gamma(2.5); }, kN), 2.5, 2.5);
  expect_moments(moments([&] { return r.gamma(0.3); }, kN), 0.3, 0.3);
  const double a = 2.0;
  const double b = 5.0;
  expect_moments(moments([&] { return r.beta(a, b); }, kN), a / (a + b),
                 a * b / ((a + b) * (a + b) * (a + b + 1)));
  expect_moments(moments([&] { return r.student_t(6.0); }, kN), 0.0, 6.0 / 4.0);
}

TEST(Rng, PoissonMoments) {
  Rng r(4, 0);
  for (double rate : {0.5, 4.0, 30.0, 1000.0}) {
    expect_moments(moments([&] { return static_cast<double>(r.poisson(rate)); }, kN), rate, rate);
  }
  EXPECT_EQ(r.poisson(0.0), 0);
}

// Fuzzing (tests/fuzz/corpus/config/poisson_rate_above_int64.toml): a mean of 1.1e19 was cast
// to int64 (UBSan). Beyond 2^52 the draws are not exact integers in a double: a named error.
TEST(Rng, PoissonRejectsRatesBeyondExactCountsByName) {
  using ::testing::HasSubstr;
  using ::testing::ThrowsMessage;
  Rng r(7, 0);
  for (double rate :
       {-1.0, std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        1.1e19, 1e308, std::nextafter(0x1.0p52, 1e300)}) {
    EXPECT_THAT([&] { (void)r.poisson(rate); },
                ThrowsMessage<InvalidArgument>(HasSubstr("Rng::poisson: rate = ")))
        << rate;
  }
  EXPECT_THAT([&] { (void)r.poisson(1.1e19); },
              ThrowsMessage<InvalidArgument>(HasSubstr("rate = 1.1e+19: must be finite, >= 0 "
                                                       "and <= 4.5036e+15")));
  // The bound itself draws: within 6 standard deviations (2^26 counts) of the mean.
  const double k = static_cast<double>(r.poisson(0x1.0p52));
  EXPECT_LT(std::fabs(k - 0x1.0p52), 6.0 * 0x1.0p26);
}

// log P(k) without cancellation, against long-double evaluations of
// -rate + k log(rate) - lgamma(k + 1) (64-bit mantissa: ~3e-6 absolute at k = 1e12, where the
// same sum in double is off by up to ~1e-2).
TEST(Rng, PoissonLogPmfMatchesLongDoubleReference) {
  const auto reference = [](double k, double rate) {
    const long double kl = k, rl = rate;
    return static_cast<double>(-rl + kl * std::log(rl) - std::lgamma(kl + 1.0L));
  };
  for (double rate : {10.5, 30.0, 1000.0}) {
    for (double k : {0.0, 1.0, 5.0, 10.0, 16.0, 20.0, 36.0, 81.0, 501.0, 1000.0, 1200.0}) {
      EXPECT_NEAR(poisson_log_pmf(k, rate), reference(k, rate), 1e-12) << k << " " << rate;
    }
  }
  for (double rate : {1e6, 1e9, 1e12}) {
    const double sd = std::sqrt(rate);
    for (double dk : {0.0, 1.0, -3.0 * sd, 0.5 * sd, 5.0 * sd, rate}) {  // rate: k = 2 rate
      const double k = std::round(rate + dk);
      EXPECT_NEAR(poisson_log_pmf(k, rate), reference(k, rate), 2e-5) << k << " " << rate;
    }
  }
}

// Probabilities from poisson_log_pmf sum to 1 with mean and variance `rate` (rate = 1e8; the
// sum over rate +- 12 sd leaves out < 1e-30 of the mass).
TEST(Rng, PoissonLogPmfIsNormalised) {
  const double rate = 1e8;
  const double sd = 1e4;
  double total = 0.0, mean = 0.0, var = 0.0;
  for (double k = rate - 12.0 * sd; k <= rate + 12.0 * sd; k += 1.0) {
    const double p = std::exp(poisson_log_pmf(k, rate));
    total += p;
    mean += p * (k - rate);
    var += p * (k - rate) * (k - rate);
  }
  EXPECT_NEAR(total, 1.0, 1e-10);
  EXPECT_NEAR(mean, 0.0, 1e-6 * sd);
  EXPECT_NEAR(var / rate, 1.0, 1e-8);
}

// Large means (PTRS with the stable acceptance test): moments of k - rate (exact integers).
TEST(Rng, PoissonMomentsAtLargeMeans) {
  Rng r(8, 0);
  for (double rate : {1e12, 0x1.0p52}) {
    expect_moments(moments([&] { return static_cast<double>(r.poisson(rate)) - rate; }, kN), 0.0,
                   rate);
  }
}

TEST(Rng, UniformIntIsInRangeAndUnbiased) {
  Rng r(5, 0);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const auto k = r.uniform_int(7);
    ASSERT_LT(k, 7u);
    ++counts[k];
  }
  for (int c : counts) EXPECT_NEAR(c, 10000, 500);
}

TEST(Rng, WorksWithStdDistributions) {
  Rng r(6, 0);
  std::uniform_int_distribution<int> d(1, 6);
  for (int i = 0; i < 100; ++i) {
    const int x = d(r);
    EXPECT_GE(x, 1);
    EXPECT_LE(x, 6);
  }
}

}  // namespace
}  // namespace airy
