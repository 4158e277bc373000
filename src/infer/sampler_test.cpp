// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/sampler.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <limits>

#include "airy/core/error.hpp"
#include "airy/infer/adaptation.hpp"
#include "airy/infer/diagnostics.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/site_model.hpp"
#include "test_densities.hpp"

namespace airy::infer {
namespace {

using ::testing::HasSubstr;
using Windows = std::vector<std::pair<int, int>>;

TEST(WindowSchedule, MatchesStanWindows) {
  EXPECT_EQ(WindowSchedule(1000, 75, 50, 25).slow_windows(),
            (Windows{{75, 99}, {100, 149}, {150, 249}, {250, 449}, {450, 949}}));
  EXPECT_EQ(WindowSchedule(2000, 75, 50, 25).slow_windows(),
            (Windows{{75, 99}, {100, 149}, {150, 249}, {250, 449}, {450, 849}, {850, 1949}}));
  EXPECT_EQ(WindowSchedule(500, 75, 50, 25).slow_windows(),
            (Windows{{75, 99}, {100, 149}, {150, 249}, {250, 449}}));
  EXPECT_EQ(WindowSchedule(150, 75, 50, 25).slow_windows(), (Windows{{75, 99}}));
  EXPECT_EQ(WindowSchedule(100, 75, 50, 25).slow_windows(), (Windows{{15, 89}}));
  EXPECT_EQ(WindowSchedule(50, 75, 50, 25).slow_windows(), (Windows{{7, 44}}));
  EXPECT_TRUE(WindowSchedule(19, 75, 50, 25).slow_windows().empty());
}

TEST(DualAveraging, ConvergesToTargetOnAToyProblem) {
  // accept = exp(-eps): the fixed point is eps = -log(0.8).
  DualAveraging da;
  double eps = 1.0;
  da.mu = std::log(10.0);
  for (int i = 0; i < 2000; ++i) da.learn(eps, std::exp(-eps));
  da.complete(eps);
  EXPECT_NEAR(eps, -std::log(0.8), 0.01);
}

TEST(Welford, RegularisedDiagonalAndDense) {
  WelfordEstimator diag(2, false);
  WelfordEstimator dense(2, true);
  const std::vector<RealVector> xs = {RealVector{{1.0, 2.0}}, RealVector{{2.0, 0.0}},
                                      RealVector{{4.0, 1.0}}};
  for (const auto& x : xs) {
    diag.add_sample(x);
    dense.add_sample(x);
  }
  // var(1,2,4) = 7/3, var(2,0,1) = 1, cov = -1/2; n = 3: (3/8) S + 1e-3 (5/8)
  EXPECT_NEAR(diag.regularized()(0, 0), 3.0 / 8 * 7.0 / 3 + 1e-3 * 5.0 / 8, 1e-14);
  EXPECT_NEAR(dense.regularized()(1, 1), 3.0 / 8 * 1.0 + 1e-3 * 5.0 / 8, 1e-14);
  EXPECT_NEAR(dense.regularized()(0, 1), 3.0 / 8 * -0.5, 1e-14);
}

SamplerOptions quick(int chains = 2) {
  SamplerOptions o;
  o.num_warmup = 200;
  o.num_samples = 200;
  o.num_chains = chains;
  o.quiet = true;
  o.seed = 99;
  return o;
}

TEST(Sampler, SameSeedSameDrawsWhateverTheThreadCount) {
  test_targets::StdNormal target(3);
  auto o = quick(4);
  o.num_threads = 1;
  const infer::Run a = sample(target, o);
  o.num_threads = 4;
  const infer::Run b = sample(target, o);
  ASSERT_EQ(a.chains.size(), 4u);
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_EQ(a.chains[c].draws, b.chains[c].draws);
    EXPECT_EQ(a.chains[c].stepsize, b.chains[c].stepsize);
  }
  EXPECT_NE(a.chains[0].draws, a.chains[1].draws);
  o.seed = 100;
  EXPECT_NE(sample(target, o).chains[0].draws, a.chains[0].draws);
}

TEST(Sampler, ShapesStatsThinAndWarmup) {
  test_targets::StdNormal target(2);
  auto o = quick(1);
  o.save_warmup = true;
  o.thin = 3;
  const infer::Run run = sample(target, o);
  const Chain& c = run.chains[0];
  EXPECT_EQ(c.num_warmup_saved, 67);  // ceil(200 / 3)
  EXPECT_EQ(c.num_draws(), 67);
  EXPECT_EQ(c.draws.rows(), 134);
  EXPECT_EQ(c.stats.size(), 134u);
  EXPECT_EQ(c.names, (std::vector<std::string>{"theta[1]", "theta[2]"}));
  EXPECT_TRUE(c.complete);
  EXPECT_GT(c.stepsize, 0.3);
  EXPECT_EQ(c.inv_metric.rows(), 2);
  EXPECT_EQ(c.inv_metric.cols(), 1);
  std::int64_t leapfrogs = 0;
  for (std::size_t i = 0; i < c.stats.size(); ++i) {
    const auto& s = c.stats[i];
    EXPECT_GE(s.treedepth, 0);
    EXPECT_LE(s.treedepth, 10);
    EXPECT_GE(s.n_leapfrog, 1);
    EXPECT_GE(s.accept_stat, 0.0);
    EXPECT_LE(s.accept_stat, 1.0);
    if (i >= 67) {
      EXPECT_FALSE(s.divergent);  // early warmup may diverge
    }
    leapfrogs += s.n_leapfrog;
  }
  EXPECT_GT(c.gradient_evaluations, leapfrogs);
  // Post-warmup rows share the adapted step size.
  EXPECT_EQ(c.stats.back().stepsize, c.stepsize);
}

TEST(Sampler, StandardNormalMomentsRoughlyRight) {
  test_targets::StdNormal target(1);
  auto o = quick(4);
  o.num_samples = 500;
  const infer::Run run = sample(target, o);
  const ChainDraws x = chain_draws(run, 0);
  EXPECT_LT(std::fabs(x.mean()), 4 * mcse_mean(x));
  EXPECT_NEAR((x.array() - x.mean()).square().mean(), 1.0, 0.15);
  EXPECT_LT(rhat(x), 1.02);
}

TEST(Sampler, StaticHmcAndDenseMetricRun) {
  test_targets::CorrelatedGaussian target(0.9, 1.0, 2.0);
  auto o = quick(2);
  o.engine = Engine::static_hmc;
  o.metric = Metric::dense_e;
  // Long enough that the last adaptation window (500 draws) pins the covariance down whatever
  // the floating-point details of the build (Release vs sanitizer -O1 trajectories differ).
  o.num_warmup = 1000;
  const infer::Run run = sample(target, o);
  EXPECT_EQ(run.chains[0].inv_metric.rows(), 2);
  EXPECT_EQ(run.chains[0].inv_metric.cols(), 2);
  EXPECT_EQ(run.chains[0].stats.back().treedepth, 0);
  // The adapted dense metric approximates the covariance [[1, 1.8], [1.8, 4]].
  EXPECT_NEAR(run.chains[0].inv_metric(0, 1), 1.8, 0.9);
}

class RecordingSink final : public DrawSink {
 public:
  explicit RecordingSink(int interrupt_after = -1) : interrupt_after_(interrupt_after) {}
  void begin(int chain_id, std::span<const std::string> names) override {
    id = chain_id;
    num_names = names.size();
  }
  void adaptation(double stepsize, const RealMatrix&) override { adapted_stepsize = stepsize; }
  void draw(bool warmup, std::span<const double>, const SampleStats&) override {
    (warmup ? warmup_draws : draws) += 1;
    if (interrupt_after_ >= 0 && warmup_draws + draws == interrupt_after_) std::raise(SIGINT);
  }
  void end(const Chain& chain) override {
    ended = true;
    complete = chain.complete;
    *out = *this;
  }
  int id = 0;
  std::size_t num_names = 0;
  double adapted_stepsize = 0;
  int warmup_draws = 0;
  int draws = 0;
  bool ended = false;
  bool complete = false;
  RecordingSink* out = nullptr;

