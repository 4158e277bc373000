// SPDX-License-Identifier: BSD-3-Clause
#include "airy/core/error.hpp"

#include <gtest/gtest.h>

#include <limits>

#include "airy/core/units.hpp"

namespace airy {
namespace {

TEST(Error, CheckPositiveNamesFunctionFieldAndValue) {
  try {
    check_positive("AngularOpticalSystem", "diameter", -1.5);
    FAIL() << "expected InvalidArgument";
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("AngularOpticalSystem"), std::string::npos) << msg;
    EXPECT_NE(msg.find("diameter"), std::string::npos) << msg;
    EXPECT_NE(msg.find("-1.5"), std::string::npos) << msg;
  }
}

TEST(Error, ChecksRejectNonFinite) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(check_finite("f", "x", nan), InvalidArgument);
  EXPECT_THROW(check_positive("f", "x", 0.0), InvalidArgument);
  EXPECT_THROW(check_nonnegative("f", "x", -1e-300), InvalidArgument);
  EXPECT_THROW(check_in_range("f", "x", 2.0, 0.0, 1.0), InvalidArgument);
  EXPECT_NO_THROW(check_in_range("f", "x", 1.0, 0.0, 1.0));
  EXPECT_NO_THROW(check_nonnegative("f", "x", 0.0));
}

TEST(Units, RoundTripsAndKnownValues) {
  EXPECT_DOUBLE_EQ(units::arcsec_to_rad(648000.0), 3.141592653589793);
  EXPECT_DOUBLE_EQ(units::deg_to_rad(180.0), 3.141592653589793);
  EXPECT_DOUBLE_EQ(units::rad_to_arcsec(units::arcsec_to_rad(0.03)), 0.03);
  EXPECT_DOUBLE_EQ(units::nm_to_m(585.0), 585e-9);
}

}  // namespace
}  // namespace airy
