// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/tempering.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <barrier>
#include <cmath>
#include <mutex>
#include <thread>

#include "airy/core/error.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/site_model.hpp"
#include "tempering_adapt.hpp"
#include "tempering_evidence.hpp"
#include "tempering_path.hpp"
#include "tempering_test_targets.hpp"

namespace airy::infer {
namespace {

using ::testing::HasSubstr;

/// A SiteModel with a positive, an interval and a real site and a likelihood coupling them.
SiteModel small_site_model(bool flat = false) {
  std::vector<Site> sites = {
      Site::scalar("rate", make_distribution("gamma", {{"shape", 3}, {"rate", 2}})),
      Site::scalar("p", make_distribution("beta", {{"alpha", 2}, {"beta", 3}})),
      Site::vector("m", 2,
                   flat ? nullptr : make_distribution("normal", {{"loc", 0}, {"scale", 2}})),
  };
  LogLikelihood ll = [](std::span<const double> x, std::span<double> g, Workspace*) {
    // Poisson(4 | rate) + Binomial(3 of 5 | p) + N(1 | m1 + m2 p, 0.5)
    double lp = 4 * std::log(x[0]) - x[0] + 3 * std::log(x[1]) + 2 * std::log1p(-x[1]);
    g[0] += 4 / x[0] - 1;
    g[1] += 3 / x[1] - 2 / (1 - x[1]);
    const double r = (1.0 - x[2] - x[3] * x[1]) / 0.5;
    lp += -0.5 * r * r;
    g[2] += r / 0.5;
    g[3] += r / 0.5 * x[1];
    g[1] += r / 0.5 * x[3];
    return lp;
  };
  return SiteModel(sites, ll);
}

TEST(SiteModelSplit, TermsSumToTheLogDensityAndGradientsMatchFiniteDifferences) {
  const SiteModel model = small_site_model();
  const std::vector<double> th = {0.3, -0.4, 0.7, -1.1};
  auto ws = model.make_workspace();
  std::vector<double> gp(4), gl(4), g(4), scratch(4), scratch2(4);
  const SplitValue v = model.split_gradient(th, gp, gl, ws.get());
  const double lp = model.log_density_gradient(th, g, ws.get());
  EXPECT_NEAR(v.log_prior + v.log_likelihood, lp, 1e-12);
  EXPECT_NEAR(v.log_prior, model.log_prior_gradient(th, scratch), 1e-12);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(gp[i] + gl[i], g[i], 1e-12);
    EXPECT_NEAR(gp[i], scratch[i], 1e-12);
    auto tp = th;
    auto tm = th;
    tp[i] += 1e-6;
    tm[i] -= 1e-6;
    const SplitValue a = model.split_gradient(tp, scratch, scratch2, nullptr);
    const SplitValue b = model.split_gradient(tm, scratch, scratch2, nullptr);
    EXPECT_NEAR(gp[i], (a.log_prior - b.log_prior) / 2e-6, 1e-6) << i;
    EXPECT_NEAR(gl[i], (a.log_likelihood - b.log_likelihood) / 2e-6, 1e-6) << i;
  }
}

TEST(SiteModelSplit, PriorDrawsHaveThePriorsMoments) {
  const SiteModel model = small_site_model();
  EXPECT_EQ(model.prior_reference_issue(), "");
  Rng rng(5, 1);
  std::vector<double> th(4), x(4);
  double s_rate = 0, s_p = 0, s_m2 = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    model.sample_prior(rng, th);
    model.constrain(th, x);
    s_rate += x[0];
    s_p += x[1];
    s_m2 += x[3] * x[3];
  }
  // Gamma(3, 2): mean 1.5 (sd 0.87); Beta(2, 3): mean 0.4 (sd 0.2); N(0, 2): E x^2 = 4.
  EXPECT_NEAR(s_rate / n, 1.5, 4 * 0.87 / std::sqrt(n));
  EXPECT_NEAR(s_p / n, 0.4, 4 * 0.2 / std::sqrt(n));
  EXPECT_NEAR(s_m2 / n, 4.0, 4 * 4 * std::sqrt(2.0) / std::sqrt(n));
}

