// SPDX-License-Identifier: BSD-3-Clause
// The N-exposure posterior (issue #11): N = 1 is today's single-image posterior bit for bit;
// N > 1 sums the exposures' likelihoods with shared and per-exposure sites, its gradient
// matches finite differences, and its Fisher information sums the exposures'.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "airy/core/error.hpp"
#include "airy/detector/detector_layers.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

using testing::flagship_sites;
using testing::small_flagship;

RealImage noisy(const RealImage& model, unsigned seed) {
  RealImage d = model;
  std::mt19937 gen(seed);
  std::normal_distribution<double> noise(0.0, 3.0);
  for (Eigen::Index i = 0; i < d.size(); ++i) d.data()[i] += noise(gen);
  return d;
}

/// One exposure of the small flagship: dithered, scaled, with a background layer.
model::Telescope exposure_telescope(double dx, double dy, double flux_scale, double background) {
  const model::Telescope base = small_flagship();
  return model::TelescopeBuilder()
      .optics(base.impl().system_ptr())
      .source(base.impl().source_ptr())
      .detector_layer("background", std::make_shared<detector::Background>(background))
      .exposure({dx, dy, flux_scale})
      .build();
}

// Today's single-image log likelihood, written out as the closure the one-image posterior
// always had: p = scale x, render, log L, pullback, grad += scale p_bar.
TEST(Exposures, OneExposureIsTodaysPosteriorBitForBit) {
  const model::Telescope t = small_flagship();
  const RealImage data = noisy(t.model(), 3);
  const auto sites = flagship_sites();
  const ImagePosterior post(t, sites, ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 3.0));
  std::vector<std::string> paths;
  std::vector<double> scales;
  for (const auto& s : sites) paths.push_back(s.path);
  const model::ParameterSet set = t.bind(paths);
  for (std::size_t i = 0; i < sites.size(); ++i) {
    for (int k = 0; k < set.size(i); ++k) scales.push_back(sites[i].scale);
  }
  const ImageLikelihood like(LikelihoodKind::kPoissonGaussian, data, 3.0);
  struct Ws : infer::Workspace {
    std::unique_ptr<model::TelescopeWorkspace> t;
    RealImage image, image_bar;
    std::vector<double> p, p_bar;
  };
  infer::LogLikelihood reference = [&](std::span<const double> x, std::span<double> gx,
                                       infer::Workspace* base) {
    auto& ws = static_cast<Ws&>(*base);
    for (std::size_t i = 0; i < x.size(); ++i) ws.p[i] = scales[i] * x[i];
    t.render(set, ws.p, *ws.t, ws.image);
    const double v = like.log_likelihood(ws.image, ws.image_bar);
    if (!std::isfinite(v)) return -std::numeric_limits<double>::infinity();
    t.pullback(set, ws.image_bar, *ws.t, ws.p_bar);
    for (std::size_t i = 0; i < x.size(); ++i) gx[i] += scales[i] * ws.p_bar[i];
    return v;
  };
  std::vector<infer::Site> isites;
  for (std::size_t i = 0; i < sites.size(); ++i) {
    isites.push_back(set.size(i) > 1
                         ? infer::Site::vector(post.sites()[i].name, set.size(i), sites[i].prior)
                         : infer::Site::scalar(post.sites()[i].name, sites[i].prior));
  }
  const infer::SiteModel today(std::move(isites), reference, [&]() {
    auto ws = std::make_unique<Ws>();
    ws->t = t.make_workspace(set);
    ws->p.assign(static_cast<std::size_t>(set.size()), 0.0);
    ws->p_bar = ws->p;
    return std::unique_ptr<infer::Workspace>(std::move(ws));
  });
  const auto& ld = post.log_density();
  auto ws_a = ld.make_workspace();
  auto ws_b = today.make_workspace();
  std::mt19937 gen(7);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> theta(static_cast<std::size_t>(ld.dim()));
    for (auto& v : theta) v = u(gen);
    std::vector<double> ga(theta.size()), gb(theta.size());
    const double a = ld.log_density_gradient(theta, ga, ws_a.get());
    const double b = today.log_density_gradient(theta, gb, ws_b.get());
    EXPECT_EQ(a, b);
    EXPECT_EQ(ga, gb);
  }
}

std::vector<Exposure> three_exposures() {
  const double dither[3][2] = {{0.0, 0.0}, {0.03, -0.01}, {-0.02, 0.025}};
  std::vector<Exposure> exposures;
  for (int e = 0; e < 3; ++e) {
    model::Telescope t = exposure_telescope(dither[e][0], dither[e][1], 1.0 + 0.2 * e, 2.0 + e);
    const RealImage data = noisy(t.model(), 11 + e);
    exposures.push_back({"", t, ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 3.0)});
  }
  return exposures;
}

std::vector<ParameterSite> shared_and_own_sites() {
  auto sites = flagship_sites();
  for (int e = 0; e < 3; ++e) {
    sites.push_back({"exposure.flux_scale",
                     infer::make_distribution("log_normal", {{"loc", 0.0}, {"scale", 0.5}}), 1.0,
                     "", "", e});
    sites.push_back({"detector.background.value",
                     infer::make_distribution("normal", {{"loc", 0.0}, {"scale", 10.0}}), 1.0, "",
                     "", e});
  }
  return sites;
}

