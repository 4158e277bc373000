// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Named units and the conversion factors between units of one dimension.
#include <fmt/format.h>

#include <array>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"

namespace airy::units {
namespace {

struct Row {
  const char* name;
  const char* dimension;
  double size;
};

constexpr std::array<Row, 12> kUnits = {{
    {"nm", "length", 1e-9},
    {"um", "length", 1e-6},
    {"mm", "length", 1e-3},
    {"cm", "length", 1e-2},
    {"m", "length", 1.0},
    {"km", "length", 1e3},
    {"rad", "angle", 1.0},
    {"deg", "angle", kRadPerDeg},
    {"arcmin", "angle", kRadPerArcsec * 60.0},
    {"arcsec", "angle", kRadPerArcsec},
    {"mas", "angle", kRadPerArcsec * 1e-3},
    {"uas", "angle", kRadPerArcsec * 1e-6},
}};

}  // namespace

std::optional<UnitInfo> find_unit(std::string_view name) {
  for (const auto& r : kUnits) {
    if (name == r.name) return UnitInfo{r.name, r.dimension, r.size};
  }
  return std::nullopt;
}

std::vector<std::string> compatible_units(std::string_view unit) {
  const auto info = find_unit(unit);
  if (!info) return {std::string(unit)};
  std::vector<std::string> out;
  for (const auto& r : kUnits) {
    if (info->dimension == r.dimension) out.emplace_back(r.name);
  }
  return out;
}

double conversion_factor(std::string_view from, std::string_view to) {
  if (from == to) return 1.0;
  const auto f = find_unit(from);
  const auto t = find_unit(to);
  if (!f || !t || f->dimension != t->dimension) {
    const std::string what =
        t ? fmt::format("a {} in {}", t->dimension, to) : fmt::format("a value in '{}'", to);
    throw InvalidArgument(fmt::format("unit = '{}': cannot express {} (use one of: {})", from, what,
                                      fmt::join(compatible_units(to), ", ")));
  }
  return f->size / t->size;
}

}  // namespace airy::units