TEST(SiteModelSplit, NamesWhyThePriorCannotBeTheReference) {
  EXPECT_THAT(small_site_model(true).prior_reference_issue(),
              HasSubstr("site 'm' has a flat (improper) prior"));
  const SiteModel truncated({Site::scalar(
      "a", make_distribution("normal", {{"loc", 0}, {"scale", 1}}), lower_bound_bijector(0.0))});
  EXPECT_THAT(truncated.prior_reference_issue(), HasSubstr("site 'a': bijector"));
  Rng rng(1, 1);
  std::vector<double> th(1);
  EXPECT_THROW(truncated.sample_prior(rng, th), Error);
}

TEST(TemperedDensity, GradientMatchesFiniteDifferencesForBothReferences) {
  const SiteModel model = small_site_model();
  for (PtReference kind : {PtReference::prior, PtReference::gaussian}) {
    const RealVector mean{{0.1, -0.2, 0.3, 0.0}};
    const RealVector sd{{1.5, 0.7, 2.0, 1.0}};
    const detail::TemperingPath path(model, kind, mean, sd);
    detail::TemperedDensity d(path);
    d.beta = 0.37;
    auto ws = d.make_workspace();
    const std::vector<double> th = {0.3, -0.4, 0.7, -1.1};
    std::vector<double> g(4), tmp(4);
    const double lp = d.log_density_gradient(th, g, ws.get());
    // pi_beta = rho^(1-beta) gamma^beta with gamma the SiteModel's density.
    const double lg = model.log_density_gradient(th, tmp, nullptr);
    RealVector aux;
    path.evaluate(th, aux, nullptr);
    const double log_rho = aux[detail::PathTerms::kLogRef];
    EXPECT_NEAR(lp, (1 - d.beta) * log_rho + d.beta * lg, 1e-10);
    EXPECT_NEAR(aux[detail::PathTerms::kEll], lg - log_rho, 1e-10);
    for (std::size_t i = 0; i < 4; ++i) {
      auto tp = th;
      auto tm = th;
      tp[i] += 1e-6;
      tm[i] -= 1e-6;
      const double fd =
          (d.log_density_gradient(tp, tmp, nullptr) - d.log_density_gradient(tm, tmp, nullptr)) /
          2e-6;
      EXPECT_NEAR(g[i], fd, 1e-6) << to_string(kind) << " " << i;
    }
  }
}

TEST(Evidence, SteppingStoneAndTiOnAHandMadeRecord) {
  // Constant l per chain: every estimator is exact. l = (-3, -2, -1.5) at betas (0, .4, 1):
  // F = .4 (-3) + .6 (-2) = -2.4; B = .4 (-2) + .6 (-1.5) = -1.7.
  Eigen::MatrixXd ell(16, 3);
  ell.col(0).setConstant(-3.0);
  ell.col(1).setConstant(-2.0);
  ell.col(2).setConstant(-1.5);
  const std::vector<double> betas = {0.0, 0.4, 1.0};
  const PtEvidence e = detail::estimate_evidence(ell, betas);
  EXPECT_NEAR(e.forward, -2.4, 1e-12);
  EXPECT_NEAR(e.backward, -1.7, 1e-12);
  EXPECT_NEAR(e.log_z, -2.05, 1e-12);
  EXPECT_NEAR(e.se, 0.0, 1e-12);
  EXPECT_EQ(e.batches, 4);
  EXPECT_NEAR(e.ti, 0.4 * (-2.5) + 0.6 * (-1.75), 1e-12);
  // A reference draw outside the likelihood's support (l = -inf) weighs zero forward, and
  // makes TI undefined.
  ell(3, 0) = -INFINITY;
  const PtEvidence f = detail::estimate_evidence(ell, betas);
  EXPECT_NEAR(f.forward, -2.4 + std::log(15.0 / 16.0), 1e-12);
  EXPECT_TRUE(std::isnan(f.ti));
}

