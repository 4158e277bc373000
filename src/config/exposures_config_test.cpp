// SPDX-License-Identifier: BSD-3-Clause
// [[exposures]] (issue #11): the tables parse and round-trip, each exposure's telescope carries
// its dither, flux scale, band and diversity, "exposures.*.<path>" priors become one site per
// exposure, and bad exposure input is a named error.
#include <gtest/gtest.h>

#include <string>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::config {
namespace {

const char* kExposures = R"(
[[exposures]]
name = "a"
dither = [0.0, 0.0]

[[exposures]]
name = "b"
dither = [0.03, -0.015]
flux_scale = 1.4
hdu = "SCI"

[[exposures]]
dither = [-0.02, 0.02]
band_nm = [600.0, 700.0]
n_wavelengths = 2
diversity_noll = [4]
diversity_coefficients = [150e-9]

[priors."exposures.*.exposure.flux_scale"]
dist = "log_normal"
loc = 0.0
scale = 0.3
)";

Config with_exposures(const std::string& extra = kExposures) {
  std::string text(flagship_toml());
  text.replace(text.find("npix = 128"), 10, "npix = 32");
  return parse_config(text + extra, "multi.toml");
}

using testing::expect_invalid;

TEST(ExposuresConfig, ParseAndRoundTrip) {
  const Config c = with_exposures();
  ASSERT_EQ(c.exposures.size(), 3u);
  EXPECT_EQ(c.exposures[1].name, "b");
  EXPECT_EQ(c.exposures[1].hdu, "SCI");
  EXPECT_DOUBLE_EQ(c.exposures[1].dither_x, 0.03);
  EXPECT_DOUBLE_EQ(c.exposures[1].flux_scale, 1.4);
  ASSERT_TRUE(c.exposures[2].spectrum.has_value());
  EXPECT_EQ(c.exposures[2].spectrum->n_wavelengths, 2);
  EXPECT_EQ(c.exposures[2].diversity_noll, std::vector<int>{4});
  const Config back = parse_config(to_toml(c), "back.toml");
  ASSERT_EQ(back.exposures.size(), 3u);
  EXPECT_EQ(to_toml(back), to_toml(c).replace(to_toml(c).find("multi.toml"), 10, "back.toml"));
}

TEST(ExposuresConfig, EachExposureHasItsOwnSettings) {
  const Config c = with_exposures();
  const auto telescopes = build_exposure_telescopes(c);
  ASSERT_EQ(telescopes.size(), 3u);
  EXPECT_DOUBLE_EQ(telescopes[1].get("exposure.dither")[0], 0.03);
  EXPECT_DOUBLE_EQ(telescopes[1].get("exposure.flux_scale")[0], 1.4);
  EXPECT_EQ(telescopes[2].get("source.weights").size(), 4);  // 2 wavelengths x 2 stars
  EXPECT_NO_THROW((void)telescopes[2].get("optics.diversity.opd"));
  EXPECT_THROW((void)telescopes[0].get("optics.diversity.opd"), InvalidArgument);
  // Exposure a: no dither, unit flux scale: the single-image telescope's image.
  Config single = c;
  single.exposures.clear();
  single.priors.pop_back();
  const RealImage a = telescopes[0].model(), s = build_telescope(single).model();
  EXPECT_EQ((a - s).abs().maxCoeff(), 0.0);
  EXPECT_GT((telescopes[1].model() - s).abs().maxCoeff(), 0.01 * s.maxCoeff());
}

TEST(ExposuresConfig, StarPriorsBecomeOneSitePerExposure) {
  const Config c = with_exposures();
  const auto telescopes = build_exposure_telescopes(c);
  std::vector<RealImage> data;
  for (const auto& t : telescopes) data.push_back(t.model());
  const auto post = build_posterior(c, telescopes, data);
  const auto names = post.log_density().output_names();
  ASSERT_EQ(names.size(), 13u + 3u);
  EXPECT_EQ(names[13], "flux_scale_e0");
  EXPECT_EQ(names[15], "flux_scale_e2");
  EXPECT_NEAR(post.current_values()[14], 1.4, 1e-15);
  EXPECT_EQ(post.num_exposures(), 3);
}

TEST(ExposuresConfig, BadExposureInputIsNamed) {
  expect_invalid([] { (void)with_exposures("[[exposures]]\nflux_scale = -1.0\n"); },
                 {"multi.toml", "exposures[0].flux_scale = -1", "> 0"});
  expect_invalid([] { (void)with_exposures("[[exposures]]\ndither = [0.1]\n"); },
                 {"exposures[0].dither", "[x, y]"});
  expect_invalid([] { (void)with_exposures("[[exposures]]\nhdu = 1.5\n"); },
                 {"exposures[0].hdu", "EXTNAME"});
  expect_invalid(
      [] { (void)with_exposures("[[exposures]]\nwavelengths_nm = [500.0]\nn_wavelengths = 3\n"); },
      {"exposures[0].n_wavelengths", "not used"});
  expect_invalid(
      [] {
        (void)with_exposures(
            "[[exposures]]\ndiversity_noll = [4, 5]\ndiversity_coefficients = [1e-9]\n");
      },
      {"diversity_coefficients", "has 1 entries"});
  expect_invalid(
      [] { (void)with_exposures("[[exposures]]\nname = \"x\"\n[[exposures]]\nname = \"x\"\n"); },
      {"exposures[1].name", "share"});
  // A per-exposure prior on a path no exposure has, an exposure that does not exist, and a
  // per-exposure path without [[exposures]].
  const auto build = [](const std::string& extra) {
    const Config c = with_exposures(extra);
    const auto t = build_exposure_telescopes(c);
    std::vector<RealImage> d;
    for (const auto& x : t) d.push_back(x.model());
    (void)build_posterior(c, t, d);
  };
  expect_invalid(
      [&] {
        build(
            "[[exposures]]\n[priors.\"exposures.0.detector.background.value\"]\ndist = "
            "\"normal\"\nloc = 0.0\nscale = 1.0\n");
      },
      {"priors.\"exposures.0.detector.background.value\"", "unknown parameter path"});
  expect_invalid(
      [&] {
        build(
            "[[exposures]]\n[priors.\"exposures.4.exposure.flux_scale\"]\ndist = "
            "\"log_normal\"\nloc = 0.0\nscale = 1.0\n");
      },
      {"exposure '4' does not exist"});
  expect_invalid(
      [&] {
        build(
            "[priors.\"exposures.*.source.log_flux\"]\ndist = \"uniform\"\nlow = 3.0\nhigh = "
            "4.0\n");
      },
      {"needs [[exposures]]"});
}

}  // namespace
}  // namespace airy::config
