// SPDX-License-Identifier: BSD-3-Clause
// airy::infer from Python: distributions, log densities (airy's and Python callables), sampler
// options, and a background NUTS run that Python waits on (Ctrl-C safe, with progress).
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <thread>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/infer/sampler.hpp"
#include "airy/infer/site_model.hpp"
#include "common.hpp"
#include "infer_refs.hpp"
#include "python_density.hpp"

namespace airy::python {
namespace {

/// Counts the draws of one chain as they are made (the progress bar's source).
class CountingSink final : public infer::DrawSink {
 public:
  explicit CountingSink(std::atomic<long long>* counter) : counter_(counter) {}
  void begin(int, std::span<const std::string>) override {}
  void adaptation(double, const RealMatrix&) override {}
  void draw(bool, std::span<const double>, const infer::SampleStats&) override {
    counter_->fetch_add(1, std::memory_order_relaxed);
  }
  void end(const infer::Chain&) override {}

 private:
  std::atomic<long long>* counter_;
};

/// A NUTS run in a background thread (nutpie's pattern): Python polls wait() with the GIL
/// released, so Ctrl-C reaches Python between polls; abort() stops every chain after its
/// current iteration and the draws so far are kept.
class SamplerHandle {
 public:
  SamplerHandle(LogDensityRef density, infer::SamplerOptions options)
      : density_(std::move(density.ptr)), options_(std::move(options)) {
    infer::validate(options_, density_->dim());
    user_save_warmup_ = options_.save_warmup;
    // Warmup draws are always recorded (and dropped later unless asked for) so that the
    // progress count advances through warmup too.
    options_.save_warmup = true;
    options_.quiet = true;
    options_.handle_sigint = false;
    options_.stop = &stop_;
    counter_ = std::make_unique<std::atomic<long long>>(0);
    auto* c = counter_.get();
    options_.sink_factory = [c](int) { return std::make_unique<CountingSink>(c); };
    const long long per_chain = (options_.num_warmup + options_.thin - 1) / options_.thin +
                                (options_.num_samples + options_.thin - 1) / options_.thin;
    total_ = per_chain * options_.num_chains;
    thread_ = std::thread([this] {
      try {
        run_ = infer::sample(*density_, options_);
      } catch (...) {
        error_ = std::current_exception();
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        done_ = true;
      }
      cv_.notify_all();
    });
  }
  ~SamplerHandle() {
    stop_.store(true);
    if (thread_.joinable()) {
      nb::gil_scoped_release release;  // chains may be waiting for the GIL
      thread_.join();
    }
  }
  SamplerHandle(const SamplerHandle&) = delete;
  SamplerHandle& operator=(const SamplerHandle&) = delete;

  /// Waits up to timeout seconds (GIL released by the binding); true when the run has ended.
  bool wait(double timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    cv_.wait_for(lock, std::chrono::duration<double>(timeout), [this] { return done_; });
    return done_;
  }
  void abort() { stop_.store(true); }
  [[nodiscard]] long long progress() const { return counter_->load(); }
  [[nodiscard]] long long total() const { return total_; }

  /// Joins and returns the run as a dict of numpy arrays; re-raises the run's exception (the
  /// Python exception when a Python log density raised).
  nb::dict result() {
    {
      nb::gil_scoped_release release;
      if (thread_.joinable()) thread_.join();
    }
    if (error_) {
      if (const auto* py = dynamic_cast<const PythonLogDensity*>(density_.get())) {
        nb::object e = py->take_error();
        if (e.is_valid() && !e.is_none()) {
          PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(e.ptr())), e.ptr());
          throw nb::python_error();
        }
      }
      std::rethrow_exception(error_);
    }
    return run_dict(run_, user_save_warmup_);
  }

 private:
  static nb::dict run_dict(const infer::Run& run, bool with_warmup);

  std::shared_ptr<const infer::LogDensity> density_;
  infer::SamplerOptions options_;
  bool user_save_warmup_ = false;
  std::atomic<bool> stop_{false};
  std::unique_ptr<std::atomic<long long>> counter_;
  long long total_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  infer::Run run_;
  std::exception_ptr error_;
};

// (chains, draws) arrays of each statistic and (chains, draws, n) draws over rows
// [first, first + count) of every chain.
nb::dict block_dict(const infer::Run& run, bool warmup, std::size_t count) {
  const std::size_t nc = run.chains.size();
  const std::size_t n = nc ? run.chains[0].names.size() : 0;
  std::vector<double> draws(nc * count * n);
  std::vector<std::vector<double>> stats(7, std::vector<double>(nc * count));
  for (std::size_t c = 0; c < nc; ++c) {
    const auto& ch = run.chains[c];
    const std::size_t first = warmup ? 0 : static_cast<std::size_t>(ch.num_warmup_saved);
    for (std::size_t d = 0; d < count; ++d) {
      const auto r = static_cast<Eigen::Index>(first + d);
      for (std::size_t k = 0; k < n; ++k)
        draws[(c * count + d) * n + k] = ch.draws(r, static_cast<Eigen::Index>(k));
      const auto& s = ch.stats[first + d];
      const double v[7] = {s.lp,
                           s.accept_stat,
                           s.stepsize,
                           static_cast<double>(s.treedepth),
                           static_cast<double>(s.n_leapfrog),
                           s.divergent ? 1.0 : 0.0,
                           s.energy};
      for (int k = 0; k < 7; ++k) stats[k][c * count + d] = v[k];
    }
  }
  nb::dict out;
  out["draws"] = owned_array(std::move(draws), {nc, count, n});
  const char* names[7] = {"lp",         "accept_stat", "stepsize", "treedepth",
                          "n_leapfrog", "divergent",   "energy"};
  nb::dict sd;
  for (int k = 0; k < 7; ++k) sd[names[k]] = owned_array(std::move(stats[k]), {nc, count});
  out["stats"] = sd;
  return out;
}

