// SPDX-License-Identifier: BSD-3-Clause
#include "airy/io/fits.hpp"

#include <fitsio.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "airy/core/error.hpp"
#include "io/scratch_dir_test_util.hpp"

namespace airy::io {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string temp_path(const std::string& name) {
  return (fs::path(testing::scratch_dir("fits")) / name).string();
}

RealImage ramp(int ny, int nx) {
  RealImage img(ny, nx);
  for (int y = 0; y < ny; ++y) {
    for (int x = 0; x < nx; ++x) img(y, x) = 1000.0 * y + x + 0.125;
  }
  return img;
}

TEST(Fits, WritesPoppyKeywordsAndReadsThemBackWithCfitsio) {
  const std::string path = temp_path("psf.fits");
  FitsHeader h;
  h.extname = "OVERSAMP";
  h.bunit = "photon";
  h.pixelscale = 0.0125;
  h.oversample = 4;
  h.det_sampling = 1;
  h.wavelength = 5.5e-7;
  h.nwaves = 1;
  h.diffraction_limit = 0.0567;
  h.history = {"airy simulate --config binary.toml"};
  h.cards = {{"SEP_AS", 0.25, "true separation [arcsec]"},
             {"NSTARS", 2LL, "sources"},
             {"NOISY", true, "photon noise"},
             {"TARGET", std::string("alpha Cen"), "name"}};
  const RealImage img = ramp(3, 5);  // ny = 3, nx = 5
  write_fits(path, img, h);

  // Independent check with raw cfitsio: NAXIS1 is x and the pixel order is [y][x].
  fitsfile* f = nullptr;
  int status = 0;
  fits_open_file(&f, path.c_str(), READONLY, &status);
  ASSERT_EQ(status, 0);
  long naxes[2] = {0, 0};
  fits_get_img_size(f, 2, naxes, &status);
  EXPECT_EQ(naxes[0], 5);
  EXPECT_EQ(naxes[1], 3);
  int bitpix = 0;
  fits_get_img_type(f, &bitpix, &status);
  EXPECT_EQ(bitpix, DOUBLE_IMG);
  double pixelscl = 0.0, wavelen = 0.0, pixel = 0.0;
  long oversamp = 0;
  char origin[FLEN_VALUE] = {};
  fits_read_key(f, TDOUBLE, "PIXELSCL", &pixelscl, nullptr, &status);
  fits_read_key(f, TDOUBLE, "WAVELEN", &wavelen, nullptr, &status);
  fits_read_key(f, TLONG, "OVERSAMP", &oversamp, nullptr, &status);
  fits_read_key(f, TSTRING, "ORIGIN", origin, nullptr, &status);
  long fpix[2] = {2, 3};  // x = 1, y = 2 (1-based)
  fits_read_pix(f, TDOUBLE, fpix, 1, nullptr, &pixel, nullptr, &status);
  fits_close_file(f, &status);
  ASSERT_EQ(status, 0);
  EXPECT_DOUBLE_EQ(pixelscl, 0.0125);
  EXPECT_DOUBLE_EQ(wavelen, 5.5e-7);
  EXPECT_EQ(oversamp, 4);
  EXPECT_STREQ(origin, "airy");
  EXPECT_DOUBLE_EQ(pixel, 2001.125);

  // And with airy's reader.
  const FitsRead r = read_fits(path);
  ASSERT_EQ(r.image.rows(), 3);
  ASSERT_EQ(r.image.cols(), 5);
  EXPECT_EQ((r.image - img).abs().maxCoeff(), 0.0);
  EXPECT_EQ(r.number("DET_SAMP"), 1.0);
  EXPECT_EQ(r.number("DIFFLMT"), 0.0567);
  EXPECT_EQ(r.number("SEP_AS"), 0.25);
  EXPECT_EQ(r.number("NSTARS"), 2.0);
  EXPECT_EQ(r.text("NOISY"), "T");
  EXPECT_EQ(r.text("TARGET"), "alpha Cen");
  EXPECT_EQ(r.text("EXTNAME"), "OVERSAMP");
  EXPECT_EQ(r.text("BUNIT"), "photon");
  EXPECT_EQ(r.text("PIXUNIT"), "arcsecond");
  EXPECT_TRUE(r.text("DATE").has_value());
}

TEST(Fits, SeveralExtensionsAndOverwrite) {
  const std::string path = temp_path("multi.fits");
  { std::ofstream(path) << "old content"; }
  FitsHeader a, b;
  a.extname = "OVERSAMP";
  b.extname = "DATA";
  write_fits(path, {{ramp(4, 4), a}, {ramp(2, 6) * 2.0, b}});
  EXPECT_EQ(fits_hdu_count(path), 2);
  const FitsRead d = read_fits(path, std::string("DATA"));
  EXPECT_EQ(d.image.rows(), 2);
  EXPECT_EQ(d.image.cols(), 6);
  EXPECT_DOUBLE_EQ(d.image(1, 5), 2.0 * 1005.125);
  EXPECT_EQ(read_fits(path, 1).text("EXTNAME"), "DATA");
  EXPECT_THAT([&] { read_fits(path, std::string("NOPE")); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("EXTNAME = 'NOPE'")));
  EXPECT_THROW(read_fits(path, 5), InvalidArgument);
}

TEST(Fits, ReadsIntegerImagesAsDouble) {
  const std::string path = temp_path("int16.fits");
  fs::remove(path);
  fitsfile* f = nullptr;
  int status = 0;
  fits_create_file(&f, path.c_str(), &status);
  long naxes[2] = {3, 2};
  fits_create_img(f, SHORT_IMG, 2, naxes, &status);
  short pix[6] = {1, 2, 3, -4, 5, 6};
  long first[2] = {1, 1};
  fits_write_pix(f, TSHORT, first, 6, pix, &status);
  fits_close_file(f, &status);
  ASSERT_EQ(status, 0);
  const FitsRead r = read_fits(path);
  EXPECT_EQ(r.image(1, 0), -4.0);
  EXPECT_EQ(r.number("BITPIX"), 16.0);
}

TEST(Fits, ErrorsNameThePathAndTheProblem) {
  EXPECT_THAT([] { read_fits("/nonexistent/x.fits"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::AllOf(HasSubstr("/nonexistent/x.fits"), HasSubstr("does not exist"))));
  const std::string text = temp_path("text.fits");
  { std::ofstream(text) << "hello, not a FITS file\n"; }
  EXPECT_THAT([&] { read_fits(text); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("not a FITS file")));
  const std::string cube = temp_path("cube.fits");
  fs::remove(cube);
  fitsfile* f = nullptr;
  int status = 0;
  fits_create_file(&f, cube.c_str(), &status);
  long naxes[3] = {2, 2, 2};
  fits_create_img(f, FLOAT_IMG, 3, naxes, &status);
  fits_close_file(f, &status);
  ASSERT_EQ(status, 0);
  EXPECT_THAT([&] { read_fits(cube); }, ::testing::ThrowsMessage<InvalidArgument>(::testing::AllOf(
                                            HasSubstr(cube), HasSubstr("NAXIS = 3"))));
  EXPECT_THROW(write_fits(temp_path("e.fits"), std::vector<FitsImage>{}), InvalidArgument);
  const std::string blocker = temp_path("a_file");
  { std::ofstream(blocker) << "x"; }
  EXPECT_THROW(write_fits(blocker + "/x.fits", ramp(2, 2), {}), Error);
}

TEST(Fits, CheckAllFiniteNamesTheFirstBadPixel) {
  RealImage img = ramp(4, 3);
  EXPECT_NO_THROW(check_all_finite(img, "psf"));
  img(2, 1) = std::numeric_limits<double>::quiet_NaN();
  img(3, 2) = std::numeric_limits<double>::infinity();
  EXPECT_THAT([&] { check_all_finite(img, "psf"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::AllOf(HasSubstr("psf"), HasSubstr("x=1, y=2"), HasSubstr("nan"))));
}

// The WCS cards as written (values to full double precision). Their meaning (astropy.wcs
// evaluating pixel -> sky) is checked by tests/python/check_fits.py on simulate's files.
TEST(Fits, WritesATanWcsWhoseReferencePixelIsTheImageCentre) {
  const std::string path = temp_path("wcs.fits");
  FitsHeader h;
  FitsWcs w;
  w.ctype = {"RA---TAN", "DEC--TAN"};
  w.cunit = {"deg", "deg"};
  w.cdelt = {-0.01 / 3600.0, 0.01 / 3600.0};
  w.radesys = "ICRS";
  w.crval_comment = "no pointing: field offsets";
  h.wcs = w;
  h.history = {"first line", std::string(100, 'h')};
  write_fits(path, ramp(4, 7), h);  // ny = 4 (even), nx = 7 (odd)

  const FitsRead r = read_fits(path);
  EXPECT_EQ(r.number("WCSAXES"), 2.0);
  EXPECT_EQ(r.text("CTYPE1"), "RA---TAN");
  EXPECT_EQ(r.text("CTYPE2"), "DEC--TAN");
  EXPECT_EQ(r.text("CUNIT1"), "deg");
  EXPECT_EQ(r.text("RADESYS"), "ICRS");
  // 0-based optical axis (n-1)/2 = 3 and 1.5 -> 1-based 4 and 2.5.
  EXPECT_EQ(r.number("CRPIX1"), 4.0);
  EXPECT_EQ(r.number("CRPIX2"), 2.5);
  EXPECT_DOUBLE_EQ(*r.number("CDELT1"), -0.01 / 3600.0);
  EXPECT_DOUBLE_EQ(*r.number("CDELT2"), 0.01 / 3600.0);
  EXPECT_EQ(r.number("CRVAL1"), 0.0);
  // HISTORY texts come back in order; a long one over several cards.
  ASSERT_GE(r.history.size(), 2u);
  EXPECT_EQ(r.history[0], "first line");
  std::string rest;
  for (std::size_t i = 1; i < r.history.size(); ++i) rest += r.history[i];
  EXPECT_EQ(rest, std::string(100, 'h'));
}

TEST(Fits, RejectsAWcsWithoutTypeOrScale) {
  FitsHeader h;
  h.wcs = FitsWcs{};
  h.wcs->ctype = {"LINEAR", "LINEAR"};
  h.wcs->cunit = {"m", "m"};
  h.wcs->cdelt = {1e-6, 0.0};
  EXPECT_THAT([&] { write_fits(temp_path("bad_wcs.fits"), ramp(2, 2), h); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::AllOf(HasSubstr("WCS axis 2"), HasSubstr("CDELT 0"))));
}

}  // namespace
}  // namespace airy::io
