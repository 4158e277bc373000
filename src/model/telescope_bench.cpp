// SPDX-License-Identifier: BSD-3-Clause
// One render + pullback of the flagship telescope (128 px pupil, 16 px PSF, 2 stars x 5
// wavelengths, all parameters bound).
//
// FLOP count, per evaluation, with N = 128 pupil px, M = 16 output px, S = 2 stars,
// L = 5 wavelengths (complex multiply-add = 8 real flops, real = 2):
//   forward  per wavelength: P [N x N] diag(e_x) B  as two real GEMMs using the conjugate
//                            symmetry of B about the pupil centre:  2 x (2N x N/2 x S M)
//                            A_s [M x N] . S_s [N x M], each star, as two real GEMMs using
//                            the symmetry of A:                     2 x (M x N/2 x 2M)
//   pullback per wavelength: A^H [N x M] . G_s [M x M], each star   2 x (N/2 x M x 2M)
//                            U_s B_s^H as two real GEMMs, each star  2 x (2N x M x N/2)
//   executed = 8 L S (N^2 M + N M^2) = 23.6 MFLOP ("GFLOP/s" counter);
//   the plain complex algorithm is 8 L S (2 N^2 M + 2 N M^2) = 47.2 MFLOP ("equiv GFLOP/s").
// The pointwise work (phasors, Zernike OPD, tilts, reductions) is not counted.
#include <benchmark/benchmark.h>

#include "airy/model/builder.hpp"
#include "model/render_pullback_bench.hpp"

namespace {

void BM_FlagshipRenderPullback(benchmark::State& state) {
  airy::model::FlagshipOptions o;
  o.coefficients = airy::RealVector::Constant(7, 10e-9);
  airy::model::bench::time_render_pullback(state, o);
}
BENCHMARK(BM_FlagshipRenderPullback)->Unit(benchmark::kMillisecond);

void BM_FlagshipRenderOnly(benchmark::State& state) {
  using namespace airy;
  model::FlagshipOptions o;
  o.coefficients = RealVector::Constant(7, 10e-9);
  const model::Telescope t = model::flagship_telescope(o);
  const model::ParameterSet set = t.bind({"source.separation"});
  auto ws = t.make_workspace(set);
  RealVector x = t.values(set);
  RealImage image;
  for (auto _ : state) {
    t.render(set, std::span<const double>(x.data(), x.size()), *ws, image);
    benchmark::DoNotOptimize(image.data());
  }
  state.counters["evals/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FlagshipRenderOnly)->Unit(benchmark::kMillisecond);

}  // namespace
