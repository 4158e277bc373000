// SPDX-License-Identifier: BSD-3-Clause
// Pixel-level calibration at scale (issue #11): the Schur-complement flat-field Laplace
// covariance (flat_field_laplace) and the rescaled L-BFGS MAP (maximize_scaled) at 10^4,
// 10^5 and 10^6 flat-field pixels, with time and memory.
//
// Memory: "input_MiB" is what the caller holds (per exposure: weight, c and the n_pix x n_g
// global Jacobian); "peak_rss_MiB" is the process's high-water mark (VmHWM), meaningful when
// one benchmark runs per process (docs/benchmarks.md gives the loop). flat_field_laplace's own
// working memory is O(n_pix + n_g^2): a_p, var_p, and 1024-pixel blocks.
//
// Flops of flat_field_laplace: about n_pix (N + 1) n_g^2 (rank updates of S) + n_pix n_g^2
// (triangular solves) + n_pix N n_g (b_p).
#include <benchmark/benchmark.h>

#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "airy/posterior/large_map.hpp"
#include "airy/posterior/structured_fisher.hpp"
#include "posterior/flat_field_fixture.hpp"

namespace {

using namespace airy;

/// The process's peak resident memory (VmHWM) in MiB, or -1 where /proc is not readable.
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      double kib = 0.0;
      status >> kib;
      return kib / 1024.0;
    }
  }
  return -1.0;
}

/// N exposures of a square flat field (n_pix pixels) seen through a Gaussian PSF dithered by
/// one pixel per exposure, with n_g smooth global Jacobian columns.
struct Problem {
  std::vector<posterior::FlatFieldExposure> exposures;
  RealVector pi;
  RealMatrix pi_g;
};

Problem make_problem(Eigen::Index n_pix, int n_exp, int n_g) {
  const auto side = static_cast<Eigen::Index>(std::llround(std::sqrt(double(n_pix))));
  std::mt19937 gen(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  Problem pr;
  for (int e = 0; e < n_exp; ++e) {
    posterior::FlatFieldExposure x;
    x.weight.resize(n_pix);
    x.flat_jacobian.resize(n_pix);
    x.global_jacobian.resize(n_pix, n_g);
    for (Eigen::Index p = 0; p < n_pix; ++p) {
      const double yy = (double(p / side) - side / 2.0 - e) / (side / 8.0);
      const double xx = (double(p % side) - side / 2.0 + e) / (side / 8.0);
      const double psf = 1e4 * std::exp(-0.5 * (xx * xx + yy * yy)) + 20.0;
      const double v = psf + 9.0;
      x.weight[p] = 1.0 / v + 1.0 / (2.0 * v * v);
      x.flat_jacobian[p] = psf;
      for (int j = 0; j < n_g; ++j) x.global_jacobian(p, j) = psf * std::cos(j * xx + yy * u(gen));
    }
    pr.exposures.push_back(std::move(x));
  }
  pr.pi = RealVector::Constant(n_pix, 1.0 / (0.05 * 0.05));
  pr.pi_g = 1e-6 * RealMatrix::Identity(n_g, n_g);
  return pr;
}

// Args: flat-field pixels, exposures, globals.
void BM_FlatFieldLaplace(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const int n_exp = static_cast<int>(state.range(1));
  const int n_g = static_cast<int>(state.range(2));
  const Problem pr = make_problem(n, n_exp, n_g);
  double sd_sum = 0.0;
  for (auto _ : state) {
    const posterior::FlatFieldLaplace r =
        posterior::flat_field_laplace(pr.exposures, pr.pi, pr.pi_g);
    sd_sum = r.flat_sd.sum();
    benchmark::DoNotOptimize(sd_sum);
  }
  const double it = static_cast<double>(state.iterations());
  const double flops = double(n) * ((n_exp + 2.0) * n_g * n_g + n_exp * n_g);
  state.counters["pixels/s"] = benchmark::Counter(double(n) * it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] = benchmark::Counter(flops * 1e-9 * it, benchmark::Counter::kIsRate);
  state.counters["input_MiB"] = double(n_exp) * double(n) * (2.0 + n_g) * 8.0 / (1 << 20);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(BM_FlatFieldLaplace)
    ->Args({10000, 1, 16})
    ->Args({100000, 1, 16})
    ->Args({1000000, 1, 16})
    ->Args({1000000, 5, 16})
    ->Args({1000000, 1, 64})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The separable Poisson flat field with a Normal(1, tau_p) prior per pixel (the large-MAP
// test's problem), from f = 1 to a scaled gradient of 1e-4, scaled by the Fisher + prior
// curvature (prior_curvature_diagonal + m_p). Arg: pixels.
void BM_LargeMapFlatField(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const posterior::testing::FlatFieldProblem p = posterior::testing::make_flat_field(n, 7);
  const std::vector<double> u0(static_cast<std::size_t>(n), 1.0);
  posterior::LargeMapOptions o;
  o.gradient_tolerance = 1e-4;
  posterior::LargeMapResult r;
  for (auto _ : state) {
    std::vector<double> c = posterior::prior_curvature_diagonal(*p.model, u0);
    for (int i = 0; i < n; ++i) c[static_cast<std::size_t>(i)] += p.m[static_cast<std::size_t>(i)];
    r = posterior::maximize_scaled(*p.model, u0, posterior::scale_from_curvature(c), o);
    benchmark::DoNotOptimize(r.objective);
  }
  if (!r.converged) state.SkipWithError(("not converged: " + r.reason).c_str());
  state.counters["iterations"] = r.iterations;
  state.counters["evaluations"] = r.evaluations;
  state.counters["scaled_grad"] = r.scaled_gradient_max;
  state.counters["ms/eval"] = 1e3 * r.seconds / r.evaluations;
  state.counters["lbfgs_MiB"] = double(r.lbfgs_bytes) / (1 << 20);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}
BENCHMARK(BM_LargeMapFlatField)
    ->Arg(10000)
    ->Arg(100000)
    ->Arg(1000000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
