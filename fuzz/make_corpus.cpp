// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Writes the FITS and CmdStan CSV seeds of tests/fuzz/corpus/{fits,csv}/ (the config
/// seeds are hand-written TOML). FITS seeds cover every BITPIX with BZERO/BSCALE/BLANK, several
/// HDUs, a cube, a table and a tile-compressed image; CSV seeds are written by airy's own
/// writer (io::write_cmdstan_csv) plus one CmdStan file. Run from the repository root:
///   build-fuzz/fuzz/airy_fuzz_make_corpus tests/fuzz/corpus
/// The output is deterministic but for the DATE card of airy_f64_8x8; the seeds are committed,
/// so this only needs re-running when the formats change.
#include <fitsio.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "airy/io/cmdstan_csv.hpp"
#include "airy/io/fits.hpp"

namespace {

namespace fs = std::filesystem;

void check(int status, const std::string& what) {
  if (status != 0) {
    char text[FLEN_STATUS] = {};
    fits_get_errstatus(status, text);
    std::fprintf(stderr, "make_corpus: %s: cfitsio: %s\n", what.c_str(), text);
    std::exit(1);
  }
}

/// An 8 x 8 image of positive photon counts (the fuzz target's telescope renders 8 x 8).
std::vector<double> counts(long nx, long ny) {
  std::vector<double> v(static_cast<std::size_t>(nx * ny));
  for (long y = 0; y < ny; ++y) {
    for (long x = 0; x < nx; ++x) v[static_cast<std::size_t>(y * nx + x)] = 10.0 + 3.0 * x + y;
  }
  return v;
}

/// Writes one FITS file with raw cfitsio calls; `body` adds HDUs to the open file.
void fits_file(const fs::path& path, const std::function<void(fitsfile*)>& body) {
  fs::remove(path);
  fitsfile* f = nullptr;
  int status = 0;
  fits_create_diskfile(&f, path.c_str(), &status);
  check(status, "create " + path.string());
  body(f);
  fits_close_file(f, &status);
  check(status, "close " + path.string());
}

/// Appends an image HDU of `bitpix` with the given header extras and pixel values (physical
/// values; cfitsio applies BSCALE/BZERO when writing).
void image_hdu(fitsfile* f, int bitpix, std::vector<long> naxes, const std::vector<double>& v,
               const std::function<void(fitsfile*)>& keys = {}) {
  int status = 0;
  fits_create_img(f, bitpix, static_cast<int>(naxes.size()), naxes.data(), &status);
  check(status, "create image");
  if (keys) keys(f);
  if (!v.empty()) {
    std::vector<double> copy = v;
    std::vector<long> first(naxes.size(), 1);
    fits_write_pix(f, TDOUBLE, first.data(), static_cast<LONGLONG>(copy.size()), copy.data(),
                   &status);
    check(status, "write pixels");
  }
}

void key_dbl(fitsfile* f, const char* key, double v) {
  int status = 0;
  fits_update_key_dbl(f, key, v, -15, nullptr, &status);
  check(status, key);
}

void key_str(fitsfile* f, const char* key, const char* v) {
  int status = 0;
  fits_update_key_str(f, key, v, nullptr, &status);
  check(status, key);
}

void write_fits_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  const std::vector<double> c8 = counts(8, 8);
  // airy's own writer (BITPIX -64 with the poppy keywords).
  airy::io::FitsHeader h;
  h.extname = "DATA";
  h.bunit = "photon";
  h.pixelscale = 0.1;
  h.history = {"airy simulate fuzz.toml"};
  airy::RealImage img(8, 8);
  for (int i = 0; i < 64; ++i) img.data()[i] = c8[static_cast<std::size_t>(i)];
  airy::io::write_fits((dir / "airy_f64_8x8").string(), img, h);

