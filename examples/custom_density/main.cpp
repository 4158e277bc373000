// SPDX-License-Identifier: BSD-3-Clause
// Sampling your own model with airy::infer, two ways:
//  1. a SiteModel: named sites with priors (constraints handled by bijectors) plus a
//     log-likelihood over the constrained values with its gradient;
//  2. a raw LogDensity over R^n (any density with an exact gradient).
// Build: cmake --build build --target airy_example_custom_density
// Run:   ./build/examples/custom_density/airy_example_custom_density
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include "airy/infer/distributions.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/site_model.hpp"
#include "airy/infer/summary.hpp"

namespace {

using namespace airy::infer;

/// A streaming sink: prints every 250th post-warmup draw (a real one writes a CSV file).
class PrintEvery final : public DrawSink {
 public:
  void begin(int chain_id, std::span<const std::string> names) override {
    id_ = chain_id;
    names_.assign(names.begin(), names.end());
  }
  void adaptation(double stepsize, const airy::RealMatrix&) override {
    std::printf("chain %d adapted step size %.3f\n", id_, stepsize);
  }
  void draw(bool warmup, std::span<const double> values, const SampleStats& s) override {
    if (warmup || n_++ % 250 != 0) return;
    std::printf("chain %d draw %d lp %.2f %s = %.3f\n", id_, n_ - 1, s.lp, names_[0].c_str(),
                values[0]);
  }
  void end(const Chain& chain) override {
    std::printf("chain %d done (%s)\n", id_, chain.complete ? "complete" : "interrupted");
  }

 private:
  int id_ = 0;
  int n_ = 0;
  std::vector<std::string> names_;
};

/// Example 1: a straight-line fit y = a + b x + N(0, sigma) with priors from a "config".
void site_model_example() {
  const std::vector<double> x = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<double> y = {1.1, 2.9, 5.2, 7.1, 8.8, 11.2, 13.1, 14.8, 17.2, 19.1};
  std::vector<Site> sites = {
      Site::scalar("a", make_distribution("normal", {{"loc", 0}, {"scale", 10}})),
      Site::scalar("b", make_distribution("normal", {{"loc", 0}, {"scale", 10}})),
      Site::scalar("sigma", make_distribution("half_normal", {{"scale", 5}})),  // sigma > 0
  };
  // log L over the constrained values v = (a, b, sigma); adds dlogL/dv into grad.
  LogLikelihood loglik = [x, y](std::span<const double> v, std::span<double> grad, Workspace*) {
    const double a = v[0];
    const double b = v[1];
    const double sigma = v[2];
    double lp = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double r = (y[i] - a - b * x[i]) / sigma;
      lp += -std::log(sigma) - 0.5 * r * r;
      grad[0] += r / sigma;
      grad[1] += r / sigma * x[i];
      grad[2] += (r * r - 1.0) / sigma;
    }
    return lp;
  };
  const SiteModel model(sites, loglik);

  SamplerOptions options;  // CmdStan defaults: 4 chains, 1000 warmup, 1000 draws, diag_e
  options.seed = 2024;
  options.sink_factory = [](int) { return std::make_unique<PrintEvery>(); };
  const Run run = sample(model, options);
  std::printf("%s", format_summary(summarize(run)).c_str());
}

/// Example 2: Neal's funnel written directly as a LogDensity over R^2 (non-centred, so NUTS
/// samples it without divergences): v ~ N(0, 3), z ~ N(0, 1), x = z exp(v/2).
class Funnel final : public LogDensity {
 public:
  [[nodiscard]] int dim() const override { return 2; }
  double log_density_gradient(std::span<const double> q, std::span<double> grad,
                              Workspace*) const override {
    grad[0] = -q[0] / 9.0;
    grad[1] = -q[1];
    return -0.5 * q[0] * q[0] / 9.0 - 0.5 * q[1] * q[1];
  }
  [[nodiscard]] int output_dim() const override { return 3; }
  [[nodiscard]] std::vector<std::string> output_names() const override { return {"v", "z", "x"}; }
  void constrain(std::span<const double> q, std::span<double> out) const override {
    out[0] = q[0];
    out[1] = q[1];
    out[2] = q[1] * std::exp(q[0] / 2.0);
  }
};

void log_density_example() {
  SamplerOptions options;
  options.num_chains = 2;
  options.num_threads = 2;
  options.metric = Metric::dense_e;
  options.quiet = true;  // no progress lines
  const Run run = sample(Funnel{}, options);
  std::printf("%s", format_summary(summarize(run)).c_str());
  std::printf("%s", summary_csv(summarize(run)).c_str());
}

}  // namespace

int main() {
  site_model_example();
  log_density_example();
  return 0;
}
