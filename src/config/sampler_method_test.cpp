// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief [sampler] method = "nuts" | "pt": each method's keys, the other method's keys as
/// errors naming the key, the PT keys' ranges, and the round trip through to_toml.
#include <gtest/gtest.h>

#include <string>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"

namespace airy::config {
namespace {

void expect_error(const std::string& text, std::initializer_list<std::string> fragments) {
  try {
    (void)parse_config(text, "test.toml");
    FAIL() << "expected InvalidArgument for:\n" << text;
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments) {
      EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in: " << msg;
    }
  }
}

TEST(SamplerMethod, DefaultsToNuts) {
  const Config c = parse_config("", "test.toml");
  EXPECT_EQ(c.sampler.method, "nuts");
  EXPECT_EQ(c.sampler.max_depth, 10);
}

TEST(SamplerMethod, PtKeysParse) {
  const Config c = parse_config(
      "[sampler]\nmethod = \"pt\"\nnum_chains = 3\npt_chains = 12\npt_rounds = 7\n"
      "pt_reference = \"gaussian\"\npt_gaussian_sd = 1.5\npt_gaussian_refit_round = 3\n"
      "pt_explorer_steps = 2\nmetric = \"unit_e\"\ndelta = 0.7\n",
      "test.toml");
  EXPECT_EQ(c.sampler.method, "pt");
  EXPECT_EQ(c.sampler.num_chains, 3);
  EXPECT_EQ(c.sampler.pt_chains, 12);
  EXPECT_EQ(c.sampler.pt_rounds, 7);
  EXPECT_EQ(c.sampler.pt_reference, "gaussian");
  EXPECT_DOUBLE_EQ(c.sampler.pt_gaussian_sd, 1.5);
  EXPECT_EQ(c.sampler.pt_gaussian_refit_round, 3);
  EXPECT_EQ(c.sampler.pt_explorer_steps, 2);
  EXPECT_EQ(c.sampler.metric, "unit_e");
  EXPECT_DOUBLE_EQ(c.sampler.delta, 0.7);
  // PT's own default tree depth: every scan waits for its slowest chain.
  EXPECT_EQ(c.sampler.max_depth, 8);
}

TEST(SamplerMethod, PtRoundTripsThroughToToml) {
  for (const char* text :
       {"[sampler]\nmethod = \"pt\"\npt_chains = 6\npt_rounds = 5\nmax_depth = 6\nseed = 9\n",
        "[sampler]\nmethod = \"pt\"\npt_reference = \"gaussian\"\npt_gaussian_sd = 0.5\n"}) {
    const Config c = parse_config(text, "test.toml");
    const Config back = parse_config(to_toml(c), "to_toml");
    EXPECT_EQ(back.sampler.method, "pt") << text;
    EXPECT_EQ(back.sampler.pt_chains, c.sampler.pt_chains);
    EXPECT_EQ(back.sampler.pt_rounds, c.sampler.pt_rounds);
    EXPECT_EQ(back.sampler.pt_reference, c.sampler.pt_reference);
    EXPECT_DOUBLE_EQ(back.sampler.pt_gaussian_sd, c.sampler.pt_gaussian_sd);
    EXPECT_EQ(back.sampler.max_depth, c.sampler.max_depth);
    EXPECT_EQ(back.sampler.seed, c.sampler.seed);
  }
  // A NUTS config still round-trips (no PT key written).
  const Config nuts = parse_config(flagship_toml(), "<embedded>");
  const std::string text = to_toml(nuts);
  EXPECT_EQ(text.find("pt_"), std::string::npos);
  const Config back = parse_config(text, "to_toml");
  EXPECT_EQ(back.sampler.init, "map");
  EXPECT_EQ(back.sampler.metric_init, "laplace");
  EXPECT_EQ(back.sampler.num_warmup, 2000);
}

TEST(SamplerMethod, UnknownMethodIsNamed) {
  expect_error("[sampler]\nmethod = \"smc\"\n", {"sampler.method", "smc", "\"nuts\" or \"pt\""});
}

TEST(SamplerMethod, NutsKeysAreErrorsUnderPt) {
  for (const char* key_value :
       {"num_warmup = 100", "num_samples = 100", "save_warmup = true", "thin = 2", "init = \"map\"",
        "map_starts = 4", "metric_init = \"laplace\""}) {
    const std::string key = std::string(key_value).substr(0, std::string(key_value).find(' '));
    expect_error(std::string("[sampler]\nmethod = \"pt\"\n") + key_value + "\n",
                 {"sampler." + key, "not used with method = \"pt\"", "method = \"nuts\""});
  }
}

TEST(SamplerMethod, PtKeysAreErrorsUnderNuts) {
  for (const char* key_value :
       {"pt_chains = 4", "pt_rounds = 4", "pt_reference = \"prior\"", "pt_explorer_steps = 2"}) {
    const std::string key = std::string(key_value).substr(0, std::string(key_value).find(' '));
    expect_error(std::string("[sampler]\n") + key_value + "\n",
                 {"sampler." + key, "not used", "method = \"pt\""});
  }
  // The gaussian reference's keys belong to it alone.
  expect_error(
      "[sampler]\nmethod = \"pt\"\npt_gaussian_sd = 1.0\n",
      {"sampler.pt_gaussian_sd", "pt_reference = \"prior\"", "pt_reference = \"gaussian\""});
}

TEST(SamplerMethod, PtValuesAreCheckedAndNamed) {
  const std::string pt = "[sampler]\nmethod = \"pt\"\n";
  expect_error(pt + "pt_chains = 1\n", {"sampler.pt_chains = 1", "[2, 4096]"});
  expect_error(pt + "pt_rounds = 0\n", {"sampler.pt_rounds = 0", "[1, 24]"});
  expect_error(pt + "pt_rounds = 25\n", {"sampler.pt_rounds = 25", "[1, 24]"});
  expect_error(pt + "pt_reference = \"flat\"\n",
               {"sampler.pt_reference", "flat", "\"prior\" or \"gaussian\""});
  expect_error(pt + "pt_reference = \"gaussian\"\npt_gaussian_sd = 0.0\n",
               {"sampler.pt_gaussian_sd", "must be > 0"});
  expect_error(pt + "pt_reference = \"gaussian\"\npt_gaussian_refit_round = 0\n",
               {"sampler.pt_gaussian_refit_round = 0"});
  expect_error(pt + "pt_explorer_steps = 0\n", {"sampler.pt_explorer_steps = 0"});
  expect_error(pt + "metric = \"dense_e\"\n",
               {"sampler.metric", "dense_e", "\"diag_e\" or \"unit_e\""});
  expect_error(pt + "metric = \"fisher\"\n", {"sampler.metric", "fisher"});
  expect_error(pt + "delta = 1.0\n", {"sampler.delta", "(0, 1)"});
}

}  // namespace
}  // namespace airy::config
