// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private helpers shared by `fit`, `summary`, `fisher` and `optimize`.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "airy/config/build.hpp"
#include "airy/core/arrays.hpp"
#include "airy/infer/draws.hpp"
#include "airy/model/telescope.hpp"
#include "airy/posterior/fisher.hpp"

namespace airy::pipeline {

/// The data of a run and the posterior given them: one telescope, image and pixel-map set per
/// exposure (one without [[exposures]]).
struct RunData {
  std::vector<model::Telescope> telescopes;
  std::vector<config::ExposureData> exposures;
  posterior::ImagePosterior posterior;

  /// The data files, one per exposure (in order; exposures may share one).
  [[nodiscard]] std::vector<std::string> files() const;
  /// run_info.toml's `data`: the file, or "file[HDU], ..." for several exposures.
  [[nodiscard]] std::string description() const;
};

/// Builds every exposure's telescope, reads its data (config::load_exposure_data: `data_path`
/// is the --data file) and builds the posterior. @throws InvalidArgument naming the config,
/// exposure, file and HDU. Its log density evaluates on config::evaluation_threads(c, exposures,
/// concurrent) threads; concurrent = 0: the chains a NUTS run of c runs at once.
RunData load_run_data(const config::Config& c, const std::string& data_path, int concurrent = 0);

/// "data: exposure 'a': 5 of 256 pixels masked (2 NaN)\n" per exposure with masked pixels
/// (NaN data or the configured mask); "" when none is.
std::string masked_report(const posterior::ImagePosterior& post);

/// Adds masked_pixels and nan_pixels (summed over exposures) and num_exposures to `numbers`.
void add_mask_counts(const posterior::ImagePosterior& post, std::map<std::string, double>& numbers);

/// "truth: k/n true values inside their central 99% intervals" and the misses; "" without
/// truth or draws. `*outside` = the misses (-1 when nothing was checked).
std::string truth_report(const infer::Run& run, const std::map<std::string, double>& truth,
                         int* outside);

/// The table of a FisherResult: parameter, value (column titled `value_label`), CRB,
/// Laplace sd, CRB/|value|, unit.
std::string crb_table(const posterior::FisherResult& f, const std::string& value_label);

}  // namespace airy::pipeline
