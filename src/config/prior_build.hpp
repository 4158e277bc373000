// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A [priors."<path>"] table -> the site's prior distribution: one scalar distribution
/// for every element, or per-element parameters given inline or as FITS maps
/// (docs/config.md, "Per-element priors"), checked against the site's shape.
#pragma once

#include <Eigen/Core>
#include <string>

#include "airy/config/config.hpp"
#include "airy/infer/distribution.hpp"

namespace airy::config {

/// The shape of a site's values as a map parameter must give them: (ny, nx) for the flat field
/// (the detector grid at its layer, row-major), (1, n) for any other vector of n.
struct SiteShape {
  Eigen::Index rows = 1;
  Eigen::Index cols = 1;
  [[nodiscard]] Eigen::Index size() const { return rows * cols; }
};

/// SiteShape of `path` with `size` entries.
[[nodiscard]] SiteShape site_shape(const std::string& path, int size);

/// The prior of `p` for a site of `shape`: make_distribution(dist, params) when every parameter
/// is a number (each element takes it); else infer::make_independent with the inline arrays
/// (shape.size() values, row-major) and FITS maps (shape rows x cols; a 1 x n or n x 1 image
/// for a vector) per element, and the numbers shared.
/// @throws InvalidArgument naming the parameter key, and for a map its file and HDU, for a
///   missing file or HDU, a map or array of the wrong size (both shapes), a non-finite value
///   (its pixel (x, y) or index), or an element the distribution rejects (e.g. scale <= 0, with
///   its pixel and value).
[[nodiscard]] infer::DistributionPtr build_prior(const PriorConfig& p, const SiteShape& shape);

/// Site value -> the read noise in photons: unit_scale, else the factor of `unit` (which must
/// be a photon count unit: "" or "photons").
/// @throws InvalidArgument naming the unit.
[[nodiscard]] double read_noise_scale(const PriorConfig& p);

}  // namespace airy::config
