// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief ArviZ InferenceData as NetCDF-4 (docs/file_formats.md §NetCDF), written with libnetcdf.
///
/// `arviz.from_netcdf("fit.nc")` (ArviZ 0.x and 1.x) and `xarray.open_dataset(path,
/// group="posterior")` (engines netcdf4 and h5netcdf) read the file. Layout:
/// - root group: attributes only (created_at, creation_library*, inference_library*);
/// - `posterior`: dims `chain`, `draw` (+ one per vector parameter), int64 coordinate
///   variables for every dim, one double variable per parameter of shape (chain, draw[, k]);
/// - `sample_stats`: lp, acceptance_rate, step_size, tree_depth, n_steps, diverging
///   (int8 with attribute dtype = "bool", decoded to bool by xarray), energy;
/// - `observed_data` (optional): the images, each with dims (y, x) (or its own);
/// - `log_likelihood` (optional): per-draw, per-pixel log L, for az.loo / az.waic;
/// - `posterior_predictive` (optional): replicated images of (a subset of) the draws;
/// - `constant_data` (optional): caller arrays and true parameter values;
/// - `warmup_posterior`, `warmup_sample_stats` (optional): saved warmup draws.
///
/// Names: airy's `optics.aperture.coefficients[1..7]` become one variable
/// `optics.aperture.coefficients` of shape (chain, draw, 7) with dim
/// `optics.aperture.coefficients_dim_0` (coordinates 0..6 as ArviZ numbers them, unless the
/// caller names the dim and its coordinates). Dots are legal in NetCDF-4 names and kept
/// (`posterior["source.separation"]` in xarray); any character other than letters, digits,
/// '_', '.', '-' and '+' (e.g. '/') is replaced by '_'.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "airy/core/arrays.hpp"
#include "airy/infer/draws.hpp"

namespace airy::io {

/// A named dimension with its coordinates: integers (e.g. "noll" with {4, 5, 6, 7}), or
/// strings when `labels` is not empty (e.g. "axis" with {"x", "y"}).
struct NamedDim {
  std::string name;
  std::vector<long long> coords;
  std::vector<std::string> labels;
  [[nodiscard]] std::size_t size() const { return labels.empty() ? coords.size() : labels.size(); }
};

/// A constant array for the `constant_data` group (a scalar when `values` has one element
/// and `dim` is empty).
struct ConstantArray {
  std::string name;
  std::vector<double> values;
  std::string dim;    ///< dimension name; default `<name>_dim_0`
  std::string units;  ///< `units` attribute, if not empty (must not contain "since")
};

/// One image of `observed_data`, dims (y_dim, x_dim); a posterior_predictive array of the
/// same name shares them.
struct ObservedImage {
  std::string name = "image";
  RealImage image;
  std::string y_dim = "y";
  std::string x_dim = "x";
};

/// A variable of a per-draw group (log_likelihood, posterior_predictive): shape
/// (chain, draw, dims...), every chain of the run.
struct DrawArray {
  std::string name;
  std::vector<NamedDim> dims;  ///< after (chain, draw)
  std::vector<double> values;  ///< row-major (chain, draw, dims...)
  std::string units;           ///< `units` attribute
  std::string long_name;       ///< `long_name` attribute, if not empty
};

/// A per-draw group: its `draw` coordinates (indices of the post-warmup draws it covers,
/// e.g. a thinned subset) and its variables.
struct DrawGroup {
  std::vector<long long> draws;
  std::vector<DrawArray> arrays;
};

/// What to write besides the draws.
struct InferenceDataOptions {
  std::vector<ObservedImage> observed;  ///< observed_data, one variable per image
  std::vector<ConstantArray> constant_data;
  /// True parameter values (airy names, vectors as `name[i]`), written to `constant_data`
  /// grouped (and with the dims) of the posterior, each variable named `<name>_true`.
  std::map<std::string, double> truth;
  /// Per-parameter `units` attribute, keyed by base name (e.g. "source.separation" ->
  /// "arcsec"); variables without one get "1" (dimensionless).
  std::map<std::string, std::string> units;
  /// Per vector parameter (base name) its dims in row-major order with their coordinates,
  /// e.g. {noll} for Zernike coefficients, {star, axis} for star positions, {map_y, map_x}
  /// for a pixel map; the product of their sizes must be the vector's length.
  std::map<std::string, std::vector<NamedDim>> dims;
  std::optional<DrawGroup> log_likelihood;        ///< az.loo / az.waic
  std::optional<DrawGroup> posterior_predictive;  ///< az.plot_ppc
  /// Root attributes (beside created_at and the library names), e.g. how the groups were made.
  std::map<std::string, std::string> attributes;
  bool include_warmup = true;  ///< write warmup_* groups when warmup draws were saved
  bool compress = false;       ///< zlib level 4 with shuffle (ArviZ's own choice)
  /// Without post-warmup draws (a run interrupted in warmup), write the other groups
  /// (observed_data, constant_data, warmup_*) instead of throwing.
  bool allow_no_draws = false;
  std::string inference_library = "airy";
};

/// Writes `run` as ArviZ InferenceData to `path` (NetCDF-4/HDF5), atomically: a temporary
/// file in the same directory is renamed over `path` once libnetcdf closed it without error.
/// Chains with different numbers of post-warmup draws (an interrupted run) are cut to the
/// shortest.
/// Throws airy::InvalidArgument for an empty run, mismatched names, an incomplete vector
/// (`x[1]`, `x[3]` without `x[2]`), named dims that do not fit their variable, a dim name
/// used with two sizes in one group, or a per-draw array whose size is not chains x draws x
/// its dims; and airy::Error naming the path on NetCDF failures.
void write_inference_data(const std::string& path, const infer::Run& run,
                          const InferenceDataOptions& options = {});

/// One variable of a group, as the writer lays it out.
struct GroupedVariable {
  std::string name;                ///< NetCDF name (base name, sanitised)
  std::vector<int> columns;        ///< columns of Chain::draws, in index order
  std::vector<std::size_t> shape;  ///< extra dims after (chain, draw); empty for scalars
};

/// Groups airy names (`a`, `b[1]`, `b[2]`, `m[1,1]`, ...) into variables, in first-seen
/// order; multi-index names are laid out row-major. Throws InvalidArgument when a vector
/// is incomplete or an index repeats.
std::vector<GroupedVariable> group_names(const std::vector<std::string>& names);

/// `name` with the characters NetCDF cannot hold replaced by '_'.
std::string netcdf_name(const std::string& name);

}  // namespace airy::io
