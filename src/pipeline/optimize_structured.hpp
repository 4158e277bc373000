// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The large-scale path of `airy optimize` (a posterior with a flat field).
#pragma once

#include <map>
#include <string>

#include "airy/config/config.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "airy/posterior/map_fit.hpp"
#include "pipeline/structured_laplace.hpp"

namespace airy::pipeline {

/// The MAP starts and their table.
struct StructuredOptimize {
  posterior::OptimizeResult result;  ///< starts, best, seconds, interrupted
  std::string table;                 ///< per start: log p, |grad|, max |s g|, iterations, ...
  std::string starts_csv;            ///< optimize_starts.csv
  long long evaluations = 0;         ///< log density + gradient evaluations, all starts
  int best_iterations = 0;           ///< L-BFGS iterations of the best start
};

/// The MAP alone (no sds, no files): posterior::maximize_scaled from the configured values
/// (when `from_config`), then `num_starts` prior draws (Philox stream (sampler.seed, s)), each
/// scaled by the Laplace diagonal at its start (laplace_diagonal_scales), to a scaled gradient
/// max_i |s_i d log p/du_i| <= 1e-4. A stop request ends it with the best point so far
/// (result.interrupted). Used by optimize_structured and by `airy fit`'s MAP phase on a
/// flat-field posterior.
/// @throws InvalidArgument for improper priors with num_starts > 0, configured values outside
///   the support (from_config); Error when no start reaches a finite log density.
StructuredOptimize structured_map(const config::Config& c, const posterior::ImagePosterior& post,
                                  int num_starts, bool from_config);

/// structured_map, then structured_laplace at the best. Writes
/// optimize_starts.csv, optimize.csv (parameter, unit, value, crb, laplace_sd),
/// flat_field.fits, flat_field_sd.fits, flat_field_crb.fits and global_covariance.csv into
/// `out`, and the flat-field figure (flat_field.<[plot] formats>). With a `truth` (the
/// simulation's truth.toml) the table also reports how many true values lie inside their
/// Laplace intervals (truth_coverage) and the figure shows the true map and (MAP − true)/sd.
/// A stop request (signal) ends it with the best point so far and no sds.
/// @throws InvalidArgument for improper priors (nothing to draw starts from).
StructuredOptimize optimize_structured(const config::Config& c,
                                       const posterior::ImagePosterior& post, int num_starts,
                                       const std::string& out, bool from_config = false,
                                       const std::map<std::string, double>& truth = {});

/// Coverage of the truth by the Laplace intervals at an estimate: for the flat field, the
/// fraction of true values within 1 sd (expected 68.3 %, binomial sd sqrt(p(1-p)/n)) and 2 sd
/// (95.4 %) and the mean |estimate − truth|; for every other parameter with a truth, its
/// (estimate − truth)/sd. "" when `truth` covers none of the parameters.
std::string truth_coverage(const StructuredLaplace& s, const std::map<std::string, double>& truth,
                           int flat_offset, int flat_size);

}  // namespace airy::pipeline
