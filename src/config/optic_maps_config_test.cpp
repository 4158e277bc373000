// SPDX-License-Identifier: BSD-3-Clause
// Issue #11 §3 optics: [[optics.layers]] pupil maps from FITS (dLux Optic: a transmission and
// an OPD map, a Toliman-like diffractive pupil), the Zernike basis on its own diameter
// (dLuxToliman's 1.01 D) and per-star spectra of type "points" (a dLux Scene of PointSource),
// each against real dLux 0.15.1 (tests/fixtures/dlux, tools/dlux_reference.sh) to 1e-12 of the
// peak; the OPD map as a sampled vector parameter against finite differences; bad maps are
// named errors.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/zernike.hpp"
#include "config/dlux_fixture_test_util.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::config {
namespace {

namespace fs = std::filesystem;
using airy::testing::expect_invalid;
const fs::path& kDir = airy::testing::kDluxFixtureDir;

using airy::testing::fixture_matrix;
using airy::testing::peak_error;

/// A directory of the running test's own (ctest runs the tests of this file in parallel).
fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / "airy_optic_maps_test" /
                       ::testing::UnitTest::GetInstance()->current_test_info()->name();
  fs::create_directories(dir);
  return dir;
}

/// The flagship fixture's optics, with `aberrations` and `extra` TOML appended.
std::string flagship(const std::string& aberrations, const std::string& source, int psf_npix = 16) {
  return R"(
[optics]
npix = 128
diameter = 1.0
psf_npix = )" +
         std::to_string(psf_npix) +
         R"(
psf_pixel_scale = 0.03
[optics.aperture]
soft_edge = "oversample"
edge_oversample = 5
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
[optics.aberrations]
noll = [4, 5, 6, 7, 8, 9, 10]
)" + aberrations +
         "\n" + source;
}

const char* kBinary = R"(
[source]
type = "binary"
separation = 0.1
position_angle = 90.0
log_flux = 3.5
contrast = 3.37
band_nm = [530.0, 640.0]
n_wavelengths = 5
)";

// dLux zernike(j, pixel_coords(128, 1.0), 1.01) with 10x the flagship coefficients.
TEST(OpticMapsConfig, ZernikeBasisOnItsOwnDiameterMatchesDlux) {
  const fs::path f = kDir / "zernike_oversize.toml";
  if (!fs::exists(f)) GTEST_SKIP() << "no fixture " << f;
  const toml::table t = toml::parse_file(f.string());
  const Config c = parse_config(
      flagship("coefficients = [1.5e-8, -0.8e-8, 1.1e-8, -2.0e-8, 0.6e-8, 1.7e-8, -1.2e-8]\n"
               "basis_diameter = 1.01\n",
               kBinary),
      "oversize.toml");
  EXPECT_DOUBLE_EQ(c.optics.basis_diameter, 1.01);
  EXPECT_LT(peak_error(build_telescope(c).model(), fixture_matrix(t["image"]["data"])), 1e-12);
  // Without the key the basis is on the 1 m pupil: a different image (the key is not ignored).
  const Config same = parse_config(
      flagship("coefficients = [1.5e-8, -0.8e-8, 1.1e-8, -2.0e-8, 0.6e-8, 1.7e-8, -1.2e-8]\n",
               kBinary),
      "pupil.toml");
  EXPECT_GT(peak_error(build_telescope(same).model(), fixture_matrix(t["image"]["data"])), 1e-4);
}

