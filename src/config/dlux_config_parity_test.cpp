// SPDX-License-Identifier: BSD-3-Clause
// The config path (TOML -> build_telescope) against real dLux 0.15.1 on the two cases issue
// #10 found silently wrong: a one-wavelength band (dLuxToliman's linspace gives the band's
// start) and a pixel-response map read from FITS (dLux ApplyPixelResponse). Fixtures:
// tests/fixtures/dlux/{single_wavelength_band,pixel_response}.toml (tools/dlux_reference.sh).
#include <gtest/gtest.h>

#include <toml++/toml.h>
#include <filesystem>
#include <string>

#include "airy/config/build.hpp"
#include "airy/io/fits.hpp"
#include "config/dlux_fixture_test_util.hpp"

namespace airy::config {
namespace {

namespace fs = std::filesystem;
const fs::path& kDir = airy::testing::kDluxFixtureDir;

using airy::testing::fixture_matrix;
using airy::testing::peak_error;

/// The fixtures' flagship (tools/dlux_reference.py): 128 px pupil of 1 m, circle through
/// combine(oversample 5), Noll 4-10 explicit coefficients, 16 px at 0.03", AlphaCen defaults.
std::string flagship_config(int n_wavelengths, const std::string& detector) {
  return R"(
[optics]
npix = 128
diameter = 1.0
psf_npix = 16
psf_pixel_scale = 0.03
[optics.aperture]
soft_edge = "oversample"
edge_oversample = 5
[[optics.aperture.shapes]]
type = "circle"
radius = 0.5
[optics.aberrations]
noll = [4, 5, 6, 7, 8, 9, 10]
coefficients = [1.5e-9, -0.8e-9, 1.1e-9, -2.0e-9, 0.6e-9, 1.7e-9, -1.2e-9]
[source]
type = "binary"
separation = 0.1
position_angle = 90.0
log_flux = 3.5
contrast = 3.37
band_nm = [530.0, 640.0]
n_wavelengths = )" +
         std::to_string(n_wavelengths) + "\n" + detector;
}

TEST(DluxConfigParity, OneWavelengthBandIsTheBandStart) {
  const fs::path f = kDir / "single_wavelength_band.toml";
  if (!fs::exists(f)) GTEST_SKIP() << "no fixture " << f;
  const toml::table t = toml::parse_file(f.string());
  const Config c = parse_config(flagship_config(1, ""), "single.toml");
  EXPECT_LT(peak_error(build_telescope(c).model(), fixture_matrix(t["image"]["data"])), 1e-12);
}

TEST(DluxConfigParity, PixelResponseFromFitsMatchesApplyPixelResponse) {
  const fs::path f = kDir / "pixel_response.toml";
  if (!fs::exists(f)) GTEST_SKIP() << "no fixture " << f;
  const toml::table t = toml::parse_file(f.string());
  const RealImage map = fixture_matrix(t["detector"]["layers"][0]["data"]);
  const fs::path dir = fs::temp_directory_path() / "airy_dlux_flat";
  fs::create_directories(dir);
  io::write_fits((dir / "flat.fits").string(), map, {});
  const Config c =
      parse_config(flagship_config(5, "[[detector.layers]]\ntype = \"pixel_response\"\nfile = \"" +
                                          (dir / "flat.fits").string() + "\"\n"),
                   "flat.toml");
  EXPECT_LT(peak_error(build_telescope(c).model(), fixture_matrix(t["image"]["data"])), 1e-12);
}

}  // namespace
}  // namespace airy::config
