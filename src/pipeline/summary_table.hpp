// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The columns of the printed summary table: full parameter names, units, truths.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "airy/infer/summary.hpp"
#include "airy/posterior/image_posterior.hpp"

namespace airy::pipeline {

/// Summary options whose table names each output coordinate by its full path
/// ("source.separation", "optics.aperture.coefficients[1]", an exposure's own parameter as
/// "exposures.<e>.<path>", as [priors] addresses them), shows its unit ("1" for
/// dimensionless) and, where `truth` (keyed by output name) has one, its true value.
/// `output_names` (the run's names, structured_output_names; empty: the sampler's) give each
/// vector entry's index: `source.positions[2,1]` for `positions[2,1]`.
infer::SummaryOptions summary_columns(const posterior::ImagePosterior& post,
                                      const std::map<std::string, double>& truth,
                                      const std::vector<std::string>& output_names = {});

}  // namespace airy::pipeline
