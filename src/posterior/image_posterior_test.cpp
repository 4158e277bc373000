// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/image_posterior.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "airy/core/error.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

using testing::flagship_sites;
using testing::small_flagship;

TEST(ImagePosterior, NamesValuesAndTruth) {
  const model::Telescope t = small_flagship();
  ImagePosterior post(t, flagship_sites(),
                      ImageLikelihood(LikelihoodKind::kPoissonGaussian, t.model(), 3.0));
  const auto names = post.log_density().output_names();
  ASSERT_EQ(names.size(), 13u);
  EXPECT_EQ(names[0], "x_position");
  EXPECT_EQ(names[6], "coefficients[1]");
  EXPECT_EQ(names[12], "coefficients[7]");
  const auto truth = post.current_values();
  EXPECT_NEAR(truth[2], 0.1, 1e-15);
  EXPECT_NEAR(truth[6], -12.0, 1e-9);  // sampled in nm
  // telescope_at(truth) reproduces the telescope's image exactly.
  const RealImage a = t.model(), b = post.telescope_at(truth).model();
  EXPECT_LT((a - b).abs().maxCoeff(), 1e-12 * a.abs().maxCoeff());
}

// The whole log density (priors, bijectors, likelihood, telescope pullback, unit scales)
// against central finite differences in the unconstrained space.
TEST(ImagePosterior, LogDensityGradientMatchesFiniteDifferences) {
  const model::Telescope t = small_flagship();
  RealImage data = t.model();
  std::mt19937 gen(3);
  std::normal_distribution<double> noise(0.0, 3.0);
  for (Eigen::Index i = 0; i < data.size(); ++i) data.data()[i] += noise(gen);
  ImagePosterior post(t, flagship_sites(),
                      ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 3.0));
  const auto& ld = post.log_density();
  auto ws = ld.make_workspace();
  std::vector<double> theta(ld.dim()), grad(ld.dim()), scratch(ld.dim());
  // A point near (not at) the truth.
  std::vector<double> values = post.current_values();
  values[0] += 0.01;
  values[3] -= 1.0;
  values[8] += 3.0;
  ASSERT_TRUE(ld.unconstrain(values, theta));
  const double f0 = ld.log_density_gradient(theta, grad, ws.get());
  ASSERT_TRUE(std::isfinite(f0));
  for (int i = 0; i < ld.dim(); ++i) {
    const double h = 1e-5;
    auto plus = theta, minus = theta;
    plus[i] += h;
    minus[i] -= h;
    const double fd = (ld.log_density_gradient(plus, scratch, ws.get()) -
                       ld.log_density_gradient(minus, scratch, ws.get())) /
                      (2 * h);
    EXPECT_NEAR(grad[i], fd, 1e-6 * std::max(1.0, std::abs(fd))) << "coordinate " << i;
  }
}

TEST(ImagePosterior, BadInputIsRejected) {
  const model::Telescope t = small_flagship();
  const RealImage wrong = RealImage::Constant(8, 8, 1.0);
  EXPECT_THROW(
      ImagePosterior(t, flagship_sites(), ImageLikelihood(LikelihoodKind::kGaussian, wrong, 3.0)),
      InvalidArgument);
  auto sites = flagship_sites();
  sites[0].path = "source.x_positon";
  try {
    ImagePosterior(t, sites, ImageLikelihood(LikelihoodKind::kGaussian, t.model(), 3.0));
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("x_positon"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace airy::posterior
