// SPDX-License-Identifier: BSD-3-Clause
#include "airy/testing/expect_vjp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "airy/core/error.hpp"

namespace airy::testing {

RealVector random_normal(Eigen::Index n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd(0.0, 1.0);
  RealVector v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = nd(rng);
  return v;
}

RealVector flatten(const ComplexImage& z) {
  RealVector v(2 * z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    v[2 * i] = z.data()[i].real();
    v[2 * i + 1] = z.data()[i].imag();
  }
  return v;
}

ComplexImage unflatten(const RealVector& v, Eigen::Index rows, Eigen::Index cols) {
  if (v.size() != 2 * rows * cols) throw_invalid("unflatten", "v", "size must be 2 rows cols");
  ComplexImage z(rows, cols);
  for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = Complex(v[2 * i], v[2 * i + 1]);
  return z;
}

RealVector flatten(const RealImage& a) { return Eigen::Map<const RealVector>(a.data(), a.size()); }

RealImage unflatten_real(const RealVector& v, Eigen::Index rows, Eigen::Index cols) {
  if (v.size() != rows * cols) throw_invalid("unflatten_real", "v", "size must be rows cols");
  return Eigen::Map<const RealImage>(v.data(), rows, cols);
}

VjpReport expect_vjp(const VjpOp& op, const RealVector& x, const VjpOptions& opt) {
  VjpReport rep;
  auto fail = [&](const std::string& m) {
    rep.ok = false;
    rep.message += m + "\n";
  };
  const RealVector y = op.forward(x);
  if (!y.allFinite()) fail("forward value is not finite");
  if (op.forward_on_gradient_path) {
    const RealVector y2 = op.forward_on_gradient_path(x);
    const double scale = std::max(1e-300, y.cwiseAbs().maxCoeff());
    if (y2.size() != y.size() || (y2 - y).cwiseAbs().maxCoeff() > 1e-13 * scale) {
      fail("forward values differ between the plain and the gradient path");
    }
  }
  const Eigen::Index n = x.size(), m = y.size();
  RealVector scale = op.direction_scale.size() == n ? op.direction_scale : RealVector::Ones(n);
  std::vector<RealVector> xbars;
  std::vector<RealVector> ws;
  for (int d = 0; d < opt.num_directions; ++d) {
    const RealVector v = random_normal(n, opt.seed + 2 * d).cwiseProduct(scale);
    const RealVector w = random_normal(m, opt.seed + 2 * d + 1);
    const double h = opt.step;
    const RealVector jv = (-op.forward(x + 2 * h * v) + 8 * op.forward(x + h * v) -
                           8 * op.forward(x - h * v) + op.forward(x - 2 * h * v)) /
                          (12 * h);
    const RealVector xbar = op.pullback(x, w);
    if (xbar.size() != n) {
      fail(fmt::format("pullback returned {} values, expected {}", xbar.size(), n));
      return rep;
    }
    const double lhs = w.dot(jv), rhs = xbar.dot(v);
    // Scale floor: a random w makes |<w, Jv>| ~ |w||Jv|/sqrt(m); an accidental cancellation
    // must not turn round-off into a failure, so the error is also taken relative to
    // 1e-2 |w||Jv|.
    const double denom =
        std::max({std::abs(lhs), std::abs(rhs), 1e-2 * w.norm() * jv.norm(), opt.atol});
    const double err = std::abs(lhs - rhs) / denom;
    rep.max_relative_error = std::max(rep.max_relative_error, err);
    if (!(err <= opt.rtol)) {
      fail(
          fmt::format("direction {}: <w, Jv> (finite difference) = {:.12e}, <J^T w, v> = "
                      "{:.12e}, relative error {:.3e} > {:.1e}",
                      d, lhs, rhs, err, opt.rtol));
    }
    xbars.push_back(xbar);
    ws.push_back(w);
  }
  if (ws.size() >= 2) {
    const RealVector comb = op.pullback(x, 0.7 * ws[0] - 1.3 * ws[1]);
    const RealVector expect = 0.7 * xbars[0] - 1.3 * xbars[1];
    const double s = std::max(1e-300, expect.cwiseAbs().maxCoeff());
    if ((comb - expect).cwiseAbs().maxCoeff() > 1e-10 * s) fail("pullback is not linear in y_bar");
  }
  return rep;
}

}  // namespace airy::testing
