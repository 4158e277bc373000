// SPDX-License-Identifier: BSD-3-Clause
#include "airy/testing/expect_vjp.hpp"

#include <gtest/gtest.h>

namespace airy::testing {
namespace {

// f(x) = (x0 x1, sin x2): a correct and a wrong pullback.
VjpOp op(bool wrong) {
  VjpOp o;
  o.name = wrong ? "wrong" : "right";
  o.forward = [](const RealVector& x) { return RealVector{{x[0] * x[1], std::sin(x[2])}}; };
  o.pullback = [wrong](const RealVector& x, const RealVector& w) {
    return RealVector{{w[0] * x[1], w[0] * x[0] * (wrong ? 1.001 : 1.0), w[1] * std::cos(x[2])}};
  };
  return o;
}

TEST(ExpectVjp, PassesACorrectPullbackAndFailsAWrongOne) {
  const RealVector x{{0.3, -1.2, 0.7}};
  AIRY_EXPECT_VJP(op(false), x);
  const VjpReport r = expect_vjp(op(true), x);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("relative error"), std::string::npos);
}

TEST(ExpectVjp, FlattenRoundTrips) {
  ComplexImage z(2, 3);
  z.setRandom();
  EXPECT_EQ((unflatten(flatten(z), 2, 3) - z).abs().maxCoeff(), 0.0);
  EXPECT_EQ(flatten(z)[1], z(0, 0).imag());
}

}  // namespace
}  // namespace airy::testing
