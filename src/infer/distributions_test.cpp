// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/distributions.hpp"

#include <Eigen/Dense>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"

namespace airy::infer {
namespace {

using ::testing::HasSubstr;

struct Case {
  DistributionPtr dist;
  std::vector<double> points;
};

std::vector<Case> cases() {
  return {
      {make_distribution("uniform", {{"low", -1.0}, {"high", 3.0}}), {-0.5, 0.1, 2.9}},
      {make_distribution("normal", {{"loc", 1.0}, {"scale", 2.0}}), {-3.0, 0.5, 4.0}},
      {make_distribution("half_normal", {{"scale", 1.5}}), {0.1, 1.0, 3.0}},
      {make_distribution("log_normal", {{"loc", 0.2}, {"scale", 0.7}}), {0.3, 1.0, 4.0}},
      {make_distribution("exponential", {{"rate", 2.0}}), {0.1, 1.0, 3.0}},
      {make_distribution("gamma", {{"concentration", 2.5}, {"rate", 1.5}}), {0.2, 1.0, 4.0}},
      {make_distribution("inverse_gamma", {{"concentration", 3.0}, {"rate", 2.0}}),
       {0.2, 1.0, 4.0}},
      {make_distribution("beta", {{"concentration1", 2.0}, {"concentration0", 3.5}}),
       {0.1, 0.5, 0.9}},
      {make_distribution("student_t", {{"df", 4.0}, {"loc", 0.5}, {"scale", 2.0}}),
       {-3.0, 0.0, 5.0}},
      {make_distribution("cauchy", {{"loc", 0.5}, {"scale", 2.0}}), {-3.0, 0.0, 5.0}},
      {make_distribution("half_cauchy", {{"scale", 2.5}}), {0.1, 1.0, 10.0}},
  };
}

/// Rebuilds d with params()[k] shifted by h.
DistributionPtr with_param(const Distribution& d, std::size_t k, double h) {
  std::map<std::string, double> p;
  auto ps = d.params();
  for (std::size_t i = 0; i < ps.size(); ++i) p[ps[i].first] = ps[i].second + (i == k ? h : 0.0);
  return make_distribution(d.name(), p);
}

TEST(Distributions, GradientsMatchFiniteDifferences) {
  for (const auto& c : cases()) {
    for (double x : c.points) {
      SCOPED_TRACE(c.dist->describe() + " at " + std::to_string(x));
      const double h = 1e-6 * std::max(1.0, std::fabs(x));
      const double fd = (c.dist->log_prob(x + h) - c.dist->log_prob(x - h)) / (2 * h);
      EXPECT_NEAR(c.dist->grad_log_prob(x), fd, 1e-6 * std::max(1.0, std::fabs(fd)));
      const double xv = x;
      const auto gp = c.dist->grad_params(std::span(&xv, 1));
      const auto ps = c.dist->params();
      ASSERT_EQ(gp.size(), ps.size());
      for (std::size_t k = 0; k < ps.size(); ++k) {
        const double hp = 1e-6 * std::max(1.0, std::fabs(ps[k].second));
        const double fdp =
            (with_param(*c.dist, k, hp)->log_prob(x) - with_param(*c.dist, k, -hp)->log_prob(x)) /
            (2 * hp);
        EXPECT_NEAR(gp[k], fdp, 1e-5 * std::max(1.0, std::fabs(fdp))) << ps[k].first;
      }
    }
  }
}

TEST(Distributions, ClosedForms) {
  const double log2pi = std::log(2 * std::numbers::pi);
  EXPECT_NEAR(Normal(0, 1).log_prob(0.0), -0.5 * log2pi, 1e-14);
  EXPECT_NEAR(Normal(1, 2).log_prob(3.0), -std::log(2.0) - 0.5 * log2pi - 0.5, 1e-14);
  EXPECT_NEAR(HalfNormal(1).log_prob(0.0), std::log(2.0) - 0.5 * log2pi, 1e-14);
  EXPECT_NEAR(Exponential(2).log_prob(1.0), std::log(2.0) - 2.0, 1e-14);
  EXPECT_NEAR(Gamma(1, 3).log_prob(0.5), std::log(3.0) - 1.5, 1e-14);  // = Exponential(3)
  EXPECT_NEAR(Beta(1, 1).log_prob(0.3), 0.0, 1e-14);
  EXPECT_NEAR(Beta(2, 2).log_prob(0.5), std::log(1.5), 1e-14);
  EXPECT_NEAR(Cauchy(0, 1).log_prob(1.0), -std::log(2 * std::numbers::pi), 1e-14);
  EXPECT_NEAR(StudentT(1, 0, 1).log_prob(1.0), Cauchy(0, 1).log_prob(1.0), 1e-12);
  EXPECT_NEAR(Uniform(0, 4).log_prob(1.0), -std::log(4.0), 1e-14);
  EXPECT_EQ(Uniform(0, 4).log_prob(5.0), -INFINITY);
  EXPECT_NEAR(Poisson(3).log_prob(2.0), 2 * std::log(3.0) - 3 - std::log(2.0), 1e-14);
  EXPECT_EQ(Poisson(3).log_prob(1.5), -INFINITY);
  EXPECT_NEAR(LogNormal(0, 1).log_prob(1.0), -0.5 * log2pi, 1e-14);
  EXPECT_NEAR(InverseGamma(1, 1).log_prob(1.0), -1.0, 1e-14);
  EXPECT_EQ(HalfCauchy(1).log_prob(-1.0), -INFINITY);
}

TEST(Distributions, SamplesHaveTheRightMean) {
  Rng rng(11, 0);
  const std::vector<std::pair<DistributionPtr, double>> means = {
      {make_distribution("normal", {{"loc", 1}, {"scale", 2}}), 1.0},
      {make_distribution("gamma", {{"concentration", 3}, {"rate", 2}}), 1.5},
      {make_distribution("beta", {{"alpha", 2}, {"beta", 6}}), 0.25},
      {make_distribution("exponential", {{"rate", 4}}), 0.25},
      {make_distribution("half_normal", {{"scale", 1}}), std::sqrt(2 / std::numbers::pi)},
      {make_distribution("poisson", {{"rate", 7}}), 7.0},
      {make_distribution("inverse_gamma", {{"concentration", 4}, {"rate", 3}}), 1.0},
      {make_distribution("log_normal", {{"loc", 0}, {"scale", 0.5}}), std::exp(0.125)},
  };
  for (const auto& [d, mean] : means) {
    double s = 0;
    const int n = 100000;
    for (int i = 0; i < n; ++i) s += d->sample(rng);
    EXPECT_NEAR(s / n, mean, 0.02 * mean) << d->describe();
  }
}

TEST(Distributions, FactoryValidates) {
  try {
    (void)make_distribution("normal", {{"loc", 0}, {"scale", -1}});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("normal"));
    EXPECT_THAT(e.what(), HasSubstr("scale"));
  }
  try {
    (void)make_distribution("uniform", {{"low", 2}, {"high", 1}});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("prior has no support"));
  }
  EXPECT_THROW((void)make_distribution("normal", {{"scael", 1}}), InvalidArgument);
  EXPECT_THROW((void)make_distribution("nromal", {}), InvalidArgument);
  EXPECT_THROW((void)make_distribution("gamma", {{"rate", 1}}), InvalidArgument);
  // Every parameter is required: a forgotten scale must not silently become 1.
  try {
    (void)make_distribution("normal", {{"loc", 0}});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("normal: scale or sigma or sd: required parameter missing"));
  }
  EXPECT_EQ(make_distribution("normal", {{"loc", 0}, {"scale", 2e-8}})->describe(),
            "normal(loc=0, scale=2e-08)");
  EXPECT_EQ(make_distribution("HalfNormal", {{"sigma", 2}})->name(), "half_normal");
}

