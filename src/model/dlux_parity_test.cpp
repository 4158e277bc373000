// SPDX-License-Identifier: BSD-3-Clause
// Parity with real dLux 0.15.1 (+ dLuxToliman 0.5.1) in float64: every image fixture in
// tests/fixtures/dlux/ (schema: its README.md) is rebuilt with airy's API and compared to
// 1e-6 of the image's peak (they agree to 1e-10); every grad_*.toml checks airy's pullback
// against jax.grad.
#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "airy/detector/detector_layers.hpp"
#include "airy/model/builder.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/zernike.hpp"
#include "airy/sources/binary_source.hpp"
#include "airy/sources/point_source.hpp"

namespace airy::model {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(AIRY_SOURCE_DIR) / "tests" / "fixtures" / "dlux";

double num(const toml::node_view<const toml::node>& n) { return n.value<double>().value(); }

RealVector vec(const toml::node_view<const toml::node>& n) {
  const toml::array& a = *n.as_array();
  RealVector v(static_cast<Eigen::Index>(a.size()));
  for (std::size_t i = 0; i < a.size(); ++i)
    v[static_cast<Eigen::Index>(i)] = a[i].value<double>().value();
  return v;
}

RealImage mat(const toml::node_view<const toml::node>& n) {
  const toml::array& rows = *n.as_array();
  const auto r = static_cast<Eigen::Index>(rows.size());
  const auto c = static_cast<Eigen::Index>(rows[0].as_array()->size());
  RealImage m(r, c);
  for (Eigen::Index i = 0; i < r; ++i) {
    const toml::array& row = *rows[static_cast<std::size_t>(i)].as_array();
    for (Eigen::Index j = 0; j < c; ++j)
      m(i, j) = row[static_cast<std::size_t>(j)].value<double>().value();
  }
  return m;
}

// Builds the telescope a fixture describes, with airy's public API only; optionally as one
// exposure of a dither (exposure component) followed by a pixel-response map.
Telescope build(const toml::table& t, std::optional<ExposureSettings> exposure = std::nullopt,
                const RealImage* flat = nullptr) {
  const toml::table& root = t;
  const int n = static_cast<int>(num(root["pupil"]["npixels"]));
  const double d = num(root["pupil"]["diameter_m"]);
  const int k = static_cast<int>(num(root["aperture"]["oversample"]));
  const bool normalise = root["aperture"]["normalise"].value<bool>().value();
  const optics::Coords fine = optics::pixel_coords(n * k, d);
  std::vector<RealImage> masks;
  for (const auto& node : *root["aperture"]["shapes"].as_array()) {
    const toml::node_view<const toml::node> s(node);
    const std::string type = s["type"].value<std::string>().value();
    const bool invert = s["invert"].value_or(false);
    if (type == "circle") {
      optics::Shape c = optics::Shape::circle(num(s["radius_m"]));
      masks.push_back(optics::hard_mask(invert ? c.inverted() : c, fine));
    } else if (type == "spider") {
      const RealVector a = vec(s["angles_deg"]);
      masks.push_back(optics::hard_mask(
          optics::Shape::spider(num(s["width_m"]),
                                std::vector<double>(a.data(), a.data() + a.size())),
          fine));
    } else if (type == "reg_polygon") {
      optics::Shape p =
          optics::Shape::regular_polygon(static_cast<int>(num(s["nsides"])), num(s["rmax_m"]));
      masks.push_back(optics::hard_mask(invert ? p.inverted() : p, fine));
    } else if (type == "soft_circle") {
      optics::Shape c = optics::Shape::circle(num(s["radius_m"]));
      masks.push_back(optics::soft_mask(invert ? c.inverted() : c, fine, num(s["clip_dist_m"])));
    } else {
      ADD_FAILURE() << "unknown shape type " << type;
    }
  }
  RealImage trans = optics::combine(masks, k);
  EXPECT_NEAR(trans.sum(), num(root["aperture"]["transmission_sum"]), 1e-9 * trans.sum());
  std::vector<optics::NamedLayer> layers;
  const RealVector noll_v = vec(root["zernike"]["noll"]);
  if (noll_v.size() > 0) {
    std::vector<int> noll;
    for (double j : noll_v) noll.push_back(static_cast<int>(j));
    layers.push_back(
        {"aperture", std::make_shared<optics::BasisOptic>(
                         optics::zernike_basis(noll, optics::pixel_coords(n, d),
                                               num(root["zernike"]["basis_diameter_m"])),
                         trans, vec(root["zernike"]["coefficients_m"]), normalise)});
  } else {
    layers.push_back({"aperture", std::make_shared<optics::TransmissiveLayer>(trans, normalise)});
  }
  if (const auto ol = root["optic_layer"]; ol) {
    // dl.layers.Optic(transmission, opd, normalise) after the aperture.
    std::optional<RealImage> ot, oo;
    if (ol["transmission"]) ot = mat(ol["transmission"]);
    if (ol["opd_m"]) oo = mat(ol["opd_m"]);
    layers.push_back({ol["name"].value<std::string>().value(),
                      std::make_shared<optics::Optic>(ot, oo, ol["normalise"].value_or(false))});
  }
  auto sys = std::make_shared<optics::AngularOpticalSystem>(
      n, d, std::move(layers), static_cast<int>(num(root["optics"]["psf_npixels"])),
      num(root["optics"]["psf_pixel_scale_arcsec"]),
      static_cast<int>(num(root["optics"]["oversample"])));
  const auto src = root["source"];
  std::shared_ptr<const sources::Source> source;
  if (src["type"].value<std::string>().value() == "AlphaCen") {
    const RealImage w = mat(src["weights"]);
    source = std::make_shared<sources::BinarySource>(
        vec(src["wavelengths_m"]), RealVector(w.row(0).transpose()),
        RealVector(w.row(1).transpose()),
        sources::BinaryParameters{num(src["x_position_arcsec"]), num(src["y_position_arcsec"]),
                                  num(src["separation_arcsec"]), num(src["position_angle_deg"]),
                                  num(src["log_flux"]), num(src["contrast"])});
  } else if (src["type"].value<std::string>().value() == "Scene") {
    // PointSource objects with their own spectra on one wavelength grid.
    source = std::make_shared<sources::PointSources>(
        vec(src["wavelengths_m"]), RealMatrix(mat(src["weights"])),
        RealMatrix(mat(src["positions_arcsec"])), vec(src["fluxes"]));
  } else if (src["type"].value<std::string>().value() == "PointSources") {
    const RealImage xy = mat(src["positions_arcsec"]);
    source = std::make_shared<sources::PointSources>(
        sources::Spectrum(vec(src["wavelengths_m"]), vec(src["weights"])), RealMatrix(xy),
        vec(src["fluxes"]));
  } else {
    const RealVector p = vec(src["position_arcsec"]);
    source = std::make_shared<sources::PointSource>(
        sources::Spectrum(vec(src["wavelengths_m"]), vec(src["weights"])), p[0], p[1],
        num(src["flux"]), sources::PointSource::FluxParameter::kFlux);
  }
  TelescopeBuilder b;
  b.optics(sys).source(source);
  if (root["detector"]["enabled"].value_or(false)) {
    int i = 0;
    for (const auto& node : *root["detector"]["layers"].as_array()) {
      const toml::node_view<const toml::node> l(node);
      const std::string type = l["type"].value<std::string>().value();
      const std::string key = type + std::to_string(i++);
      if (type == "Downsample") {
        b.detector_layer(
            key, std::make_shared<detector::Downsample>(static_cast<int>(num(l["kernel_size"]))));
      } else if (type == "ApplyJitter") {
        auto j = std::make_shared<detector::DluxJitter>(num(l["sigma"]),
                                                        static_cast<int>(num(l["kernel_size"])),
                                                        static_cast<int>(num(l["oversample"])));
        const RealVector k1 = j->kernel_1d(num(l["sigma"]));
        EXPECT_LT(((k1 * k1.transpose()).array() - mat(l["kernel"])).abs().maxCoeff(), 1e-15);
        b.detector_layer(key, j);
      } else if (type == "AddConstant") {
        b.detector_layer(key, std::make_shared<detector::Background>(num(l["value"])));
      } else if (type == "ApplyPixelResponse") {
        b.detector_layer(key, std::make_shared<detector::PixelResponse>(mat(l["data"])));
      } else {
        ADD_FAILURE() << "unknown detector layer " << type;
      }
    }
  }
  if (flat != nullptr)
    b.detector_layer("pixel_response", std::make_shared<detector::PixelResponse>(*flat));
  if (exposure) b.exposure(*exposure);
  return b.build();
}

std::vector<fs::path> image_fixtures() {
  std::vector<fs::path> files;
  if (!fs::exists(kDir)) return files;
  for (const auto& e : fs::directory_iterator(kDir)) {
    const std::string stem = e.path().stem().string();
    if (e.path().extension() == ".toml" && stem.rfind("grad_", 0) != 0 &&
        stem.rfind("dither_", 0) != 0)
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(DluxParity, EveryImageFixtureMatchesToOneMillionthOfThePeak) {
  const auto files = image_fixtures();
  if (files.empty()) GTEST_SKIP() << "no fixtures in " << kDir;
  EXPECT_GE(files.size(), 20u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.filename().string());
    const toml::table t = toml::parse_file(f.string());
    const RealImage ref = mat(t["image"]["data"]);
    const RealImage img = build(t).model();
    ASSERT_EQ(img.rows(), ref.rows());
    ASSERT_EQ(img.cols(), ref.cols());
    const double err = (img - ref).abs().maxCoeff() / ref.abs().maxCoeff();
    EXPECT_LT(err, 1e-6) << f.filename();
    EXPECT_LT(err, 1e-10) << f.filename() << " (float64 agreement expected)";
  }
}

// dLux Dither (the dither added to every star's position) = airy exposures with
// exposure.dither, with and without an ApplyPixelResponse map after the optics.
TEST(DluxParity, DitheredExposuresMatchDluxDither) {
  std::vector<fs::path> files;
  if (fs::exists(kDir)) {
    for (const auto& e : fs::directory_iterator(kDir)) {
      if (e.path().stem().string().rfind("dither_", 0) == 0) files.push_back(e.path());
    }
  }
  if (files.empty()) GTEST_SKIP() << "no dither_*.toml in " << kDir;
  for (const auto& df : files) {
    SCOPED_TRACE(df.filename().string());
    const toml::table d = toml::parse_file(df.string());
    const toml::table base =
        toml::parse_file((kDir / d["config"].value<std::string>().value()).string());
    const RealImage offsets = mat(d["dither"]["offsets_arcsec"]);
    const bool has_flat = d["dither"]["pixel_response"].value_or(false);
    const RealImage flat = has_flat ? mat(d["dither"]["pixel_response_map"]) : RealImage();
    const toml::array& images = *d["dither"]["images"].as_array();
    ASSERT_EQ(images.size(), static_cast<std::size_t>(offsets.rows()));
    for (Eigen::Index k = 0; k < offsets.rows(); ++k) {
      const RealImage ref =
          mat(toml::node_view<const toml::node>(images[static_cast<std::size_t>(k)]));
      const Telescope tel = build(base, ExposureSettings{offsets(k, 0), offsets(k, 1), 1.0},
                                  has_flat ? &flat : nullptr);
      const RealImage img = tel.model();
      ASSERT_EQ(img.rows(), ref.rows());
      EXPECT_LT((img - ref).abs().maxCoeff() / ref.abs().maxCoeff(), 1e-12) << "dither " << k;
    }
  }
}

TEST(DluxParity, GradientsMatchJaxGrad) {
  std::vector<fs::path> files;
  if (fs::exists(kDir)) {
    for (const auto& e : fs::directory_iterator(kDir)) {
      if (e.path().stem().string().rfind("grad_", 0) == 0) files.push_back(e.path());
    }
  }
  if (files.empty()) GTEST_SKIP() << "no grad_*.toml in " << kDir;
  for (const auto& gf : files) {
    SCOPED_TRACE(gf.filename().string());
    const toml::table g = toml::parse_file(gf.string());
    const toml::table& gv = g;
    const Telescope tel =
        build(toml::parse_file((kDir / gv["config"].value<std::string>().value()).string()));
    const RealImage w = mat(gv["weights"]["data"]);
    if (const auto og = gv["optic_gradient"]; og) {
      // The Optic layer's maps: row-major [y, x] flat parameters vs [row][col] maps.
      const std::string key = "optics." + og["layer"].value<std::string>().value();
      const RealImage gt = mat(og["transmission"]), go = mat(og["opd"]);
      const ParameterSet set = tel.bind({key + ".transmission", key + ".opd"});
      auto ws = tel.make_workspace(set);
      const RealVector x = tel.values(set);
      RealImage img;
      tel.render(set, std::span<const double>(x.data(), x.size()), *ws, img);
      EXPECT_NEAR((img * w).sum(), num(gv["loss_value"]), 1e-10 * std::abs(num(gv["loss_value"])));
      RealVector grad(set.size());
      tel.pullback(set, w, *ws, std::span<double>(grad.data(), grad.size()));
      ASSERT_EQ(grad.size(), gt.size() + go.size());
      const RealVector rt = Eigen::Map<const RealVector>(gt.data(), gt.size());
      const RealVector ro = Eigen::Map<const RealVector>(go.data(), go.size());
      EXPECT_LT((grad.head(gt.size()) - rt).cwiseAbs().maxCoeff(),
                1e-12 * rt.cwiseAbs().maxCoeff());
      EXPECT_LT((grad.tail(go.size()) - ro).cwiseAbs().maxCoeff(),
                1e-12 * ro.cwiseAbs().maxCoeff());
      continue;
    }
    std::vector<std::string> paths;
    for (const auto& nm : *gv["source_gradient"]["names"].as_array()) {
      paths.push_back("source." + nm.value<std::string>().value());
    }
    paths.push_back("optics.aperture.coefficients");
    RealVector ref(13 + (gv["detector_gradient"] ? 1 : 0));
    if (gv["detector_gradient"]) {
      for (const auto& p : tel.parameters()) {
        if (p.path.rfind("detector.", 0) == 0 && p.path.ends_with(".sigma"))
          paths.push_back(p.path);
      }
      ASSERT_EQ(paths.size(), 8u);
      ref << vec(gv["source_gradient"]["grad"]), vec(gv["zernike_gradient"]["grad"]),
          num(gv["detector_gradient"]["grad"]);
    } else {
      ref << vec(gv["source_gradient"]["grad"]), vec(gv["zernike_gradient"]["grad"]);
    }
    const ParameterSet set = tel.bind(paths);
    auto ws = tel.make_workspace(set);
    const RealVector x = tel.values(set);
    RealImage img;
    tel.render(set, std::span<const double>(x.data(), x.size()), *ws, img);
    EXPECT_NEAR((img * w).sum(), num(gv["loss_value"]), 1e-10 * std::abs(num(gv["loss_value"])));
    RealVector grad(set.size());
    tel.pullback(set, w, *ws, std::span<double>(grad.data(), grad.size()));
    ASSERT_EQ(grad.size(), ref.size());
    for (Eigen::Index i = 0; i < ref.size(); ++i) {
      EXPECT_NEAR(grad[i], ref[i], 1e-8 * std::abs(ref[i]))
          << set.coordinate_names()[static_cast<std::size_t>(i)];
    }
  }
}

}  // namespace
}  // namespace airy::model
