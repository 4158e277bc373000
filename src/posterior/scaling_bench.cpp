// SPDX-License-Identifier: BSD-3-Clause
// How the cost of one gradient of the N-exposure calibration posterior grows (issue #11 §5):
// one log density + gradient (every exposure's render and pullback, the likelihood, the
// priors) against exposures E, stars S, detector size M and parameter count (Zernikes K, the
// flat field on or off), one axis at a time around E = 5, S = 4, L = 3, N = 64, M = 64, K = 7
// with the M^2 flat field sampled (src/posterior/calibration_problem.hpp); then the threads of
// one evaluation (PosteriorOptions::threads) and one gradient of Paper I at full size.
// bench/scaling/run.sh --calibration runs the sweep and draws the figure.
//
// Counters: "parameters"; "GFLOP/s" of the executed MFT products 8 L S E (N^2 M + N M^2) per
// gradient (the GEMMs, the dominant kernel; divide by the machine's measured peak for the
// roofline fraction); "peak_rss_MiB" (VmHWM: meaningful when one benchmark runs per process).
#include <benchmark/benchmark.h>

#include <fstream>
#include <string>
#include <vector>

#include "posterior/calibration_problem.hpp"

namespace {

using airy::posterior::bench::CalibrationSize;

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

void time_gradient(benchmark::State& state, const CalibrationSize& z) {
  const airy::posterior::ImagePosterior post = airy::posterior::bench::calibration_posterior(z);
  const auto& ld = post.log_density();
  auto ws = ld.make_workspace();
  std::vector<double> theta(static_cast<std::size_t>(ld.dim())), grad(theta.size());
  if (!ld.unconstrain(post.current_values(), theta)) state.SkipWithError("truth not in support");
  for (auto _ : state) {
    benchmark::DoNotOptimize(ld.log_density_gradient(theta, grad, ws.get()));
    benchmark::DoNotOptimize(grad.data());
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["parameters"] = ld.dim();
  state.counters["threads"] = post.threads();
  state.counters["GFLOP/s"] = benchmark::Counter(
      airy::posterior::bench::gradient_flops(z) * 1e-9 * it, benchmark::Counter::kIsRate);
  state.counters["peak_rss_MiB"] = peak_rss_mib();
}

void BM_CalExposures(benchmark::State& state) {
  CalibrationSize z;
  z.exposures = static_cast<int>(state.range(0));
  time_gradient(state, z);
}
BENCHMARK(BM_CalExposures)
    ->Arg(1)
    ->Arg(2)
    ->Arg(5)
    ->Arg(10)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same without the shared PSF (PosteriorOptions::share_psf = false): every exposure
// renders its own PSF.
void BM_CalExposuresSeparate(benchmark::State& state) {
  CalibrationSize z;
  z.exposures = static_cast<int>(state.range(0));
  z.share_psf = false;
  time_gradient(state, z);
}
BENCHMARK(BM_CalExposuresSeparate)
    ->Arg(1)
    ->Arg(2)
    ->Arg(5)
    ->Arg(10)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_CalStars(benchmark::State& state) {
  CalibrationSize z;
  z.stars = static_cast<int>(state.range(0));
  time_gradient(state, z);
}
BENCHMARK(BM_CalStars)
    ->Arg(1)
    ->Arg(4)
    ->Arg(10)
    ->Arg(20)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_CalDetector(benchmark::State& state) {
  CalibrationSize z;
  z.detector = static_cast<int>(state.range(0));
  time_gradient(state, z);
}
BENCHMARK(BM_CalDetector)
    ->Arg(32)
    ->Arg(64)
    ->Arg(128)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Parameters: K Zernikes with the flat field sampled (3S + K + M^2), and K = 7 without it
// (arg 0: 3S + 7 parameters; the flat field fixed).
void BM_CalParameters(benchmark::State& state) {
  CalibrationSize z;
  if (state.range(0) == 0) {
    z.flat_field = false;
  } else {
    z.zernikes = static_cast<int>(state.range(0));
  }
  time_gradient(state, z);
}
BENCHMARK(BM_CalParameters)
    ->Arg(0)
    ->Arg(1)
    ->Arg(7)
    ->Arg(21)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Threads of one evaluation, E = 5 exposures at M = 128, each rendering its own PSF (a shared
// PSF is one unit of work; wall time: UseRealTime).
void BM_CalThreads(benchmark::State& state) {
  CalibrationSize z;
  z.detector = 128;
  z.share_psf = false;
  z.threads = static_cast<int>(state.range(0));
  time_gradient(state, z);
}
BENCHMARK(BM_CalThreads)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Paper I at full size: N = 512, M = 1024, 20 stars x 3 wavelengths, 7 Zernikes, the 1024^2
// flat field (1,048,643 parameters). Args: exposures, threads, shared PSF (1/0). One
// iteration (the first gradient; the workspace is built outside the timed loop).
void BM_PaperIGradient(benchmark::State& state) {
  CalibrationSize z;
  z.exposures = static_cast<int>(state.range(0));
  z.share_psf = state.range(2) != 0;
  z.stars = 20;
  z.wavelengths = 3;
  z.pupil = 512;
  z.detector = 1024;
  z.threads = static_cast<int>(state.range(1));
  time_gradient(state, z);
}
BENCHMARK(BM_PaperIGradient)
    ->Args({1, 1, 0})
    ->Args({5, 1, 1})
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

}  // namespace
