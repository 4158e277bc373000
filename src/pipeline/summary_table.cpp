// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The columns of the printed summary table: full parameter names, units, truths.
#include "pipeline/summary_table.hpp"

#include <fmt/format.h>

namespace airy::pipeline {

infer::SummaryOptions summary_columns(const posterior::ImagePosterior& post,
                                      const std::map<std::string, double>& truth,
                                      const std::vector<std::string>& output_names) {
  infer::SummaryOptions o;
  const auto& model = post.log_density();
  const auto names = output_names.size() == static_cast<std::size_t>(model.output_dim())
                         ? output_names
                         : model.output_names();
  o.labels = names;  // derived outputs (after the sites) keep their names
  o.units = post.output_units();
  for (auto& u : o.units) {
    if (u.empty()) u.push_back('1');  // not u = "1": GCC 12 -Wrestrict false positive
  }
  o.units.resize(names.size(), "");
  const auto& sites = model.sites();
  const auto& slices = model.slices();
  for (std::size_t s = 0; s < sites.size() && s < post.sites().size(); ++s) {
    const posterior::ParameterSite& site = post.sites()[s];
    const std::string path =
        site.exposure >= 0 ? fmt::format("exposures.{}.{}", site.exposure, site.path) : site.path;
    for (int k = 0; k < slices[s].size; ++k) {
      const auto i = static_cast<std::size_t>(slices[s].offset + k);
      if (i < o.labels.size()) {
        // The run's index of the entry ("[3]", or "[2,1]" for a matrix-named site).
        const std::string& n = names[i];
        const auto br = n.rfind('[');
        o.labels[i] = !sites[s].is_vector ? path
                      : br != std::string::npos && n.back() == ']'
                          ? path + n.substr(br)
                          : fmt::format("{}[{}]", path, k + 1);
      }
    }
  }
  o.truth = truth;
  return o;
}

}  // namespace airy::pipeline
