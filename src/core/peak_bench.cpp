// SPDX-License-Identifier: BSD-3-Clause
// The machine's measured peak float64 rate on one core, the denominator of the roofline
// fractions in docs/benchmarks.md: 12 independent chains of 4-wide fused multiply-adds
// (a = a * b + c), enough to cover the FMA latency (4 cycles) x throughput (2 per cycle) of
// current x86 cores. FLOPs = iterations x 200 steps x 12 chains x 4 lanes x 2 (mul + add).
// Needs FMA (x86-64-v3: AIRY_AVX2=ON on a host with AVX2); otherwise it reports an error.
#include <benchmark/benchmark.h>

#if defined(__FMA__) && defined(__AVX__)
#include <immintrin.h>
#endif

namespace {

void BM_PeakFmaFloat64(benchmark::State& state) {
#if defined(__FMA__) && defined(__AVX__)
  constexpr int kChains = 12, kSteps = 200;
  __m256d acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_pd(1.0 + 1e-3 * c);
  // |b| < 1 and c small keep the values bounded (no denormals, no overflow).
  const __m256d b = _mm256_set1_pd(0.999999), c = _mm256_set1_pd(1e-7);
  for (auto _ : state) {
    for (int s = 0; s < kSteps; ++s) {
      for (int k = 0; k < kChains; ++k) acc[k] = _mm256_fmadd_pd(acc[k], b, c);
    }
    benchmark::DoNotOptimize(acc);
  }
  const double flops = 2.0 * 4 * kChains * kSteps * static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsRate);
#else
  state.SkipWithError("built without FMA (configure with AIRY_AVX2=ON on an AVX2 host)");
  for (auto _ : state) {
  }
#endif
}
BENCHMARK(BM_PeakFmaFloat64);

}  // namespace
