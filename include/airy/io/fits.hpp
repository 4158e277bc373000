// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief FITS images with poppy's header keywords (docs/file_formats.md §FITS).
///
/// Images are row-major [y, x]; FITS NAXIS1 is x (varies fastest), so astropy's
/// `fits.getdata(path)` returns `data[y, x]` with shape (ny, nx), exactly the airy array.
/// Files are written as 64-bit floats (BITPIX = -64), atomically: to a temporary name in the
/// same directory, renamed over `path` only when cfitsio closed it without error.
#pragma once

#include <array>
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

/// A world coordinate system of an image HDU (FITS WCS paper I/II, Greisen & Calabretta 2002):
/// world_i = CRVAL_i + CDELT_i (p_i - CRPIX_i) for the linear part, p_i the 1-based FITS pixel
/// index along NAXIS_i (NAXIS1 = x, the column; pixel centres at integers), then the CTYPE's
/// projection (TAN: gnomonic about CRVAL). airy writes 'RA---TAN'/'DEC--TAN' in degrees for
/// angular systems and 'LINEAR' in metres for cartesian ones (docs/file_formats.md §FITS).
struct FitsWcs {
  std::array<std::string, 2> ctype;  ///< CTYPE1/2 ('RA---TAN', 'DEC--TAN' or 'LINEAR')
  std::array<std::string, 2> cunit;  ///< CUNIT1/2 ('deg' or 'm')
  std::array<double, 2> cdelt{};     ///< CDELT1/2, CUNIT per pixel (CDELT1 < 0: RA to the left)
  std::array<double, 2> crval{};     ///< CRVAL1/2 at the reference pixel
  /// CRPIX1/2 (1-based); unset = the image centre ((NAXIS_i + 1)/2), the optical axis.
  std::optional<std::array<double, 2>> crpix;
  std::string radesys;        ///< RADESYS ('ICRS') for celestial axes, else ""
  std::string crval_comment;  ///< comment of CRVAL1/2 (e.g. where the pointing came from)
};

/// Header keywords of one image HDU. Optional keys are written only when set.
struct FitsHeader {
  std::string extname;                      ///< EXTNAME ('OVERSAMP', 'DET_SAMP', 'DATA', ...)
  std::string bunit;                        ///< BUNIT, e.g. 'photon' or 'm'
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
  std::optional<FitsWcs> wcs;               ///< WCSAXES, CTYPE, CUNIT, CRPIX, CRVAL, CDELT
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

/// An image read from FITS with its header (key -> value; HISTORY/COMMENT cards omitted
/// from `header`, the HISTORY texts in `history`).
struct FitsRead {
  RealImage image;
  std::map<std::string, FitsValue> header;
  std::vector<std::string> history;  ///< the HISTORY cards' texts, in order

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
