// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/large_map.hpp"

#include <fmt/format.h>
#include <nlopt.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>

#include "airy/core/error.hpp"
#include "airy/infer/distributions.hpp"

namespace airy::posterior {
namespace {

/// What NLopt sees outside the support: a finite value far below any log density, so that its
/// line search (which switches to safeguarded bisection above 1e20 in its minimisation
/// form) backtracks instead of interpolating with an infinity.
constexpr double kOutside = -1e30;

/// State shared with NLopt's C callback: the map z -> u, the best point seen, the stop rule.
struct ScaledObjective {
  const infer::LogDensity* density = nullptr;
  infer::Workspace* ws = nullptr;
  std::span<const double> u0;
  std::span<const double> scale;
  double gradient_tolerance = 0.0;
  nlopt_opt opt = nullptr;
  std::vector<double> u;       ///< u at the current evaluation
  std::vector<double> grad_u;  ///< d log p / du there
  std::vector<double> best_z;  ///< the best point so far (the converged one at the end)
  double best = -std::numeric_limits<double>::infinity();
  int evaluations = 0;
  int improvements = 0;
  int outside = 0;  ///< evaluations with a non-finite log density
  bool converged = false;
  const std::atomic<bool>* stop = nullptr;
  bool stopped = false;

  double evaluate(const double* z, double* grad_z) {
    ++evaluations;
    const std::size_t n = u.size();
    if (stop != nullptr && opt != nullptr && stop->load()) {
      stopped = true;
      nlopt_force_stop(opt);
      return kOutside;
    }
    for (std::size_t i = 0; i < n; ++i) u[i] = u0[i] + scale[i] * z[i];
    const double f = density->log_density_gradient(u, grad_u, ws);
    if (!std::isfinite(f)) {
      ++outside;
      return kOutside;
    }
    double gmax = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      const double gz = scale[i] * grad_u[i];  // d/dz_i = s_i d/du_i
      if (grad_z != nullptr) grad_z[i] = gz;
      gmax = std::max(gmax, std::abs(gz));
    }
    if (f > best) {
      best = f;
      std::copy(z, z + n, best_z.begin());
      ++improvements;
    }
    // Converged at a point with a small gradient whose log p is the best within the rounding
    // noise of a sum of n terms (~ sqrt(n) eps |log p|): near the mode, log p cannot rank
    // such points, the gradient can.
    const double noise = 16.0 * std::numeric_limits<double>::epsilon() *
                         std::sqrt(static_cast<double>(n)) * std::max(1.0, std::abs(best));
    if (gmax <= gradient_tolerance && f >= best - noise && opt != nullptr) {
      std::copy(z, z + n, best_z.begin());
      converged = true;
      nlopt_force_stop(opt);
    }
    return f;
  }
};

double callback(unsigned, const double* z, double* grad, void* data) {
  return static_cast<ScaledObjective*>(data)->evaluate(z, grad);
}

/// Stored corrections: 10, or fewer (>= 3) where NLopt's 8 (6 + 2m) n bytes pass 1 GiB.
int auto_memory(std::size_t n) {
  const double budget = 1024.0 * 1024.0 * 1024.0 / (8.0 * static_cast<double>(n));
  return std::clamp(static_cast<int>((budget - 6.0) / 2.0), 3, 10);
}

/// True for bijectors that map each coordinate on its own (by name: the library's identity,
/// bound, interval and per-element interval maps); anything else is treated as coupled.
bool elementwise(const infer::Bijector& b) {
  const std::string name = b.name();
  for (const char* prefix :
       {"identity", "lower_bound(", "upper_bound(", "interval(", "elementwise_interval("}) {
    if (name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

}  // namespace

LargeMapResult maximize_scaled(const infer::LogDensity& density, std::span<const double> u0,
                               std::span<const double> scale, const LargeMapOptions& o) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto n = static_cast<std::size_t>(density.dim());
  if (u0.size() != n || scale.size() != n) {
    throw InvalidArgument(
        fmt::format("maximize_scaled: u0 has {} values and scale {} for a density of dimension {}",
                    u0.size(), scale.size(), n));
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!(scale[i] > 0.0) || !std::isfinite(scale[i])) {
      throw InvalidArgument(fmt::format(
          "maximize_scaled: scale[{}] = {}: every scale must be finite and > 0", i, scale[i]));
    }
  }
  if (!(o.gradient_tolerance >= 0.0)) {
    throw InvalidArgument(format_invalid("maximize_scaled", "gradient_tolerance",
                                         o.gradient_tolerance, "must be >= 0"));
  }
  if (o.max_evaluations < 1 || o.lbfgs_memory < 0 || !(o.max_seconds >= 0.0) ||
      !(o.ftol_rel >= 0.0)) {
    throw InvalidArgument(fmt::format(
        "maximize_scaled: max_evaluations = {}, lbfgs_memory = {}, max_seconds = {}, ftol_rel = "
        "{}: need >= 1, >= 0, >= 0 and >= 0",
        o.max_evaluations, o.lbfgs_memory, o.max_seconds, o.ftol_rel));
  }
  auto ws = density.make_workspace();
  ScaledObjective obj;
  obj.density = &density;
  obj.ws = ws.get();
  obj.u0 = u0;
  obj.scale = scale;
  obj.gradient_tolerance = o.gradient_tolerance;
  obj.stop = o.stop;
  obj.u.assign(n, 0.0);
  obj.grad_u.assign(n, 0.0);
  obj.best_z.assign(n, 0.0);
  std::vector<double> z(n, 0.0);
  (void)obj.evaluate(z.data(), nullptr);  // the start (opt is not set: no stop here)
  if (obj.outside > 0) {
    throw InvalidArgument("maximize_scaled: the log density at u0 is not finite");
  }

  LargeMapResult r;
  r.lbfgs_memory = o.lbfgs_memory > 0 ? o.lbfgs_memory : auto_memory(n);
  const auto m = static_cast<std::size_t>(r.lbfgs_memory);
  r.lbfgs_bytes = 8 * ((4 + 2 * m) * n + 2 * std::max(n, m)) + 4 * n;
  {
    std::unique_ptr<nlopt_opt_s, decltype(&nlopt_destroy)> opt(
        nlopt_create(NLOPT_LD_LBFGS, static_cast<unsigned>(n)), &nlopt_destroy);
    if (!opt) throw Error("maximize_scaled: nlopt_create(NLOPT_LD_LBFGS) failed");
    obj.opt = opt.get();
    nlopt_set_max_objective(opt.get(), callback, &obj);
    // NLopt's L-BFGS replaces ftol_rel <= 0 by 1e-14: "off" is the smallest positive double.
    nlopt_set_ftol_rel(opt.get(),
                       o.ftol_rel > 0.0 ? o.ftol_rel : std::numeric_limits<double>::min());
    nlopt_set_maxeval(opt.get(), o.max_evaluations);
    if (o.max_seconds > 0.0) nlopt_set_maxtime(opt.get(), o.max_seconds);
    nlopt_set_vector_storage(opt.get(), static_cast<unsigned>(r.lbfgs_memory));
    double f = 0.0;
    const nlopt_result code = nlopt_optimize(opt.get(), z.data(), &f);
    r.reason = obj.converged ? "gradient tolerance reached"
               : obj.stopped ? "interrupted"
                             : nlopt_result_to_string(code);
  }

  // Report the best point, re-evaluated (NLopt's final x may be a rejected trial point).
  const int evaluations = obj.evaluations;
  obj.opt = nullptr;
  r.objective = obj.evaluate(obj.best_z.data(), nullptr);
  r.u = obj.u;
  double g2 = 0.0, gmax = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    g2 += obj.grad_u[i] * obj.grad_u[i];
    gmax = std::max(gmax, std::abs(scale[i] * obj.grad_u[i]));
  }
  r.gradient_norm = std::sqrt(g2);
  r.scaled_gradient_max = gmax;
  r.evaluations = evaluations;
  r.iterations = obj.improvements - 1;  // the start is not a step
  r.outside_support = obj.outside;
  r.converged = obj.converged;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

std::vector<double> prior_curvature_diagonal(const infer::SiteModel& model,
                                             std::span<const double> u) {
  const auto n = static_cast<std::size_t>(model.dim());
  if (u.size() != n) {
    throw InvalidArgument(
        fmt::format("prior_curvature_diagonal: u has {} values for dimension {}", u.size(), n));
  }
  // color[i]: the pass in which coordinate i is perturbed (0 for every separable coordinate,
  // its position within the site otherwise).
  std::vector<int> color(n, 0);
  int colors = 1;
  for (std::size_t s = 0; s < model.sites().size(); ++s) {
    const infer::Site& site = model.sites()[s];
    const infer::SiteSlice& sl = model.slices()[s];
    const bool separable =
        elementwise(*site.bijector) &&
        (!site.prior || site.prior->event_size() == 1 ||
         dynamic_cast<const infer::IndependentVector*>(site.prior.get()) != nullptr);
    if (separable) continue;
    for (int k = 0; k < sl.unconstrained_size; ++k) {
      color[static_cast<std::size_t>(sl.unconstrained_offset + k)] = k;
    }
    colors = std::max(colors, sl.unconstrained_size);
  }
  std::vector<double> c(n, 0.0), up(u.begin(), u.end()), um(u.begin(), u.end()), gp(n), gm(n);
  std::vector<double> h(n);
  for (std::size_t i = 0; i < n; ++i) h[i] = 1e-5 * std::max(1.0, std::abs(u[i]));
  for (int k = 0; k < colors; ++k) {
    for (std::size_t i = 0; i < n; ++i) {
      const bool on = color[i] == k;
      up[i] = u[i] + (on ? h[i] : 0.0);
      um[i] = u[i] - (on ? h[i] : 0.0);
    }
    (void)model.log_prior_gradient(up, gp);
    (void)model.log_prior_gradient(um, gm);
    for (std::size_t i = 0; i < n; ++i) {
      if (color[i] == k) c[i] = -(gp[i] - gm[i]) / (2.0 * h[i]);
    }
  }
  return c;
}

std::vector<double> scale_from_curvature(std::span<const double> curvature, double fallback) {
  check_positive("scale_from_curvature", "fallback", fallback);
  std::vector<double> s(curvature.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double c = curvature[i];
    s[i] = c > 0.0 && std::isfinite(c) ? 1.0 / std::sqrt(c) : fallback;
  }
  return s;
}

}  // namespace airy::posterior
