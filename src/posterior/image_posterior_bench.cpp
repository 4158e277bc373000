// SPDX-License-Identifier: BSD-3-Clause
// The flagship's log density + gradient as the sampler sees it (128 px pupil, 13 sites, priors,
// bijectors and the poisson_gaussian likelihood on top of one render + pullback), and one NUTS
// transition of the flagship (issue #6 item 2). Compare "ms per gradient" of the transition
// with the log-density time to read the sampler's own overhead (tree building, metric
// products, multinomial sampling).
//
// Executed MFT FLOPs per gradient: 8 L S (N^2 M + N M^2) = 23.6 MFLOP with N = 128, M = 16,
// L = 5 wavelengths, S = 2 stars (derivation in src/model/telescope_bench.cpp).
#include <benchmark/benchmark.h>

#include <vector>

#include "airy/infer/sampler.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/fisher.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "posterior/flagship_test_fixture.hpp"

namespace {

using namespace airy;

constexpr double kGradientFlops = 8.0 * 5 * 2 * (128.0 * 128 * 16 + 128.0 * 16 * 16);

/// The flagship (128 px, 0.1 m spider) with its noise-free image as data.
posterior::ImagePosterior flagship_posterior() {
  model::FlagshipOptions o;
  o.spider_width = 0.1;
  o.coefficients = RealVector::LinSpaced(7, -12e-9, 9e-9);
  const model::Telescope t = model::flagship_telescope(o);
  return posterior::ImagePosterior(
      t, posterior::testing::flagship_sites(),
      posterior::ImageLikelihood(posterior::LikelihoodKind::kPoissonGaussian, t.model(), 3.0));
}

void BM_FlagshipLogDensityGradient(benchmark::State& state) {
  const posterior::ImagePosterior post = flagship_posterior();
  const auto& ld = post.log_density();
  auto ws = ld.make_workspace();
  std::vector<double> theta(static_cast<std::size_t>(ld.dim())), grad(theta.size());
  if (!ld.unconstrain(post.current_values(), theta)) state.SkipWithError("truth not in support");
  for (auto _ : state) {
    benchmark::DoNotOptimize(ld.log_density_gradient(theta, grad, ws.get()));
    benchmark::DoNotOptimize(grad.data());
  }
  const double it = static_cast<double>(state.iterations());
  state.counters["evals/s"] = benchmark::Counter(it, benchmark::Counter::kIsRate);
  state.counters["GFLOP/s"] =
      benchmark::Counter(kGradientFlops * 1e-9 * it, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FlagshipLogDensityGradient)->Unit(benchmark::kMillisecond);

// One chain on one thread, started at the truth with the Laplace (Fisher + prior Hessian)
// dense metric held fixed; 50 warmup iterations adapt the step size only, then 200 timed
// transitions. Reported per post-warmup transition.
void BM_FlagshipNutsTransition(benchmark::State& state) {
  const posterior::ImagePosterior post = flagship_posterior();
  const std::vector<double> truth = post.current_values();
  infer::SamplerOptions o;
  o.num_chains = 1;
  o.num_threads = 1;
  o.num_warmup = 50;
  o.num_samples = 200;
  o.metric = infer::Metric::dense_e;
  o.adapt_metric = false;
  o.inv_metric = posterior::fisher_information(post, truth).laplace_unconstrained;
  o.init = {truth};
  o.quiet = true;
  o.handle_sigint = false;
  double seconds = 0, transitions = 0, gradients = 0;
  for (auto _ : state) {
    const infer::Run run = infer::sample(post.log_density(), o);
    const infer::Chain& c = run.chains.front();
    seconds += c.sampling_seconds;
    transitions += c.num_draws();
    for (int i = c.num_warmup_saved; i < static_cast<int>(c.stats.size()); ++i)
      gradients += c.stats[static_cast<std::size_t>(i)].n_leapfrog;
  }
  state.counters["ms/transition"] = 1e3 * seconds / transitions;
  state.counters["gradients/transition"] = gradients / transitions;
  state.counters["ms/gradient"] = 1e3 * seconds / gradients;
}
BENCHMARK(BM_FlagshipNutsTransition)->Unit(benchmark::kSecond)->Iterations(1);

}  // namespace
