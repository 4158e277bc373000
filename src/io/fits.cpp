// SPDX-License-Identifier: BSD-3-Clause
#include "airy/io/fits.hpp"

#include <fitsio.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"
#include "io/fits_prescan.hpp"

namespace airy::io {
namespace {

/// The largest image read_fits accepts: 2^26 pixels (8192 x 8192, 512 MiB as doubles), far
/// above any detector image airy models, and small enough to allocate on any machine it runs on.
constexpr long long kMaxImagePixels = 1LL << 26;

/// cfitsio's message for `status`, plus the first message of its error stack.
std::string fits_message(int status) {
  char text[FLEN_STATUS] = {};
  fits_get_errstatus(status, text);
  std::string msg = text;
  char stack[FLEN_ERRMSG] = {};
  if (fits_read_errmsg(stack) != 0 && std::string(stack) != msg) {
    msg += std::string(" (") + stack + ")";
  }
  fits_clear_errmsg();
  return msg;
}

/// Owns an open fitsfile; closes it (ignoring errors) on scope exit.
class FitsFile {
 public:
  FitsFile(fitsfile* f, std::string path) : f_(f), path_(std::move(path)) {}
  FitsFile(const FitsFile&) = delete;
  FitsFile& operator=(const FitsFile&) = delete;
  ~FitsFile() {
    if (f_ != nullptr) {
      int status = 0;
      fits_close_file(f_, &status);
    }
  }
  [[nodiscard]] fitsfile* get() const { return f_; }
  /// Throws airy::Error "path: what: cfitsio message" when status != 0.
  void check(int status, const std::string& what) const {
    if (status != 0) {
      throw Error(fmt::format("{}: FITS {} failed: {}", path_, what, fits_message(status)));
    }
  }
  /// Closes explicitly so that a failing close (flush to disk) is reported.
  void close() {
    int status = 0;
    fits_close_file(f_, &status);
    f_ = nullptr;
    check(status, "close");
  }

