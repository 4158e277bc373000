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
  EXPECT_DOUBLE_EQ(c.priors[6].scale, 1e-9);
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
  expect_error("[optics.aberrations]\nnoll = [4, 0]\n", {"noll", "< 1"});
  expect_error("[optics.aberrations]\nnoll = [4, 5]\ncoefficients = [1e-9]\n",
               {"coefficients", "1 entries", "2"});
  expect_error("[source]\nwavelengths_nm = [500.0, -600.0]\n", {"wavelengths_nm", "> 0"});
  expect_error("[sampler]\ndelta = 1.5\n", {"sampler.delta", "1.5"});
  expect_error("[likelihood]\nkind = \"poison\"\n", {"likelihood.kind", "poison"});
  expect_error("[sampler]\nmetric_init = \"fisher\"\n",
               {"sampler.metric_init", "fisher", "\"identity\" or \"laplace\""});
  expect_error("[sampler]\ninit = \"zero\"\n", {"sampler.init", "zero", "\"random\" or \"map\""});
  expect_error("[sampler]\nmap_starts = 0\n", {"sampler.map_starts", "0", ">= 1"});
}

TEST(Config, PriorsAreValidated) {
  expect_error("[priors.\"source.separation\"]\ndist = \"uniform\"\nlow = 0.5\nhigh = 0.1\n",
               {"source.separation", "no support"});
  expect_error("[priors.\"source.separation\"]\nlow = 0.1\nhigh = 0.5\n", {"dist"});
  expect_error("[priors.\"source.separation\"]\ndist = \"normal\"\nloc = \"a\"\n", {"numbers"});
  expect_error("[priors.\"x\"]\ndist = \"normal\"\nunit = \"furlong\"\n", {"unit"});
}

TEST(Config, SyntaxErrorsGiveLineAndColumn) {
  expect_error("[optics]\nnpix = = 3\n", {"test.toml:2", "syntax"});
}

TEST(Config, MissingFileIsAnError) {
  EXPECT_THROW(load_config("/nonexistent/airy.toml"), InvalidArgument);
}

}  // namespace
}  // namespace airy::config
