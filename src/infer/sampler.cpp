// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/sampler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <thread>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/core/stop.hpp"
#include "airy/infer/adaptation.hpp"
#include "airy/infer/site_model.hpp"
#include "hmc.hpp"
#include "progress.hpp"

namespace airy::infer {

namespace {

using Clock = std::chrono::steady_clock;

struct StopSignal {
  const std::atomic<bool>* external = nullptr;
  std::atomic<bool> abort{false};  ///< another chain failed
  [[nodiscard]] bool requested() const {
    return airy::stop_requested() || abort.load(std::memory_order_relaxed) ||
           (external != nullptr && external->load(std::memory_order_relaxed));
  }
};

std::string coordinate_name(const LogDensity& target, const std::vector<std::string>& names,
                            int i) {
  if (target.dim() == target.output_dim()) return names[static_cast<std::size_t>(i)];
  return fmt::format("unconstrained[{}]", i + 1);
}

/// Finds the initial point: user values, or uniform(-r, r) on the unconstrained space.
void initialize(detail::PhasePoint& z, const LogDensity& target, detail::Hamiltonian& h,
                const SamplerOptions& o, int chain_id, Rng& rng) {
  const int n = target.dim();
  z.q = RealVector::Zero(n);
  z.p = RealVector::Zero(n);
  const auto names = target.output_names();
  auto describe_failure = [&](const detail::PhasePoint& pt) {
    std::vector<std::string> bad;
    for (int i = 0; i < n; ++i) {
      if (!std::isfinite(pt.g[i])) bad.push_back(coordinate_name(target, names, i));
    }
    const double lp = pt.raw_logp;
    std::string msg = fmt::format("log density = {}", lp);
    if (!bad.empty()) msg += fmt::format("; non-finite gradient at {}", fmt::join(bad, ", "));
    return msg;
  };
  if (!o.init.empty()) {
    const auto& values =
        o.init.size() == 1 ? o.init[0] : o.init[static_cast<std::size_t>(chain_id - 1)];
    if (!target.unconstrain(values, std::span<double>(z.q.data(), static_cast<std::size_t>(n)))) {
      std::vector<std::string> shown;
      for (std::size_t i = 0; i < values.size(); ++i) {
        shown.push_back(fmt::format("{} = {}", names[i], values[i]));
      }
      throw InvalidArgument(fmt::format("sample: init for chain {}: values outside the support: {}",
                                        chain_id, fmt::join(shown, ", ")));
    }
    h.evaluate(z);
    if (std::isfinite(z.logp)) return;
    throw Error(
        fmt::format("sample: init for chain {}: the log density or its gradient is not "
                    "finite at the given values: {}",
                    chain_id, describe_failure(z)));
  }
  const int tries = o.init_radius > 0 ? o.max_init_tries : 1;
  for (int t = 0; t < tries; ++t) {
    for (int i = 0; i < n; ++i)
      z.q[i] = o.init_radius > 0 ? rng.uniform(-o.init_radius, o.init_radius) : 0.0;
    h.evaluate(z);
    if (std::isfinite(z.logp)) return;
  }
  throw Error(fmt::format(
      "sample: chain {}: no initial point with finite log density and gradient after {} tries "
      "of uniform({}, {}) on the unconstrained space; last try: {}",
      chain_id, tries, -o.init_radius, o.init_radius, describe_failure(z)));
}

Chain run_chain(const LogDensity& target, const SamplerOptions& o, int chain_id,
                detail::ProgressReporter& progress, const StopSignal& stop) {
  Rng rng(o.seed, static_cast<std::uint64_t>(chain_id));
  auto ws = target.make_workspace();
  detail::Hamiltonian h(target, ws.get(), o.metric);
  if (o.inv_metric.size() > 0) h.set_inv_metric(o.inv_metric);
  detail::PhasePoint z;
  initialize(z, target, h, o, chain_id, rng);
  detail::HmcKernel kernel(h, o);

  Chain chain;
  chain.id = chain_id;
  chain.names = target.output_names();
  const int out_dim = target.output_dim();
  std::unique_ptr<DrawSink> sink = o.sink_factory ? o.sink_factory(chain_id) : nullptr;
  if (sink) sink->begin(chain_id, chain.names);

  const int warm_saved = o.save_warmup ? (o.num_warmup + o.thin - 1) / o.thin : 0;
  const int samp_saved = (o.num_samples + o.thin - 1) / o.thin;
  if (o.keep_draws) {
    chain.draws.resize(warm_saved + samp_saved, out_dim);
    chain.stats.reserve(static_cast<std::size_t>(warm_saved + samp_saved));
  }
  std::vector<double> row(static_cast<std::size_t>(out_dim));
  int rows = 0;
  auto record = [&](bool warmup, const detail::TransitionInfo& info) {
    target.constrain(std::span<const double>(z.q.data(), static_cast<std::size_t>(z.q.size())),
                     row);
    SampleStats s{z.logp,          info.accept_stat, info.stepsize, info.treedepth,
                  info.n_leapfrog, info.divergent,   info.energy};
    if (o.keep_draws) {
      chain.draws.row(rows) = Eigen::Map<const RealVector>(row.data(), out_dim).transpose();
      chain.stats.push_back(s);
    }
    ++rows;
    if (warmup) ++chain.num_warmup_saved;
    if (sink) sink->draw(warmup, row, s);
  };

  detail::ChainProgress prog;
  prog.started = true;
  prog.total = o.num_warmup + o.num_samples;
  prog.start = Clock::now();
  prog.stepsize = kernel.nominal_stepsize;
  auto report = [&](const detail::TransitionInfo& info) {
    ++prog.iteration;
    prog.stepsize = info.stepsize;
    // Running means over about the last 10 iterations (the first iteration seeds them).
    auto mean = [&](double& m, double x) { m = prog.iteration == 1 ? x : 0.9 * m + 0.1 * x; };
    mean(prog.leapfrogs, info.n_leapfrog);
    mean(prog.accept, info.accept_stat);
    mean(prog.treedepth, info.treedepth);
    if (info.divergent) ++(prog.warmup ? prog.warmup_divergences : prog.divergences);
    progress.update(chain_id - 1, prog);
  };
  progress.update(chain_id - 1, prog);

  const bool adapt = o.adapt_engaged && o.num_warmup > 0;
  DualAveraging da{o.delta, o.gamma, o.kappa, o.t0};
  da.mu = std::log(10.0 * o.stepsize);  // Stan: mu from the user's step size
  WindowSchedule schedule(o.num_warmup, o.init_buffer, o.term_buffer, o.window);
  WelfordEstimator estimator(target.dim(), o.metric == Metric::dense_e);
  if (adapt) kernel.init_stepsize(z, rng);

  bool complete = true;
  const auto t_warm = Clock::now();
  for (int i = 0; i < o.num_warmup; ++i) {
    if (stop.requested()) {
      complete = false;
      break;
    }
    const auto info = kernel.transition(z, rng);
    if (adapt) {
      da.learn(kernel.nominal_stepsize, info.accept_stat);
      if (o.metric != Metric::unit_e && o.adapt_metric) {
        if (schedule.in_window()) estimator.add_sample(z.q);
        if (schedule.window_end()) {
          const RealMatrix inv = estimator.regularized();
          if (!inv.allFinite()) {
            throw Error(fmt::format("sample: chain {}: non-finite metric estimate", chain_id));
          }
          h.set_inv_metric(inv);
          estimator.restart();
          kernel.init_stepsize(z, rng);
          da.mu = std::log(10.0 * kernel.nominal_stepsize);
          da.restart();
        }
        schedule.advance();
      }
    }
    if (o.save_warmup && i % o.thin == 0) record(true, info);
    report(info);
  }
  if (adapt && complete) da.complete(kernel.nominal_stepsize);
  chain.warmup_seconds = std::chrono::duration<double>(Clock::now() - t_warm).count();
  chain.stepsize = kernel.nominal_stepsize;
  chain.inv_metric = h.inv_metric();
  if (sink && complete) sink->adaptation(chain.stepsize, chain.inv_metric);

  prog.warmup = false;
  const auto t_samp = Clock::now();
  for (int i = 0; complete && i < o.num_samples; ++i) {
    if (stop.requested()) {
      complete = false;
      break;
    }
    const auto info = kernel.transition(z, rng);
    if (i % o.thin == 0) record(false, info);
    report(info);
  }
  chain.sampling_seconds = std::chrono::duration<double>(Clock::now() - t_samp).count();
  chain.complete = complete;
  chain.gradient_evaluations = h.gradient_evaluations();
  if (o.keep_draws && rows < chain.draws.rows()) {
    chain.draws.conservativeResize(rows, out_dim);
  }
  if (!o.keep_draws) chain.draws.resize(0, out_dim);
  prog.done = true;
  prog.end = Clock::now();  // the chain's elapsed time and rate stop here
  progress.update(chain_id - 1, prog);
  if (sink) sink->end(chain);
  return chain;
}

}  // namespace

Metric parse_metric(std::string_view name) {
  if (name == "unit_e" || name == "unit") return Metric::unit_e;
  if (name == "diag_e" || name == "diag") return Metric::diag_e;
  if (name == "dense_e" || name == "dense") return Metric::dense_e;
  throw InvalidArgument(fmt::format(
      "parse_metric: metric = '{}': unknown (expected unit_e, diag_e or dense_e)", name));
}

std::string to_string(Metric metric) {
  switch (metric) {
    case Metric::unit_e:
      return "unit_e";
    case Metric::diag_e:
      return "diag_e";
    case Metric::dense_e:
      return "dense_e";
  }
  return "?";
}

std::atomic<bool>& interrupt_flag() { return airy::stop_flag(); }

void validate(const SamplerOptions& o, int dim) {
  const char* w = "sample";
  auto at_least = [&](const char* field, double v, double lo) {
    if (!(v >= lo))
      throw InvalidArgument(format_invalid(w, field, v, fmt::format("must be >= {}", lo)));
  };
  at_least("num_warmup", o.num_warmup, 0);
  at_least("num_samples", o.num_samples, 0);
  at_least("num_chains", o.num_chains, 1);
  at_least("thin", o.thin, 1);
  at_least("max_depth", o.max_depth, 1);
  at_least("num_threads", o.num_threads, 0);
  at_least("init_buffer", o.init_buffer, 0);
  at_least("term_buffer", o.term_buffer, 0);
  at_least("window", o.window, 1);
  at_least("max_init_tries", o.max_init_tries, 1);
  check_positive(w, "stepsize", o.stepsize);
  check_in_range(w, "stepsize_jitter", o.stepsize_jitter, 0.0, 1.0);
  check_positive(w, "int_time", o.int_time);
  check_positive(w, "max_energy_error", o.max_energy_error);
  check_nonnegative(w, "init_radius", o.init_radius);
  if (!(o.delta > 0 && o.delta < 1))
    throw InvalidArgument(format_invalid(w, "delta", o.delta, "must be in (0, 1)"));
  check_positive(w, "gamma", o.gamma);
  check_positive(w, "kappa", o.kappa);
  check_positive(w, "t0", o.t0);
  if (dim < 1)
    throw InvalidArgument(fmt::format("sample: target dimension = {}: must be >= 1", dim));
  if (o.inv_metric.size() > 0) {
    const bool diag = o.inv_metric.rows() == dim && o.inv_metric.cols() == 1;
    const bool dense = o.inv_metric.rows() == dim && o.inv_metric.cols() == dim;
    if (!(diag || dense)) {
      throw InvalidArgument(
          fmt::format("sample: inv_metric: shape ({}, {}) must be ({}, 1) or ({}, {})",
                      o.inv_metric.rows(), o.inv_metric.cols(), dim, dim, dim));
    }
    if (!o.inv_metric.allFinite() || (diag && !(o.inv_metric.array() > 0).all())) {
      throw_invalid(w, "inv_metric", "must be finite and positive");
    }
  }
  if (!o.init.empty() && o.init.size() != 1 &&
      o.init.size() != static_cast<std::size_t>(o.num_chains)) {
    throw InvalidArgument(fmt::format("sample: init: {} vectors given for {} chains (need 1 or {})",
                                      o.init.size(), o.num_chains, o.num_chains));
  }
}

Run sample(const LogDensity& target, const SamplerOptions& o) {
  validate(o, target.dim());
  const auto* site_model = dynamic_cast<const SiteModel*>(&target);
  for (const auto& v : o.init) {
    const bool sites_only =
        site_model != nullptr && v.size() == static_cast<std::size_t>(site_model->site_dim());
    if (v.size() != static_cast<std::size_t>(target.output_dim()) && !sites_only) {
      throw InvalidArgument(fmt::format("sample: init: size {} != output dimension {}", v.size(),
                                        target.output_dim()));
    }
  }
  const auto t0 = Clock::now();
  // A stop requested before this call under an enclosing scope (the pipeline's, e.g. during
  // the MAP) stands: the chains then stop at once. Otherwise an old request is forgotten.
  if (!StopSignalScope::active()) clear_stop();
  const StopSignalScope signals(o.handle_sigint);
  StopSignal stop;
  stop.external = o.stop;

  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads =
      o.num_threads > 0 ? std::min(o.num_threads, o.num_chains) : std::min(o.num_chains, hw);
  Run run;
  run.chains.resize(static_cast<std::size_t>(o.num_chains));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(o.num_chains));
  {
    detail::ProgressReporter progress(o.num_chains, o.quiet, o.refresh_seconds,
                                      o.plain_refresh_seconds);
    std::atomic<int> next{0};
    auto worker = [&] {
      for (;;) {
        const int c = next.fetch_add(1);
        if (c >= o.num_chains) return;
        try {
          run.chains[static_cast<std::size_t>(c)] = run_chain(target, o, c + 1, progress, stop);
        } catch (...) {
          errors[static_cast<std::size_t>(c)] = std::current_exception();
          stop.abort.store(true);
        }
      }
    };
    if (threads <= 1) {
      worker();
    } else {
      std::vector<std::thread> pool;
      pool.reserve(static_cast<std::size_t>(threads));
      for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
      for (auto& th : pool) th.join();
    }
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  run.wall_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return run;
}

}  // namespace airy::infer
