// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Readable axis labels for sampled parameters, derived from the parameter's name (or
/// telescope path) and unit: "x_position" [arcsec] -> Δx ["], "coefficients[1]" [nm] with
/// Noll indices {4, ...} -> Z₄ [nm], "position_angle" [deg] -> position angle [°],
/// "contrast" [1] -> contrast (no unit for dimensionless values).
#pragma once

#include <string>
#include <vector>

namespace airy::plot {

/// How a parameter is labelled on a figure.
struct ReadableLabel {
  std::string label;        ///< e.g. "position angle", "Z₄", "Δx", "log flux"
  std::string short_label;  ///< a shorter form for crowded figures, e.g. "PA"; else = label
  std::string unit;         ///< display unit symbol ("″", "°", "nm"); "" when dimensionless
  double scale = 1.0;       ///< display value = scale * value in the given unit (m -> nm: 1e9)
};

/// The label of a parameter from its output name or path ("x_position",
/// "source.x_position", "coefficients[3]", "optics.aperture.coefficients[3]") and its unit
/// ("arcsec", "deg", "nm", "m", "1", "log10 photons", ...). `noll` holds the Noll index of
/// each Zernike coefficient (coefficients[k] is mode noll[k-1], 1-based as the output names);
/// without it the coefficients read c₁, c₂, ... Zernike coefficients in metres are shown in
/// nm. Unknown names turn snake_case into words and an index [k] into a subscript.
ReadableLabel readable_label(const std::string& name, const std::string& unit,
                             const std::vector<int>& noll = {});

/// The symbol of a unit: arcsec -> ″, deg -> °, um -> µm, "1" and "" -> "" (dimensionless);
/// "log10 photons" -> "" (the label says "log"); others unchanged.
std::string unit_symbol(const std::string& unit);

/// A non-negative integer in Unicode subscript digits: 12 -> "₁₂".
std::string subscript(int k);

}  // namespace airy::plot