TEST(PtAdapt, MomentsMergeLikeOnePass) {
  detail::Moments all;
  detail::Moments a;
  detail::Moments b;
  all.reset(2);
  a.reset(2);
  b.reset(2);
  Rng rng(3, 3);
  for (int i = 0; i < 50; ++i) {
    const RealVector x{{rng.normal(1.0, 2.0), rng.normal(-3.0, 0.5)}};
    all.add(x);
    (i < 20 ? a : b).add(x);
  }
  a.merge(b);
  EXPECT_EQ(a.n, 50);
  EXPECT_NEAR((a.mean - all.mean).norm(), 0.0, 1e-13);
  EXPECT_NEAR((a.variance() - all.variance()).norm(), 0.0, 1e-12);
}

TEST(PtAdapt, StepSizeAndMetricRules) {
  PtOptions o;  // delta 0.8, diag_e
  detail::ChainKernels k;
  k.stepsize = {NAN, 0.5, 0.5, 0.5};
  k.inv_metric.assign(4, RealVector::Ones(2));
  std::vector<detail::Moments> m(4);
  for (auto& x : m) x.reset(2);
  // Chain 3: 1000 states with variance (4, 1) -> v = w (4, 1) + (1 - w) (1, 1).
  Rng rng(4, 4);
  for (int i = 0; i < 1000; ++i) m[3].add(RealVector{{rng.normal(0, 2), rng.normal(0, 1)}});
  const std::vector<double> accept = {NAN, 0.8, 0.95, 0.8};
  detail::adapt_kernels(k, m, accept, o);
  EXPECT_DOUBLE_EQ(k.stepsize[1], 0.5);                            // on target, no data: kept
  EXPECT_NEAR(k.stepsize[2], 0.5 * std::cbrt(0.2 / 0.05), 1e-12);  // too many acceptances
  const RealVector s = m[3].variance();
  const double w = 1000.0 / 1005.0;
  EXPECT_NEAR(k.inv_metric[3][0], w * s[0] + (1 - w), 1e-12);
  // The widened direction limits the step: eps sqrt(v_0) is what it was.
  EXPECT_NEAR(k.stepsize[3], 0.5 / std::sqrt(k.inv_metric[3][0]), 1e-12);
  // Carried to a new schedule by monotone interpolation of the logs in beta.
  const std::vector<double> old_betas = {0.0, 0.2, 0.5, 1.0};
  k.stepsize = {NAN, 1.0, 0.5, 0.25};
  detail::move_kernels(k, old_betas, std::vector<double>{0.0, 0.1, 0.5, 1.0});
  EXPECT_DOUBLE_EQ(k.stepsize[1], 1.0);  // below beta_1: held
  EXPECT_NEAR(k.stepsize[2], 0.5, 1e-12);
  EXPECT_NEAR(k.stepsize[3], 0.25, 1e-12);
}

PtOptions quick_pt(int threads = 1) {
  PtOptions o;
  o.num_chains = 6;
  o.num_rounds = 6;
  o.seed = 7;
  o.num_threads = threads;
  return o;
}

