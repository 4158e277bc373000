// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Image Jacobian vs finite differences, bijector Jacobian, per-pixel Fisher weights vs
/// the variance of the score, and the flagship's Fisher matrix vs the covariance of the score
/// over 1000 simulated data sets.
#include "airy/posterior/fisher.hpp"

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/jacobian.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

using testing::flagship_sites;
using testing::small_flagship;

const std::vector<std::string> kPaths = {
    "source.x_position",           "source.y_position", "source.separation",
    "source.position_angle",       "source.log_flux",   "source.contrast",
    "optics.aperture.coefficients"};

// Every column of the exact Jacobian against a fourth-order central difference
// (-f(x+2h) + 8 f(x+h) - 8 f(x-h) + f(x-2h)) / 12h, relative to the column's norm.
TEST(ImageJacobian, MatchesFiniteDifferencesToOnePartInAMillion) {
  const model::Telescope t = small_flagship();
  const model::ParameterSet set = t.bind(kPaths);
  const RealVector x0 = t.values(set);
  RealImage mu;
  const RealMatrix jac = image_jacobian(t, set, std::span<const double>(x0.data(), x0.size()), &mu);
  ASSERT_EQ(jac.rows(), mu.size());
  ASSERT_EQ(jac.cols(), 13);
  auto ws = t.make_workspace(set);
  auto render_at = [&](int j, double dx) {
    RealVector x = x0;
    x[j] += dx;
    RealImage img;
    t.render(set, std::span<const double>(x.data(), x.size()), *ws, img);
    return Eigen::Map<const RealVector>(img.data(), img.size()).eval();
  };
  // Steps in each path's own unit: arcsec, arcsec, arcsec, deg, log10 photons, ratio, m.
  const double steps[] = {1e-4, 1e-4, 1e-4, 1e-3, 1e-4, 1e-4};
  for (int j = 0; j < 13; ++j) {
    const double h = j < 6 ? steps[j] : 1e-11;
    const RealVector fd =
        (-render_at(j, 2 * h) + 8 * render_at(j, h) - 8 * render_at(j, -h) + render_at(j, -2 * h)) /
        (12 * h);
    const double rel = (jac.col(j) - fd).norm() / jac.col(j).norm();
    EXPECT_LT(rel, 1e-6) << "column " << j << " |J| " << jac.col(j).norm() << " |FD| " << fd.norm();
    EXPECT_GT(jac.col(j).norm(), 0.0) << "column " << j << " (a parameter the image ignores)";
  }
  // A wrong-size x is rejected naming both sizes.
  std::vector<double> bad(3);
  EXPECT_THROW((void)image_jacobian(t, set, bad), InvalidArgument);
}

TEST(BijectorJacobian, MatchesFiniteDifferencesOfConstrain) {
  const model::Telescope t = small_flagship();
  ImagePosterior post(t, flagship_sites(), ImageLikelihood(LikelihoodKind::kPoisson, t.model(), 1));
  const auto& m = post.log_density();
  std::vector<double> u(13);
  for (int i = 0; i < 13; ++i) u[i] = 0.3 * i - 1.7;
  const RealMatrix b = bijector_jacobian(m, u);
  std::vector<double> xp(13), xm(13);
  for (int j = 0; j < 13; ++j) {
    auto up = u, um = u;
    up[j] += 1e-6;
    um[j] -= 1e-6;
    m.constrain(up, xp);
    m.constrain(um, xm);
    for (int i = 0; i < 13; ++i) {
      EXPECT_NEAR(b(i, j), (xp[i] - xm[i]) / 2e-6, 1e-6 * (1 + std::fabs(b(i, j))));
    }
  }
  // The prior Hessian of a uniform site under the logistic bijector is -2 s(u)(1 - s(u));
  // of a normal(0, 20) site under the identity, -1/400.
  const RealMatrix h = prior_hessian(m, u);
  const double s = 1.0 / (1.0 + std::exp(-u[0]));
  EXPECT_NEAR(h(0, 0), -2 * s * (1 - s), 1e-7);
  EXPECT_NEAR(h(8, 8), -1.0 / 400.0, 1e-7);
  EXPECT_NEAR(h(0, 1), 0.0, 1e-8);
}

/// Variance of d log L / d mu for one pixel over many simulated data, against w(mu).
double score_variance(LikelihoodKind kind, double mu, double sigma, int n, Rng& rng) {
  double sum = 0, sum2 = 0;
  RealImage model = RealImage::Constant(1, 1, mu), bar;
  for (int i = 0; i < n; ++i) {
    double d = 0;
    switch (kind) {
      case LikelihoodKind::kPoisson:
        d = static_cast<double>(rng.poisson(mu));
        break;
      case LikelihoodKind::kGaussian:
        d = rng.normal(mu, sigma);
        break;
      default:
        d = rng.normal(mu, std::sqrt(mu + sigma * sigma));
        break;
    }
    ImageLikelihood like(kind, RealImage::Constant(1, 1, d), sigma);
    (void)like.log_likelihood(model, bar);
    sum += bar(0, 0);
    sum2 += bar(0, 0) * bar(0, 0);
  }
  const double mean = sum / n;
  return sum2 / n - mean * mean;
}

