// SPDX-License-Identifier: BSD-3-Clause
#include <gtest/gtest.h>

#include <cmath>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"
#include "airy/sources/binary_source.hpp"
#include "airy/sources/point_source.hpp"

namespace airy::sources {
namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no throw";
}

TEST(Spectrum, NormalisesWeightsAndRejectsBadInput) {
  const Spectrum s(RealVector::LinSpaced(3, 500e-9, 600e-9), RealVector::Constant(3, 2.0));
  EXPECT_NEAR(s.weights().sum(), 1.0, 1e-15);
  EXPECT_NE(message_of([] { Spectrum(RealVector{}); }).find("wavelengths"), std::string::npos);
  EXPECT_NE(message_of([] { Spectrum(RealVector::Constant(2, -5e-7)); }).find("wavelengths"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              Spectrum(RealVector::Constant(2, 5e-7), RealVector::Ones(3));
            }).find("weights"),
            std::string::npos);
  EXPECT_NE(message_of([] {
              Spectrum(RealVector::Constant(2, 5e-7), RealVector::Zero(2));
            }).find("weights"),
            std::string::npos);
}

TEST(AlphaCen, DefaultSpectrumIsFiveWavelengthsOver530To640nm) {
  const Spectrum s = alpha_cen_spectrum();
  ASSERT_EQ(s.size(), 5);
  EXPECT_DOUBLE_EQ(s.wavelengths()[0], 530e-9);
  EXPECT_NEAR(s.wavelengths()[2], 585e-9, 1e-20);
  EXPECT_DOUBLE_EQ(s.wavelengths()[4], 640e-9);
  EXPECT_NEAR(s.weights()[3], 0.2, 1e-15);
}

TEST(BinarySource, GeometryAndFluxSplit) {
  BinaryParameters p{0.1, -0.2, 0.4, 90.0, 3.0, 4.0};
  const BinarySource b(alpha_cen_spectrum(), p);
  RealMatrix pos, amp;
  const RealVector v = b.values();
  b.forward(std::span<const double>(v.data(), v.size()), pos, amp);
  // PA 90: A at +x of the mid-point.
  EXPECT_NEAR(pos(0, 0), units::arcsec_to_rad(0.3), 1e-20);
  EXPECT_NEAR(pos(0, 1), units::arcsec_to_rad(-0.2), 1e-20);
  EXPECT_NEAR(pos(1, 0), units::arcsec_to_rad(-0.1), 1e-20);
  EXPECT_NEAR(amp.sum(), 1000.0, 1e-9);
  EXPECT_NEAR(amp.row(0).sum() / amp.row(1).sum(), 4.0, 1e-12);
  // PA 0: A at +y.
  p.position_angle = 0.0;
  const BinarySource b0(alpha_cen_spectrum(), p);
  const RealVector v0 = b0.values();
  b0.forward(std::span<const double>(v0.data(), v0.size()), pos, amp);
  EXPECT_NEAR(pos(0, 1), units::arcsec_to_rad(0.0), 1e-20);
  EXPECT_NEAR(pos(0, 0), units::arcsec_to_rad(0.1), 1e-20);
}

TEST(BinarySource, RejectsInvalidParameters) {
  BinaryParameters p;
  p.contrast = -1.0;
  EXPECT_NE(message_of([&] { BinarySource(alpha_cen_spectrum(), p); }).find("contrast"),
            std::string::npos);
  p.contrast = 2.0;
  p.separation = NAN;
  EXPECT_NE(message_of([&] { BinarySource(alpha_cen_spectrum(), p); }).find("separation"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              PointSource(alpha_cen_spectrum(), 0.0, 0.0, -1.0, PointSource::FluxParameter::kFlux);
            }).find("flux"),
            std::string::npos);
}

}  // namespace
}  // namespace airy::sources
