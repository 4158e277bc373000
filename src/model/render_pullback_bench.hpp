// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Benchmark helper of airy_model_bench: times one render + pullback of a flagship
/// telescope with respect to every source parameter and every Zernike coefficient.
///
/// Counters: evals/s; "GFLOP/s", the executed MFT products 8 L S (N^2 M + N M^2) per
/// evaluation (derivation in telescope_bench.cpp); "equiv GFLOP/s", the plain complex
/// algorithm's 8 L S (2 N^2 M + 2 N M^2); "parameters", the number of bound parameters.
#pragma once

#include <benchmark/benchmark.h>

#include "airy/model/builder.hpp"

namespace airy::model::bench {

inline void time_render_pullback(benchmark::State& state, const FlagshipOptions& o) {
  const Telescope t = flagship_telescope(o);
  const ParameterSet set = t.bind({"source.x_position", "source.y_position", "source.separation",
                                   "source.position_angle", "source.log_flux", "source.contrast",
                                   "optics.aperture.coefficients"});
  auto ws = t.make_workspace(set);
  RealVector x = t.values(set), g(set.size());
  RealImage image, image_bar = RealImage::Ones(o.psf_npixels, o.psf_npixels);
  for (auto _ : state) {
    t.render(set, std::span<const double>(x.data(), x.size()), *ws, image);
    t.pullback(set, image_bar, *ws, std::span<double>(g.data(), g.size()));
    benchmark::DoNotOptimize(g.data());
  }
  const double n = o.wf_npixels, m = o.psf_npixels, l = o.num_wavelengths, s = 2;
  const double flops = 8 * l * s * (n * n * m + n * m * m);
  const double it = static_cast<double>(state.iterations());
  state.counters["evals/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9 * it, benchmark::Counter::kIsRate);
  state.counters["equiv GFLOP/s"] =
      benchmark::Counter(2 * flops * 1e-9 * it, benchmark::Counter::kIsRate);
  state.counters["parameters"] = static_cast<double>(set.size());
}

}  // namespace airy::model::bench
