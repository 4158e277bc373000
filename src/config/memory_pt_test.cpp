// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The memory estimate of a parallel tempering config: one workspace per replica
/// (the workspace itself is checked against measured RSS in validation_test.cpp).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "airy/core/error.hpp"

namespace airy::config {
namespace {

using ::testing::HasSubstr;

Config flagship_32(const std::string& sampler) {
  std::string text(flagship_toml());
  // The flagship's [sampler] table replaced (its NUTS keys are errors with method = "pt").
  const auto at = text.find("[sampler]");
  const auto end = text.find("\n[", at + 1);
  text = text.substr(0, at) + sampler + text.substr(end);
  Config c = parse_config(text, "run.toml");
  c.optics.npix = 32;
  return c;
}

TEST(MemoryEstimate, ParallelTemperingCountsAWorkspacePerReplica) {
  const int d = 13;  // the flagship's output coordinates
  const Config nuts = flagship_32("[sampler]\nnum_chains = 2\n");
  const Config pt =
      flagship_32("[sampler]\nmethod = \"pt\"\nnum_chains = 2\npt_chains = 10\npt_rounds = 6\n");
  const MemoryEstimate a = estimate_memory(nuts, d);
  const MemoryEstimate b = estimate_memory(pt, d);
  EXPECT_EQ(a.model, b.model);
  EXPECT_EQ(a.build_peak, b.build_peak);
  // 10 workspaces, the replicas' per-chain moments and their gathered copy (2 R^2 (1 + 2d)
  // doubles), the round's record (3 x 64 scans x 10 chains doubles).
  const double extra = 2.0 * 10 * 10 * (1 + 2 * d) * 8 + 3.0 * 64 * 10 * 8;
  EXPECT_NEAR(static_cast<double>(b.per_chain), 10.0 * static_cast<double>(a.per_chain) + extra,
              2.0);  // the integer conversions
  // 2^6 kept draws of 13 coordinates and 7 statistics.
  EXPECT_EQ(b.draws_per_chain, 64U * (13U + 7U) * 8U);
  EXPECT_EQ(b.total(2), b.model + 2 * (b.per_chain + b.draws_per_chain));
}

TEST(MemoryEstimate, ParallelTemperingNamesPtChainsWhenTooLarge) {
  const Config pt =
      flagship_32("[sampler]\nmethod = \"pt\"\nnum_chains = 1\npt_chains = 64\npt_rounds = 4\n");
  const MemoryEstimate est = estimate_memory(pt, 13);
  EXPECT_NO_THROW(check_memory(pt, 1, 13, est.total(1)));
  try {
    check_memory(pt, 1, 13, est.total(1) - 1);
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("sampler.pt_chains = 64 replicas"));
    EXPECT_THAT(e.what(), HasSubstr("mpirun -np K"));
  }
}

}  // namespace
}  // namespace airy::config
