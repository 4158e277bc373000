// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The set of values on which a model parameter is defined (e.g. a binary's contrast
/// F_A / F_B on (0, inf)). Priors are checked against it when a posterior is built, so that
/// no draw can leave it; Telescope::set rejects values outside it.
#pragma once

#include <limits>
#include <string>

namespace airy {

/// An interval of the real line, each end open or closed (infinite ends are open).
struct Domain {
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
  bool lower_closed = false;
  bool upper_closed = false;

  /// (-inf, inf).
  static Domain real() { return {}; }
  /// (0, inf): scales, fluxes, widths.
  static Domain positive() { return {0.0, std::numeric_limits<double>::infinity(), false, false}; }
  /// [0, inf): separations, spectral weights.
  static Domain nonnegative() {
    return {0.0, std::numeric_limits<double>::infinity(), true, false};
  }

  /// True when x lies in the domain (NaN never does).
  [[nodiscard]] bool contains(double x) const {
    const bool above = lower_closed ? x >= lower : x > lower;
    const bool below = upper_closed ? x <= upper : x < upper;
    return above && below;
  }
  /// True when the open interval (lo, hi) lies inside the domain: the support of a continuous
  /// prior, whose end points carry no mass and are never drawn.
  [[nodiscard]] bool covers(double lo, double hi) const { return lo >= lower && hi <= upper; }
  /// True for (-inf, inf).
  [[nodiscard]] bool is_real() const {
    return lower == -std::numeric_limits<double>::infinity() &&
           upper == std::numeric_limits<double>::infinity();
  }
  /// "(-inf, inf)", "(0, inf)", "[0, inf)", "[0, 1]".
  [[nodiscard]] std::string describe() const;
};

}  // namespace airy