TEST(Pt, SameSeedSameOutputForOneTwoAndFourThreads) {
  const SiteModel model = small_site_model();
  PtResult ref = sample_pt(model, quick_pt(1));
  ASSERT_EQ(ref.run.chains.size(), 1U);
  EXPECT_EQ(ref.run.chains[0].draws.rows(), 64);
  for (int threads : {2, 4}) {
    const PtResult other = sample_pt(model, quick_pt(threads));
    EXPECT_EQ(other.run.chains[0].draws, ref.run.chains[0].draws) << threads;
    const auto& a = ref.reports[0];
    const auto& b = other.reports[0];
    EXPECT_EQ(a.betas, b.betas);
    for (std::size_t k = 1; k < a.stepsizes.size(); ++k) EXPECT_EQ(a.stepsizes[k], b.stepsizes[k]);
    EXPECT_EQ(a.swap_accept, b.swap_accept);
    EXPECT_EQ(a.evidence.log_z, b.evidence.log_z);
    EXPECT_EQ(a.evidence.se, b.evidence.se);
    EXPECT_EQ(a.round_trips, b.round_trips);
    EXPECT_EQ(a.gradient_evaluations, b.gradient_evaluations);
  }
  // Independent runs use their own streams (and runs in parallel change nothing either).
  auto o = quick_pt(4);
  o.num_runs = 2;
  const PtResult two = sample_pt(model, o);
  EXPECT_EQ(two.run.chains[0].draws, ref.run.chains[0].draws);
  EXPECT_NE(two.run.chains[1].draws, ref.run.chains[0].draws);
  EXPECT_EQ(two.run.chains[1].id, 2);
}

/// P "processes" on P threads of this process, for the communicator's contract without MPI:
/// all_gather publishes each rank's block in a slot, waits for all, concatenates the slots.
struct ThreadGroup {
  explicit ThreadGroup(int p) : size(p), slots(static_cast<std::size_t>(p)), sync(p) {}
  int size;
  std::vector<std::vector<double>> slots;
  std::barrier<> sync;
  int calls = 0;  // rank 0's calls
};

class ThreadComm final : public ReplicaComm {
 public:
  ThreadComm(ThreadGroup& g, int rank) : g_(g), rank_(rank) {}
  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return g_.size; }
  void all_gather(std::span<const double> mine, std::span<const int> counts,
                  std::span<double> all) override {
    if (static_cast<int>(counts.size()) != g_.size ||
        counts[static_cast<std::size_t>(rank_)] != static_cast<int>(mine.size())) {
      throw Error("ThreadComm: counts do not match");
    }
    g_.slots[static_cast<std::size_t>(rank_)].assign(mine.begin(), mine.end());
    g_.sync.arrive_and_wait();
    std::size_t at = 0;
    for (int p = 0; p < g_.size; ++p) {
      const auto& slot = g_.slots[static_cast<std::size_t>(p)];
      if (static_cast<int>(slot.size()) != counts[static_cast<std::size_t>(p)]) {
        throw Error("ThreadComm: a block has the wrong size");
      }
      std::copy(slot.begin(), slot.end(), all.begin() + static_cast<std::ptrdiff_t>(at));
      at += slot.size();
    }
    if (at != all.size()) throw Error("ThreadComm: counts do not add up to all.size()");
    if (rank_ == 0) ++g_.calls;
    g_.sync.arrive_and_wait();  // nobody refills a slot before every rank has read it
  }

 private:
  ThreadGroup& g_;
  int rank_;
};

/// sample_pt on `processes` simulated processes; every rank's result, and which ranks
/// called the sink factory.
std::vector<PtResult> sample_pt_over(const SiteModel& model, PtOptions o, int processes,
                                     std::vector<int>& sink_ranks) {
  ThreadGroup group(processes);
  std::vector<PtResult> results(static_cast<std::size_t>(processes));
  std::mutex m;
  std::vector<std::thread> threads;
  for (int p = 0; p < processes; ++p) {
    threads.emplace_back([&, p, o]() mutable {
      ThreadComm comm(group, p);
      o.comm = &comm;
      o.sink_factory = [&, p](int) -> std::unique_ptr<DrawSink> {
        const std::lock_guard<std::mutex> lock(m);
        sink_ranks.push_back(p);
        return nullptr;
      };
      results[static_cast<std::size_t>(p)] = sample_pt(model, o);
    });
  }
  for (auto& t : threads) t.join();
  return results;
}

