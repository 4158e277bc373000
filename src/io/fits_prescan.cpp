// SPDX-License-Identifier: BSD-3-Clause
#include "io/fits_prescan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string_view>

#include "airy/core/error.hpp"

namespace airy::io {
namespace {

constexpr std::size_t kBlock = 2880;  // bytes per FITS block
constexpr std::size_t kCard = 80;     // bytes per header card
// A header longer than this is not one airy reads (cfitsio's own limit is far larger, but a
// walk this long means a damaged file: leave it to cfitsio's status).
constexpr int kMaxHeaderBlocks = 1000;

std::string trim(std::string_view s) {
  const auto a = s.find_first_not_of(' ');
  if (a == std::string_view::npos) return "";
  const auto b = s.find_last_not_of(' ');
  return std::string(s.substr(a, b - a + 1));
}

/// The value field of a `KEY     = value / comment` card (quoted strings kept with quotes).
std::string card_value(std::string_view card) {
  std::string_view v = card.substr(10);
  if (!v.empty() && trim(v).starts_with('\'')) return trim(v);
  const auto slash = v.find('/');
  return trim(v.substr(0, slash));
}

/// The number a value field holds, when it is one.
std::optional<double> number(const std::string& v) {
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(x)) return std::nullopt;
  return x;
}

/// Whether cfitsio reads `key` of a tile-compressed image as a number: ZBITPIX, ZNAXIS,
/// ZNAXISn, ZTILEn, ZVALn, ZBLANK, ZDITHER0 (the FITS tiled-image convention's numeric keys).
bool numeric_compression_key(const std::string& key) {
  if (key == "ZBITPIX" || key == "ZNAXIS" || key == "ZBLANK" || key == "ZDITHER0") return true;
  for (const char* stem : {"ZNAXIS", "ZTILE", "ZVAL"}) {
    const std::string_view s(stem);
    if (key.size() > s.size() && key.starts_with(s) &&
        std::all_of(key.begin() + static_cast<std::ptrdiff_t>(s.size()), key.end(),
                    [](char ch) { return ch >= '0' && ch <= '9'; })) {
      return true;
    }
  }
  return false;
}

}  // namespace

void check_compressed_tile_keys(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (!in || ec) return;  // open_read reports it
  // Every header starts a 2880-byte block with SIMPLE or XTENSION, wherever the sizes in the
  // headers before it (which may be damaged: cfitsio copes with a misspelt NAXIS that would stop
  // a walk from header to header) place it; so every block that starts one is checked.
  int hdu = -1;
  for (std::uintmax_t offset = 0; offset + kBlock <= file_size; offset += kBlock) {
    char block[kBlock];
    in.seekg(static_cast<std::streamoff>(offset));
    if (!in.read(block, kBlock)) return;
    const std::string_view first(block, 9);
    if (first != "SIMPLE  =" && first != "XTENSION=") continue;
    ++hdu;
    std::map<std::string, std::string> keys;
    bool end = false;
    for (int b = 0; b < kMaxHeaderBlocks && !end; ++b) {
      if (b > 0) {
        if (offset + kBlock > file_size || !in.read(block, kBlock)) break;
        offset += kBlock;
      }
      for (std::size_t c = 0; c < kBlock / kCard && !end; ++c) {
        const std::string_view card(block + c * kCard, kCard);
        const std::string key = trim(card.substr(0, 8));
        end = key == "END";
        if (!end && card.substr(8, 2) == "= " && !keys.contains(key)) keys[key] = card_value(card);
      }
    }
    if (!keys.contains("ZIMAGE") || keys["ZIMAGE"] != "T") continue;
    for (const auto& [k, value] : keys) {
      if (!numeric_compression_key(k)) continue;
      // cfitsio reads a quoted number as that number ('0' is 0), so quotes are stripped; a
      // value that is no number at all crashed cfitsio's own error path (ZVAL2 = (  2: a
      // fortified strncat overflow in ffc2j, a fuzzing finding), so it is refused here.
      std::string v = value;
      if (v.size() >= 2 && v.front() == '\'' && v.back() == '\'') {
        v = trim(std::string_view(v).substr(1, v.size() - 2));
      }
      const std::optional<double> x = number(v);
      if (!x) {
        throw InvalidArgument(fmt::format(
            "{}: HDU {}: {} = {}: must be a number (a keyword of a tile-compressed image)", path,
            hdu, k, value));
      }
      const bool size = k.starts_with("ZTILE") || k.starts_with("ZNAXIS");
      if (size && (*x < 1.0 || *x != std::floor(*x))) {
        throw InvalidArgument(
            fmt::format("{}: HDU {}: {} = {}: must be an integer >= 1 (the tile or image size of a "
                        "tile-compressed image)",
                        path, hdu, k, value));
      }
    }
  }
}

}  // namespace airy::io
