// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/bijector.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include <Eigen/Dense>

#include "airy/core/error.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/site_model.hpp"

namespace airy::infer {
namespace {

struct BCase {
  BijectorPtr b;
  int n;  // constrained size
};

std::vector<BCase> bcases() {
  return {{identity_bijector(), 3},        {lower_bound_bijector(1.5), 3},
          {upper_bound_bijector(-2.0), 3}, {interval_bijector(-1.0, 3.0), 3},
          {ordered_bijector(), 4},         {simplex_bijector(), 4}};
}

/// F(u) = w . T(u) + log|J(u)|: its gradient is exactly what pullback(gx = w) adds.
double objective(const Bijector& b, const std::vector<double>& u, const std::vector<double>& w) {
  std::vector<double> x(w.size());
  const double lj = b.forward(u, x);
  return std::inner_product(w.begin(), w.end(), x.begin(), 0.0) + lj;
}

TEST(Bijectors, PullbackMatchesFiniteDifferences) {
  for (const auto& c : bcases()) {
    SCOPED_TRACE(c.b->name());
    const int m = c.b->unconstrained_size(c.n);
    std::vector<double> u(static_cast<std::size_t>(m));
    std::vector<double> w(static_cast<std::size_t>(c.n));
    for (int i = 0; i < m; ++i) u[static_cast<std::size_t>(i)] = 0.3 * i - 0.4;
    for (int i = 0; i < c.n; ++i) w[static_cast<std::size_t>(i)] = 0.7 - 0.5 * i;
    std::vector<double> x(static_cast<std::size_t>(c.n));
    c.b->forward(u, x);
    std::vector<double> gu(static_cast<std::size_t>(m), 0.0);
    c.b->pullback(u, x, w, gu);
    for (int i = 0; i < m; ++i) {
      auto up = u;
      auto um = u;
      up[static_cast<std::size_t>(i)] += 1e-6;
      um[static_cast<std::size_t>(i)] -= 1e-6;
      const double fd = (objective(*c.b, up, w) - objective(*c.b, um, w)) / 2e-6;
      EXPECT_NEAR(gu[static_cast<std::size_t>(i)], fd, 1e-6) << i;
    }
  }
}

TEST(Bijectors, LogJacobianMatchesDeterminant) {
  for (const auto& c : bcases()) {
    SCOPED_TRACE(c.b->name());
    const int m = c.b->unconstrained_size(c.n);
    // For simplex, drop the last (dependent) coordinate to get a square Jacobian.
    const int rows = m;
    std::vector<double> u(static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) u[static_cast<std::size_t>(i)] = 0.2 * i - 0.3;
    std::vector<double> x(static_cast<std::size_t>(c.n));
    const double lj = c.b->forward(u, x);
    Eigen::MatrixXd jac(rows, m);
    for (int j = 0; j < m; ++j) {
      auto up = u;
      auto um = u;
      up[static_cast<std::size_t>(j)] += 1e-6;
      um[static_cast<std::size_t>(j)] -= 1e-6;
      std::vector<double> xp(x.size());
      std::vector<double> xm(x.size());
      c.b->forward(up, xp);
      c.b->forward(um, xm);
      for (int i = 0; i < rows; ++i) {
        jac(i, j) = (xp[static_cast<std::size_t>(i)] - xm[static_cast<std::size_t>(i)]) / 2e-6;
      }
    }
    EXPECT_NEAR(lj, std::log(std::fabs(jac.determinant())), 1e-6);
  }
}

TEST(Bijectors, InverseRoundTripsAndRejectsOutside) {
  for (const auto& c : bcases()) {
    SCOPED_TRACE(c.b->name());
    const int m = c.b->unconstrained_size(c.n);
    std::vector<double> u(static_cast<std::size_t>(m));
    for (int i = 0; i < m; ++i) u[static_cast<std::size_t>(i)] = 0.5 * i - 0.7;
    std::vector<double> x(static_cast<std::size_t>(c.n));
    c.b->forward(u, x);
    std::vector<double> back(static_cast<std::size_t>(m));
    ASSERT_TRUE(c.b->inverse(x, back));
    for (int i = 0; i < m; ++i) {
      EXPECT_NEAR(back[static_cast<std::size_t>(i)], u[static_cast<std::size_t>(i)], 1e-10);
    }
  }
  std::vector<double> u(1);
  EXPECT_FALSE(lower_bound_bijector(0)->inverse(std::vector<double>{-1.0}, u));
  EXPECT_FALSE(interval_bijector(0, 1)->inverse(std::vector<double>{1.0}, u));
  EXPECT_FALSE(upper_bound_bijector(0)->inverse(std::vector<double>{1.0}, u));
  std::vector<double> u2(2);
  EXPECT_FALSE(ordered_bijector()->inverse(std::vector<double>{1.0, 0.5}, u2));
  EXPECT_FALSE(simplex_bijector()->inverse(std::vector<double>{0.5, 0.6, 0.1}, u2));
}

TEST(Bijectors, SimplexAtZeroIsUniform) {
  std::vector<double> u(3, 0.0);
  std::vector<double> x(4);
  simplex_bijector()->forward(u, x);
  for (double xi : x) EXPECT_NEAR(xi, 0.25, 1e-15);
}

TEST(Bijectors, DefaultForSupport) {
  EXPECT_EQ(default_bijector(Normal(0, 1).support())->name(), "identity");
  EXPECT_EQ(default_bijector(Gamma(2, 1).support())->name(), "lower_bound(0)");
  EXPECT_EQ(default_bijector(Uniform(-1, 2).support())->name(), "interval(-1, 2)");
  EXPECT_THROW((void)default_bijector(Poisson(2).support()), InvalidArgument);
  EXPECT_THROW((void)interval_bijector(1, 1), InvalidArgument);
}

TEST(SiteModel, GradientMatchesFiniteDifferencesAndNames) {
  RealVector loc = RealVector::Zero(2);
  RealMatrix cov(2, 2);
  cov << 1.0, 0.3, 0.3, 2.0;
  std::vector<Site> sites = {
      Site::scalar("mu", make_distribution("normal", {{"loc", 1}, {"scale", 2}})),
      Site::scalar("sigma", make_distribution("half_cauchy", {{"scale", 2}})),
      Site::vector("w", 3, make_distribution("uniform", {{"low", -1}, {"high", 2}})),
      Site::vector("p", 3, nullptr, simplex_bijector()),
      Site::vector("z", 2, std::make_shared<MultivariateNormal>(loc, cov)),
  };
  // Likelihood: sum_i N(y_i | mu + w . p, sigma), y = {0.5, 1.5}.
  LogLikelihood ll = [](std::span<const double> x, std::span<double> g, Workspace*) {
    const double mu = x[0];
    const double sigma = x[1];
    double lp = 0;
    for (double y : {0.5, 1.5}) {
      double m = mu;
      for (int i = 0; i < 3; ++i) m += x[2 + i] * x[5 + i];
      const double r = (y - m) / sigma;
      lp += -std::log(sigma) - 0.5 * r * r;
      const double dm = r / sigma;
      g[0] += dm;
      g[1] += -1.0 / sigma + r * r / sigma;
      for (int i = 0; i < 3; ++i) {
        g[2 + i] += dm * x[5 + i];
        g[5 + i] += dm * x[2 + i];
      }
    }
    return lp;
  };
  SiteModel model(sites, ll);
  EXPECT_EQ(model.dim(), 1 + 1 + 3 + 2 + 2);
  EXPECT_EQ(model.output_dim(), 10);
  const auto names = model.output_names();
  EXPECT_EQ(names[0], "mu");
  EXPECT_EQ(names[2], "w[1]");
  EXPECT_EQ(names[9], "z[2]");
  std::vector<double> th(static_cast<std::size_t>(model.dim()));
  for (std::size_t i = 0; i < th.size(); ++i) th[i] = 0.1 * static_cast<double>(i) - 0.35;
  auto ws = model.make_workspace();
  std::vector<double> g(th.size());
  const double lp = model.log_density_gradient(th, g, ws.get());
  EXPECT_TRUE(std::isfinite(lp));
  std::vector<double> gd(th.size());
  for (std::size_t i = 0; i < th.size(); ++i) {
    auto tp = th;
    auto tm = th;
    tp[i] += 1e-6;
    tm[i] -= 1e-6;
    const double fd = (model.log_density_gradient(tp, gd, ws.get()) -
                       model.log_density_gradient(tm, gd, nullptr)) /
                      2e-6;
    EXPECT_NEAR(g[i], fd, 1e-5) << i;
  }
  // constrain / unconstrain round trip
  std::vector<double> x(10);
  model.constrain(th, x);
  std::vector<double> back(th.size());
  ASSERT_TRUE(model.unconstrain(x, back));
  for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(back[i], th[i], 1e-9);
  EXPECT_EQ(model.slice("w").offset, 2);
  EXPECT_EQ(model.slice("p").unconstrained_size, 2);
  EXPECT_THROW((void)model.slice("nope"), InvalidArgument);
}

TEST(SiteModel, DerivedOutputsFollowTheSites) {
  DerivedOutputs twice{
      {"two_a"}, [](std::span<const double> s, std::span<double> out) { out[0] = 2.0 * s[0]; }};
  SiteModel m({Site::scalar("a", make_distribution("gamma", {{"shape", 2}, {"rate", 1}}))}, nullptr,
              nullptr, twice);
  EXPECT_EQ(m.dim(), 1);
  EXPECT_EQ(m.site_dim(), 1);
  EXPECT_EQ(m.output_dim(), 2);
  EXPECT_EQ(m.output_names(), (std::vector<std::string>{"a", "two_a"}));
  std::vector<double> out(2);
  m.constrain(std::vector<double>{0.0}, out);
  EXPECT_DOUBLE_EQ(out[0], 1.0);
  EXPECT_DOUBLE_EQ(out[1], 2.0);
  std::vector<double> theta(1);
  EXPECT_TRUE(m.unconstrain(out, theta));
  EXPECT_NEAR(theta[0], 0.0, 1e-15);
  EXPECT_THROW(SiteModel({Site::scalar("a", nullptr)}, nullptr, nullptr, DerivedOutputs{{"x"}, {}}),
               InvalidArgument);
}

TEST(LogDensity, DefaultNamesAndMaps) {
  class Flat final : public LogDensity {
   public:
    [[nodiscard]] int dim() const override { return 3; }
    double log_density_gradient(std::span<const double>, std::span<double> g,
                                Workspace*) const override {
      for (auto& v : g) v = 0;
      return 0;
    }
  } flat;
  EXPECT_EQ(flat.output_names(), (std::vector<std::string>{"theta[1]", "theta[2]", "theta[3]"}));
  EXPECT_EQ(flat.make_workspace(), nullptr);
  std::vector<double> in = {1, 2, 3};
  std::vector<double> out(3);
  flat.constrain(in, out);
  EXPECT_EQ(out, in);
  EXPECT_TRUE(flat.unconstrain(in, out));
  EXPECT_FALSE(flat.unconstrain(std::vector<double>{1, NAN, 3}, out));
}

TEST(SiteModel, RejectsBadSites) {
  auto n = make_distribution("normal", {{"loc", 0}, {"scale", 1}});
  EXPECT_THROW(SiteModel({Site::scalar("a", n), Site::scalar("a", n)}), InvalidArgument);
  EXPECT_THROW(SiteModel({Site::scalar("", n)}), InvalidArgument);
  EXPECT_THROW(SiteModel({Site::vector("a", 0, n)}), InvalidArgument);
  EXPECT_THROW(SiteModel({Site::scalar("k", make_distribution("poisson", {{"rate", 1}}))}),
               InvalidArgument);
}

}  // namespace
}  // namespace airy::infer
