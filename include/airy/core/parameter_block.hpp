// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A named block of continuous parameters of a model component.
#pragma once

#include <string>

#include <vector>
#include "airy/core/domain.hpp"

namespace airy {

/// One named block of continuous parameters of a component (optical layer, source, detector
/// layer); its path in a telescope is <component path>.<name>.
struct ParameterBlock {
  std::string name;  ///< e.g. "coefficients"
  int size = 1;      ///< number of scalars
  std::string unit;  ///< e.g. "m"
  std::string doc;   ///< one line
  /// Where each scalar is defined (Telescope::set and posterior priors are checked against it).
  Domain domain = Domain::real();
};

/// Total number of scalars over `blocks`.
inline int total_size(const std::vector<ParameterBlock>& blocks) {
  int n = 0;
  for (const auto& b : blocks) n += b.size;
  return n;
}

}  // namespace airy
