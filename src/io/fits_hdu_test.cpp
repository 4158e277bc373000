// SPDX-License-Identifier: BSD-3-Clause
// HDU selection by number or EXTNAME (issue #11 real data: a JWST-like file with SCI, ERR and
// DQ extensions behind an empty primary HDU).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"
#include "io/scratch_dir_test_util.hpp"

namespace airy::io {
namespace {

namespace fs = std::filesystem;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

/// A file with images whose pixels tell them apart: HDU k holds the value 10 k + (x + 4 y).
std::string sci_err_dq(const std::string& name) {
  std::vector<FitsImage> images;
  const char* names[] = {"PRIMARY", "SCI", "ERR", "DQ"};
  for (int k = 0; k < 4; ++k) {
    FitsImage img;
    img.image = RealImage(3, 4);
    for (int y = 0; y < 3; ++y) {
      for (int x = 0; x < 4; ++x) img.image(y, x) = 10.0 * k + x + 4 * y;
    }
    img.header.extname = names[k];
    images.push_back(img);
  }
  const std::string path = (fs::path(testing::scratch_dir("fits_hdu")) / name).string();
  write_fits(path, images);
  return path;
}

TEST(FitsHdu, SelectsByNumberOrExtnameIgnoringCase) {
  const std::string path = sci_err_dq("sci.fits");
  // (x=1, y=2) holds 10 k + 9.
  EXPECT_EQ(read_fits_hdu(path, "").image(2, 1), 9.0);
  EXPECT_EQ(read_fits_hdu(path, "0").image(2, 1), 9.0);
  EXPECT_EQ(read_fits_hdu(path, "2").image(2, 1), 29.0);
  EXPECT_EQ(read_fits_hdu(path, "SCI").image(2, 1), 19.0);
  EXPECT_EQ(read_fits_hdu(path, "err").image(2, 1), 29.0);
  EXPECT_EQ(read_fits_hdu(path, "DQ").image(2, 1), 39.0);
  EXPECT_EQ(read_fits_hdu(path, "SCI").text("EXTNAME").value_or(""), "SCI");
}

TEST(FitsHdu, MissingHduIsNamedWithWhatExists) {
  const std::string path = sci_err_dq("missing.fits");
  EXPECT_THAT([&] { (void)read_fits_hdu(path, "VAR"); },
              ThrowsMessage<InvalidArgument>(AllOf(HasSubstr(path), HasSubstr("EXTNAME = 'VAR'"),
                                                   HasSubstr("1 = 'SCI'"), HasSubstr("3 = 'DQ'"))));
  EXPECT_THAT([&] { (void)read_fits_hdu(path, "7"); },
              ThrowsMessage<InvalidArgument>(
                  AllOf(HasSubstr("has no readable HDU 7"), HasSubstr("4 HDUs"))));
}

}  // namespace
}  // namespace airy::io
