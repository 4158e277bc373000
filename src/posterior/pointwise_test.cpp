// SPDX-License-Identifier: BSD-3-Clause
// The per-pixel log likelihood of posterior draws (posterior/pointwise.hpp): the pointwise
// values sum to the likelihood's own total for every kind, variance map and mask; rendered
// through the posterior's binding they equal the per-draw telescope_at path, and a sampled
// read noise enters at each draw's value.
#include "airy/posterior/pointwise.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "posterior/flagship_test_fixture.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::posterior {
namespace {

using airy::testing::expect_invalid;
using testing::small_flagship;

RealImage ramp(int ny, int nx, double base) {
  RealImage m(ny, nx);
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) m(y, x) = base + 3.0 * y + 1.5 * x;
  }
  return m;
}

// Summed over the unmasked pixels, the pointwise values are the likelihood's total (its own
// formula and constants), for every kind, with a variance map and a mask; masked pixels NaN.
TEST(Pointwise, LogLikelihoodSumsToTheTotal) {
  const RealImage model = ramp(5, 6, 20.0);
  RealImage data = model;
  Rng rng(7, 0);
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    data.data()[i] = std::round(model.data()[i] + 4.0 * rng.normal());
  }
  PixelMask mask = PixelMask::Zero(5, 6);
  mask(1, 2) = 1;
  RealImage variance = RealImage::Constant(5, 6, 7.0);
  variance(4, 5) = 2.5;
  for (auto kind : {LikelihoodKind::kPoisson, LikelihoodKind::kGaussian,
                    LikelihoodKind::kPoissonGaussian, LikelihoodKind::kPoissonGaussianExact}) {
    for (bool with_map : {false, true}) {
      if (with_map && kind == LikelihoodKind::kPoisson) continue;
      SCOPED_TRACE(likelihood_name(kind) + (with_map ? " + variance map" : ""));
      PixelMaps maps;
      maps.mask = mask;
      if (with_map) maps.variance = variance;
      const ImageLikelihood like(kind, data, 3.0, maps);
      const PointwiseLikelihood pw(like);
      EXPECT_EQ(pw.num_unmasked(), 29u);
      EXPECT_EQ(pw.size(), 30u);
      // At the likelihood's sigma, and at another sigma (a sampled read noise) where there is
      // one: the total of the likelihood evaluated with that sigma as its noise parameter.
      for (double sigma : {3.0, 1.7}) {
        std::vector<double> out(30);
        pw.evaluate(model, sigma, out.data());
        double sum = 0.0;
        for (std::size_t i = 0; i < out.size(); ++i) {
          if (i == 1 * 6 + 2) {
            EXPECT_TRUE(std::isnan(out[i]));
            continue;
          }
          sum += out[i];
        }
        RealImage bar;
        const bool has_sigma = !like.noise_parameter_names().empty();
        const double total =
            has_sigma ? like.log_likelihood(model, bar, std::span<const double>(&sigma, 1), {})
                      : like.log_likelihood(model, bar);
        EXPECT_NEAR(sum, total, 1e-10 * std::fabs(total)) << "sigma " << sigma;
      }
    }
  }
}

model::Telescope dithered(double dx, double dy, double flux_scale) {
  const model::Telescope base = small_flagship();
  return model::TelescopeBuilder()
      .optics(base.impl().system_ptr())
      .source(base.impl().source_ptr())
      .exposure({dx, dy, flux_scale})
      .build();
}

RealImage noisy(const RealImage& model, unsigned seed, double sigma) {
  RealImage d = model;
  std::mt19937 gen(seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    d.data()[i] += noise(gen) * std::sqrt(std::max(model.data()[i], 0.0) + sigma * sigma);
  }
  return d;
}

