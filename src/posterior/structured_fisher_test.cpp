// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The Schur-complement flat-field Laplace covariance against the dense inverse of the
/// full precision on problems small enough to invert (16 x 16 flat field + 3-5 globals).
#include "airy/posterior/structured_fisher.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <Eigen/Cholesky>
#include <cmath>
#include <random>
#include <sstream>
#include <string>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr int kPix = 256;  // 16 x 16 flat field

/// A flat-field problem like a calibration fit's: mu_p = f_p * psf_p with f ~ 1, Fisher
/// weights of a Poisson + read-noise pixel, and globals whose Jacobian columns are smooth
/// images (a flux-like column proportional to mu and position-like gradients).
struct Problem {
  std::vector<FlatFieldExposure> exposures;
  RealVector pi;
  RealMatrix pi_g;
};

Problem make_problem(int n_exp, int n_g, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Problem pr;
  for (int e = 0; e < n_exp; ++e) {
    FlatFieldExposure x;
    x.weight.resize(kPix);
    x.flat_jacobian.resize(kPix);
    x.global_jacobian.resize(kPix, n_g);
    for (int p = 0; p < kPix; ++p) {
      const double yy = (p / 16 - 7.5 - e) / 3.0, xx = (p % 16 - 7.5 + e) / 3.0;
      const double psf = 2000.0 * std::exp(-0.5 * (xx * xx + yy * yy)) + 5.0;  // photons
      const double f = 1.0 + 0.05 * (u(gen) - 0.5);
      const double mu = f * psf;
      const double v = mu + 9.0;  // read noise 3 photons
      x.weight[p] = 1.0 / v + 1.0 / (2.0 * v * v);
      x.flat_jacobian[p] = psf;
      for (int j = 0; j < n_g; ++j) {
        const double basis = j == 0 ? 1.0 : j == 1 ? -xx : j == 2 ? -yy : std::cos(j * xx + yy);
        x.global_jacobian(p, j) = mu * basis * (1.0 + 0.1 * u(gen));
      }
    }
    pr.exposures.push_back(std::move(x));
  }
  pr.pi.resize(kPix);
  for (int p = 0; p < kPix; ++p) pr.pi[p] = 1.0 / std::pow(0.02 + 0.08 * u(gen), 2);
  RealMatrix a = RealMatrix::Random(n_g, n_g);
  pr.pi_g = 1e-3 * (a * a.transpose() + RealMatrix::Identity(n_g, n_g));
  return pr;
}

/// Checks the Schur-complement results against the dense inverse of P to `tol` relative.
void expect_matches_dense(const Problem& pr, double tol) {
  const FlatFieldLaplace r = flat_field_laplace(pr.exposures, pr.pi, pr.pi_g);
  const RealMatrix p = flat_field_dense_precision(pr.exposures, pr.pi, pr.pi_g);
  const Eigen::LLT<RealMatrix> llt(p);
  ASSERT_EQ(llt.info(), Eigen::Success);
  const RealMatrix c = llt.solve(RealMatrix::Identity(p.rows(), p.cols()));
  const Eigen::Index g = pr.pi_g.rows();
  for (Eigen::Index i = 0; i < g; ++i) {
    for (Eigen::Index j = 0; j < g; ++j) {
      const double ref = c(kPix + i, kPix + j);
      const double scale = std::sqrt(c(kPix + i, kPix + i) * c(kPix + j, kPix + j));
      EXPECT_NEAR(r.global_covariance(i, j), ref, tol * scale)
          << "global (" << i << ", " << j << ")";
    }
    EXPECT_NEAR(r.global_sd[i], std::sqrt(c(kPix + i, kPix + i)), tol * r.global_sd[i]);
  }
  double worst = 0.0;
  for (int q = 0; q < kPix; ++q) {
    const double rel = std::abs(r.flat_variance[q] / c(q, q) - 1.0);
    worst = std::max(worst, rel);
    EXPECT_LT(rel, tol) << "flat pixel " << q << ": " << r.flat_variance[q] << " vs " << c(q, q);
    EXPECT_NEAR(r.flat_sd[q], std::sqrt(c(q, q)), tol * r.flat_sd[q]);
  }
  // The globals' information really is shared with the flat field: the marginal sd exceeds the
  // conditional one (flat field fixed) for the flux-like global.
  EXPECT_GT(r.global_sd[0], 1.0 / std::sqrt(p(kPix, kPix)) * 1.01);
  ::testing::Test::RecordProperty("worst_relative_flat_variance_error", [&] {
    std::ostringstream os;
    os << worst;
    return os.str();
  }());
}

