// SPDX-License-Identifier: BSD-3-Clause
#include "tempering_evidence.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace airy::infer::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

/// Importance weights exp(s * ell(:, k) - c) with c their maximum log, so the largest is 1.
struct Weights {
  Eigen::VectorXd w;
  double shift = -kInf;  ///< c; -inf when every weight is zero
};

Weights weights(const Eigen::MatrixXd& ell, int k, double s) {
  Weights out;
  const Eigen::Index t = ell.rows();
  out.w.resize(t);
  for (Eigen::Index i = 0; i < t; ++i) {
    const double v = s * ell(i, k);
    if (!std::isnan(v) && v > out.shift) out.shift = v;
  }
  for (Eigen::Index i = 0; i < t; ++i) {
    const double v = s * ell(i, k);
    out.w[i] = std::isfinite(out.shift) && !std::isnan(v) ? std::exp(v - out.shift) : 0.0;
  }
  return out;
}

/// Sample variance of the batch values over B batches, divided by B: Var of their mean.
double batch_variance(const std::vector<double>& u) {
  const auto b = static_cast<double>(u.size());
  if (u.size() < 2) return kNaN;
  double m = 0.0;
  for (double v : u) m += v;
  m /= b;
  double s = 0.0;
  for (double v : u) s += (v - m) * (v - m);
  return s / (b - 1.0) / b;
}

}  // namespace

PtEvidence estimate_evidence(const Eigen::MatrixXd& ell, std::span<const double> betas) {
  PtEvidence e;
  const auto t_all = static_cast<int>(ell.rows());
  const int n = static_cast<int>(betas.size());
  const int nb = static_cast<int>(std::floor(std::sqrt(static_cast<double>(t_all))));
  const int bs = nb > 0 ? t_all / nb : 0;
  const int first = t_all - nb * bs;  // batches cover the last nb * bs scans
  e.batches = nb;
  if (t_all == 0) {
    e.forward = e.backward = e.log_z = e.se = e.ti = e.ti_se = kNaN;
    return e;
  }
  std::vector<double> u_f(static_cast<std::size_t>(nb), 0.0);
  std::vector<double> u_b(static_cast<std::size_t>(nb), 0.0);
  std::vector<double> u_ti(static_cast<std::size_t>(nb), 0.0);
  // Adds c * (batch mean of x over the batches) / (the mean of x over the batched scans)
  // to u: the delta-method linearisation of c log(mean x).
  auto linearise = [&](const Eigen::VectorXd& x, double c, std::vector<double>& u) {
    const double mean = x.tail(nb * bs).mean();
    if (!(mean > 0.0)) return;
    for (int b = 0; b < nb; ++b) {
      u[static_cast<std::size_t>(b)] += c * x.segment(first + b * bs, bs).mean() / mean;
    }
  };
  for (int i = 0; i + 1 < n; ++i) {
    const double db = betas[static_cast<std::size_t>(i) + 1] - betas[static_cast<std::size_t>(i)];
    const Weights f = weights(ell, i, db);
    const Weights b = weights(ell, i + 1, -db);
    e.forward += f.shift + std::log(f.w.mean());
    e.backward -= b.shift + std::log(b.w.mean());
    linearise(f.w, 1.0, u_f);
    linearise(b.w, -1.0, u_b);
  }
  if (std::isfinite(e.forward) && std::isfinite(e.backward)) {
    e.log_z = 0.5 * (e.forward + e.backward);
  } else {
    e.log_z = std::isfinite(e.forward) ? e.forward : e.backward;
  }
  std::vector<double> u_mean(static_cast<std::size_t>(nb));
  for (std::size_t b = 0; b < u_mean.size(); ++b) u_mean[b] = 0.5 * (u_f[b] + u_b[b]);
  e.se = std::sqrt(batch_variance(u_mean));

  // Thermodynamic integration: log Z = int_0^1 E_beta[l] dbeta. On [beta_i, beta_{i+1}]
  // the cubic Hermite rule uses dE_beta[l]/dbeta = Var_beta(l):
  //   h (m_i + m_{i+1})/2 + h^2 (v_i - v_{i+1})/12   (error O(h^5) per interval).
  std::vector<double> m(static_cast<std::size_t>(n));
  std::vector<double> v(static_cast<std::size_t>(n));
  bool finite = true;
  for (int k = 0; k < n; ++k) {
    const Eigen::VectorXd col = ell.col(k);
    const double mk = col.mean();
    m[static_cast<std::size_t>(k)] = mk;
    v[static_cast<std::size_t>(k)] =
        t_all > 1 ? (col.array() - mk).square().sum() / (t_all - 1.0) : 0.0;
    finite = finite && std::isfinite(mk);
  }
  if (!finite) {
    e.ti = e.ti_se = kNaN;
    return e;
  }
  for (int i = 0; i + 1 < n; ++i) {
    const auto k = static_cast<std::size_t>(i);
    const double h = betas[k + 1] - betas[k];
    e.ti += h * (m[k] + m[k + 1]) / 2.0 + h * h * (v[k] - v[k + 1]) / 12.0;
    for (int b = 0; b < nb; ++b) {
      const auto seg = [&](int c) { return ell.col(c).segment(first + b * bs, bs).mean(); };
      u_ti[static_cast<std::size_t>(b)] += h * (seg(i) + seg(i + 1)) / 2.0;
    }
  }
  e.ti_se = std::sqrt(batch_variance(u_ti));
  return e;
}

}  // namespace airy::infer::detail
