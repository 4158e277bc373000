// SPDX-License-Identifier: BSD-3-Clause
// Every differentiable op of optics, sources and detector in one registry, each checked by
// airy::testing::expect_vjp (finite differences, adjoint identity, pullback linearity,
// forward agreement). A new op type must be added to kAllKinds and to the registry.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>

#include "airy/detector/detector_layers.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/fft.hpp"
#include "airy/optics/mft.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/psf_engine.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/simple_layers.hpp"
#include "airy/optics/wavefront.hpp"
#include "airy/optics/zernike.hpp"
#include "airy/sources/binary_source.hpp"
#include "airy/sources/point_source.hpp"
#include "airy/testing/expect_vjp.hpp"

namespace airy {
namespace {

using testing::flatten;
using testing::random_normal;
using testing::unflatten;
using testing::VjpOp;
using testing::VjpOptions;

struct Entry {
  VjpOp op;
  RealVector x;
  VjpOptions options;
};

constexpr double kLam = 600e-9;

ComplexImage field(int n, std::uint64_t seed) {
  return unflatten(random_normal(2 * n * n, seed), n, n);
}

// x = [layer params, field re/im] -> output field.
Entry layer_entry(std::string name, std::shared_ptr<const optics::Layer> layer, int n,
                  RealVector param_scale = {}) {
  const int np = static_cast<int>(layer->values().size());
  const int nout = layer->output_npixels(n);
  const double ps = 1.0 / n;
  auto run = [layer, n, np, nout, ps](const RealVector& x, const RealVector* ybar) {
    auto ws = layer->make_workspace(n, 1);
    const std::span<const double> p(x.data(), np);
    const ComplexImage in = unflatten(x.tail(2 * n * n), n, n);
    ComplexImage out;
    layer->prepare(p, *ws);
    layer->forward(p, kLam, ps, 0, in, out, *ws);
    if (!ybar) return flatten(out);
    RealVector pbar = RealVector::Zero(np);
    ComplexImage in_bar;
    layer->pullback(p, kLam, ps, 0, in, out, unflatten(*ybar, nout, nout), in_bar,
                    std::span<double>(pbar.data(), np), *ws);
    layer->finish_pullback(p, std::span<double>(pbar.data(), np), *ws);
    RealVector r(np + 2 * n * n);
    r << pbar, flatten(in_bar);
    return r;
  };
  Entry e;
  e.op.name = std::move(name);
  e.op.forward = [run](const RealVector& x) { return run(x, nullptr); };
  e.op.pullback = [run](const RealVector& x, const RealVector& yb) { return run(x, &yb); };
  e.x.resize(np + 2 * n * n);
  e.x << layer->values(), flatten(field(n, 3));
  e.op.direction_scale = RealVector::Ones(e.x.size());
  if (param_scale.size() == np) e.op.direction_scale.head(np) = param_scale;
  return e;
}

// x = [layer params, image] -> output image.
Entry detector_entry(std::string name, std::shared_ptr<const detector::DetectorLayer> layer,
                     int rows, int cols, RealImage image) {
  const int np = static_cast<int>(layer->values().size());
  const int ro = layer->output_rows(rows), co = layer->output_cols(cols);
  auto run = [layer, rows, cols, np, ro, co](const RealVector& x, const RealVector* ybar) {
    auto ws = layer->make_workspace(rows, cols);
    const std::span<const double> p(x.data(), np);
    const RealImage in = testing::unflatten_real(x.tail(rows * cols), rows, cols);
    RealImage out;
    layer->forward(p, in, out, *ws);
    if (!ybar) return flatten(out);
    RealVector pbar = RealVector::Zero(np);
    RealImage in_bar;
    layer->pullback(p, in, out, testing::unflatten_real(*ybar, ro, co), in_bar,
                    std::span<double>(pbar.data(), np), *ws);
    RealVector r(np + rows * cols);
    r << pbar, flatten(in_bar);
    return r;
  };
  Entry e;
  e.op.name = std::move(name);
  e.op.forward = [run](const RealVector& x) { return run(x, nullptr); };
  e.op.pullback = [run](const RealVector& x, const RealVector& yb) { return run(x, &yb); };
  e.x.resize(np + rows * cols);
  e.x << layer->values(), flatten(image);
  return e;
}

// x = source params -> [positions (rad, scaled by 1e6), amplitudes].
Entry source_entry(std::string name, std::shared_ptr<const sources::Source> src) {
  auto run = [src](const RealVector& x, const RealVector* ybar) {
    RealMatrix pos, amp;
    src->forward(std::span<const double>(x.data(), x.size()), pos, amp);
    const Eigen::Index np = pos.size(), na = amp.size();
    if (!ybar) {
      RealVector y(np + na);
      y << Eigen::Map<const RealVector>(pos.data(), np) * 1e6,
          Eigen::Map<const RealVector>(amp.data(), na);
      return y;
    }
    RealMatrix pb = Eigen::Map<const RealMatrix>(ybar->data(), pos.rows(), pos.cols()) * 1e6;
    RealMatrix ab = Eigen::Map<const RealMatrix>(ybar->data() + np, amp.rows(), amp.cols());
    RealVector g = RealVector::Zero(x.size());
    src->pullback(std::span<const double>(x.data(), x.size()), pb, ab,
                  std::span<double>(g.data(), g.size()));
    return g;
  };
  Entry e;
  e.op.name = std::move(name);
  e.op.forward = [run](const RealVector& x) { return run(x, nullptr); };
  e.op.pullback = [run](const RealVector& x, const RealVector& yb) { return run(x, &yb); };
  e.x = src->values();
  return e;
}

// Plain complex-linear ops on one field.
Entry field_entry(std::string name, int n, int nout,
                  std::function<ComplexImage(const ComplexImage&)> f,
                  std::function<ComplexImage(const ComplexImage&)> adj) {
  Entry e;
  e.op.name = std::move(name);
  e.op.forward = [f, n](const RealVector& x) { return flatten(f(unflatten(x, n, n))); };
  e.op.pullback = [adj, nout](const RealVector&, const RealVector& yb) {
    return flatten(adj(unflatten(yb, nout, nout)));
  };
  e.x = flatten(field(n, 5));
  return e;
}

std::vector<Entry> registry() {
  std::vector<Entry> r;
  const int n = 8;
  // --- wavefront ops
  r.push_back(field_entry(
      "normalise", n, n,
      [](const ComplexImage& e) {
        ComplexImage o;
        optics::normalise(e, o);
        return o;
      },
      nullptr));
  r.back().op.pullback = [n](const RealVector& x, const RealVector& yb) {
    const ComplexImage e = unflatten(x, n, n);
    ComplexImage o, eb;
    optics::normalise(e, o);
    optics::normalise_pullback(e, o, unflatten(yb, n, n), eb);
    return flatten(eb);
  };
  r.push_back(field_entry(
      "flip_y", n, n, [](auto& e) { return optics::flip(e, 0); },
      [](auto& e) { return optics::flip(e, 0); }));
  r.push_back(field_entry(
      "flip_x", n, n, [](auto& e) { return optics::flip(e, 1); },
      [](auto& e) { return optics::flip(e, 1); }));
  r.push_back(field_entry(
      "resize_pad", n, n + 4, [](auto& e) { return optics::resize(e, 12); },
      [](auto& e) { return optics::resize(e, 8); }));
  r.push_back(field_entry(
      "resize_crop", n, n - 2, [](auto& e) { return optics::resize(e, 6); },
      [](auto& e) { return optics::resize(e, 8); }));
  r.push_back(field_entry(
      "rotate90", n, n, [](auto& e) { return optics::rotate90(e, 1); },
      [](auto& e) { return optics::rotate90(e, -1); }));
  r.push_back(field_entry(
      "rotate_bilinear", n, n, [](auto& e) { return optics::rotate(e, 0.3); },
      [](auto& e) { return optics::rotate_pullback(e, 0.3); }));
  auto mft =
      std::make_shared<optics::Mft>(optics::MftSpec{n, 1.0 / n, 6, 2e-7, kLam, 0, 0.3, -0.2});
  r.push_back(field_entry(
      "mft", n, 6, [mft](auto& e) { return (*mft)(e); },
      [mft](auto& e) {
        ComplexImage o;
        ComplexMatrix t;
        mft->pullback(e, o, t);
        return o;
      }));
  auto fft = std::make_shared<optics::FftPropagator>(n, 1.0 / n, kLam, 2);
  r.push_back(field_entry(
      "fft", n, 2 * n,
      [fft](auto& e) {
        ComplexImage o;
        fft->forward(e, o);
        return o;
      },
      [fft](auto& e) {
        ComplexImage o;
        fft->pullback(e, o);
        return o;
      }));
  // --- optical layers
  const optics::Coords c = optics::pixel_coords(n, 1.0);
  const RealImage t =
      optics::soft_aperture_transmission({optics::Shape::circle(0.45)}, n, 1.0, 1.0) + 0.1;
  const auto basis = optics::zernike_basis({2, 4, 7}, c, 1.0);
  RealVector coeffs(3);
  coeffs << 30e-9, -20e-9, 15e-9;
  RealVector scale_b = RealVector::Ones(3 + n * n);
  scale_b.head(3).setConstant(1e-8);
  r.push_back(layer_entry("BasisOptic(normalise)",
                          std::make_shared<optics::BasisOptic>(basis, t, coeffs, true), n,
                          scale_b));
  r.push_back(layer_entry("BasisOptic(no transmission)",
                          std::make_shared<optics::BasisOptic>(basis, std::nullopt, coeffs, false),
                          n, RealVector::Constant(3, 1e-8)));
  r.push_back(
      layer_entry("TransmissiveLayer", std::make_shared<optics::TransmissiveLayer>(t, true), n));
  RealVector scale_o = RealVector::Ones(2 * n * n);
  scale_o.tail(n * n).setConstant(1e-8);
  r.push_back(layer_entry("Optic",
                          std::make_shared<optics::Optic>(t, RealImage(30e-9 * c.x * c.y), false),
                          n, scale_o));
  r.push_back(layer_entry("Tilt", std::make_shared<optics::TiltLayer>(1e-7, -2e-7), n,
                          RealVector::Constant(2, 1e-7)));
  r.push_back(layer_entry("Normalise", std::make_shared<optics::NormaliseLayer>(), n));
  r.push_back(layer_entry("Flip", std::make_shared<optics::FlipLayer>(1), n));
  r.push_back(layer_entry("Resize", std::make_shared<optics::ResizeLayer>(12), n));
  r.push_back(layer_entry("Rotate", std::make_shared<optics::RotateLayer>(0.4), n));
  // --- the PSF engine: x = [layer params, positions (S x 2, rad), amplitudes (S x L)]
  {
    auto sys = std::make_shared<optics::AngularOpticalSystem>(
        16, 1.0,
        std::vector<optics::NamedLayer>{
            {"aperture",
             std::make_shared<optics::BasisOptic>(
                 optics::zernike_basis({4, 7}, optics::pixel_coords(16, 1.0), 1.0),
                 optics::aperture_transmission(
                     {optics::Shape::circle(0.5), optics::Shape::spider(0.05, {30.0})}, 16, 1.0, 3),
                 RealVector::Constant(2, 20e-9), true)}},
        6, 0.05, 2);
    RealVector wl(2);
    wl << 550e-9, 650e-9;
    auto eng = std::make_shared<optics::PsfEngine>(sys, wl, 2);
    const int np = sys->num_parameters();
    auto run = [eng, np](const RealVector& x, const RealVector* yb) {
      auto ws = eng->make_workspace();
      RealMatrix pos = Eigen::Map<const RealMatrix>(x.data() + np, 2, 2);
      RealMatrix amp = Eigen::Map<const RealMatrix>(x.data() + np + 4, 2, 2);
      RealImage psf;
      eng->forward(std::span<const double>(x.data(), np), pos, amp, *ws, psf);
      if (!yb) return flatten(psf);
      RealVector g(x.size());
      RealMatrix pb, ab;
      eng->pullback(std::span<const double>(x.data(), np), testing::unflatten_real(*yb, 12, 12),
                    *ws, std::span<double>(g.data(), np), pb, ab);
      g.segment(np, 4) = Eigen::Map<const RealVector>(pb.data(), 4);
      g.segment(np + 4, 4) = Eigen::Map<const RealVector>(ab.data(), 4);
      return g;
    };
    Entry e;
    e.op.name = "PsfEngine";
    e.op.forward = [run](const RealVector& x) { return run(x, nullptr); };
    e.op.pullback = [run](const RealVector& x, const RealVector& yb) { return run(x, &yb); };
    e.x.resize(np + 8);
    e.x << sys->values(), 1e-7, -3e-7, 2e-7, 0.5e-7, 3.0, 2.0, 1.0, 1.5;
    e.op.direction_scale = RealVector::Ones(e.x.size());
    e.op.direction_scale.head(2).setConstant(1e-8);
    e.op.direction_scale.segment(np, 4).setConstant(1e-7);
    r.push_back(e);
  }
  // --- sources
  RealVector wl3(3), w3(3);
  wl3 << 500e-9, 600e-9, 700e-9;
  w3 << 1.0, 2.0, 1.5;
  r.push_back(source_entry("BinarySource",
                           std::make_shared<sources::BinarySource>(
                               wl3, w3, RealVector(RealVector::Constant(3, 1.0) + w3 * 0.1),
                               sources::BinaryParameters{0.01, -0.02, 0.12, 33.0, 3.2, 2.5})));
  r.push_back(source_entry("PointSource", std::make_shared<sources::PointSource>(
                                              sources::Spectrum(wl3, w3), 0.02, -0.01, 3.0)));
  r.push_back(source_entry("PointSource(flux)", std::make_shared<sources::PointSource>(
                                                    sources::Spectrum(wl3, w3), 0.02, -0.01, 500.0,
                                                    sources::PointSource::FluxParameter::kFlux)));
  RealMatrix pos(2, 2);
  pos << 0.01, 0.02, -0.03, 0.04;
  r.push_back(source_entry(
      "PointSources", std::make_shared<sources::PointSources>(sources::Spectrum(wl3, w3), pos,
                                                              RealVector::Constant(2, 100.0))));
  // --- detector layers (image values away from the saturation threshold)
  RealImage img = (testing::unflatten_real(random_normal(64, 7), 8, 8).abs() + 0.5) * 10.0;
  r.push_back(detector_entry("Downsample", std::make_shared<detector::Downsample>(2), 8, 8, img));
  r.push_back(
      detector_entry("GaussianJitter", std::make_shared<detector::GaussianJitter>(0.9), 8, 8, img));
  r.push_back(
      detector_entry("DluxJitter", std::make_shared<detector::DluxJitter>(1.2, 5, 3), 8, 8, img));
  r.push_back(detector_entry("PixelResponse",
                             std::make_shared<detector::PixelResponse>(
                                 testing::unflatten_real(random_normal(64, 8), 8, 8).abs() + 0.5),
                             8, 8, img));
  r.push_back(detector_entry("Background", std::make_shared<detector::Background>(2.0), 8, 8, img));
  RealImage img_sat = img;
  img_sat(0, 0) = 60.0;
  img_sat(3, 4) = 70.0;
  img_sat = (img_sat - 30.0).abs().max(1.0).sign() * img_sat;  // keep values off the threshold
  r.push_back(
      detector_entry("Saturation", std::make_shared<detector::Saturation>(30.0), 8, 8, img_sat));
  return r;
}

const std::vector<std::string> kAllKinds = {"normalise",
                                            "flip_y",
                                            "flip_x",
                                            "resize_pad",
                                            "resize_crop",
                                            "rotate90",
                                            "rotate_bilinear",
                                            "mft",
                                            "fft",
                                            "BasisOptic(normalise)",
                                            "BasisOptic(no transmission)",
                                            "TransmissiveLayer",
                                            "Optic",
                                            "Tilt",
                                            "Normalise",
                                            "Flip",
                                            "Resize",
                                            "Rotate",
                                            "PsfEngine",
                                            "BinarySource",
                                            "PointSource",
                                            "PointSource(flux)",
                                            "PointSources",
                                            "Downsample",
                                            "GaussianJitter",
                                            "DluxJitter",
                                            "PixelResponse",
                                            "Background",
                                            "Saturation"};

TEST(OpRegistry, EveryOpPassesExpectVjp) {
  const auto reg = registry();
  std::set<std::string> names;
  for (const Entry& e : reg) {
    names.insert(e.op.name);
    AIRY_EXPECT_VJP(e.op, e.x, e.options);
    if (std::getenv("AIRY_VERBOSE")) {
      std::printf("%-28s max rel err %.2e\n", e.op.name.c_str(),
                  testing::expect_vjp(e.op, e.x, e.options).max_relative_error);
    }
  }
  for (const auto& k : kAllKinds) EXPECT_TRUE(names.count(k)) << "op not in the registry: " << k;
  EXPECT_EQ(names.size(), kAllKinds.size());
}

TEST(OpRegistry, CheckerCatchesAWrongPullback) {
  auto reg = registry();
  Entry e = reg[0];
  auto good = e.op.pullback;
  e.op.pullback = [good](const RealVector& x, const RealVector& yb) {
    return RealVector(1.01 * good(x, yb));
  };
  EXPECT_FALSE(testing::expect_vjp(e.op, e.x, e.options).ok);
}

}  // namespace
}  // namespace airy
