// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Slow: NUTS started at the MAP with the Fisher (Laplace) metric and a 200-iteration
/// step-size-only warmup gives the same posterior as the standard windowed warmup, on the
/// small-pupil (32 px) flagship with photon + read noise.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "airy/core/rng.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/summary.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/map_fit.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace airy::posterior {
namespace {

ImagePosterior noisy_small_flagship() {
  model::FlagshipOptions o;
  o.wf_npixels = 32;
  o.spider_width = 0.05;
  o.coefficients = RealVector::LinSpaced(7, -12e-9, 9e-9);
  const model::Telescope t = model::flagship_telescope(o);
  RealImage data = t.model();
  Rng rng(5, 1);
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    data.data()[i] = static_cast<double>(rng.poisson(data.data()[i])) + rng.normal(0.0, 3.0);
  }
  const std::vector<ParameterSite> sites = testing::flagship_sites();
  return ImagePosterior(t, sites, ImageLikelihood(LikelihoodKind::kPoissonGaussian, data, 3.0));
}

TEST(FisherMetric, ShortWarmupFromTheMapMatchesTheStandardWarmup) {
  const ImagePosterior post = noisy_small_flagship();
  const auto& density = post.log_density();

  infer::SamplerOptions standard;
  standard.num_chains = 4;
  standard.num_warmup = 1000;
  standard.num_samples = 1000;
  standard.seed = 11;
  standard.quiet = true;
  standard.handle_sigint = false;
  // The posterior has far local modes (e.g. separation ~0.4" with large even-mode
  // aberrations) where random inits can strand a chain: both runs start at the MAP (best of 16
  // L-BFGS starts), so the comparison isolates the metric and the warmup.
  OptimizeOptions oo;
  oo.num_starts = 16;
  oo.seed = 11;
  const OptimizeResult map = optimize(post, oo);
  standard.init = {map.best_start().values};
  const infer::Run ref = infer::sample(density, standard);
  const infer::Summary a = infer::summarize(ref);

  const FisherResult f = fisher_information(post, map.best_start().values);
  infer::SamplerOptions fisher = standard;
  fisher.num_warmup = 200;
  // The even Zernike modes' posterior is wider than the Laplace approximation (a sign-flip
  // ridge, docs/fisher.md section 7): with the fixed metric they mix slowly (R-hat 1.017 after
  // 1000 draws per chain), so this run takes 3000 draws, still at about a quarter of the
  // standard run's gradient evaluations.
  fisher.num_samples = 3000;
  fisher.seed = 12;
  fisher.metric = infer::Metric::dense_e;
  fisher.inv_metric = f.laplace_unconstrained;
  fisher.adapt_metric = false;
  fisher.init = {map.best_start().values};
  const infer::Run run = infer::sample(density, fisher);
  const infer::Summary b = infer::summarize(run);

  ASSERT_EQ(a.rows.size(), b.rows.size());
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    const auto &x = a.rows[i], &y = b.rows[i];
    const double z_mean = (x.mean - y.mean) / std::hypot(x.mcse_mean, y.mcse_mean);
    const double z_sd = (x.sd - y.sd) / std::hypot(x.mcse_sd, y.mcse_sd);
    EXPECT_LT(std::fabs(z_mean), 4.0) << x.name << ": " << x.mean << " vs " << y.mean;
    EXPECT_LT(std::fabs(z_sd), 4.0) << x.name << ": sd " << x.sd << " vs " << y.sd;
    EXPECT_LT(y.rhat, 1.01) << y.name;
    std::printf("%-18s mean %12.6g / %12.6g  sd %10.4g / %10.4g  Laplace sd %10.4g  rhat %.4f\n",
                x.name.c_str(), x.mean, y.mean, x.sd, y.sd, f.laplace_sd[i], y.rhat);
  }
  EXPECT_EQ(b.num_divergent, 0);
  RecordProperty("gradients_standard", std::to_string(a.gradient_evaluations));
  RecordProperty("gradients_fisher", std::to_string(b.gradient_evaluations));
}

}  // namespace
}  // namespace airy::posterior