nb::dict SamplerHandle::run_dict(const infer::Run& run, bool with_warmup) {
  nb::dict out;
  std::size_t draws = std::numeric_limits<std::size_t>::max(), warm = draws;
  nb::list complete, stepsize, inv_metric, grads, warm_s, samp_s;
  for (const auto& ch : run.chains) {
    draws = std::min(draws, static_cast<std::size_t>(std::max(0, ch.num_draws())));
    warm = std::min(warm, static_cast<std::size_t>(ch.num_warmup_saved));
    complete.append(ch.complete);
    stepsize.append(ch.stepsize);
    inv_metric.append(matrix_array(ch.inv_metric));
    grads.append(ch.gradient_evaluations);
    warm_s.append(ch.warmup_seconds);
    samp_s.append(ch.sampling_seconds);
  }
  if (run.chains.empty()) draws = warm = 0;
  out["names"] = run.chains.empty() ? std::vector<std::string>{} : run.chains[0].names;
  out["posterior"] = block_dict(run, false, draws);
  if (with_warmup) out["warmup"] = block_dict(run, true, warm);
  out["complete"] = complete;
  out["adapted_stepsize"] = stepsize;
  out["inv_metric"] = inv_metric;
  out["gradient_evaluations"] = grads;
  out["warmup_seconds"] = warm_s;
  out["sampling_seconds"] = samp_s;
  out["wall_seconds"] = run.wall_seconds;
  return out;
}

void bind_options(nb::module_& m) {
  using O = infer::SamplerOptions;
  nb::class_<O>(m, "SamplerOptions", "NUTS settings with CmdStan's names and defaults.")
      .def(nb::init<>())
      .def_rw("num_warmup", &O::num_warmup)
      .def_rw("num_samples", &O::num_samples)
      .def_rw("num_chains", &O::num_chains)
      .def_rw("thin", &O::thin)
      .def_rw("save_warmup", &O::save_warmup)
      .def_rw("seed", &O::seed)
      .def_rw("max_depth", &O::max_depth)
      .def_rw("stepsize", &O::stepsize)
      .def_rw("max_energy_error", &O::max_energy_error)
      .def_rw("adapt_engaged", &O::adapt_engaged)
      .def_rw("delta", &O::delta)
      .def_rw("gamma", &O::gamma)
      .def_rw("kappa", &O::kappa)
      .def_rw("t0", &O::t0)
      .def_rw("init_buffer", &O::init_buffer)
      .def_rw("term_buffer", &O::term_buffer)
      .def_rw("window", &O::window)
      .def_rw("adapt_metric", &O::adapt_metric)
      .def_rw("init_radius", &O::init_radius)
      .def_rw("init", &O::init)
      .def_rw("num_threads", &O::num_threads)
      .def_prop_rw(
          "metric", [](const O& o) { return infer::to_string(o.metric); },
          [](O& o, const std::string& s) { o.metric = infer::parse_metric(s); })
      .def_prop_rw(
          "inv_metric", [](const O& o) { return matrix_array(o.inv_metric); },
          [](O& o, const InArray& a) {
            o.inv_metric = a.ndim() == 1 ? RealMatrix(to_vector(a)) : to_matrix(a, "inv_metric");
          })
      .def("validate", [](const O& o, int dim) { infer::validate(o, dim); });
}

