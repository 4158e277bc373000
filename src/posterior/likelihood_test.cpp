// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/likelihood.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

RealImage random_image(int ny, int nx, double lo, double hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  RealImage img(ny, nx);
  for (Eigen::Index i = 0; i < img.size(); ++i) img.data()[i] = u(gen);
  return img;
}

// Central finite differences of log L in every pixel against the analytic cotangent, at the
// constructor's noise parameters or, when `noise` is given, at those.
void expect_gradient_matches_fd(const ImageLikelihood& like, const RealImage& model,
                                std::span<const double> noise = {}) {
  RealImage bar, scratch;
  const auto eval = [&](const RealImage& m, RealImage& b) {
    return noise.empty() ? like.log_likelihood(m, b) : like.log_likelihood(m, b, noise, {});
  };
  const double f0 = eval(model, bar);
  ASSERT_TRUE(std::isfinite(f0));
  for (Eigen::Index i = 0; i < model.size(); ++i) {
    const double h = 1e-5 * std::max(1.0, std::abs(model.data()[i]));
    RealImage plus = model, minus = model;
    plus.data()[i] += h;
    minus.data()[i] -= h;
    const double fd = (eval(plus, scratch) - eval(minus, scratch)) / (2 * h);
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

constexpr LikelihoodKind kAllKinds[] = {LikelihoodKind::kPoisson, LikelihoodKind::kGaussian,
                                        LikelihoodKind::kPoissonGaussian,
                                        LikelihoodKind::kPoissonGaussianExact};

// Data of the right kind for `kind` (counts for Poisson, noisy reals otherwise).
RealImage data_for(LikelihoodKind kind, int ny, int nx) {
  return kind == LikelihoodKind::kPoisson ? RealImage(random_image(ny, nx, 0.0, 50.0, 2).floor())
                                          : random_image(ny, nx, -5.0, 50.0, 3);
}

PixelMask checker_mask(int ny, int nx) {
  PixelMask m = PixelMask::Zero(ny, nx);
  m(0, 1) = 1;
  m(2, 3) = 7;  // any nonzero value masks
  m(3, 0) = 1;
  return m;
}

// Central differences of log L in sigma against the noise cotangent.
void expect_sigma_gradient_matches_fd(const ImageLikelihood& like, const RealImage& model,
                                      double sigma) {
  RealImage bar;
  double sbar = 0.0;
  const double s[1] = {sigma};
  const double f0 = like.log_likelihood(model, bar, s, std::span<double>(&sbar, 1));
  ASSERT_TRUE(std::isfinite(f0));
  const double h = 1e-5 * sigma;
  const double sp[1] = {sigma + h}, sm[1] = {sigma - h};
  const double fd =
      (like.log_likelihood(model, bar, sp, {}) - like.log_likelihood(model, bar, sm, {})) / (2 * h);
  EXPECT_NEAR(sbar, fd, 1e-6 * std::max(1.0, std::abs(fd))) << likelihood_name(like.kind());
  // The model gradient at this sigma too (not only at the constructor's).
  expect_gradient_matches_fd(like, model, s);
}

TEST(ImageLikelihood, GradientsMatchFiniteDifferencesWithMapsAndMasks) {
  const RealImage model = random_image(4, 5, 0.5, 60.0, 1);
  const RealImage variance = random_image(4, 5, 0.5, 20.0, 4);
  for (const LikelihoodKind kind : kAllKinds) {
    SCOPED_TRACE(likelihood_name(kind));
    const RealImage data = data_for(kind, 4, 5);
    for (const bool with_mask : {false, true}) {
      for (const bool with_variance : {false, true}) {
        if (with_variance && kind == LikelihoodKind::kPoisson) continue;
        PixelMaps maps;
        if (with_mask) maps.mask = checker_mask(4, 5);
        if (with_variance) maps.variance = variance;
        const ImageLikelihood like(kind, data, 3.0, maps);
        expect_gradient_matches_fd(like, model);
        if (!like.noise_parameter_names().empty()) {
          expect_sigma_gradient_matches_fd(like, model, 2.3);
        }
        RealImage bar;
        like.log_likelihood(model, bar);
        if (with_mask) {
          EXPECT_EQ(bar(2, 3), 0.0);
        }
      }
    }
  }
}

// The noise-parameter form at the constructor's sigma is the fixed-sigma form, bit for bit,
// and the parameters exist exactly where sigma enters.
TEST(ImageLikelihood, SigmaParameterFormEqualsFixedForm) {
  const RealImage model = random_image(4, 5, 0.5, 60.0, 1);
  for (const LikelihoodKind kind : kAllKinds) {
    const ImageLikelihood like(kind, data_for(kind, 4, 5), 3.0);
    RealImage bar1, bar2;
    const std::vector<double> noise = like.noise_parameters();
    std::vector<double> noise_bar(noise.size());
    EXPECT_EQ(like.log_likelihood(model, bar1), like.log_likelihood(model, bar2, noise, noise_bar));
    EXPECT_TRUE((bar1 == bar2).all());
    EXPECT_EQ(noise.size(), kind == LikelihoodKind::kPoisson ? 0u : 1u);
  }
  PixelMaps maps;
  maps.variance = RealImage::Constant(4, 5, 2.0);
  const ImageLikelihood mapped(LikelihoodKind::kGaussian, data_for(LikelihoodKind::kGaussian, 4, 5),
                               3.0, maps);
  EXPECT_TRUE(mapped.noise_parameter_names().empty());
  RealImage bar;
  const double s[1] = {3.0};
  EXPECT_THROW(mapped.log_likelihood(model, bar, s, {}), InvalidArgument);
  const ImageLikelihood plain(LikelihoodKind::kGaussian, data_for(LikelihoodKind::kGaussian, 4, 5),
                              3.0);
  EXPECT_THROW(plain.log_likelihood(model, bar, {}, {}), InvalidArgument);
  const double bad[1] = {-1.0};
  EXPECT_EQ(plain.log_likelihood(model, bar, bad, {}), -std::numeric_limits<double>::infinity());
}

// A variance map of sigma^2 everywhere is the scalar-sigma likelihood; a general map is the
// sum of independent normal densities with those variances.
TEST(ImageLikelihood, VarianceMapMatchesClosedForm) {
  const RealImage model = random_image(3, 4, 0.5, 60.0, 5);
  const RealImage data = random_image(3, 4, -5.0, 50.0, 6);
  for (const LikelihoodKind kind : {LikelihoodKind::kGaussian, LikelihoodKind::kPoissonGaussian,
                                    LikelihoodKind::kPoissonGaussianExact}) {
    PixelMaps maps;
    maps.variance = RealImage::Constant(3, 4, 6.25);
    RealImage bar1, bar2;
    const double a = ImageLikelihood(kind, data, 2.5).log_likelihood(model, bar1);
    const double b = ImageLikelihood(kind, data, 99.0, maps).log_likelihood(model, bar2);
    EXPECT_NEAR(a, b, 1e-10 * std::abs(a)) << likelihood_name(kind);
    EXPECT_TRUE(bar1.isApprox(bar2, 1e-12));
  }
  PixelMaps maps;
  maps.variance = random_image(3, 4, 0.5, 20.0, 7);
  RealImage bar;
  double expected = 0.0;
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    const double v = maps.variance.data()[i] + model.data()[i],
                 r = data.data()[i] - model.data()[i];
    expected += -0.5 * r * r / v - 0.5 * std::log(2.0 * M_PI * v);
  }
  EXPECT_NEAR(
      ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 1.0, maps).log_likelihood(model, bar),
      expected, 1e-10 * std::abs(expected));
}