TEST(Exposures, SharedAndPerExposureSitesSumTheLikelihoods) {
  const auto exposures = three_exposures();
  const ImagePosterior post(exposures, shared_and_own_sites());
  const auto names = post.log_density().output_names();
  ASSERT_EQ(names.size(), 13u + 6u);
  EXPECT_EQ(names[13], "flux_scale_e0");
  EXPECT_EQ(names[14], "value_e0");
  EXPECT_EQ(names[18], "value_e2");
  const std::vector<double> truth = post.current_values();
  EXPECT_DOUBLE_EQ(truth[15], 1.2);  // exposure 1's flux scale
  EXPECT_DOUBLE_EQ(truth[18], 4.0);  // exposure 2's background
  // log p - log prior = sum_e log L_e(render of exposure e at the values).
  const auto& ld = post.log_density();
  std::vector<double> values = truth;
  values[2] += 0.01;
  values[17] *= 1.1;
  std::vector<double> theta(static_cast<std::size_t>(ld.dim())), g(theta.size()), gp(theta.size());
  ASSERT_TRUE(ld.unconstrain(values, theta));
  auto ws = ld.make_workspace();
  const double lp = ld.log_density_gradient(theta, g, ws.get());
  const double prior = ld.log_prior_gradient(theta, gp);
  double sum = 0.0;
  for (int e = 0; e < 3; ++e) {
    RealImage bar;
    sum += post.likelihood(e).log_likelihood(post.telescope_at(values, e).model(), bar);
  }
  EXPECT_NEAR(lp - prior, sum, 1e-9 * std::abs(sum));
}

TEST(Exposures, GradientMatchesFiniteDifferences) {
  const ImagePosterior post(three_exposures(), shared_and_own_sites());
  const auto& ld = post.log_density();
  auto ws = ld.make_workspace();
  std::vector<double> values = post.current_values();
  values[0] += 0.005;
  values[9] -= 2.0;
  values[16] *= 0.9;
  std::vector<double> theta(static_cast<std::size_t>(ld.dim())), grad(theta.size()),
      scratch(theta.size());
  ASSERT_TRUE(ld.unconstrain(values, theta));
  (void)ld.log_density_gradient(theta, grad, ws.get());
  for (int i = 0; i < ld.dim(); ++i) {
    const double h = 1e-5;
    auto plus = theta, minus = theta;
    plus[i] += h;
    minus[i] -= h;
    const double fd = (ld.log_density_gradient(plus, scratch, ws.get()) -
                       ld.log_density_gradient(minus, scratch, ws.get())) /
                      (2 * h);
    EXPECT_NEAR(grad[static_cast<std::size_t>(i)], fd, 1e-5 * std::max(1.0, std::abs(fd)))
        << ld.output_names()[static_cast<std::size_t>(i)];
  }
}

TEST(Exposures, FisherInformationSumsTheExposures) {
  const model::Telescope t = small_flagship();
  const ImageLikelihood like(LikelihoodKind::kPoissonGaussian, t.model(), 3.0);
  const ImagePosterior one(t, flagship_sites(), like);
  const ImagePosterior two({{"a", t, like}, {"b", t, like}}, flagship_sites());
  const auto v = one.current_values();
  const FisherResult f1 = fisher_information(one, v);
  const FisherResult f2 = fisher_information(two, v);
  EXPECT_LT((f2.fisher - 2.0 * f1.fisher).cwiseAbs().maxCoeff(),
            1e-10 * f1.fisher.cwiseAbs().maxCoeff());
}

TEST(Exposures, BadSitesAreNamedErrors) {
  auto exposures = three_exposures();
  // A path that exists in no exposure, an exposure index out of range, a path both shared and
  // own, and a shared path one exposure lacks.
  auto sites = flagship_sites();
  sites.push_back({"detector.backgroud.value",
                   infer::make_distribution("normal", {{"loc", 0.0}, {"scale", 1.0}}), 1.0, "", "",
                   1});
  EXPECT_THROW(ImagePosterior(exposures, sites), InvalidArgument);
  sites = flagship_sites();
  sites.push_back({"exposure.flux_scale",
                   infer::make_distribution("log_normal", {{"loc", 0.0}, {"scale", 1.0}}), 1.0, "",
                   "", 3});
  try {
    ImagePosterior p(exposures, sites);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("exposure 3 does not exist"), std::string::npos)
        << e.what();
  }
  sites = flagship_sites();
  sites.push_back(sites[2]);
  sites.back().exposure = 0;
  EXPECT_THROW(ImagePosterior(exposures, sites), InvalidArgument);
  std::vector<Exposure> mixed = {exposures[0],
                                 {"plain", small_flagship(), exposures[1].likelihood}};
  sites = flagship_sites();
  sites.push_back({"exposure.flux_scale",
                   infer::make_distribution("log_normal", {{"loc", 0.0}, {"scale", 1.0}}), 1.0, "",
                   ""});
  try {
    ImagePosterior p(mixed, sites);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("exposure plain"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace airy::posterior