void bind_densities(nb::module_& m) {
  nb::class_<DistRef>(m, "Distribution", "An immutable scalar distribution (airy::infer).")
      .def_prop_ro("name", [](const DistRef& d) { return d.ptr->name(); })
      .def("params", [](const DistRef& d) { return d.ptr->params(); })
      .def("describe", [](const DistRef& d) { return d.ptr->describe(); })
      .def("support", [](const DistRef& d) { return d.ptr->support().describe(); })
      .def("log_prob", [](const DistRef& d, double x) { return d.ptr->log_prob(x); })
      .def_prop_ro("event_size", [](const DistRef& d) { return d.ptr->event_size(); })
      .def("log_prob_vector",
           [](const DistRef& d, const InArray& x) {
             // log p of a whole event (a per-element prior over a vector site).
             if (static_cast<int>(num_elements(x)) != d.ptr->event_size()) {
               throw_invalid("Distribution.log_prob", "x",
                             "expected " + std::to_string(d.ptr->event_size()) + " values");
             }
             return d.ptr->log_prob(std::span<const double>(x.data(), num_elements(x)), {});
           })
      .def("sample_vector",
           [](const DistRef& d, std::uint64_t seed, int n) {
             // n whole events, (n, event_size), from Philox stream (seed, 0).
             if (n < 0) throw_invalid("Distribution.sample", "n", "must be >= 0");
             Rng rng(seed, 0);
             const auto k = static_cast<std::size_t>(d.ptr->event_size());
             std::vector<double> out(static_cast<std::size_t>(n) * k);
             for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
               d.ptr->sample(rng, std::span<double>(out.data() + i * k, k));
             }
             return owned_array(std::move(out), {static_cast<std::size_t>(n), k});
           })
      .def("sample", [](const DistRef& d, std::uint64_t seed, int n) {
        Rng rng(seed, 0);
        RealVector v(n);
        for (int i = 0; i < n; ++i) v[i] = d.ptr->sample(rng);
        return vector_array(v);
      });
  m.def("make_distribution",
        [](const std::string& name, const std::map<std::string, double>& params) {
          return DistRef{infer::make_distribution(name, params)};
        });
  m.def(
      "make_independent",
      [](const std::string& family, const std::map<std::string, std::vector<double>>& params,
         int size) { return DistRef{infer::make_independent(family, params, size)}; },
      nb::arg("family"), nb::arg("params"), nb::arg("size"),
      "Per-element prior over a vector site (airy::infer::make_independent, the config's "
      "array / FITS-map loc and scale): each parameter n values or one shared.");
  m.def("distribution_names", &infer::distribution_names);

  nb::class_<LogDensityRef>(m, "LogDensity", "A log density on unconstrained R^dim (airy::infer).")
      .def_prop_ro("dim", [](const LogDensityRef& d) { return d.ptr->dim(); })
      .def_prop_ro("output_dim", [](const LogDensityRef& d) { return d.ptr->output_dim(); })
      .def("output_names", [](const LogDensityRef& d) { return d.ptr->output_names(); })
      .def("log_density_gradient",
           [](const LogDensityRef& d, const InArray& theta) {
             if (static_cast<int>(num_elements(theta)) != d.ptr->dim()) {
               throw_invalid("LogDensity", "theta",
                             "expected " + std::to_string(d.ptr->dim()) + " values");
             }
             std::vector<double> g(static_cast<std::size_t>(d.ptr->dim()));
             double lp = 0;
             {
               nb::gil_scoped_release release;
               auto ws = d.ptr->make_workspace();
               lp = d.ptr->log_density_gradient(std::span<const double>(theta.data(), g.size()), g,
                                                ws.get());
             }
             return nb::make_tuple(
                 lp, owned_array(std::move(g), {static_cast<std::size_t>(d.ptr->dim())}));
           })
      .def("constrain",
           [](const LogDensityRef& d, const InArray& theta) {
             if (static_cast<int>(num_elements(theta)) != d.ptr->dim()) {
               throw_invalid("LogDensity", "theta_unc",
                             "expected " + std::to_string(d.ptr->dim()) + " values");
             }
             std::vector<double> out(static_cast<std::size_t>(d.ptr->output_dim()));
             d.ptr->constrain(
                 std::span<const double>(theta.data(), static_cast<std::size_t>(d.ptr->dim())),
                 out);
             return owned_array(std::move(out), {static_cast<std::size_t>(d.ptr->output_dim())});
           })
      .def("unconstrain", [](const LogDensityRef& d, const InArray& values) {
        std::vector<double> u(static_cast<std::size_t>(d.ptr->dim()));
        if (!d.ptr->unconstrain(std::span<const double>(values.data(), num_elements(values)), u)) {
          throw_invalid("LogDensity", "theta", "outside the support of the priors");
        }
        return owned_array(std::move(u), {static_cast<std::size_t>(d.ptr->dim())});
      });
  m.def(
      "make_python_density",
      [](int dim, nb::object fn, std::vector<std::string> names) {
        return LogDensityRef{
            std::make_shared<PythonLogDensity>(dim, std::move(fn), std::move(names))};
      },
      nb::arg("dim"), nb::arg("fn"), nb::arg("names"));

  nb::class_<SamplerHandle>(m, "SamplerRun", "A NUTS run in a background thread.")
      .def(nb::init<LogDensityRef, infer::SamplerOptions>())
      .def("wait", &SamplerHandle::wait, nb::arg("timeout"),
           nb::call_guard<nb::gil_scoped_release>())
      .def("abort", &SamplerHandle::abort)
      .def_prop_ro("progress", &SamplerHandle::progress)
      .def_prop_ro("total", &SamplerHandle::total)
      .def("result", &SamplerHandle::result);
}

}  // namespace

void bind_infer(nb::module_& m) {
  bind_options(m);
  bind_densities(m);
}

}  // namespace airy::python