 private:
  fitsfile* f_;
  std::string path_;
};

/// `digits` significant digits (cfitsio's negative `decim`: %G format); 17 round-trip any
/// double exactly.
void key_double(const FitsFile& f, const std::string& key, double v, const char* comment,
                int digits = 15) {
  int status = 0;
  fits_write_key_dbl(f.get(), key.c_str(), v, -digits, comment, &status);
  f.check(status, "write key " + key);
}
void key_long(const FitsFile& f, const std::string& key, long long v, const char* comment) {
  int status = 0;
  fits_write_key_lng(f.get(), key.c_str(), v, comment, &status);
  f.check(status, "write key " + key);
}
void key_str(const FitsFile& f, const std::string& key, const std::string& v, const char* comment) {
  int status = 0;
  fits_write_key_longstr(f.get(), key.c_str(), v.c_str(), comment, &status);
  f.check(status, "write key " + key);
}

/// WCSAXES, CTYPEi, CUNITi, CRPIXi, CRVALi, CDELTi (and RADESYS) of `w` for an image of
/// `naxes` = {NAXIS1, NAXIS2} pixels.
void write_wcs(const FitsFile& f, const FitsWcs& w, const std::array<long, 2>& naxes) {
  for (std::size_t i = 0; i < 2; ++i) {
    if (w.ctype[i].empty() || w.ctype[i].size() > 68 || w.cunit[i].empty() ||
        !std::isfinite(w.cdelt[i]) || w.cdelt[i] == 0.0 || !std::isfinite(w.crval[i])) {
      throw InvalidArgument(fmt::format(
          "write_fits: WCS axis {} needs a CTYPE, a CUNIT and finite CRVAL and non-zero CDELT "
          "(got CTYPE '{}', CUNIT '{}', CRVAL {}, CDELT {})",
          i + 1, w.ctype[i], w.cunit[i], w.crval[i], w.cdelt[i]));
    }
  }
  key_long(f, "WCSAXES", 2, "Number of WCS axes");
  for (std::size_t a = 0; a < 2; ++a) {
    // The optical axis sits at 0-based index (n-1)/2 (docs/conventions.md), i.e. at the FITS
    // 1-based pixel (n+1)/2.
    const double crpix = w.crpix ? (*w.crpix)[a] : 0.5 * (static_cast<double>(naxes[a]) + 1.0);
    const std::size_t n = a + 1;
    key_str(f, fmt::format("CTYPE{}", n), w.ctype[a], "WCS projection type of this axis");
    key_str(f, fmt::format("CUNIT{}", n), w.cunit[a], "Unit of CRVAL and CDELT");
    key_double(f, fmt::format("CRPIX{}", n), crpix, "Reference pixel (1-based): optical axis", 17);
    key_double(f, fmt::format("CRVAL{}", n), w.crval[a],
               w.crval_comment.empty() ? "World coordinate at the reference pixel"
                                       : w.crval_comment.c_str(),
               17);
    key_double(f, fmt::format("CDELT{}", n), w.cdelt[a],
               n == 1 ? "World increment per pixel along x (NAXIS1)"
                      : "World increment per pixel along y (NAXIS2)",
               17);
  }
  if (!w.radesys.empty()) key_str(f, "RADESYS", w.radesys, "Celestial reference frame");
}

void write_header(const FitsFile& f, const FitsHeader& h, const std::array<long, 2>& naxes) {
  int status = 0;
  key_str(f, "ORIGIN", "airy", "Written by airy (C++ differentiable telescope)");
  fits_write_date(f.get(), &status);
  f.check(status, "write DATE");
  if (!h.extname.empty()) key_str(f, "EXTNAME", h.extname, "Contents of this HDU");
  if (!h.bunit.empty()) key_str(f, "BUNIT", h.bunit, "Unit of pixel values");
  if (h.pixelscale) {
    key_double(f, "PIXELSCL", *h.pixelscale, "Pixel scale (PIXUNIT per pixel)");
    key_str(f, "PIXUNIT", h.pixunit, "Unit of PIXELSCL");
  }
  if (h.oversample) key_long(f, "OVERSAMP", *h.oversample, "Oversampling factor");
  if (h.det_sampling) key_long(f, "DET_SAMP", *h.det_sampling, "Oversampling of detector");
  if (h.wavelength) key_double(f, "WAVELEN", *h.wavelength, "Weighted mean wavelength [m]");
  if (h.nwaves) key_long(f, "NWAVES", *h.nwaves, "Number of wavelengths used");
  for (std::size_t i = 0; i < h.waves.size(); ++i) {
    key_double(f, fmt::format("WAVE{}", i), h.waves[i], "Wavelength [m]");
  }
  for (std::size_t i = 0; i < h.weights.size(); ++i) {
    key_double(f, fmt::format("WGHT{}", i), h.weights[i], "Wavelength weight");
  }
  if (h.diffraction_limit) {
    key_double(f, "DIFFLMT", *h.diffraction_limit, "Diffraction limit lambda/D [arcsec]");
  }
  if (h.diameter) key_double(f, "DIAM", *h.diameter, "Pupil diameter [m]");
  if (!h.normalization.empty()) key_str(f, "NORMALIZ", h.normalization, "PSF normalization");
  if (h.wcs) write_wcs(f, *h.wcs, naxes);
  for (const FitsCard& c : h.cards) {
    if (c.key.empty() || c.key.size() > 8) {
      throw InvalidArgument(
          fmt::format("write_fits: card key '{}' must have 1 to 8 characters", c.key));
    }
    const char* comment = c.comment.c_str();
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, double>) {
            key_double(f, c.key, v, comment);
          } else if constexpr (std::is_same_v<T, long long>) {
            key_long(f, c.key, v, comment);
          } else if constexpr (std::is_same_v<T, bool>) {
            int s = 0;
            fits_write_key_log(f.get(), c.key.c_str(), v ? 1 : 0, comment, &s);
            f.check(s, "write key " + c.key);
          } else {
            key_str(f, c.key, v, comment);
          }
        },
        c.value);
  }
  for (const std::string& line : h.history) {
    fits_write_history(f.get(), line.c_str(), &status);
    f.check(status, "write HISTORY");
  }
}

