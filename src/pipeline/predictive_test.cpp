// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief posterior.nc's groups: replicates (against each noise model's mean and variance),
/// the size switches, and the per-pixel log likelihood of one and of several masked exposures
/// (against the likelihood's own total; posterior/pointwise_test.cpp checks the values).
#include "pipeline/predictive.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "airy/config/build.hpp"
#include "airy/core/rng.hpp"
#include "pipeline/short_flagship_test_util.hpp"
#include "pipeline/summary_table.hpp"

namespace airy::pipeline {
namespace {

using posterior::ImageLikelihood;
using posterior::LikelihoodKind;

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

// Two exposures of a small point source, exposure "b" with a variance map, a masked pixel and
// a NaN pixel, each with its own sampled read noise or background: observed_data leaves the
// masked pixels out (NaN), log_likelihood has b over its unmasked pixels and the joint
// `image` over every unmasked pixel of both (equal to the per-exposure values, summing to
// the posterior's likelihood at each draw), posterior_predictive is NaN where b is masked.
TEST(Predictive, GroupsOfTwoMaskedExposures) {
  const char* toml = R"(
[optics]
npix = 24
diameter = 1.0
psf_npix = 8
psf_pixel_scale = 0.05
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
[source]
type = "point"
log_flux = 4.0
[[detector.layers]]
type = "background"
value = 5.0
[likelihood]
kind = "poisson_gaussian"
sigma = 3.0
[priors."source.x_position"]
dist = "normal"
loc = 0.0
scale = 0.05
[priors."exposures.a.detector.read_noise"]
dist = "log_normal"
loc = 1.0
scale = 0.3
[priors."exposures.*.detector.background.value"]
dist = "normal"
loc = 5.0
scale = 2.0
[[exposures]]
name = "a"
[[exposures]]
name = "b"
dither = [0.02, 0.0]
)";
  const config::Config c = config::parse_config(toml, "two.toml");
  const auto telescopes = config::build_exposure_telescopes(c);
  std::vector<RealImage> data = {telescopes[0].model(), telescopes[1].model()};
  data[1](2, 3) = std::numeric_limits<double>::quiet_NaN();
  data[1](5, 1) = 1e6;  // a flagged (cosmic-ray) pixel: masked, no data
  std::vector<posterior::PixelMaps> maps(2);
  maps[1].variance = RealImage::Constant(8, 8, 4.0);
  maps[1].mask = posterior::PixelMask::Zero(8, 8);
  maps[1].mask(5, 1) = 1;
  const posterior::ImagePosterior post =
      config::build_posterior(c, telescopes, data, std::move(maps));
  ASSERT_EQ(post.num_exposures(), 2);
  ASSERT_EQ(post.likelihood(1).num_masked(), 2);
  ASSERT_GE(post.read_noise_index(0), 0);

  io::InferenceDataOptions nc;
  describe_parameters(c, post, nc);
  ASSERT_EQ(nc.observed.size(), 2u);
  EXPECT_EQ(nc.observed[0].name, "image_a");
  EXPECT_EQ(nc.observed[1].name, "image_b");
  EXPECT_TRUE(std::isnan(nc.observed[1].image(2, 3)));
  EXPECT_TRUE(std::isnan(nc.observed[1].image(5, 1)));  // not the flagged 1e6
  EXPECT_EQ(nc.observed[1].image(0, 0), data[1](0, 0));
  EXPECT_TRUE(nc.observed[0].image.allFinite());
  EXPECT_EQ(nc.units["value_e1"], "photon");  // the background's "photons", as astropy spells it

