// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy compare`: the Bayes factor of the flagship binary against a single point
/// source (same optics) on data simulated from the binary; identical models give a log Bayes
/// factor consistent with 0 within its error; bad input is named before anything runs; the
/// Bayes factor's arithmetic and its refusal of an improper prior.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

/// The flagship binary at npix 32 (psf_npix 16) under short PT: 2 runs x 8 chains x 6 rounds
/// (Lambda is about 5 here: the evidence is rough, within tens of nats, but the binary's
/// advantage is larger still).
config::Config small_binary(const std::string& out) {
  config::Config c = pipeline::testing::short_flagship(out);
  (void)pipeline::switch_to_pt(c);
  c.sampler.pt_chains = 8;
  c.sampler.pt_rounds = 6;
  c.sampler.max_depth = 5;
  return c;
}

/// The same telescope and priors with a single point source: the binary's separation,
/// position angle and contrast priors removed (the point source has none of them).
config::Config small_single_star(const std::string& out) {
  config::Config c = small_binary(out);
  c.source.type = "point";
  std::erase_if(c.priors, [](const config::PriorConfig& p) {
    return p.path == "source.separation" || p.path == "source.position_angle" ||
           p.path == "source.contrast";
  });
  return c;
}

TEST(Compare, BinaryDataFavourTheBinaryByAWideMargin) {
  const std::string out = pipeline::testing::fresh_dir("airy_compare_", "binary");
  const config::Config binary = small_binary(out);
  const auto sim = pipeline::simulate(binary, out);
  pipeline::CompareOptions o;
  o.data_path = sim.data_path;
  o.name_a = "binary";
  o.name_b = "single";
  const pipeline::CompareResult r =
      pipeline::compare(binary, small_single_star(out + "-single"), o);
  ASSERT_TRUE(r.complete);
  ASSERT_EQ(r.a.reports.size(), 2u);
  ASSERT_EQ(r.b.reports.size(), 2u);
  // The bookkeeping: log BF = log Z_A - log Z_B, errors in quadrature.
  EXPECT_DOUBLE_EQ(r.bayes_factor.log_bf, r.a.evidence.log_z - r.b.evidence.log_z);
  EXPECT_DOUBLE_EQ(r.bayes_factor.se, std::hypot(r.a.evidence.se, r.b.evidence.se));
  // Semi-resolved binary (separation 0.1" ~ 0.9 lambda/D, contrast 3.4, 3000 photons): a
  // single star leaves a residual the binary explains. "Very strong" on Kass & Raftery's
  // scale is log BF > 5; require well beyond it and beyond the error. (A long run, 2 x 14
  // chains x 8 rounds on this data, gives log BF = 55.34 +- 0.33, stepping stone and
  // thermodynamic integration agreeing within 0.05 for each model.)
  EXPECT_GT(r.bayes_factor.log_bf, 10.0) << r.text;
  EXPECT_GT(r.bayes_factor.log_bf, 10.0 * r.bayes_factor.se) << r.text;
  EXPECT_THAT(r.text, HasSubstr("very strong evidence for A"));
  EXPECT_THAT(r.text, HasSubstr("log Z_A = "));
  EXPECT_THAT(r.text, HasSubstr("log Z_B = "));
}

TEST(Compare, IdenticalModelsGiveLogBayesFactorNearZero) {
  // Two copies of one model (the single star on its own data) that differ only in the
  // seed: the two estimates of the same log Z agree within the combined error.
  // The single star with the optics fixed (3 parameters) and a ladder long enough for a
  // calibrated error (12 chains >= 2 Lambda ~ 10; 8 rounds: 256 scans in the last).
  const std::string out = pipeline::testing::fresh_dir("airy_compare_", "same");
  config::Config a = small_single_star(out);
  std::erase_if(a.priors, [](const config::PriorConfig& p) {
    return p.path == "optics.aperture.coefficients";
  });
  a.sampler.pt_chains = 12;
  a.sampler.pt_rounds = 8;
  const auto sim = pipeline::simulate(a, out);
  config::Config b = a;
  b.sampler.seed = a.sampler.seed + 1000;
  pipeline::CompareOptions o;
  o.data_path = sim.data_path;
  const pipeline::CompareResult r = pipeline::compare(a, b, o);
  ASSERT_TRUE(r.complete);
  ASSERT_GT(r.bayes_factor.se, 0.0);
  EXPECT_NE(r.a.evidence.log_z, r.b.evidence.log_z);  // two independent estimates
  EXPECT_LT(std::abs(r.bayes_factor.log_bf), 3.0 * r.bayes_factor.se) << r.text;
  // The error is a useful one: a fraction of a nat, not a blanket.
  EXPECT_LT(r.bayes_factor.se, 1.0) << r.text;
}

TEST(Compare, BadInputIsNamedBeforeAnythingRuns) {
  const std::string out = pipeline::testing::fresh_dir("airy_compare_", "bad");
  const config::Config binary = small_binary(out);
  pipeline::CompareOptions o;
  o.name_a = "a.toml";
  o.name_b = "b.toml";
  EXPECT_THAT([&] { (void)pipeline::compare(binary, binary, o); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("--data")));
  o.data_path = (fs::path(out) / "missing.fits").string();
  EXPECT_THAT([&] { (void)pipeline::compare(binary, binary, o); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("missing.fits")));
  config::Config bad = binary;
  bad.sampler.pt_chains = 1;
  const auto sim = pipeline::simulate(binary, out);
  o.data_path = sim.data_path;
  EXPECT_THAT([&] { (void)pipeline::compare(binary, bad, o); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("sampler.pt_chains = 1")));
}

TEST(BayesFactor, DifferenceWithErrorsInQuadrature) {
  infer::PtEvidence a, b;
  a.log_z = -10.0;
  a.se = 0.3;
  b.log_z = -14.5;
  b.se = 0.4;
  const pipeline::BayesFactor bf = pipeline::log_bayes_factor(a, b, "A.toml", "B.toml");
  EXPECT_DOUBLE_EQ(bf.log_bf, 4.5);
  EXPECT_DOUBLE_EQ(bf.se, 0.5);  // sqrt(0.09 + 0.16)
  EXPECT_EQ(pipeline::bayes_factor_words(4.5), "strong evidence for A");
  EXPECT_EQ(pipeline::bayes_factor_words(-0.5),
            "not worth more than a bare mention evidence for B");
  EXPECT_EQ(pipeline::bayes_factor_words(2.0), "positive evidence for A");
  EXPECT_EQ(pipeline::bayes_factor_words(-7.0), "very strong evidence for B");
}

TEST(BayesFactor, RefusesAnImproperPriorNamingTheModel) {
  infer::PtEvidence a, b;
  b.is_marginal_likelihood = false;
  EXPECT_THAT([&] { (void)pipeline::log_bayes_factor(a, b, "single.toml", "flat.toml"); },
              ::testing::ThrowsMessage<InvalidArgument>(::testing::AllOf(
                  HasSubstr("model flat.toml"), HasSubstr("is_marginal_likelihood = false"))));
  b.is_marginal_likelihood = true;
  a.log_z = std::nan("");
  EXPECT_THAT([&] { (void)pipeline::log_bayes_factor(a, b, "single.toml", "flat.toml"); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("model single.toml")));
}

}  // namespace
}  // namespace airy