void append_image(const FitsFile& f, const FitsImage& img) {
  int status = 0;
  long naxes[2] = {static_cast<long>(img.image.cols()), static_cast<long>(img.image.rows())};
  fits_create_img(f.get(), DOUBLE_IMG, 2, naxes, &status);
  f.check(status, "create image");
  write_header(f, img.header, {naxes[0], naxes[1]});
  long first[2] = {1, 1};
  // RealImage is row-major [y, x], which is FITS order (NAXIS1 = x fastest).
  RealImage copy = img.image;  // cfitsio takes a non-const pointer
  fits_write_pix(f.get(), TDOUBLE, first, static_cast<LONGLONG>(copy.size()), copy.data(), &status);
  f.check(status, "write pixels");
}

/// Opens `path` read-only with a clear message when it is missing or not FITS.
fitsfile* open_read(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw InvalidArgument(fmt::format("{}: FITS file does not exist", path));
  }
  {
    std::ifstream in(path, std::ios::binary);
    char head[9] = {};
    in.read(head, 9);
    if (in.gcount() < 9 || std::string(head, 9) != "SIMPLE  =") {
      throw InvalidArgument(
          fmt::format("{}: not a FITS file (does not start with 'SIMPLE  =')", path));
    }
  }
  check_compressed_tile_keys(path);  // values that crash cfitsio rather than fail
  fitsfile* raw = nullptr;
  int status = 0;
  fits_open_diskfile(&raw, path.c_str(), READONLY, &status);
  if (status != 0) {
    throw InvalidArgument(fmt::format("{}: cannot open FITS file: {}", path, fits_message(status)));
  }
  return raw;
}

/// Throws InvalidArgument "path: HDU which: cannot what: cfitsio message" when status != 0
/// (`which` empty: no HDU named): on the read side a cfitsio failure means a damaged or
/// unsupported file, i.e. bad input.
void check_read(int status, const std::string& path, const std::string& which,
                const std::string& what) {
  if (status != 0) {
    throw InvalidArgument(fmt::format("{}: {}cannot {}: {}", path,
                                      which.empty() ? "" : "HDU " + which + ": ", what,
                                      fits_message(status)));
  }
}

/// A tile-compressed image is a binary table whose variable-length columns (the compressed
/// tiles) point into the heap: each row's descriptor (element count, byte offset) must lie
/// inside the heap of PCOUNT bytes. cfitsio sizes its tile buffers from these counts before
/// reading, so a damaged descriptor would otherwise become a multi-GB allocation (found by
/// fuzzing, tests/fuzz/corpus/fits/cfitsio_tile_descriptor_4gb_malloc).
void check_tile_descriptors(const FitsFile& f, const std::string& path, const std::string& which) {
  int status = 0;
  LONGLONG heap = 0, rows = 0;
  int cols = 0;
  fits_read_key_lnglng(f.get(), "PCOUNT", &heap, nullptr, &status);
  fits_get_num_rowsll(f.get(), &rows, &status);
  fits_get_num_cols(f.get(), &cols, &status);
  check_read(status, path, which, "read the compressed image's table (PCOUNT, NAXIS2, TFIELDS)");
  for (int col = 1; col <= cols; ++col) {
    int type = 0;
    LONGLONG repeat = 0, width = 0;
    fits_get_coltypell(f.get(), col, &type, &repeat, &width, &status);
    check_read(status, path, which, fmt::format("read the type of column {}", col));
    if (type >= 0) continue;  // fixed-length column: no descriptor
    for (LONGLONG row = 1; row <= rows; ++row) {
      LONGLONG length = 0, offset = 0;
      fits_read_descriptll(f.get(), col, row, &length, &offset, &status);
      check_read(status, path, which, fmt::format("read tile descriptor (row {})", row));
      // Every element is at least one byte (bits are packed, 1PX excepted: 1/8 byte).
      const LONGLONG min_bytes = type == -TBIT ? (length + 7) / 8 : length;
      if (length < 0 || offset < 0 || offset > heap || min_bytes > heap - offset) {
        throw InvalidArgument(fmt::format(
            "{}: HDU {}: compressed tile {} (column {}) claims {} elements at heap offset {}, "
            "outside the {}-byte heap (PCOUNT): damaged tile-compressed image",
            path, which, row, col, length, offset, heap));
      }
    }
  }
}

