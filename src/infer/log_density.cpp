// SPDX-License-Identifier: BSD-3-Clause
#include "airy/infer/log_density.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace airy::infer {

std::vector<std::string> LogDensity::output_names() const {
  std::vector<std::string> names;
  const int n = output_dim();
  names.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) names.push_back(fmt::format("theta[{}]", i + 1));
  return names;
}

void LogDensity::constrain(std::span<const double> theta, std::span<double> out) const {
  std::copy_n(theta.begin(), std::min(theta.size(), out.size()), out.begin());
}

bool LogDensity::unconstrain(std::span<const double> values, std::span<double> theta) const {
  std::copy_n(values.begin(), std::min(values.size(), theta.size()), theta.begin());
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

}  // namespace airy::infer
