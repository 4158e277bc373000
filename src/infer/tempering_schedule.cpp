// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/tempering_schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "airy/core/error.hpp"

namespace airy::infer {

MonotoneInterpolant::MonotoneInterpolant(std::vector<double> x, std::vector<double> y)
    : x_(std::move(x)), y_(std::move(y)) {
  const char* w = "MonotoneInterpolant";
  if (x_.size() != y_.size() || x_.size() < 2) {
    throw InvalidArgument(fmt::format("{}: x has {} and y {} values (need the same number >= 2)", w,
                                      x_.size(), y_.size()));
  }
  for (std::size_t k = 0; k < x_.size(); ++k) {
    check_finite(w, "x", x_[k]);
    check_finite(w, "y", y_[k]);
    if (k > 0 && !(x_[k] > x_[k - 1])) {
      throw InvalidArgument(format_invalid(w, fmt::format("x[{}]", k), x_[k],
                                           fmt::format("must be > x[{}] = {}", k - 1, x_[k - 1])));
    }
  }
  const std::size_t n = x_.size();
  std::vector<double> secant(n - 1);
  for (std::size_t k = 0; k + 1 < n; ++k) secant[k] = (y_[k + 1] - y_[k]) / (x_[k + 1] - x_[k]);
  m_.assign(n, 0.0);
  m_[0] = secant[0];
  m_[n - 1] = secant[n - 2];
  for (std::size_t k = 1; k + 1 < n; ++k) {
    m_[k] = secant[k - 1] * secant[k] <= 0.0 ? 0.0 : 0.5 * (secant[k - 1] + secant[k]);
  }
  for (std::size_t k = 0; k + 1 < n; ++k) {
    if (secant[k] == 0.0) {
      m_[k] = 0.0;
      m_[k + 1] = 0.0;
      continue;
    }
    const double a = m_[k] / secant[k];
    const double b = m_[k + 1] / secant[k];
    const double r2 = a * a + b * b;
    if (r2 > 9.0) {  // Fritsch-Carlson's sufficient condition for monotonicity on the interval
      const double tau = 3.0 / std::sqrt(r2);
      m_[k] = tau * a * secant[k];
      m_[k + 1] = tau * b * secant[k];
    }
  }
}

std::size_t MonotoneInterpolant::interval(double t) const {
  const auto it = std::upper_bound(x_.begin(), x_.end(), t);
  const auto k = static_cast<std::size_t>(std::distance(x_.begin(), it));
  return std::clamp<std::size_t>(k, 1, x_.size() - 1) - 1;
}

double MonotoneInterpolant::operator()(double t) const {
  if (t <= x_.front()) return y_.front();
  if (t >= x_.back()) return y_.back();
  const std::size_t k = interval(t);
  const double h = x_[k + 1] - x_[k];
  const double s = (t - x_[k]) / h;
  const double s2 = s * s;
  const double s3 = s2 * s;
  // Cubic Hermite basis on [0, 1].
  const double h00 = 2 * s3 - 3 * s2 + 1;
  const double h10 = s3 - 2 * s2 + s;
  const double h01 = -2 * s3 + 3 * s2;
  const double h11 = s3 - s2;
  return h00 * y_[k] + h10 * h * m_[k] + h01 * y_[k + 1] + h11 * h * m_[k + 1];
}

double MonotoneInterpolant::derivative(double t) const {
  if (t < x_.front() || t > x_.back()) return 0.0;
  const std::size_t k = interval(t);
  const double h = x_[k + 1] - x_[k];
  const double s = (t - x_[k]) / h;
  const double s2 = s * s;
  const double d00 = (6 * s2 - 6 * s) / h;
  const double d10 = 3 * s2 - 4 * s + 1;
  const double d01 = (-6 * s2 + 6 * s) / h;
  const double d11 = 3 * s2 - 2 * s;
  return d00 * y_[k] + d10 * m_[k] + d01 * y_[k + 1] + d11 * m_[k + 1];
}

void RoundTripCounter::observe(int chain, int top_chain) {
  if (chain == 0) {
    if (state_ == 2) ++round_trips_;
    state_ = 1;
  } else if (chain == top_chain && state_ == 1) {
    ++restarts_;
    state_ = 2;
  }
}

void check_schedule(std::span<const double> betas, const char* where) {
  if (betas.size() < 2) {
    throw InvalidArgument(
        fmt::format("{}: betas: {} values (a schedule needs at least 2)", where, betas.size()));
  }
  if (betas.front() != 0.0) {
    throw InvalidArgument(format_invalid(where, "betas[0]", betas.front(), "must be 0"));
  }
  if (betas.back() != 1.0) {
    throw InvalidArgument(format_invalid(where, fmt::format("betas[{}]", betas.size() - 1),
                                         betas.back(), "must be 1"));
  }
  for (std::size_t k = 1; k < betas.size(); ++k) {
    if (!(betas[k] > betas[k - 1])) {
      throw InvalidArgument(
          format_invalid(where, fmt::format("betas[{}]", k), betas[k],
                         fmt::format("must be > betas[{}] = {}", k - 1, betas[k - 1])));
    }
  }
}

namespace {

void check_rejection(std::span<const double> betas, std::span<const double> rejection,
                     const char* where) {
  check_schedule(betas, where);
  if (rejection.size() + 1 != betas.size()) {
    throw InvalidArgument(fmt::format("{}: rejection has {} values for {} chains (need {})", where,
                                      rejection.size(), betas.size(), betas.size() - 1));
  }
  for (std::size_t i = 0; i < rejection.size(); ++i) {
    check_in_range(where, fmt::format("rejection[{}]", i), rejection[i], 0.0, 1.0);
  }
}

}  // namespace

std::vector<double> cumulative_barrier(std::span<const double> rejection) {
  std::vector<double> out(rejection.size() + 1, 0.0);
  for (std::size_t i = 0; i < rejection.size(); ++i) out[i + 1] = out[i] + rejection[i];
  return out;
}

std::vector<double> local_barrier(std::span<const double> betas,
                                  std::span<const double> rejection) {
  check_rejection(betas, rejection, "local_barrier");
  const MonotoneInterpolant cum(std::vector<double>(betas.begin(), betas.end()),
                                cumulative_barrier(rejection));
  std::vector<double> out(betas.size());
  for (std::size_t k = 0; k < betas.size(); ++k) out[k] = cum.derivative(betas[k]);
  return out;
}

std::vector<double> equal_rejection_schedule(std::span<const double> betas,
                                             std::span<const double> rejection, int num_chains) {
  const char* w = "equal_rejection_schedule";
  check_rejection(betas, rejection, w);
  if (num_chains < 2) {
    throw InvalidArgument(format_invalid(w, "num_chains", num_chains, "must be >= 2"));
  }
  std::vector<double> r(rejection.begin(), rejection.end());
  std::vector<double> c = cumulative_barrier(r);
  auto strictly_increasing = [](const std::vector<double>& v) {
    return std::adjacent_find(v.begin(), v.end(), std::greater_equal<>()) == v.end();
  };
  if (!strictly_increasing(c)) {
    for (double& v : r) v += 1e-6;
    c = cumulative_barrier(r);
  }
  const double total = c.back();
  for (double& v : c) v /= total;
  c.back() = 1.0;
  const MonotoneInterpolant g(c, std::vector<double>(betas.begin(), betas.end()));
  std::vector<double> out(static_cast<std::size_t>(num_chains));
  for (int j = 0; j < num_chains; ++j) out[static_cast<std::size_t>(j)] = g(j / (num_chains - 1.0));
  out.front() = 0.0;
  out.back() = 1.0;
  return out;
}

double round_trip_rate(std::span<const double> rejection) {
  double s = 0.0;
  for (double r : rejection) {
    if (r >= 1.0) return 0.0;
    s += r / (1.0 - r);
  }
  return 1.0 / (2.0 + 2.0 * s);
}

}  // namespace airy::infer
