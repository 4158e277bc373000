// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private: vectorisable sin/cos of many phases (fdlibm kernels, Cody-Waite reduction
/// by pi/2), within a few ulp of std::sin/std::cos for |x| < 1e6; larger arguments fall back
/// to the standard library.
#pragma once

#include <cmath>
#include <cstddef>

namespace airy::optics::detail {

/// s[i] = sin(x[i]), c[i] = cos(x[i]) for i < n.
inline void sincos_array(const double* x, double* s, double* c, std::size_t n) {
  // Integer OR reduction (vectorisable, unlike a bool AND); !(|x| < 1e6) is true for NaN.
  unsigned large = 0;
  for (std::size_t i = 0; i < n; ++i) large |= !(std::fabs(x[i]) < 1e6) ? 1u : 0u;
  if (large != 0) {
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = std::sin(x[i]);
      c[i] = std::cos(x[i]);
    }
    return;
  }
  constexpr double kTwoOverPi = 6.36619772367581382433e-01;
  constexpr double kPio2_1 = 1.57079632673412561417e+00, kPio2_2 = 6.07710050630396597660e-11,
                   kPio2_2t = 2.02226624879595063154e-21;
  constexpr double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
                   S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
                   S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  constexpr double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
                   C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
                   C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  for (std::size_t i = 0; i < n; ++i) {
    // Round to nearest by the 1.5 * 2^52 trick (vectorisable without SSE4.1's roundpd).
    constexpr double kRound = 6755399441055744.0;
    const double q = (x[i] * kTwoOverPi + kRound) - kRound;
    const double r = ((x[i] - q * kPio2_1) - q * kPio2_2) - q * kPio2_2t;
    const double z = r * r;
    const double sr = r + r * z * (S1 + z * (S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)))));
    const double hz = 0.5 * z, w = 1.0 - hz;
    const double cr =
        w + (((1.0 - w) - hz) + z * z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6))))));
    const int k = static_cast<int>(q) & 3;
    const double sv = (k & 1) ? cr : sr, cv = (k & 1) ? sr : cr;
    s[i] = (k & 2) ? -sv : sv;
    c[i] = ((k + 1) & 2) ? -cv : cv;
  }
}

}  // namespace airy::optics::detail
