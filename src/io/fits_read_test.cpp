// SPDX-License-Identifier: BSD-3-Clause
// Damaged and hostile FITS files (found by fuzz/fuzz_fits.cpp, docs/reliability.md §Fuzzing):
// each must give airy::InvalidArgument naming the file and the header value, never
// std::bad_alloc, a bare airy::Error or a crash.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
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

/// A FITS file written byte by byte: 80-character header cards, END, blank padding to 2880
/// bytes, then `data_bytes` zero bytes (padded to 2880 unless `pad_data` is false).
std::string raw_fits(const std::string& name, const std::vector<std::string>& cards,
                     std::size_t data_bytes, bool pad_data = true) {
  std::string text;
  for (const std::string& c : cards) text += (c + std::string(80, ' ')).substr(0, 80);
  text += (std::string("END") + std::string(80, ' ')).substr(0, 80);
  text.resize((text.size() + 2879) / 2880 * 2880, ' ');
  const std::size_t data = pad_data ? (data_bytes + 2879) / 2880 * 2880 : data_bytes;
  text.append(data, '\0');
  const std::string path = (fs::path(testing::scratch_dir("fits_read")) / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::vector<std::string> image_cards(const std::string& bitpix, const std::string& naxis1,
                                     const std::string& naxis2) {
  return {"SIMPLE  =                    T", "BITPIX  = " + bitpix, "NAXIS   =                    2",
          "NAXIS1  = " + naxis1, "NAXIS2  = " + naxis2};
}

TEST(FitsRead, ReadsAHandWrittenFile) {
  std::vector<std::string> cards = image_cards("-64", "3", "2");
  cards.push_back("EXPTIME =               1.5D+03 / a FITS 'D' exponent");
  const FitsRead r = read_fits(raw_fits("ok.fits", cards, 48));
  EXPECT_EQ(r.image.rows(), 2);
  EXPECT_EQ(r.image.cols(), 3);
  EXPECT_EQ(r.image(1, 2), 0.0);
  // strtod alone stops at the 'D' and reads 1.5.
  EXPECT_EQ(r.number("EXPTIME"), 1500.0);
}

TEST(FitsRead, HugeNaxisIsANamedErrorNotAnAllocation) {
  // The case: NAXIS2 = 2e9 in the header of a small file.
  const std::string path = raw_fits("naxis2.fits", image_cards("-64", "8", "2000000000"), 512);
  EXPECT_THAT([&] { read_fits(path); },
              ThrowsMessage<InvalidArgument>(AllOf(HasSubstr(path), HasSubstr("NAXIS1 x NAXIS2"),
                                                   HasSubstr("8 x 2000000000"))));
  // A product beyond 64 bits.
  const std::string overflow =
      raw_fits("overflow.fits", image_cards("8", "4294967296", "4294967296"), 2880);
  EXPECT_THAT([&] { read_fits(overflow); },
              ThrowsMessage<InvalidArgument>(HasSubstr("4294967296 x 4294967296")));
}

TEST(FitsRead, MoreDataThanTheFileHoldsIsANamedError) {
  // 8 x 1000 doubles need 64000 bytes; the file has one 2880-byte data block.
  const std::string path = raw_fits("short.fits", image_cards("-64", "8", "1000"), 2880);
  EXPECT_THAT([&] { read_fits(path); },
              ThrowsMessage<InvalidArgument>(
                  AllOf(HasSubstr(path), HasSubstr("BITPIX = -64 need 64000 bytes"),
                        HasSubstr("holds 2880 bytes after the header"), HasSubstr("truncated"))));
  // A file cut inside its data block (a copy interrupted by a full disk).
  const std::string cut = raw_fits("cut.fits", image_cards("16", "8", "8"), 100, false);
  EXPECT_THAT([&] { read_fits(cut); },
              ThrowsMessage<InvalidArgument>(HasSubstr("holds 100 bytes after the header")));
}

TEST(FitsRead, EmptyAxesAreNamed) {
  const std::string path = raw_fits("empty.fits", image_cards("-32", "0", "8"), 0);
  EXPECT_THAT([&] { read_fits(path); },
              ThrowsMessage<InvalidArgument>(AllOf(HasSubstr(path), HasSubstr("NAXIS1 = 0"))));
}

TEST(FitsRead, DamagedHeadersAndMissingHdusAreInvalidArguments) {
  // BITPIX that FITS does not define: cfitsio's failure becomes a named InvalidArgument.
  const std::string bad = raw_fits("bitpix.fits", image_cards("12", "2", "2"), 8);
  EXPECT_THAT([&] { read_fits(bad); }, ThrowsMessage<InvalidArgument>(HasSubstr(bad)));
  const std::string one = raw_fits("one.fits", image_cards("8", "2", "2"), 4);
  EXPECT_THAT([&] { read_fits(one, 1); },
              ThrowsMessage<InvalidArgument>(
                  AllOf(HasSubstr("has no readable HDU 1"), HasSubstr("1 HDUs"))));
  EXPECT_THAT([&] { read_fits(one, -1); },
              ThrowsMessage<InvalidArgument>(HasSubstr("HDU -1: must be >= 0")));
  EXPECT_THAT([&] { read_fits(one, std::string("DATA")); },
              ThrowsMessage<InvalidArgument>(HasSubstr("no HDU with EXTNAME = 'DATA'")));
}

/// Every seed and fixed reproducer of the fuzz corpus reads or fails with InvalidArgument
/// (the libFuzzer target also checks this, but only in the clang build of scripts/fuzz.sh).
TEST(FitsRead, FuzzCorpusGivesImagesOrInvalidArgument) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(AIRY_SOURCE_DIR "/tests/fuzz/corpus/fits")) {
    const std::string path = entry.path().string();
    SCOPED_TRACE(path);
    for (int hdu = 0; hdu < 2; ++hdu) {
      try {
        (void)read_fits(path, hdu);
      } catch (const InvalidArgument&) {
      }
    }
    try {
      (void)read_fits(path, std::string("DATA"));
    } catch (const InvalidArgument&) {
    }
    ++files;
  }
  EXPECT_GE(files, 10);
}

}  // namespace
}  // namespace airy::io

