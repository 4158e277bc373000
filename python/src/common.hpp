// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Shared pieces of the airy._core bindings: numpy <-> Eigen conversions, the opaque
/// handles of immutable C++ components, and the per-module bind functions.
///
/// Conventions: every array crossing the boundary is float64, C-contiguous, indexed (y, x).
/// The Python layer (python/airy) converts and validates user input (naming the argument);
/// these functions check shapes again and raise airy::InvalidArgument (Python
/// airy.InvalidArgument, a ValueError) on a mismatch, so a bad call can never crash.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/core/parameter_block.hpp"
#include "airy/detector/detector_layer.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/layer.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/sources/source.hpp"

namespace airy::python {

namespace nb = nanobind;

/// Any-rank float64 C-contiguous CPU array (read-only view of a numpy array).
using InArray = nb::ndarray<const double, nb::c_contig, nb::device::cpu>;
/// A float64 numpy array owned by a C++ buffer (returned to Python without a copy).
using OutArray = nb::ndarray<nb::numpy, double>;

/// Opaque handle of an immutable optical layer.
struct LayerRef {
  std::shared_ptr<const optics::Layer> ptr;
};
/// Opaque handle of an immutable optical system.
struct OpticsRef {
  std::shared_ptr<const optics::OpticalSystem> ptr;
};
/// Opaque handle of an immutable source.
struct SourceRef {
  std::shared_ptr<const sources::Source> ptr;
};
/// Opaque handle of an immutable detector layer.
struct DetectorRef {
  std::shared_ptr<const detector::DetectorLayer> ptr;
};

/// A numpy array of `shape` that owns `data` (moved to the heap; freed with the array).
OutArray owned_array(std::vector<double> data, std::vector<std::size_t> shape);
/// An image (ny, nx) as a numpy array (one copy into the owned buffer).
OutArray image_array(const RealImage& image);
/// A vector as a 1-D numpy array.
OutArray vector_array(const RealVector& v);
/// A row-major matrix as a 2-D numpy array.
OutArray matrix_array(const RealMatrix& m);

/// Total number of elements of `a`.
std::size_t num_elements(const InArray& a);
/// `a` as a 2-D image; @throws InvalidArgument naming `what` unless a.ndim() == 2.
RealImage to_image(const InArray& a, const char* what);
/// `a` as a vector (any shape, flattened row-major).
RealVector to_vector(const InArray& a);
/// `a` as a (rows, cols) matrix; @throws InvalidArgument naming `what` unless 2-D.
RealMatrix to_matrix(const InArray& a, const char* what);
/// (2, ny, nx) array (x map then y map, dLux's pixel_coords layout) -> Coords.
optics::Coords to_coords(const InArray& a, const char* what);
/// Coords -> (2, ny, nx) array.
OutArray coords_array(const optics::Coords& c);

/// Parameter blocks as a list of (name, size, unit, doc) tuples.
nb::list blocks_list(const std::vector<ParameterBlock>& blocks);

void bind_optics(nb::module_& m);
void bind_sources(nb::module_& m);
void bind_detector(nb::module_& m);
void bind_model(nb::module_& m);
void bind_config(nb::module_& m);
void bind_infer(nb::module_& m);
void bind_posterior(nb::module_& m);
void bind_jax(nb::module_& m);

}  // namespace airy::python
