// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Unit conversions at the API edge. Inside airy angles are radians and lengths metres.
#pragma once

#include <numbers>

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

}  // namespace airy::units
