// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The source interface: parameters -> star positions (rad) and per-wavelength
/// photon amplitudes, with the exact pullback.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/optics/layer.hpp"

namespace airy::sources {

using optics::ParameterBlock;

/// An immutable set of S point-like stars sharing one wavelength grid. The image is
/// sum_s sum_l amplitudes(s, l) PSF_l(positions(s)). Parameters are passed flat (blocks
/// concatenated, parameter_blocks() order); paths are source.<block name>.
class Source {
 public:
  virtual ~Source() = default;
  [[nodiscard]] virtual std::string_view kind() const = 0;
  /// Number of stars S.
  [[nodiscard]] virtual int num_stars() const = 0;
  /// Wavelengths (m), shared by all stars.
  [[nodiscard]] virtual const RealVector& wavelengths() const = 0;
  [[nodiscard]] virtual std::vector<ParameterBlock> parameter_blocks() const = 0;
  /// Stored parameter values, blocks concatenated.
  [[nodiscard]] virtual RealVector values() const = 0;
  /// Throws InvalidArgument (naming the block) if `v` lies outside the parameter domain.
  virtual void check_values(std::span<const double> v) const;
  /// positions (S, 2) = (theta_x, theta_y) rad; amplitudes (S, L) photons. Both are resized
  /// only if their shapes differ.
  virtual void forward(std::span<const double> params, RealMatrix& positions,
                       RealMatrix& amplitudes) const = 0;
  /// ADDS (d positions, amplitudes / d params)^T (positions_bar, amplitudes_bar) into
  /// params_bar.
  virtual void pullback(std::span<const double> params, const RealMatrix& positions_bar,
                        const RealMatrix& amplitudes_bar, std::span<double> params_bar) const = 0;
};

/// Adjoint helper for weights normalised inside a model: wn = w / sum(w) ->
/// w_bar += (wn_bar - <wn_bar, wn>) / sum(w).
void normalised_weights_pullback(const double* w, const double* wn_bar, int n, double* w_bar);

}  // namespace airy::sources