  // Each chain's draws: the truth with the read noise and b's background moved.
  infer::Run run;
  const std::vector<double> truth = post.current_values();
  const auto names = post.log_density().output_names();
  const std::size_t dim = truth.size();
  std::vector<std::vector<double>> values;
  for (int k = 0; k < 2; ++k) {
    infer::Chain ch;
    ch.id = k + 1;
    ch.names = names;
    ch.draws = RealMatrix::Zero(3, static_cast<Eigen::Index>(dim));
    for (Eigen::Index r = 0; r < 3; ++r) {
      std::vector<double> v = truth;
      v[static_cast<std::size_t>(post.read_noise_index(0))] =
          2.0 + 0.5 * static_cast<double>(r + k);
      v.back() += 0.3 * static_cast<double>(r - k);
      for (std::size_t j = 0; j < dim; ++j) ch.draws(r, static_cast<Eigen::Index>(j)) = v[j];
      values.push_back(v);
    }
    ch.stats.resize(3);
    run.chains.push_back(ch);
  }
  config::OutputConfig o;
  o.posterior_predictive_draws = 4;
  const PredictiveChoice choice = choose_predictive(o, post, 2, 3);
  add_predictive_groups(post, run, choice, 5, 2, nc);
  ASSERT_TRUE(nc.log_likelihood && nc.posterior_predictive);
  const auto& arrays = nc.log_likelihood->arrays;
  ASSERT_EQ(arrays.size(), 3u);
  EXPECT_EQ(arrays[0].name, "image");
  EXPECT_EQ(arrays[1].name, "image_a");
  EXPECT_EQ(arrays[2].name, "image_b");
  ASSERT_EQ(arrays[1].dims.size(), 2u);  // (y, x): nothing masked
  ASSERT_EQ(arrays[2].dims.size(), 1u);
  EXPECT_EQ(arrays[2].dims[0].name, "pixel_image_b");
  EXPECT_EQ(arrays[2].dims[0].size(), 62u);
  EXPECT_EQ(arrays[2].dims[0].coords[0], 0);
  ASSERT_EQ(arrays[0].dims.size(), 1u);
  EXPECT_EQ(arrays[0].dims[0].name, "pixel");
  EXPECT_EQ(arrays[0].dims[0].size(), 64u + 62u);
  for (std::size_t t = 0; t < 6; ++t) {
    double joint = 0.0, split = 0.0;
    for (std::size_t i = 0; i < 126; ++i) {
      const double v = arrays[0].values[t * 126 + i];
      ASSERT_TRUE(std::isfinite(v));
      joint += v;
      const double want =
          i < 64 ? arrays[1].values[t * 64 + i] : arrays[2].values[t * 62 + (i - 64)];
      EXPECT_EQ(v, want);
      split += want;
    }
    // The posterior's log likelihood at the draw: log density minus log prior (site units).
    const auto& ld = post.log_density();
    std::vector<double> theta(static_cast<std::size_t>(ld.dim())), g(theta.size()),
        gp(theta.size());
    ASSERT_TRUE(ld.unconstrain(values[t], theta));
    auto ws = ld.make_workspace();
    const double loglik =
        ld.log_density_gradient(theta, g, ws.get()) - ld.log_prior_gradient(theta, gp);
    EXPECT_NEAR(joint, loglik, 1e-9 * std::fabs(loglik)) << t;
    EXPECT_EQ(joint, split);
  }
  const io::DrawArray& pp = nc.posterior_predictive->arrays.at(1);
  EXPECT_EQ(pp.name, "image_b");
  EXPECT_EQ(pp.values.size(), 2u * 2u * 64u);
  for (std::size_t s = 0; s < 4; ++s) {
    EXPECT_TRUE(std::isnan(pp.values[s * 64 + 2 * 8 + 3]));
    EXPECT_TRUE(std::isnan(pp.values[s * 64 + 5 * 8 + 1]));
    EXPECT_TRUE(std::isfinite(pp.values[s * 64]));
  }
}

// Star positions and a flat field keep their structure in the run's names: positions[s,a]
// (a = 1: x, 2: y) and map[y,x], 1-based, which the NetCDF writer groups into the (star, axis)
// and (map_y, map_x) arrays describe_parameters names, and the summary table labels by path.
TEST(Predictive, StructuredNamesOfPositionsAndMaps) {
  const char* toml = R"(
[optics]
npix = 24
diameter = 1.0
psf_npix = 4
psf_pixel_scale = 0.05
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
[source]
type = "points"
positions_x = [-0.03, 0.02, 0.05]
positions_y = [0.01, -0.04, 0.0]
log_fluxes = [4.0, 3.5, 3.8]
[[detector.layers]]
type = "pixel_response"
[priors."source.positions"]
dist = "normal"
loc = 0.0
scale = 0.1
[priors."detector.pixel_response.map"]
dist = "normal"
loc = 1.0
scale = 0.05
)";
  const config::Config c = config::parse_config(toml, "points.toml");
  const model::Telescope t = config::build_telescope(c);
  const posterior::ImagePosterior post = config::build_posterior(c, t, t.model());
  const std::vector<std::string> flat = post.log_density().output_names();
  const std::vector<std::string> names = structured_output_names(c, post);
  ASSERT_EQ(names.size(), 6u + 16u);
  ASSERT_EQ(flat[2], "positions[3]");
  EXPECT_EQ(names[0], "positions[1,1]");
  EXPECT_EQ(names[1], "positions[1,2]");
  EXPECT_EQ(names[2], "positions[2,1]");
  EXPECT_EQ(names[5], "positions[3,2]");
  EXPECT_EQ(names[6], "map[1,1]");
  EXPECT_EQ(names[6 + 4 * 2 + 1], "map[3,2]");  // row-major: y = 3, x = 2
  EXPECT_EQ(names[21], "map[4,4]");
  // positions[s,1] is star s's x, positions[s,2] its y (the configured values).
  const std::vector<double> v = post.current_values();
  EXPECT_DOUBLE_EQ(v[2], 0.02);   // positions[2,1]
  EXPECT_DOUBLE_EQ(v[3], -0.04);  // positions[2,2]

  io::InferenceDataOptions nc;
  describe_parameters(c, post, nc);
  const std::vector<io::GroupedVariable> vars = io::group_names(names);
  ASSERT_EQ(vars.size(), 2u);
  EXPECT_EQ(vars[0].name, "positions");
  EXPECT_EQ(vars[0].shape, (std::vector<std::size_t>{3, 2}));
  EXPECT_EQ(nc.dims.at("positions")[0].name, "star");
  EXPECT_EQ(nc.dims.at("positions")[1].labels, (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(vars[1].name, "map");
  EXPECT_EQ(vars[1].shape, (std::vector<std::size_t>{4, 4}));
  EXPECT_EQ(vars[1].columns[4 * 2 + 1], 6 + 4 * 2 + 1);
  EXPECT_EQ(nc.dims.at("map")[0].name, "map_y");

  const infer::SummaryOptions o = summary_columns(post, {}, names);
  EXPECT_EQ(o.labels[2], "source.positions[2,1]");
  EXPECT_EQ(o.labels[6 + 4 * 2 + 1], "detector.pixel_response.map[3,2]");
  EXPECT_EQ(summary_columns(post, {}).labels[2], "source.positions[3]");  // the sampler's
}

}  // namespace
}  // namespace airy::pipeline
