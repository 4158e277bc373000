// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/likelihood.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

RealImage random_image(int ny, int nx, double lo, double hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  RealImage img(ny, nx);
  for (Eigen::Index i = 0; i < img.size(); ++i) img.data()[i] = u(gen);
  return img;
}

// Central finite differences of log L in every pixel against the analytic cotangent.
void expect_gradient_matches_fd(const ImageLikelihood& like, const RealImage& model) {
  RealImage bar, scratch;
  const double f0 = like.log_likelihood(model, bar);
  ASSERT_TRUE(std::isfinite(f0));
  for (Eigen::Index i = 0; i < model.size(); ++i) {
    const double h = 1e-5 * std::max(1.0, std::abs(model.data()[i]));
    RealImage plus = model, minus = model;
    plus.data()[i] += h;
    minus.data()[i] -= h;
    const double fd =
        (like.log_likelihood(plus, scratch) - like.log_likelihood(minus, scratch)) / (2 * h);
    EXPECT_NEAR(bar.data()[i], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "pixel " << i;
  }
}

TEST(ImageLikelihood, PoissonMatchesClosedForm) {
  RealImage data(1, 3), model(1, 3);
  data << 0.0, 3.0, 10.0;
  model << 0.5, 2.0, 12.5;
  ImageLikelihood like(LikelihoodKind::kPoisson, data, 0.0);
  RealImage bar;
  double expected = 0.0;
  for (int i = 0; i < 3; ++i) {
    const double d = data(0, i), mu = model(0, i);
    expected += d * std::log(mu) - mu - std::lgamma(d + 1.0);
  }
  EXPECT_NEAR(like.log_likelihood(model, bar), expected, 1e-12);
  EXPECT_NEAR(bar(0, 1), 3.0 / 2.0 - 1.0, 1e-15);
}

TEST(ImageLikelihood, GaussianMatchesClosedForm) {
  RealImage data(1, 2), model(1, 2);
  data << 1.0, -2.0;
  model << 0.0, 0.0;
  ImageLikelihood like(LikelihoodKind::kGaussian, data, 2.0);
  RealImage bar;
  const double expected = -(1.0 + 4.0) / 8.0 - 2.0 * std::log(2.0 * std::sqrt(2.0 * M_PI));
  EXPECT_NEAR(like.log_likelihood(model, bar), expected, 1e-12);
}

TEST(ImageLikelihood, GradientsMatchFiniteDifferences) {
  const RealImage model = random_image(4, 5, 0.5, 60.0, 1);
  const RealImage counts = (random_image(4, 5, 0.0, 50.0, 2)).floor();
  const RealImage noisy = random_image(4, 5, -5.0, 50.0, 3);
  expect_gradient_matches_fd(ImageLikelihood(LikelihoodKind::kPoisson, counts, 0.0), model);
  expect_gradient_matches_fd(ImageLikelihood(LikelihoodKind::kGaussian, noisy, 3.0), model);
  expect_gradient_matches_fd(ImageLikelihood(LikelihoodKind::kPoissonGaussian, noisy, 3.0), model);
  expect_gradient_matches_fd(ImageLikelihood(LikelihoodKind::kPoissonGaussianExact, noisy, 3.0),
                             model);
}

// The exact Poisson-Gaussian density integrates to one over d (a mixture of unit-mass
// Gaussians with Poisson weights); checked by the trapezoid rule on a fine grid.
TEST(ImageLikelihood, ExactPoissonGaussianIsNormalised) {
  const double mu = 4.0, sigma = 1.5;
  RealImage model = RealImage::Constant(1, 1, mu), bar;
  double integral = 0.0;
  const double step = 0.01;
  for (double d = -15.0; d <= 40.0; d += step) {
    RealImage data = RealImage::Constant(1, 1, d);
    ImageLikelihood like(LikelihoodKind::kPoissonGaussianExact, data, sigma);
    integral += std::exp(like.log_likelihood(model, bar)) * step;
  }
  EXPECT_NEAR(integral, 1.0, 1e-6);
}

// At high counts the normal approximation converges to the exact convolution: the error
// (from the skewness of the Poisson, ~ r^3 / (6 v^2)) shrinks as mu grows at a fixed z-score.
double approximation_error(double mu) {
  RealImage model = RealImage::Constant(1, 1, mu), bar1, bar2;
  RealImage data = RealImage::Constant(1, 1, mu + 0.7 * std::sqrt(mu + 9.0));
  ImageLikelihood exact(LikelihoodKind::kPoissonGaussianExact, data, 3.0);
  ImageLikelihood approx(LikelihoodKind::kPoissonGaussian, data, 3.0);
  return std::abs(exact.log_likelihood(model, bar1) - approx.log_likelihood(model, bar2));
}

TEST(ImageLikelihood, NormalApproximationApproachesExactAtHighCounts) {
  const double e100 = approximation_error(100.0);
  const double e10000 = approximation_error(10000.0);
  EXPECT_LT(e100, 0.05);
  EXPECT_LT(e10000, e100 / 5.0);
  EXPECT_LT(e10000, 5e-3);
}

TEST(ImageLikelihood, OutsideSupportIsMinusInfinity) {
  RealImage data = RealImage::Constant(1, 2, 3.0), bar;
  ImageLikelihood like(LikelihoodKind::kPoisson, data, 0.0);
  RealImage model(1, 2);
  model << 1.0, -1.0;
  EXPECT_EQ(like.log_likelihood(model, bar), -std::numeric_limits<double>::infinity());
  model << 1.0, std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(like.log_likelihood(model, bar), -std::numeric_limits<double>::infinity());
}

TEST(ImageLikelihood, BadInputNamesTheProblem) {
  RealImage data = RealImage::Constant(2, 2, 1.0);
  data(1, 0) = -2.0;
  try {
    ImageLikelihood like(LikelihoodKind::kPoisson, data, 0.0);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x=0, y=1"), std::string::npos) << e.what();
  }
  data(1, 0) = std::numeric_limits<double>::infinity();
  EXPECT_THROW(ImageLikelihood(LikelihoodKind::kGaussian, data, 1.0), InvalidArgument);
  data(1, 0) = 1.0;
  EXPECT_THROW(ImageLikelihood(LikelihoodKind::kGaussian, data, 0.0), InvalidArgument);
  ImageLikelihood ok(LikelihoodKind::kGaussian, data, 1.0);
  RealImage wrong = RealImage::Constant(3, 2, 1.0), bar;
  EXPECT_THROW(ok.log_likelihood(wrong, bar), InvalidArgument);
  EXPECT_THROW(parse_likelihood("poison"), InvalidArgument);
  EXPECT_EQ(parse_likelihood("poisson_gaussian"), LikelihoodKind::kPoissonGaussian);
  EXPECT_EQ(likelihood_name(LikelihoodKind::kPoissonGaussianExact), "poisson_gaussian_exact");
}

}  // namespace
}  // namespace airy::posterior
