// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/map_fit.hpp"

#include <fmt/format.h>
#include <nlopt.h>

#include <chrono>
#include <cmath>
#include <limits>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/core/stop.hpp"

namespace airy::posterior {
namespace {

/// State shared with NLopt's C callback.
struct Objective {
  const infer::SiteModel* model = nullptr;
  infer::Workspace* ws = nullptr;
  FitObjective kind = FitObjective::kMap;
  std::vector<double> prior_grad;
  std::vector<double> g;  ///< gradient buffer (dim)
  int evaluations = 0;
  // Interruption: polled at every evaluation; the best point of the running start is kept
  // because NLopt's x after a forced stop is only the last point it tried.
  const std::atomic<bool>* external_stop = nullptr;
  nlopt_opt opt = nullptr;
  bool stopped = false;
  double best_f = -std::numeric_limits<double>::infinity();
  std::vector<double> best_u;

  [[nodiscard]] bool stop_requested() const {
    return airy::stop_requested() ||
           (external_stop != nullptr && external_stop->load(std::memory_order_relaxed));
  }

  /// The objective and its gradient in u (grad may be empty).
  double evaluate(std::span<const double> u, std::span<double> grad) {
    ++evaluations;
    double f = model->log_density_gradient(u, g, ws);
    if (kind == FitObjective::kMaximumLikelihood && std::isfinite(f)) {
      // log L = log p(u) - [log prior + log|J|]: subtract the prior part and its gradient.
      f -= model->log_prior_gradient(u, prior_grad);
      for (std::size_t i = 0; i < g.size(); ++i) g[i] -= prior_grad[i];
    }
    if (!std::isfinite(f)) return -std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < grad.size(); ++i) grad[i] = g[i];
    return f;
  }
};

double nlopt_callback(unsigned n, const double* u, double* grad, void* data) {
  auto* obj = static_cast<Objective*>(data);
  if (obj->stop_requested()) {
    obj->stopped = true;
    nlopt_force_stop(obj->opt);
    return -std::numeric_limits<double>::infinity();
  }
  std::span<double> g;
  if (grad != nullptr) g = std::span<double>(grad, n);
  const double f = obj->evaluate(std::span<const double>(u, n), g);
  if (f > obj->best_f) {
    obj->best_f = f;
    obj->best_u.assign(u, u + n);
  }
  return f;
}

std::string reason_of(nlopt_result code) {
  switch (code) {
    case NLOPT_SUCCESS:
      return "success";
    case NLOPT_STOPVAL_REACHED:
      return "stopval reached";
    case NLOPT_FTOL_REACHED:
      return "ftol_rel reached";
    case NLOPT_XTOL_REACHED:
      return "xtol_rel reached";
    case NLOPT_MAXEVAL_REACHED:
      return "max evaluations reached";
    case NLOPT_MAXTIME_REACHED:
      return "max time reached";
    case NLOPT_ROUNDOFF_LIMITED:
      return "roundoff limited";
    case NLOPT_FORCED_STOP:
      return "forced stop";
    case NLOPT_OUT_OF_MEMORY:
      return "out of memory";
    case NLOPT_INVALID_ARGS:
      return "invalid arguments";
    default:
      return "nlopt failure (line search stalled)";
  }
}

/// Site values drawn from each site's prior (one scalar draw per coordinate, or one event).
std::vector<double> prior_draw(const infer::SiteModel& model, Rng& rng) {
  std::vector<double> v(static_cast<std::size_t>(model.site_dim()));
  for (std::size_t s = 0; s < model.sites().size(); ++s) {
    const auto& site = model.sites()[s];
    const auto& sl = model.slices()[s];
    auto out = std::span<double>(v).subspan(static_cast<std::size_t>(sl.offset),
                                            static_cast<std::size_t>(sl.size));
    if (!site.prior) {
      for (auto& x : out) x = 0.0;
    } else if (site.prior->event_size() == 1) {
      for (auto& x : out) x = site.prior->sample(rng);
    } else {
      site.prior->sample(rng, out);
    }
  }
  return v;
}

OptimizeStart run_start(Objective& obj, const OptimizeOptions& o, std::vector<double> start,
                        std::vector<double> u) {
  const auto n = static_cast<unsigned>(u.size());
  OptimizeStart s;
  s.start = std::move(start);
  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, n);
  if (opt == nullptr) throw Error("optimize: nlopt_create(NLOPT_LD_LBFGS) failed");
  nlopt_set_max_objective(opt, nlopt_callback, &obj);
  nlopt_set_ftol_rel(opt, o.ftol_rel);
  nlopt_set_xtol_rel(opt, o.xtol_rel);
  nlopt_set_maxeval(opt, o.max_evaluations);
  nlopt_set_vector_storage(opt, static_cast<unsigned>(o.lbfgs_memory));
  obj.evaluations = 0;
  obj.opt = opt;
  obj.stopped = false;
  obj.best_f = -std::numeric_limits<double>::infinity();
  double f = 0.0;
  const nlopt_result code = nlopt_optimize(opt, u.data(), &f);
  nlopt_destroy(opt);
  obj.opt = nullptr;
  s.evaluations = obj.evaluations;
  s.reason = reason_of(code);
  s.success = code > 0;
  if (obj.stopped) {
    if (!obj.best_u.empty() && std::isfinite(obj.best_f)) u = obj.best_u;
    s.reason = "interrupted";
    s.success = false;
  }
  std::vector<double> g(u.size());
  s.objective = obj.evaluate(u, g);
  double g2 = 0.0;
  for (double gi : g) g2 += gi * gi;
  s.gradient_norm = std::sqrt(g2);
  // L-BFGS's line search often gives up at roundoff once the gradient is tiny: say so.
  if (!s.success && s.gradient_norm < 1e-3) s.reason += " at |grad| < 1e-3 (converged)";
  s.unconstrained = u;
  s.values.resize(static_cast<std::size_t>(obj.model->output_dim()));
  obj.model->constrain(u, s.values);
  s.values.resize(static_cast<std::size_t>(obj.model->site_dim()));
  return s;
}

}  // namespace

