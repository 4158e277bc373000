// SPDX-License-Identifier: BSD-3-Clause
// Hot-path rule (design.md §3): once a workspace exists, render + pullback allocate nothing.
// Counts every global operator new and (outside sanitizer builds, which intercept malloc
// themselves) every malloc/calloc/realloc, which also catches Eigen's own allocations
// (model/allocation_counter.hpp).
#include <gtest/gtest.h>

#include "airy/model/builder.hpp"
#include "model/allocation_counter.hpp"

namespace airy::model {
namespace {

TEST(HotPath, RenderAndPullbackDoNotAllocateAfterWarmUp) {
  FlagshipOptions o;
  o.coefficients = RealVector::Constant(7, 10e-9);
  o.jitter_sigma = 0.8;
  o.pixel_response = true;
  o.background = 1.0;
  const Telescope t = flagship_telescope(o);
  std::vector<std::string> paths;
  for (const auto& p : t.parameters()) paths.push_back(p.path);
  const ParameterSet set = t.bind(paths);
  auto ws = t.make_workspace(set);
  RealVector x = t.values(set), g(set.size());
  RealImage image, image_bar = RealImage::Ones(16, 16);
  t.render(set, std::span<const double>(x.data(), x.size()), *ws, image);  // warm-up
  t.pullback(set, image_bar, *ws, std::span<double>(g.data(), g.size()));
  g_allocations = 0;
  g_counting = true;
  for (int k = 0; k < 3; ++k) {
    x[2] += 1e-3;  // separation
    t.render(set, std::span<const double>(x.data(), x.size()), *ws, image);
    t.pullback(set, image_bar, *ws, std::span<double>(g.data(), g.size()));
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0);
  // The counter itself works (Eigen allocates with malloc, std::vector with operator new).
  g_counting = true;
  auto* probe = new std::vector<double>(100);
#ifdef AIRY_COUNTS_MALLOC
  RealImage eigen_probe(40, 40);
  eigen_probe.setZero();
#endif
  g_counting = false;
  delete probe;
  EXPECT_GE(g_allocations.load(), 1);
#ifdef AIRY_COUNTS_MALLOC
  g_allocations = 0;
  g_counting = true;
  RealImage eigen_probe2(30, 30);
  g_counting = false;
  eigen_probe2.setZero();
  EXPECT_GE(g_allocations.load(), 1 + static_cast<long>(eigen_probe2(0, 0) + eigen_probe(0, 0)));
#endif
#ifndef AIRY_COUNTS_MALLOC
  std::printf("note: malloc is not counted in sanitizer builds (operator new only)\n");
#endif
}

}  // namespace
}  // namespace airy::model
