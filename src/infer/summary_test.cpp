// SPDX-License-Identifier: BSD-3-Clause
// summarize() on the runs that `airy summary` may read back from damaged or interrupted CSV
// files (found by fuzz/fuzz_csv.cpp, docs/reliability.md §Fuzzing): no crash, no undefined
// behaviour, NaN where a statistic does not exist.
#include "airy/infer/summary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "airy/infer/diagnostics.hpp"

namespace airy::infer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Chain chain_of(int rows, int warmup) {
  constexpr int columns = 2;
  Chain c;
  c.names = {"alpha", "beta"};
  c.draws.resize(rows, columns);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < columns; ++j) c.draws(i, j) = std::sin(0.9 * i + j);
  }
  c.stats.resize(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) c.stats[static_cast<std::size_t>(i)].energy = std::cos(1.7 * i);
  c.num_warmup_saved = warmup;
  return c;
}

TEST(Summary, ChainsWithoutPostWarmupDrawsGiveEmptyRows) {
  // A run interrupted before its first draw: CSV header only (0 rows), or warmup rows only.
  for (const Chain& c : {chain_of(0, 0), chain_of(5, 5)}) {
    airy::infer::Run run;
    run.chains = {c, c};
    const Summary s = summarize(run);
    ASSERT_EQ(s.rows.size(), 2u);
    EXPECT_EQ(s.draws_per_chain, 0);
    EXPECT_EQ(chain_draws(run, 1).rows(), 0);
    EXPECT_FALSE(format_summary(s).empty());
  }
}

// The table's optional columns: full names, a unit column, a truth column where truths exist.
TEST(Summary, TableShowsLabelsUnitsAndTruths) {
  airy::infer::Run run;
  run.chains = {chain_of(50, 0), chain_of(50, 0)};
  const Summary s = summarize(run);
  SummaryOptions o;
  o.labels = {"source.alpha", ""};
  o.units = {"arcsec", "1"};
  o.truth = {{"beta", 0.125}};
  const std::string text = format_summary(s, o);
  const auto header = text.substr(0, text.find('\n', 1));
  EXPECT_NE(header.find("unit"), std::string::npos) << text;
  EXPECT_NE(header.find("truth"), std::string::npos) << text;
  const auto alpha = text.find("source.alpha");
  ASSERT_NE(alpha, std::string::npos) << text;
  EXPECT_NE(text.find("arcsec", alpha), std::string::npos);
  const auto beta = text.find("\nbeta ");
  ASSERT_NE(beta, std::string::npos) << text;
  EXPECT_NE(text.substr(beta, text.find('\n', beta + 1) - beta).find("0.125"), std::string::npos);
  // Without truths there is no truth column; without units no unit column.
  const std::string plain = format_summary(s);
  EXPECT_EQ(plain.find("truth"), std::string::npos);
  EXPECT_EQ(plain.find("unit"), std::string::npos);
}

TEST(Summary, NanDrawsGiveNanQuantilesNotACrash) {
  // std::sort with NaN has no strict weak order: the quantiles must not sort such draws.
  Chain c = chain_of(200, 0);
  for (int i = 0; i < 200; i += 3) c.draws(i, 0) = kNaN;
  airy::infer::Run run;
  run.chains = {c, c};
  const Summary s = summarize(run);
  EXPECT_TRUE(std::isnan(s.rows[0].median));
  EXPECT_TRUE(std::isnan(s.rows[0].q5));
  EXPECT_TRUE(std::isnan(s.rows[0].q95));
  EXPECT_TRUE(std::isnan(s.rows[0].rhat));
  // The finite column is unaffected.
  EXPECT_TRUE(std::isfinite(s.rows[1].median));
  EXPECT_TRUE(std::isfinite(s.rows[1].ess_bulk));
}

TEST(Summary, QuantileOfNothingIsNan) {
  EXPECT_TRUE(std::isnan(quantile(ChainDraws(0, 2), 0.5)));
  ChainDraws x(3, 1);
  x << 1.0, kNaN, 3.0;
  EXPECT_TRUE(std::isnan(median(x)));
  x(1, 0) = 2.0;
  EXPECT_EQ(median(x), 2.0);
}

}  // namespace
}  // namespace airy::infer
