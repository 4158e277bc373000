// SPDX-License-Identifier: BSD-3-Clause
// Telescope-level tests: the dlux.md §13.1 reference numbers, parameter paths and errors,
// the even-Zernike sign-flip symmetry, gradients vs finite differences, and liveness.
#include "airy/model/telescope.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "airy/core/error.hpp"
#include "airy/detector/detector_layers.hpp"
#include "airy/model/builder.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/simple_layers.hpp"
#include "airy/sources/point_source.hpp"
#include "airy/testing/expect_vjp.hpp"

namespace airy::model {
namespace {

FlagshipOptions flagship_options() {
  FlagshipOptions o;
  o.coefficients = RealVector(7);
  o.coefficients << 20e-9, -15e-9, 10e-9, 25e-9, -5e-9, 12e-9, -18e-9;
  return o;
}

TEST(Flagship, ReproducesTheDluxRecipeReferenceNumbers) {
  FlagshipOptions o;
  o.spider = false;  // dlux.md §13.1: circle combined at 5x, zero aberrations, nλ = 5
  const RealImage img = flagship_telescope(o).model();
  ASSERT_EQ(img.rows(), 16);
  EXPECT_NEAR(img.sum(), 2877.8546, 2877.8546 * 1e-4);
  Eigen::Index r, c;
  EXPECT_NEAR(img.maxCoeff(&r, &c), 120.81462, 120.81462 * 1e-4);
  EXPECT_EQ(r, 7);
  EXPECT_EQ(c, 9);
}

TEST(Flagship, ParameterPathsAndErrors) {
  const Telescope t = flagship_telescope(flagship_options());
  EXPECT_DOUBLE_EQ(t.get("source.separation")[0], 0.1);
  EXPECT_EQ(t.get("optics.aperture.coefficients").size(), 7);
  const Telescope t2 = t.set("source.separation", RealVector::Constant(1, 0.2));
  EXPECT_DOUBLE_EQ(t2.get("source.separation")[0], 0.2);
  EXPECT_DOUBLE_EQ(t.get("source.separation")[0], 0.1);  // immutable original
  try {
    (void)t.get("source.seperation");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("source.separation"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)t.set("optics.aperture.coefficients", RealVector::Zero(3)), InvalidArgument);
  EXPECT_THROW((void)t.set("source.contrast", RealVector::Constant(1, NAN)), InvalidArgument);
  EXPECT_THROW((void)t.set("source.contrast", RealVector::Constant(1, -1.0)), InvalidArgument);
  EXPECT_THROW((void)t.bind({"source.x_position", "source.x_position"}), InvalidArgument);
  FlagshipOptions bad = flagship_options();
  bad.coefficients = RealVector::Zero(3);
  EXPECT_THROW((void)flagship_telescope(bad), InvalidArgument);
  const ParameterSet s = t.bind({"source.x_position", "optics.aperture.coefficients"});
  EXPECT_EQ(s.size(), 8);
  EXPECT_EQ(s.coordinate_names()[1], "optics.aperture.coefficients[1]");
}

// Even-n Zernikes are point-symmetric: negating them conjugates and point-reflects the pupil
// field of a point-symmetric pupil, which leaves |PSF|^2 unchanged. A single spider arm
// breaks the symmetry.
TEST(Flagship, EvenZernikeSignFlipIsInvisibleOnlyForSymmetricPupils) {
  for (bool spider : {false, true}) {
    FlagshipOptions o = flagship_options();
    o.spider = spider;
    o.noll = {4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    o.coefficients = RealVector(10);
    o.coefficients << 40e-9, -30e-9, 25e-9, 30e-9, -20e-9, 15e-9, -25e-9, 20e-9, 10e-9, -15e-9;
    o.source.x_position = 0.013;
    o.source.y_position = -0.021;
    const RealImage a = flagship_telescope(o).model();
    FlagshipOptions f = o;
    for (int k : {0, 1, 2, 7, 8, 9}) f.coefficients[k] = -f.coefficients[k];  // j=4,5,6,11,12,13
    const RealImage b = flagship_telescope(f).model();
    const double diff = (a - b).abs().maxCoeff() / a.maxCoeff();
    if (spider) {
      EXPECT_GT(diff, 1e-3);
    } else {
      EXPECT_LT(diff, 1e-12);
    }
  }
}

double fd_step(const ParameterInfo& p, const RealVector& x) {
  if (p.unit == "photons") return 1e-4 * std::max(1.0, x.cwiseAbs().maxCoeff());
  if (p.unit == "arcsec") return 1e-5;
  if (p.unit == "deg") return 1e-4;
  if (p.unit == "m") return 1e-11;
  if (p.unit == "rad") return 1e-10;
  return 1e-5;
}

Telescope full_telescope() {
  FlagshipOptions o = flagship_options();
  o.jitter_sigma = 0.7;
  o.pixel_response = true;
  o.background = 3.0;
  return flagship_telescope(o);
}

// The other layer and source types: aperture + tilt + OPD map, a PointSource with a linear
// flux, oversampled output, Downsample, dLux jitter and saturation.
Telescope other_telescope() {
  const int n = 32;
  const optics::Coords c = optics::pixel_coords(n, 1.0);
  std::vector<optics::NamedLayer> layers{
      {"aperture",
       optics::aperture_layer({optics::Shape::circle(0.5), optics::Shape::spider(0.04, {45.0})}, n,
                              1.0, 3, true)},
      {"tilt", std::make_shared<optics::TiltLayer>(1e-7, -0.5e-7)},
      {"wfe", std::make_shared<optics::Optic>(std::nullopt, RealImage(40e-9 * c.x * c.y), false)}};
  auto sys = std::make_shared<optics::AngularOpticalSystem>(n, 1.0, std::move(layers), 8, 0.1, 2);
  RealVector wl(2), w(2);
  wl << 550e-9, 650e-9;
  w << 1.0, 2.0;
  auto src = std::make_shared<sources::PointSource>(sources::Spectrum(wl, w), 0.02, -0.03, 1000.0,
                                                    sources::PointSource::FluxParameter::kFlux);
  const Telescope probe = TelescopeBuilder().optics(sys).source(src).build();
  const double peak = probe.model().maxCoeff() * 4;
  return TelescopeBuilder()
      .optics(sys)
      .source(src)
      .detector_layer("downsample", std::make_shared<detector::Downsample>(2))
      .detector_layer("jitter", std::make_shared<detector::DluxJitter>(0.8, 5, 3))
      .detector_layer("saturation", std::make_shared<detector::Saturation>(0.37 * peak))
      .exposure({0.013, -0.021, 1.3})  // one exposure of a multi-exposure fit
      .build();
}

// Every parameter path: directional derivative of L = <W, image> along a random direction
// by a 4th-order central difference equals the pullback to 1e-6 relative.
TEST(Gradients, EveryPathMatchesFiniteDifferences) {
  for (const Telescope& t : {full_telescope(), other_telescope()}) {
    const int rows = t.image_rows(), cols = t.image_cols();
    const RealImage w = testing::unflatten_real(testing::random_normal(rows * cols, 5), rows, cols);
    for (const ParameterInfo& p : t.parameters()) {
      const ParameterSet set = t.bind({p.path});
      auto ws = t.make_workspace(set);
      const RealVector x0 = t.values(set);
      RealImage img;
      auto loss = [&](const RealVector& x) {
        t.render(set, std::span<const double>(x.data(), x.size()), *ws, img);
        return (img * w).sum();
      };
      (void)loss(x0);
      RealVector g(set.size());
      t.pullback(set, w, *ws, std::span<double>(g.data(), g.size()));
      const RealVector v = testing::random_normal(set.size(), 9);
      const double h = fd_step(p, x0);
      const double fd = (-loss(x0 + 2 * h * v) + 8 * loss(x0 + h * v) - 8 * loss(x0 - h * v) +
                         loss(x0 - 2 * h * v)) /
                        (12 * h);
      const double an = g.dot(v);
      EXPECT_NEAR(an, fd, 1e-6 * std::max(std::abs(fd), 1e-300)) << p.path;
      if (std::getenv("AIRY_VERBOSE"))
        std::printf("%s %.12e %.12e %.2e\n", p.path.c_str(), an, fd,
                    std::abs(an - fd) / std::abs(fd));
      // Liveness: the parameter changes the image and gets a non-zero gradient.
      EXPECT_GT(g.cwiseAbs().maxCoeff(), 0.0) << p.path;
      const RealImage base = t.model();
      (void)loss(x0 + 1000 * h * v);
      EXPECT_GT((img - base).abs().maxCoeff(), 1e-9 * base.abs().maxCoeff()) << p.path;
    }
  }
}

// The exposure component is dLux's Dither: the dither is added to every star's position, and
// the flux scale multiplies the photons; a telescope without it has no exposure.* paths.
TEST(Exposure, DitherAndFluxScaleEqualMovedBrighterStars) {
  const Telescope plain = full_telescope();
  for (const auto& p : plain.parameters()) EXPECT_NE(p.path.rfind("exposure.", 0), 0u) << p.path;
  FlagshipOptions o = flagship_options();
  o.source.x_position = 0.011;
  o.source.y_position = -0.02;
  o.source.log_flux = 3.5 + std::log10(1.7);
  const RealImage moved = flagship_telescope(o).model();
  const Telescope base = flagship_telescope(flagship_options());
  const Telescope exposed = make_telescope(base.impl().system_ptr(), base.impl().source_ptr(), {},
                                           ExposureSettings{0.011, -0.02, 1.7});
  const RealImage dithered = exposed.model();
  EXPECT_LT((dithered - moved).abs().maxCoeff(), 1e-12 * moved.maxCoeff());
  EXPECT_DOUBLE_EQ(exposed.get("exposure.dither")[1], -0.02);
  EXPECT_DOUBLE_EQ(exposed.get("exposure.flux_scale")[0], 1.7);
  EXPECT_THROW((void)exposed.set("exposure.flux_scale", RealVector::Constant(1, 0.0)),
               InvalidArgument);
  EXPECT_THROW((void)make_telescope(base.impl().system_ptr(), base.impl().source_ptr(), {},
                                    ExposureSettings{0.0, 0.0, -1.0}),
               InvalidArgument);
}

TEST(Gradients, ForwardValueIsTheSameWithAndWithoutGradient) {
  const Telescope t = full_telescope();
  const ParameterSet set = t.bind({"source.separation", "optics.aperture.coefficients"});
  auto ws = t.make_workspace(set);
  const RealVector x = t.values(set);
  RealImage a, b;
  t.render(set, std::span<const double>(x.data(), x.size()), *ws, a);
  RealVector g(set.size());
  t.pullback(set, a, *ws, std::span<double>(g.data(), g.size()));
  t.render(set, std::span<const double>(x.data(), x.size()), *ws, b);
  EXPECT_EQ((a - b).abs().maxCoeff(), 0.0);
  EXPECT_EQ((a - t.model()).abs().maxCoeff(), 0.0);
}

// With the aperture transmission not bound, the BasisOptic runs its fast path (compact pixel
// list, no normalise / projection work); binding the transmission as well forces the general
// path. Image and shared cotangents must agree to rounding.
TEST(FastPath, FixedTransmissionMatchesTheGeneralPath) {
  for (const bool spider : {true, false}) {
    FlagshipOptions o = flagship_options();
    o.spider = spider;
    const Telescope t = flagship_telescope(o);
    const std::vector<std::string> paths{
        "source.x_position",           "source.y_position", "source.separation",
        "source.position_angle",       "source.log_flux",   "source.contrast",
        "optics.aperture.coefficients"};
    std::vector<std::string> all = paths;
    all.push_back("optics.aperture.transmission");
    const ParameterSet fast = t.bind(paths), full = t.bind(all);
    auto ws_fast = t.make_workspace(fast);
    auto ws_full = t.make_workspace(full);
    const RealVector xf = t.values(fast), xa = t.values(full);
    RealImage img_fast, img_full;
    RealImage bar(16, 16);
    for (Eigen::Index i = 0; i < bar.size(); ++i) bar.data()[i] = std::sin(0.37 * double(i)) + 0.2;
    RealVector gf(fast.size()), ga(full.size());
    for (int rep = 0; rep < 2; ++rep) {  // the second pass reuses the cached compact arrays
      t.render(fast, std::span<const double>(xf.data(), xf.size()), *ws_fast, img_fast);
      t.pullback(fast, bar, *ws_fast, std::span<double>(gf.data(), gf.size()));
      t.render(full, std::span<const double>(xa.data(), xa.size()), *ws_full, img_full);
      t.pullback(full, bar, *ws_full, std::span<double>(ga.data(), ga.size()));
      const double peak = img_full.abs().maxCoeff();
      EXPECT_LE((img_fast - img_full).abs().maxCoeff(), 1e-12 * peak);
      for (Eigen::Index i = 0; i < gf.size(); ++i) {
        EXPECT_NEAR(gf[i], ga[i], 1e-12 * (std::abs(ga[i]) + 1e-12 * ga.head(gf.size()).norm()))
            << "coordinate " << i;
      }
    }
    // A workspace reused with another ParameterSet of the same size re-declares its needs.
    const ParameterSet swapped = t.bind(
        {"optics.aperture.coefficients", "source.x_position", "source.y_position",
         "source.separation", "source.position_angle", "source.log_flux", "source.contrast"});
    RealVector xs = t.values(swapped), gs(swapped.size());
    t.render(swapped, std::span<const double>(xs.data(), xs.size()), *ws_fast, img_full);
    t.pullback(swapped, bar, *ws_fast, std::span<double>(gs.data(), gs.size()));
    for (Eigen::Index i = 0; i < 7; ++i)
      EXPECT_NEAR(gs[i], gf[6 + i], 1e-12 * std::abs(gf[6 + i]) + 1e-30);
  }
}

}  // namespace
}  // namespace airy::model
