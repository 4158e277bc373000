// SPDX-License-Identifier: BSD-3-Clause
// [[exposures]] real-data keys (issue #11 §2): variance / err and mask / DQ maps by file and
// HDU parse, round-trip through to_toml, resolve relative to the config's directory, and bad
// combinations are named errors.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"

namespace airy::config {
namespace {

namespace fs = std::filesystem;

const char* kMaps = R"(
[[exposures]]
name = "cal"
data = "cal.fits"
hdu = "SCI"
err_hdu = "ERR"
mask_hdu = "DQ"
mask_bits = 5

[[exposures]]
name = "raw"
data = "raw.fits"
variance = "var.fits"
variance_hdu = 2
mask = "bad_pixels.fits"
)";

Config with(const std::string& extra) {
  return parse_config(std::string(flagship_toml()) + extra, "maps.toml");
}

TEST(ExposureMapsConfig, ParseAndRoundTrip) {
  const Config c = with(kMaps);
  ASSERT_EQ(c.exposures.size(), 2u);
  const ExposureConfig& cal = c.exposures[0];
  EXPECT_TRUE(cal.has_err() && !cal.has_variance() && cal.has_mask());
  EXPECT_EQ(cal.err, "");
  EXPECT_EQ(cal.err_hdu, "ERR");
  EXPECT_EQ(cal.mask_hdu, "DQ");
  EXPECT_EQ(cal.mask_bits, std::optional<std::uint64_t>(5));
  const ExposureConfig& raw = c.exposures[1];
  EXPECT_TRUE(raw.has_variance() && !raw.has_err());
  EXPECT_EQ(raw.variance, "var.fits");
  EXPECT_EQ(raw.variance_hdu, "2");
  EXPECT_EQ(raw.mask, "bad_pixels.fits");
  EXPECT_FALSE(raw.mask_bits.has_value());
  std::string text = to_toml(c);
  const Config back = parse_config(text, "maps.toml");
  EXPECT_EQ(to_toml(back), text);
  EXPECT_NE(text.find("err_hdu = \"ERR\""), std::string::npos) << text;
  EXPECT_NE(text.find("variance_hdu = 2"), std::string::npos) << text;
}

TEST(ExposureMapsConfig, FilesAreRelativeToTheConfigsDirectory) {
  const fs::path dir = fs::temp_directory_path() / "airy_exposure_maps_config";
  fs::create_directories(dir);
  const fs::path cfg = dir / "maps.toml";
  std::ofstream(cfg) << flagship_toml() << kMaps;
  const Config c = load_config(cfg.string());
  EXPECT_EQ(c.exposures[0].data, (dir / "cal.fits").string());
  EXPECT_EQ(c.exposures[0].err, "");  // the data file's HDU: stays empty
  EXPECT_EQ(c.exposures[1].variance, (dir / "var.fits").string());
  EXPECT_EQ(c.exposures[1].mask, (dir / "bad_pixels.fits").string());
}

TEST(ExposureMapsConfig, BadKeysAreNamed) {
  auto expect = [](const std::string& extra, const std::string& a, const std::string& b) {
    try {
      (void)with(extra);
      FAIL() << "expected InvalidArgument for " << extra;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(a), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(b), std::string::npos) << e.what();
    }
  };
  expect("[[exposures]]\nvariance = \"v.fits\"\nerr = \"e.fits\"\n", "exposures[0].err",
         "not both");
  expect("[[exposures]]\nmask_bits = 1\n", "exposures[0].mask_bits", "needs a mask");
  expect("[[exposures]]\nmask = \"m.fits\"\nmask_bits = 0\n", "exposures[0].mask_bits",
         "positive integer");
  expect("[[exposures]]\nerr_hdu = 1.5\n", "exposures[0].err_hdu", "EXTNAME");
  expect("[[exposures]]\nmask_hdu = -2\n", "exposures[0].mask_hdu", "[0, 100000]");
}

}  // namespace
}  // namespace airy::config