  fits_file(dir / "f32_8x8", [&](fitsfile* f) { image_hdu(f, FLOAT_IMG, {8, 8}, c8); });
  fits_file(dir / "u8_8x8", [&](fitsfile* f) { image_hdu(f, BYTE_IMG, {8, 8}, c8); });
  fits_file(dir / "i16_8x8_bzero_bscale", [&](fitsfile* f) {
    image_hdu(f, SHORT_IMG, {8, 8}, {}, [](fitsfile* g) {
      key_dbl(g, "BSCALE", 0.5);
      key_dbl(g, "BZERO", -10.0);
    });
    int status = 0;
    fits_set_bscale(f, 0.5, -10.0, &status);
    std::vector<double> copy = c8;
    long first[2] = {1, 1};
    fits_write_pix(f, TDOUBLE, first, 64, copy.data(), &status);
    check(status, "write scaled pixels");
  });
  fits_file(dir / "u16_8x8", [&](fitsfile* f) { image_hdu(f, USHORT_IMG, {8, 8}, c8); });
  fits_file(dir / "i32_8x8_blank", [&](fitsfile* f) {
    image_hdu(f, LONG_IMG, {8, 8}, {}, [](fitsfile* g) {
      int status = 0;
      fits_update_key_lng(g, "BLANK", -999, "null pixel value", &status);
      check(status, "BLANK");
    });
    int status = 0;
    std::vector<int> raw(64);
    for (int i = 0; i < 64; ++i) raw[static_cast<std::size_t>(i)] = 10 + i;
    raw[9] = -999;  // one null pixel: read as NaN, then rejected by check_all_finite
    long first[2] = {1, 1};
    fits_write_pix(f, TINT, first, 64, raw.data(), &status);
    check(status, "write BLANK pixels");
  });
  fits_file(dir / "i64_8x8", [&](fitsfile* f) { image_hdu(f, LONGLONG_IMG, {8, 8}, c8); });
  fits_file(dir / "f64_8x8_inf", [&](fitsfile* f) {
    std::vector<double> v = c8;
    v[10] = std::numeric_limits<double>::infinity();
    image_hdu(f, DOUBLE_IMG, {8, 8}, v);
  });
  fits_file(dir / "f64_8x8_negative", [&](fitsfile* f) {
    std::vector<double> v = c8;
    v[3] = -5.0;  // negative counts: the Poisson likelihood rejects them
    image_hdu(f, DOUBLE_IMG, {8, 8}, v);
  });
  fits_file(dir / "f64_5x3", [&](fitsfile* f) { image_hdu(f, DOUBLE_IMG, {5, 3}, counts(5, 3)); });
  fits_file(dir / "cube_8x8x2", [&](fitsfile* f) {
    std::vector<double> v = c8;
    v.insert(v.end(), c8.begin(), c8.end());
    image_hdu(f, DOUBLE_IMG, {8, 8, 2}, v);
  });
  fits_file(dir / "empty_primary_data_extension", [&](fitsfile* f) {
    image_hdu(f, SHORT_IMG, {}, {});
    image_hdu(f, FLOAT_IMG, {8, 8}, c8, [](fitsfile* g) { key_str(g, "EXTNAME", "DATA"); });
  });
  fits_file(dir / "two_images_long_string", [&](fitsfile* f) {
    image_hdu(f, DOUBLE_IMG, {8, 8}, c8, [](fitsfile* g) {
      int status = 0;
      fits_write_key_longstr(g, "LONGKEY", std::string(150, 'x').c_str(), "long", &status);
      check(status, "long string");
    });
    image_hdu(f, DOUBLE_IMG, {8, 8}, c8, [](fitsfile* g) { key_str(g, "EXTNAME", "DATA"); });
  });
  fits_file(dir / "table_extension", [&](fitsfile* f) {
    image_hdu(f, DOUBLE_IMG, {8, 8}, c8);
    int status = 0;
    char* names[] = {const_cast<char*>("X")};
    char* forms[] = {const_cast<char*>("1D")};
    fits_create_tbl(f, BINARY_TBL, 2, 1, names, forms, nullptr, "DATA", &status);
    double x[2] = {1.0, 2.0};
    fits_write_col(f, TDOUBLE, 1, 1, 1, 2, x, &status);
    check(status, "table");
  });
  fits_file(dir / "rice_compressed_8x8", [&](fitsfile* f) {
    image_hdu(f, SHORT_IMG, {}, {});
    int status = 0;
    fits_set_compression_type(f, RICE_1, &status);
    check(status, "compression type");
    image_hdu(f, SHORT_IMG, {8, 8}, {}, [](fitsfile* g) { key_str(g, "EXTNAME", "DATA"); });
    std::vector<short> raw(64);
    for (int i = 0; i < 64; ++i) raw[static_cast<std::size_t>(i)] = static_cast<short>(10 + i);
    long first[2] = {1, 1};
    fits_write_pix(f, TSHORT, first, 64, raw.data(), &status);
    check(status, "write compressed pixels");
  });
}

