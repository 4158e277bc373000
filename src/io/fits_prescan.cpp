// SPDX-License-Identifier: BSD-3-Clause
#include "io/fits_prescan.hpp"

#include <fmt/format.h>

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

}  // namespace

void check_compressed_tile_keys(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  const std::uintmax_t file_size = std::filesystem::file_size(path, ec);
  if (!in || ec) return;  // open_read reports it
  std::uintmax_t offset = 0;
  for (int hdu = 0; offset < file_size; ++hdu) {
    std::map<std::string, std::string> keys;
    bool end = false;
    std::uintmax_t header_bytes = 0;
    for (int b = 0; b < kMaxHeaderBlocks && !end; ++b) {
      char block[kBlock];
      in.seekg(static_cast<std::streamoff>(offset + header_bytes));
      if (!in.read(block, kBlock)) return;  // truncated: cfitsio reports it
      header_bytes += kBlock;
      for (std::size_t c = 0; c < kBlock / kCard; ++c) {
        const std::string_view card(block + c * kCard, kCard);
        const std::string key = trim(card.substr(0, 8));
        if (key == "END") {
          end = true;
          break;
        }
        if (card.substr(8, 2) == "= " && !keys.contains(key)) keys[key] = card_value(card);
      }
    }
    if (!end) return;
    auto get = [&keys](const std::string& k) -> std::optional<double> {
      const auto it = keys.find(k);
      return it == keys.end() ? std::nullopt : number(it->second);
    };
    if (keys.contains("ZIMAGE") && keys["ZIMAGE"] == "T") {
      for (const char* stem : {"ZTILE", "ZNAXIS"}) {
        for (int n = 1; n <= 999; ++n) {
          const std::string k = fmt::format("{}{}", stem, n);
          const auto it = keys.find(k);
          if (it == keys.end()) continue;
          const std::optional<double> v = number(it->second);
          if (!v || *v < 1.0 || *v != std::floor(*v)) {
            throw InvalidArgument(fmt::format(
                "{}: HDU {}: {} = {}: must be an integer >= 1 (the tile or image size of a "
                "tile-compressed image)",
                path, hdu, k, it->second));
          }
        }
      }
    }
    // The data unit: |BITPIX|/8 * GCOUNT * (PCOUNT + NAXIS1 * ... * NAXISn) bytes, in blocks.
    const std::optional<double> bitpix = get("BITPIX"), naxis = get("NAXIS");
    if (!bitpix || !naxis || *naxis < 0 || *naxis > 999) return;
    double elements = *naxis > 0 ? 1.0 : 0.0;
    for (int n = 1; n <= static_cast<int>(*naxis); ++n) {
      const std::optional<double> len = get(fmt::format("NAXIS{}", n));
      if (!len || *len < 0) return;
      elements *= *len;
    }
    const double pcount = get("PCOUNT").value_or(0.0), gcount = get("GCOUNT").value_or(1.0);
    const double data = std::fabs(*bitpix) / 8.0 * gcount * (pcount + elements);
    if (!(data >= 0.0) || data > static_cast<double>(file_size)) return;
    const auto data_bytes = static_cast<std::uintmax_t>(data);
    offset += header_bytes + (data_bytes + kBlock - 1) / kBlock * kBlock;
  }
}

}  // namespace airy::io
