// SPDX-License-Identifier: BSD-3-Clause
// Shared PSFs in the N-exposure posterior (PosteriorOptions::share_psf, issue #11 §5): the
// whole-pixel dithers of the calibration problem form one group; its log density and gradient
// equal the separate renders' to rounding and match finite differences; a half-pixel dither
// stays alone; threads give the same bits with groups too.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "posterior/calibration_problem.hpp"

namespace airy::posterior {
namespace {

bench::CalibrationSize small() {
  bench::CalibrationSize z;
  z.exposures = 5;
  z.stars = 3;
  z.wavelengths = 2;
  z.pupil = 32;
  z.detector = 24;
  z.zernikes = 3;
  return z;
}

std::vector<double> point(const ImagePosterior& post, unsigned seed) {
  const auto& ld = post.log_density();
  std::vector<double> values = post.current_values();
  std::mt19937 gen(seed);
  std::normal_distribution<double> nd(0.0, 1.0);
  // Off the truth: positions by ~1 mas, fluxes by 1%, Zernikes by 5 nm, flat by 1%.
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    values[i] =
        i < 6 ? v + 1e-3 * nd(gen) : v * (1.0 + 0.01 * nd(gen)) + (v == 0 ? 5 * nd(gen) : 0);
  }
  std::vector<double> theta(static_cast<std::size_t>(ld.dim()));
  EXPECT_TRUE(ld.unconstrain(values, theta));
  return theta;
}

TEST(SharedPsfPosterior, WholePixelDithersShareOnePsfAndMatchSeparateRenders) {
  bench::CalibrationSize z = small();
  const ImagePosterior shared = bench::calibration_posterior(z);
  z.share_psf = false;
  const ImagePosterior separate = bench::calibration_posterior(z);
  ASSERT_EQ(shared.shared_psf_groups(), (std::vector<std::vector<int>>{{0, 1, 2, 3, 4}}));
  EXPECT_TRUE(separate.shared_psf_groups().empty());
  const auto& a = shared.log_density();
  const auto& b = separate.log_density();
  auto wa = a.make_workspace();
  auto wb = b.make_workspace();
  for (unsigned seed : {1u, 2u}) {
    const std::vector<double> theta = point(shared, seed);
    std::vector<double> ga(theta.size()), gb(theta.size());
    const double va = a.log_density_gradient(theta, ga, wa.get());
    const double vb = b.log_density_gradient(theta, gb, wb.get());
    EXPECT_NEAR(va, vb, 1e-12 * std::abs(vb));
    double gmax = 0.0, dmax = 0.0;
    for (std::size_t i = 0; i < ga.size(); ++i) {
      gmax = std::max(gmax, std::abs(gb[i]));
      dmax = std::max(dmax, std::abs(ga[i] - gb[i]));
    }
    EXPECT_LT(dmax, 1e-10 * gmax);
    EXPECT_GT(gmax, 0.0);
  }
}

TEST(SharedPsfPosterior, GradientMatchesFiniteDifferences) {
  const ImagePosterior post = bench::calibration_posterior(small());
  const auto& ld = post.log_density();
  auto ws = ld.make_workspace();
  const std::vector<double> theta = point(post, 3);
  std::vector<double> grad(theta.size()), scratch(theta.size());
  (void)ld.log_density_gradient(theta, grad, ws.get());
  // Positions, fluxes, Zernikes (the shared PSF) and flat-field pixels (per member windows).
  for (const int i : {0, 5, 6, 8, 9, 11, 12, 100, 300, 587}) {
    const double h = 1e-6;
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

TEST(SharedPsfPosterior, HalfPixelDitherStaysAloneAndThreadsGiveTheSameBits) {
  bench::CalibrationSize z = small();
  z.half_pixel_last = true;
  const ImagePosterior one = bench::calibration_posterior(z);
  ASSERT_EQ(one.shared_psf_groups(), (std::vector<std::vector<int>>{{0, 1, 2, 3}}));
  const ImagePosterior two = one.with_threads(2);
  EXPECT_EQ(two.threads(), 2);  // two units: the group and exposure 4
  EXPECT_EQ(one.with_threads(8).threads(), 2);
  auto w1 = one.log_density().make_workspace();
  auto w2 = two.log_density().make_workspace();
  for (unsigned seed : {4u, 5u, 6u}) {
    const std::vector<double> theta = point(one, seed);
    std::vector<double> g1(theta.size()), g2(theta.size());
    EXPECT_EQ(one.log_density().log_density_gradient(theta, g1, w1.get()),
              two.log_density().log_density_gradient(theta, g2, w2.get()));
    EXPECT_EQ(g1, g2);
  }
}

}  // namespace
}  // namespace airy::posterior
