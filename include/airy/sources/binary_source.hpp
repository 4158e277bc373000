// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief BinarySource with the dLuxToliman AlphaCen parametrisation.
#pragma once

#include "airy/sources/source.hpp"
#include "airy/sources/spectrum.hpp"

namespace airy::sources {

/// AlphaCen default band: linspace(530, 640, 5) nm with uniform weights (dLuxToliman main and
/// 0.5.1 use 5 wavelengths; v0.3.0 used 3). The single place this default lives.
inline constexpr int kAlphaCenNumWavelengths = 5;
inline constexpr double kAlphaCenBandpassNm[2] = {530.0, 640.0};
/// dLuxToliman 0.5.1's default log10 total photons (one 0.1 s frame).
inline constexpr double kAlphaCenLogFlux = 6.979;

/// The AlphaCen default spectrum: kAlphaCenNumWavelengths wavelengths (m) over the bandpass,
/// uniform weights (n overrides the count).
[[nodiscard]] Spectrum alpha_cen_spectrum(int n = kAlphaCenNumWavelengths);

/// Parameters of a BinarySource (AlphaCen names and units).
struct BinaryParameters {
  double x_position = 0.0;             ///< arcsec, geometric mid-point x (not flux-weighted)
  double y_position = 0.0;             ///< arcsec, mid-point y
  double separation = 10.0;            ///< arcsec, full A-B distance
  double position_angle = 90.0;        ///< deg, 0 = +y, 90 = +x (from +y towards +x)
  double log_flux = kAlphaCenLogFlux;  ///< log10 of the total photons (A + B, all wavelengths)
  double contrast = 3.37;              ///< F_A / F_B (> 0)
};

/// Two stars (A, B) with the AlphaCen parametrisation (dlux.md §8.1):
///
///     r = sep/2, phi = deg2rad(pa), s = r (sin phi, cos phi)
///     A = arcsec2rad(p + s), B = arcsec2rad(p - s), p = (x_position, y_position)
///     F = 10^log_flux, F_A = F c/(1+c), F_B = F/(1+c)
///     amplitudes(A, l) = F_A wA_l / sum wA, amplitudes(B, l) = F_B wB_l / sum wB
///
/// Parameters (paths source.<name>): x_position, y_position, separation, position_angle,
/// log_flux, contrast (scalars) and weights (2 L: row A then row B, relative).
/// Pullback (a_bar, b_bar the position cotangents in arcsec):
///     x_bar = a_x + b_x, sep_bar = ((a_x - b_x) sin phi + (a_y - b_y) cos phi)/2,
///     pa_bar = r ((a_x - b_x) cos phi - (a_y - b_y) sin phi) pi/180,
///     F_bar = (c FA_bar + FB_bar)/(1+c), c_bar = F (FA_bar - FB_bar)/(1+c)^2,
///     log_flux_bar = F_bar F ln 10, FA_bar = sum_l amp_bar(A, l) wnA_l.
class BinarySource final : public Source {
 public:
  /// Same spectrum for both stars. @throws InvalidArgument on invalid parameters.
  BinarySource(const Spectrum& spectrum, const BinaryParameters& p);
  /// Per-star relative weights (each of size wavelengths.size()).
  BinarySource(RealVector wavelengths, RealVector weights_a, RealVector weights_b,
               const BinaryParameters& p);
  [[nodiscard]] std::string_view kind() const override { return "BinarySource"; }
  [[nodiscard]] int num_stars() const override { return 2; }
  [[nodiscard]] const RealVector& wavelengths() const override { return wavelengths_; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  void check_values(std::span<const double> v) const override;
  void forward(std::span<const double> params, RealMatrix& positions,
               RealMatrix& amplitudes) const override;
  void pullback(std::span<const double> params, const RealMatrix& positions_bar,
                const RealMatrix& amplitudes_bar, std::span<double> params_bar) const override;

 private:
  RealVector wavelengths_, weights_;  // weights_: 2 L, row A then row B
  BinaryParameters p_;
};

}  // namespace airy::sources
