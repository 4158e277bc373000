// SPDX-License-Identifier: BSD-3-Clause
#include "airy/posterior/structured_fisher.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>

#include "airy/core/error.hpp"

namespace airy::posterior {
namespace {

/// Pixels per block: the block's rows (N + 1 per pixel) times n_g stay in cache, and the
/// rank updates are large enough for Eigen's blocked kernels.
constexpr Eigen::Index kBlock = 1024;

/// Throws unless every entry of row p of exposure e's global Jacobian is finite (checked
/// while the row is in cache, not in a pass of its own over the n_pix x n_g matrix).
void check_jacobian_row(const FlatFieldExposure& x, std::size_t e, Eigen::Index p) {
  if (!x.global_jacobian.row(p).allFinite()) {
    throw InvalidArgument(fmt::format(
        "flat_field_laplace: exposure {} pixel {}: global_jacobian has a non-finite entry", e, p));
  }
}

/// Checks the sizes and per-pixel values of the inputs; returns (n_pix, n_g).
std::pair<Eigen::Index, Eigen::Index> check_inputs(const std::vector<FlatFieldExposure>& exposures,
                                                   const RealVector& pi, const RealMatrix& pi_g) {
  constexpr const char* kWhere = "flat_field_laplace";
  if (exposures.empty()) throw_invalid(kWhere, "exposures", "at least one exposure is needed");
  const Eigen::Index n = pi.size();
  const Eigen::Index g = pi_g.rows();
  if (n == 0) throw_invalid(kWhere, "flat_prior_precision", "the flat field has no pixels");
  if (pi_g.cols() != g) {
    throw InvalidArgument(fmt::format("{}: global_prior_precision is {}x{}: must be square", kWhere,
                                      pi_g.rows(), pi_g.cols()));
  }
  for (Eigen::Index p = 0; p < n; ++p) {
    if (!(pi[p] >= 0.0) || !std::isfinite(pi[p])) {
      throw InvalidArgument(fmt::format(
          "{}: flat_prior_precision[{}] = {}: must be finite and >= 0", kWhere, p, pi[p]));
    }
  }
  if (!pi_g.allFinite() || !pi_g.isApprox(pi_g.transpose(), 1e-12)) {
    throw_invalid(kWhere, "global_prior_precision", "must be finite and symmetric");
  }
  for (std::size_t e = 0; e < exposures.size(); ++e) {
    const FlatFieldExposure& x = exposures[e];
    if (x.weight.size() != n || x.flat_jacobian.size() != n || x.global_jacobian.rows() != n ||
        x.global_jacobian.cols() != g) {
      throw InvalidArgument(fmt::format(
          "{}: exposure {}: weight has {} pixels, flat_jacobian {}, global_jacobian is {}x{}; "
          "the flat field has {} pixels and there are {} globals",
          kWhere, e, x.weight.size(), x.flat_jacobian.size(), x.global_jacobian.rows(),
          x.global_jacobian.cols(), n, g));
    }
    for (Eigen::Index p = 0; p < n; ++p) {
      if (!(x.weight[p] >= 0.0) || !std::isfinite(x.weight[p]) ||
          !std::isfinite(x.flat_jacobian[p])) {
        throw InvalidArgument(fmt::format(
            "{}: exposure {} pixel {}: weight = {}, flat_jacobian = {}: the weight must be finite "
            "and >= 0 and the Jacobian finite",
            kWhere, e, p, x.weight[p], x.flat_jacobian[p]));
      }
    }
  }
  return {n, g};
}

}  // namespace

FlatFieldLaplace flat_field_laplace(const std::vector<FlatFieldExposure>& exposures,
                                    const RealVector& flat_prior_precision,
                                    const RealMatrix& global_prior_precision) {
  const auto [n, g] = check_inputs(exposures, flat_prior_precision, global_prior_precision);
  const auto n_exp = static_cast<Eigen::Index>(exposures.size());
  FlatFieldLaplace r;
  r.flat_information.resize(n);
  // S accumulates in its lower triangle: Pi_g + sum_p M_p, each M_p a sum of squares.
  RealMatrix s = global_prior_precision;
  // Rows of the square roots of M_p for a block of pixels: for one exposure only the alpha
  // row (G - q^ q^^T G vanishes), for N the N projected rows plus the alpha row.
  const Eigen::Index rows_per_pixel = n_exp == 1 ? 1 : n_exp + 1;
  RealMatrix rows(kBlock * rows_per_pixel, g);
  RealMatrix gp(n_exp, g);  // G of one pixel: sqrt(w_e) j_e
  RealVector q(n_exp), qh(n_exp);
  Eigen::RowVectorXd t(g);
  for (Eigen::Index p0 = 0; p0 < n; p0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - p0);
    for (Eigen::Index k = 0; k < m; ++k) {
      const Eigen::Index p = p0 + k;
      const double pi = flat_prior_precision[p];
      double qq = 0.0;
      for (const FlatFieldExposure& x : exposures) {
        qq += x.weight[p] * x.flat_jacobian[p] * x.flat_jacobian[p];
      }
      const double a = pi + qq;
      if (!(a > 0.0)) {
        throw InvalidArgument(fmt::format(
            "flat_field_laplace: flat-field pixel {} has no information (prior precision 0 and "
            "no exposure sees it): give it a proper prior",
            p));
      }
      r.flat_information[p] = a;
      if (g == 0) continue;
      auto block = rows.middleRows(k * rows_per_pixel, rows_per_pixel);
      for (std::size_t e = 0; e < exposures.size(); ++e) check_jacobian_row(exposures[e], e, p);
      if (n_exp == 1) {
        // One exposure: M_p = (w pi / a) j j^T (w - w^2 c^2 / a = w pi / a), one row.
        const FlatFieldExposure& x = exposures.front();
        block.row(0) = std::sqrt(x.weight[p] * pi / a) * x.global_jacobian.row(p);
        continue;
      }
      for (Eigen::Index e = 0; e < n_exp; ++e) {
        const FlatFieldExposure& x = exposures[static_cast<std::size_t>(e)];
        const double sw = std::sqrt(x.weight[p]);
        q[e] = sw * x.flat_jacobian[p];
        gp.row(e) = sw * x.global_jacobian.row(p);
      }
      if (qq > 0.0) {
        qh = q / std::sqrt(qq);
        t.noalias() = qh.transpose() * gp;  // q^^T G
        block.topRows(n_exp).noalias() = gp - qh * t;
        block.row(n_exp) = std::sqrt(pi / a) * t;
      } else {
        // f_p does not touch this pixel's counts: the globals get the pixel's full information.
        block.topRows(n_exp) = gp;
        block.row(n_exp).setZero();
      }
    }
    if (g > 0) {
      s.selfadjointView<Eigen::Lower>().rankUpdate(rows.topRows(m * rows_per_pixel).transpose());
    }
  }
  r.global_precision = s.selfadjointView<Eigen::Lower>();
  r.flat_variance = r.flat_information.cwiseInverse();
  if (g == 0) {
    r.flat_sd = r.flat_variance.cwiseSqrt();
    return r;
  }

