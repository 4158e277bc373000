// SPDX-License-Identifier: BSD-3-Clause
#include <gtest/gtest.h>

#include <string>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"

namespace airy::config {
namespace {

// Expects parse_config to throw InvalidArgument whose message contains every fragment.
void expect_error(const std::string& text, std::initializer_list<std::string> fragments) {
  try {
    parse_config(text, "test.toml");
    FAIL() << "expected InvalidArgument for:\n" << text;
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments) {
      EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in: " << msg;
    }
  }
}

TEST(Config, FlagshipParses) {
  const Config c = parse_config(flagship_toml(), "<embedded>");
  EXPECT_EQ(c.optics.npix, 128);
  EXPECT_DOUBLE_EQ(c.optics.diameter, 1.0);
  EXPECT_EQ(c.optics.psf_npix, 16);
  EXPECT_DOUBLE_EQ(c.optics.psf_pixel_scale, 0.03);
  ASSERT_EQ(c.optics.shapes.size(), 2u);
  EXPECT_EQ(c.optics.shapes[1].type, "spider");
  EXPECT_EQ(c.optics.noll, (std::vector<int>{4, 5, 6, 7, 8, 9, 10}));
  EXPECT_DOUBLE_EQ(c.optics.coefficients_rms, 10e-9);
  EXPECT_EQ(c.source.type, "binary");
  EXPECT_DOUBLE_EQ(c.source.log_flux, 3.5);
  EXPECT_DOUBLE_EQ(c.source.contrast, 3.37);
  // Priors keep file order, not alphabetical order.
  ASSERT_EQ(c.priors.size(), 7u);
  EXPECT_EQ(c.priors[0].path, "source.x_position");
  EXPECT_EQ(c.priors[3].path, "source.position_angle");
  EXPECT_EQ(c.priors[6].path, "optics.aperture.coefficients");
  EXPECT_EQ(c.priors[6].unit, "nm");
  EXPECT_FALSE(c.priors[6].unit_scale.has_value());
  EXPECT_DOUBLE_EQ(c.priors[6].params.at("scale"), 20.0);
  EXPECT_EQ(c.sampler.num_chains, 4);
  EXPECT_EQ(c.sampler.num_warmup, 2000);
  EXPECT_EQ(c.output_dir, "airy-demo");
}

TEST(Config, ToTomlRoundTrips) {
  const Config a = parse_config(flagship_toml(), "<embedded>");
  const Config b = parse_config(to_toml(a), "<roundtrip>");
  EXPECT_EQ(to_toml(a).substr(to_toml(a).find('\n')), to_toml(b).substr(to_toml(b).find('\n')));
  ASSERT_EQ(b.priors.size(), a.priors.size());
  for (std::size_t i = 0; i < a.priors.size(); ++i) EXPECT_EQ(a.priors[i].path, b.priors[i].path);
}

TEST(Config, MisspeltKeySuggestsNearest) {
  expect_error("[optics]\ndiamter = 1.0\n", {"test.toml:2", "diamter", "did you mean 'diameter'"});
  expect_error("[sampler]\nnum_warmpu = 10\n", {"num_warmup"});
  expect_error("[optix]\n", {"unknown key", "'optics'"});
}

TEST(Config, WrongTypeAndRangeNameKeyAndValue) {
  expect_error("[optics]\nnpix = \"big\"\n", {"optics.npix", "\"big\"", "integer"});
  expect_error("[optics]\ndiameter = -1.0\n", {"optics.diameter", "-1", "> 0"});
  expect_error("[optics.aberrations]\nnoll = [4, 0]\n", {"noll", "entry 0", "[1, 100000]"});
  expect_error("[optics.aberrations]\nnoll = [4, 5]\ncoefficients = [1e-9]\n",
               {"coefficients", "1 entries", "2"});
  expect_error("[source]\nwavelengths_nm = [500.0, -600.0]\n", {"wavelengths_nm", "> 0"});
  expect_error("[sampler]\ndelta = 1.5\n", {"sampler.delta", "1.5"});
  expect_error("[likelihood]\nkind = \"poison\"\n", {"likelihood.kind", "poison"});
  expect_error("[sampler]\nmetric_init = \"fisher\"\n",
               {"sampler.metric_init", "fisher", "\"identity\" or \"laplace\""});
  expect_error("[sampler]\ninit = \"zero\"\n", {"sampler.init", "zero", "\"random\" or \"map\""});
  expect_error("[sampler]\ninit = \"map\"\nmap_starts = 0\n", {"sampler.map_starts", "0", "[1,"});
}

TEST(Config, PriorsAreValidated) {
  expect_error("[priors.\"source.separation\"]\ndist = \"uniform\"\nlow = 0.5\nhigh = 0.1\n",
               {"source.separation", "no support"});
  expect_error("[priors.\"source.separation\"]\nlow = 0.1\nhigh = 0.5\n", {"dist"});
  expect_error("[priors.\"source.separation\"]\ndist = \"normal\"\nloc = \"a\"\n", {"numbers"});
  expect_error("[priors.\"x\"]\ndist = \"normal\"\nloc = inf\n", {"loc", "finite"});
  expect_error("[priors.\"x\"]\ndist = \"normal\"\ntruth = nan\n", {"truth", "finite"});
}

// A key the chosen type does not use is an error naming it, never silently ignored.
TEST(Config, KeysTheChosenTypeDoesNotUseAreErrors) {
  expect_error("[[optics.aperture.shapes]]\ntype = \"hexagon\"\nradius = 0.5\nsides = 6\n",
               {"test.toml:4", "shapes[0].sides = 6", "not used by shape type \"hexagon\"",
                "used by: polygon"});
  expect_error("[[optics.aperture.shapes]]\ntype = \"circle\"\nradius = 0.5\nwidth = 0.1\n",
               {"shapes[0].width", "not used by shape type \"circle\""});
  expect_error("[optics]\ntype = \"angular\"\nfocal_length = 2.0\n",
               {"optics.focal_length = 2", "not used by type = \"angular\"", "cartesian"});
  expect_error("[source]\ntype = \"point\"\nseparation = 0.1\n",
               {"source.separation", "not used by type = \"point\"", "binary"});
  expect_error("[source]\ntype = \"point\"\ncontrast = 2.0\n", {"source.contrast"});
  expect_error("[source]\nwavelengths_nm = [550.0]\nn_wavelengths = 3\n",
               {"source.n_wavelengths = 3", "explicit wavelengths_nm"});
  expect_error("[source]\nwavelengths_nm = [550.0]\nband_nm = [500.0, 600.0]\n",
               {"source.band_nm"});
  expect_error("[optics.aperture]\nsoft_edge = \"oversample\"\nedge_width = 0.01\n",
               {"optics.aperture.edge_width", "soft_edge = \"oversample\"", "analytic"});
  expect_error("[optics.aperture]\nsoft_edge = \"hard\"\nedge_oversample = 3\n",
               {"edge_oversample", "soft_edge = \"hard\""});
  expect_error("[likelihood]\nkind = \"poisson\"\nsigma = 3.0\n",
               {"likelihood.sigma", "not used by kind = \"poisson\""});
  expect_error(
      "[[detector.layers]]\ntype = \"jitter\"\nsigma = 1.0\nvalue = 3.0\n",
      {"layers[0].value", "not used by detector layer type \"jitter\"", "background, saturation"});
  expect_error("[optics.aberrations]\nnoll = [4]\ncoefficients = [1e-9]\ncoefficients_rms = 1e-9\n",
               {"coefficients_rms", "coefficients are given explicitly"});
  expect_error("[sampler]\nmetric = \"fisher\"\nmetric_init = \"laplace\"\n",
               {"sampler.metric_init", "metric = \"fisher\""});
  expect_error("[sampler]\nmap_starts = 4\n", {"sampler.map_starts", "not used"});
}

// Keys a type needs have no silent default (a jitter without sigma used to fail later as
// "GaussianJitter: sigma = 0", naming no file or key).
TEST(Config, RequiredKeysAreNamed) {
  expect_error("[[detector.layers]]\ntype = \"jitter\"\n",
               {"test.toml", "detector.layers[0].sigma", "required"});
  expect_error("[[detector.layers]]\ntype = \"downsample\"\n", {"layers[0].factor", "required"});
  expect_error("[[detector.layers]]\ntype = \"background\"\n", {"layers[0].value", "required"});
  expect_error("[[optics.aperture.shapes]]\ntype = \"circle\"\n", {"shapes[0].radius", "required"});
  expect_error("[[optics.aperture.shapes]]\ntype = \"polygon\"\nradius = 0.5\n",
               {"shapes[0].sides", "required"});
  expect_error("[optics]\ntype = \"cartesian\"\n", {"optics.focal_length", "required"});
}

// Integers are range-checked as 64-bit values before narrowing: 2^32 + 2 is never 2.
TEST(Config, IntegersAreRangeCheckedBeforeNarrowing) {
  expect_error("[optics]\nnpix = 4294967298\n", {"optics.npix = 4294967298", "[2, 46340]"});
  expect_error("[sampler]\nnum_chains = 4294967298\n", {"sampler.num_chains = 4294967298"});
  expect_error("[sampler]\nnum_chains = 0\n", {"sampler.num_chains = 0", "[1, 4096]"});
  expect_error("[sampler]\nmax_depth = 64\n", {"sampler.max_depth = 64", "[1, 30]"});
  expect_error("[optics]\npsf_npix = 100\noversample = 1000\n", {"optics.oversample", "46340"});
  expect_error("[sampler]\nseed = -1\n", {"sampler.seed = -1", "[0, 9223372036854775807]"});
  expect_error("[noise]\nseed = -5\n", {"noise.seed = -5"});
  // Seeds are full 64-bit: 2^32 is not seed 0.
  const Config c = parse_config(
      "[sampler]\nseed = 4294967296\n[noise]\nseed = 4294967297\n"
      "[optics.aberrations]\nnoll = [4]\ncoefficients_seed = 9223372036854775807\n",
      "t.toml");
  EXPECT_EQ(c.sampler.seed, 4294967296ULL);
  EXPECT_EQ(c.noise.seed, 4294967297ULL);
  EXPECT_EQ(c.optics.coefficients_seed, 9223372036854775807ULL);
  // ... and survive the round trip through the run's config.toml.
  const Config back = parse_config(to_toml(c), "back.toml");
  EXPECT_EQ(back.sampler.seed, c.sampler.seed);
  EXPECT_EQ(back.noise.seed, c.noise.seed);
}

// log10 photons beyond +-300 is inf or 0 in double precision: a model without light.
TEST(Config, LogFluxMustGiveFiniteNonZeroPhotons) {
  expect_error("[source]\nlog_flux = 400.0\n", {"source.log_flux = 400", "finite and non-zero"});
  expect_error("[source]\nlog_flux = -400.0\n", {"source.log_flux = -400"});
  expect_error(
      "[source]\ntype = \"points\"\npositions_x = [0.0]\npositions_y = [0.0]\n"
      "log_fluxes = [1e3]\n",
      {"source.log_fluxes"});
}

TEST(Config, SyntaxErrorsGiveLineAndColumn) {
  expect_error("[optics]\nnpix = = 3\n", {"test.toml:2", "syntax"});
}

TEST(Config, MissingFileIsAnError) {
  EXPECT_THROW(load_config("/nonexistent/airy.toml"), InvalidArgument);
}

}  // namespace
}  // namespace airy::config