/// Three exposures (dithers, one 1.4x brighter) with every per-pixel feature: exposure 0 has a
/// NaN pixel and its own sampled read noise, exposure 1 a variance map and a mask (so no read
/// noise), exposure 2 its own sampled read noise under poisson_gaussian_exact.
ImagePosterior three_exposures() {
  std::vector<Exposure> exposures;
  const model::Telescope t0 = dithered(0.0, 0.0, 1.0), t1 = dithered(0.02, -0.01, 1.4),
                         t2 = dithered(-0.015, 0.02, 1.0);
  RealImage d0 = noisy(t0.model(), 3, 3.0);
  d0(4, 5) = std::numeric_limits<double>::quiet_NaN();
  exposures.push_back(
      {"a", t0, ImageLikelihood(LikelihoodKind::kPoissonGaussian, std::move(d0), 3.0)});
  PixelMaps maps;
  maps.variance = RealImage::Constant(t1.image_rows(), t1.image_cols(), 6.0);
  maps.variance(0, 0) = 2.0;
  maps.mask = PixelMask::Zero(t1.image_rows(), t1.image_cols());
  maps.mask(7, 3) = 1;
  maps.mask(2, 9) = 4;
  exposures.push_back({"b", t1,
                       ImageLikelihood(LikelihoodKind::kPoissonGaussian, noisy(t1.model(), 4, 2.5),
                                       3.0, std::move(maps))});
  exposures.push_back(
      {"c", t2,
       ImageLikelihood(LikelihoodKind::kPoissonGaussianExact, noisy(t2.model(), 5, 2.0), 2.0)});
  auto normal = [](double loc, double scale) {
    return infer::make_distribution("normal", {{"loc", loc}, {"scale", scale}});
  };
  auto log_normal = [](double loc, double scale) {
    return infer::make_distribution("log_normal", {{"loc", loc}, {"scale", scale}});
  };
  std::vector<ParameterSite> sites = {
      {"source.x_position", normal(0.0, 0.1), 1.0, "arcsec", ""},
      {"source.log_flux", normal(3.5, 0.5), 1.0, "", ""},
      {"optics.aperture.coefficients", normal(0.0, 20.0), 1e-9, "nm", ""},
      {kReadNoisePath, log_normal(1.0, 0.5), 1.0, "", "", 0},
      {kReadNoisePath, log_normal(0.7, 0.5), 1.0, "", "", 2},
  };
  return ImagePosterior(std::move(exposures), std::move(sites));
}

/// The per-pixel values the way they were computed before the renderer existed: exposure e's
/// telescope rebuilt at the values (telescope_at(v, e).model()), one one-pixel likelihood per
/// unmasked pixel with its variance-map entry, at the draw's read noise (or the likelihood's).
std::vector<double> by_telescope_at(const ImagePosterior& post, const std::vector<double>& v,
                                    int e) {
  const ImageLikelihood& like = post.likelihood(e);
  const RealImage mu = post.telescope_at(v, e).model();
  const int r = post.read_noise_index(e);
  const double sigma = r >= 0 ? v[static_cast<std::size_t>(r)] : like.sigma();
  std::vector<double> out(static_cast<std::size_t>(mu.size()),
                          std::numeric_limits<double>::quiet_NaN());
  for (Eigen::Index i = 0; i < mu.size(); ++i) {
    if (like.mask().data()[i] != 0) continue;
    PixelMaps maps;
    if (like.variance().size() != 0) {
      maps.variance = RealImage::Constant(1, 1, like.variance().data()[i]);
    }
    const ImageLikelihood one(like.kind(), RealImage::Constant(1, 1, like.data().data()[i]), sigma,
                              std::move(maps));
    RealImage bar;
    out[static_cast<std::size_t>(i)] =
        one.log_likelihood(RealImage::Constant(1, 1, mu.data()[i]), bar);
  }
  return out;
}

