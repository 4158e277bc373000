// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The FITS headers a run writes, read back: BUNIT, the WCS against the config's pixel
/// scale and the position of a star, provenance, and the HISTORY of fit's data copies.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string_view>

#include "airy/config/config.hpp"
#include "airy/io/fits.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"
#include "pipeline/short_flagship_test_util.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string fresh_dir(const std::string& name) { return testing::fresh_dir("airy_fitshdr_", name); }

/// `text` matches `pattern` character by character, where 'd' is any digit, 'h' any lowercase
/// hex digit, and every other character itself. (No std::regex: GCC 12 warns inside it under
/// the sanitizer build's -O1, and -Werror.)
bool matches(std::string_view text, std::string_view pattern) {
  if (text.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char t = text[i], p = pattern[i];
    const bool digit = t >= '0' && t <= '9';
    if (p == 'd' ? !digit : p == 'h' ? !(digit || (t >= 'a' && t <= 'f')) : t != p) return false;
  }
  return true;
}

/// A git revision: "unknown" or 7..40 lowercase hex digits.
bool is_revision(const std::string& s) {
  return s == "unknown" ||
         (s.size() >= 7 && s.size() <= 40 && matches(s, std::string(s.size(), 'h')));
}

/// DATE = 'YYYY-MM-DDThh:mm:ss' with optional fractional seconds.
bool is_iso_date(const std::string& s) {
  const std::string_view base = "dddd-dd-ddTdd:dd:dd";
  if (s.size() < base.size() || !matches(std::string_view(s).substr(0, base.size()), base)) {
    return false;
  }
  if (s.size() == base.size()) return true;
  return s[base.size()] == '.' && s.size() > base.size() + 1 &&
         matches(std::string_view(s).substr(base.size() + 1),
                 std::string(s.size() - base.size() - 1, 'd'));
}

/// The provenance cards every pipeline FITS file carries.
void expect_provenance(const io::FitsRead& r, const std::string& run_dir) {
  EXPECT_EQ(r.text("AIRYVER"), std::string(version()));
  ASSERT_TRUE(r.text("AIRYREV").has_value());
  EXPECT_TRUE(is_revision(*r.text("AIRYREV"))) << *r.text("AIRYREV");
  // The checksum of the config.toml written beside the file: the exact config of the run.
  EXPECT_EQ(r.text("CONFHASH"), file_checksum((fs::path(run_dir) / "config.toml").string()));
  ASSERT_TRUE(r.text("DATE").has_value());
  EXPECT_TRUE(is_iso_date(*r.text("DATE"))) << *r.text("DATE");
}

