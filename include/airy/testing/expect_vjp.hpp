// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The gradient checker every differentiable op of airy is tested with (Stan's
/// expect_ad + Ceres' GradientChecker): finite differences, the adjoint identity and
/// forward-value agreement, on flat real vectors.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "airy/core/arrays.hpp"

namespace airy::testing {

/// A differentiable op y = f(x) on flat real vectors (complex arrays flattened as
/// (re, im) pairs, see flatten()).
struct VjpOp {
  std::string name;
  /// y = f(x), the plain forward (no gradient bookkeeping).
  std::function<RealVector(const RealVector& x)> forward;
  /// x_bar = J(x)^T y_bar: runs the op's gradient path (its own forward + pullback).
  std::function<RealVector(const RealVector& x, const RealVector& y_bar)> pullback;
  /// Optional: the forward value as computed on the gradient path; must equal forward(x).
  std::function<RealVector(const RealVector& x)> forward_on_gradient_path;
  /// Optional per-coordinate scale of the finite-difference directions (default 1).
  RealVector direction_scale;
};

/// Options of expect_vjp.
struct VjpOptions {
  int num_directions = 4;         ///< random (v, w) pairs
  double step = 1e-5;             ///< finite-difference step along scaled directions
  double rtol = 1e-6;             ///< relative tolerance of <w, Jv> vs <J^T w, v>
  double atol = 1e-12;            ///< absolute floor of the comparison
  std::uint64_t seed = 20261124;  ///< fixed seed
};

/// Outcome: ok, and a readable message listing every failed check.
struct VjpReport {
  bool ok = true;
  std::string message;
  double max_relative_error = 0.0;
};

/// Checks `op` at x:
///  1. forward_on_gradient_path(x) == forward(x) (to 1e-13 relative) when given;
///  2. for random directions v (scaled by direction_scale) and cotangents w:
///     <w, J v> by a 4th-order central difference (step h) equals <J^T w, v> to rtol
///     (relative to max(|<w,Jv>|, |<J^T w,v>|, 1e-2 |w| |Jv|, atol))
///     (this is both the finite-difference check and the adjoint identity
///     <w, J v> = <J^T w, v> under the real inner product Re sum conj(a) b);
///  3. linearity of the pullback: J^T (a w1 + b w2) = a J^T w1 + b J^T w2 (1e-10).
/// Use as EXPECT_TRUE(r.ok) << r.message, or the AIRY_EXPECT_VJP macro.
[[nodiscard]] VjpReport expect_vjp(const VjpOp& op, const RealVector& x,
                                   const VjpOptions& options = {});

/// Complex image (ny, nx) -> real vector (2 ny nx) of (re, im) pairs in row-major order.
[[nodiscard]] RealVector flatten(const ComplexImage& z);
/// Inverse of flatten. @throws InvalidArgument if v.size() != 2 rows cols.
[[nodiscard]] ComplexImage unflatten(const RealVector& v, Eigen::Index rows, Eigen::Index cols);
/// Real image -> vector (row-major) and back.
[[nodiscard]] RealVector flatten(const RealImage& a);
[[nodiscard]] RealImage unflatten_real(const RealVector& v, Eigen::Index rows, Eigen::Index cols);
/// Normal(0, 1) vector of length n from a fixed seed (std::mt19937_64).
[[nodiscard]] RealVector random_normal(Eigen::Index n, std::uint64_t seed);

}  // namespace airy::testing

/// GoogleTest helper: EXPECT_TRUE on expect_vjp with its message.
#define AIRY_EXPECT_VJP(op, x, ...)                                                    \
  do {                                                                                 \
    const auto airy_vjp_report_ = ::airy::testing::expect_vjp(op, x, ##__VA_ARGS__);   \
    EXPECT_TRUE(airy_vjp_report_.ok) << (op).name << ": " << airy_vjp_report_.message; \
  } while (0)
