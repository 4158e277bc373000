// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Interrupting the multi-start MAP: a stop request (flag or signal) ends the running
/// L-BFGS start at its next evaluation, keeps its best point, skips the other starts, and
/// never throws.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <thread>

#include "airy/core/stop.hpp"
#include "airy/posterior/map_fit.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

using testing::flagship_sites;
using testing::small_flagship;

ImagePosterior flagship_posterior() {
  const model::Telescope t = small_flagship();
  return ImagePosterior(t, flagship_sites(),
                        ImageLikelihood(LikelihoodKind::kPoissonGaussian, t.model(), 3.0));
}

TEST(OptimizeStop, AStopBeforeTheCallRunsNoStart) {
  const ImagePosterior post = flagship_posterior();
  std::atomic<bool> stop{true};
  OptimizeOptions o;
  o.num_starts = 4;
  o.stop = &stop;
  const OptimizeResult r = optimize(post, o);
  EXPECT_TRUE(r.interrupted);
  EXPECT_TRUE(r.starts.empty());
  EXPECT_EQ(r.best, -1);
}

// SIGTERM (as a batch scheduler sends it) 0.3 s into 1000 starts (about a minute of work):
// the fit returns within one evaluation with the finished starts and the stopped one, whose
// values are its best point so far: at least as good as where it started.
TEST(OptimizeStop, SigtermKeepsTheBestPointSoFar) {
  const ImagePosterior post = flagship_posterior();
  OptimizeOptions o;
  o.num_starts = 1000;
  o.seed = 5;
  std::thread sender([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::raise(SIGTERM);  // caught by optimize()'s handlers
  });
  const auto t0 = std::chrono::steady_clock::now();
  const OptimizeResult r = optimize(post, o);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sender.join();
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(stop_signal(), SIGTERM);
  ASSERT_FALSE(r.starts.empty());
  EXPECT_LT(r.starts.size(), 1000u);
  EXPECT_LT(seconds, 20.0);
  const OptimizeStart& last = r.starts.back();
  EXPECT_EQ(last.reason, "interrupted");
  EXPECT_FALSE(last.success);
  ASSERT_GE(r.best, 0);
  EXPECT_TRUE(std::isfinite(r.best_start().objective));
  const auto& ld = post.log_density();
  std::vector<double> u(ld.dim()), g(ld.dim());
  ASSERT_TRUE(ld.unconstrain(last.start, u));
  auto ws = ld.make_workspace();
  EXPECT_GE(last.objective, ld.log_density_gradient(u, g, ws.get()));
  clear_stop();
}

}  // namespace
}  // namespace airy::posterior