FitObjective parse_objective(std::string_view name, std::string_view field) {
  if (name == "map") return FitObjective::kMap;
  if (name == "ml" || name == "mle") return FitObjective::kMaximumLikelihood;
  throw InvalidArgument(
      fmt::format("{} = '{}': unknown objective (expected \"map\" or \"ml\")", field, name));
}

OptimizeResult optimize(const ImagePosterior& posterior, const OptimizeOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  if (o.num_starts < 0) {
    throw InvalidArgument(format_invalid("optimize", "num_starts", o.num_starts, "must be >= 0"));
  }
  if (o.num_starts == 0 && o.starts.empty()) {
    throw_invalid("optimize", "num_starts", "0 random starts and no given start");
  }
  if (o.max_evaluations < 1) {
    throw InvalidArgument(
        format_invalid("optimize", "max_evaluations", o.max_evaluations, "must be >= 1"));
  }
  const infer::SiteModel& model = posterior.log_density();
  OptimizeResult result;
  result.names = model.output_names();
  result.names.resize(static_cast<std::size_t>(model.site_dim()));
  result.units = posterior.output_units();
  if (!StopSignalScope::active()) clear_stop();  // as sample(): an old request is forgotten
  const StopSignalScope signals(o.handle_signals);
  auto ws = model.make_workspace();
  Objective obj;
  obj.external_stop = o.stop;
  obj.model = &model;
  obj.ws = ws.get();
  obj.kind = o.objective;
  obj.prior_grad.assign(static_cast<std::size_t>(model.dim()), 0.0);
  obj.g.assign(static_cast<std::size_t>(model.dim()), 0.0);
  std::vector<double> u(static_cast<std::size_t>(model.dim())), g(u.size());

  for (std::size_t k = 0; k < o.starts.size(); ++k) {
    const auto& v = o.starts[k];
    if (v.size() != static_cast<std::size_t>(model.site_dim())) {
      throw InvalidArgument(fmt::format("optimize: starts[{}] has {} values for {} parameters", k,
                                        v.size(), model.site_dim()));
    }
    if (!model.unconstrain(v, u)) {
      throw InvalidArgument(fmt::format("optimize: starts[{}] is outside the priors' support", k));
    }
    if (obj.stop_requested()) {
      result.interrupted = true;
      break;
    }
    result.starts.push_back(run_start(obj, o, v, u));
    if (obj.stopped) {
      result.interrupted = true;
      break;
    }
  }
  for (int s = 0; s < o.num_starts && !result.interrupted; ++s) {
    if (obj.stop_requested()) {
      result.interrupted = true;
      break;
    }
    Rng rng(o.seed, static_cast<std::uint64_t>(s));
    std::vector<double> v;
    bool found = false;
    for (int t = 0; t < 100 && !found; ++t) {
      v = prior_draw(model, rng);
      found = model.unconstrain(v, u) && std::isfinite(obj.evaluate(u, g));
    }
    if (!found) continue;
    result.starts.push_back(run_start(obj, o, v, u));
    result.interrupted = obj.stopped;
  }
  double best = -std::numeric_limits<double>::infinity();
  for (std::size_t k = 0; k < result.starts.size(); ++k) {
    if (std::isfinite(result.starts[k].objective) && result.starts[k].objective > best) {
      best = result.starts[k].objective;
      result.best = static_cast<int>(k);
    }
  }
  if (result.best < 0 && !result.interrupted) {
    throw Error(fmt::format("optimize: none of the {} starts reached a finite log density",
                            result.starts.size()));
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace airy::posterior