namespace airy::io {
namespace {

// A tile-compressed image reads back exactly; one whose tile descriptor points outside the
// heap is a named error before cfitsio sizes a buffer from it (a 4 GB malloc found by fuzzing).
TEST(FitsRead, TileCompressedImagesAndDamagedTileDescriptors) {
  const std::string corpus = std::string(AIRY_SOURCE_DIR) + "/tests/fuzz/corpus/fits/";
  const FitsRead r = read_fits(corpus + "rice_compressed_8x8", 1);
  ASSERT_EQ(r.image.rows(), 8);
  ASSERT_EQ(r.image.cols(), 8);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(r.image.data()[i], 10.0 + i) << i;
  try {
    // The fuzzed file with its ZTILE2 = (  1 made a number (the original is refused for that
    // value below, before its descriptors are read).
    (void)read_fits(corpus + "cfitsio_tile_descriptor_4gb_malloc_numeric_tile", 1);
    ADD_FAILURE() << "a damaged tile descriptor was read";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("cfitsio_tile_descriptor_4gb_malloc"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("heap (PCOUNT): damaged tile-compressed image"));
  }
  // ZTILE2 = 0: cfitsio divides by it while moving to the HDU (SIGFPE, a fuzzing finding);
  // airy stops before cfitsio reads the header, naming the HDU, key and value.
  // The second file also has a misspelt NAXIS in its primary header ("NAXIS 2 =", which
  // cfitsio copes with): the check must not depend on following the headers' sizes.
  for (const char* file :
       {"cfitsio_ztile_zero_division", "cfitsio_ztile_zero_division_bad_primary"})
    for (int hdu : {0, 1}) {
      try {
        (void)read_fits(corpus + file, hdu);
        ADD_FAILURE() << "ZTILE2 = 0 was accepted";
      } catch (const InvalidArgument& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("HDU 1: ZTILE2 = 0: must be an integer >= 1"));
      }
    }
  // A numeric key that holds no number: cfitsio's error path overflowed a buffer on it.
  const std::pair<const char*, const char*> not_numbers[] = {
      {"cfitsio_zval_not_a_number_strncat", "HDU 1: ZVAL2 = (        2: must be a number"},
      {"cfitsio_tile_descriptor_4gb_malloc",
       "HDU 1: ZTILE2 = (                1: must be a number"}};
  for (const auto& [file, message] : not_numbers) {
    try {
      (void)read_fits(corpus + file, 1);
      ADD_FAILURE() << file << " was read";
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(e.what(), ::testing::HasSubstr(message));
    }
  }
}

}  // namespace
}  // namespace airy::io