TEST(FlatFieldLaplace, OneExposureEqualsTheDenseInverse) {
  expect_matches_dense(make_problem(1, 3, 1), 1e-10);
}

TEST(FlatFieldLaplace, ThreeDitheredExposuresEqualTheDenseInverse) {
  expect_matches_dense(make_problem(3, 5, 2), 1e-10);
}

// Masked pixels have weight 0: a pixel masked in every exposure keeps its prior sd exactly,
// one masked in some exposures only is still matched by the dense inverse.
TEST(FlatFieldLaplace, MaskedPixelsKeepTheirPriorSd) {
  Problem pr = make_problem(2, 4, 3);
  for (const int p : {0, 17, 120, 255}) {
    for (auto& x : pr.exposures) x.weight[p] = 0.0;
  }
  pr.exposures[0].weight[136] = 0.0;  // a bright pixel masked in one exposure only
  pr.exposures[1].weight[100] = 0.0;
  expect_matches_dense(pr, 1e-10);
  const FlatFieldLaplace r = flat_field_laplace(pr.exposures, pr.pi, pr.pi_g);
  for (const int p : {0, 17, 120, 255}) {
    EXPECT_DOUBLE_EQ(r.flat_sd[p], 1.0 / std::sqrt(pr.pi[p])) << "pixel " << p;
  }
  EXPECT_LT(r.flat_sd[136], 1.0 / std::sqrt(pr.pi[136]));
}

// With no globals the flat field's precision is diagonal: sd = 1/sqrt(pi + sum w c^2).
TEST(FlatFieldLaplace, NoGlobalsIsDiagonal) {
  const Problem pr = make_problem(2, 0, 4);
  const FlatFieldLaplace r = flat_field_laplace(pr.exposures, pr.pi, pr.pi_g);
  for (int p = 0; p < kPix; ++p) {
    double a = pr.pi[p];
    for (const auto& x : pr.exposures) a += x.weight[p] * x.flat_jacobian[p] * x.flat_jacobian[p];
    EXPECT_DOUBLE_EQ(r.flat_variance[p], 1.0 / a);
  }
  EXPECT_EQ(r.global_covariance.size(), 0);
}

TEST(FlatFieldLaplace, BadInputIsNamed) {
  Problem pr = make_problem(1, 3, 5);
  EXPECT_THAT([&] { (void)flat_field_laplace({}, pr.pi, pr.pi_g); },
              ThrowsMessage<InvalidArgument>(HasSubstr("at least one exposure")));
  Problem bad = pr;
  bad.exposures[0].weight[7] = -1.0;
  EXPECT_THAT([&] { (void)flat_field_laplace(bad.exposures, bad.pi, bad.pi_g); },
              ThrowsMessage<InvalidArgument>(HasSubstr("exposure 0 pixel 7: weight = -1")));
  bad = pr;
  bad.exposures[0].global_jacobian.conservativeResize(kPix, 2);
  EXPECT_THAT([&] { (void)flat_field_laplace(bad.exposures, bad.pi, bad.pi_g); },
              ThrowsMessage<InvalidArgument>(HasSubstr("global_jacobian is 256x2")));
  bad = pr;
  bad.exposures[0].global_jacobian(200, 1) = std::nan("");
  EXPECT_THAT([&] { (void)flat_field_laplace(bad.exposures, bad.pi, bad.pi_g); },
              ThrowsMessage<InvalidArgument>(
                  HasSubstr("exposure 0 pixel 200: global_jacobian has a non-finite entry")));
  bad = pr;
  bad.pi[9] = std::nan("");
  EXPECT_THAT([&] { (void)flat_field_laplace(bad.exposures, bad.pi, bad.pi_g); },
              ThrowsMessage<InvalidArgument>(HasSubstr("flat_prior_precision[9] = nan")));
  bad = pr;
  bad.pi[11] = 0.0;
  bad.exposures[0].weight[11] = 0.0;
  EXPECT_THAT([&] { (void)flat_field_laplace(bad.exposures, bad.pi, bad.pi_g); },
              ThrowsMessage<InvalidArgument>(HasSubstr("flat-field pixel 11 has no information")));
  // A flux with a flat prior on f is degenerate with the flat field: S is singular.
  bad = pr;
  bad.pi.setZero();
  bad.pi_g.setZero();
  bad.pi_g(1, 1) = bad.pi_g(2, 2) = 1.0;
  EXPECT_THAT([&] { (void)flat_field_laplace(bad.exposures, bad.pi, bad.pi_g); },
              ThrowsMessage<InvalidArgument>(HasSubstr("dominated by global 0")));
}

}  // namespace
}  // namespace airy::posterior
