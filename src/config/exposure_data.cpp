// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The data of each exposure of a run as FITS gives it: the image from a file and HDU
/// (number or EXTNAME), with the optional variance / ERR and mask / DQ maps of real data.
#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"

namespace airy::config {
namespace {

/// "'file'" or "'file' HDU SCI", for messages.
std::string where(const std::string& file, const std::string& hdu) {
  return hdu.empty() ? fmt::format("'{}'", file) : fmt::format("'{}' HDU {}", file, hdu);
}

/// One 2-D image of the shape the exposure's telescope renders. `what` names it in messages.
RealImage read_image(const std::string& what, const std::string& file, const std::string& hdu,
                     Eigen::Index rows, Eigen::Index cols) {
  if (!std::filesystem::exists(file)) {
    throw InvalidArgument(fmt::format("{} '{}': does not exist", what, file));
  }
  RealImage image;
  try {
    image = io::read_fits_hdu(file, hdu).image;
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(fmt::format("{}: {}", what, e.what()));
  }
  if (image.rows() != rows || image.cols() != cols) {
    throw InvalidArgument(fmt::format(
        "{} {}: image is {}x{} pixels (ny x nx) but the configured telescope renders {}x{} "
        "(optics.psf_npix x optics.oversample, after detector downsampling)",
        what, where(file, hdu), image.rows(), image.cols(), rows, cols));
  }
  return image;
}

/// The label of exposure e in messages: "exposure 'a'" or "exposure 2".
std::string exposure_what(const Config& c, std::size_t e) {
  const std::string& name = c.exposures[e].name;
  return name.empty() ? fmt::format("exposure {}", e) : fmt::format("exposure '{}'", name);
}

}  // namespace

std::string exposure_label(const Config& config, int e) {
  if (config.exposures.empty()) return "";
  const std::string& name = config.exposures.at(static_cast<std::size_t>(e)).name;
  return name.empty() ? std::to_string(e) : name;
}

std::string exposure_file_name(const Config& config, int e, const std::string& stem) {
  if (config.exposures.empty()) return stem + ".fits";
  // A name is a label, not a path: anything but letters, digits, '-', '.' and '_' becomes '_'.
  std::string label = exposure_label(config, e);
  for (char& ch : label) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_';
    if (!ok) ch = '_';
  }
  return fmt::format("{}_{}.fits", stem, label);
}

posterior::PixelMaps load_pixel_maps(const Config& config, int e, const std::string& data_file,
                                     Eigen::Index rows, Eigen::Index cols) {
  posterior::PixelMaps maps;
  if (config.exposures.empty()) return maps;
  const ExposureConfig& x = config.exposures.at(static_cast<std::size_t>(e));
  const std::string what = exposure_what(config, static_cast<std::size_t>(e));
  auto file_of = [&](const std::string& file, const char* key) {
    if (!file.empty()) return file;
    if (data_file.empty()) {
      throw InvalidArgument(fmt::format(
          "{}: {}: no file given, and the exposure has no data file to take the HDU from", what,
          key));
    }
    return data_file;
  };
  if (x.has_variance() || x.has_err()) {
    const bool err = x.has_err();
    const std::string file = file_of(err ? x.err : x.variance, err ? "err" : "variance");
    const std::string hdu = err ? x.err_hdu : x.variance_hdu;
    RealImage map = read_image(fmt::format("{}: {} map", what, err ? "err" : "variance"), file, hdu,
                               rows, cols);
    // ERR is the standard deviation (photons): variance = err^2 (photons^2).
    if (err) map = map.square();
    maps.variance = std::move(map);
  }
  if (x.has_mask()) {
    const std::string file = file_of(x.mask, "mask");
    const RealImage m = read_image(fmt::format("{}: mask", what), file, x.mask_hdu, rows, cols);
    maps.mask = posterior::PixelMask::Zero(rows, cols);
    for (Eigen::Index y = 0; y < rows; ++y) {
      for (Eigen::Index i = 0; i < cols; ++i) {
        const double v = m(y, i);
        if (!x.mask_bits) {
          // Any nonzero value (NaN included) flags the pixel.
          maps.mask(y, i) = v != 0.0 ? 1 : 0;
          continue;
        }
        // A data-quality map: integer flags; the pixel is out when any selected bit is set.
        if (!(v >= 0.0) || v != std::floor(v) || v >= 18446744073709551616.0) {
          throw InvalidArgument(fmt::format(
              "{}: mask {} pixel (x={}, y={}) = {}: with mask_bits a mask holds non-negative "
              "integer flags",
              what, where(file, x.mask_hdu), i, y, v));
        }
        maps.mask(y, i) = (static_cast<std::uint64_t>(v) & *x.mask_bits) != 0 ? 1 : 0;
      }
    }
  }
  return maps;
}

std::vector<ExposureData> load_exposure_data(const Config& config, const std::string& data_path,
                                             const std::vector<model::Telescope>& telescopes) {
  std::vector<ExposureData> out;
  const std::size_t n = std::max<std::size_t>(config.exposures.size(), 1);
  if (telescopes.size() != n) {
    throw InvalidArgument(fmt::format("{}: {} telescope(s) for {} exposure(s)", config.source_name,
                                      telescopes.size(), n));
  }
  for (std::size_t e = 0; e < n; ++e) {
    ExposureData d;
    d.label = exposure_label(config, static_cast<int>(e));
    std::string what = "data file";
    if (config.exposures.empty()) {
      d.file = data_path;
    } else {
      const ExposureConfig& x = config.exposures[e];
      what = exposure_what(config, e) + ": data file";
      d.file = x.data.empty() ? data_path : x.data;
      // Without its own file an exposure is an HDU of the --data file: its `hdu`, else its index.
      d.hdu = x.hdu.empty() && x.data.empty() ? std::to_string(e) : x.hdu;
      if (d.file.empty()) {
        throw InvalidArgument(fmt::format("{}: {} has no `data` file and no --data file was given",
                                          config.source_name, exposure_what(config, e)));
      }
    }
    if (d.file.empty()) throw InvalidArgument("fit: no data file given (--data FILE)");
    const auto& t = telescopes[e];
    d.image = read_image(what, d.file, d.hdu, t.image_rows(), t.image_cols());
    // NaN marks missing data (masked by the likelihood and counted); an infinity is an error.
    for (Eigen::Index y = 0; y < d.image.rows(); ++y) {
      for (Eigen::Index x = 0; x < d.image.cols(); ++x) {
        const double v = d.image(y, x);
        if (std::isinf(v)) {
          throw InvalidArgument(fmt::format("{} {}: pixel (x={}, y={}) = {} is not finite", what,
                                            where(d.file, d.hdu), x, y, v));
        }
      }
    }
    d.maps = load_pixel_maps(config, static_cast<int>(e), d.file, d.image.rows(), d.image.cols());
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace airy::config
