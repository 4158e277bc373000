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
#include "airy/plot/labels.hpp"

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

/// The displays with their labels filled in: an empty label becomes readable_label(name,
/// unit) (whose unit symbol and scale then apply); an empty short label copies the label;
/// units become their symbols (arcsec -> ″, "1" -> none).
inline std::vector<ParameterDisplay> resolved(std::vector<ParameterDisplay> params) {
  for (ParameterDisplay& p : params) {
    if (p.label.empty()) {
      const ReadableLabel r = readable_label(p.name, p.unit);
      p.label = r.label;
      if (p.short_label.empty()) p.short_label = r.short_label;
      p.scale *= r.scale;
      p.unit = r.unit;
    } else {
      p.unit = unit_symbol(p.unit);
    }
    if (p.short_label.empty()) p.short_label = p.label;
  }
  return params;
}

}  // namespace airy::plot::detail