namespace airy::config {
namespace {

// to_toml escapes control characters in strings (TOML forbids them unescaped): a prior path
// with a form feed (found by fuzzing) and a name with a newline survive the round trip.
TEST(Config, ToTomlEscapesControlCharacters) {
  const Config c = parse_config(
      "[priors.\"source.log\\fflux\\u0001\"]\ndist = \"normal\"\nloc = 0\nscale = 1\n"
      "[output]\ndir = \"a\\tb\\nc\\\"d\\\\e\"\n",
      "t.toml");
  ASSERT_EQ(c.priors.size(), 1U);
  EXPECT_EQ(c.priors[0].path, std::string("source.log\fflux\x01"));
  const Config back = parse_config(to_toml(c), "back.toml");
  ASSERT_EQ(back.priors.size(), 1U);
  EXPECT_EQ(back.priors[0].path, c.priors[0].path);
  EXPECT_EQ(back.output_dir, std::string("a\tb\nc\"d\\e"));
}

// [output]: the posterior.nc switches and the pointing, validated (key and value named) and
// written back by to_toml.
TEST(Config, OutputSwitchesAndPointing) {
  const Config c = parse_config(
      "[output]\nlog_likelihood = false\nposterior_predictive = \"auto\"\n"
      "posterior_predictive_draws = 40\nauto_max_megabytes = 12.5\n"
      "pointing_ra = 10.5\npointing_dec = -20.25\n",
      "o.toml");
  EXPECT_EQ(c.output.log_likelihood, "false");
  EXPECT_EQ(c.output.posterior_predictive, "auto");
  EXPECT_EQ(c.output.posterior_predictive_draws, 40);
  EXPECT_EQ(c.output.auto_max_megabytes, 12.5);
  EXPECT_EQ(c.output.pointing_ra, 10.5);
  EXPECT_EQ(c.output.pointing_dec, -20.25);
  const Config back = parse_config(to_toml(c), "back.toml");
  EXPECT_EQ(back.output.log_likelihood, "false");
  EXPECT_EQ(back.output.posterior_predictive, "auto");
  EXPECT_EQ(back.output.posterior_predictive_draws, 40);
  EXPECT_EQ(back.output.pointing_ra, 10.5);
  EXPECT_EQ(back.output.pointing_dec, -20.25);
  const Config defaults = parse_config("", "empty.toml");
  EXPECT_EQ(defaults.output.log_likelihood, "auto");
  EXPECT_FALSE(defaults.output.pointing_ra.has_value());
  EXPECT_FALSE(parse_config(to_toml(defaults), "d.toml").output.pointing_ra.has_value());

  auto error = [](const std::string& body) {
    try {
      (void)parse_config("[output]\n" + body, "bad.toml");
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(error("log_likelihood = \"sometimes\"\n").find("output.log_likelihood"),
            std::string::npos);
  EXPECT_NE(error("posterior_predictive_draws = 0\n").find("posterior_predictive_draws"),
            std::string::npos);
  EXPECT_NE(error("auto_max_megabytes = -1.0\n").find("auto_max_megabytes"), std::string::npos);
  EXPECT_NE(error("pointing_ra = 360.0\npointing_dec = 0.0\n").find("pointing_ra"),
            std::string::npos);
  EXPECT_NE(error("pointing_ra = 1.0\npointing_dec = 91.0\n").find("pointing_dec"),
            std::string::npos);
  EXPECT_NE(error("pointing_ra = 1.0\n").find("go together"), std::string::npos);
}

}  // namespace
}  // namespace airy::config
