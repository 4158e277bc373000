// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Unit conversions at the API edge. Inside airy angles are radians and lengths metres.
#pragma once

#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace airy::units {

/// Radians per arcsecond: pi / 648000 (dLux 0.15 `arcsec2rad`).
inline constexpr double kRadPerArcsec = std::numbers::pi / 648000.0;
/// Radians per degree: pi / 180.
inline constexpr double kRadPerDeg = std::numbers::pi / 180.0;
/// Metres per nanometre.
inline constexpr double kMetrePerNm = 1e-9;

/// arcsec -> rad.
constexpr double arcsec_to_rad(double arcsec) { return arcsec * kRadPerArcsec; }
/// rad -> arcsec.
constexpr double rad_to_arcsec(double rad) { return rad / kRadPerArcsec; }
/// degrees -> rad.
constexpr double deg_to_rad(double deg) { return deg * kRadPerDeg; }
/// rad -> degrees.
constexpr double rad_to_deg(double rad) { return rad / kRadPerDeg; }
/// nm -> m.
constexpr double nm_to_m(double nm) { return nm * kMetrePerNm; }
/// m -> nm.
constexpr double m_to_nm(double m) { return m / kMetrePerNm; }

/// A named unit: its physical dimension and its size in that dimension's base unit
/// (length: m; angle: rad). Units of other dimensions ("photons", "log10 photons", "px", "1")
/// are their own dimension and convert only to themselves.
struct UnitInfo {
  std::string name;
  std::string dimension;  ///< "length", "angle", or the unit's own name
  double size = 1.0;      ///< value in base units of one unit
};

/// The unit called `name` (nm, um, mm, cm, m, km; rad, deg, arcmin, arcsec, mas, uas), or
/// nullopt for a name outside that table.
[[nodiscard]] std::optional<UnitInfo> find_unit(std::string_view name);
/// The units that convert to `unit` (its dimension's table, or just `unit` itself).
[[nodiscard]] std::vector<std::string> compatible_units(std::string_view unit);
/// f such that value_in_`to` = f * value_in_`from`.
/// @throws InvalidArgument naming both units when `from` is unknown or of another dimension
///   than `to` (e.g. deg -> m), listing the units that would convert.
[[nodiscard]] double conversion_factor(std::string_view from, std::string_view to);

}  // namespace airy::units