TEST(Distributions, Supports) {
  EXPECT_EQ(make_distribution("uniform", {{"low", 0}, {"high", 2}})->support().describe(),
            "interval(0, 2)");
  EXPECT_EQ(make_distribution("gamma", {{"shape", 2}, {"rate", 1}})->support().kind,
            Support::Kind::positive);
  EXPECT_FALSE(make_distribution("poisson", {{"rate", 2}})->support().continuous());
  EXPECT_TRUE(make_distribution("beta", {{"a", 2}, {"b", 2}})->support().contains(0.5));
  EXPECT_FALSE(make_distribution("beta", {{"a", 2}, {"b", 2}})->support().contains(1.5));
}

TEST(MultivariateNormal, MatchesClosedFormAndFiniteDifferences) {
  RealVector loc(2);
  loc << 1.0, -1.0;
  RealMatrix cov(2, 2);
  cov << 2.0, 0.6, 0.6, 1.0;
  MultivariateNormal d(loc, cov);
  std::vector<double> x = {0.3, 0.4};
  const RealVector diff = Eigen::Map<RealVector>(x.data(), 2) - loc;
  const double expected = -std::log(2 * std::numbers::pi) - 0.5 * std::log(cov.determinant()) -
                          0.5 * diff.dot(cov.inverse() * diff);
  std::vector<double> g(2, 0.0);
  EXPECT_NEAR(d.log_prob(x, g), expected, 1e-12);
  for (int i = 0; i < 2; ++i) {
    auto xp = x;
    auto xm = x;
    xp[static_cast<std::size_t>(i)] += 1e-6;
    xm[static_cast<std::size_t>(i)] -= 1e-6;
    EXPECT_NEAR(g[static_cast<std::size_t>(i)], (d.log_prob(xp, {}) - d.log_prob(xm, {})) / 2e-6,
                1e-6);
  }
  const auto gl = d.grad_params(x);
  EXPECT_NEAR(gl[0], -g[0], 1e-12);
  RealMatrix bad(2, 2);
  bad << 1, 2, 2, 1;
  EXPECT_THROW(MultivariateNormal(loc, bad), InvalidArgument);
  // Sample covariance.
  Rng rng(3, 1);
  RealMatrix s = RealMatrix::Zero(2, 2);
  RealVector m = RealVector::Zero(2);
  const int n = 100000;
  std::vector<double> draw(2);
  for (int i = 0; i < n; ++i) {
    d.sample(rng, draw);
    RealVector v = Eigen::Map<RealVector>(draw.data(), 2);
    m += v;
    s += (v - loc) * (v - loc).transpose();
  }
  EXPECT_NEAR(m[0] / n, 1.0, 0.03);
  EXPECT_NEAR(s(0, 1) / n, 0.6, 0.03);
}

}  // namespace
}  // namespace airy::infer
