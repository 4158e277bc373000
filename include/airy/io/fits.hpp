// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief FITS images with poppy's header keywords (docs/file_formats.md §FITS).
///
/// Images are row-major [y, x]; FITS NAXIS1 is x (varies fastest), so astropy's
/// `fits.getdata(path)` returns `data[y, x]` with shape (ny, nx), exactly the airy array.
/// Files are written as 64-bit floats (BITPIX = -64), atomically: to a temporary name in the
/// same directory, renamed over `path` only when cfitsio closed it without error.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "airy/core/arrays.hpp"

namespace airy::io {

/// A free header card: KEY (<= 8 characters, upper case), value and comment.
struct FitsCard {
  std::string key;
  std::variant<double, long long, bool, std::string> value;
  std::string comment;
};

/// Header keywords of one image HDU. Optional keys are written only when set.
struct FitsHeader {
  std::string extname;                      ///< EXTNAME ('OVERSAMP', 'DET_SAMP', 'DATA', ...)
  std::string bunit;                        ///< BUNIT, e.g. 'photons' or 'm'
  std::optional<double> pixelscale;         ///< PIXELSCL, arcsec per pixel (or m in pupils)
  std::string pixunit = "arcsecond";        ///< PIXUNIT ('arcsecond' or 'meter')
  std::optional<int> oversample;            ///< OVERSAMP
  std::optional<int> det_sampling;          ///< DET_SAMP
  std::optional<double> wavelength;         ///< WAVELEN, metres (mean wavelength)
  std::optional<int> nwaves;                ///< NWAVES
  std::vector<double> waves;                ///< WAVE0.. (m), written when non-empty
  std::vector<double> weights;              ///< WGHT0.., written when non-empty
  std::optional<double> diffraction_limit;  ///< DIFFLMT, lambda/D in arcsec
  std::optional<double> diameter;           ///< DIAM, metres
  std::string normalization;                ///< NORMALIZ ('none', 'peak', 'total'), if set
  std::vector<std::string> history;         ///< HISTORY lines (e.g. the command line)
  std::vector<FitsCard> cards;              ///< further caller keys (SEP_AS, PA_DEG, ...)
};

/// One image HDU to write.
struct FitsImage {
  RealImage image;  ///< (ny, nx), row 0 = y = 0 (bottom when displayed origin-lower)
  FitsHeader header;
};

/// Writes `image` as the primary HDU of `path` (overwriting), with ORIGIN='airy', DATE and
/// the keys of `header`. Throws airy::Error naming the path on any cfitsio failure.
void write_fits(const std::string& path, const RealImage& image, const FitsHeader& header);

/// Writes several images to one file: the first is the primary HDU, the others image
/// extensions (each with its own EXTNAME). Throws InvalidArgument when `images` is empty.
void write_fits(const std::string& path, const std::vector<FitsImage>& images);

/// A header value as read back: numbers as double, strings and logicals as text.
using FitsValue = std::variant<double, std::string>;

/// An image read from FITS with its header (key -> value; HISTORY/COMMENT cards omitted).
struct FitsRead {
  RealImage image;
  std::map<std::string, FitsValue> header;

  /// Numeric value of `key`, or nullopt when absent or not numeric.
  [[nodiscard]] std::optional<double> number(const std::string& key) const;
  /// String value of `key` (numbers formatted), or nullopt when absent.
  [[nodiscard]] std::optional<std::string> text(const std::string& key) const;
};

/// Reads HDU `hdu` (0 = primary) of `path`, converting any BITPIX to double. Floating-point
/// pixels come back as stored (NaN, inf and -inf included); BLANK pixels of integer images
/// as NaN.
/// Throws airy::InvalidArgument naming the path when the file is missing, is not FITS,
/// has no such HDU, or the HDU is not a 2-D image (naming its NAXIS).
FitsRead read_fits(const std::string& path, int hdu = 0);

/// Reads the image HDU whose EXTNAME is `extname` (compared without regard to case or
/// trailing blanks, as astropy does). Throws InvalidArgument if absent, listing the EXTNAMEs
/// the file has.
FitsRead read_fits(const std::string& path, const std::string& extname);

/// Reads the HDU that `hdu` selects: "" = the primary HDU, a number ("1") = that HDU (0 =
/// primary), anything else an EXTNAME ("SCI"). Errors as the two forms above.
FitsRead read_fits_hdu(const std::string& path, const std::string& hdu);

/// Number of HDUs in `path`.
int fits_hdu_count(const std::string& path);

/// Throws airy::InvalidArgument naming `what`, the first non-finite pixel (x, y) and its
/// value, if any pixel of `image` is NaN or infinite.
void check_all_finite(const RealImage& image, const std::string& what);

}  // namespace airy::io
