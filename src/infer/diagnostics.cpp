// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <numbers>
#include <numeric>
#include <vector>

#include "special_functions.hpp"

namespace airy::infer {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// In-place iterative radix-2 FFT (n a power of two); inverse without the 1/n factor.
/// Twiddles come from one table of exp(-2 pi i k / n), so no trigonometry in the loops.
void fft(std::vector<std::complex<double>>& a, bool inverse) {
  const std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; (j & bit) != 0; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  std::vector<std::complex<double>> tw(n / 2);
  for (std::size_t k = 0; k < n / 2; ++k) {
    tw[k] = std::polar(1.0, (inverse ? 2.0 : -2.0) * std::numbers::pi * static_cast<double>(k) /
                                static_cast<double>(n));
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const std::size_t step = n / len;
    for (std::size_t i = 0; i < n; i += len) {
      for (std::size_t k = 0; k < len / 2; ++k) {
        const auto u = a[i + k];
        const auto v = a[i + k + len / 2] * tw[k * step];
        a[i + k] = u + v;
        a[i + k + len / 2] = u - v;
      }
    }
  }
}

bool all_finite(const ChainDraws& x) { return x.allFinite(); }

ChainDraws indicator_le(const ChainDraws& x, double q) {
  return (x.array() <= q).cast<double>().matrix();
}

double sample_sd(const ChainDraws& x) {
  const double m = x.mean();
  const double n = static_cast<double>(x.size());
  return std::sqrt((x.array() - m).square().sum() / (n - 1.0));
}

}  // namespace

Eigen::VectorXd autocovariance(const Eigen::VectorXd& x) {
  const auto n = static_cast<std::size_t>(x.size());
  std::size_t m = 1;
  while (m < 2 * n) m <<= 1;
  const double mean = x.mean();
  std::vector<std::complex<double>> a(m, 0.0);
  for (std::size_t i = 0; i < n; ++i) a[i] = x[static_cast<Eigen::Index>(i)] - mean;
  fft(a, false);
  for (auto& v : a) v = std::norm(v);
  fft(a, true);
  Eigen::VectorXd acov(static_cast<Eigen::Index>(n));
  for (std::size_t t = 0; t < n; ++t) {
    acov[static_cast<Eigen::Index>(t)] =
        a[t].real() / static_cast<double>(m) / static_cast<double>(n);
  }
  return acov;
}

ChainDraws chain_draws(const Run& run, int column) {
  if (run.chains.empty()) return {};
  int n = std::numeric_limits<int>::max();
  for (const auto& c : run.chains) n = std::min(n, c.num_draws());
  n = std::max(n, 0);
  ChainDraws x(n, static_cast<Eigen::Index>(run.chains.size()));
  // A chain without post-warmup draws (an interrupted run): no column block to take, and
  // Eigen's col() of a 0-row matrix would offset a null data pointer.
  if (n == 0) return x;
  for (std::size_t c = 0; c < run.chains.size(); ++c) {
    const auto& ch = run.chains[c];
    x.col(static_cast<Eigen::Index>(c)) = ch.draws.col(column).segment(ch.num_warmup_saved, n);
  }
  return x;
}

ChainDraws split_chains(const ChainDraws& x) {
  const Eigen::Index n = x.rows();
  const Eigen::Index half = n / 2;
  ChainDraws out(half, 2 * x.cols());
  for (Eigen::Index c = 0; c < x.cols(); ++c) {
    out.col(c) = x.col(c).head(half);
    out.col(x.cols() + c) = x.col(c).tail(half);
  }
  return out;
}

