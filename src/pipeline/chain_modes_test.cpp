// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief chain_modes(): chains drawn from one distribution form one group; chains drawn
/// from separate modes are grouped, named, and their means and lp__ given; the per-chain
/// mean table holds each chain's own mean.
#include "pipeline/chain_modes.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "airy/core/rng.hpp"

namespace airy::pipeline {
namespace {

using ::testing::HasSubstr;

/// A chain of n draws of (a, b): a ~ N(mu_a, 1), b ~ N(0, 1) (independent), lp__ = lp.
infer::Chain gaussian_chain(int id, double mu_a, double lp, int n, std::uint64_t seed) {
  Rng rng(seed, static_cast<std::uint64_t>(id));
  infer::Chain ch;
  ch.id = id;
  ch.names = {"a", "b"};
  ch.draws.resize(n, 2);
  ch.stats.resize(static_cast<std::size_t>(n));
  for (int r = 0; r < n; ++r) {
    ch.draws(r, 0) = mu_a + rng.normal();
    ch.draws(r, 1) = rng.normal();
    ch.stats[static_cast<std::size_t>(r)].lp = lp;
  }
  return ch;
}

TEST(ChainModes, ChainsOfOneDistributionFormOneGroup) {
  // Four chains of 500 draws of the same distribution: two 90% intervals of N(0, 1) fail to
  // overlap only if one chain's 95% quantile falls below another's 5% quantile, a 3.3 sd
  // event for each at n = 500 (the quantiles' sd is about 0.08).
  infer::Run run;
  for (int id = 1; id <= 4; ++id) run.chains.push_back(gaussian_chain(id, 0.0, -1.0, 500, 11));
  const ChainModes m = chain_modes(run);
  ASSERT_EQ(m.groups.size(), 1u);
  EXPECT_EQ(m.groups[0], (std::vector<int>{1, 2, 3, 4}));
  EXPECT_TRUE(m.warning.empty());
  const std::string report = chain_mode_report(run);
  EXPECT_THAT(report, HasSubstr("Per-chain means"));
  EXPECT_THAT(report, ::testing::Not(HasSubstr("different modes")));
}

TEST(ChainModes, ChainsInSeparateModesAreNamed) {
  // Chains 1 and 3 at a = 0, chains 2 and 4 at a = 8 (8 sd apart; b agrees everywhere).
  infer::Run run;
  run.chains.push_back(gaussian_chain(1, 0.0, -10.0, 400, 5));
  run.chains.push_back(gaussian_chain(2, 8.0, -13.5, 400, 5));
  run.chains.push_back(gaussian_chain(3, 0.0, -10.0, 400, 5));
  run.chains.push_back(gaussian_chain(4, 8.0, -13.5, 400, 5));
  const ChainModes m = chain_modes(run);
  ASSERT_EQ(m.groups.size(), 2u);
  EXPECT_EQ(m.groups[0], (std::vector<int>{1, 3}));
  EXPECT_EQ(m.groups[1], (std::vector<int>{2, 4}));
  ASSERT_EQ(m.differences.size(), 1u);
  // The coordinate that separates them comes first; lp__ of each group.
  EXPECT_THAT(m.differences[0], HasSubstr("chains 1, 3 vs 2, 4: a "));
  EXPECT_THAT(m.differences[0], HasSubstr("mean lp__ -10.00 vs -13.50"));
  EXPECT_THAT(m.warning, HasSubstr("chains sit in different modes: 2 groups"));
  EXPECT_THAT(m.warning, HasSubstr("{1, 3} {2, 4}"));
}

TEST(ChainModes, TableHoldsEachChainsMean) {
  infer::Run run;
  for (int id = 1; id <= 2; ++id) {
    infer::Chain ch;
    ch.id = id;
    ch.names = {"x"};
    ch.draws.resize(6, 1);
    ch.stats.resize(6);
    // Two warmup rows (100, excluded), then chain 1: 1, 2, 3, 4 (mean 2.5, lp__ -1) and
    // chain 2: 10, 20, 30, 40 (mean 25, lp__ -2).
    const double scale = id == 1 ? 1.0 : 10.0;
    ch.num_warmup_saved = 2;
    ch.draws << 100.0, 100.0, scale, 2.0 * scale, 3.0 * scale, 4.0 * scale;
    for (int r = 0; r < 6; ++r) ch.stats[static_cast<std::size_t>(r)].lp = r < 2 ? 99.0 : -id;
    run.chains.push_back(ch);
  }
  const std::string report = chain_mode_report(run);
  EXPECT_THAT(report, HasSubstr(fmt::format("{:<4} {:>12} {:>12}\n", "x", "2.5", "25")));
  EXPECT_THAT(report, HasSubstr(fmt::format("{:<4} {:>12} {:>12}\n", "lp__", "-1", "-2")));
  // [1, 4] and [10, 40]: disjoint intervals, two groups.
  EXPECT_THAT(report, HasSubstr("chains 1 vs 2: x 2.5 vs 25"));
  // One chain, or too few draws: nothing to compare.
  run.chains.pop_back();
  EXPECT_EQ(chain_mode_report(run), "");
}

}  // namespace
}  // namespace airy::pipeline
