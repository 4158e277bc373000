// SPDX-License-Identifier: BSD-3-Clause
#include "progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace airy::infer::detail {
namespace {

using ::testing::HasSubstr;

TEST(Progress, LineShowsPhaseIterationsStepSizeLeapfrogsDivergencesRateAndEta) {
  ChainProgress p;
  p.started = true;
  p.warmup = false;
  p.iteration = 1500;
  p.total = 2000;
  p.stepsize = 0.612;
  p.leapfrogs = 7.0;
  p.accept = 0.834;
  p.treedepth = 2.9;
  p.divergences = 3;
  const auto now = std::chrono::steady_clock::now();
  p.start = now - std::chrono::seconds(3);
  const std::string line = format_progress_line(2, p, now);
  EXPECT_THAT(line, HasSubstr("chain 2 sampling"));
  EXPECT_THAT(line, HasSubstr("1500/2000"));
  EXPECT_THAT(line, HasSubstr("eps 0.612"));
  EXPECT_THAT(line, HasSubstr("leapfrog 7.0"));
  EXPECT_THAT(line, HasSubstr("acc 0.83"));
  EXPECT_THAT(line, HasSubstr("depth 2.9"));
  EXPECT_THAT(line, HasSubstr("div 3"));
  EXPECT_THAT(line, HasSubstr("500 it/s"));
  EXPECT_THAT(line, HasSubstr("ETA 0:01"));
  p.warmup = true;
  p.iteration = 10;
  EXPECT_THAT(format_progress_line(1, p, now), HasSubstr("warmup"));
  EXPECT_THAT(format_progress_line(1, ChainProgress{}, now), HasSubstr("waiting"));
}

// A finished chain keeps the elapsed time and rate it finished with (0:05 and 148 it/s must
// not become 0:12 and 65 it/s while other chains run on).
TEST(Progress, FinishedChainsStopTheirClock) {
  ChainProgress p;
  p.started = true;
  p.warmup = false;
  p.done = true;
  p.iteration = p.total = 1000;
  const auto now = std::chrono::steady_clock::now();
  p.start = now - std::chrono::seconds(12);
  p.end = p.start + std::chrono::seconds(4);
  const std::string line = format_progress_line(1, p, now);
  EXPECT_THAT(line, HasSubstr("250 it/s"));  // 1000 iterations / 4 s
  EXPECT_THAT(line, HasSubstr("elapsed 0:04"));
}

// Chains waiting for a core count in the overall ETA: the remaining iterations of every
// chain over the summed rate of the running ones.
TEST(Progress, OverallEtaCountsChainsWaitingForACore) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<ChainProgress> chains(3);
  for (int i = 0; i < 2; ++i) {
    chains[i].started = true;
    chains[i].total = 1000;
    chains[i].iteration = 100;
    chains[i].start = now - std::chrono::seconds(2);  // 50 it/s each
  }
  // Remaining: 900 + 900 + 1000 (waiting) = 2800 iterations at 100 it/s.
  EXPECT_NEAR(overall_eta_seconds(chains, now), 28.0, 1e-9);
  const std::string plain = format_plain_status(chains, false, now);
  EXPECT_THAT(plain, HasSubstr("ETA 0:28"));
  EXPECT_THAT(plain, HasSubstr("chain 3 waiting"));
  EXPECT_THAT(format_progress_line(3, chains[2], now), HasSubstr("waiting for a core"));
  EXPECT_TRUE(std::isnan(overall_eta_seconds(std::vector<ChainProgress>(2), now)));
}

// Off a terminal the divergence total counts post-warmup divergences only, so it never
// drops back when a chain leaves warmup.
TEST(Progress, PlainDivergenceTotalCountsSamplingOnlyAndNeverDropsBack) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<ChainProgress> chains(2);
  for (auto& c : chains) {
    c.started = true;
    c.total = 100;
    c.iteration = 40;
    c.warmup_divergences = 4;  // adaptation's divergences
    c.start = now - std::chrono::seconds(1);
  }
  EXPECT_THAT(format_plain_status(chains, false, now), HasSubstr("0 divergences"));
  chains[0].warmup = false;
  chains[0].iteration = 60;
  chains[0].divergences = 1;
  EXPECT_THAT(format_plain_status(chains, false, now), HasSubstr("1 divergences"));
  EXPECT_THAT(format_progress_line(1, chains[0], now), HasSubstr("div 1 (+4 in warmup)"));
}

TEST(Progress, PlainStatusLinesWhenNotATerminal) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressReporter r(2, false, 0.01, 0.01, f);
    ChainProgress p;
    p.started = true;
    p.iteration = 5;
    p.total = 10;
    r.update(0, p);
    r.update(1, p);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::rewind(f);
  char buf[4096] = {};
  const std::size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  const std::string out(buf, n);
  EXPECT_THAT(out, HasSubstr("10/20 iterations"));
  EXPECT_THAT(out, HasSubstr("finished"));
  EXPECT_EQ(out.find("\x1b["), std::string::npos);  // no cursor movement off a TTY
}

TEST(Progress, QuietPrintsNothing) {
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  {
    ProgressReporter r(1, true, 0.01, 0.01, f);
    r.update(0, ChainProgress{});
  }
  EXPECT_EQ(std::ftell(f), 0);
  std::fclose(f);
}

}  // namespace
}  // namespace airy::infer::detail
