// SPDX-License-Identifier: BSD-3-Clause
// The read-noise sigma as a sampled site (issue #11 §2, "detector.read_noise"): its log density
// is the likelihood's at that sigma, its gradient matches finite differences (shared and per
// exposure, every Gaussian kind), its Fisher terms equal the expected negative Hessian, and the
// sites the model cannot honour are named errors.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "airy/core/error.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "posterior/flagship_test_fixture.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::posterior {
namespace {

using airy::testing::expect_invalid;
using testing::small_flagship;

RealImage noisy(const RealImage& model, unsigned seed, double sigma) {
  RealImage d = model;
  std::mt19937 gen(seed);
  std::normal_distribution<double> noise(0.0, sigma);
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    d.data()[i] += noise(gen) + 0.3 * std::sqrt(std::max(model.data()[i], 0.0));
  }
  return d;
}

model::Telescope dithered(double dx, double dy) {
  const model::Telescope base = small_flagship();
  return model::TelescopeBuilder()
      .optics(base.impl().system_ptr())
      .source(base.impl().source_ptr())
      .exposure({dx, dy, 1.0})
      .build();
}

ParameterSite read_noise_site(int exposure = -1) {
  return {kReadNoisePath,
          infer::make_distribution("log_normal", {{"loc", std::log(3.0)}, {"scale", 0.5}}),
          1.0,
          "",
          "",
          exposure};
}

std::vector<ParameterSite> few_sites() {
  return {{"source.x_position", infer::make_distribution("normal", {{"loc", 0.0}, {"scale", 0.1}}),
           1.0, "arcsec", ""},
          {"source.log_flux", infer::make_distribution("uniform", {{"low", 3.0}, {"high", 4.0}}),
           1.0, "", ""}};
}

/// sum_e log L_e at `values`, evaluated from the likelihoods alone: each exposure's image at
/// the values, its own ImageLikelihood rebuilt with the sigma the values give it.
double sum_log_likelihood(const ImagePosterior& post, const std::vector<double>& values) {
  double total = 0.0;
  for (int e = 0; e < post.num_exposures(); ++e) {
    const ImageLikelihood& like = post.likelihood(e);
    const int g = post.read_noise_index(e);
    const double sigma = g >= 0 ? values[static_cast<std::size_t>(g)] : like.sigma();
    const ImageLikelihood at(like.kind(), like.data(), sigma);
    RealImage bar;
    total += at.log_likelihood(post.telescope_at(values, e).model(), bar);
  }
  return total;
}

void expect_gradient_matches_finite_differences(const ImagePosterior& post,
                                                const std::vector<double>& values) {
  const auto& ld = post.log_density();
  auto ws = ld.make_workspace();
  std::vector<double> theta(static_cast<std::size_t>(ld.dim())), grad(theta.size()),
      scratch(theta.size());
  ASSERT_TRUE(ld.unconstrain(values, theta));
  (void)ld.log_density_gradient(theta, grad, ws.get());
  for (int i = 0; i < ld.dim(); ++i) {
    const double h = 1e-5;
    auto plus = theta, minus = theta;
    plus[static_cast<std::size_t>(i)] += h;
    minus[static_cast<std::size_t>(i)] -= h;
    const double fd = (ld.log_density_gradient(plus, scratch, ws.get()) -
                       ld.log_density_gradient(minus, scratch, ws.get())) /
                      (2 * h);
    EXPECT_NEAR(grad[static_cast<std::size_t>(i)], fd, 1e-5 * std::max(1.0, std::abs(fd)))
        << ld.output_names()[static_cast<std::size_t>(i)];
  }
}

TEST(ReadNoiseSite, LogDensityIsTheLikelihoodAtThatSigmaAndTheGradientMatchesFD) {
  const model::Telescope t = small_flagship();
  for (const LikelihoodKind kind : {LikelihoodKind::kGaussian, LikelihoodKind::kPoissonGaussian,
                                    LikelihoodKind::kPoissonGaussianExact}) {
    SCOPED_TRACE(likelihood_name(kind));
    const RealImage data = noisy(t.model(), 5, 3.0);
    auto sites = few_sites();
    sites.push_back(read_noise_site());
    const ImagePosterior post(t, sites, ImageLikelihood(kind, data, 3.0));
    EXPECT_EQ(post.log_density().output_names().back(), "read_noise");
    EXPECT_EQ(post.output_units().back(), "photons");
    EXPECT_EQ(post.read_noise_index(0), 2);
    std::vector<double> values = post.current_values();
    EXPECT_EQ(values[2], 3.0);  // the likelihood's configured sigma
    values[0] += 0.004;
    values[2] = 2.3;
    const auto& ld = post.log_density();
    std::vector<double> theta(static_cast<std::size_t>(ld.dim())), g(theta.size()),
        gp(theta.size());
    ASSERT_TRUE(ld.unconstrain(values, theta));
    auto ws = ld.make_workspace();
    const double lp = ld.log_density_gradient(theta, g, ws.get());
    const double prior = ld.log_prior_gradient(theta, gp);
    const double expected = sum_log_likelihood(post, values);
    EXPECT_NEAR(lp - prior, expected, 1e-11 * std::abs(expected));
    expect_gradient_matches_finite_differences(post, values);
  }
}

