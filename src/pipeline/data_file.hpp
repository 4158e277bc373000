// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private helpers shared by `fit`, `fisher` and `optimize`.
#pragma once

#include <string>

#include "airy/core/arrays.hpp"
#include "airy/model/telescope.hpp"
#include "airy/posterior/fisher.hpp"

namespace airy::pipeline {

/// Reads the data FITS image and checks it against the telescope's image shape and for
/// non-finite pixels. @throws InvalidArgument naming the file (and --data when empty).
RealImage load_data(const std::string& path, const model::Telescope& telescope);

/// The table of a FisherResult: parameter, value (column titled `value_label`), CRB,
/// Laplace sd, CRB/|value|, unit.
std::string crb_table(const posterior::FisherResult& f, const std::string& value_label);

}  // namespace airy::pipeline