/// The number of pixels of the current image HDU, checked before anything is allocated:
/// every axis >= 1, the product without overflow, at most kMaxImagePixels, and (uncompressed)
/// no more data than the file holds after the header, so that a damaged header such as
/// NAXIS2 = 2000000000 gives a named error instead of a 16 GB allocation or std::bad_alloc.
Eigen::Index checked_image_size(const FitsFile& f, const std::string& path,
                                const std::string& which, const LONGLONG (&naxes)[2]) {
  int status = 0;
  int bitpix = 0;
  fits_get_img_type(f.get(), &bitpix, &status);
  check_read(status, path, which, "read BITPIX");
  for (int i = 0; i < 2; ++i) {
    if (naxes[i] < 1) {
      throw InvalidArgument(
          fmt::format("{}: HDU {}: NAXIS{} = {}: an image needs at least one "
                      "pixel along each axis",
                      path, which, i + 1, naxes[i]));
    }
  }
  LONGLONG pixels = 0;
  if (__builtin_mul_overflow(naxes[0], naxes[1], &pixels) || pixels > kMaxImagePixels) {
    throw InvalidArgument(fmt::format(
        "{}: HDU {}: NAXIS1 x NAXIS2 = {} x {} pixels is more than airy reads ({} pixels, {} MiB "
        "as 64-bit floats)",
        path, which, naxes[0], naxes[1], kMaxImagePixels, kMaxImagePixels * 8 / (1 << 20)));
  }
  const int compressed = fits_is_compressed_image(f.get(), &status);
  check_read(status, path, which, "read the compression keywords");
  if (compressed != 0) check_tile_descriptors(f, path, which);
  if (compressed == 0) {
    LONGLONG header_start = 0, data_start = 0, data_end = 0;
    fits_get_hduaddrll(f.get(), &header_start, &data_start, &data_end, &status);
    check_read(status, path, which, "locate the data");
    std::error_code ec;
    const auto file_size = static_cast<LONGLONG>(std::filesystem::file_size(path, ec));
    const LONGLONG available = ec ? 0 : std::max<LONGLONG>(0, file_size - data_start);
    const LONGLONG needed = pixels * (std::abs(bitpix) / 8);
    if (needed > available) {
      throw InvalidArgument(fmt::format(
          "{}: HDU {}: NAXIS1 x NAXIS2 = {} x {} pixels of BITPIX = {} need {} bytes but the "
          "file holds {} bytes after the header (truncated file or wrong NAXISn)",
          path, which, naxes[0], naxes[1], bitpix, needed, available));
    }
  }
  return static_cast<Eigen::Index>(pixels);
}

/// A header card's value as a number when it is one: FITS allows a 'D' exponent (1.5D+03),
/// which strtod would silently stop at.
std::optional<double> header_number(const char* value) {
  std::string text = value;
  for (char& ch : text) {
    if (ch == 'D' || ch == 'd') ch = 'E';
  }
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end == text.c_str()) return std::nullopt;
  while (*end == ' ') ++end;
  if (*end != '\0') return std::nullopt;
  return v;
}

