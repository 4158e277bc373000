// SPDX-License-Identifier: BSD-3-Clause
// One evaluation on several threads (PosteriorOptions::threads, issue #11 §5): the log density
// and its gradient are the same bits for 1, 2, 3 and 8 threads (each exposure writes its own
// buffers; the sums run in exposure order), also with a sampled read noise, from workspaces
// used by concurrent chains; a thread count < 1 is a named error.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "airy/core/error.hpp"
#include "airy/detector/detector_layers.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

using testing::flagship_sites;
using testing::small_flagship;

/// Four dithered exposures of the small flagship, each with its own background and a
/// Gaussian + Poisson likelihood with read noise, and noisy data.
std::vector<Exposure> four_exposures() {
  const model::Telescope base = small_flagship();
  const double dither[4][2] = {{0.0, 0.0}, {0.03, -0.01}, {-0.02, 0.025}, {0.01, 0.01}};
  std::vector<Exposure> out;
  std::mt19937 gen(5);
  std::normal_distribution<double> noise(0.0, 3.0);
  for (int e = 0; e < 4; ++e) {
    const model::Telescope t =
        model::TelescopeBuilder()
            .optics(base.impl().system_ptr())
            .source(base.impl().source_ptr())
            .detector_layer("background", std::make_shared<detector::Background>(2.0 + e))
            .exposure({dither[e][0], dither[e][1], 1.0 + 0.1 * e})
            .build();
    RealImage d = t.model();
    for (Eigen::Index i = 0; i < d.size(); ++i) d.data()[i] += noise(gen);
    out.push_back({"", t, ImageLikelihood(LikelihoodKind::kPoissonGaussian, d, 3.0)});
  }
  return out;
}

std::vector<ParameterSite> sites_with_read_noise() {
  auto sites = flagship_sites();
  for (int e = 0; e < 4; ++e) {
    sites.push_back({"detector.background.value",
                     infer::make_distribution("normal", {{"loc", 0.0}, {"scale", 10.0}}), 1.0, "",
                     "", e});
  }
  sites.push_back({kReadNoisePath,
                   infer::make_distribution("log_normal", {{"loc", 1.0}, {"scale", 0.5}}), 1.0, "",
                   ""});
  return sites;
}

struct Eval {
  double value = 0.0;
  std::vector<double> grad;
};

std::vector<Eval> evaluate(const ImagePosterior& post, const std::vector<std::vector<double>>& at) {
  const auto& ld = post.log_density();
  auto ws = ld.make_workspace();  // one workspace for all: the pool is reused
  std::vector<Eval> out;
  for (const auto& theta : at) {
    Eval r;
    r.grad.assign(theta.size(), 0.0);
    r.value = ld.log_density_gradient(theta, r.grad, ws.get());
    out.push_back(std::move(r));
  }
  return out;
}

std::vector<std::vector<double>> random_points(int dim, int count) {
  std::mt19937 gen(17);
  std::uniform_real_distribution<double> u(-1.5, 1.5);
  std::vector<std::vector<double>> pts;
  for (int k = 0; k < count; ++k) {
    std::vector<double> theta(static_cast<std::size_t>(dim));
    for (auto& v : theta) v = u(gen);
    pts.push_back(theta);
  }
  return pts;
}

TEST(ExposureThreads, LogDensityAndGradientAreBitIdenticalForEveryThreadCount) {
  const ImagePosterior serial(four_exposures(), sites_with_read_noise());
  ASSERT_EQ(serial.threads(), 1);
  const auto pts = random_points(serial.log_density().dim(), 6);
  const std::vector<Eval> ref = evaluate(serial, pts);
  for (const int threads : {2, 3, 8}) {
    const ImagePosterior post = serial.with_threads(threads);
    EXPECT_EQ(post.threads(), std::min(threads, 4));
    const std::vector<Eval> got = evaluate(post, pts);
    for (std::size_t k = 0; k < pts.size(); ++k) {
      EXPECT_EQ(got[k].value, ref[k].value) << threads << " threads, point " << k;
      EXPECT_EQ(got[k].grad, ref[k].grad) << threads << " threads, point " << k;
    }
  }
  // The constructor's option is the same as with_threads.
  PosteriorOptions o;
  o.threads = 2;
  const ImagePosterior built(four_exposures(), sites_with_read_noise(), o);
  const std::vector<Eval> got = evaluate(built, pts);
  EXPECT_EQ(got[0].value, ref[0].value);
  EXPECT_EQ(got[0].grad, ref[0].grad);
  // A non-trivial gradient (guards against comparing two empty results).
  double norm = 0.0;
  for (double g : ref[0].grad) norm += g * g;
  EXPECT_GT(norm, 0.0);
}

TEST(ExposureThreads, ConcurrentChainsEachWithTheirOwnPool) {
  const ImagePosterior post =
      ImagePosterior(four_exposures(), sites_with_read_noise()).with_threads(2);
  const auto pts = random_points(post.log_density().dim(), 4);
  const std::vector<Eval> ref = evaluate(post.with_threads(1), pts);
  std::vector<std::vector<Eval>> got(3);
  std::vector<std::thread> chains;
  for (int c = 0; c < 3; ++c)
    chains.emplace_back([&, c] { got[static_cast<std::size_t>(c)] = evaluate(post, pts); });
  for (auto& t : chains) t.join();
  for (const auto& g : got) {
    for (std::size_t k = 0; k < pts.size(); ++k) {
      EXPECT_EQ(g[k].value, ref[k].value);
      EXPECT_EQ(g[k].grad, ref[k].grad);
    }
  }
}

TEST(ExposureThreads, ThreadCountBelowOneIsANamedError) {
  const ImagePosterior post(four_exposures(), sites_with_read_noise());
  for (const int bad : {0, -2}) {
    try {
      (void)post.with_threads(bad);
      FAIL() << bad;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find("threads = " + std::to_string(bad)), std::string::npos)
          << e.what();
    }
    PosteriorOptions o;
    o.threads = bad;
    EXPECT_THROW(ImagePosterior(four_exposures(), sites_with_read_noise(), o), InvalidArgument);
  }
}

}  // namespace
}  // namespace airy::posterior
