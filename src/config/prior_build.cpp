// SPDX-License-Identifier: BSD-3-Clause
#include "config/prior_build.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/core/units.hpp"
#include "airy/infer/distributions.hpp"
#include "airy/io/fits.hpp"

namespace airy::config {
namespace {

constexpr const char* kFlatFieldPath = "detector.pixel_response.map";

/// How a per-element parameter was given, for messages: `loc = {file = "f.fits", hdu = "SCI"}`.
std::string describe_map(const std::string& key, const PriorMapFile& m) {
  return m.hdu.empty() ? fmt::format("{} = {{file = \"{}\"}}", key, m.file)
                       : fmt::format("{} = {{file = \"{}\", hdu = {}}}", key, m.file, m.hdu);
}

std::string describe_shape(const SiteShape& s) {
  return s.rows == 1 ? fmt::format("{} values", s.cols)
                     : fmt::format("{}x{} (ny x nx)", s.rows, s.cols);
}

/// Element i of the site as the user sees it: pixel (x, y) of a map, else [i] (0-based).
std::string element_name(const SiteShape& shape, Eigen::Index i) {
  if (shape.rows == 1) return fmt::format("[{}]", i);
  return fmt::format("pixel (x={}, y={})", i % shape.cols, i / shape.cols);
}

/// A map parameter's values in row-major site order, checked for shape and finiteness.
std::vector<double> read_map(const std::string& key, const PriorMapFile& m, const std::string& path,
                             const SiteShape& shape) {
  const std::string what = describe_map(key, m);
  RealImage image;
  try {
    image = io::read_fits_hdu(m.file, m.hdu).image;
  } catch (const Error& e) {
    throw InvalidArgument(fmt::format("{}: {}", what, e.what()));
  }
  // A vector of n takes a 1 x n or n x 1 image; a map its own (ny, nx), never transposed.
  const bool fits = (image.rows() == shape.rows && image.cols() == shape.cols) ||
                    (shape.rows == 1 && image.cols() == 1 && image.rows() == shape.cols);
  if (!fits) {
    throw InvalidArgument(
        fmt::format("{}: the map is {}x{} pixels (ny x nx) but the site '{}' has {}", what,
                    image.rows(), image.cols(), path, describe_shape(shape)));
  }
  std::vector<double> v(image.data(), image.data() + image.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      throw InvalidArgument(fmt::format("{}: {} = {}: every value must be finite", what,
                                        element_name(shape, static_cast<Eigen::Index>(i)), v[i]));
    }
  }
  return v;
}

}  // namespace

SiteShape site_shape(const std::string& path, int size) {
  if (path == kFlatFieldPath) {
    // The pixel_response layer's map is square: the image at that layer.
    const auto n = static_cast<Eigen::Index>(std::llround(std::sqrt(static_cast<double>(size))));
    if (n * n == size) return {n, n};
  }
  return {1, size};
}

infer::DistributionPtr build_prior(const PriorConfig& p, const SiteShape& shape) {
  if (p.arrays.empty() && p.maps.empty()) return infer::make_distribution(p.dist, p.params);
  std::map<std::string, std::vector<double>> params;
  for (const auto& [k, v] : p.params) params[k] = {v};
  for (const auto& [k, v] : p.arrays) {
    if (static_cast<Eigen::Index>(v.size()) != shape.size()) {
      throw InvalidArgument(fmt::format("{}: {} values given but the site '{}' has {}{}", k,
                                        v.size(), p.path, describe_shape(shape),
                                        shape.rows == 1 ? "" : " (give them row-major, y then x)"));
    }
    params[k] = v;
  }
  for (const auto& [k, m] : p.maps) params[k] = read_map(k, m, p.path, shape);
  try {
    return infer::make_independent(p.dist, params, static_cast<int>(shape.size()));
  } catch (const InvalidArgument& e) {
    // Name the first element the distribution rejects by its pixel and the keys it came from
    // (only on this error path is each element rebuilt on its own).
    for (Eigen::Index i = 0; i < shape.size(); ++i) {
      std::map<std::string, double> one;
      for (const auto& [k, v] : params) {
        one[k] = v.size() == 1 ? v[0] : v[static_cast<std::size_t>(i)];
      }
      try {
        (void)infer::make_distribution(p.dist, one);
      } catch (const InvalidArgument& element) {
        std::vector<std::string> from;
        for (const auto& [k, v] : p.arrays) from.push_back(fmt::format("{} = [...]", k));
        for (const auto& [k, m] : p.maps) from.push_back(describe_map(k, m));
        throw InvalidArgument(fmt::format("element {} of the per-element prior ({}): {}",
                                          element_name(shape, i), fmt::join(from, ", "),
                                          element.what()));
      }
    }
    throw;
  }
}

double read_noise_scale(const PriorConfig& p) {
  if (p.unit_scale) return *p.unit_scale;
  if (p.unit.empty()) return 1.0;
  return units::conversion_factor(p.unit, "photons");
}

}  // namespace airy::config
