// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Per-exposure variance and mask maps from numpy (posterior::PixelMaps): the Python
/// layer (airy.Exposure, airy.Posterior, Config.posterior) validates them and passes an empty
/// (0, 0) array for "no map".
#pragma once

#include <cstdint>
#include <string>

#include "airy/posterior/likelihood.hpp"
#include "common.hpp"

namespace airy::python {

/// A 2-D uint8 C-contiguous mask (nonzero = pixel left out of the likelihood).
using MaskArray = nb::ndarray<const std::uint8_t, nb::c_contig, nb::device::cpu>;

/// The maps of one exposure: a null or empty (no element) `variance` / `mask` means none;
/// otherwise each must be 2-D (ImageLikelihood checks the shape against the data and the
/// values). @throws InvalidArgument naming `what` (e.g. "exposure 1") and the map for a
/// non-2-D array.
posterior::PixelMaps to_pixel_maps(const InArray* variance, const MaskArray* mask,
                                   const std::string& what);

/// Exposure maps as numpy: the variance map (photons^2) or None, and the effective mask
/// (given mask plus NaN data pixels) as uint8 (ny, nx).
nb::object variance_array(const posterior::ImageLikelihood& likelihood);
nb::object mask_array(const posterior::ImageLikelihood& likelihood);

}  // namespace airy::python
