// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/bijector.hpp"

#include <fmt/format.h>

#include <cmath>

#include "airy/core/error.hpp"
#include "special_functions.hpp"

namespace airy::infer {

namespace {

class Identity final : public Bijector {
 public:
  [[nodiscard]] std::string name() const override { return "identity"; }
  double forward(std::span<const double> u, std::span<double> x) const override {
    for (std::size_t i = 0; i < u.size(); ++i) x[i] = u[i];
    return 0.0;
  }
  bool inverse(std::span<const double> x, std::span<double> u) const override {
    bool ok = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
      u[i] = x[i];
      ok = ok && std::isfinite(x[i]);
    }
    return ok;
  }
  void pullback(std::span<const double>, std::span<const double>, std::span<const double> gx,
                std::span<double> gu) const override {
    for (std::size_t i = 0; i < gx.size(); ++i) gu[i] += gx[i];
  }
};

/// x = bound + sign exp(u).
class Bound final : public Bijector {
 public:
  Bound(double bound, double sign) : bound_(bound), sign_(sign) {
    check_finite(sign > 0 ? "lower_bound_bijector" : "upper_bound_bijector",
                 sign > 0 ? "lower" : "upper", bound);
  }
  [[nodiscard]] std::string name() const override {
    return fmt::format("{}({})", sign_ > 0 ? "lower_bound" : "upper_bound", bound_);
  }
  double forward(std::span<const double> u, std::span<double> x) const override {
    double lj = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) {
      x[i] = bound_ + sign_ * std::exp(u[i]);
      lj += u[i];
    }
    return lj;
  }
  bool inverse(std::span<const double> x, std::span<double> u) const override {
    bool ok = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double d = sign_ * (x[i] - bound_);
      ok = ok && d > 0.0 && std::isfinite(d);
      u[i] = std::log(d);
    }
    return ok;
  }
  void pullback(std::span<const double> u, std::span<const double>, std::span<const double> gx,
                std::span<double> gu) const override {
    for (std::size_t i = 0; i < u.size(); ++i) gu[i] += gx[i] * sign_ * std::exp(u[i]) + 1.0;
  }

 private:
  double bound_;
  double sign_;
};

class Interval final : public Bijector {
 public:
  Interval(double lo, double hi) : lo_(lo), hi_(hi) {
    check_finite("interval_bijector", "lower", lo);
    check_finite("interval_bijector", "upper", hi);
    if (!(lo < hi)) {
      throw InvalidArgument(
          fmt::format("interval_bijector: lower = {} >= upper = {}: prior has no support", lo, hi));
    }
  }
  [[nodiscard]] std::string name() const override {
    return fmt::format("interval({}, {})", lo_, hi_);
  }
  double forward(std::span<const double> u, std::span<double> x) const override {
    double lj = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) lj += detail::interval_forward(u[i], lo_, hi_, x[i]);
    return lj;
  }
  bool inverse(std::span<const double> x, std::span<double> u) const override {
    bool ok = true;
    for (std::size_t i = 0; i < x.size(); ++i) {
      ok = detail::interval_inverse(x[i], lo_, hi_, u[i]) && ok;
    }
    return ok;
  }
  void pullback(std::span<const double> u, std::span<const double>, std::span<const double> gx,
                std::span<double> gu) const override {
    for (std::size_t i = 0; i < u.size(); ++i) {
      gu[i] += detail::interval_pullback(u[i], lo_, hi_, gx[i]);
    }
  }

 private:
  double lo_;
  double hi_;
};

class Ordered final : public Bijector {
 public:
  [[nodiscard]] std::string name() const override { return "ordered"; }
  double forward(std::span<const double> u, std::span<double> x) const override {
    if (u.empty()) return 0.0;
    double lj = 0.0;
    x[0] = u[0];
    for (std::size_t k = 1; k < u.size(); ++k) {
      x[k] = x[k - 1] + std::exp(u[k]);
      lj += u[k];
    }
    return lj;
  }
  bool inverse(std::span<const double> x, std::span<double> u) const override {
    if (x.empty()) return true;
    bool ok = std::isfinite(x[0]);
    u[0] = x[0];
    for (std::size_t k = 1; k < x.size(); ++k) {
      const double d = x[k] - x[k - 1];
      ok = ok && d > 0.0 && std::isfinite(d);
      u[k] = std::log(d);
    }
    return ok;
  }
  void pullback(std::span<const double> u, std::span<const double>, std::span<const double> gx,
                std::span<double> gu) const override {
    // x_j depends on u_k (k <= j) with dx_j/du_k = exp(u_k) for k >= 1, 1 for k = 0.
    double tail = 0.0;
    for (std::size_t k = u.size(); k-- > 0;) {
      tail += gx[k];
      gu[k] += k == 0 ? tail : tail * std::exp(u[k]) + 1.0;
    }
  }
};

