// SPDX-License-Identifier: BSD-3-Clause
// Per-element priors (issue #11 §3): distribution parameters given inline as arrays or as FITS
// maps give the same log density as each other and as the hand-written sum over elements, the
// gradient matches finite differences, and bad maps are named errors; the read-noise sigma as
// a sampled site from [priors."detector.read_noise"].
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <string>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::config {
namespace {

namespace fs = std::filesystem;
using airy::testing::expect_invalid;

/// A point source on a 10x10 detector with a pixel_response layer (a flat field of 100 pixels).
const std::string kScene = R"(
[optics]
npix = 24
diameter = 1.0
psf_npix = 10
psf_pixel_scale = 0.04

[[optics.aperture.shapes]]
type = "circle"
radius = 0.5

[source]
type = "point"
log_flux = 5.0
band_nm = [550.0, 650.0]
n_wavelengths = 2

[[detector.layers]]
type = "pixel_response"

[likelihood]
kind = "poisson_gaussian"
sigma = 3.0
)";

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("airy_prior_maps_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

/// Per-pixel prior means and sds of the flat field, (y, x) = (row, column).
RealImage loc_map() {
  RealImage m(10, 10);
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) m(y, x) = 1.0 + 0.002 * (x - 2 * y);
  }
  return m;
}
RealImage scale_map() {
  RealImage m(10, 10);
  for (int y = 0; y < 10; ++y) {
    for (int x = 0; x < 10; ++x) m(y, x) = 0.03 + 0.001 * (x + y);
  }
  return m;
}

/// loc in the primary HDU, scale in an extension named SCALE.
std::string write_maps(const fs::path& dir, const RealImage& loc, const RealImage& scale) {
  const std::string path = (dir / "flat_prior.fits").string();
  std::vector<io::FitsImage> images(2);
  images[0].image = loc;
  images[1].image = scale;
  images[1].header.extname = "SCALE";
  io::write_fits(path, images);
  return path;
}

std::string inline_array(const RealImage& m) {
  std::string s = "[";
  for (Eigen::Index i = 0; i < m.size(); ++i) {
    s += fmt::format("{}{:.17g}", i ? ", " : "", m.data()[i]);
  }
  return s + "]";
}

posterior::ImagePosterior posterior_of(const std::string& text) {
  const Config c = parse_config(text, "maps.toml");
  const auto t = build_exposure_telescopes(c);
  std::vector<RealImage> data;
  for (const auto& x : t) data.push_back(x.model());
  return build_posterior(c, t, data);
}

std::string flat_prior(const std::string& loc, const std::string& scale) {
  return fmt::format(
      "\n[priors.\"detector.pixel_response.map\"]\ndist = \"normal\"\nloc = {}\nscale = {}\n", loc,
      scale);
}

TEST(PriorMaps, AMapPriorIsTheInlinePerElementPriorAndTheHandWrittenSum) {
  const fs::path dir = scratch("same");
  const std::string file = write_maps(dir, loc_map(), scale_map());
  const auto from_map =
      posterior_of(kScene + flat_prior(fmt::format("{{file = \"{}\"}}", file),
                                       fmt::format("{{file = \"{}\", hdu = \"SCALE\"}}", file)));
  const auto from_array =
      posterior_of(kScene + flat_prior(inline_array(loc_map()), inline_array(scale_map())));
  // The same maps by HDU number.
  const auto by_number =
      posterior_of(kScene + flat_prior(fmt::format("{{file = \"{}\", hdu = 0}}", file),
                                       fmt::format("{{file = \"{}\", hdu = 1}}", file)));
  const auto& a = from_map.log_density();
  const auto& b = from_array.log_density();
  ASSERT_EQ(a.dim(), 100);
  std::vector<double> x(100);
  for (int i = 0; i < 100; ++i) x[static_cast<std::size_t>(i)] = 1.0 + 0.01 * std::sin(i);
  std::vector<double> u(100), ga(100), gb(100), gc(100);
  ASSERT_TRUE(a.unconstrain(x, u));  // normal: identity bijector, u = x
  auto wa = a.make_workspace();
  auto wb = b.make_workspace();
  auto wc = by_number.log_density().make_workspace();
  const double lpa = a.log_density_gradient(u, ga, wa.get());
  EXPECT_EQ(lpa, b.log_density_gradient(u, gb, wb.get()));
  EXPECT_EQ(lpa, by_number.log_density().log_density_gradient(u, gc, wc.get()));
  EXPECT_EQ(ga, gb);
  EXPECT_EQ(ga, gc);
  // log prior = sum_i log N(x_i; loc_i, scale_i), written out ((y, x) row-major).
  double hand = 0.0;
  const RealImage loc = loc_map(), scale = scale_map();
  for (int i = 0; i < 100; ++i) {
    const double z = (x[static_cast<std::size_t>(i)] - loc.data()[i]) / scale.data()[i];
    hand += -std::log(scale.data()[i]) - 0.5 * std::log(2.0 * std::numbers::pi) - 0.5 * z * z;
  }
  std::vector<double> gp(100);
  EXPECT_NEAR(a.log_prior_gradient(u, gp), hand, 1e-12 * std::abs(hand));
  // A scalar prior is not the per-pixel one (the test can tell them apart).
  const auto scalar = posterior_of(kScene + flat_prior("1.0", "0.05"));
  std::vector<double> gs(100);
  EXPECT_GT(std::abs(scalar.log_density().log_prior_gradient(u, gs) - hand), 1.0);
  // The gradient of the whole log density against central differences.
  std::vector<double> scratch_grad(100);
  for (int i = 0; i < 100; i += 7) {
    const double h = 1e-6;
    auto plus = u, minus = u;
    plus[static_cast<std::size_t>(i)] += h;
    minus[static_cast<std::size_t>(i)] -= h;
    const double fd = (a.log_density_gradient(plus, scratch_grad, wa.get()) -
                       a.log_density_gradient(minus, scratch_grad, wa.get())) /
                      (2 * h);
    EXPECT_NEAR(ga[static_cast<std::size_t>(i)], fd, 1e-5 * std::max(1.0, std::abs(fd))) << i;
  }
}

