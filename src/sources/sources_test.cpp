// SPDX-License-Identifier: BSD-3-Clause
#include <gtest/gtest.h>

#include <cmath>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"
#include "airy/sources/binary_source.hpp"
#include "airy/sources/point_source.hpp"
#include "airy/testing/expect_vjp.hpp"

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

// Per-star spectra (dLux: one PointSource with its own Spectrum per star): amplitudes(k, l) = F_k
// w_kl / sum_l w_kl, checked against that formula directly, and the pullback against finite
// differences.
TEST(PointSources, PerStarSpectraFormulaAndGradient) {
  RealVector wl(3);
  wl << 550e-9, 600e-9, 650e-9;
  RealMatrix w(2, 3), pos(2, 2);
  w << 1.0, 2.0, 1.0, 4.0, 0.5, 0.25;
  pos << 0.05, -0.02, -0.03, 0.04;
  RealVector flux(2);
  flux << 900.0, 300.0;
  const PointSources src(wl, w, pos, flux);
  EXPECT_TRUE(src.per_star_weights());
  ASSERT_EQ(src.parameter_blocks()[2].size, 6);
  const RealVector v = src.values();
  EXPECT_NEAR(v[6 + 3 + 1], 0.5 / 4.75, 1e-15);  // star 1, wavelength 1, normalised row
  RealMatrix p, a;
  src.forward(std::span<const double>(v.data(), v.size()), p, a);
  for (int k = 0; k < 2; ++k) {
    for (int l = 0; l < 3; ++l) EXPECT_NEAR(a(k, l), flux[k] * w(k, l) / w.row(k).sum(), 1e-12);
  }
  EXPECT_NEAR(p(1, 1), units::arcsec_to_rad(0.04), 1e-20);
  testing::VjpOp op;
  op.name = "PointSources per-star weights";
  op.forward = [&](const RealVector& x) {
    RealMatrix pp, aa;
    src.forward(std::span<const double>(x.data(), x.size()), pp, aa);
    RealVector y(pp.size() + aa.size());
    y << Eigen::Map<const RealVector>(pp.data(), pp.size()),
        Eigen::Map<const RealVector>(aa.data(), aa.size());
    return y;
  };
  op.pullback = [&](const RealVector& x, const RealVector& y_bar) {
    const RealMatrix pb = Eigen::Map<const RealMatrix>(y_bar.data(), 2, 2);
    const RealMatrix ab = Eigen::Map<const RealMatrix>(y_bar.data() + 4, 2, 3);
    RealVector g = RealVector::Zero(x.size());
    src.pullback(std::span<const double>(x.data(), x.size()), pb, ab,
                 std::span<double>(g.data(), g.size()));
    return g;
  };
  AIRY_EXPECT_VJP(op, v);
  // The shared-spectrum constructor keeps one row: every star gets the same normalised weights.
  const PointSources shared(Spectrum(wl, w.row(0).transpose()), pos, flux);
  EXPECT_FALSE(shared.per_star_weights());
  const RealVector vs = shared.values();
  shared.forward(std::span<const double>(vs.data(), vs.size()), p, a);
  EXPECT_NEAR(a(1, 1) / flux[1], 0.5, 1e-15);
}

TEST(PointSources, PerStarSpectraRejectsBadShapesAndWeights) {
  RealVector wl = RealVector::Constant(2, 6e-7), flux = RealVector::Ones(2);
  RealMatrix pos = RealMatrix::Zero(2, 2);
  const std::string shape =
      message_of([&] { PointSources(wl, RealMatrix::Ones(3, 2), pos, flux); });
  EXPECT_NE(shape.find("weights"), std::string::npos) << shape;
  EXPECT_NE(shape.find("(2, 2)"), std::string::npos) << shape;
  RealMatrix zero_row = RealMatrix::Ones(2, 2);
  zero_row.row(1).setZero();
  EXPECT_NE(message_of([&] { PointSources(wl, zero_row, pos, flux); }).find("weights"),
            std::string::npos);
}

}  // namespace
}  // namespace airy::sources