// The basis on its own diameter against closed forms at sample points of the pupil grid,
// rho = r / (d_b / 2) (the grid is the pupil's; only the unit disk changes): Z4 = sqrt3
// (2 rho^2 - 1), Z6 = sqrt6 rho^2 cos 2theta, Z7 = sqrt8 (3 rho^3 - 2 rho) sin theta, and 0
// beyond rho = 1. The config passes basis_diameter to this basis (dLux fixture above).
TEST(OpticMapsConfig, ZernikeBasisDiameterScalesTheRadius) {
  const optics::Coords xy = optics::pixel_coords(128, 1.0);
  const RealImage z4 = optics::zernike(4, xy, 1.25), z6 = optics::zernike(6, xy, 1.25),
                  z7 = optics::zernike(7, xy, 1.25);
  for (const auto& [r, col] : {std::pair{10, 70}, {64, 64}, {100, 30}, {20, 17}}) {
    const double x = xy.x(r, col), y = xy.y(r, col);
    const double rho = std::hypot(x, y) / 0.625, th = std::atan2(y, x);
    EXPECT_NEAR(z4(r, col), std::sqrt(3.0) * (2 * rho * rho - 1), 1e-13);
    EXPECT_NEAR(z6(r, col), std::sqrt(6.0) * rho * rho * std::cos(2 * th), 1e-13);
    EXPECT_NEAR(z7(r, col), std::sqrt(8.0) * (3 * rho * rho * rho - 2 * rho) * std::sin(th), 1e-13);
  }
  // Pixel (0, 0) has r = 0.701 m > 0.625 m: outside the basis disk.
  EXPECT_EQ(z4(0, 0), 0.0);
  // With d_b = D the same pixel (10, 70) gives a different value: the diameter is applied.
  EXPECT_GT(std::abs(optics::zernike(4, xy, 1.0)(10, 70) - z4(10, 70)), 0.1);
  expect_invalid([] { parse_config(flagship("basis_diameter = -1.0\n", kBinary), "bad.toml"); },
                 {"optics.aberrations.basis_diameter", "-1", "> 0"});
}

/// Writes the fixture's transmission (primary HDU) and OPD in nm (HDU 1) to pupil.fits.
fs::path write_pupil(const toml::table& t) {
  const fs::path file = scratch() / "pupil.fits";
  io::write_fits(file.string(),
                 {io::FitsImage{fixture_matrix(t["optic_layer"]["transmission"]), {}},
                  io::FitsImage{RealImage(fixture_matrix(t["optic_layer"]["opd_m"]) * 1e9), {}}});
  return file;
}

std::string diffractive_config(const fs::path& pupil, const std::string& extra = "") {
  return R"(
[optics]
npix = 64
diameter = 1.0
psf_npix = 24
psf_pixel_scale = 0.03
[optics.aperture]
soft_edge = "oversample"
edge_oversample = 5
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
[[optics.aperture.shapes]]
type = "circle"
radius = 0.128
invert = true
[[optics.aperture.shapes]]
type = "spider"
width = 0.02
angles = [0.0, 120.0, 240.0]
[optics.aberrations]
noll = [4, 5, 6, 7, 8, 9, 10]
coefficients = [1.5e-9, -0.8e-9, 1.1e-9, -2.0e-9, 0.6e-9, 1.7e-9, -1.2e-9]
basis_diameter = 1.01
[[optics.layers]]
type = "optic"
name = "pupil"
transmission = ")" +
         pupil.string() +
         R"("
opd = ")" +
         pupil.string() +
         R"("
opd_hdu = 1
opd_unit = "nm"
[source]
type = "binary"
separation = 0.2
position_angle = 30.0
log_flux = 3.5
contrast = 3.37
band_nm = [530.0, 640.0]
n_wavelengths = 5
)" + extra;
}

