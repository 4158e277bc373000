// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Zernike polynomials in Noll (1976) order with unit RMS on the unit disk (dLux
/// `utils/zernikes.py`).
#pragma once

#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/optics/coordinates.hpp"

namespace airy::optics {

/// Radial order n and signed azimuthal frequency m of a Noll index.
struct NollMode {
  int n = 0;  ///< radial order
  int m = 0;  ///< azimuthal frequency: m > 0 cos(m theta) (even j), m < 0 sin(|m| theta) (odd j)
};

/// Noll index j >= 1 -> (n, m): 1 (0,0), 2 (1,1), 3 (1,-1), 4 (2,0), 5 (2,-2), 6 (2,2), ...
/// @throws InvalidArgument if j < 1.
[[nodiscard]] NollMode noll_to_nm(int j);

/// Z_j at one point of the unit disk given rho = r / R and theta = atan2(y, x):
/// Z_j = [rho <= 1] N R_n^|m|(rho) A(theta), N = sqrt(n+1) (x sqrt 2 if m != 0),
/// R = sum_{k=0}^{(n-|m|)/2} (-1)^k (n-k)! / (k! ((n+|m|)/2-k)! ((n-|m|)/2-k)!) rho^(n-2k),
/// A = cos(m theta) (m >= 0) or sin(|m| theta) (m < 0). Exactly 0 for rho > 1.
[[nodiscard]] double zernike_value(int j, double rho, double theta);

/// Z_j sampled on `coords` (metres) with the unit disk of `diameter` m centred at the origin,
/// shape of coords. No NaN anywhere (see docs/conventions.md for dLux's odd-grid NaN).
/// @throws InvalidArgument if j < 1 or diameter <= 0.
[[nodiscard]] RealImage zernike(int j, const Coords& coords, double diameter);

/// One map per Noll index, in the order given. @throws InvalidArgument as zernike().
[[nodiscard]] std::vector<RealImage> zernike_basis(const std::vector<int>& noll,
                                                   const Coords& coords, double diameter);

}  // namespace airy::optics
