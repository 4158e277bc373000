// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/jacobian.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "airy/core/error.hpp"

namespace airy::posterior {

RealMatrix image_jacobian(const model::Telescope& telescope, const model::ParameterSet& set,
                          std::span<const double> x, RealImage* image) {
  const int n = set.size();
  if (static_cast<int>(x.size()) != n) {
    throw InvalidArgument(
        fmt::format("image_jacobian: x has {} values but the parameter set has {}", x.size(), n));
  }
  auto ws = telescope.make_workspace(set);
  RealImage mu;
  telescope.render(set, x, *ws, mu);
  const Eigen::Index rows = mu.rows(), cols = mu.cols();
  RealMatrix jac(rows * cols, n);
  RealImage bar = RealImage::Zero(rows, cols);
  std::vector<double> x_bar(static_cast<std::size_t>(n));
  // Row r of J is the pullback of the basis cotangent e_r (reverse mode, one pixel at a time).
  // The engine's pullback may reuse (and overwrite) what render() saved in the workspace, so
  // every pullback gets a fresh render (Telescope's contract: pullback at the last render).
  RealImage scratch;
  for (Eigen::Index r = 0; r < rows * cols; ++r) {
    if (r > 0) telescope.render(set, x, *ws, scratch);
    bar.data()[r] = 1.0;
    telescope.pullback(set, bar, *ws, x_bar);
    bar.data()[r] = 0.0;
    for (int j = 0; j < n; ++j) jac(r, j) = x_bar[static_cast<std::size_t>(j)];
  }
  if (image != nullptr) *image = std::move(mu);
  return jac;
}

RealMatrix bijector_jacobian(const infer::SiteModel& model, std::span<const double> u) {
  if (static_cast<int>(u.size()) != model.dim()) {
    throw InvalidArgument(fmt::format("bijector_jacobian: u has {} values but the model has {}",
                                      u.size(), model.dim()));
  }
  RealMatrix b = RealMatrix::Zero(model.site_dim(), model.dim());
  const auto& sites = model.sites();
  for (std::size_t s = 0; s < sites.size(); ++s) {
    const infer::SiteSlice& sl = model.slices()[s];
    const auto us = u.subspan(static_cast<std::size_t>(sl.unconstrained_offset),
                              static_cast<std::size_t>(sl.unconstrained_size));
    std::vector<double> xs(static_cast<std::size_t>(sl.size));
    sites[s].bijector->forward(us, xs);
    std::vector<double> gx(xs.size(), 0.0), g0(us.size(), 0.0), gk(us.size());
    sites[s].bijector->pullback(us, xs, gx, g0);  // d log|J| / du alone
    for (int k = 0; k < sl.size; ++k) {
      std::fill(gk.begin(), gk.end(), 0.0);
      gx[static_cast<std::size_t>(k)] = 1.0;
      sites[s].bijector->pullback(us, xs, gx, gk);
      gx[static_cast<std::size_t>(k)] = 0.0;
      for (int m = 0; m < sl.unconstrained_size; ++m) {
        b(sl.offset + k, sl.unconstrained_offset + m) =
            gk[static_cast<std::size_t>(m)] - g0[static_cast<std::size_t>(m)];
      }
    }
  }
  return b;
}

RealMatrix prior_hessian(const infer::SiteModel& model, std::span<const double> u) {
  const int n = model.dim();
  if (static_cast<int>(u.size()) != n) {
    throw InvalidArgument(
        fmt::format("prior_hessian: u has {} values but the model has {}", u.size(), n));
  }
  std::vector<double> up(u.begin(), u.end()), gp(static_cast<std::size_t>(n)),
      gm(static_cast<std::size_t>(n));
  RealMatrix g(n, n);
  for (int i = 0; i < n; ++i) {
    const auto iu = static_cast<std::size_t>(i);
    const double h = 1e-5 * std::max(1.0, std::fabs(u[iu]));
    up[iu] = u[iu] + h;
    std::fill(gp.begin(), gp.end(), 0.0);
    (void)model.log_prior_gradient(up, gp);
    up[iu] = u[iu] - h;
    std::fill(gm.begin(), gm.end(), 0.0);
    (void)model.log_prior_gradient(up, gm);
    up[iu] = u[iu];
    for (int j = 0; j < n; ++j) {
      g(j, i) = (gp[static_cast<std::size_t>(j)] - gm[static_cast<std::size_t>(j)]) / (2.0 * h);
    }
  }
  return RealMatrix(0.5 * (g + g.transpose()));
}

}  // namespace airy::posterior