// The per-pixel weights are the variance of the score (Fisher's definition), including the
// 1/(2 v^2) term of N(mu, mu + s^2), which is 17% of the weight at mu = 2, s = 1.
TEST(FisherWeights, EqualTheVarianceOfThePixelScore) {
  Rng rng(11, 0);
  const int n = 200000;
  struct Case {
    LikelihoodKind kind;
    double mu, sigma;
  };
  for (const Case c :
       {Case{LikelihoodKind::kPoisson, 7.0, 1.0}, Case{LikelihoodKind::kGaussian, 5.0, 2.0},
        Case{LikelihoodKind::kPoissonGaussian, 2.0, 1.0},
        Case{LikelihoodKind::kPoissonGaussian, 50.0, 3.0}}) {
    const double w = fisher_weights(c.kind, RealImage::Constant(1, 1, c.mu), c.sigma)(0, 0);
    const double var = score_variance(c.kind, c.mu, c.sigma, n, rng);
    // Relative standard error of a variance estimate ~ sqrt((kurtosis - 1) / n) < 1%.
    EXPECT_NEAR(var / w, 1.0, 0.02) << likelihood_name(c.kind) << " mu " << c.mu;
  }
  const double v = 2.0 + 1.0;
  EXPECT_DOUBLE_EQ(
      fisher_weights(LikelihoodKind::kPoissonGaussian, RealImage::Constant(1, 1, 2.0), 1.0)(0, 0),
      1 / v + 1 / (2 * v * v));
}

// F (13 x 13, site units) against the sample covariance C of the score over 1000 data sets
// drawn from the likelihood's own model at the truth: the whitened matrix F^-1/2 C F^-1/2
// must be the identity within its Monte Carlo error, entry (i, j) having standard error
// sqrt((1 + delta_ij) / N) for near-Gaussian scores. 91 entries: |z| < 5 each.
TEST(FisherInformation, EqualsTheCovarianceOfTheScoreOver1000DataSets) {
  const model::Telescope t = small_flagship();
  const double sigma = 3.0;
  ImagePosterior post(t, flagship_sites(),
                      ImageLikelihood(LikelihoodKind::kPoissonGaussian, t.model(), sigma));
  const std::vector<double> truth = post.current_values();
  const FisherResult f = fisher_information(post, truth);
  ASSERT_EQ(f.fisher.rows(), 13);
  // The score of data set k: J_v^T (d log L / d mu), J_v the Jacobian in site units.
  const model::ParameterSet& set = post.parameter_set();
  const RealVector p = t.values(set);
  RealImage mu;
  RealMatrix jac = image_jacobian(t, set, std::span<const double>(p.data(), p.size()), &mu);
  jac.rightCols(7) *= 1e-9;  // coefficients sampled in nm
  const int n = 1000;
  Rng rng(2026, 0);
  RealMatrix scores(n, 13);
  RealImage data(mu.rows(), mu.cols()), bar;
  for (int k = 0; k < n; ++k) {
    for (Eigen::Index i = 0; i < mu.size(); ++i) {
      data.data()[i] = rng.normal(mu.data()[i], std::sqrt(mu.data()[i] + sigma * sigma));
    }
    ImageLikelihood like(LikelihoodKind::kPoissonGaussian, data, sigma);
    (void)like.log_likelihood(mu, bar);
    scores.row(k) =
        (jac.transpose() * Eigen::Map<const RealVector>(bar.data(), bar.size())).transpose();
  }
  const RealMatrix centred = scores.rowwise() - scores.colwise().mean();
  const RealMatrix c = centred.transpose() * centred / (n - 1.0);
  Eigen::SelfAdjointEigenSolver<RealMatrix> eig(f.fisher);
  const RealMatrix w = eig.operatorInverseSqrt();
  const RealMatrix white = w * c * w;
  double max_z = 0;
  for (int i = 0; i < 13; ++i) {
    for (int j = 0; j <= i; ++j) {
      const double se = std::sqrt((1.0 + (i == j)) / n);
      const double z = (white(i, j) - (i == j)) / se;
      max_z = std::max(max_z, std::fabs(z));
      EXPECT_LT(std::fabs(z), 5.0) << "entry (" << i << ", " << j << ")";
    }
  }
  RecordProperty("max_abs_z", std::to_string(max_z));
  // The Cramér-Rao bounds and the correlation matrix are consistent with F.
  for (int i = 0; i < 13; ++i) {
    EXPECT_NEAR(f.crb[i] * f.crb[i], f.covariance(i, i), 1e-12 * f.covariance(i, i));
    EXPECT_NEAR(f.correlation(i, i), 1.0, 1e-12);
  }
  // The Laplace covariance is narrower than the likelihood's alone (the priors add
  // information) but close to it for well-measured parameters.
  for (int i = 0; i < 13; ++i) EXPECT_LE(f.laplace_sd[i], f.crb[i] * (1 + 1e-9));
  EXPECT_NEAR(f.laplace_sd[2] / f.crb[2], 1.0, 0.05);  // separation
}

TEST(FisherInformation, RejectsBadValues) {
  const model::Telescope t = small_flagship();
  ImagePosterior post(t, flagship_sites(), ImageLikelihood(LikelihoodKind::kPoisson, t.model(), 1));
  std::vector<double> v = post.current_values();
  v.pop_back();
  EXPECT_THROW((void)fisher_information(post, v), InvalidArgument);
  v = post.current_values();
  v[2] = 0.9;  // separation outside uniform(0.01, 0.5)
  try {
    (void)fisher_information(post, v);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("separation = 0.9"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace airy::posterior
