// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief PointSource (one star) and PointSources (K stars, one shared spectrum or one each).
#pragma once

#include "airy/sources/source.hpp"
#include "airy/sources/spectrum.hpp"

namespace airy::sources {

/// One star (dLux PointSource). Parameters: "x_position", "y_position" (arcsec), "log_flux"
/// (log10 photons; or "flux" in photons if constructed with FluxParameter::kFlux), "weights"
/// (L, relative, normalised to sum 1 in the model).
///
/// Forward: theta = arcsec_to_rad(x, y); amplitudes_l = F w_l / sum w.
/// Pullback: x_bar = theta_x_bar rad/arcsec; F_bar = sum_l amp_bar_l wn_l;
/// log_flux_bar = F_bar F ln 10; w_bar via normalised_weights_pullback(F amp_bar).
class PointSource final : public Source {
 public:
  enum class FluxParameter { kLogFlux, kFlux };
  /// @param flux_value log10 photons (kLogFlux) or photons > 0 (kFlux).
  PointSource(Spectrum spectrum, double x_arcsec, double y_arcsec, double flux_value,
              FluxParameter flux_parameter = FluxParameter::kLogFlux);
  [[nodiscard]] std::string_view kind() const override { return "PointSource"; }
  [[nodiscard]] int num_stars() const override { return 1; }
  [[nodiscard]] const RealVector& wavelengths() const override { return spectrum_.wavelengths(); }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  void check_values(std::span<const double> v) const override;
  void forward(std::span<const double> params, RealMatrix& positions,
               RealMatrix& amplitudes) const override;
  void pullback(std::span<const double> params, const RealMatrix& positions_bar,
                const RealMatrix& amplitudes_bar, std::span<double> params_bar) const override;

 private:
  Spectrum spectrum_;
  double x_, y_, flux_value_;
  FluxParameter flux_parameter_;
};

/// K stars on one wavelength grid (dLux PointSources). Parameters: "positions" (2K arcsec,
/// [x0, y0, x1, y1, ...]), "fluxes" (K photons), "weights": either one spectrum shared by
/// every star (L entries, dLux PointSources) or one per star (K*L entries, row-major [star,
/// wavelength]; dLux: a Telescope of K PointSource objects, each with its own Spectrum, since
/// dLux 0.15's PointSources cannot broadcast 2-D weights), normalised in the model:
///
///     amplitudes(k, l) = F_k w(r, l) / sum_l' w(r, l'),   r = per_star ? k : 0.
class PointSources final : public Source {
 public:
  /// One shared spectrum. @param positions_arcsec (K, 2) = (x, y) per star; fluxes K
  /// photons (>= 0).
  PointSources(Spectrum spectrum, RealMatrix positions_arcsec, RealVector fluxes);
  /// Per-star spectra on the grid `wavelengths` (m): weights (K, L), row k = star k's relative
  /// weights (>= 0, positive sum). @throws InvalidArgument naming the field on a wrong shape.
  PointSources(RealVector wavelengths, RealMatrix weights, RealMatrix positions_arcsec,
               RealVector fluxes);
  [[nodiscard]] std::string_view kind() const override { return "PointSources"; }
  [[nodiscard]] int num_stars() const override { return static_cast<int>(fluxes_.size()); }
  [[nodiscard]] const RealVector& wavelengths() const override { return spectrum_.wavelengths(); }
  /// True when every star has its own spectrum (weights block K*L).
  [[nodiscard]] bool per_star_weights() const { return per_star_; }
  [[nodiscard]] std::vector<ParameterBlock> parameter_blocks() const override;
  [[nodiscard]] RealVector values() const override;
  void check_values(std::span<const double> v) const override;
  void forward(std::span<const double> params, RealMatrix& positions,
               RealMatrix& amplitudes) const override;
  void pullback(std::span<const double> params, const RealMatrix& positions_bar,
                const RealMatrix& amplitudes_bar, std::span<double> params_bar) const override;

 private:
  void check_shapes() const;
  Spectrum spectrum_;   // wavelengths; its weights are the shared spectrum (row 0 below)
  RealMatrix weights_;  // (1, L) shared or (K, L) per star, each row normalised
  bool per_star_ = false;
  RealMatrix positions_;
  RealVector fluxes_;
};

}  // namespace airy::sources