TEST(PriorMaps, ParseRoundTripAndFilesRelativeToTheConfig) {
  const fs::path dir = scratch("roundtrip");
  (void)write_maps(dir, loc_map(), scale_map());
  const std::string text =
      kScene +
      "\n[priors.\"detector.pixel_response.map\"]\ndist = \"normal\"\n"
      "loc = {file = \"flat_prior.fits\"}\nscale = {file = \"flat_prior.fits\", hdu = "
      "\"SCALE\"}\n"
      "\n[priors.\"detector.read_noise\"]\ndist = \"log_normal\"\nloc = [1.0]\nscale = "
      "0.5\n";
  { std::ofstream(dir / "run.toml") << text; }
  const Config c = load_config((dir / "run.toml").string());
  ASSERT_EQ(c.priors.size(), 2u);
  EXPECT_EQ(c.priors[0].maps.at("loc").file, (dir / "flat_prior.fits").string());
  EXPECT_EQ(c.priors[0].maps.at("loc").hdu, "");
  EXPECT_EQ(c.priors[0].maps.at("scale").hdu, "SCALE");
  EXPECT_EQ(c.priors[1].arrays.at("loc"), std::vector<double>{1.0});
  const std::string written = to_toml(c);
  EXPECT_NE(written.find("hdu = \"SCALE\"}"), std::string::npos) << written;
  const Config back = parse_config(written, (dir / "run.toml").string());
  EXPECT_EQ(to_toml(back), written);
  // The written config builds the same posterior from anywhere.
  const auto t = build_exposure_telescopes(back);
  const auto post = build_posterior(back, t, {t[0].model()});
  EXPECT_EQ(post.log_density().dim(), 101);
}

TEST(PriorMaps, BadMapsAndArraysAreNamedErrors) {
  const fs::path dir = scratch("bad");
  const std::string good = write_maps(dir, loc_map(), scale_map());
  const std::string scale = fmt::format("{{file = \"{}\", hdu = \"SCALE\"}}", good);
  // A flat-field map of the wrong size: the key, both shapes and the site.
  const std::string small = (dir / "small.fits").string();
  io::write_fits(small, RealImage::Ones(8, 10), {});
  expect_invalid(
      [&] {
        (void)posterior_of(kScene + flat_prior(fmt::format("{{file = \"{}\"}}", small), scale));
      },
      {"priors.\"detector.pixel_response.map\"", "loc = {file =", "small.fits", "8x10",
       "10x10 (ny x nx)"});
  // An HDU the file does not have: named, with the EXTNAMEs it has.
  expect_invalid(
      [&] {
        (void)posterior_of(
            kScene + flat_prior(fmt::format("{{file = \"{}\", hdu = \"SCI\"}}", good), scale));
      },
      {"loc = {file =", "hdu = SCI", "SCALE"});
  expect_invalid(
      [&] {
        (void)posterior_of(kScene +
                           flat_prior(fmt::format("{{file = \"{}\", hdu = 5}}", good), scale));
      },
      {"loc = {file =", "flat_prior.fits"});
  // A missing file.
  expect_invalid(
      [&] {
        (void)posterior_of(
            kScene +
            flat_prior(fmt::format("{{file = \"{}\"}}", (dir / "none.fits").string()), scale));
      },
      {"loc = {file =", "none.fits"});
  // A non-finite value and a scale <= 0: the pixel, key and value.
  RealImage loc = loc_map();
  loc(2, 7) = std::numeric_limits<double>::quiet_NaN();
  const std::string nan_file = write_maps(scratch("nan"), loc, scale_map());
  expect_invalid(
      [&] {
        (void)posterior_of(kScene + flat_prior(fmt::format("{{file = \"{}\"}}", nan_file), "0.05"));
      },
      {"loc = {file =", "pixel (x=7, y=2) = nan", "finite"});
  RealImage sd = scale_map();
  sd(4, 1) = -0.01;
  const std::string neg_file = write_maps(scratch("neg"), loc_map(), sd);
  expect_invalid(
      [&] {
        (void)posterior_of(
            kScene +
            flat_prior("1.0", fmt::format("{{file = \"{}\", hdu = \"SCALE\"}}", neg_file)));
      },
      {"priors.\"detector.pixel_response.map\"", "pixel (x=1, y=4)",
       "scale = {file =", "scale = -0.01"});
  // Inline arrays: the wrong length, and a scale <= 0 (named by its index).
  expect_invalid([&] { (void)posterior_of(kScene + flat_prior("1.0", "[0.05, 0.05]")); },
                 {"priors.\"detector.pixel_response.map\"", "scale: 2 values", "10x10"});
  const std::string coefficients = R"(
[optics.aberrations]
noll = [4, 5, 6]
coefficients = [1e-9, 0.0, -1e-9]

[priors."optics.aperture.coefficients"]
dist = "normal"
loc = 0.0
scale = [20.0, 0.0, 5.0]
unit = "nm"
)";
  expect_invalid([&] { (void)posterior_of(kScene + coefficients); },
                 {"priors.\"optics.aperture.coefficients\"", "element [1]", "scale"});
  // Parse errors of the map syntax: named with the line.
  const auto parse = [](const std::string& value) {
    return [value] { (void)parse_config(kScene + flat_prior(value, "0.05"), "maps.toml"); };
  };
  expect_invalid(parse("{file = 3}"), {"maps.toml:", "loc.file", "FITS file name"});
  expect_invalid(parse("{fil = \"a.fits\"}"), {"unknown key 'fil'", "file and hdu"});
  expect_invalid(parse("{hdu = 1}"), {"needs file ="});
  expect_invalid(parse("{file = \"a.fits\", hdu = -1}"), {"loc.hdu", "[0, 100000]"});
  expect_invalid(parse("[]"), {"loc", "empty array"});
  expect_invalid(parse("[1.0, \"a\"]"), {"loc[1]", "must be a number"});
  expect_invalid(parse("[1.0, nan]"), {"loc[1] = nan", "finite"});
}