TEST(ReadNoiseSite, SharedAndPerExposureAcrossThreeExposures) {
  std::vector<Exposure> exposures;
  const double dither[3][2] = {{0.0, 0.0}, {0.03, -0.01}, {-0.02, 0.025}};
  for (int e = 0; e < 3; ++e) {
    const model::Telescope t = dithered(dither[e][0], dither[e][1]);
    exposures.push_back(
        {"", t,
         ImageLikelihood(LikelihoodKind::kPoissonGaussian,
                         noisy(t.model(), 21 + static_cast<unsigned>(e), 2.0 + e), 2.0 + e)});
  }
  {  // one sigma shared by the three exposures
    auto sites = few_sites();
    sites.push_back(read_noise_site());
    const ImagePosterior post(exposures, sites);
    for (int e = 0; e < 3; ++e) EXPECT_EQ(post.read_noise_index(e), 2);
    std::vector<double> values = post.current_values();
    EXPECT_EQ(values[2], 2.0);  // exposure 0's sigma
    values[2] = 3.1;
    const auto& ld = post.log_density();
    std::vector<double> theta(static_cast<std::size_t>(ld.dim())), g(theta.size()),
        gp(theta.size());
    ASSERT_TRUE(ld.unconstrain(values, theta));
    auto ws = ld.make_workspace();
    const double lp = ld.log_density_gradient(theta, g, ws.get());
    const double expected = sum_log_likelihood(post, values);
    EXPECT_NEAR(lp - ld.log_prior_gradient(theta, gp), expected, 1e-11 * std::abs(expected));
    expect_gradient_matches_finite_differences(post, values);
  }
  {  // one sigma per exposure: each is its own exposure's
    auto sites = few_sites();
    for (int e = 0; e < 3; ++e) sites.push_back(read_noise_site(e));
    const ImagePosterior post(exposures, sites);
    const auto names = post.log_density().output_names();
    EXPECT_EQ(names[2], "read_noise_e0");
    EXPECT_EQ(names[4], "read_noise_e2");
    std::vector<double> values = post.current_values();
    EXPECT_EQ(values[3], 3.0);
    EXPECT_EQ(values[4], 4.0);
    values[3] = 2.5;
    expect_gradient_matches_finite_differences(post, values);
    const auto& ld = post.log_density();
    std::vector<double> theta(static_cast<std::size_t>(ld.dim())), g(theta.size()),
        gp(theta.size());
    ASSERT_TRUE(ld.unconstrain(values, theta));
    auto ws = ld.make_workspace();
    const double lp = ld.log_density_gradient(theta, g, ws.get());
    const double expected = sum_log_likelihood(post, values);
    EXPECT_NEAR(lp - ld.log_prior_gradient(theta, gp), expected, 1e-11 * std::abs(expected));
  }
}

