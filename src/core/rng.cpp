// SPDX-License-Identifier: BSD-3-Clause
#include "airy/core/rng.hpp"

#include <Random123/philox.h>
#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "airy/core/error.hpp"

namespace airy {

Rng::Rng(std::uint64_t seed, std::uint64_t stream) : seed_(seed), stream_(stream) {}

void Rng::refill() {
  r123::Philox4x32 gen;
  r123::Philox4x32::ctr_type ctr = {
      {static_cast<std::uint32_t>(block_), static_cast<std::uint32_t>(block_ >> 32),
       static_cast<std::uint32_t>(stream_), static_cast<std::uint32_t>(stream_ >> 32)}};
  r123::Philox4x32::key_type key = {
      {static_cast<std::uint32_t>(seed_), static_cast<std::uint32_t>(seed_ >> 32)}};
  const auto out = gen(ctr, key);
  for (int i = 0; i < 4; ++i) buf_[static_cast<std::size_t>(i)] = out.v[i];
  ++block_;
  pos_ = 0;
}

std::uint32_t Rng::next_u32() {
  if (pos_ >= 4) refill();
  return buf_[static_cast<std::size_t>(pos_++)];
}

Rng::result_type Rng::operator()() {
  const std::uint64_t lo = next_u32();
  const std::uint64_t hi = next_u32();
  return (hi << 32) | lo;
}

double Rng::uniform01() {
  const std::uint64_t k = (*this)() >> 11;
  return (static_cast<double>(k) + 0.5) * 0x1.0p-53;
}

double Rng::normal() {
  if (has_cached_normal_) {
    has_cached_normal_ = false;
    return cached_normal_;
  }
  const double u1 = uniform01();
  const double u2 = uniform01();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double a = 2.0 * std::numbers::pi * u2;
  cached_normal_ = r * std::sin(a);
  has_cached_normal_ = true;
  return r * std::cos(a);
}

double Rng::exponential() { return -std::log(uniform01()); }

double Rng::gamma(double shape) {
  if (!(shape > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (shape < 1.0) {
    // G(a) = G(a + 1) U^(1/a)
    const double g = gamma(shape + 1.0);
    return g * std::exp(std::log(uniform01()) / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0.0;
    double v = 0.0;
    do {
      x = normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = uniform01();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

double Rng::beta(double a, double b) {
  const double x = gamma(a);
  const double y = gamma(b);
  return x / (x + y);
}

double Rng::student_t(double df) {
  const double z = normal();
  const double g = 2.0 * gamma(0.5 * df);  // chi-square with df degrees of freedom
  return z / std::sqrt(g / df);
}

double Rng::cauchy() { return std::tan(std::numbers::pi * (uniform01() - 0.5)); }

namespace {

/// stirlerr(n) = lgamma(n + 1) - (n + 1/2) log n + n - log(2 pi) / 2, the error of Stirling's
/// formula for log n!. For n > 15 its asymptotic series 1/(12 n) - 1/(360 n^3) + 1/(1260 n^5)
/// - 1/(1680 n^7) + 1/(1188 n^9) (truncated where the next term is below 1e-17); below, the
/// direct difference loses at most ~1e-14 (its terms are < 50).
double stirlerr(double n) {
  constexpr double s0 = 1.0 / 12.0, s1 = 1.0 / 360.0, s2 = 1.0 / 1260.0, s3 = 1.0 / 1680.0,
                   s4 = 1.0 / 1188.0;
  if (n <= 15.0) {
    return std::lgamma(n + 1.0) - (n + 0.5) * std::log(n) + n -
           0.5 * std::log(2.0 * std::numbers::pi);
  }
  const double nn = n * n;
  if (n > 500.0) return (s0 - s1 / nn) / n;
  if (n > 80.0) return (s0 - (s1 - s2 / nn) / nn) / n;
  if (n > 35.0) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
  return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

/// bd0(x, m) = x log(x / m) + m - x >= 0 (the Poisson deviance / 2). Near x = m it is computed
/// from v = (x - m) / (x + m) as (x - m) v + 2 x sum_{j>=1} v^(2j+1) / (2j + 1), which has no
/// cancellation (log(x / m) = 2 atanh(v)).
double bd0(double x, double m) {
  if (std::fabs(x - m) < 0.1 * (x + m)) {
    double v = (x - m) / (x + m);
    double s = (x - m) * v;
    double ej = 2.0 * x * v;
    v *= v;
    for (int j = 1; j < 1000; ++j) {
      ej *= v;
      const double s1 = s + ej / (2 * j + 1);
      if (s1 == s) return s1;
      s = s1;
    }
    return s;
  }
  return x * std::log(x / m) + m - x;
}

}  // namespace

double poisson_log_pmf(double k, double rate) {
  if (k == 0.0) return -rate;
  return -stirlerr(k) - bd0(k, rate) - 0.5 * std::log(2.0 * std::numbers::pi * k);
}

std::int64_t Rng::poisson(double rate) {
  if (!(rate >= 0.0 && rate <= kMaxPoissonRate)) {
    throw InvalidArgument(format_invalid(
        "Rng::poisson", "rate", rate,
        fmt::format("must be finite, >= 0 and <= {:.6g} (2^52: larger counts are not exact in a "
                    "double)",
                    kMaxPoissonRate)));
  }
  if (rate == 0.0) return 0;
  if (rate < 10.0) {
    const double limit = std::exp(-rate);
    std::int64_t k = 0;
    double prod = uniform01();
    while (prod > limit) {
      ++k;
      prod *= uniform01();
    }
    return k;
  }
  // PTRS: Hormann (1993), "The transformed rejection method for generating Poisson random
  // variables", Insurance: Mathematics and Economics 12, 39-45.
  const double slam = std::sqrt(rate);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = uniform01() - 0.5;
    const double v = uniform01();
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + rate + 0.43);
    // Fast path: |u| <= 0.43 keeps k within rate +- (2 sqrt(rate) + 3), in [0, 2^53).
    if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
    // A k beyond 2^53 (us -> 0) has log P below -1e15 and would be rejected below; rejecting
    // it here keeps the cast defined.
    if (k < 0.0 || k > 0x1.0p53 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(invalpha) - std::log(a / (us * us) + b) <=
        poisson_log_pmf(k, rate)) {
      return static_cast<std::int64_t>(k);
    }
  }
}

std::uint64_t Rng::uniform_int(std::uint64_t n) {
  if (n == 0) return 0;
  unsigned __int128 m = static_cast<unsigned __int128>((*this)()) * n;
  auto l = static_cast<std::uint64_t>(m);
  if (l < n) {
    const std::uint64_t t = (0 - n) % n;
    while (l < t) {
      m = static_cast<unsigned __int128>((*this)()) * n;
      l = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

}  // namespace airy