FitsRead read_current(const FitsFile& f, const std::string& path, const std::string& which) {
  int status = 0;
  int hdutype = 0;
  fits_get_hdu_type(f.get(), &hdutype, &status);
  check_read(status, path, which, "read the HDU type");
  if (hdutype != IMAGE_HDU) {
    throw InvalidArgument(fmt::format("{}: HDU {} is a table, not an image", path, which));
  }
  int naxis = 0;
  fits_get_img_dim(f.get(), &naxis, &status);
  check_read(status, path, which, "read NAXIS");
  if (naxis != 2) {
    throw InvalidArgument(fmt::format("{}: HDU {} has NAXIS = {}, expected a 2-D image (NAXIS = 2)",
                                      path, which, naxis));
  }
  LONGLONG naxes[2] = {0, 0};
  fits_get_img_sizell(f.get(), 2, naxes, &status);
  check_read(status, path, which, "read NAXIS1 and NAXIS2");
  const Eigen::Index pixels = checked_image_size(f, path, which, naxes);
  FitsRead out;
  out.image.resize(static_cast<Eigen::Index>(naxes[1]), static_cast<Eigen::Index>(naxes[0]));
  long first[2] = {1, 1};
  int anynul = 0;
  // Integer images: BLANK pixels become NaN (and are then reported as not finite). Floating
  // images are read as stored (nulval 0 disables cfitsio's null check, which would turn every
  // IEEE inf into the null value): an inf pixel reads back as inf.
  int bitpix = 0;
  fits_get_img_type(f.get(), &bitpix, &status);  // as stored, before BSCALE
  check_read(status, path, which, "read BITPIX");
  double nulval = bitpix < 0 ? 0.0 : std::nan("");
  fits_read_pix(f.get(), TDOUBLE, first, static_cast<LONGLONG>(pixels), &nulval, out.image.data(),
                &anynul, &status);  // applies BSCALE/BZERO
  check_read(status, path, which, "read the pixels");

  int nkeys = 0;
  fits_get_hdrspace(f.get(), &nkeys, nullptr, &status);
  check_read(status, path, which, "read the header size");
  for (int i = 1; i <= nkeys; ++i) {
    char key[FLEN_KEYWORD] = {}, value[FLEN_VALUE] = {}, comment[FLEN_COMMENT] = {};
    fits_read_keyn(f.get(), i, key, value, comment, &status);
    check_read(status, path, which, fmt::format("read header card {}", i));
    const std::string k = key;
    if (k == "HISTORY") {
      out.history.emplace_back(comment);
      continue;
    }
    if (k.empty() || k == "HISTORY" || k == "COMMENT" || k == "CONTINUE" || value[0] == '\0') {
      continue;
    }
    if (value[0] == '\'') {
      char* longstr = nullptr;
      int s = 0;
      fits_read_key_longstr(f.get(), key, &longstr, nullptr, &s);
      if (s == 0 && longstr != nullptr) {
        out.header[k] = std::string(longstr);
      }
      if (longstr != nullptr) fits_free_memory(longstr, &s);
      continue;
    }
    char dtype = 0;
    int s = 0;
    fits_get_keytype(value, &dtype, &s);
    const std::optional<double> number =
        s == 0 && (dtype == 'I' || dtype == 'F') ? header_number(value) : std::nullopt;
    if (number) {
      out.header[k] = *number;
    } else {
      out.header[k] = std::string(value);  // logical 'T'/'F' or complex
    }
  }
  return out;
}

}  // namespace

std::optional<double> FitsRead::number(const std::string& key) const {
  auto it = header.find(key);
  if (it == header.end() || !std::holds_alternative<double>(it->second)) return std::nullopt;
  return std::get<double>(it->second);
}

std::optional<std::string> FitsRead::text(const std::string& key) const {
  auto it = header.find(key);
  if (it == header.end()) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return fmt::format("{}", std::get<double>(it->second));
}

void write_fits(const std::string& path, const RealImage& image, const FitsHeader& header) {
  write_fits(path, std::vector<FitsImage>{FitsImage{image, header}});
}

