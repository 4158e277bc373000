// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Large-scale MAP on a separable 10^5-dimensional flat-field problem with an analytic
/// mode, and the priors' curvature diagonal against the dense prior Hessian.
#include "airy/posterior/large_map.hpp"

#include <gtest/gtest.h>

#include <Eigen/LU>

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/posterior/jacobian.hpp"
#include "posterior/flat_field_fixture.hpp"

namespace airy::posterior {
namespace {

using testing::FlatFieldProblem;
using testing::make_flat_field;

/// Runs maximize_scaled from f = 1 to a scaled-gradient tolerance and checks every pixel's
/// distance to the analytic mode, in posterior sds, against that tolerance (with a scale no
/// smaller than the posterior sd, |u - mode| / sd <~ max |s g|).
LargeMapResult expect_finds_the_mode(const FlatFieldProblem& p, const std::vector<double>& scale,
                                     double tolerance, int max_iterations) {
  const std::size_t n = p.m.size();
  const std::vector<double> u0(n, 1.0);
  LargeMapOptions o;
  o.gradient_tolerance = tolerance;
  const LargeMapResult r = maximize_scaled(*p.model, u0, scale, o);
  EXPECT_TRUE(r.converged) << r.reason << " after " << r.evaluations << " evaluations ("
                           << r.outside_support << " outside the support)";
  EXPECT_LE(r.iterations, max_iterations);
  EXPECT_LE(r.scaled_gradient_max, tolerance);
  double worst = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double curvature = p.d[i] / (p.mode[i] * p.mode[i]) + 1.0 / (p.tau[i] * p.tau[i]);
    worst = std::max(worst, std::abs(r.u[i] - p.mode[i]) * std::sqrt(curvature));
  }
  EXPECT_LT(worst, tolerance) << "worst |u - mode| in posterior sds";
  ::testing::Test::RecordProperty("worst_error_in_sd", std::to_string(worst));
  return r;
}

// 10^5 pixels, scaled by the Fisher + prior curvature at the start (m + 1/tau^2): the problem
// L-BFGS sees is nearly the identity, and it converges in a few iterations to 1e-5 sd.
// log p ~ 1.8e9 here, summed over 1e5 terms with a rounding noise ~ 3e-5, which is the
// gain n g^2 / 2 of a step at g ~ 2e-5: tolerances much below 1e-5 are not reachable.
TEST(MaximizeScaled, FindsTheAnalyticModeOfA100000PixelFlatField) {
  const int n = 100000;
  const FlatFieldProblem p = make_flat_field(n, 3);
  std::vector<double> curvature = prior_curvature_diagonal(*p.model, std::vector<double>(n, 1.0));
  for (int i = 0; i < n; ++i) {
    ASSERT_NEAR(curvature[i], 1.0 / (p.tau[i] * p.tau[i]), 1e-6 * curvature[i]);
    curvature[i] += p.m[i];  // Fisher information of f at f = 1: m^2 / mu = m
  }
  const LargeMapResult fisher = expect_finds_the_mode(p, scale_from_curvature(curvature), 1e-5, 20);
  EXPECT_EQ(fisher.lbfgs_memory, 10);
  EXPECT_EQ(fisher.lbfgs_bytes, 8u * (24u * n + 2u * n) + 4u * n);
  // Scaled by the priors alone (s = tau) the problem is worse conditioned (Hessian up to
  // 1 + m tau^2 ~ 50 in z) but still converges without any tuning, more slowly.
  const LargeMapResult prior = expect_finds_the_mode(p, p.tau, 1e-3, 200);
  RecordProperty("iterations_fisher_scale", fisher.iterations);
  RecordProperty("iterations_prior_scale", prior.iterations);
  RecordProperty("evaluations_fisher_scale", fisher.evaluations);
  RecordProperty("evaluations_prior_scale", prior.evaluations);
}

// The priors' curvature diagonal equals the diagonal of the dense central-difference prior
// Hessian for separable sites (logistic uniform, per-element normal) and coupled ones
// (a multivariate normal vector, handled one position per pass).
TEST(PriorCurvatureDiagonal, EqualsTheDensePriorHessianDiagonal) {
  RealMatrix cov(3, 3);
  cov << 2.0, 0.5, 0.1, 0.5, 1.0, 0.3, 0.1, 0.3, 0.7;
  const auto mvn = std::make_shared<const infer::MultivariateNormal>(RealVector::Zero(3), cov);
  const infer::SiteModel model({
      infer::Site::scalar("a", infer::make_distribution("uniform", {{"low", 0.0}, {"high", 2.0}})),
      infer::Site::vector("b", 4,
                          infer::make_independent("uniform", {{"low", {0.0, -1.0, 2.0, 0.0}},
                                                              {"high", {1.0, 1.0, 5.0, 0.5}}})),
      infer::Site::vector("c", 3, mvn),
      infer::Site::vector("d", 2,
                          infer::make_distribution("log_normal", {{"loc", 0.0}, {"scale", 0.5}})),
  });
  const std::vector<double> u = {0.3, -0.5, 1.2, 0.1, -2.0, 0.4, -0.7, 1.1, 0.2, -0.3};
  ASSERT_EQ(model.dim(), 10);
  const std::vector<double> c = prior_curvature_diagonal(model, u);
  const RealMatrix h = prior_hessian(model, u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_NEAR(c[static_cast<std::size_t>(i)], -h(i, i), 1e-6 * std::max(1.0, std::abs(h(i, i))))
        << "coordinate " << i;
  }
  // The multivariate normal's diagonal is that of its precision.
  const RealMatrix prec = cov.inverse();
  for (int k = 0; k < 3; ++k) EXPECT_NEAR(c[static_cast<std::size_t>(5 + k)], prec(k, k), 1e-6);
}

TEST(ScaleFromCurvature, InvertsAndFallsBack) {
  const std::vector<double> s =
      scale_from_curvature(std::vector<double>{4.0, 0.0, -1.0, std::nan("")}, 2.0);
  EXPECT_EQ(s, (std::vector<double>{0.5, 2.0, 2.0, 2.0}));
  EXPECT_THROW((void)scale_from_curvature(std::vector<double>{1.0}, 0.0), InvalidArgument);
}

TEST(MaximizeScaled, BadInputIsNamed) {
  const FlatFieldProblem p = make_flat_field(10, 4);
  const std::vector<double> u0(10, 1.0);
  std::vector<double> s(10, 0.1);
  s[3] = -1.0;
  try {
    (void)maximize_scaled(*p.model, u0, s);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("scale[3] = -1"), std::string::npos) << e.what();
  }
  s[3] = 0.1;
  EXPECT_THROW((void)maximize_scaled(*p.model, std::vector<double>(9, 1.0), s), InvalidArgument);
  EXPECT_THROW((void)maximize_scaled(*p.model, std::vector<double>(10, -1.0), s),
               InvalidArgument);  // log density -inf at the start
  LargeMapOptions o;
  o.max_evaluations = 0;
  EXPECT_THROW((void)maximize_scaled(*p.model, u0, s, o), InvalidArgument);
}

// The evaluation limit stops it and says so; the best point is still returned.
TEST(MaximizeScaled, ReportsAnEvaluationLimit) {
  const FlatFieldProblem p = make_flat_field(1000, 5);
  LargeMapOptions o;
  o.max_evaluations = 3;
  o.gradient_tolerance = 0.0;
  const LargeMapResult r = maximize_scaled(*p.model, std::vector<double>(1000, 1.0), p.tau, o);
  EXPECT_FALSE(r.converged);
  EXPECT_EQ(r.reason, "MAXEVAL_REACHED");
  EXPECT_LE(r.evaluations, 10);
  EXPECT_GT(r.objective, -std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace airy::posterior