void expect_same(const PtResult& a, const PtResult& b, const std::string& what) {
  ASSERT_EQ(a.run.chains.size(), b.run.chains.size()) << what;
  for (std::size_t c = 0; c < a.run.chains.size(); ++c) {
    EXPECT_EQ(a.run.chains[c].draws, b.run.chains[c].draws) << what << " run " << c;
    ASSERT_EQ(a.run.chains[c].stats.size(), b.run.chains[c].stats.size()) << what;
    for (std::size_t t = 0; t < a.run.chains[c].stats.size(); ++t) {
      EXPECT_EQ(a.run.chains[c].stats[t].lp, b.run.chains[c].stats[t].lp) << what;
      EXPECT_EQ(a.run.chains[c].stats[t].n_leapfrog, b.run.chains[c].stats[t].n_leapfrog) << what;
    }
    const PtReport& x = a.reports[c];
    const PtReport& y = b.reports[c];
    EXPECT_EQ(x.betas, y.betas) << what;
    for (std::size_t k = 1; k < x.stepsizes.size(); ++k) EXPECT_EQ(x.stepsizes[k], y.stepsizes[k]);
    EXPECT_EQ(x.swap_accept, y.swap_accept) << what;
    EXPECT_EQ(x.evidence.log_z, y.evidence.log_z) << what;
    EXPECT_EQ(x.evidence.se, y.evidence.se) << what;
    EXPECT_EQ(x.round_trips, y.round_trips) << what;
    EXPECT_EQ(x.restarts, y.restarts) << what;
    EXPECT_EQ(x.gradient_evaluations, y.gradient_evaluations) << what;
  }
}

TEST(Pt, SameSeedSameOutputForAnyNumberOfProcesses) {
  // Pigeons' guarantee through the ReplicaComm interface: 1, 2, 3, 4 and 7 processes (7 > 6
  // replicas: one holds none) give the draws, schedule, swaps, evidence and counts of the
  // single process, on every rank; only rank 0 makes a sink.
  const SiteModel model = small_site_model();
  PtOptions o = quick_pt(1);
  o.num_runs = 2;
  const PtResult ref = sample_pt(model, o);
  for (int processes : {1, 2, 3, 4, 7}) {
    for (int threads : {1, 2}) {
      PtOptions po = o;
      po.num_threads = threads;
      std::vector<int> sink_ranks;
      const std::vector<PtResult> all = sample_pt_over(model, po, processes, sink_ranks);
      for (int p = 0; p < processes; ++p) {
        expect_same(ref, all[static_cast<std::size_t>(p)],
                    fmt::format("{} processes x {} threads, rank {}", processes, threads, p));
      }
      EXPECT_EQ(sink_ranks, (std::vector<int>{0, 0})) << processes;  // one per run
    }
  }
}

TEST(Pt, ProcessesStopTogether) {
  // A stop seen by one process only (its own flag) ends every process after the same scan.
  const SiteModel model = small_site_model();
  ThreadGroup group(2);
  std::vector<PtResult> results(2);
  std::atomic<bool> stop_rank1{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < 2; ++p) {
    threads.emplace_back([&, p] {
      ThreadComm comm(group, p);
      PtOptions o = quick_pt(1);
      o.num_rounds = 8;
      o.comm = &comm;
      if (p == 1) {
        o.stop = &stop_rank1;
        o.on_round = nullptr;
      }
      if (p == 0) {
        o.on_round = [&](int, const PtRound& row) {
          if (row.round == 3) stop_rank1.store(true);  // rank 1 sees it during round 4
        };
      }
      results[static_cast<std::size_t>(p)] = sample_pt(model, o);
    });
  }
  for (auto& t : threads) t.join();
  for (const PtResult& r : results) {
    EXPECT_FALSE(r.reports[0].complete);
    EXPECT_FALSE(r.run.chains[0].complete);
  }
  EXPECT_EQ(results[0].reports[0].rounds.size(), results[1].reports[0].rounds.size());
  EXPECT_EQ(results[0].reports[0].rounds.back().scans, results[1].reports[0].rounds.back().scans);
  EXPECT_EQ(results[0].run.chains[0].draws, results[1].run.chains[0].draws);
}