// Masked pixels do not enter: changing their data (even to NaN or an impossible value) or
// their model leaves log L and every other pixel's gradient unchanged, bit for bit; and the
// value equals the likelihood of the unmasked pixels alone.
TEST(ImageLikelihood, MaskedPixelsDoNotChangeTheLogDensity) {
  const RealImage model = random_image(4, 5, 0.5, 60.0, 1);
  for (const LikelihoodKind kind : kAllKinds) {
    SCOPED_TRACE(likelihood_name(kind));
    RealImage data = data_for(kind, 4, 5);
    PixelMaps maps;
    maps.mask = checker_mask(4, 5);
    RealImage bar1, bar2;
    const double before = ImageLikelihood(kind, data, 3.0, maps).log_likelihood(model, bar1);
    data(2, 3) = 1e6;
    data(0, 1) = std::numeric_limits<double>::quiet_NaN();
    data(3, 0) = -7.5;  // impossible under Poisson, but masked
    RealImage model2 = model;
    model2(2, 3) = -4.0;
    model2(3, 0) = std::numeric_limits<double>::infinity();
    const ImageLikelihood changed(kind, data, 3.0, maps);
    EXPECT_EQ(before, changed.log_likelihood(model2, bar2));
    EXPECT_TRUE((bar1 == bar2).all());
    EXPECT_EQ(changed.num_masked(), 3);
    EXPECT_EQ(changed.num_nan(), 1);
    // One pixel alone: the 1x1 likelihood of an unmasked pixel, summed, is the total.
    double sum = 0.0;
    for (Eigen::Index y = 0; y < 4; ++y) {
      for (Eigen::Index x = 0; x < 5; ++x) {
        if (maps.mask(y, x) != 0) continue;
        RealImage b;
        sum += ImageLikelihood(kind, RealImage::Constant(1, 1, data(y, x)), 3.0)
                   .log_likelihood(RealImage::Constant(1, 1, model(y, x)), b);
      }
    }
    EXPECT_NEAR(before, sum, 1e-10 * std::abs(sum));
  }
}

