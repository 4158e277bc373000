// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Vector priors with per-element parameters (make_independent): element-wise against
/// the scalar distributions, gradients against finite differences, sampling moments, and use
/// as a SiteModel prior against the same model written with one scalar site per element.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/site_model.hpp"

namespace airy::infer {
namespace {

using ::testing::HasSubstr;
using Arrays = std::map<std::string, std::vector<double>>;

struct VectorCase {
  std::string family;
  Arrays params;
  std::vector<double> x;  ///< a point inside every element's support
};

std::vector<VectorCase> vector_cases() {
  return {
      {"normal",
       {{"loc", {1.0, -2.0, 0.5, 3.0}}, {"scale", {0.05, 2.0, 1.0, 0.3}}},
       {1.02, -1.0, 0.4, 3.5}},
      {"uniform",
       {{"low", {0.0, -1.0, 2.0, 0.9}}, {"high", {1.0, 1.0, 5.0, 1.1}}},
       {0.3, 0.2, 4.0, 1.05}},
      {"log_normal", {{"loc", {0.0, 1.0, -1.0, 0.2}}, {"scale", {0.5}}}, {1.1, 2.0, 0.3, 1.5}},
      {"half_normal", {{"scale", {1.0, 2.0, 0.1, 5.0}}}, {0.5, 1.0, 0.05, 7.0}},
      {"exponential", {{"rate", {1.0, 0.5, 4.0, 2.0}}}, {0.5, 3.0, 0.1, 1.0}},
      {"gamma",
       {{"concentration", {2.0, 3.5, 1.5, 8.0}}, {"rate", {1.0, 2.0, 0.5, 4.0}}},
       {1.5, 2.0, 3.0, 2.2}},
      {"student_t",
       {{"df", {3.0, 5.0, 10.0, 1.5}}, {"loc", {0.0}}, {"scale", {1.0, 2.0, 3.0, 4.0}}},
       {0.5, -1.0, 2.0, 6.0}},
  };
}

/// The scalar distribution of element i of a case, from the scalar factory.
DistributionPtr scalar_element(const VectorCase& c, std::size_t i) {
  std::map<std::string, double> p;
  for (const auto& [k, v] : c.params) p[k] = v.size() == 1 ? v[0] : v[i];
  return make_distribution(c.family, p);
}

TEST(IndependentVector, EqualsTheScalarDistributionsElementWise) {
  for (const auto& c : vector_cases()) {
    SCOPED_TRACE(c.family);
    const DistributionPtr d = make_independent(c.family, c.params);
    ASSERT_EQ(d->event_size(), 4);
    EXPECT_EQ(d->name(), "independent_" + c.family);
    std::vector<double> g(4, 0.0);
    double expected = 0.0;
    for (std::size_t i = 0; i < 4; ++i) {
      const DistributionPtr s = scalar_element(c, i);
      expected += s->log_prob(c.x[i]);
      // Bit for bit: the same scalar class does the arithmetic.
      EXPECT_EQ(static_cast<const IndependentVector&>(*d).element(static_cast<int>(i))->describe(),
                s->describe());
    }
    EXPECT_EQ(d->log_prob(c.x, g), expected);
    for (std::size_t i = 0; i < 4; ++i)
      EXPECT_EQ(g[i], scalar_element(c, i)->grad_log_prob(c.x[i]));
    // Outside one element's support the whole vector is impossible.
    if (c.family != "normal" && c.family != "student_t") {
      std::vector<double> bad = c.x;
      bad[2] = -1e3;
      EXPECT_EQ(d->log_prob(bad, {}), -std::numeric_limits<double>::infinity());
    }
  }
}

// Central differences in x (every element) and in every parameter of every element.
TEST(IndependentVector, GradientsMatchFiniteDifferences) {
  for (const auto& c : vector_cases()) {
    SCOPED_TRACE(c.family);
    const DistributionPtr d = make_independent(c.family, c.params);
    std::vector<double> g(4, 0.0);
    d->log_prob(c.x, g);
    for (std::size_t i = 0; i < 4; ++i) {
      const double h = 1e-6 * std::max(1.0, std::abs(c.x[i]));
      std::vector<double> p = c.x, m = c.x;
      p[i] += h;
      m[i] -= h;
      const double fd = (d->log_prob(p, {}) - d->log_prob(m, {})) / (2 * h);
      EXPECT_NEAR(g[i], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "x[" << i << "]";
    }
    const std::vector<double> gp = d->grad_params(c.x);
    const auto& iv = static_cast<const IndependentVector&>(*d);
    ASSERT_EQ(gp.size(), 4 * iv.param_names().size());
    for (std::size_t k = 0; k < iv.param_names().size(); ++k) {
      for (std::size_t i = 0; i < 4; ++i) {
        // Perturb parameter k of element i only: full arrays, one entry shifted.
        const auto shifted = [&](double delta) {
          Arrays a;
          for (std::size_t kk = 0; kk < iv.param_names().size(); ++kk) {
            std::vector<double> v(4);
            for (std::size_t ii = 0; ii < 4; ++ii) {
              v[ii] = iv.param(static_cast<int>(ii), static_cast<int>(kk)) +
                      (kk == k && ii == i ? delta : 0.0);
            }
            a[iv.param_names()[kk]] = v;
          }
          return make_independent(c.family, a)->log_prob(c.x, {});
        };
        const double h =
            1e-6 * std::max(1.0, std::abs(iv.param(static_cast<int>(i), static_cast<int>(k))));
        const double fd = (shifted(h) - shifted(-h)) / (2 * h);
        EXPECT_NEAR(gp[k * 4 + i], fd, 1e-5 * std::max(1.0, std::abs(fd)))
            << iv.param_names()[k] << "[" << i << "]";
      }
    }
  }
}

// Draws: each element's sample mean and variance against the element's own moments,
// |z| < 5 over 40000 draws.
TEST(IndependentVector, SamplesHaveEachElementsMoments) {
  const DistributionPtr normal =
      make_independent("normal", {{"loc", {1.0, -2.0, 10.0}}, {"scale", {0.05, 2.0, 3.0}}});
  const DistributionPtr uniform =
      make_independent("uniform", {{"low", {0.0, -1.0, 2.0}}, {"high", {1.0, 1.0, 5.0}}});
  const double means[2][3] = {{1.0, -2.0, 10.0}, {0.5, 0.0, 3.5}};
  const double sds[2][3] = {{0.05, 2.0, 3.0},
                            {1 / std::sqrt(12.0), 2 / std::sqrt(12.0), 3 / std::sqrt(12.0)}};
  Rng rng(5, 0);
  const int n = 40000;
  for (int which = 0; which < 2; ++which) {
    const DistributionPtr& d = which == 0 ? normal : uniform;
    std::vector<double> sum(3, 0.0), sum2(3, 0.0), x(3);
    for (int k = 0; k < n; ++k) {
      d->sample(rng, x);
      for (int i = 0; i < 3; ++i) {
        sum[i] += x[i];
        sum2[i] += x[i] * x[i];
      }
    }
    for (int i = 0; i < 3; ++i) {
      const double mean = sum[i] / n, var = sum2[i] / n - mean * mean;
      EXPECT_LT(std::abs(mean - means[which][i]) / (sds[which][i] / std::sqrt(n)), 5.0);
      // sd of the variance estimate: sqrt((mu4 - sigma^4)/n); mu4 = 3 sigma^4 (normal),
      // 1.8 sigma^4 (uniform).
      const double s4 = std::pow(sds[which][i], 4);
      const double se = std::sqrt(((which == 0 ? 3.0 : 1.8) - 1.0) * s4 / n);
      EXPECT_LT(std::abs(var - sds[which][i] * sds[which][i]) / se, 5.0) << which << " " << i;
    }
  }
}

/// The same prior as one vector site and as one scalar site per element: equal log density,
/// gradient and constrain/unconstrain at random unconstrained points (the per-element
/// interval bijector of a uniform with different bounds against n interval bijectors).
void expect_same_as_scalar_sites(const VectorCase& c) {
  SCOPED_TRACE(c.family);
  const DistributionPtr d = make_independent(c.family, c.params);
  const SiteModel vec({Site::vector("f", 4, d)});
  std::vector<Site> scalars;
  for (std::size_t i = 0; i < 4; ++i) {
    scalars.push_back(Site::scalar(fmt::format("f{}", i), scalar_element(c, i)));
  }
  const SiteModel sep(std::move(scalars));
  Rng rng(9, 0);
  for (int t = 0; t < 5; ++t) {
    std::vector<double> u(4), g1(4), g2(4), x1(4), x2(4);
    for (auto& ui : u) ui = rng.normal(0.0, 1.5);
    const double a = vec.log_density_gradient(u, g1, nullptr);
    const double b = sep.log_density_gradient(u, g2, nullptr);
    EXPECT_NEAR(a, b, 1e-12 * std::max(1.0, std::abs(b)));
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(g1[i], g2[i], 1e-12 * std::max(1.0, std::abs(g2[i])));
    vec.constrain(u, x1);
    sep.constrain(u, x2);
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(x1[i], x2[i], 1e-14 * std::max(1.0, std::abs(x2[i])));
    std::vector<double> back(4);
    ASSERT_TRUE(vec.unconstrain(x1, back));
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(back[i], u[i], 1e-8 * std::max(1.0, std::abs(u[i])));
  }
}

TEST(IndependentVector, IsASitePriorEqualToOneScalarSitePerElement) {
  for (const auto& c : vector_cases()) expect_same_as_scalar_sites(c);
  // The uniform's per-element bounds are enforced by its own bijector.
  const DistributionPtr u =
      make_independent("uniform", {{"low", {0.0, -1.0, 2.0, 0.9}}, {"high", {1.0, 1.0, 5.0, 1.1}}});
  ASSERT_NE(u->site_bijector(), nullptr);
  const SiteModel m({Site::vector("f", 4, u)});
  std::vector<double> back(4);
  EXPECT_FALSE(m.unconstrain(std::vector<double>{0.5, 0.0, 3.0, 1.2}, back));  // 1.2 > 1.1
  EXPECT_TRUE(m.unconstrain(std::vector<double>{0.5, 0.0, 3.0, 1.0}, back));
  // Shared bounds use the ordinary interval bijector; other families their support's.
  EXPECT_EQ(make_independent("uniform", {{"low", {0.0}}, {"high", {2.0}}}, 3)->site_bijector(),
            nullptr);
  EXPECT_EQ(make_independent("normal", {{"loc", {0.0}}, {"scale", {1.0, 2.0}}})->site_bijector(),
            nullptr);
}

TEST(IndependentVector, SizesAndDefaults) {
  const DistributionPtr d = make_independent("normal", {{"loc", {1.0}}, {"scale", {1.0}}}, 1000);
  EXPECT_EQ(d->event_size(), 1000);
  const auto& iv = static_cast<const IndependentVector&>(*d);
  EXPECT_EQ(iv.param(999, 1), 1.0);  // scale defaults to 1
  EXPECT_EQ(iv.describe_elements(), "normal(loc = 1, scale = 1) x 1000");
  EXPECT_EQ(static_cast<const IndependentVector&>(
                *make_independent("normal", {{"loc", {0.0, 2.0}}, {"scale", {0.5}}}))
                .describe_elements(),
            "normal(loc in [0, 2], scale = 0.5) x 2");
  EXPECT_EQ(
      make_independent("log_normal", {{"loc", {0.0}}, {"scale", {0.1, 0.2, 0.3}}})->support().kind,
      Support::Kind::positive);
}

TEST(IndependentVector, BadInputIsNamed) {
  const auto message = [](const std::string& family, const Arrays& p, int size = 0) {
    try {
      (void)make_independent(family, p, size);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_THAT(message("normal", {{"loc", {0.0}}, {"scale", {1.0, 2.0, 3.0, -1.0}}}),
              HasSubstr("element 3: normal: scale = -1"));
  EXPECT_THAT(message("uniform", {{"low", {0.0, 2.0}}, {"high", {1.0, 1.0}}}),
              HasSubstr("element 1: uniform: low = 2 >= high = 1"));
  EXPECT_THAT(message("normal", {{"loc", {1.0, 2.0}}, {"scale", {1.0, 2.0, 3.0}}}),
              HasSubstr("loc has 2 values: give one per element (3) or one for all"));
  EXPECT_THAT(message("normal", {{"mu", {1.0, 2.0}}, {"scale", {1.0}}}),
              HasSubstr("parameter 'mu': unknown here (expected loc, scale)"));
  EXPECT_THAT(message("norma", {{"loc", {1.0}}}, 3), HasSubstr("unknown distribution"));
  EXPECT_THAT(message("poisson", {{"rate", {1.0, 2.0}}}), HasSubstr("discrete"));
  EXPECT_THAT(message("normal", {}), HasSubstr("give size > 0"));
  EXPECT_EQ(make_independent("normal", {{"loc", {1.0}}, {"scale", {1.0}}})->event_size(), 1);
  EXPECT_THAT(message("normal", {{"loc", {1.0, 2.0}}}, 3),
              HasSubstr("loc has 2 values: give one per element (3)"));
  EXPECT_THAT(message("normal", {{"loc", {}}}, 3), HasSubstr("loc: no values"));
}

}  // namespace
}  // namespace airy::infer