TEST(Pt, RejectsABadCommunicator) {
  ThreadGroup group(2);
  ThreadComm comm(group, 2);  // rank 2 of 2
  PtOptions o = quick_pt(1);
  o.comm = &comm;
  EXPECT_THAT([&] { (void)sample_pt(small_site_model(), o); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("comm: rank 2 of 2")));
}

TEST(Pt, ReportIsConsistent) {
  const SiteModel model = small_site_model();
  const PtResult res = sample_pt(model, quick_pt());
  const PtReport& r = res.reports[0];
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.num_chains, 6);
  ASSERT_EQ(r.rounds.size(), 6U);
  for (int k = 0; k < 6; ++k) EXPECT_EQ(r.rounds[static_cast<std::size_t>(k)].scans, 2 << k);
  EXPECT_EQ(r.betas.front(), 0.0);
  EXPECT_EQ(r.betas.back(), 1.0);
  EXPECT_EQ(r.swap_accept.size(), 5U);
  double lambda = 0;
  for (double a : r.swap_accept) lambda += 1 - a;
  EXPECT_NEAR(r.barrier, lambda, 1e-12);
  EXPECT_EQ(r.barrier, r.rounds.back().barrier);
  EXPECT_EQ(r.evidence.log_z, r.rounds.back().log_z);
  std::int64_t grads = 0;
  for (const auto& row : r.rounds) grads += row.gradient_evaluations;
  EXPECT_EQ(grads, r.gradient_evaluations);
  const Chain& c = res.run.chains[0];
  EXPECT_EQ(c.gradient_evaluations, r.gradient_evaluations);
  EXPECT_EQ(c.names, model.output_names());
  EXPECT_EQ(c.stats.size(), 64U);
  EXPECT_EQ(c.stepsize, r.stepsizes.back());
  EXPECT_EQ(c.inv_metric.rows(), 4);
  for (Eigen::Index t = 0; t < c.draws.rows(); ++t) {
    EXPECT_GT(c.draws(t, 0), 0.0);  // rate > 0
    EXPECT_GT(c.draws(t, 1), 0.0);  // 0 < p < 1
    EXPECT_LT(c.draws(t, 1), 1.0);
  }
  const std::string text = format_pt_report(r);
  EXPECT_THAT(text, HasSubstr("log Z (stepping stone)"));
  EXPECT_THAT(text, HasSubstr("thermodynamic integration"));
  EXPECT_THAT(text, HasSubstr("round"));
}

TEST(Pt, StopsOnRequestWithAnIncompleteChain) {
  const SiteModel model = small_site_model();
  std::atomic<bool> stop{false};
  auto o = quick_pt();
  o.stop = &stop;
  o.on_round = [&](int, const PtRound& row) {
    if (row.round == 3) stop.store(true);
  };
  const PtResult res = sample_pt(model, o);
  const PtReport& r = res.reports[0];
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(res.run.chains[0].complete);
  ASSERT_EQ(r.rounds.size(), 4U);
  EXPECT_EQ(r.rounds.back().scans, 1);
  EXPECT_EQ(res.run.chains[0].draws.rows(), 1);
  EXPECT_THAT(r.warnings.front(), HasSubstr("stopped early in round 4"));
  // Ctrl-C: the process-wide flag the SIGINT handler sets stops PT the same way.
  auto o2 = quick_pt();
  o2.on_round = [](int, const PtRound& row) {
    if (row.round == 2) interrupt_flag().store(true);
  };
  const PtResult res2 = sample_pt(model, o2);
  interrupt_flag().store(false);
  EXPECT_FALSE(res2.reports[0].complete);
  EXPECT_EQ(res2.reports[0].rounds.size(), 3U);
}

