// SPDX-License-Identifier: BSD-3-Clause
// One PSF for exposures dithered by whole pixels (model::SharedPsf, issue #11 §5): each
// member's window of the enlarged PSF, through its own flux scale and detector, equals its own
// render to 1e-12 of the peak; the summed window cotangents pulled back once equal the sum of
// the members' own pullbacks, and match finite differences; non-qualifying exposures are told
// apart.
#include "airy/model/shared_psf.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "airy/core/error.hpp"
#include "airy/detector/detector_layers.hpp"
#include "airy/model/builder.hpp"
#include "airy/model/telescope_impl.hpp"
#include "airy/sources/point_source.hpp"

namespace airy::model {
namespace {

constexpr int kPsf = 20, kOversample = 2;
constexpr double kPixel = 0.03;  // arcsec per detector pixel
constexpr double kOut = kPixel / kOversample;

struct Scene {
  std::shared_ptr<const optics::OpticalSystem> system;
  std::shared_ptr<const sources::Source> source;
};

Scene scene() {
  FlagshipOptions o;
  o.wf_npixels = 32;
  o.psf_npixels = kPsf;
  o.psf_pixel_scale = kPixel;
  o.oversample = kOversample;
  o.coefficients = RealVector::LinSpaced(7, -15e-9, 20e-9);
  RealMatrix pos(3, 2);
  pos << 0.05, -0.04, -0.1, 0.08, 0.12, 0.11;
  RealVector flux(3);
  flux << 1e4, 2e4, 5e3;
  RealVector wl(2);
  wl << 550e-9, 640e-9;
  return {flagship_telescope(o).impl().system_ptr(),
          std::make_shared<sources::PointSources>(sources::Spectrum(wl), pos, flux)};
}

/// Member with dither (kx, ky) output pixels relative to (0.01, -0.02) arcsec, its own flux
/// scale, flat field and background.
Telescope member(const Scene& s, int kx, int ky, double flux_scale, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0.9, 1.1);
  RealImage flat(kPsf * kOversample, kPsf * kOversample);
  for (Eigen::Index i = 0; i < flat.size(); ++i) flat.data()[i] = u(gen);
  return TelescopeBuilder()
      .optics(s.system)
      .source(s.source)
      .detector_layer("pixel_response", std::make_shared<detector::PixelResponse>(flat))
      .detector_layer("background", std::make_shared<detector::Background>(2.0 + seed))
      .exposure({0.01 + kx * kOut, -0.02 + ky * kOut, flux_scale})
      .build();
}

const std::vector<std::string> kMemberPaths = {"source.positions",
                                               "source.fluxes",
                                               "optics.aperture.coefficients",
                                               "detector.pixel_response.map",
                                               "detector.background.value",
                                               "exposure.flux_scale"};
const std::vector<std::string> kWidePaths = {"source.positions", "source.fluxes",
                                             "optics.aperture.coefficients"};

std::vector<Telescope> members(const Scene& s) {
  return {member(s, 0, 0, 1.0, 1), member(s, 1, 0, 1.2, 2), member(s, 0, -2, 0.8, 3),
          member(s, 3, 1, 1.1, 4)};
}

TEST(SharedPsf, WindowsEqualTheMembersOwnRenders) {
  const Scene s = scene();
  const std::vector<Telescope> m = members(s);
  const SharedPsf shared(m);
  EXPECT_EQ(shared.pad(), 4);  // range 3 output px -> 2 detector px per side
  EXPECT_EQ(shared.wide().image_rows(), kPsf * kOversample + 8);
  const RealImage wide = shared.wide().model();
  for (int k = 0; k < 4; ++k) {
    const RealImage own = m[static_cast<std::size_t>(k)].model();
    const ParameterSet set = m[static_cast<std::size_t>(k)].bind(kMemberPaths);
    auto ws = m[static_cast<std::size_t>(k)].make_detector_workspace(set);
    const RealVector x = m[static_cast<std::size_t>(k)].values(set);
    RealImage image;
    m[static_cast<std::size_t>(k)].render_detector(set, std::span<const double>(x.data(), x.size()),
                                                   wide, shared.row0(k), shared.col0(k), *ws,
                                                   image);
    const double err = (image - own).abs().maxCoeff();
    EXPECT_LT(err, 1e-12 * own.maxCoeff()) << "member " << k;
    EXPECT_GT(own.maxCoeff(), 100.0);
  }
  // The windows really move: member 1's differs from member 0's.
  EXPECT_GT((m[0].model() - m[1].model()).abs().maxCoeff(), 1.0);
}

/// L = sum_k <w_k, image_k> through the shared PSF, with its gradient: the wide set's
/// coordinates first, then each member's set.
double shared_loss(const SharedPsf& shared, const std::vector<Telescope>& m,
                   const std::vector<RealVector>& xm, const RealVector& xw,
                   const std::vector<RealImage>& w, RealVector* gw, std::vector<RealVector>* gm) {
  const ParameterSet wset = shared.wide().bind(kWidePaths);
  auto wws = shared.wide().make_workspace(wset);
  RealImage psf, psf_bar;
  shared.wide().render(wset, std::span<const double>(xw.data(), xw.size()), *wws, psf);
  psf_bar.setZero(psf.rows(), psf.cols());
  double loss = 0.0;
  for (std::size_t k = 0; k < m.size(); ++k) {
    const ParameterSet set = m[k].bind(kMemberPaths);
    auto ws = m[k].make_detector_workspace(set);
    RealImage image;
    const int r0 = shared.row0(static_cast<int>(k)), c0 = shared.col0(static_cast<int>(k));
    m[k].render_detector(set, std::span<const double>(xm[k].data(), xm[k].size()), psf, r0, c0, *ws,
                         image);
    loss += (w[k] * image).sum();
    if (gm != nullptr) {
      (*gm)[k].resize(set.size());
      m[k].pullback_detector(set, w[k], *ws, std::span<double>((*gm)[k].data(), set.size()),
                             psf_bar, r0, c0);
    }
  }
  if (gw != nullptr) {
    gw->resize(wset.size());
    shared.wide().pullback(wset, psf_bar, *wws, std::span<double>(gw->data(), gw->size()));
  }
  return loss;
}

TEST(SharedPsf, PullbackEqualsTheMembersOwnAndFiniteDifferences) {
  const Scene s = scene();
  const std::vector<Telescope> m = members(s);
  const SharedPsf shared(m);
  std::mt19937 gen(9);
  std::normal_distribution<double> nd(0.0, 1.0);
  std::vector<RealImage> w;
  std::vector<RealVector> xm;
  for (const auto& t : m) {
    RealImage wk(t.image_rows(), t.image_cols());
    for (Eigen::Index i = 0; i < wk.size(); ++i) wk.data()[i] = nd(gen);
    w.push_back(wk);
    xm.push_back(t.values(t.bind(kMemberPaths)));
  }
  const RealVector xw = shared.wide().values(shared.wide().bind(kWidePaths));
  RealVector gw;
  std::vector<RealVector> gm(m.size());
  const double loss = shared_loss(shared, m, xm, xw, w, &gw, &gm);

  // Each member's own render + pullback: the same loss, and the sum of their source/optics
  // cotangents is the shared one; their detector and flux cotangents are the members'.
  double own_loss = 0.0;
  RealVector own_w = RealVector::Zero(gw.size());
  for (std::size_t k = 0; k < m.size(); ++k) {
    const ParameterSet set = m[k].bind(kMemberPaths);
    auto ws = m[k].make_workspace(set);
    RealImage image;
    m[k].render(set, std::span<const double>(xm[k].data(), xm[k].size()), *ws, image);
    own_loss += (w[k] * image).sum();
    RealVector g(set.size());
    m[k].pullback(set, w[k], *ws, std::span<double>(g.data(), g.size()));
    own_w += g.head(gw.size());  // the wide paths are the members' first three
    const RealVector tail = g.tail(g.size() - gw.size());
    const RealVector shared_tail = gm[k].tail(g.size() - gw.size());
    EXPECT_LT((tail - shared_tail).cwiseAbs().maxCoeff(), 1e-9 * tail.cwiseAbs().maxCoeff())
        << "member " << k;
    EXPECT_EQ(gm[k].head(gw.size()).cwiseAbs().maxCoeff(), 0.0);
  }
  EXPECT_NEAR(loss, own_loss, 1e-12 * std::abs(own_loss));
  for (Eigen::Index i = 0; i < gw.size(); ++i) {
    EXPECT_NEAR(gw[i], own_w[i], 1e-9 * own_w.cwiseAbs().maxCoeff()) << "wide coordinate " << i;
  }

  // Finite differences of the shared loss: a position, a flux, a Zernike coefficient, member
  // 2's flux scale and a flat-field pixel of member 3.
  auto fd_wide = [&](Eigen::Index i, double h) {
    RealVector p = xw, q = xw;
    p[i] += h;
    q[i] -= h;
    return (shared_loss(shared, m, xm, p, w, nullptr, nullptr) -
            shared_loss(shared, m, xm, q, w, nullptr, nullptr)) /
           (2 * h);
  };
  EXPECT_NEAR(gw[0], fd_wide(0, 1e-6), 1e-5 * std::abs(gw[0]));
  EXPECT_NEAR(gw[7], fd_wide(7, 1.0), 1e-5 * std::abs(gw[7]));
  EXPECT_NEAR(gw[10], fd_wide(10, 1e-11), 1e-5 * std::abs(gw[10]));
  auto fd_member = [&](std::size_t k, Eigen::Index i, double h) {
    auto p = xm, q = xm;
    p[k][i] += h;
    q[k][i] -= h;
    return (shared_loss(shared, m, p, xw, w, nullptr, nullptr) -
            shared_loss(shared, m, q, xw, w, nullptr, nullptr)) /
           (2 * h);
  };
  const Eigen::Index flux_scale = gm[2].size() - 1, pixel = 9 + 7 + 410;
  EXPECT_NEAR(gm[2][flux_scale], fd_member(2, flux_scale, 1e-6),
              1e-6 * std::abs(gm[2][flux_scale]));
  EXPECT_NEAR(gm[3][pixel], fd_member(3, pixel, 1e-6), 1e-6 * std::abs(gm[3][pixel]) + 1e-9);
}

TEST(SharedPsf, OnlyWholePixelDithersOfTheSameOpticsShare) {
  const Scene s = scene();
  const Telescope a = member(s, 0, 0, 1.0, 1);
  EXPECT_TRUE(shares_psf(a, member(s, -5, 7, 2.0, 2)));
  // Half a pixel.
  const Telescope half = TelescopeBuilder()
                             .optics(s.system)
                             .source(s.source)
                             .exposure({0.01 + 0.5 * kOut, -0.02, 1.0})
                             .build();
  EXPECT_FALSE(shares_psf(a, half));
  // Other optics values (a Zernike coefficient set on one telescope).
  const Telescope moved = a.set("optics.aperture.coefficients", RealVector::Zero(7));
  EXPECT_FALSE(shares_psf(a, moved));
  // Another source object, and no exposure component.
  const Scene other = scene();
  EXPECT_FALSE(shares_psf(a, member(other, 1, 0, 1.0, 2)));
  EXPECT_FALSE(shares_psf(a, TelescopeBuilder().optics(s.system).source(s.source).build()));
  EXPECT_THROW(SharedPsf({a, half}), InvalidArgument);
  // A detector-only workspace cannot render the PSF, and a window must lie inside it.
  const ParameterSet set = a.bind(kMemberPaths);
  auto ws = a.make_detector_workspace(set);
  const RealVector x = a.values(set);
  RealImage image;
  EXPECT_THROW(a.render(set, std::span<const double>(x.data(), x.size()), *ws, image),
               InvalidArgument);
  const RealImage small = RealImage::Zero(10, 10);
  EXPECT_THROW(
      a.render_detector(set, std::span<const double>(x.data(), x.size()), small, 0, 0, *ws, image),
      InvalidArgument);
}

}  // namespace
}  // namespace airy::model
