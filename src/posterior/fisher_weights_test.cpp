// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Fisher weights of a likelihood with a variance map and a mask, and the read-noise
/// Fisher terms against the covariance of the simulated score (mu, sigma).
#include <gtest/gtest.h>

#include <cmath>
#include <span>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/posterior/fisher.hpp"

namespace airy::posterior {
namespace {

TEST(FisherWeights, UseTheVarianceMapAndZeroTheMaskedPixels) {
  const RealImage data = RealImage::Constant(2, 3, 5.0);
  RealImage mu(2, 3);
  mu << 1.0, 4.0, 9.0, 16.0, 0.5, 2.0;
  PixelMaps maps;
  maps.variance.resize(2, 3);
  maps.variance << 1.0, 2.0, 3.0, 4.0, 5.0, 6.0;
  maps.mask = PixelMask::Zero(2, 3);
  maps.mask(1, 1) = 1;
  for (const LikelihoodKind kind : {LikelihoodKind::kGaussian, LikelihoodKind::kPoissonGaussian}) {
    const ImageLikelihood like(kind, data, 1.0, maps);
    const RealImage w = fisher_weights(like, mu);
    for (Eigen::Index i = 0; i < mu.size(); ++i) {
      const double s = std::sqrt(maps.variance.data()[i]);
      const double expected =
          i == 4 ? 0.0 : fisher_weights(kind, RealImage::Constant(1, 1, mu.data()[i]), s)(0, 0);
      EXPECT_DOUBLE_EQ(w.data()[i], expected) << likelihood_name(kind) << " pixel " << i;
    }
  }
  // Without maps it is the scalar-sigma weight.
  const ImageLikelihood plain(LikelihoodKind::kPoissonGaussian, data, 2.0);
  EXPECT_TRUE(
      (fisher_weights(plain, mu) == fisher_weights(LikelihoodKind::kPoissonGaussian, mu, 2.0))
          .all());
  EXPECT_THROW((void)fisher_weights(plain, RealImage::Constant(3, 2, 1.0)), InvalidArgument);
}

// Fisher's definition: F = E[s s^T] with the score s = (d log L/d mu, d log L/d sigma) of one
// pixel, estimated over 200000 simulated data. The read-noise terms are
// F_ss = 2 sigma^2/v^2 and F_mu,s = sigma/v^2 (poisson_gaussian) or 0 (gaussian).
TEST(ReadNoiseFisher, EqualsTheCovarianceOfTheScore) {
  struct Case {
    LikelihoodKind kind;
    double mu, sigma;
  };
  Rng rng(17, 0);
  const int n = 200000;
  for (const Case c : {Case{LikelihoodKind::kPoissonGaussian, 3.0, 1.5},
                       Case{LikelihoodKind::kPoissonGaussian, 40.0, 4.0},
                       Case{LikelihoodKind::kGaussian, 10.0, 2.0}}) {
    const RealImage model = RealImage::Constant(1, 1, c.mu);
    const ImageLikelihood at(c.kind, RealImage::Constant(1, 1, 0.0), c.sigma);
    const ReadNoiseFisher f = read_noise_fisher(at, model, c.sigma);
    const double v = (c.kind == LikelihoodKind::kGaussian ? 0.0 : c.mu) + c.sigma * c.sigma;
    EXPECT_DOUBLE_EQ(f.sigma_sigma, 2.0 * c.sigma * c.sigma / (v * v));
    double s_ss = 0, s_ms = 0, s_s = 0, s_m = 0;
    RealImage bar;
    const double sig[1] = {c.sigma};
    for (int k = 0; k < n; ++k) {
      const ImageLikelihood like(c.kind, RealImage::Constant(1, 1, rng.normal(c.mu, std::sqrt(v))),
                                 c.sigma);
      double sbar = 0;
      (void)like.log_likelihood(model, bar, sig, std::span<double>(&sbar, 1));
      s_ss += sbar * sbar;
      s_ms += sbar * bar(0, 0);
      s_s += sbar;
      s_m += bar(0, 0);
    }
    const double cov_ss = s_ss / n - (s_s / n) * (s_s / n);
    const double cov_ms = s_ms / n - (s_s / n) * (s_m / n);
    const double w = fisher_weights(c.kind, model, c.sigma)(0, 0);
    EXPECT_NEAR(cov_ss / f.sigma_sigma, 1.0, 0.03) << likelihood_name(c.kind) << " mu " << c.mu;
    // The cross term relative to its natural scale sqrt(F_mumu F_ss) (0 for gaussian).
    EXPECT_NEAR((cov_ms - f.cross(0, 0)) / std::sqrt(w * f.sigma_sigma), 0.0, 0.02)
        << likelihood_name(c.kind) << " mu " << c.mu;
  }
}

TEST(ReadNoiseFisher, MaskedPixelsAddNothingAndBadInputIsNamed) {
  const RealImage data = RealImage::Constant(1, 2, 5.0);
  const RealImage mu = RealImage::Constant(1, 2, 5.0);
  PixelMaps maps;
  maps.mask = PixelMask::Zero(1, 2);
  maps.mask(0, 1) = 1;
  const ReadNoiseFisher both =
      read_noise_fisher(ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 2.0), mu, 2.0);
  const ReadNoiseFisher one = read_noise_fisher(
      ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 2.0, maps), mu, 2.0);
  EXPECT_DOUBLE_EQ(one.sigma_sigma, both.sigma_sigma / 2);
  EXPECT_EQ(one.cross(0, 1), 0.0);
  EXPECT_THROW((void)read_noise_fisher(ImageLikelihood(LikelihoodKind::kPoisson, data, 0.0), mu, 1),
               InvalidArgument);
  maps = PixelMaps{};
  maps.variance = RealImage::Constant(1, 2, 4.0);
  EXPECT_THROW(
      (void)read_noise_fisher(ImageLikelihood(LikelihoodKind::kGaussian, data, 2, maps), mu, 2),
      InvalidArgument);
}

}  // namespace
}  // namespace airy::posterior