ChainDraws rank_normalize(const ChainDraws& x) {
  const auto s = static_cast<std::size_t>(x.size());
  std::vector<std::size_t> idx(s);
  std::iota(idx.begin(), idx.end(), 0);
  const double* v = x.data();
  std::stable_sort(idx.begin(), idx.end(),
                   [v](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  ChainDraws z(x.rows(), x.cols());
  double* out = z.data();
  for (std::size_t i = 0; i < s;) {
    std::size_t j = i;
    while (j + 1 < s && v[idx[j + 1]] == v[idx[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // average 1-based rank
    const double p = (rank - 0.375) / (static_cast<double>(s) + 0.25);
    const double zz = detail::inv_Phi(p);
    for (std::size_t k = i; k <= j; ++k) out[idx[k]] = zz;
    i = j + 1;
  }
  return z;
}

double quantile(const ChainDraws& x, double p) {
  // NaN has no rank (std::sort needs a strict weak order, which NaN breaks); no draws, no
  // quantile.
  if (x.size() == 0 || x.hasNaN()) return kNaN;
  std::vector<double> s(x.data(), x.data() + x.size());
  std::sort(s.begin(), s.end());
  const double h = (static_cast<double>(s.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, s.size() - 1);
  return s[lo] + (h - static_cast<double>(lo)) * (s[hi] - s[lo]);
}

double median(const ChainDraws& x) { return quantile(x, 0.5); }

double rhat_basic(const ChainDraws& x) {
  const Eigen::Index n = x.rows();
  const Eigen::Index m = x.cols();
  if (m < 2 || n < 2 || !all_finite(x)) return kNaN;
  const Eigen::VectorXd means = x.colwise().mean().transpose();
  double w = 0.0;
  for (Eigen::Index c = 0; c < m; ++c) {
    w += (x.col(c).array() - means[c]).square().sum() / static_cast<double>(n - 1);
  }
  w /= static_cast<double>(m);
  const double mm = means.mean();
  const double b =
      static_cast<double>(n) * (means.array() - mm).square().sum() / static_cast<double>(m - 1);
  return std::sqrt((b / w + static_cast<double>(n) - 1.0) / static_cast<double>(n));
}

namespace {
bool rhat_valid(const ChainDraws& x) { return x.cols() >= 2 && x.rows() >= 4 && all_finite(x); }
}  // namespace

double rhat_split(const ChainDraws& x) {
  if (!rhat_valid(x)) return kNaN;
  return rhat_basic(split_chains(x));
}

double rhat_bulk(const ChainDraws& x) {
  if (!rhat_valid(x)) return kNaN;
  return rhat_basic(rank_normalize(split_chains(x)));
}

double rhat_tail(const ChainDraws& x) {
  if (!rhat_valid(x)) return kNaN;
  const ChainDraws s = split_chains(x);
  const double med = median(s);
  return rhat_basic(rank_normalize((s.array() - med).abs().matrix()));
}

double rhat(const ChainDraws& x) {
  if (!rhat_valid(x)) return kNaN;
  return std::max(rhat_bulk(x), rhat_tail(x));
}

double ess_basic(const ChainDraws& x) {
  if (x.size() == 0 || !all_finite(x)) return kNaN;
  if (x.maxCoeff() - x.minCoeff() < 1e-15) return static_cast<double>(x.size());
  const Eigen::Index n = x.rows();
  const Eigen::Index m = x.cols();
  if (n < 4) return kNaN;
  Eigen::MatrixXd acov(n, m);
  for (Eigen::Index c = 0; c < m; ++c) acov.col(c) = autocovariance(x.col(c));
  const Eigen::VectorXd mean_acov = acov.rowwise().mean();
  const double nd = static_cast<double>(n);
  const double mean_var = mean_acov[0] * nd / (nd - 1.0);
  double var_plus = mean_var * (nd - 1.0) / nd;
  if (m > 1) {
    const Eigen::VectorXd means = x.colwise().mean().transpose();
    var_plus += (means.array() - means.mean()).square().sum() / static_cast<double>(m - 1);
  }
  Eigen::VectorXd rho = Eigen::VectorXd::Zero(n);
  double rho_even = 1.0;
  rho[0] = rho_even;
  double rho_odd = 1.0 - (mean_var - mean_acov[1]) / var_plus;
  rho[1] = rho_odd;
  Eigen::Index t = 1;
  while (t < n - 3 && rho_even + rho_odd > 0.0) {
    rho_even = 1.0 - (mean_var - mean_acov[t + 1]) / var_plus;
    rho_odd = 1.0 - (mean_var - mean_acov[t + 2]) / var_plus;
    if (rho_even + rho_odd >= 0) {
      rho[t + 1] = rho_even;
      rho[t + 2] = rho_odd;
    }
    t += 2;
  }
  const Eigen::Index max_t = t - 2;
  if (rho_even > 0) rho[max_t + 1] = rho_even;
  t = 1;
  while (t <= max_t - 2) {
    if (rho[t + 1] + rho[t + 2] > rho[t - 1] + rho[t]) {
      rho[t + 1] = (rho[t - 1] + rho[t]) / 2.0;
      rho[t + 2] = rho[t + 1];
    }
    t += 2;
  }
  const double s = static_cast<double>(n * m);
  double tau = -1.0 + 2.0 * rho.head(max_t + 1).sum();
  if (max_t + 1 < n) tau += rho[max_t + 1];
  tau = std::max(tau, 1.0 / std::log10(s));
  if (rho.hasNaN()) return kNaN;
  return s / tau;
}

double ess_bulk(const ChainDraws& x) {
  if (!all_finite(x) || x.rows() < 4) return kNaN;
  return ess_basic(rank_normalize(split_chains(x)));
}

double ess_mean(const ChainDraws& x) {
  if (!all_finite(x) || x.rows() < 4) return kNaN;
  return ess_basic(split_chains(x));
}

double ess_sd(const ChainDraws& x) {
  if (!all_finite(x) || x.rows() < 4) return kNaN;
  return ess_basic(split_chains((x.array() - x.mean()).square().matrix()));
}

double ess_quantile(const ChainDraws& x, double p) {
  if (!all_finite(x) || x.rows() < 4) return kNaN;
  return ess_basic(split_chains(indicator_le(x, quantile(x, p))));
}

double ess_tail(const ChainDraws& x) {
  return std::min(ess_quantile(x, 0.05), ess_quantile(x, 0.95));
}

double mcse_mean(const ChainDraws& x) { return sample_sd(x) / std::sqrt(ess_mean(x)); }

double mcse_sd(const ChainDraws& x) {
  if (!all_finite(x) || x.rows() < 4) return kNaN;
  const ChainDraws c2 = (x.array() - x.mean()).square().matrix();
  const double ess = ess_mean(c2);
  const double evar = c2.mean();
  const double varvar = (c2.array().square().mean() - evar * evar) / ess;
  return std::sqrt(varvar / evar / 4.0);
}

double mcse_quantile(const ChainDraws& x, double p) {
  const double ess = ess_quantile(x, p);
  if (!std::isfinite(ess)) return kNaN;
  const double a1 = detail::beta_quantile(0.1586553, ess * p + 1.0, ess * (1.0 - p) + 1.0);
  const double a2 = detail::beta_quantile(0.8413447, ess * p + 1.0, ess * (1.0 - p) + 1.0);
  std::vector<double> s(x.data(), x.data() + x.size());
  std::sort(s.begin(), s.end());
  const double size = static_cast<double>(s.size());
  // ArviZ's 0-based indices: floor(max(a1 S - 1, 0)), ceil(min(a2 S - 1, S - 1)).
  const auto i1 = static_cast<std::size_t>(std::floor(std::max(a1 * size - 1.0, 0.0)));
  const auto i2 = static_cast<std::size_t>(std::ceil(std::min(a2 * size - 1.0, size - 1.0)));
  return (s[i2] - s[i1]) / 2.0;
}

double ebfmi(std::span<const double> e) {
  const std::size_t n = e.size();
  if (n < 2) return kNaN;
  double num = 0.0;
  for (std::size_t i = 1; i < n; ++i) num += (e[i] - e[i - 1]) * (e[i] - e[i - 1]);
  num /= static_cast<double>(n - 1);
  const double mean = std::accumulate(e.begin(), e.end(), 0.0) / static_cast<double>(n);
  double var = 0.0;
  for (double v : e) var += (v - mean) * (v - mean);
  var /= static_cast<double>(n);
  return num / var;
}

std::vector<double> ebfmi(const Run& run) {
  std::vector<double> out;
  for (const auto& c : run.chains) {
    std::vector<double> e;
    for (std::size_t i = static_cast<std::size_t>(c.num_warmup_saved); i < c.stats.size(); ++i) {
      e.push_back(c.stats[i].energy);
    }
    out.push_back(ebfmi(e));
  }
  return out;
}

}  // namespace airy::infer
