// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/image_posterior.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "airy/core/error.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"

namespace airy::posterior {
namespace {

model::Telescope small_flagship() {
  model::FlagshipOptions o;
  o.wf_npixels = 32;  // small pupil: the test is about the chain rule, not the optics
  o.spider_width = 0.05;
  o.coefficients = RealVector::LinSpaced(7, -12e-9, 9e-9);
  return model::flagship_telescope(o);
}

std::vector<ParameterSite> flagship_sites() {
  auto u = [](double lo, double hi) {
    return infer::make_distribution("uniform", {{"low", lo}, {"high", hi}});
  };
  return {
      {"source.x_position", u(-0.1, 0.1), 1.0, "arcsec", ""},
      {"source.y_position", u(-0.1, 0.1), 1.0, "arcsec", ""},
      {"source.separation", u(0.01, 0.5), 1.0, "arcsec", ""},
      {"source.position_angle", u(80, 100), 1.0, "deg", ""},
      {"source.log_flux", u(3, 4), 1.0, "", ""},
      {"source.contrast", u(1, 5), 1.0, "", ""},
      {"optics.aperture.coefficients",
       infer::make_distribution("normal", {{"loc", 0.0}, {"scale", 20.0}}), 1e-9, "nm", ""},
  };
}

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