// dLux AngularOpticalSystem [("aperture", BasisOptic), ("pupil", Optic(T, opd))]: a
// Toliman-like binary-phase pupil read from FITS.
TEST(OpticMapsConfig, DiffractivePupilFromFitsMatchesDluxOptic) {
  const fs::path f = kDir / "diffractive_pupil.toml";
  if (!fs::exists(f)) GTEST_SKIP() << "no fixture " << f;
  const toml::table t = toml::parse_file(f.string());
  const Config c = parse_config(diffractive_config(write_pupil(t)), "pupil.toml");
  ASSERT_EQ(c.optics.layers.size(), 1u);
  const model::Telescope tel = build_telescope(c);
  EXPECT_LT(peak_error(tel.model(), fixture_matrix(t["image"]["data"])), 1e-12);
  // The OPD came in nm and is stored in metres (units::conversion_factor("nm", "m")).
  const RealVector opd = tel.get("optics.pupil.opd");
  EXPECT_NEAR(opd.maxCoeff(), 292.5e-9, 1e-20);
  // A relative file name is relative to the config file's directory (and stored absolute).
  const fs::path toml_file = scratch() / "pupil.toml";
  {
    std::ofstream out(toml_file);
    out << diffractive_config("pupil.fits");
  }
  const Config from_file = load_config(toml_file.string());
  EXPECT_EQ(from_file.optics.layers[0].opd, (scratch() / "pupil.fits").string());
  EXPECT_LT(peak_error(build_telescope(from_file).model(), fixture_matrix(t["image"]["data"])),
            1e-12);
  // to_toml round-trips the layer.
  const std::string text = to_toml(c);
  EXPECT_EQ(to_toml(parse_config(text, "pupil.toml")), text);
  EXPECT_NE(text.find("[[optics.layers]]"), std::string::npos) << text;
}

// jax.grad of sum(image * W) w.r.t. both maps of the dLux Optic against airy's pullback of the
// bound paths optics.pupil.transmission and optics.pupil.opd.
TEST(OpticMapsConfig, MapGradientsMatchJaxGrad) {
  const fs::path f = kDir / "diffractive_pupil.toml", g = kDir / "grad_diffractive_pupil.toml";
  if (!fs::exists(f) || !fs::exists(g)) GTEST_SKIP() << "no fixture " << g;
  const toml::table t = toml::parse_file(f.string()), gt = toml::parse_file(g.string());
  const model::Telescope tel =
      build_telescope(parse_config(diffractive_config(write_pupil(t)), "pupil.toml"));
  const model::ParameterSet set = tel.bind({"optics.pupil.transmission", "optics.pupil.opd"});
  const RealImage w = fixture_matrix(gt["weights"]["data"]);
  auto ws = tel.make_workspace(set);
  const RealVector x = tel.values(set);
  RealImage img;
  tel.render(set, std::span<const double>(x.data(), x.size()), *ws, img);
  const double loss = gt["loss_value"].value<double>().value();
  EXPECT_NEAR((img * w).sum(), loss, 1e-12 * std::abs(loss) + 1e-12 * img.abs().maxCoeff());
  RealVector grad(set.size());
  tel.pullback(set, w, *ws, std::span<double>(grad.data(), grad.size()));
  const int nn = 64 * 64;
  ASSERT_EQ(grad.size(), 2 * nn);
  // Row-major [y, x] flat parameters vs the fixture's [row][col] maps.
  for (const auto& [block, offset] : {std::pair{"transmission", 0}, {"opd", nn}}) {
    const RealImage ref = fixture_matrix(gt["optic_gradient"][block]);
    const RealImage mine = Eigen::Map<const RealImage>(grad.data() + offset, 64, 64);
    EXPECT_LT(peak_error(mine, ref), 1e-12) << block;
  }
}