// A single star placed on a pixel of a 16 x 16 image: its peak must be at that pixel, and
// the WCS must put that pixel at the star's offset from the optical axis (RA = -x, Dec = +y,
// the documented sign convention), with CDELT = field of view / pixels from the config.
TEST(FitsHeader, SimulateWritesPhotonUnitsATanWcsAtTheOpticalAxisAndProvenance) {
  const std::string out = fresh_dir("angular");
  config::Config c = testing::short_flagship(out);
  c.priors.clear();
  c.source.type = "point";
  c.optics.coefficients_rms = 0.0;  // no aberrations: the peak is at the star
  const int n = c.optics.psf_npix * c.optics.oversample;
  // Independent of image_header's sampling arithmetic: field of view / pixels across it.
  const double scale = c.optics.psf_pixel_scale * c.optics.psf_npix / n;  // arcsec / pixel
  const int px = 10, py = 5;                                              // 0-based target pixel
  c.source.x_position = (px - (n - 1) / 2.0) * scale;                     // +2.5 pixels
  c.source.y_position = (py - (n - 1) / 2.0) * scale;                     // -2.5 pixels
  c.noise.photon = false;
  c.noise.read_sigma = 0.0;
  const SimulateResult sim = simulate(c, out);

  for (const char* file : {"data.fits", "psf.fits"}) {
    SCOPED_TRACE(file);
    const io::FitsRead r = io::read_fits((fs::path(out) / file).string());
    ASSERT_EQ(r.image.cols(), n);
    EXPECT_EQ(r.text("BUNIT"), "photon");
    EXPECT_EQ(r.text("CTYPE1"), "RA---TAN");
    EXPECT_EQ(r.text("CTYPE2"), "DEC--TAN");
    EXPECT_EQ(r.text("CUNIT1"), "deg");
    EXPECT_EQ(r.text("CUNIT2"), "deg");
    EXPECT_EQ(r.text("RADESYS"), "ICRS");
    EXPECT_NEAR(*r.number("CDELT1"), -scale / 3600.0, 1e-15 * scale);
    EXPECT_NEAR(*r.number("CDELT2"), scale / 3600.0, 1e-15 * scale);
    EXPECT_EQ(r.number("CRPIX1"), (n + 1) / 2.0);
    EXPECT_EQ(r.number("CRPIX2"), (n + 1) / 2.0);
    EXPECT_EQ(r.number("CRVAL1"), 0.0);
    EXPECT_EQ(r.number("CRVAL2"), 0.0);
    EXPECT_EQ(r.text("CONFIG"), "<embedded>");
    EXPECT_FALSE(r.text("COMMAND").has_value());  // no process command line in this test
    expect_provenance(r, out);

    Eigen::Index my = 0, mx = 0;
    r.image.maxCoeff(&my, &mx);
    EXPECT_EQ(mx, px);
    EXPECT_EQ(my, py);
    // The peak's world offset by the linear part of the WCS (1-based pixels), in arcsec.
    const double dra = (mx + 1 - *r.number("CRPIX1")) * *r.number("CDELT1") * 3600.0;
    const double ddec = (my + 1 - *r.number("CRPIX2")) * *r.number("CDELT2") * 3600.0;
    EXPECT_NEAR(dra, -c.source.x_position, 1e-12);
    EXPECT_NEAR(ddec, c.source.y_position, 1e-12);
  }

  // astropy: fits verify, WCS with celestial axes, CCDData in photon (tests/python).
  if (std::system("/usr/bin/python3 -c 'import astropy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with astropy (python3-astropy) not available";
  }
  const std::string cmd = std::string("/usr/bin/python3 ") + AIRY_SOURCE_DIR +
                          "/tests/python/check_fits.py " + sim.data_path + " " +
                          std::to_string(scale);
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  fs::remove_all(out);
}

// [output] pointing_ra / pointing_dec put the optical axis there (CRVAL), and the process's
// command line reaches simulate's files as COMMAND; astropy agrees (tests/python/check_fits.py).
TEST(FitsHeader, PointingFromTheConfigAndTheCommandLineOfSimulate) {
  const std::string out = fresh_dir("pointing");
  config::Config c = testing::short_flagship(out);
  c.priors.clear();
  c.output.pointing_ra = 150.25;
  c.output.pointing_dec = -30.5;
  set_process_command_line("airy simulate pointing.toml");
  const SimulateResult sim = simulate(c, out);
  set_process_command_line("");
  const io::FitsRead r = io::read_fits(sim.data_path);
  EXPECT_EQ(r.number("CRVAL1"), 150.25);
  EXPECT_EQ(r.number("CRVAL2"), -30.5);
  EXPECT_EQ(r.text("COMMAND"), "airy simulate pointing.toml");
  // The pointing is part of the config as run, so of its checksum.
  EXPECT_THAT(read_text((fs::path(out) / "config.toml").string()),
              HasSubstr("pointing_ra = 150.25"));
  expect_provenance(r, out);
  if (std::system("/usr/bin/python3 -c 'import astropy' >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "/usr/bin/python3 with astropy (python3-astropy) not available";
  }
  const int n = static_cast<int>(r.image.cols());
  const double scale = c.optics.psf_pixel_scale * c.optics.psf_npix / n;
  const std::string cmd = std::string("/usr/bin/python3 ") + AIRY_SOURCE_DIR +
                          "/tests/python/check_fits.py " + sim.data_path + " " +
                          std::to_string(scale) + " 150.25 -30.5 'airy simulate pointing.toml'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  fs::remove_all(out);
}

TEST(FitsHeader, CartesianSystemsGetALinearWcsInMetres) {
  config::Config c = config::parse_config(
      "[optics]\ntype = \"cartesian\"\nfocal_length = 10.0\npsf_npix = 8\n"
      "psf_pixel_scale = 6.5e-6\noversample = 2\n",
      "cartesian.toml");
  const std::string out = fresh_dir("cartesian");
  fs::create_directories(out);
  const std::string path = (fs::path(out) / "img.fits").string();
  io::write_fits(path, RealImage::Zero(16, 16), image_header(c, "MODEL", "photon", "airy x y"));
  const io::FitsRead r = io::read_fits(path);
  EXPECT_EQ(r.text("BUNIT"), "photon");
  EXPECT_EQ(r.text("CTYPE1"), "LINEAR");
  EXPECT_EQ(r.text("CTYPE2"), "LINEAR");
  EXPECT_EQ(r.text("CUNIT1"), "m");
  EXPECT_EQ(r.number("CDELT1"), 6.5e-6 / 2);  // metres per oversampled pixel
  EXPECT_EQ(r.number("CDELT2"), 6.5e-6 / 2);
  EXPECT_EQ(r.number("CRPIX1"), 8.5);
  EXPECT_FALSE(r.text("RADESYS").has_value());
  EXPECT_EQ(r.text("CONFIG"), "cartesian.toml");
  EXPECT_EQ(r.text("COMMAND"), "airy x y");
  EXPECT_EQ(r.text("CONFHASH"), text_checksum(config::to_toml(c)));
  fs::remove_all(out);
}

// fit copies the data it reads into its run directory; the copy says where it came from.
TEST(FitsHeader, FitDataCopyRecordsItsSourceAndTheCommandLine) {
  const std::string out = fresh_dir("fit");
  config::Config c =
      testing::short_flagship(out + "/sim", {.num_warmup = 10, .num_samples = 4, .map_starts = 1});
  const SimulateResult sim = simulate(c, c.output_dir);
  c.output_dir = out + "/fit";
  FitOptions o;
  o.data_path = sim.data_path;
  o.quiet = true;
  o.plots = false;
  o.handle_signals = false;
  o.command_line = "airy fit --data " + sim.data_path + " --out " + c.output_dir;
  (void)fit(c, o);
  const io::FitsRead r = io::read_fits(c.output_dir + "/data.fits");
  EXPECT_EQ(r.text("BUNIT"), "photon");
  EXPECT_EQ(r.text("COMMAND"), o.command_line);
  expect_provenance(r, c.output_dir);
  std::string history;
  for (const auto& h : r.history) history += h + "\n";
  EXPECT_THAT(history, HasSubstr("copy of " + sim.data_path + " HDU 0"));
  EXPECT_THAT(history, HasSubstr(file_checksum(sim.data_path)));
  const io::FitsRead m = io::read_fits(c.output_dir + "/model.fits");
  EXPECT_EQ(m.text("BUNIT"), "photon");
  EXPECT_EQ(m.text("CTYPE1"), "RA---TAN");
  EXPECT_EQ(m.text("COMMAND"), o.command_line);
  fs::remove_all(out);
}

}  // namespace
}  // namespace airy::pipeline
