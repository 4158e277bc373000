// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Opaque handles of airy::infer objects shared by several binding files.
#pragma once

#include <memory>

#include "airy/infer/distribution.hpp"
#include "airy/infer/log_density.hpp"

namespace airy::python {

/// An immutable distribution.
struct DistRef {
  infer::DistributionPtr ptr;
};
/// An immutable log density (an airy posterior, a site model or a Python callable).
struct LogDensityRef {
  std::shared_ptr<const infer::LogDensity> ptr;
};

}  // namespace airy::python
