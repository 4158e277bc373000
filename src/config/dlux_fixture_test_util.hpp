// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Test helpers for the dLux fixtures (tests/fixtures/dlux, tools/dlux_reference.py):
/// their folder, a TOML matrix as an image, and the error relative to the reference's peak.
#pragma once

#include <toml++/toml.h>

#include <filesystem>

#include "airy/core/arrays.hpp"

namespace airy::testing {

inline const std::filesystem::path kDluxFixtureDir =
    std::filesystem::path(AIRY_SOURCE_DIR) / "tests" / "fixtures" / "dlux";

/// A TOML array of rows (as the fixtures store images) as an image, row i = y.
inline RealImage fixture_matrix(const toml::node_view<const toml::node>& n) {
  const toml::array& rows = *n.as_array();
  RealImage m(static_cast<Eigen::Index>(rows.size()),
              static_cast<Eigen::Index>(rows[0].as_array()->size()));
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    const toml::array& row = *rows[static_cast<std::size_t>(i)].as_array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      m(i, j) = row[static_cast<std::size_t>(j)].value<double>().value();
    }
  }
  return m;
}

/// max |a − ref| / max |ref|: the parity measure of docs/optics.md (fraction of the peak).
inline double peak_error(const RealImage& a, const RealImage& ref) {
  return (a - ref).abs().maxCoeff() / ref.abs().maxCoeff();
}

}  // namespace airy::testing
