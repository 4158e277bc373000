// SPDX-License-Identifier: BSD-3-Clause
// How the cost of one gradient (render + pullback with respect to every source parameter and
// every Zernike coefficient) grows with the problem: pupil size N, PSF size M, number of
// wavelengths L and number of Zernike modes K, one axis at a time around the flagship
// (N = 128, M = 16, L = 5, K = 7, 2 stars). bench/scaling.sh runs it and draws the curves.
//
// Executed MFT FLOPs per evaluation (telescope_bench.cpp derives it): 8 L S (N^2 M + N M^2),
// so cost ~ N^2 at fixed M (plus the O(N^2 L) pupil passes), ~ M^2 once M approaches N, and
// ~ L; the K Zernike modes add one O(N^2) pass each to the phase screen and its pullback.
#include <benchmark/benchmark.h>

#include <numeric>

#include "airy/model/builder.hpp"
#include "model/render_pullback_bench.hpp"

namespace {

using airy::model::FlagshipOptions;

using airy::model::bench::time_render_pullback;

FlagshipOptions flagship() {
  FlagshipOptions o;
  o.spider_width = 0.1;
  o.coefficients = airy::RealVector::Constant(7, 10e-9);
  return o;
}

void BM_ScalePupil(benchmark::State& state) {
  FlagshipOptions o = flagship();
  o.wf_npixels = static_cast<int>(state.range(0));
  time_render_pullback(state, o);
}
BENCHMARK(BM_ScalePupil)->Arg(64)->Arg(128)->Arg(256)->Arg(512)->Unit(benchmark::kMillisecond);

void BM_ScalePsf(benchmark::State& state) {
  FlagshipOptions o = flagship();
  o.psf_npixels = static_cast<int>(state.range(0));
  time_render_pullback(state, o);
}
BENCHMARK(BM_ScalePsf)->Arg(16)->Arg(32)->Arg(64)->Arg(128)->Unit(benchmark::kMillisecond);

void BM_ScaleWavelengths(benchmark::State& state) {
  FlagshipOptions o = flagship();
  o.num_wavelengths = static_cast<int>(state.range(0));
  time_render_pullback(state, o);
}
BENCHMARK(BM_ScaleWavelengths)
    ->Arg(1)
    ->Arg(2)
    ->Arg(5)
    ->Arg(10)
    ->Arg(20)
    ->Unit(benchmark::kMillisecond);

// K Zernike modes, Noll 4 .. 3 + K: 6 + K sampled parameters.
void BM_ScaleZernikes(benchmark::State& state) {
  FlagshipOptions o = flagship();
  const int k = static_cast<int>(state.range(0));
  o.noll.resize(static_cast<std::size_t>(k));
  std::iota(o.noll.begin(), o.noll.end(), 4);
  o.coefficients = airy::RealVector::Constant(k, 10e-9);
  time_render_pullback(state, o);
}
BENCHMARK(BM_ScaleZernikes)
    ->Arg(1)
    ->Arg(3)
    ->Arg(7)
    ->Arg(15)
    ->Arg(31)
    ->Unit(benchmark::kMillisecond);

}  // namespace
