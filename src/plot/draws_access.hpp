// SPDX-License-Identifier: BSD-3-Clause
// Private: finding parameter columns in a Run and collecting scaled draws.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/infer/draws.hpp"
#include "airy/plot/corner.hpp"

namespace airy::plot::detail {

/// Column of each displayed parameter in the run's draws; throws InvalidArgument naming
/// `where` and the unknown name (and the known names) when one is missing.
inline std::vector<int> resolve_columns(const infer::Run& run,
                                        const std::vector<ParameterDisplay>& params,
                                        const std::string& where) {
  if (run.chains.empty()) throw InvalidArgument(where + ": the run has no chains");
  if (params.empty()) throw InvalidArgument(where + ": no parameters to plot");
  const auto& names = run.chains.front().names;
  std::vector<int> cols;
  for (const ParameterDisplay& p : params) {
    const auto it = std::find(names.begin(), names.end(), p.name);
    if (it == names.end()) {
      throw InvalidArgument(fmt::format("{}: parameter '{}' is not in the run (it has: {})", where,
                                        p.name, fmt::join(names, ", ")));
    }
    cols.push_back(static_cast<int>(it - names.begin()));
  }
  return cols;
}

/// The post-warmup draws of column `col`, all chains pooled, multiplied by `scale`.
inline std::vector<double> pooled(const infer::Run& run, int col, double scale) {
  std::vector<double> v;
  for (const infer::Chain& c : run.chains) {
    for (Eigen::Index i = c.num_warmup_saved; i < c.draws.rows(); ++i) {
      v.push_back(scale * c.draws(i, col));
    }
  }
  return v;
}

/// Axis label of a parameter: its label (or name) and "[unit]".
inline std::string axis_label(const ParameterDisplay& p) {
  const std::string base = p.label.empty() ? p.name : p.label;
  return p.unit.empty() ? base : base + " [" + p.unit + "]";
}

}  // namespace airy::plot::detail
