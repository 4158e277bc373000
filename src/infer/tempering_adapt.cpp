// SPDX-License-Identifier: BSD-3-Clause
#include "tempering_adapt.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "airy/infer/tempering_schedule.hpp"

namespace airy::infer::detail {

void adapt_kernels(ChainKernels& kernels, const std::vector<Moments>& moments,
                   std::span<const double> accept, const PtOptions& o) {
  for (std::size_t k = 1; k < kernels.stepsize.size(); ++k) {
    double& eps = kernels.stepsize[k];
    const double a = accept[k];
    if (std::isfinite(a)) {
      const double miss = std::max(1.0 - std::min(a, 1.0), 1e-3);
      eps *= std::clamp(std::cbrt((1.0 - o.delta) / miss), 0.2, 3.0);
    }
    const Moments& m = moments[k];
    RealVector& v = kernels.inv_metric[k];
    if (o.metric != Metric::diag_e || m.n < 3 || v.size() == 0) continue;
    const RealVector s = m.variance();
    const double w = static_cast<double>(m.n) / (static_cast<double>(m.n) + 5.0);
    double ratio = std::numeric_limits<double>::infinity();
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      if (!(std::isfinite(s[i]) && s[i] > 0)) continue;
      const double next = w * s[i] + (1.0 - w) * v[i];
      ratio = std::min(ratio, v[i] / next);
      v[i] = next;
    }
    if (std::isfinite(ratio)) eps *= std::sqrt(ratio);
  }
}

void move_kernels(ChainKernels& kernels, std::span<const double> old_betas,
                  std::span<const double> new_betas) {
  const std::size_t n = old_betas.size();
  if (n < 2) return;
  auto interpolate = [&](const std::vector<double>& y_old) {
    std::vector<double> out(n, y_old[0]);
    if (n == 2) {
      out[1] = y_old[1];
      return out;
    }
    const MonotoneInterpolant f(std::vector<double>(old_betas.begin() + 1, old_betas.end()),
                                std::vector<double>(y_old.begin() + 1, y_old.end()));
    for (std::size_t k = 1; k < n; ++k) out[k] = f(new_betas[k]);
    return out;
  };
  std::vector<double> log_eps(n, 0.0);
  for (std::size_t k = 1; k < n; ++k) log_eps[k] = std::log(kernels.stepsize[k]);
  const std::vector<double> eps = interpolate(log_eps);
  for (std::size_t k = 1; k < n; ++k) kernels.stepsize[k] = std::exp(eps[k]);
  const Eigen::Index dim = kernels.inv_metric[1].size();
  for (Eigen::Index i = 0; i < dim; ++i) {
    std::vector<double> log_v(n, 0.0);
    for (std::size_t k = 1; k < n; ++k) log_v[k] = std::log(kernels.inv_metric[k][i]);
    const std::vector<double> v = interpolate(log_v);
    for (std::size_t k = 1; k < n; ++k) kernels.inv_metric[k][i] = std::exp(v[k]);
  }
}

bool refit_gaussian(TemperingPath& path, const Moments& top) {
  if (top.n < 2) return false;
  const RealVector sd = top.variance().array().sqrt();
  if (!sd.allFinite() || !top.mean.allFinite() || !(sd.array() > 0).all()) return false;
  path.set_gaussian(top.mean, sd);
  return true;
}

RealMatrix as_matrix(const ChainKernels& kernels, int k, int dim) {
  const RealVector& v = kernels.inv_metric[static_cast<std::size_t>(k)];
  if (v.size() == 0) return RealMatrix::Ones(dim, 1);
  return v;
}

}  // namespace airy::infer::detail