  // Sigma_gg = S^-1 by Cholesky S = L L^T, after checking S is numerically positive definite.
  Eigen::SelfAdjointEigenSolver<RealMatrix> eig(r.global_precision);
  const double max_ev = eig.eigenvalues().cwiseAbs().maxCoeff();
  if (!(eig.eigenvalues().minCoeff() > 1e-14 * max_ev)) {
    Eigen::Index k = 0;
    eig.eigenvectors().col(0).cwiseAbs().maxCoeff(&k);
    throw InvalidArgument(fmt::format(
        "flat_field_laplace: the globals' marginal precision S is singular (smallest eigenvalue "
        "{:.3g}, largest {:.3g}): the data and priors do not constrain a combination dominated "
        "by global {} (a global degenerate with the flat field, e.g. a flux with a flat prior "
        "on f?)",
        eig.eigenvalues().minCoeff(), max_ev, k));
  }
  const Eigen::LLT<RealMatrix> llt(r.global_precision);
  r.global_covariance = llt.solve(RealMatrix::Identity(g, g));
  r.global_covariance = (0.5 * (r.global_covariance + r.global_covariance.transpose())).eval();
  r.global_sd = r.global_covariance.diagonal().cwiseSqrt();

  // var(f_p) = 1/a_p + |L^-1 b_p|^2 / a_p^2  (b^T S^-1 b = |L^-1 b|^2), a block at a time.
  Eigen::MatrixXd b(g, kBlock);  // columns b_p of a block (column-major: b_p contiguous)
  for (Eigen::Index p0 = 0; p0 < n; p0 += kBlock) {
    const Eigen::Index m = std::min(kBlock, n - p0);
    b.leftCols(m).setZero();
    for (const FlatFieldExposure& x : exposures) {
      for (Eigen::Index k = 0; k < m; ++k) {
        const Eigen::Index p = p0 + k;
        b.col(k) += (x.weight[p] * x.flat_jacobian[p]) * x.global_jacobian.row(p).transpose();
      }
    }
    llt.matrixL().solveInPlace(b.leftCols(m));
    for (Eigen::Index k = 0; k < m; ++k) {
      const double a = r.flat_information[p0 + k];
      r.flat_variance[p0 + k] += b.col(k).squaredNorm() / (a * a);
    }
  }
  r.flat_sd = r.flat_variance.cwiseSqrt();
  return r;
}

RealMatrix flat_field_dense_precision(const std::vector<FlatFieldExposure>& exposures,
                                      const RealVector& flat_prior_precision,
                                      const RealMatrix& global_prior_precision) {
  const auto [n, g] = check_inputs(exposures, flat_prior_precision, global_prior_precision);
  RealMatrix p = RealMatrix::Zero(n + g, n + g);
  p.diagonal().head(n) = flat_prior_precision;
  p.bottomRightCorner(g, g) = global_prior_precision;
  for (std::size_t e = 0; e < exposures.size(); ++e) {
    const FlatFieldExposure& x = exposures[e];
    for (Eigen::Index q = 0; q < n; ++q) check_jacobian_row(x, e, q);
    // The full Jacobian of this exposure: [diag(c), J_g]; F = J^T diag(w) J.
    RealMatrix jac = RealMatrix::Zero(n, n + g);
    jac.diagonal() = x.flat_jacobian;
    jac.rightCols(g) = x.global_jacobian;
    p += jac.transpose() * x.weight.asDiagonal() * jac;
  }
  return p;
}

}  // namespace airy::posterior