// F = E[-d^2 log L]: for N(m, v) the Hessian is a quadratic in r = d - m, so its average over
// the two data sets d = m +- sqrt(v) (every pixel at once) is the expectation exactly. The
// Hessian by central differences of the log likelihood alone (no gradient code).
TEST(ReadNoiseSite, FisherEqualsTheExpectedNegativeHessian) {
  const model::Telescope t = small_flagship();
  for (const LikelihoodKind kind : {LikelihoodKind::kGaussian, LikelihoodKind::kPoissonGaussian}) {
    SCOPED_TRACE(likelihood_name(kind));
    const double sigma = 2.5;
    const RealImage mu = t.model();
    RealImage plus = mu, minus = mu;
    for (Eigen::Index i = 0; i < mu.size(); ++i) {
      const double v =
          (kind == LikelihoodKind::kGaussian ? 0.0 : std::max(mu.data()[i], 0.0)) + sigma * sigma;
      plus.data()[i] += std::sqrt(v);
      minus.data()[i] -= std::sqrt(v);
    }
    auto sites = few_sites();
    sites.push_back(read_noise_site());
    const ImagePosterior post_plus(t, sites, ImageLikelihood(kind, plus, sigma));
    const ImagePosterior post_minus(t, sites, ImageLikelihood(kind, minus, sigma));
    const std::vector<double> x0 = post_plus.current_values();
    const FisherResult f = fisher_information(post_plus, x0);
    const std::vector<double> h = {1e-4, 1e-3, 1e-3};
    auto f_at = [&](const std::vector<double>& x) {
      return 0.5 * (sum_log_likelihood(post_plus, x) + sum_log_likelihood(post_minus, x));
    };
    for (std::size_t a = 0; a < 3; ++a) {
      for (std::size_t b = 0; b < 3; ++b) {
        auto at = [&](double sa, double sb) {
          std::vector<double> x = x0;
          x[a] += sa * h[a];
          x[b] += sb * h[b];
          return f_at(x);
        };
        const double hess = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / (4 * h[a] * h[b]);
        const double scale =
            std::sqrt(f.fisher(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(a)) *
                      f.fisher(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(b)));
        EXPECT_NEAR(f.fisher(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)), -hess,
                    1e-4 * scale)
            << f.names[a] << ", " << f.names[b];
      }
    }
    if (kind == LikelihoodKind::kGaussian) {
      // Analytic: F_ss = 2 n / sigma^2, no coupling to the mean.
      EXPECT_NEAR(f.fisher(2, 2), 2.0 * static_cast<double>(mu.size()) / (sigma * sigma),
                  1e-12 * f.fisher(2, 2));
      EXPECT_EQ(f.fisher(0, 2), 0.0);
    }
    EXPECT_GT(f.laplace_sd[2], 0.0);
    EXPECT_LT(f.laplace_sd[2], f.crb[2] * 1.0000001);
  }
}

TEST(ReadNoiseSite, SitesTheModelCannotHonourAreNamedErrors) {
  const model::Telescope t = small_flagship();
  const RealImage data = noisy(t.model(), 3, 3.0);
  auto sites = few_sites();
  // A prior whose support leaves sigma's domain (0, inf).
  sites.push_back({kReadNoisePath,
                   infer::make_distribution("normal", {{"loc", 3.0}, {"scale", 1.0}}), 1.0, "",
                   ""});
  expect_invalid(
      [&] { ImagePosterior(t, sites, ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 3)); },
      {"detector.read_noise", "normal(loc=3, scale=1)", "real", "(0, inf)"});
  sites.back() = read_noise_site();
  // A Poisson likelihood has no read noise; a variance map fixes every pixel's variance.
  RealImage counts = t.model();
  expect_invalid(
      [&] { ImagePosterior(t, sites, ImageLikelihood(LikelihoodKind::kPoisson, counts, 0)); },
      {"detector.read_noise", "poisson", "no read-noise sigma"});
  PixelMaps maps;
  maps.variance = RealImage::Constant(data.rows(), data.cols(), 4.0);
  expect_invalid(
      [&] {
        ImagePosterior(t, sites, ImageLikelihood(LikelihoodKind::kGaussian, data, 3.0, maps));
      },
      {"detector.read_noise", "gaussian with a variance map"});
  // Shared and one exposure's own at once; an exposure of the two that has a variance map.
  std::vector<Exposure> two = {
      {"a", t, ImageLikelihood(LikelihoodKind::kGaussian, data, 3.0)},
      {"b", t, ImageLikelihood(LikelihoodKind::kGaussian, data, 3.0, maps)}};
  auto both = few_sites();
  both.push_back(read_noise_site());
  both.push_back(read_noise_site(0));
  expect_invalid(
      [&] {
        ImagePosterior(std::vector<Exposure>{two[0], two[0]}, both);
      },
      {"detector.read_noise", "both shared and exposure 0's own"});
  auto own = few_sites();
  own.push_back(read_noise_site(0));
  EXPECT_NO_THROW(ImagePosterior(two, own));  // exposure b keeps its map
  own.push_back(read_noise_site(1));
  expect_invalid([&] { ImagePosterior(two, own); },
                 {"detector.read_noise", "exposure b", "variance map"});
}

}  // namespace
}  // namespace airy::posterior
