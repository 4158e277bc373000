// SPDX-License-Identifier: BSD-3-Clause
// Sampler efficiency: min bulk-ESS per gradient evaluation and per second (4 chains x
// 1000 warmup + 1000 draws, all threads), on the 100-d standard normal and a rho = 0.99
// Gaussian (dense metric), reported as benchmark counters.
#include <benchmark/benchmark.h>

#include "airy/infer/sampler.hpp"
#include "airy/infer/summary.hpp"
#include "test_densities.hpp"

namespace {

using namespace airy::infer;

void run_and_report(benchmark::State& state, const LogDensity& target, Metric metric) {
  SamplerOptions o;
  o.quiet = true;
  o.metric = metric;
  o.handle_sigint = false;
  double ess = 0;
  double grads = 0;
  double seconds = 0;
  std::uint64_t seed = 1;
  for (auto _ : state) {
    o.seed = seed++;
    const Run run = sample(target, o);
    const Summary s = summarize(run);
    ess += s.min_ess_bulk;
    grads += static_cast<double>(s.gradient_evaluations);
    seconds += run.wall_seconds;
  }
  state.counters["min_ess_bulk"] = ess / static_cast<double>(state.iterations());
  state.counters["ess_per_grad"] = ess / grads;
  state.counters["ess_per_s"] = ess / seconds;
  state.counters["grads_per_s"] = grads / seconds;
}

void BM_Nuts_StdNormal100(benchmark::State& state) {
  test_targets::StdNormal target(100);
  run_and_report(state, target, Metric::diag_e);
}
BENCHMARK(BM_Nuts_StdNormal100)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Nuts_Correlated099Dense(benchmark::State& state) {
  test_targets::CorrelatedGaussian target(0.99, 1.0, 3.0);
  run_and_report(state, target, Metric::dense_e);
}
BENCHMARK(BM_Nuts_Correlated099Dense)->Unit(benchmark::kMillisecond)->Iterations(3);

void BM_Nuts_Correlated099Diag(benchmark::State& state) {
  test_targets::CorrelatedGaussian target(0.99, 1.0, 3.0);
  run_and_report(state, target, Metric::diag_e);
}
BENCHMARK(BM_Nuts_Correlated099Diag)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
