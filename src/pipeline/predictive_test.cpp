// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief posterior.nc's per-pixel log likelihood (against the likelihood's own total),
/// replicates (against each noise model's mean and variance) and the size switches.
#include "pipeline/predictive.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "airy/config/build.hpp"
#include "airy/core/rng.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy::pipeline {
namespace {

using posterior::ImageLikelihood;
using posterior::LikelihoodKind;

RealImage ramp(int ny, int nx, double base) {
  RealImage m(ny, nx);
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) m(y, x) = base + 3.0 * y + 1.5 * x;
  }
  return m;
}

// Summed over the unmasked pixels, the pointwise values are the likelihood's total (its own
// formula and constants), for every kind, with a variance map and a mask; masked pixels NaN.
TEST(Predictive, PointwiseLogLikelihoodSumsToTheTotal) {
  const RealImage model = ramp(5, 6, 20.0);
  RealImage data = model;
  Rng rng(7, 0);
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    data.data()[i] = std::round(model.data()[i] + 4.0 * rng.normal());
  }
  posterior::PixelMask mask = posterior::PixelMask::Zero(5, 6);
  mask(1, 2) = 1;
  RealImage variance = RealImage::Constant(5, 6, 7.0);
  variance(4, 5) = 2.5;
  for (auto kind : {LikelihoodKind::kPoisson, LikelihoodKind::kGaussian,
                    LikelihoodKind::kPoissonGaussian, LikelihoodKind::kPoissonGaussianExact}) {
    for (bool with_map : {false, true}) {
      if (with_map && kind == LikelihoodKind::kPoisson) continue;
      SCOPED_TRACE(posterior::likelihood_name(kind) + (with_map ? " + variance map" : ""));
      posterior::PixelMaps maps;
      maps.mask = mask;
      if (with_map) maps.variance = variance;
      const ImageLikelihood like(kind, data, 3.0, maps);
      const PointwiseLikelihood pw(like);
      EXPECT_EQ(pw.num_unmasked(), 29u);
      std::vector<double> out(30);
      pw.evaluate(model, out.data());
      double sum = 0.0;
      for (std::size_t i = 0; i < out.size(); ++i) {
        if (i == 1 * 6 + 2) {
          EXPECT_TRUE(std::isnan(out[i]));
          continue;
        }
        sum += out[i];
      }
      RealImage bar;
      const double total = like.log_likelihood(model, bar);
      EXPECT_NEAR(sum, total, 1e-10 * std::fabs(total));
    }
  }
}

// Replicates have each noise model's mean and variance: mu = 50 photons, v = 9 photons^2.
TEST(Predictive, ReplicatesFollowTheNoiseModel) {
  const int n = 200;
  const RealImage model = RealImage::Constant(n, n, 50.0);
  struct Case {
    LikelihoodKind kind;
    double variance;
  };
  for (const Case& c : {Case{LikelihoodKind::kPoisson, 50.0}, Case{LikelihoodKind::kGaussian, 9.0},
                        Case{LikelihoodKind::kPoissonGaussian, 59.0},
                        Case{LikelihoodKind::kPoissonGaussianExact, 59.0}}) {
    SCOPED_TRACE(posterior::likelihood_name(c.kind));
    posterior::PixelMaps maps;
    maps.mask = posterior::PixelMask::Zero(n, n);
    maps.mask(0, 0) = 1;
    const ImageLikelihood like(c.kind, model, 3.0, maps);
    Rng rng(11, 3);
    std::vector<double> out(static_cast<std::size_t>(n * n));
    replicate(like, model, rng, out.data());
    EXPECT_TRUE(std::isnan(out[0]));
    double s = 0.0, s2 = 0.0;
    const double m = static_cast<double>(out.size() - 1);
    for (std::size_t i = 1; i < out.size(); ++i) s += out[i];
    const double mean = s / m;
    for (std::size_t i = 1; i < out.size(); ++i) s2 += (out[i] - mean) * (out[i] - mean);
    const double var = s2 / (m - 1.0);
    // Standard errors: sqrt(v / m) for the mean, ~ v sqrt(2 / m) for the variance; 5 sigma.
    EXPECT_NEAR(mean, 50.0, 5.0 * std::sqrt(c.variance / m));
    EXPECT_NEAR(var, c.variance, 5.0 * c.variance * std::sqrt(2.0 / m) + 0.5);
    if (c.kind == LikelihoodKind::kPoisson) {
      EXPECT_EQ(out[1], std::round(out[1]));  // counts
    }
  }
}

