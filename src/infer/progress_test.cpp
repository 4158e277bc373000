// SPDX-License-Identifier: BSD-3-Clause
#include "progress.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

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
  p.divergences = 3;
  const auto now = std::chrono::steady_clock::now();
  p.start = now - std::chrono::seconds(3);
  const std::string line = format_progress_line(2, p, now);
  EXPECT_THAT(line, HasSubstr("chain 2 sampling"));
  EXPECT_THAT(line, HasSubstr("1500/2000"));
  EXPECT_THAT(line, HasSubstr("eps 0.612"));
  EXPECT_THAT(line, HasSubstr("leapfrog 7.0"));
  EXPECT_THAT(line, HasSubstr("div 3"));
  EXPECT_THAT(line, HasSubstr("500 it/s"));
  EXPECT_THAT(line, HasSubstr("ETA 0:01"));
  p.warmup = true;
  p.iteration = 10;
  EXPECT_THAT(format_progress_line(1, p, now), HasSubstr("warmup"));
  EXPECT_THAT(format_progress_line(1, ChainProgress{}, now), HasSubstr("waiting"));
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
