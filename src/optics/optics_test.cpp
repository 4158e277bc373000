// SPDX-License-Identifier: BSD-3-Clause
// Physics goldens of the optics module: Airy pattern, Zernike closed forms and
// orthonormality, MFT unitarity, MFT == FFT, shape geometry, and argument checks.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "airy/core/error.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/fft.hpp"
#include "airy/optics/mft.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/optics/psf_engine.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/wavefront.hpp"
#include "airy/optics/zernike.hpp"

namespace airy::optics {
namespace {

using std::numbers::pi;

ComplexImage random_field(int n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> nd;
  ComplexImage z(n, n);
  for (Eigen::Index i = 0; i < z.size(); ++i) z.data()[i] = Complex(nd(rng), nd(rng));
  return z;
}

TEST(Coordinates, PixelCentresAreSymmetric) {
  const RealVector a = pixel_axis(4, 0.5);
  EXPECT_DOUBLE_EQ(a[0], -0.75);
  EXPECT_DOUBLE_EQ(a[3], 0.75);
  const RealVector b = pixel_axis(5, 1.0);
  EXPECT_DOUBLE_EQ(b[2], 0.0);
  const Coords c = pixel_coords(4, 2.0);
  EXPECT_DOUBLE_EQ(c.x(0, 3), 0.75);    // x varies along columns
  EXPECT_DOUBLE_EQ(c.y(3, 0), 0.75);    // y varies along rows
  const Coords r = rotate(c, pi / 2);   // counter-clockwise point rotation
  EXPECT_NEAR(r.x(0, 3), 0.75, 1e-15);  // (0.75, -0.75) -> (0.75, 0.75)
  EXPECT_NEAR(r.y(0, 3), 0.75, 1e-15);
}

TEST(Shapes, SpiderArmsPointAlongDluxDirections) {
  const Coords c = pixel_coords(64, 1.0);
  const RealImage s0 = hard_mask(Shape::spider(0.05, {0.0}), c);
  // Arm at 0 deg points to -y: pixels below the centre (low rows) are blocked.
  EXPECT_EQ(s0(5, 31), 0.0);
  EXPECT_EQ(s0(58, 31), 1.0);
  const RealImage s90 = hard_mask(Shape::spider(0.05, {90.0}), c);
  EXPECT_EQ(s90(31, 5), 0.0);  // -x blocked
  EXPECT_EQ(s90(31, 58), 1.0);
}

TEST(Shapes, AreasAndPlacement) {
  const int n = 400;
  const Coords c = pixel_coords(n, 2.0);
  const double px = (2.0 / n) * (2.0 / n);
  EXPECT_NEAR(hard_mask(Shape::circle(0.8), c).sum() * px, pi * 0.64, 2e-3);
  EXPECT_NEAR(hard_mask(Shape::annulus(0.3, 0.8), c).sum() * px, pi * (0.64 - 0.09), 3e-3);
  EXPECT_NEAR(hard_mask(Shape::square(1.0), c).sum() * px, 1.0, 1e-2);
  EXPECT_NEAR(hard_mask(Shape::rectangle(1.0, 0.5), c).sum() * px, 0.5, 1e-2);
  EXPECT_NEAR(hard_mask(Shape::hexagon(0.5), c).sum() * px, 1.5 * std::sqrt(3.0) * 0.25, 1e-2);
  // Hexagon: vertices on +-x, flat top/bottom at |y| = rmax sin 60.
  const RealImage hex = hard_mask(Shape::hexagon(0.5), c);
  EXPECT_EQ(hex(n / 2, n / 2 + 95), 1.0);  // x ~ 0.48 on the axis: inside (vertex at 0.5)
  EXPECT_EQ(hex(n / 2 + 95, n / 2), 0.0);  // y ~ 0.48 > 0.433: outside
  // Inverted circle is the complement; placement moves the shape.
  EXPECT_NEAR(
      (hard_mask(Shape::circle(0.5), c) + hard_mask(Shape::circle(0.5).inverted(), c)).maxCoeff(),
      1.0, 0.0);
  const RealImage moved = hard_mask(Shape::circle(0.2).at(0.5, 0.0), c);
  EXPECT_EQ(moved(n / 2, n / 2 + 100), 1.0);
  EXPECT_EQ(moved(n / 2, n / 2 - 100), 0.0);
  const RealImage rot = hard_mask(Shape::rectangle(1.0, 0.1).rotated(90.0), c);
  EXPECT_EQ(rot(n / 2 + 80, n / 2), 1.0);  // now long along y
  EXPECT_EQ(rot(n / 2, n / 2 + 80), 0.0);
  // Soft mask: 1/2 on the edge, 0/1 beyond the ramp.
  const RealImage soft = soft_mask(Shape::circle(0.5), c, 0.05);
  EXPECT_DOUBLE_EQ(soft(n / 2, n / 2), 1.0);
  EXPECT_DOUBLE_EQ(soft(0, 0), 0.0);
}

TEST(Shapes, CombineIsTheMeanOfSubsamples) {
  const RealImage t = aperture_transmission({Shape::circle(0.5)}, 32, 1.0, 5);
  EXPECT_EQ(t.rows(), 32);
  EXPECT_DOUBLE_EQ(t(16, 16), 1.0);
  EXPECT_DOUBLE_EQ(t(0, 0), 0.0);
  for (Eigen::Index i = 0; i < t.size(); ++i) {
    const double v = t.data()[i] * 25.0;
    EXPECT_NEAR(v, std::round(v), 1e-12);  // multiples of 1/25
  }
  EXPECT_NEAR(t.sum() * (1.0 / 32) * (1.0 / 32), pi / 4, 2e-3);
}

double noll_closed_form(int j, double r, double t) {
  const double s2 = std::sqrt(2.0), s3 = std::sqrt(3.0), s5 = std::sqrt(5.0), s6 = std::sqrt(6.0),
               s8 = std::sqrt(8.0), s10 = std::sqrt(10.0);
  switch (j) {
    case 1:
      return 1.0;
    case 2:
      return 2 * r * std::cos(t);
    case 3:
      return 2 * r * std::sin(t);
    case 4:
      return s3 * (2 * r * r - 1);
    case 5:
      return s6 * r * r * std::sin(2 * t);
    case 6:
      return s6 * r * r * std::cos(2 * t);
    case 7:
      return s8 * (3 * r * r * r - 2 * r) * std::sin(t);
    case 8:
      return s8 * (3 * r * r * r - 2 * r) * std::cos(t);
    case 9:
      return s8 * r * r * r * std::sin(3 * t);
    case 10:
      return s8 * r * r * r * std::cos(3 * t);
    case 11:
      return s5 * (6 * std::pow(r, 4) - 6 * r * r + 1);
    case 12:
      return s10 * (4 * std::pow(r, 4) - 3 * r * r) * std::cos(2 * t);
    case 13:
      return s10 * (4 * std::pow(r, 4) - 3 * r * r) * std::sin(2 * t);
    case 14:
      return s10 * std::pow(r, 4) * std::cos(4 * t);
    case 15:
      return s10 * std::pow(r, 4) * std::sin(4 * t);
    case 16:
      return 2 * s3 * (10 * std::pow(r, 5) - 12 * std::pow(r, 3) + 3 * r) * std::cos(t);
    case 22:
      return s2 * std::sqrt(3.5) * (20 * std::pow(r, 6) - 30 * std::pow(r, 4) + 12 * r * r - 1);
    default:
      return NAN;
  }
}

TEST(Zernike, NollTableAndClosedForms) {
  const int expect[15][2] = {{0, 0},  {1, 1}, {1, -1}, {2, 0}, {2, -2}, {2, 2}, {3, -1}, {3, 1},
                             {3, -3}, {3, 3}, {4, 0},  {4, 2}, {4, -2}, {4, 4}, {4, -4}};
  for (int j = 1; j <= 15; ++j) {
    EXPECT_EQ(noll_to_nm(j).n, expect[j - 1][0]) << j;
    EXPECT_EQ(noll_to_nm(j).m, expect[j - 1][1]) << j;
  }
  EXPECT_EQ(noll_to_nm(36).n, 7);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> ur(0.0, 1.0), ut(-pi, pi);
  for (int j : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 22}) {
    for (int k = 0; k < 20; ++k) {
      const double r = ur(rng), t = ut(rng);
      EXPECT_NEAR(zernike_value(j, r, t), noll_closed_form(j, r, t), 1e-12) << "j=" << j;
    }
  }
  EXPECT_EQ(zernike_value(4, 1.0001, 0.3), 0.0);
  EXPECT_NE(zernike_value(4, 1.0, 0.3), 0.0);  // rho <= 1 inclusive
}

TEST(Zernike, OrthonormalOnAFineDiskAndFiniteOnOddGrids) {
  const int n = 301;
  const Coords c = pixel_coords(n, 1.0);
  std::vector<int> js(36);
  for (int j = 1; j <= 36; ++j) js[j - 1] = j;
  const auto basis = zernike_basis(js, c, 1.0);
  const RealImage disk = ((c.x.square() + c.y.square()).sqrt() <= 0.5).cast<double>();
  const double npx = disk.sum();
  double worst = 0;
  for (int a = 0; a < 36; ++a) {
    EXPECT_TRUE(basis[a].allFinite()) << "odd grid NaN at j=" << a + 1;
    for (int b = 0; b <= a; ++b) {
      const double g = (basis[a] * basis[b] * disk).sum() / npx;
      worst = std::max(worst, std::abs(g - (a == b ? 1.0 : 0.0)));
    }
  }
  EXPECT_LT(worst, 3e-2);
}

TEST(Mft, UnitaryOverOneAliasPeriodAndMatchesFft) {
  const int n = 33;
  const double dx = 1.0 / n, lam = 600e-9;
  ComplexImage e = random_field(n, 11);
  e /= std::sqrt(power(e));
  // Full alias period: n_out dx_out = lambda / dx.
  const Mft full({n, dx, n, lam / (n * dx), lam});
  EXPECT_NEAR(power(full(e)), 1.0, 1e-12);
  const int pad = 3;
  const FftPropagator fft(n, dx, lam, pad);
  ComplexImage ef;
  fft.forward(e, ef);
  const Mft m({n, dx, n * pad, fft.pixel_scale_out(), lam});
  EXPECT_LT((m(e) - ef).abs().maxCoeff(), 1e-12);
  EXPECT_NEAR(power(ef), 1.0, 1e-12);
}

TEST(Mft, AiryPatternOfAHardCircle) {
  // Unit-power hard circular pupil: |E(alpha)|^2 = I0 (2 J1(v)/v)^2, v = pi D alpha / lambda,
  // I0 = A (dx_out / lambda)^2 with A the discretised area and D = 2 sqrt(A / pi).
  const int n = 512, nout = 32;
  const double diam = 1.0, lam = 500e-9, dout = lam / (4 * diam);
  const Coords c = pixel_coords(n, diam);
  const RealImage t = hard_mask(Shape::circle(0.5 * diam), c);
  ComplexImage e = t.cast<Complex>();
  e /= std::sqrt(power(e));
  const ComplexImage out = Mft({n, diam / n, nout, dout, lam})(e);
  const double area = t.sum() * (diam / n) * (diam / n);
  const double d_eff = 2 * std::sqrt(area / pi), i0 = area * (dout / lam) * (dout / lam);
  double worst = 0;
  for (int i = 0; i < nout; ++i) {
    for (int j = 0; j < nout; ++j) {
      const double ax = (j - 0.5 * (nout - 1)) * dout, ay = (i - 0.5 * (nout - 1)) * dout;
      const double v = pi * d_eff * std::hypot(ax, ay) / lam;
      const double airy = i0 * std::pow(2 * std::cyl_bessel_j(1.0, v) / v, 2);
      worst = std::max(worst, std::abs(std::norm(out(i, j)) - airy) / i0);
    }
  }
  EXPECT_LT(worst, 1e-3);
}

TEST(Mft, TiltMovesThePsfToPlusTheta) {
  const int n = 64, nout = 15;
  const double lam = 600e-9, dout = lam / 2.0;
  ComplexImage e = ComplexImage::Constant(n, n, Complex(1.0 / n));
  ComplexImage tilted;
  tilt(e, lam, 1.0 / n, 3 * dout, -2 * dout, tilted);
  const RealImage psf = Mft({n, 1.0 / n, nout, dout, lam})(tilted).abs2();
  Eigen::Index r, col;
  psf.maxCoeff(&r, &col);
  EXPECT_EQ(col, 7 + 3);
  EXPECT_EQ(r, 7 - 2);
}

TEST(Errors, BadInputsNameTheField) {
  auto msg = [](auto&& f) {
    try {
      f();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no throw");
  };
  EXPECT_NE(msg([] { (void)make_wavefront(-1e-9, 8, 1.0); }).find("wavelength"), std::string::npos);
  EXPECT_NE(msg([] { (void)make_wavefront(1e-6, 8, 0.0); }).find("diameter"), std::string::npos);
  EXPECT_NE(msg([] {
              (void)Mft({8, 0.1, 8, -1.0, 1e-6});
            }).find("pixel_scale_out"),
            std::string::npos);
  EXPECT_NE(msg([] { (void)noll_to_nm(0); }).find("noll"), std::string::npos);
  EXPECT_NE(msg([] {
              BasisOptic b({RealImage::Ones(4, 4)}, std::nullopt, RealVector::Zero(2));
            }).find("coefficients"),
            std::string::npos);
  EXPECT_NE(msg([] { AngularOpticalSystem s(16, 1.0, {}, 8, 0.0); }).find("psf_pixel_scale"),
            std::string::npos);
  EXPECT_NE(msg([] { AngularOpticalSystem s(16, -1.0, {}, 8, 0.1); }).find("diameter"),
            std::string::npos);
}

}  // namespace
}  // namespace airy::optics