// The OPD map as a sampled vector parameter (4096 entries, prior per pixel in nm): the
// log-density gradient against central finite differences at the pixels that matter most.
TEST(OpticMapsConfig, SampledOpdMapGradientMatchesFiniteDifferences) {
  const fs::path f = kDir / "diffractive_pupil.toml";
  if (!fs::exists(f)) GTEST_SKIP() << "no fixture " << f;
  const toml::table t = toml::parse_file(f.string());
  const Config c = parse_config(diffractive_config(write_pupil(t), R"(
[likelihood]
kind = "gaussian"
sigma = 0.05
[priors."optics.pupil.opd"]
dist = "normal"
loc = 0.0
scale = 300.0
unit = "nm"
)"),
                                "sampled.toml");
  const model::Telescope tel = build_telescope(c);
  RealImage data = tel.model();
  for (Eigen::Index i = 0; i < data.size(); ++i) data.data()[i] += 0.02 * std::sin(0.7 * i);
  const posterior::ImagePosterior post = build_posterior(c, tel, data);
  const auto& ld = post.log_density();
  ASSERT_EQ(ld.dim(), 64 * 64);
  std::vector<double> values = post.current_values();
  ASSERT_NEAR(*std::max_element(values.begin(), values.end()), 292.5, 1e-9);  // nm
  for (std::size_t i = 0; i < values.size(); ++i) values[i] += 3.0 * std::cos(0.37 * i);
  std::vector<double> theta(values.size()), grad(values.size());
  ASSERT_TRUE(ld.unconstrain(values, theta));
  auto ws = ld.make_workspace();
  (void)ld.log_density_gradient(theta, grad, ws.get());
  // The 6 largest |gradient| entries (inside the pupil) and one dark pixel (gradient =
  // prior only: -theta / 300^2).
  std::vector<int> order(grad.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::partial_sort(order.begin(), order.begin() + 6, order.end(),
                    [&](int a, int b) { return std::abs(grad[a]) > std::abs(grad[b]); });
  std::vector<int> picks(order.begin(), order.begin() + 6);
  picks.push_back(0);  // corner pixel: outside the aperture
  std::vector<double> scratch_grad(grad.size());
  for (const int i : picks) {
    const double h = 1e-3;  // nm
    auto plus = theta, minus = theta;
    plus[i] += h;
    minus[i] -= h;
    const double fd = (ld.log_density_gradient(plus, scratch_grad, ws.get()) -
                       ld.log_density_gradient(minus, scratch_grad, ws.get())) /
                      (2 * h);
    EXPECT_NEAR(grad[i], fd, 1e-5 * std::abs(grad[order[0]])) << "opd pixel " << i;
  }
  EXPECT_NEAR(grad[0], -values[0] / (300.0 * 300.0), 1e-15);
}

// dLux Telescope(optics, [PointSource(..., weights=w_k) for k]): three stars with their own
// spectra on one wavelength grid, as source type "points" with one weight row per star.
TEST(OpticMapsConfig, PerStarSpectraMatchDluxScene) {
  const fs::path f = kDir / "point_sources_spectra.toml";
  if (!fs::exists(f)) GTEST_SKIP() << "no fixture " << f;
  const toml::table t = toml::parse_file(f.string());
  // log10 of the fixture's fluxes 900, 500, 250.
  const std::string source =
      "[source]\ntype = \"points\"\npositions_x = [0.05, -0.06, 0.01]\n"
      "positions_y = [-0.04, 0.02, 0.07]\nlog_fluxes = [" +
      fmt::format("{:.17g}, {:.17g}, {:.17g}", std::log10(900.0), std::log10(500.0),
                  std::log10(250.0)) +
      "]\nwavelengths_nm = [550.0, 600.0, 650.0]\n"
      "weights = [[1.0, 2.0, 1.0], [4.0, 1.0, 0.0], [0.5, 1.0, 3.0]]\n";
  const Config c = parse_config(
      flagship("coefficients = [1.5e-9, -0.8e-9, 1.1e-9, -2.0e-9, 0.6e-9, 1.7e-9, -1.2e-9]\n",
               source, 20),
      "spectra.toml");
  ASSERT_EQ(c.source.star_weights.size(), 3u);
  const model::Telescope tel = build_telescope(c);
  EXPECT_LT(peak_error(tel.model(), fixture_matrix(t["image"]["data"])), 1e-12);
  EXPECT_EQ(tel.get("source.weights").size(), 9);
  const std::string text = to_toml(c);
  EXPECT_EQ(to_toml(parse_config(text, "spectra.toml")), text);
  // One row per star, each with one weight per wavelength.
  const std::string base = flagship("coefficients = [0, 0, 0, 0, 0, 0, 0]\n", "", 20);
  expect_invalid(
      [&] {
        parse_config(base +
                         "[source]\ntype = \"points\"\npositions_x = [0.0, 0.1]\n"
                         "positions_y = [0.0, 0.0]\nlog_fluxes = [3.0, 3.0]\n"
                         "wavelengths_nm = [550.0, 600.0]\nweights = [[1.0, 2.0]]\n",
                     "rows.toml");
      },
      {"source.weights", "1 rows for 2 stars"});
  expect_invalid(
      [&] {
        parse_config(base +
                         "[source]\ntype = \"points\"\npositions_x = [0.0]\n"
                         "positions_y = [0.0]\nlog_fluxes = [3.0]\n"
                         "wavelengths_nm = [550.0, 600.0]\nweights = [[1.0, 2.0, 3.0]]\n",
                     "cols.toml");
      },
      {"source.weights", "star 0 has 3 weights for 2 wavelengths"});
  expect_invalid(
      [&] {
        parse_config(base +
                         "[source]\ntype = \"point\"\nwavelengths_nm = [550.0, 600.0]\n"
                         "weights = [[1.0, 2.0]]\n",
                     "type.toml");
      },
      {"source.weights", "type = \"points\""});
}

TEST(OpticMapsConfig, BadMapsAreNamedErrors) {
  const fs::path dir = scratch();
  const std::string small = (dir / "small.fits").string(), bright = (dir / "bright.fits").string(),
                    nan = (dir / "nan.fits").string();
  io::write_fits(small, RealImage::Ones(32, 48), {});
  RealImage b = RealImage::Constant(128, 128, 0.5);
  b(3, 7) = 1.5;
  io::write_fits(bright, b, {});
  RealImage n = RealImage::Zero(128, 128);
  n(9, 2) = std::nan("");
  io::write_fits(nan, n, {});
  auto typed = [&](const std::string& keys) {
    return parse_config(
        flagship("coefficients = [0, 0, 0, 0, 0, 0, 0]\n", kBinary) + "[[optics.layers]]\n" + keys,
        "maps.toml");
  };
  auto layer = [&](const std::string& keys) { return typed("type = \"optic\"\n" + keys); };
  // Shape: the key, the file and both shapes.
  expect_invalid([&] { (void)build_telescope(layer("opd = \"" + small + "\"\n")); },
                 {"optics.layers[0].opd", small, "32x48", "128x128"});
  expect_invalid([&] { (void)build_telescope(layer("transmission = \"" + bright + "\"\n")); },
                 {"optics.layers[0].transmission", "(x=7, y=3) = 1.5", "[0, 1]"});
  expect_invalid([&] { (void)build_telescope(layer("opd = \"" + nan + "\"\n")); },
                 {"optics.layers[0].opd", "(x=2, y=9)", "finite"});
  expect_invalid([&] { (void)build_telescope(layer("opd = \"" + nan + "\"\nopd_hdu = 3\n")); },
                 {"optics.layers[0].opd", "HDU 3"});
  expect_invalid(
      [&] { (void)build_telescope(layer("opd = \"" + (dir / "absent.fits").string() + "\"\n")); },
      {"optics.layers[0].opd", "absent.fits"});
  expect_invalid([&] { layer("opd = \"x.fits\"\nopd_unit = \"arcsec\"\n"); },
                 {"optics.layers[0].opd_unit", "arcsec", "length"});
  expect_invalid([&] { layer("name = \"aperture\"\nopd = \"x.fits\"\n"); },
                 {"optics.layers[0].name", "aperture", "reserved"});
  expect_invalid([&] { layer("normalise = true\n"); }, {"optics.layers[0].opd", "transmission"});
  expect_invalid([&] { typed("type = \"mask\"\nopd = \"x.fits\"\n"); },
                 {"optics.layers[0].type", "\"optic\""});
}

}  // namespace
}  // namespace airy::config