TEST(Pointwise, RendererEqualsTelescopeAtOnThreeExposuresWithReadNoise) {
  const ImagePosterior post = three_exposures();
  ASSERT_EQ(post.read_noise_index(0), 9);  // x, log_flux, 7 coefficients, then the sigmas
  ASSERT_EQ(post.read_noise_index(1), -1);
  ASSERT_EQ(post.read_noise_index(2), 10);
  // Two draws away from the truth, the read noises away from the likelihoods' sigmas (so a
  // path that ignored the sampled sigma would differ).
  std::vector<double> v0 = post.current_values();
  v0[0] += 0.006;
  v0[1] -= 0.03;
  v0[3] += 7.0;
  v0[9] = 2.2;
  v0[10] = 3.4;
  std::vector<double> v1 = v0;
  v1[0] -= 0.011;
  v1[5] -= 4.0;
  v1[9] = 4.1;
  v1[10] = 1.6;
  std::vector<double> draws = v0;
  draws.insert(draws.end(), v1.begin(), v1.end());

  for (int e = 0; e < 3; ++e) {
    SCOPED_TRACE("exposure " + post.exposure_name(e));
    ExposureRenderer renderer(post, e);
    for (const auto* v : {&v0, &v1, &v0}) {  // reuse in any order
      const RealImage want = post.telescope_at(*v, e).model();
      const RealImage& got = renderer.render(*v);
      ASSERT_EQ(got.rows(), want.rows());
      EXPECT_LE((got - want).abs().maxCoeff(), 1e-12 * want.abs().maxCoeff());
    }
    EXPECT_EQ(renderer.sigma(v1), e == 0 ? 4.1 : e == 2 ? 1.6 : 3.0);

    const auto npix = static_cast<std::size_t>(post.likelihood(e).data().size());
    std::vector<double> out(2 * npix);
    pointwise_log_likelihood(post, e, draws, 2, out.data());
    std::size_t masked = 0;
    for (int d = 0; d < 2; ++d) {
      const std::vector<double> want = by_telescope_at(post, d == 0 ? v0 : v1, e);
      double sum = 0.0;
      for (std::size_t i = 0; i < npix; ++i) {
        const double got = out[static_cast<std::size_t>(d) * npix + i];
        if (std::isnan(want[i])) {
          EXPECT_TRUE(std::isnan(got)) << i;
          masked += d == 0 ? 1 : 0;
          continue;
        }
        EXPECT_NEAR(got, want[i], 1e-12 * std::max(1.0, std::fabs(want[i]))) << "pixel " << i;
        sum += got;
      }
      // The sum is the exposure's log L at the draw (its total, its sigma).
      const ImageLikelihood& like = post.likelihood(e);
      const std::vector<double>& v = d == 0 ? v0 : v1;
      RealImage bar;
      const int r = post.read_noise_index(e);
      const double total =
          r >= 0
              ? like.log_likelihood(post.telescope_at(v, e).model(), bar,
                                    std::span<const double>(&v[static_cast<std::size_t>(r)], 1), {})
              : like.log_likelihood(post.telescope_at(v, e).model(), bar);
      EXPECT_NEAR(sum, total, 1e-10 * std::fabs(total));
    }
    EXPECT_EQ(masked, static_cast<std::size_t>(post.likelihood(e).num_masked()));
  }
  EXPECT_EQ(post.likelihood(0).num_masked(), 1);
  EXPECT_EQ(post.likelihood(1).num_masked(), 2);
}

TEST(Pointwise, BadArgumentsAreNamed) {
  const ImagePosterior post = three_exposures();
  expect_invalid([&] { ExposureRenderer(post, 3); }, {"exposure 3", "3 exposures"});
  ExposureRenderer renderer(post, 0);
  const std::vector<double> short_values(4, 0.0);
  expect_invalid([&] { (void)renderer.render(short_values); }, {"4 values", "11"});
  std::vector<double> out(1000);
  const std::vector<double> draws(21, 0.0);
  expect_invalid([&] { pointwise_log_likelihood(post, 0, draws, 2, out.data()); },
                 {"21 values", "2 draws"});
}

}  // namespace
}  // namespace airy::posterior