namespace airy::optics {
namespace {

TEST(Systems, CartesianUsesTheFocalLength) {
  // A Cartesian system with pixel p (m) at focal length f equals an angular one with p/f rad.
  const double f = 20.0, p = 4e-6;
  auto layer =
      std::make_shared<TransmissiveLayer>(aperture_transmission({Shape::circle(0.5)}, 32, 1.0, 3));
  const CartesianOpticalSystem cart(32, 1.0, {{"aperture", layer}}, f, 12, p);
  const AngularOpticalSystem ang(32, 1.0, {{"aperture", layer}}, 12, p / f / 4.84813681109536e-6);
  const RealVector wl = RealVector::Constant(1, 600e-9), w = RealVector::Ones(1);
  const RealImage a = cart.psf(wl, w), b = ang.psf(wl, w);
  EXPECT_LT((a - b).abs().maxCoeff(), 1e-9 * b.maxCoeff());
  EXPECT_GT(b.sum(), 0.5);
}

TEST(Systems, OversampledOutputIsNotBinned) {
  auto layer =
      std::make_shared<TransmissiveLayer>(aperture_transmission({Shape::circle(0.5)}, 32, 1.0, 1));
  const AngularOpticalSystem s(32, 1.0, {{"aperture", layer}}, 8, 0.05, 3);
  EXPECT_EQ(s.output_npixels(), 24);
  EXPECT_EQ(s.psf(RealVector::Constant(1, 6e-7), RealVector::Ones(1)).rows(), 24);
}

// The engine's symmetric-pair products (pupil rows / columns j and n-1-j) for odd n and n not
// divisible by 4: forward against tilt + Mft of the layer output, pullback against central
// differences.
TEST(PsfEngine, OddAndUnalignedPupilSizes) {
  for (const int n : {31, 30}) {
    const Coords c = pixel_coords(n, 1.0);
    RealVector coef(2);
    coef << 30e-9, -20e-9;
    auto optic = std::make_shared<BasisOptic>(
        zernike_basis({5, 7}, c, 1.0),
        aperture_transmission({Shape::circle(0.5), Shape::spider(0.05, {30.0})}, n, 1.0, 3), coef,
        true);
    auto sys = std::make_shared<AngularOpticalSystem>(n, 1.0, std::vector<NamedLayer>{{"a", optic}},
                                                      7, 0.08, 1);
    const RealVector wl = RealVector::Constant(1, 600e-9);
    const PsfEngine engine(sys, wl, 2);
    RealMatrix pos(2, 2), amp(2, 1);
    pos << 2e-7, -1e-7, -1.5e-7, 3e-7;
    amp << 1.0, 0.7;
    RealVector v = sys->values();
    auto render = [&](const RealVector& params, const RealMatrix& ps) {
      auto ws = engine.make_workspace();
      RealImage psf;
      engine.forward(std::span<const double>(params.data(), params.size()), ps, amp, *ws, psf);
      return psf;
    };
    // Forward reference.
    auto lws = optic->make_workspace(n, 1);
    const std::span<const double> vp(v.data(), v.size());
    const ComplexImage in = ComplexImage::Constant(n, n, Complex(1.0 / (double(n) * n)));
    ComplexImage pupil, tilted;
    optic->set_needs(LayerNeeds{}, *lws);
    static_cast<const Layer&>(*optic).prepare(vp, *lws);
    optic->forward(vp, wl[0], 1.0 / n, 0, in, pupil, *lws);
    RealImage ref = RealImage::Zero(7, 7);
    for (int s = 0; s < 2; ++s) {
      tilt(pupil, wl[0], 1.0 / n, pos(s, 0), pos(s, 1), tilted);
      ref += amp(s, 0) * engine.mft(0)(tilted).abs2();
    }
    const RealImage psf = render(v, pos);
    EXPECT_LE((psf - ref).abs().maxCoeff(), 1e-12 * ref.maxCoeff()) << "n = " << n;
    // Pullback against central differences of L = sum(bar psf).
    const RealImage bar = random_field(7, 11).real();
    auto ws = engine.make_workspace();
    RealImage out;
    engine.forward(vp, pos, amp, *ws, out);
    RealVector g(v.size());
    RealMatrix pb, ab;
    engine.pullback(vp, bar, *ws, std::span<double>(g.data(), g.size()), pb, ab);
    for (int i = 0; i < 2; ++i) {
      const double h = 1e-12;
      RealVector a = v, b = v;
      a[i] += h;
      b[i] -= h;
      const double fd = ((bar * render(a, pos)).sum() - (bar * render(b, pos)).sum()) / (2 * h);
      EXPECT_NEAR(g[i], fd, 1e-5 * std::abs(fd) + 1e-9) << "n = " << n << " coefficient " << i;
    }
    for (int s = 0; s < 2; ++s) {
      for (int d = 0; d < 2; ++d) {
        const double h = 1e-10;
        RealMatrix a = pos, b = pos;
        a(s, d) += h;
        b(s, d) -= h;
        const double fd = ((bar * render(v, a)).sum() - (bar * render(v, b)).sum()) / (2 * h);
        EXPECT_NEAR(pb(s, d), fd, 1e-5 * std::abs(fd) + 1e-9) << "n = " << n << " star " << s;
      }
    }
  }
}

// PsfEngine::set_needs: with the transmission's cotangent not needed, a normalised Optic and
// BasisOptic take the compact fast path; values and the needed cotangents must match the
// general path (every cotangent) to rounding, for two chained layers as well.
TEST(PsfEngine, FastPathMatchesTheGeneralPath) {
  const int n = 32;
  const RealImage t =
      aperture_transmission({Shape::circle(0.5), Shape::spider(0.05, {30.0})}, n, 1.0, 3);
  const RealImage opd = random_field(n, 7).real() * 30e-9;
  const Coords c = pixel_coords(n, 1.0);
  RealVector coef(3);
  coef << 20e-9, -10e-9, 15e-9;
  for (const bool chain : {false, true}) {
    std::vector<NamedLayer> layers{{"a", std::make_shared<Optic>(t, opd, true)}};
    if (chain) {
      layers.push_back({"b", std::make_shared<BasisOptic>(zernike_basis({4, 5, 6}, c, 1.0),
                                                          RealImage(t.sqrt()), coef, true)});
    }
    auto sys = std::make_shared<AngularOpticalSystem>(n, 1.0, layers, 8, 0.1, 1);
    RealVector wl(2);
    wl << 500e-9, 650e-9;
    const PsfEngine engine(sys, wl, 2);
    auto ws_all = engine.make_workspace();
    auto ws_fast = engine.make_workspace();
    const RealVector v = sys->values();
    const int nn = n * n;
    // Layer a: [transmission | opd]; layer b: [coefficients | transmission].
    std::vector<bool> needed(static_cast<std::size_t>(v.size()), false);
    for (int i = nn; i < 2 * nn; ++i) needed[static_cast<std::size_t>(i)] = true;
    if (chain)
      for (int i = 0; i < 3; ++i) needed[static_cast<std::size_t>(2 * nn + i)] = true;
    engine.set_needs(needed, *ws_fast);
    RealMatrix pos(2, 2), amp(2, 2);
    pos << 1e-7, -2e-7, -3e-7, 0.5e-7;
    amp << 1.0, 2.0, 0.5, 1.5;
    const std::span<const double> params(v.data(), static_cast<std::size_t>(v.size()));
    RealImage psf_all, psf_fast;
    engine.forward(params, pos, amp, *ws_all, psf_all);
    engine.forward(params, pos, amp, *ws_fast, psf_fast);
    EXPECT_LE((psf_all - psf_fast).abs().maxCoeff(), 1e-12 * psf_all.maxCoeff());
    RealImage bar = random_field(8, 3).real();
    RealVector g_all(v.size()), g_fast(v.size());
    RealMatrix pb_all, pb_fast, ab_all, ab_fast;
    engine.pullback(params, bar, *ws_all, std::span<double>(g_all.data(), g_all.size()), pb_all,
                    ab_all);
    engine.pullback(params, bar, *ws_fast, std::span<double>(g_fast.data(), g_fast.size()), pb_fast,
                    ab_fast);
    double scale = 0.0;
    for (std::size_t i = 0; i < needed.size(); ++i) {
      if (needed[i]) scale = std::max(scale, std::abs(g_all[static_cast<Eigen::Index>(i)]));
    }
    for (std::size_t i = 0; i < needed.size(); ++i) {
      if (!needed[i]) continue;
      const auto e = static_cast<Eigen::Index>(i);
      EXPECT_NEAR(g_fast[e], g_all[e], 1e-11 * scale) << "chain " << chain << " entry " << i;
    }
    EXPECT_LE((pb_all - pb_fast).cwiseAbs().maxCoeff(), 1e-12 * pb_all.cwiseAbs().maxCoeff());
    EXPECT_LE((ab_all - ab_fast).cwiseAbs().maxCoeff(), 1e-12 * ab_all.cwiseAbs().maxCoeff());
  }
}

}  // namespace
}  // namespace airy::optics

#include "optics/fast_sincos.hpp"

namespace airy::optics {
namespace {

TEST(FastSinCos, AgreesWithTheStandardLibrary) {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(-300.0, 300.0);
  std::vector<double> x(4000), s(4000), c(4000);
  for (auto& v : x) v = u(rng);
  x[0] = 0.0;
  x[1] = std::numbers::pi / 2;
  x[2] = -std::numbers::pi;
  detail::sincos_array(x.data(), s.data(), c.data(), x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    EXPECT_NEAR(s[i], std::sin(x[i]), 4e-16) << x[i];
    EXPECT_NEAR(c[i], std::cos(x[i]), 4e-16) << x[i];
  }
  std::vector<double> big{1e7, -3e8};
  detail::sincos_array(big.data(), s.data(), c.data(), 2);
  EXPECT_EQ(s[0], std::sin(1e7));
  EXPECT_EQ(c[1], std::cos(-3e8));
}

}  // namespace
}  // namespace airy::optics
