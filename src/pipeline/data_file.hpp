// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private helpers shared by `fit`, `summary`, `fisher` and `optimize`.
#pragma once

#include <map>
#include <string>

#include "airy/core/arrays.hpp"
#include "airy/infer/draws.hpp"
#include "airy/model/telescope.hpp"
#include "airy/posterior/fisher.hpp"

namespace airy::pipeline {

/// Reads the data FITS image and checks it against the telescope's image shape and for
/// non-finite pixels. @throws InvalidArgument naming the file (and --data when empty).
RealImage load_data(const std::string& path, const model::Telescope& telescope);

/// "truth: k/n true values inside their central 99% intervals" and the misses; "" without
/// truth or draws. `*outside` = the misses (-1 when nothing was checked).
std::string truth_report(const infer::Run& run, const std::map<std::string, double>& truth,
                         int* outside);

/// The table of a FisherResult: parameter, value (column titled `value_label`), CRB,
/// Laplace sd, CRB/|value|, unit.
std::string crb_table(const posterior::FisherResult& f, const std::string& value_label);

}  // namespace airy::pipeline
