// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief L-BFGS (NLopt) maximum-likelihood and MAP fits of the small-pupil flagship.
#include "airy/posterior/map_fit.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "airy/core/error.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/fisher.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

using testing::flagship_sites;
using testing::small_flagship;

// On noiseless data (d = mu(truth)) the Poisson score vanishes at the truth, so the
// maximum-likelihood estimate is the truth: every parameter within 1e-3 of its CRB.
TEST(Optimize, MaximumLikelihoodOnNoiselessDataRecoversTheTruth) {
  const model::Telescope t = small_flagship();
  ImagePosterior post(t, flagship_sites(), ImageLikelihood(LikelihoodKind::kPoisson, t.model(), 1));
  const std::vector<double> truth = post.current_values();
  const FisherResult f = fisher_information(post, truth);
  OptimizeOptions o;
  o.objective = FitObjective::kMaximumLikelihood;
  o.num_starts = 4;
  o.seed = 3;
  const OptimizeResult r = optimize(post, o);
  ASSERT_EQ(r.starts.size(), 4u);
  const OptimizeStart& best = r.best_start();
  EXPECT_GT(best.evaluations, 10);
  EXPECT_FALSE(best.reason.empty());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    EXPECT_LT(std::fabs(best.values[i] - truth[i]), 1e-3 * f.crb[i])
        << r.names[i] << " = " << best.values[i] << " vs " << truth[i] << " (CRB " << f.crb[i]
        << ")";
  }
  EXPECT_LT(best.gradient_norm, 1e-2);
  // The best objective is the maximum over the starts.
  for (const auto& s : r.starts) {
    if (std::isfinite(s.objective)) {
      EXPECT_LE(s.objective, best.objective);
    }
  }
}

// The MAP from a given start: the gradient of the sampler's density vanishes there and the
// density is at least its value at the start. (Under N(mu, mu + s^2) noiseless data do not
// put the mode at the truth: the score there is -sum J^T / (2 v), not zero.)
TEST(Optimize, MapFromAGivenStartHasAZeroGradient) {
  const model::Telescope t = small_flagship();
  ImagePosterior post(t, flagship_sites(),
                      ImageLikelihood(LikelihoodKind::kPoissonGaussian, t.model(), 3.0));
  const std::vector<double> truth = post.current_values();
  OptimizeOptions o;
  o.num_starts = 0;
  o.starts = {truth};
  const OptimizeResult r = optimize(post, o);
  ASSERT_EQ(r.starts.size(), 1u);
  EXPECT_EQ(r.best, 0);
  EXPECT_TRUE(r.best_start().success) << r.best_start().reason;
  EXPECT_LT(r.best_start().gradient_norm, 1e-2);
  const auto& ld = post.log_density();
  std::vector<double> u(ld.dim()), g(ld.dim());
  ASSERT_TRUE(ld.unconstrain(truth, u));
  auto ws = ld.make_workspace();
  EXPECT_GE(r.best_start().objective, ld.log_density_gradient(u, g, ws.get()));
}

TEST(Optimize, RejectsBadOptions) {
  const model::Telescope t = small_flagship();
  ImagePosterior post(t, flagship_sites(), ImageLikelihood(LikelihoodKind::kPoisson, t.model(), 1));
  OptimizeOptions o;
  o.num_starts = -1;
  EXPECT_THROW((void)optimize(post, o), InvalidArgument);
  o.num_starts = 0;
  EXPECT_THROW((void)optimize(post, o), InvalidArgument);
  o.starts = {{1.0, 2.0}};
  EXPECT_THROW((void)optimize(post, o), InvalidArgument);
  EXPECT_EQ(parse_objective("ml"), FitObjective::kMaximumLikelihood);
  EXPECT_THROW((void)parse_objective("mode", "optimize.objective"), InvalidArgument);
}

}  // namespace
}  // namespace airy::posterior