airy::infer::Chain chain(int id, int rows, int warmup, bool dense, bool complete) {
  airy::infer::Chain c;
  c.id = id;
  c.names = {"x", "optics.aperture.coefficients[1]", "optics.aperture.coefficients[2]"};
  c.draws.resize(rows, 3);
  c.stats.resize(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    // Deterministic, mildly autocorrelated values (no randomness: the seeds are committed).
    c.draws(i, 0) = std::sin(0.7 * i + id);
    c.draws(i, 1) = 1e-8 * std::cos(1.3 * i);
    c.draws(i, 2) = 0.5 * i - 3.0 * id;
    auto& s = c.stats[static_cast<std::size_t>(i)];
    s.lp = -3.0 - 0.1 * i;
    s.accept_stat = 0.8 + 0.01 * (i % 10);
    s.stepsize = 0.3;
    s.treedepth = 1 + i % 4;
    s.n_leapfrog = (1 << s.treedepth) - 1;
    s.divergent = i % 7 == 3;
    s.energy = 4.0 + 0.2 * i;
  }
  c.num_warmup_saved = warmup;
  c.complete = complete;
  c.stepsize = 0.3;
  c.inv_metric = dense ? airy::RealMatrix(airy::RealMatrix::Identity(3, 3) * 0.5)
                       : airy::RealMatrix(airy::RealMatrix::Constant(3, 1, 2.0));
  if (dense) c.inv_metric(0, 1) = c.inv_metric(1, 0) = 0.1;
  c.warmup_seconds = 0.25;
  c.sampling_seconds = 0.5;
  c.gradient_evaluations = 1000 * id;
  return c;
}

std::string csv_text(const fs::path& tmp, const airy::infer::Chain& c, bool save_warmup,
                     const std::string& metric) {
  airy::io::CsvSamplerSettings s;
  s.num_samples = c.num_draws();
  s.num_warmup = c.num_warmup_saved;
  s.save_warmup = save_warmup;
  s.metric = metric;
  s.num_chains = 2;
  s.seed = 7;
  airy::io::write_cmdstan_csv(tmp.string(), c, s);
  std::ifstream in(tmp, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

void write_csv_seeds(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path tmp = dir / ".tmp.csv";
  const std::string a = csv_text(tmp, chain(1, 12, 0, false, true), false, "diag_e");
  const std::string b = csv_text(tmp, chain(2, 12, 0, false, true), false, "diag_e");
  write(dir / "one_chain_diag", a);
  write(dir / "two_chains_diag", a + "\f" + b);
  write(dir / "two_chains_dense_warmup",
        csv_text(tmp, chain(1, 16, 6, true, true), true, "dense_e") + "\f" +
            csv_text(tmp, chain(2, 16, 6, true, true), true, "dense_e"));
  // An interrupted chain: no timing footer, and a last line cut mid-way.
  std::string cut = csv_text(tmp, chain(3, 9, 0, false, false), false, "diag_e");
  cut.resize(cut.size() - 7);
  write(dir / "three_chains_interrupted", a + "\f" + b + "\f" + cut);
  airy::infer::Chain odd = chain(1, 6, 0, false, true);
  odd.draws(2, 1) = std::numeric_limits<double>::quiet_NaN();
  odd.draws(3, 0) = -std::numeric_limits<double>::infinity();
  write(dir / "non_finite_draws", csv_text(tmp, odd, false, "unit_e"));
  write(dir / "cmdstan_own",
        "# stan_version_major = 2\n# model = mymodel_model\n# method = sample (Default)\n"
        "#   sample\n#     num_samples = 2 (Default)\n#     save_warmup = false (Default)\n"
        "#         metric = diag_e (Default)\n# id = 2\n# stancflags = \n"
        "lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,"
        "theta.1,theta.2,sigma\n"
        "# Adaptation terminated\n# Step size = 0.812345\n"
        "# Diagonal elements of inverse mass matrix:\n# 0.98, 1.02, 0.11\n"
        "-7.49727,1,0.812345,2,3,0,8.37774,0.419069,1.2,0.7\n"
        "-7.1,0.95,0.812345,1,3,1,7.9,0.5,1.1,0.6\n"
        "# \n#  Elapsed Time: 0.012 seconds (Warm-up)\n#                0.034 seconds (Sampling)\n"
        "#                0.046 seconds (Total)\n# \n");
  fs::remove(tmp);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR (tests/fuzz/corpus)\n", argv[0]);
    return 2;
  }
  const fs::path root = argv[1];
  write_fits_seeds(root / "fits");
  write_csv_seeds(root / "csv");
  return 0;
}