TEST(ImageLikelihood, NanDataPixelsAreMaskedAndCounted) {
  RealImage data = random_image(3, 3, 1.0, 20.0, 8).floor();
  RealImage with_nan = data;
  with_nan(1, 2) = std::numeric_limits<double>::quiet_NaN();
  with_nan(2, 0) = std::numeric_limits<double>::quiet_NaN();
  const ImageLikelihood like(LikelihoodKind::kPoisson, with_nan, 0.0);
  EXPECT_EQ(like.num_nan(), 2);
  EXPECT_EQ(like.num_masked(), 2);
  EXPECT_EQ(like.mask()(1, 2), 1);
  EXPECT_EQ(like.mask()(0, 0), 0);
  PixelMaps maps;
  maps.mask = PixelMask::Zero(3, 3);
  maps.mask(1, 2) = 1;
  maps.mask(2, 0) = 1;
  const RealImage model = random_image(3, 3, 1.0, 20.0, 9);
  RealImage bar1, bar2;
  EXPECT_EQ(like.log_likelihood(model, bar1),
            ImageLikelihood(LikelihoodKind::kPoisson, data, 0.0, maps).log_likelihood(model, bar2));
}

TEST(ImageLikelihood, BadMapsNameTheProblem) {
  const RealImage data = RealImage::Constant(2, 3, 4.0);
  PixelMaps maps;
  maps.variance = RealImage::Constant(2, 3, 1.0);
  maps.variance(1, 2) = 0.0;
  EXPECT_THAT([&] { ImageLikelihood(LikelihoodKind::kGaussian, data, 1.0, maps); },
              ThrowsMessage<InvalidArgument>(HasSubstr("variance pixel (x=2, y=1) = 0")));
  maps.variance(1, 2) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THAT([&] { ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 1.0, maps); },
              ThrowsMessage<InvalidArgument>(HasSubstr("variance pixel (x=2, y=1) = nan")));
  maps.variance(1, 2) = -3.0;
  EXPECT_THAT([&] { ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 1.0, maps); },
              ThrowsMessage<InvalidArgument>(HasSubstr("= -3: must be finite and > 0")));
  // ... but a bad variance under a masked pixel is fine.
  maps.mask = PixelMask::Zero(2, 3);
  maps.mask(1, 2) = 1;
  EXPECT_NO_THROW(ImageLikelihood(LikelihoodKind::kGaussian, data, 1.0, maps));
  maps.mask = PixelMask::Zero(3, 2);
  EXPECT_THAT([&] { ImageLikelihood(LikelihoodKind::kGaussian, data, 1.0, maps); },
              ThrowsMessage<InvalidArgument>(
                  HasSubstr("the mask map is 3x2 (ny x nx) but the data image is 2x3")));
  maps.mask = PixelMask();
  maps.variance = RealImage::Constant(2, 2, 1.0);
  EXPECT_THAT([&] { ImageLikelihood(LikelihoodKind::kGaussian, data, 1.0, maps); },
              ThrowsMessage<InvalidArgument>(HasSubstr("the variance map is 2x2")));
  maps.variance = RealImage::Constant(2, 3, 1.0);
  EXPECT_THAT([&] { ImageLikelihood(LikelihoodKind::kPoisson, data, 1.0, maps); },
              ThrowsMessage<InvalidArgument>(
                  HasSubstr("variance: a variance map needs a Gaussian likelihood")));
  maps = PixelMaps{};
  maps.mask = PixelMask::Ones(2, 3);
  EXPECT_THAT([&] { ImageLikelihood(LikelihoodKind::kGaussian, data, 1.0, maps); },
              ThrowsMessage<InvalidArgument>(HasSubstr("all 6 pixels are masked")));
  // sigma is not needed when a variance map sets every pixel's variance.
  maps = PixelMaps{};
  maps.variance = RealImage::Constant(2, 3, 1.0);
  EXPECT_NO_THROW(ImageLikelihood(LikelihoodKind::kGaussian, data, 0.0, maps));
}

}  // namespace
}  // namespace airy::posterior