void write_fits(const std::string& path, const std::vector<FitsImage>& images) {
  if (images.empty()) {
    throw InvalidArgument(fmt::format("write_fits: {}: no images to write", path));
  }
  for (const FitsImage& img : images) {
    if (img.image.size() == 0) {
      throw InvalidArgument(
          fmt::format("write_fits: {}: image '{}' is empty", path, img.header.extname));
    }
  }
  // A temporary file in the same directory, renamed onto `path` once cfitsio has closed it
  // without error: a full disk never leaves a truncated FITS file under the final name.
  AtomicFile file(path);
  fitsfile* raw = nullptr;
  int status = 0;
  fits_create_diskfile(&raw, file.temp_path().c_str(), &status);
  if (status != 0) {
    throw Error(fmt::format("{}: cannot create FITS file: {}", path, fits_message(status)));
  }
  FitsFile f(raw, path);
  for (const FitsImage& img : images) append_image(f, img);
  // The file must end where the last HDU's data unit (with its fill to 2880 bytes) ends.
  // cfitsio has been seen to close without error after the disk filled (a 16 x 16 image with a
  // two-block header truncated to 8192 of 8640 bytes on a full tmpfs), so the size is checked.
  LONGLONG head_start = 0, data_start = 0, data_end = 0;
  fits_get_hduaddrll(f.get(), &head_start, &data_start, &data_end, &status);
  f.check(status, "locate the end of the last HDU");
  f.close();
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file.temp_path(), ec);
  if (ec || size != static_cast<std::uintmax_t>(data_end)) {
    throw Error(fmt::format(
        "{}: FITS write incomplete: {} of {} bytes reached the disk (No space left on device?)",
        path, ec ? 0 : size, data_end));
  }
  file.commit();
}

FitsRead read_fits(const std::string& path, int hdu) {
  if (hdu < 0) throw InvalidArgument(fmt::format("{}: HDU {}: must be >= 0", path, hdu));
  FitsFile f(open_read(path), path);
  int status = 0;
  int type = 0;
  fits_movabs_hdu(f.get(), hdu + 1, &type, &status);
  if (status != 0) {
    const std::string why = fits_message(status);
    throw InvalidArgument(fmt::format("{}: has no readable HDU {} ({} HDUs): {}", path, hdu,
                                      fits_hdu_count(path), why));
  }
  return read_current(f, path, std::to_string(hdu));
}

FitsRead read_fits(const std::string& path, const std::string& extname) {
  // EXTNAME values compare without regard to case or trailing blanks, as astropy does
  // (FITS 4.0 §4.2.1: trailing spaces are not significant).
  auto canonical = [](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
  };
  const std::string wanted = canonical(extname);
  FitsFile f(open_read(path), path);
  int nhdu = 0;
  int status = 0;
  fits_get_num_hdus(f.get(), &nhdu, &status);
  check_read(status, path, "", "count the HDUs");
  std::vector<std::string> present;
  for (int i = 1; i <= nhdu; ++i) {
    int type = 0;
    fits_movabs_hdu(f.get(), i, &type, &status);
    check_read(status, path, std::to_string(i - 1), "move to the HDU");
    char value[FLEN_VALUE] = {};
    int s = 0;
    fits_read_key(f.get(), TSTRING, "EXTNAME", value, nullptr, &s);
    if (s != 0) continue;
    if (canonical(value) == wanted) return read_current(f, path, "'" + extname + "'");
    present.push_back(fmt::format("{} = '{}'", i - 1, value));
  }
  throw InvalidArgument(
      fmt::format("{}: has no HDU with EXTNAME = '{}' (named HDUs: {})", path, extname,
                  present.empty() ? "none" : fmt::format("{}", fmt::join(present, ", "))));
}

FitsRead read_fits_hdu(const std::string& path, const std::string& hdu) {
  if (hdu.empty()) return read_fits(path, 0);
  if (hdu.find_first_not_of("0123456789") == std::string::npos && hdu.size() <= 6) {
    return read_fits(path, std::stoi(hdu));
  }
  return read_fits(path, hdu);
}

int fits_hdu_count(const std::string& path) {
  FitsFile f(open_read(path), path);
  int nhdu = 0;
  int status = 0;
  fits_get_num_hdus(f.get(), &nhdu, &status);
  check_read(status, path, "", "count the HDUs");
  return nhdu;
}

void check_all_finite(const RealImage& image, const std::string& what) {
  for (Eigen::Index y = 0; y < image.rows(); ++y) {
    for (Eigen::Index x = 0; x < image.cols(); ++x) {
      if (!std::isfinite(image(y, x))) {
        throw InvalidArgument(
            fmt::format("{}: pixel (x={}, y={}) = {} is not finite", what, x, y, image(y, x)));
      }
    }
  }
}

}  // namespace airy::io
