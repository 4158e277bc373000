// SPDX-License-Identifier: BSD-3-Clause
// MFT of an N x N pupil to an M x M focal plane, forward and pullback.
// FLOPs (complex multiply-add = 8): forward N^2 M + N M^2 cMAC (E.B then A.(E B)),
// pullback N M^2 + N^2 M cMAC.
#include <benchmark/benchmark.h>

#include "airy/optics/mft.hpp"

namespace {

void run(benchmark::State& state, bool pullback) {
  using namespace airy;
  const int n = static_cast<int>(state.range(0)), m = static_cast<int>(state.range(1));
  const optics::Mft mft({n, 1.0 / n, m, 0.03 * 4.8e-6 / 2, 585e-9});
  ComplexImage e = ComplexImage::Random(n, n), out = ComplexImage::Random(m, m), e_bar;
  ComplexMatrix tmp;
  for (auto _ : state) {
    if (pullback) {
      mft.pullback(out, e_bar, tmp);
      benchmark::DoNotOptimize(e_bar.data());
    } else {
      mft.forward(e, out, tmp);
      benchmark::DoNotOptimize(out.data());
    }
  }
  const double flops = 8.0 * (double(n) * n * m + double(n) * m * m);
  state.counters["GFLOP/s"] = benchmark::Counter(
      flops * 1e-9 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_MftForward(benchmark::State& state) { run(state, false); }
void BM_MftPullback(benchmark::State& state) { run(state, true); }
BENCHMARK(BM_MftForward)->Args({128, 16})->Args({256, 64})->Args({512, 32});
BENCHMARK(BM_MftPullback)->Args({128, 16})->Args({256, 64})->Args({512, 32});

// Eigen's real GEMM C (m x n) = A (m x k) B (k x n), 2 m k n FLOPs: the ceiling the MFT's
// products can reach. The first two shapes are the flagship's (N = 128, M = 16, 2 stars, real
// GEMMs on the half pupil: telescope_bench.cpp): pupil side 2N x N/2 x S M, focal side
// M x N/2 x 2M; 512^3 is the large-matrix rate Eigen's kernel reaches on this core.
void BM_EigenGemm(benchmark::State& state) {
  const Eigen::Index m = state.range(0), k = state.range(1), n = state.range(2);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(m, k), b = Eigen::MatrixXd::Random(k, n);
  Eigen::MatrixXd c(m, n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * double(m) * double(k) * double(n) * 1e-9 * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_EigenGemm)->Args({256, 64, 32})->Args({16, 64, 32})->Args({512, 512, 512});

}  // namespace
