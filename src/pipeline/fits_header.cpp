// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The FITS header of every image a run writes: poppy's keywords, a WCS and the run's
/// provenance (docs/file_formats.md §FITS).
#include <fmt/format.h>

#include <algorithm>

#include "airy/config/build.hpp"
#include "airy/core/units.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/figures.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {
namespace {

/// The world coordinates of the image pixels. Angular systems: a gnomonic (TAN) projection
/// about the optical axis, CDELT = the image pixel scale in degrees (arcsec / 3600), with
/// RA increasing to the left (CDELT1 < 0: the usual sky display, north up, east left), so
/// airy's +x points west and +y north. Cartesian systems: focal-plane metres from the optical
/// axis, +x and +y as the array's. CRPIX is left to the writer: the image centre (n+1)/2
/// (1-based), where the optical axis is (docs/conventions.md).
io::FitsWcs image_wcs(const config::Config& c, double pixel_scale) {
  io::FitsWcs w;
  if (c.optics.type == "angular") {
    const double deg = pixel_scale / 3600.0;
    w.ctype = {"RA---TAN", "DEC--TAN"};
    w.cunit = {"deg", "deg"};
    w.cdelt = {-deg, deg};
    w.radesys = "ICRS";
    if (c.output.pointing_ra && c.output.pointing_dec) {
      // [output] pointing_ra / pointing_dec: the sky position of the optical axis.
      w.crval = {*c.output.pointing_ra, *c.output.pointing_dec};
      w.crval_comment = "[deg] ICRS pointing of the optical axis (config)";
      return w;
    }
    // No pointing in the config: (0, 0) stands for the optical axis.
    w.crval_comment = "[deg] no pointing in the config: optical axis";
  } else {
    w.ctype = {"LINEAR", "LINEAR"};
    w.cunit = {"m", "m"};
    w.cdelt = {pixel_scale, pixel_scale};
    w.crval_comment = "[m] focal-plane position of the optical axis";
  }
  w.crval = {0.0, 0.0};
  return w;
}

std::string& process_command_line() {
  static std::string line;
  return line;
}

}  // namespace

void set_process_command_line(std::string command_line) {
  process_command_line() = std::move(command_line);
}

io::FitsHeader image_header(const config::Config& c, const std::string& extname,
                            const std::string& bunit, const std::string& command_line) {
  io::FitsHeader h;
  h.extname = extname;
  h.bunit = bunit;
  const bool angular = c.optics.type == "angular";
  int sampling = c.optics.oversample;
  for (const auto& l : c.detector) {
    if (l.type == "downsample") sampling /= l.factor;
  }
  h.pixelscale = c.optics.psf_pixel_scale / std::max(sampling, 1);
  h.pixunit = angular ? "arcsecond" : "meter";
  h.oversample = std::max(sampling, 1);
  h.det_sampling = std::max(sampling, 1);
  const config::SpectrumValues spec = config::spectrum_values(c.source);
  double mean = 0.0;
  for (std::size_t i = 0; i < spec.weights.size(); ++i) {
    mean += spec.weights[i] * spec.wavelengths_m[i];
  }
  h.wavelength = mean;
  h.nwaves = static_cast<int>(spec.wavelengths_m.size());
  h.waves = spec.wavelengths_m;
  h.weights = spec.weights;
  if (angular) h.diffraction_limit = units::rad_to_arcsec(mean / c.optics.diameter);
  h.diameter = c.optics.diameter;
  h.normalization = "none";
  h.wcs = image_wcs(c, *h.pixelscale);

  // Provenance: which airy, which source revision, which config (the config.toml written
  // beside this file has exactly this checksum) and which command.
  h.cards.push_back({"AIRYVER", std::string(version()), "airy version"});
  h.cards.push_back(
      {"AIRYREV", std::string(git_revision()), "git revision airy was configured at"});
  if (!c.source_name.empty()) h.cards.push_back({"CONFIG", c.source_name, "config the run read"});
  h.cards.push_back(
      {"CONFHASH", text_checksum(config::to_toml(c)), "checksum of config.toml (as run)"});
  const std::string& command = command_line.empty() ? process_command_line() : command_line;
  if (!command.empty()) h.cards.push_back({"COMMAND", command, "airy command line"});
  return h;
}

}  // namespace airy::pipeline