// The flagship posterior: dims and units of its parameters, the switches, and the groups of a
// run whose every draw is the truth (each log-likelihood draw sums to the likelihood there).
TEST(Predictive, GroupsOfTheFlagshipPosterior) {
  config::Config c = testing::short_flagship("unused");
  const model::Telescope t = config::build_telescope(c);
  const RealImage data = t.model();
  const posterior::ImagePosterior post = config::build_posterior(c, t, data);

  io::InferenceDataOptions nc;
  describe_parameters(c, post, nc);
  ASSERT_EQ(nc.observed.size(), 1u);
  EXPECT_EQ(nc.observed[0].name, "image");
  ASSERT_EQ(nc.dims.count("coefficients"), 1u);
  ASSERT_EQ(nc.dims["coefficients"].size(), 1u);
  EXPECT_EQ(nc.dims["coefficients"][0].name, "noll");
  EXPECT_EQ(nc.dims["coefficients"][0].coords,
            std::vector<long long>(c.optics.noll.begin(), c.optics.noll.end()));
  EXPECT_EQ(nc.units["separation"], "arcsec");

  // 2 chains x 3 draws: 8 bytes x 6 draws x npix pixels.
  const auto npix = static_cast<double>(data.size());
  config::OutputConfig o;
  o.posterior_predictive_draws = 4;
  o.auto_max_megabytes = 8.0 * 6.0 * npix / 1e6 * 1.001;
  PredictiveChoice choice = choose_predictive(o, post, 2, 3);
  EXPECT_TRUE(choice.log_likelihood) << choice.log_likelihood_reason;
  EXPECT_EQ(choice.predictive_draws, (std::vector<long long>{0, 1}));  // 4 / 2 chains
  o.auto_max_megabytes = 8.0 * 6.0 * npix / 1e6 * 0.999;
  EXPECT_FALSE(choose_predictive(o, post, 2, 3).log_likelihood);
  o.log_likelihood = "true";
  EXPECT_TRUE(choose_predictive(o, post, 2, 3).log_likelihood);
  o.posterior_predictive = "false";
  EXPECT_FALSE(choose_predictive(o, post, 2, 3).posterior_predictive);
  o.posterior_predictive_draws = 100;
  EXPECT_EQ(choose_predictive(o, post, 2, 10).predictive_draws.size(), 10u);

  infer::Run run;
  const std::vector<double> truth = post.current_values();
  for (int k = 0; k < 2; ++k) {
    infer::Chain ch;
    ch.id = k + 1;
    ch.names = post.log_density().output_names();
    ch.draws = RealMatrix::Zero(3, static_cast<Eigen::Index>(ch.names.size()));
    for (Eigen::Index r = 0; r < 3; ++r) {
      for (std::size_t j = 0; j < truth.size(); ++j) {
        ch.draws(r, static_cast<Eigen::Index>(j)) = truth[j];
      }
    }
    ch.stats.resize(3);
    run.chains.push_back(ch);
  }
  add_predictive_groups(post, run, choice, 5, 2, nc);
  ASSERT_TRUE(nc.log_likelihood && nc.posterior_predictive);
  const io::DrawArray& ll = nc.log_likelihood->arrays.at(0);
  EXPECT_EQ(ll.dims.at(0).name, "y");
  RealImage bar;
  const double total = post.likelihood(0).log_likelihood(data, bar);
  const auto n = static_cast<std::size_t>(data.size());
  for (std::size_t d = 0; d < 6; ++d) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += ll.values[d * n + i];
    EXPECT_NEAR(sum, total, 1e-9 * std::fabs(total));
  }
  const io::DrawArray& pp = nc.posterior_predictive->arrays.at(0);
  EXPECT_EQ(pp.values.size(), 2 * 2 * n);
  EXPECT_EQ(pp.units, "photon");
  // Same seed, another thread count: the same replicates.
  io::InferenceDataOptions again;
  describe_parameters(c, post, again);
  add_predictive_groups(post, run, choice, 5, 1, again);
  EXPECT_EQ(again.posterior_predictive->arrays.at(0).values, pp.values);
}

}  // namespace
}  // namespace airy::pipeline
