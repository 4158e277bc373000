// SPDX-License-Identifier: BSD-3-Clause
// Hot-path rule (design.md §3) for the sampler's target: once a workspace exists, one log
// density + gradient of an N-exposure posterior allocates nothing, on one thread or on the
// workspace's pool (the workers' allocations are counted too: the counter is global).
#include <gtest/gtest.h>

#include <thread>

#include "airy/detector/detector_layers.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "model/allocation_counter.hpp"
#include "posterior/calibration_problem.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

TEST(HotPath, PosteriorGradientDoesNotAllocateOnOneOrSeveralThreads) {
  const model::Telescope base = testing::small_flagship();
  std::vector<Exposure> exposures;
  for (int e = 0; e < 3; ++e) {
    const model::Telescope t =
        model::TelescopeBuilder()
            .optics(base.impl().system_ptr())
            .source(base.impl().source_ptr())
            .detector_layer("background", std::make_shared<detector::Background>(1.0 + e))
            .exposure({0.01 * e, -0.01 * e, 1.0})
            .build();
    exposures.push_back({"", t, ImageLikelihood(LikelihoodKind::kPoissonGaussian, t.model(), 3.0)});
  }
  auto sites = testing::flagship_sites();
  sites.push_back({kReadNoisePath,
                   infer::make_distribution("log_normal", {{"loc", 1.0}, {"scale", 0.5}}), 1.0, "",
                   ""});
  const ImagePosterior serial(exposures, sites);
  // With a shared-PSF group (4 whole-pixel dithers) beside an exposure of its own.
  bench::CalibrationSize z;
  z.stars = 2;
  z.pupil = 32;
  z.detector = 24;
  z.half_pixel_last = true;
  const ImagePosterior grouped = bench::calibration_posterior(z);
  ASSERT_EQ(grouped.shared_psf_groups().size(), 1u);
  for (const auto& [from, threads] :
       {std::pair{&serial, 1}, std::pair{&serial, 2}, std::pair{&serial, 3}, std::pair{&grouped, 1},
        std::pair{&grouped, 2}}) {
    const ImagePosterior post = from->with_threads(threads);
    const auto& ld = post.log_density();
    auto ws = ld.make_workspace();
    std::vector<double> theta(static_cast<std::size_t>(ld.dim())), grad(theta.size());
    ASSERT_TRUE(ld.unconstrain(post.current_values(), theta));
    (void)ld.log_density_gradient(theta, grad, ws.get());  // warm-up
    g_allocations = 0;
    g_counting = true;
    for (int k = 0; k < 5; ++k) {
      theta[2] += 1e-3;
      (void)ld.log_density_gradient(theta, grad, ws.get());
    }
    g_counting = false;
    EXPECT_EQ(g_allocations.load(), 0) << threads << " threads";
  }
  // The counter sees allocations on other threads.
  std::vector<double>* probe = nullptr;
  g_counting = true;
  std::thread([&] { probe = new std::vector<double>(10); }).join();
  g_counting = false;
  delete probe;
  EXPECT_GE(g_allocations.load(), 1);
}

}  // namespace
}  // namespace airy::posterior
