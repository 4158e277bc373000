// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Spectrum: wavelengths (m) with relative weights normalised to sum 1 (dLux Spectrum).
#pragma once

#include "airy/core/arrays.hpp"

namespace airy::sources {

/// Wavelengths in metres and weights normalised to sum 1 (dLux `Spectrum`).
class Spectrum {
 public:
  /// @param wavelengths metres, each finite and > 0, at least one.
  /// @param weights relative weights (>= 0, sum > 0), same length; empty = uniform.
  /// @throws InvalidArgument naming "wavelengths" or "weights".
  explicit Spectrum(RealVector wavelengths, RealVector weights = {});
  /// wavelengths, m.
  [[nodiscard]] const RealVector& wavelengths() const { return wavelengths_; }
  /// normalised weights (sum 1).
  [[nodiscard]] const RealVector& weights() const { return weights_; }
  [[nodiscard]] int size() const { return static_cast<int>(wavelengths_.size()); }

 private:
  RealVector wavelengths_, weights_;
};

/// n wavelengths linspace(lo, hi, n) in metres (lo if n == 1).
[[nodiscard]] RealVector linspace(double lo, double hi, int n);

/// Validates relative weights (finite, >= 0, positive sum) naming `where`.`field`.
void check_weights(const char* where, const char* field, const double* w, int n);

}  // namespace airy::sources
