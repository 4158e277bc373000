// SPDX-License-Identifier: BSD-3-Clause
#include "airy/core/domain.hpp"

#include <fmt/format.h>

#include <cmath>

namespace airy {

std::string Domain::describe() const {
  auto end = [](double v) {
    if (std::isinf(v)) return std::string(v < 0 ? "-inf" : "inf");
    return fmt::format("{:g}", v);
  };
  return fmt::format("{}{}, {}{}", lower_closed ? '[' : '(', end(lower), end(upper),
                     upper_closed ? ']' : ')');
}

}  // namespace airy