 private:
  int interrupt_after_;
};

TEST(Sampler, SinksSeeEveryDraw) {
  test_targets::StdNormal target(2);
  auto o = quick(2);
  o.save_warmup = true;
  std::vector<RecordingSink> seen(2);
  o.sink_factory = [&](int id) {
    auto s = std::make_unique<RecordingSink>();
    s->out = &seen[static_cast<std::size_t>(id - 1)];
    return s;
  };
  const infer::Run run = sample(target, o);
  for (int c = 0; c < 2; ++c) {
    const auto& s = seen[static_cast<std::size_t>(c)];
    EXPECT_EQ(s.id, c + 1);
    EXPECT_EQ(s.num_names, 2u);
    EXPECT_EQ(s.warmup_draws, 200);
    EXPECT_EQ(s.draws, 200);
    EXPECT_TRUE(s.ended);
    EXPECT_TRUE(s.complete);
    EXPECT_EQ(s.adapted_stepsize, run.chains[static_cast<std::size_t>(c)].stepsize);
  }
}

TEST(Sampler, SigintStopsChainsGracefully) {
  test_targets::StdNormal target(2);
  auto o = quick(1);
  o.save_warmup = true;
  RecordingSink seen;
  o.sink_factory = [&](int) {
    auto s = std::make_unique<RecordingSink>(250);
    s->out = &seen;
    return s;
  };
  const auto old = std::signal(SIGINT, SIG_DFL);
  const infer::Run run = sample(target, o);
  EXPECT_EQ(std::signal(SIGINT, old), SIG_DFL);  // the previous handler was restored
  EXPECT_FALSE(run.chains[0].complete);
  EXPECT_EQ(run.chains[0].draws.rows(), 250);
  EXPECT_TRUE(seen.ended);
  EXPECT_FALSE(seen.complete);
}

TEST(Sampler, ExternalStopFlag) {
  test_targets::StdNormal target(2);
  auto o = quick(2);
  std::atomic<bool> stop{true};
  o.stop = &stop;
  const infer::Run run = sample(target, o);
  EXPECT_FALSE(run.chains[0].complete);
  EXPECT_EQ(run.chains[0].draws.rows(), 0);
}

/// log p = -inf unless every coordinate is positive.
class PositiveOrthant final : public LogDensity {
 public:
  [[nodiscard]] int dim() const override { return 2; }
  double log_density_gradient(std::span<const double> q, std::span<double> g,
                              Workspace*) const override {
    g[0] = -q[0];
    g[1] = std::numeric_limits<double>::quiet_NaN();
    return q[0] > 100 ? 0.0 : -std::numeric_limits<double>::infinity();
  }
  [[nodiscard]] std::vector<std::string> output_names() const override { return {"a", "b"}; }
};

TEST(Sampler, InitFailureNamesTheCoordinates) {
  PositiveOrthant target;
  auto o = quick(1);
  try {
    (void)sample(target, o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("100 tries"));
    EXPECT_THAT(e.what(), HasSubstr("non-finite gradient at b"));
  }
}

TEST(Sampler, UserInitsAndValidation) {
  SiteModel model({Site::scalar("sigma", make_distribution("half_normal", {{"scale", 1}}))});
  auto o = quick(1);
  o.init = {{-1.0}};
  try {
    (void)sample(model, o);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), HasSubstr("sigma = -1"));
  }
  o.init = {{0.5}};
  o.num_warmup = 0;
  o.num_samples = 1;
  o.stepsize = 1e-9;
  const infer::Run run = sample(model, o);
  EXPECT_NEAR(run.chains[0].draws(0, 0), 0.5, 1e-6);
  auto bad = quick(1);
  bad.delta = 1.5;
  EXPECT_THROW((void)sample(model, bad), InvalidArgument);
  bad = quick(1);
  bad.num_chains = 0;
  EXPECT_THROW((void)sample(model, bad), InvalidArgument);
  EXPECT_EQ(parse_metric("dense_e"), Metric::dense_e);
  EXPECT_THROW((void)parse_metric("full"), InvalidArgument);
}

TEST(Sampler, SiteModelDrawsAreConstrained) {
  SiteModel model({Site::scalar("tau", make_distribution("half_cauchy", {{"scale", 1}})),
                   Site::vector("p", 3, make_distribution("uniform", {{"low", 2}, {"high", 3}}))});
  const infer::Run run = sample(model, quick(2));
  const auto& d = run.chains[0].draws;
  EXPECT_EQ(run.chains[0].names[1], "p[1]");
  EXPECT_GT(d.col(0).minCoeff(), 0.0);
  EXPECT_GT(d.col(1).minCoeff(), 2.0);
  EXPECT_LT(d.col(3).maxCoeff(), 3.0);
}

}  // namespace
}  // namespace airy::infer