class Simplex final : public Bijector {
 public:
  [[nodiscard]] std::string name() const override { return "simplex"; }
  [[nodiscard]] int unconstrained_size(int n) const override { return n - 1; }
  double forward(std::span<const double> u, std::span<double> x) const override {
    const std::size_t m = u.size();
    double r = 1.0;
    double lj = 0.0;
    for (std::size_t i = 0; i < m; ++i) {
      const double t = u[i] - std::log(static_cast<double>(m - i));
      const double z = detail::inv_logit(t);
      lj += -detail::log1p_exp(-t) - detail::log1p_exp(t) + std::log(r);
      x[i] = z * r;
      r *= 1.0 - z;
    }
    x[m] = r;
    return lj;
  }
  bool inverse(std::span<const double> x, std::span<double> u) const override {
    const std::size_t m = x.size() - 1;
    double sum = 0.0;
    bool ok = true;
    for (double xi : x) {
      ok = ok && xi > 0.0 && xi < 1.0;
      sum += xi;
    }
    ok = ok && std::fabs(sum - 1.0) < 1e-8;
    double r = 1.0;
    for (std::size_t i = 0; i < m; ++i) {
      const double z = x[i] / r;
      u[i] = std::log(z) - std::log1p(-z) + std::log(static_cast<double>(m - i));
      r -= x[i];
    }
    return ok;
  }
  void pullback(std::span<const double> u, std::span<const double>, std::span<const double> gx,
                std::span<double> gu) const override {
    const std::size_t m = u.size();
    std::vector<double> z(m);
    std::vector<double> r(m + 1);
    r[0] = 1.0;
    for (std::size_t i = 0; i < m; ++i) {
      z[i] = detail::inv_logit(u[i] - std::log(static_cast<double>(m - i)));
      r[i + 1] = r[i] * (1.0 - z[i]);
    }
    double rbar = gx[m];  // adjoint of r_{i+1}
    for (std::size_t i = m; i-- > 0;) {
      // F = f(x) + sum_i [log z_i + log(1 - z_i) + log r_i]
      gu[i] += (gx[i] - rbar) * r[i] * z[i] * (1.0 - z[i]) + 1.0 - 2.0 * z[i];
      rbar = gx[i] * z[i] + rbar * (1.0 - z[i]) + (i > 0 ? 1.0 / r[i] : 0.0);
    }
  }
};

}  // namespace

BijectorPtr identity_bijector() { return std::make_shared<Identity>(); }
BijectorPtr lower_bound_bijector(double lower) { return std::make_shared<Bound>(lower, 1.0); }
BijectorPtr upper_bound_bijector(double upper) { return std::make_shared<Bound>(upper, -1.0); }
BijectorPtr interval_bijector(double lower, double upper) {
  return std::make_shared<Interval>(lower, upper);
}
BijectorPtr ordered_bijector() { return std::make_shared<Ordered>(); }
BijectorPtr simplex_bijector() { return std::make_shared<Simplex>(); }

BijectorPtr default_bijector(const Support& s) {
  using K = Support::Kind;
  switch (s.kind) {
    case K::real:
    case K::real_vector:
      return identity_bijector();
    case K::positive:
    case K::lower_bound:
      return lower_bound_bijector(s.lower);
    case K::upper_bound:
      return upper_bound_bijector(s.upper);
    case K::interval:
      return interval_bijector(s.lower, s.upper);
    case K::simplex:
      return simplex_bijector();
    case K::ordered:
      return ordered_bijector();
    case K::integer:
      break;
  }
  throw InvalidArgument(
      fmt::format("default_bijector: support = {}: discrete support cannot be "
                  "sampled by HMC",
                  s.describe()));
}

}  // namespace airy::infer
