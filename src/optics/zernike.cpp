// SPDX-License-Identifier: BSD-3-Clause
#include "airy/optics/zernike.hpp"

#include <cmath>

#include "airy/core/error.hpp"

namespace airy::optics {
namespace {

double factorial(int k) {
  double f = 1.0;
  for (int i = 2; i <= k; ++i) f *= i;
  return f;
}

}  // namespace

NollMode noll_to_nm(int j) {
  if (j < 1) throw InvalidArgument(format_invalid("noll_to_nm", "noll index j", j, "must be >= 1"));
  // dLux noll_indices: n = ceil(-1/2 + sqrt(1 + 8 j)/2) - 1, exact in integers below.
  int n = 0;
  while ((n + 1) * (n + 2) / 2 < j) ++n;
  const int jmin = n * (n + 1) / 2 + 1;
  const int shifts = (j - jmin + 1 - (n & 1)) / 2;
  const int mabs = (n & 1) + 2 * shifts;
  return {n, (j % 2 == 0) ? mabs : -mabs};
}

double zernike_value(int j, double rho, double theta) {
  const NollMode nm = noll_to_nm(j);
  if (rho > 1.0) return 0.0;
  const int n = nm.n, ma = std::abs(nm.m);
  double radial = 0.0;
  for (int k = 0; k <= (n - ma) / 2; ++k) {
    const double c = ((k % 2) ? -1.0 : 1.0) * factorial(n - k) /
                     (factorial(k) * factorial((n + ma) / 2 - k) * factorial((n - ma) / 2 - k));
    radial += c * std::pow(rho, n - 2 * k);
  }
  const double norm = std::sqrt(n + 1.0) * (nm.m != 0 ? std::sqrt(2.0) : 1.0);
  const double az = nm.m > 0 ? std::cos(ma * theta) : (nm.m < 0 ? std::sin(ma * theta) : 1.0);
  return norm * radial * az;
}

RealImage zernike(int j, const Coords& coords, double diameter) {
  (void)noll_to_nm(j);
  check_positive("zernike", "diameter", diameter);
  const double inv_r = 2.0 / diameter;
  RealImage z(coords.x.rows(), coords.x.cols());
  for (Eigen::Index k = 0; k < z.size(); ++k) {
    const double x = coords.x.data()[k] * inv_r, y = coords.y.data()[k] * inv_r;
    z.data()[k] = zernike_value(j, std::hypot(x, y), std::atan2(y, x));
  }
  return z;
}

std::vector<RealImage> zernike_basis(const std::vector<int>& noll, const Coords& coords,
                                     double diameter) {
  std::vector<RealImage> basis;
  basis.reserve(noll.size());
  for (int j : noll) basis.push_back(zernike(j, coords, diameter));
  return basis;
}

}  // namespace airy::optics