const std::string kReadNoise =
    "\n[priors.\"detector.read_noise\"]\ndist = \"log_normal\"\nloc = 1.0\nscale = 0.5\n";

TEST(ReadNoisePrior, TheReadNoiseIsASampledSiteSharedOrPerExposure) {
  const auto post = posterior_of(kScene + kReadNoise);
  ASSERT_EQ(post.log_density().output_names(), std::vector<std::string>{"read_noise"});
  EXPECT_EQ(post.output_units(), std::vector<std::string>{"photons"});
  EXPECT_EQ(post.current_values(), std::vector<double>{3.0});  // likelihood.sigma
  // Per exposure: one sigma each, named with the exposure.
  const auto per = posterior_of(
      kScene +
      "\n[[exposures]]\nname = \"a\"\n[[exposures]]\nname = \"b\"\ndither = [0.04, 0.0]\n" +
      "\n[priors.\"exposures.*.detector.read_noise\"]\ndist = \"log_normal\"\nloc = 1.0\nscale = "
      "0.5\n");
  EXPECT_EQ(per.log_density().output_names(),
            (std::vector<std::string>{"read_noise_e0", "read_noise_e1"}));
  EXPECT_EQ(per.read_noise_index(1), 1);
  // A unit: electrons are not photons (no gain is known), a length is not a count.
  expect_invalid([&] { (void)posterior_of(kScene + kReadNoise + "unit = \"nm\"\n"); },
                 {"priors.\"detector.read_noise\"", "nm"});
}

TEST(ReadNoisePrior, PriorsTheLikelihoodCannotHonourAreNamed) {
  // Support outside sigma's domain (0, inf).
  expect_invalid(
      [&] {
        (void)posterior_of(kScene +
                           "\n[priors.\"detector.read_noise\"]\ndist = \"normal\"\nloc = 3.0\n"
                           "scale = 1.0\n");
      },
      {"maps.toml", "detector.read_noise", "normal(loc=3, scale=1)", "(0, inf)"});
  // A Poisson likelihood has no read noise.
  std::string poisson = kScene;
  poisson.replace(poisson.find("kind = \"poisson_gaussian\"\nsigma = 3.0"),
                  std::string("kind = \"poisson_gaussian\"\nsigma = 3.0").size(),
                  "kind = \"poisson\"");
  expect_invalid([&] { (void)posterior_of(poisson + kReadNoise); },
                 {"detector.read_noise", "likelihood poisson has no read-noise sigma"});
  // An exposure that does not exist.
  expect_invalid(
      [&] {
        (void)posterior_of(kScene + "\n[[exposures]]\n" +
                           "\n[priors.\"exposures.2.detector.read_noise\"]\ndist = \"log_normal\"\n"
                           "loc = 1.0\nscale = 0.5\n");
      },
      {"priors.\"exposures.2.detector.read_noise\"", "exposure '2' does not exist"});
}

}  // namespace
}  // namespace airy::config