class CountingSink final : public DrawSink {
 public:
  explicit CountingSink(int* draws, bool* ended) : draws_(draws), ended_(ended) {}
  void begin(int, std::span<const std::string>) override {}
  void adaptation(double, const RealMatrix&) override {}
  void draw(bool warmup, std::span<const double>, const SampleStats&) override {
    EXPECT_FALSE(warmup);
    ++*draws_;
  }
  void end(const Chain& c) override {
    *ended_ = true;
    EXPECT_EQ(c.draws.rows(), 0);  // keep_draws = false
  }

 private:
  int* draws_;
  bool* ended_;
};

TEST(Pt, StreamsTheLastRoundToTheSink) {
  const SiteModel model = small_site_model();
  int draws = 0;
  bool ended = false;
  auto o = quick_pt();
  o.keep_draws = false;
  o.sink_factory = [&](int) { return std::make_unique<CountingSink>(&draws, &ended); };
  (void)sample_pt(model, o);
  EXPECT_EQ(draws, 64);
  EXPECT_TRUE(ended);
}

std::string pt_error(const TemperedTarget& t, const PtOptions& o) {
  try {
    (void)sample_pt(t, o);
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

TEST(Pt, BadOptionsAreNamedErrors) {
  const SiteModel model = small_site_model();
  auto with = [](auto f) {
    PtOptions o = quick_pt();
    f(o);
    return o;
  };
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.num_chains = 1; })),
              HasSubstr("num_chains = 1"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.num_rounds = 0; })),
              HasSubstr("num_rounds = 0"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.num_rounds = 40; })),
              HasSubstr("num_rounds = 40"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.num_runs = 0; })),
              HasSubstr("num_runs = 0"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.explorer_steps = 0; })),
              HasSubstr("explorer_steps = 0"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.delta = 1.0; })), HasSubstr("delta = 1"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.stepsize = -1; })),
              HasSubstr("stepsize = -1"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.gaussian_sd = 0; })),
              HasSubstr("gaussian_sd = 0"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.num_threads = -2; })),
              HasSubstr("num_threads = -2"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) { o.metric = Metric::dense_e; })),
              HasSubstr("metric: dense_e is not supported"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) {
                         o.init = {1.0, 0.5};
                       })),
              HasSubstr("init: size 2"));
  EXPECT_THAT(pt_error(model, with([](PtOptions& o) {
                         o.init = {1.0, 1.5, 0.0, 0.0};
                       })),
              HasSubstr("p = 1.5"));
  // An improper prior cannot be the reference: say which site, and what to do instead.
  const std::string improper = pt_error(small_site_model(true), quick_pt());
  EXPECT_THAT(improper, HasSubstr("site 'm' has a flat (improper) prior"));
  EXPECT_THAT(improper, HasSubstr("reference = gaussian"));
  EXPECT_THROW((void)parse_pt_reference("flat"), InvalidArgument);
  EXPECT_EQ(parse_pt_reference("gaussian"), PtReference::gaussian);
}

TEST(Pt, GaussianReferenceRunsOnAnImproperPrior) {
  const SiteModel model = small_site_model(true);
  auto o = quick_pt();
  o.reference = PtReference::gaussian;
  o.init = {1.0, 0.5, 0.0, 0.0};
  const PtResult res = sample_pt(model, o);
  const PtReport& r = res.reports[0];
  EXPECT_FALSE(r.evidence.is_marginal_likelihood);
  EXPECT_THAT(r.reference_description, HasSubstr("gaussian"));
  EXPECT_TRUE(std::isfinite(r.evidence.log_z));
  bool warned = false;
  for (const auto& w : r.warnings) warned = warned || w.find("not a marginal") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace airy::infer
