// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief TOML -> Config, validating every key and value (docs/config.md is the reference).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "airy/core/units.hpp"
#include "config/toml_section.hpp"

namespace airy::config {
namespace {

using detail::Section;

void require_positive(const Section& s, std::string_view key, double value) {
  if (!(value > 0.0) || !std::isfinite(value)) s.fail(key, "must be > 0");
}

void require_nonnegative(const Section& s, std::string_view key, double value) {
  if (!(value >= 0.0) || !std::isfinite(value)) s.fail(key, "must be >= 0");
}

void require_finite(const Section& s, std::string_view key, double value) {
  if (!std::isfinite(value)) s.fail(key, "must be finite");
}

/// A count of pixels across an image: n^2 entries must index with 32-bit integers.
constexpr int kMaxPixelsAcross = 46340;  // floor(sqrt(2^31 - 1))
/// 10^x photons is finite and non-zero in double precision for |x| <= 300 (DBL_MAX ~ 1.8e308).
constexpr double kMaxAbsLogFlux = 300.0;
/// Chains (and threads) per run: each holds a workspace and a draws table.
constexpr int kMaxChains = 4096;

void require_log_flux(const Section& s, std::string_view key, double value) {
  if (!std::isfinite(value) || std::abs(value) > kMaxAbsLogFlux) {
    s.fail(key, fmt::format("must be in [-{0}, {0}]: 10^value photons must be finite and non-zero",
                            kMaxAbsLogFlux));
  }
}

/// The keys each shape type uses besides type, centre_x, centre_y, rotation and invert.
const detail::TypeKeys& shape_keys() {
  static const detail::TypeKeys keys = {{"circle", {"radius"}},
                                        {"annulus", {"radius", "inner_radius"}},
                                        {"square", {"width"}},
                                        {"rectangle", {"width", "height"}},
                                        {"polygon", {"radius", "sides"}},
                                        {"hexagon", {"radius"}},
                                        {"spider", {"width", "angles"}}};
  return keys;
}

std::vector<std::string> type_names(const detail::TypeKeys& keys) {
  std::vector<std::string> names;
  for (const auto& [type, k] : keys) names.push_back(type);
  return names;
}

/// Reads `type` and checks it is one of `keys`' types (with a "did you mean").
std::string read_type(const Section& s, const detail::TypeKeys& keys, std::string_view what) {
  const std::string type = s.string("type", "");
  const std::vector<std::string> names = type_names(keys);
  if (std::find(names.begin(), names.end(), type) == names.end()) {
    const std::string hint = detail::nearest(type, names);
    s.fail("type", fmt::format("unknown {}{} (expected one of {})", what,
                               hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                               fmt::join(names, ", ")));
  }
  return type;
}

bool uses(const detail::TypeKeys& keys, const std::string& type, std::string_view key) {
  for (const auto& [t, k] : keys) {
    if (t == type) return std::find(k.begin(), k.end(), key) != k.end();
  }
  return false;
}

ShapeConfig parse_shape(const Section& s) {
  ShapeConfig shape;
  shape.type = read_type(s, shape_keys(), "shape");
  const auto& t = shape.type;
  const auto& keys = shape_keys();
  if (uses(keys, t, "radius")) {
    shape.radius = s.required_number("radius", "(m)");
    require_positive(s, "radius", shape.radius);
  }
  if (uses(keys, t, "inner_radius")) {
    shape.inner_radius = s.required_number("inner_radius", "(m)");
    require_positive(s, "inner_radius", shape.inner_radius);
    if (shape.inner_radius >= shape.radius) s.fail("inner_radius", "must be < radius");
  }
  if (uses(keys, t, "width")) {
    shape.width = s.required_number("width", "(m)");
    require_positive(s, "width", shape.width);
  }
  if (uses(keys, t, "height")) {
    shape.height = s.required_number("height", "(m)");
    require_positive(s, "height", shape.height);
  }
  shape.sides = t == "hexagon" ? 6 : 0;
  if (uses(keys, t, "sides")) {
    if (!s.has("sides")) s.fail("sides", "required for a polygon (>= 3)");
    shape.sides = s.integer("sides", 0, 3, 100000);
  }
  if (uses(keys, t, "angles")) {
    shape.angles = s.numbers("angles", {});
    if (shape.angles.empty()) s.fail("angles", "a spider needs at least one arm (deg)");
    for (double a : shape.angles) require_finite(s, "angles", a);
  }
  shape.centre_x = s.number("centre_x", 0.0);
  require_finite(s, "centre_x", shape.centre_x);
  shape.centre_y = s.number("centre_y", 0.0);
  require_finite(s, "centre_y", shape.centre_y);
  shape.rotation = s.number("rotation", 0.0);
  require_finite(s, "rotation", shape.rotation);
  shape.invert = s.boolean("invert", false);
  s.check_all_used(fmt::format("by shape type \"{}\"", t), keys);
  return shape;
}

void parse_aperture(const Section& a, OpticsConfig& o) {
  o.soft_edge = a.string("soft_edge", o.soft_edge);
  if (o.soft_edge != "oversample" && o.soft_edge != "analytic" && o.soft_edge != "hard") {
    a.fail("soft_edge", "expected \"oversample\", \"analytic\" or \"hard\"");
  }
  if (o.soft_edge == "oversample") o.edge_oversample = a.integer("edge_oversample", 5, 1, 64);
  if (o.soft_edge == "analytic") {
    o.edge_width = a.number("edge_width", o.edge_width);
    require_nonnegative(a, "edge_width", o.edge_width);
  }
  o.normalise = a.boolean("normalise", o.normalise);
  for (const auto& shape :
       a.tables("shapes", {"type", "radius", "inner_radius", "width", "height", "sides", "angles",
                           "centre_x", "centre_y", "rotation", "invert"})) {
    o.shapes.push_back(parse_shape(shape));
  }
  a.check_all_used(fmt::format("with soft_edge = \"{}\"", o.soft_edge),
                   {{"soft_edge = \"oversample\"", {"edge_oversample"}},
                    {"soft_edge = \"analytic\"", {"edge_width"}}});
}

void parse_aberrations(const Section& ab, OpticsConfig& o) {
  o.noll = ab.integers("noll", {}, 1, 100000);
  std::set<int> unique(o.noll.begin(), o.noll.end());
  if (unique.size() != o.noll.size()) ab.fail("noll", "indices must be distinct");
  if (ab.has("basis_diameter")) {
    o.basis_diameter = ab.number("basis_diameter", 0.0);
    require_positive(ab, "basis_diameter", o.basis_diameter);
  }
  if (ab.has("coefficients")) {
    o.coefficients = ab.numbers("coefficients", {});
    if (o.coefficients.size() != o.noll.size()) {
      ab.fail("coefficients",
              fmt::format("has {} entries but noll has {}", o.coefficients.size(), o.noll.size()));
    }
    for (double v : o.coefficients) {
      if (!std::isfinite(v)) ab.fail("coefficients", "every coefficient must be finite");
    }
  } else {
    o.coefficients_rms = ab.number("coefficients_rms", 0.0);
    require_nonnegative(ab, "coefficients_rms", o.coefficients_rms);
    o.coefficients_seed = ab.seed("coefficients_seed", 0);
  }
  ab.check_all_used("when coefficients are given explicitly",
                    {{"no coefficients", {"coefficients_rms", "coefficients_seed"}}});
}

std::string hdu_key(const Section& s, const char* key);

/// [[optics.layers]]: pupil map layers (dLux Optic). Files are checked when the telescope is
/// built (their shape must match npix); here only the keys.
void parse_optic_layers(const Section& s, OpticsConfig& o) {
  std::set<std::string> names = {"aperture", "diversity"};
  int index = 0;
  for (const auto& l : s.tables("layers", {"type", "name", "transmission", "transmission_hdu",
                                           "opd", "opd_hdu", "opd_unit", "normalise"})) {
    OpticLayerConfig layer;
    layer.type = l.string("type", layer.type);
    if (layer.type != "optic") {
      l.fail("type", "expected \"optic\" (dLux Optic: a transmission and/or an OPD map)");
    }
    layer.name = l.string("name", index == 0 ? "pupil" : fmt::format("pupil{}", index));
    if (layer.name.empty() || layer.name.find('.') != std::string::npos) {
      l.fail("name", "expected a non-empty name without '.' (parameter paths optics.<name>.*)");
    }
    if (!names.insert(layer.name).second) {
      l.fail("name",
             "already used by another optics layer (\"aperture\" and \"diversity\" "
             "are reserved)");
    }
    layer.transmission = l.string("transmission", "");
    layer.transmission_hdu = hdu_key(l, "transmission_hdu");
    layer.opd = l.string("opd", "");
    layer.opd_hdu = hdu_key(l, "opd_hdu");
    if (layer.transmission.empty() && layer.opd.empty()) {
      l.fail("opd", "an optic layer needs a transmission and/or an opd FITS file");
    }
    if (!layer.transmission_hdu.empty() && layer.transmission.empty())
      l.fail("transmission_hdu", "needs transmission = \"<file>\"");
    if (!layer.opd_hdu.empty() && layer.opd.empty()) l.fail("opd_hdu", "needs opd = \"<file>\"");
    if (l.has("opd_unit")) {
      layer.opd_unit = l.string("opd_unit", layer.opd_unit);
      if (layer.opd.empty()) l.fail("opd_unit", "needs opd = \"<file>\"");
      try {
        (void)units::conversion_factor(layer.opd_unit, "m");
      } catch (const InvalidArgument& e) {
        l.fail("opd_unit", fmt::format("expected a length unit (m, mm, um, nm): {}", e.what()));
      }
    }
    layer.normalise = l.boolean("normalise", layer.normalise);
    l.check_all_used("");
    o.layers.push_back(std::move(layer));
    ++index;
  }
}

void parse_optics(const Section& root, Config& c) {
  auto s =
      root.table("optics", {"type", "npix", "diameter", "psf_npix", "psf_pixel_scale", "oversample",
                            "focal_length", "aperture", "aberrations", "layers"});
  if (!s) return;
  OpticsConfig& o = c.optics;
  o.type = s->string("type", o.type);
  if (o.type != "angular" && o.type != "cartesian") {
    s->fail("type", "expected \"angular\" or \"cartesian\"");
  }
  o.npix = s->integer("npix", o.npix, 2, kMaxPixelsAcross);
  o.diameter = s->number("diameter", o.diameter);
  require_positive(*s, "diameter", o.diameter);
  o.psf_npix = s->integer("psf_npix", o.psf_npix, 1, kMaxPixelsAcross);
  o.psf_pixel_scale = s->number("psf_pixel_scale", o.psf_pixel_scale);
  require_positive(*s, "psf_pixel_scale", o.psf_pixel_scale);
  o.oversample = s->integer("oversample", o.oversample, 1, kMaxPixelsAcross);
  if (static_cast<long long>(o.psf_npix) * o.oversample > kMaxPixelsAcross) {
    s->fail("oversample",
            fmt::format("psf_npix x oversample = {} exceeds {} pixels across",
                        static_cast<long long>(o.psf_npix) * o.oversample, kMaxPixelsAcross));
  }
  if (o.type == "cartesian") {
    o.focal_length = s->required_number("focal_length", "for type = \"cartesian\" (m)");
    require_positive(*s, "focal_length", o.focal_length);
  }
  if (auto a = s->table("aperture",
                        {"soft_edge", "edge_oversample", "edge_width", "normalise", "shapes"})) {
    parse_aperture(*a, o);
  }
  if (o.shapes.empty()) {
    ShapeConfig circle;
    circle.type = "circle";
    circle.radius = o.diameter / 2;
    o.shapes.push_back(circle);
  }
  if (auto ab = s->table("aberrations", {"noll", "coefficients", "coefficients_rms",
                                         "coefficients_seed", "basis_diameter"})) {
    parse_aberrations(*ab, o);
  }
  parse_optic_layers(*s, o);
  s->check_all_used(fmt::format("by type = \"{}\"", o.type), {{"cartesian", {"focal_length"}}});
}

/// The keys each source type uses besides type and the spectrum keys.
const detail::TypeKeys& source_keys() {
  static const detail::TypeKeys keys = {
      {"binary",
       {"x_position", "y_position", "separation", "position_angle", "log_flux", "contrast"}},
      {"point", {"x_position", "y_position", "log_flux"}},
      {"points", {"positions_x", "positions_y", "log_fluxes"}}};
  return keys;
}

void parse_spectrum(const Section& s, SourceConfig& src) {
  if (s.has("wavelengths_nm")) {
    src.wavelengths_nm = s.numbers("wavelengths_nm", {});
    if (src.wavelengths_nm.empty()) s.fail("wavelengths_nm", "needs at least one wavelength");
    for (double w : src.wavelengths_nm) {
      if (!(w > 0.0) || !std::isfinite(w)) s.fail("wavelengths_nm", "every wavelength must be > 0");
    }
  } else {
    src.band_nm = s.numbers("band_nm", src.band_nm);
    if (src.band_nm.size() != 2 || !(src.band_nm[0] > 0.0) || !(src.band_nm[1] >= src.band_nm[0]) ||
        !std::isfinite(src.band_nm[1])) {
      s.fail("band_nm", "expected [min, max] with 0 < min <= max (nm)");
    }
    src.n_wavelengths = s.integer("n_wavelengths", src.n_wavelengths, 1, 10000);
  }
  const std::size_t nl = src.wavelengths_nm.empty() ? static_cast<std::size_t>(src.n_wavelengths)
                                                    : src.wavelengths_nm.size();
  const toml::node* wn = s.raw().get("weights");
  if (wn != nullptr && wn->is_array() && !wn->as_array()->empty() &&
      (*wn->as_array())[0].is_array()) {
    // One row per star (type "points"): [[w_00, w_01, ...], [w_10, ...], ...].
    s.mark_used("weights");
    if (src.type != "points") {
      s.fail("weights", "one row per star needs type = \"points\" (give one list otherwise)");
    }
    for (const toml::node& row : *wn->as_array()) {
      std::vector<double> r;
      if (row.is_array()) {
        for (const toml::node& e : *row.as_array()) {
          if (!(e.is_floating_point() || e.is_integer())) {
            s.fail("weights", "expected an array of arrays of numbers");
          }
          r.push_back(*e.value<double>());
        }
      } else {
        s.fail("weights", "expected an array of numbers or one array per star");
      }
      if (r.size() != nl) {
        s.fail("weights", fmt::format("star {} has {} weights for {} wavelengths",
                                      src.star_weights.size(), r.size(), nl));
      }
      double total = 0.0;
      for (double w : r) {
        if (!(w >= 0.0) || !std::isfinite(w)) s.fail("weights", "weights must be >= 0");
        total += w;
      }
      if (!(total > 0.0)) {
        s.fail("weights",
               fmt::format("star {}'s weights must not all be zero", src.star_weights.size()));
      }
      src.star_weights.push_back(std::move(r));
    }
    if (src.star_weights.size() != src.positions_x.size()) {
      s.fail("weights", fmt::format("has {} rows for {} stars (one row per star)",
                                    src.star_weights.size(), src.positions_x.size()));
    }
    return;
  }
  src.weights = s.numbers("weights", {});
  if (!src.weights.empty()) {
    if (src.weights.size() != nl) {
      s.fail("weights", fmt::format("has {} entries for {} wavelengths", src.weights.size(), nl));
    }
    double total = 0.0;
    for (double w : src.weights) {
      if (!(w >= 0.0) || !std::isfinite(w)) s.fail("weights", "weights must be >= 0");
      total += w;
    }
    if (!(total > 0.0)) s.fail("weights", "weights must not all be zero");
  }
}

void parse_source(const Section& root, Config& c) {
  auto s = root.table("source", {"type", "x_position", "y_position", "separation", "position_angle",
                                 "log_flux", "contrast", "positions_x", "positions_y", "log_fluxes",
                                 "wavelengths_nm", "band_nm", "n_wavelengths", "weights"});
  if (!s) return;
  SourceConfig& src = c.source;
  src.type = s->has("type") ? read_type(*s, source_keys(), "source") : src.type;
  if (src.type == "binary" || src.type == "point") {
    src.x_position = s->number("x_position", src.x_position);
    require_finite(*s, "x_position", src.x_position);
    src.y_position = s->number("y_position", src.y_position);
    require_finite(*s, "y_position", src.y_position);
    src.log_flux = s->number("log_flux", src.log_flux);
    require_log_flux(*s, "log_flux", src.log_flux);
  }
  if (src.type == "binary") {
    src.separation = s->number("separation", src.separation);
    require_nonnegative(*s, "separation", src.separation);
    src.position_angle = s->number("position_angle", src.position_angle);
    require_finite(*s, "position_angle", src.position_angle);
    src.contrast = s->number("contrast", src.contrast);
    require_positive(*s, "contrast", src.contrast);
  }
  if (src.type == "points") {
    src.positions_x = s->numbers("positions_x", {});
    src.positions_y = s->numbers("positions_y", {});
    src.log_fluxes = s->numbers("log_fluxes", {});
    if (src.positions_x.empty()) s->fail("positions_x", "type \"points\" needs positions");
    if (src.positions_y.size() != src.positions_x.size() ||
        src.log_fluxes.size() != src.positions_x.size()) {
      s->fail("positions_y", "positions_x, positions_y and log_fluxes need equal lengths");
    }
    for (double v : src.positions_x) require_finite(*s, "positions_x", v);
    for (double v : src.positions_y) require_finite(*s, "positions_y", v);
    for (double v : src.log_fluxes) require_log_flux(*s, "log_fluxes", v);
  }
  parse_spectrum(*s, src);
  detail::TypeKeys users = source_keys();
  users.push_back({"a band (no wavelengths_nm)", {"band_nm", "n_wavelengths"}});
  s->check_all_used(src.wavelengths_nm.empty()
                        ? fmt::format("by type = \"{}\"", src.type)
                        : fmt::format("by type = \"{}\" with explicit wavelengths_nm", src.type),
                    users);
}

/// The keys each detector layer type uses besides type.
const detail::TypeKeys& detector_keys() {
  static const detail::TypeKeys keys = {{"downsample", {"factor"}},
                                        {"jitter", {"sigma"}},
                                        {"pixel_response", {"file"}},
                                        {"background", {"value"}},
                                        {"saturation", {"value"}}};
  return keys;
}

void parse_detector(const Section& root, Config& c) {
  auto s = root.table("detector", {"layers"});
  if (!s) return;
  for (const auto& l : s->tables("layers", {"type", "factor", "sigma", "value", "file"})) {
    DetectorLayerConfig layer;
    layer.type = read_type(l, detector_keys(), "detector layer");
    const auto& t = layer.type;
    if (t == "downsample") {
      if (!l.has("factor")) l.fail("factor", "required for a downsample layer (integer >= 1)");
      layer.factor = l.integer("factor", 1, 1, kMaxPixelsAcross);
    } else if (t == "jitter") {
      layer.sigma = l.required_number("sigma", "for a jitter layer (image pixels, > 0)");
      require_positive(l, "sigma", layer.sigma);
    } else if (t == "pixel_response") {
      layer.file = l.string("file", "");
      if (l.has("file") && layer.file.empty()) l.fail("file", "must name a FITS file");
    } else if (t == "background") {
      layer.value = l.required_number("value", "for a background layer (photons per pixel)");
      require_finite(l, "value", layer.value);
    } else if (t == "saturation") {
      layer.value = l.required_number("value", "for a saturation layer (photons)");
      require_positive(l, "value", layer.value);
    }
    l.check_all_used(fmt::format("by detector layer type \"{}\"", t), detector_keys());
    c.detector.push_back(layer);
  }
  s->check_all_used("");
}

void parse_noise_and_likelihood(const Section& root, Config& c) {
  if (auto s = root.table("noise", {"photon", "read_sigma", "seed"})) {
    c.noise.photon = s->boolean("photon", c.noise.photon);
    c.noise.read_sigma = s->number("read_sigma", c.noise.read_sigma);
    require_nonnegative(*s, "read_sigma", c.noise.read_sigma);
    c.noise.seed = s->seed("seed", 0);
  }
  if (auto s = root.table("likelihood", {"kind", "sigma"})) {
    c.likelihood.kind = s->string("kind", c.likelihood.kind);
    static const std::vector<std::string> kKinds = {"poisson", "gaussian", "poisson_gaussian",
                                                    "poisson_gaussian_exact"};
    if (std::find(kKinds.begin(), kKinds.end(), c.likelihood.kind) == kKinds.end()) {
      s->fail("kind", fmt::format("expected one of {}", fmt::join(kKinds, ", ")));
    }
    if (c.likelihood.kind != "poisson") {
      c.likelihood.sigma = s->number("sigma", c.likelihood.sigma);
      require_positive(*s, "sigma", c.likelihood.sigma);
    }
    s->check_all_used("by kind = \"poisson\" (no read noise)",
                      {{"gaussian", {"sigma"}},
                       {"poisson_gaussian", {"sigma"}},
                       {"poisson_gaussian_exact", {"sigma"}}});
  }
}

/// An HDU key of an exposure: a number (0 = primary) or an EXTNAME; "" when absent.
std::string hdu_key(const Section& s, const char* key) {
  if (!s.has(key)) return "";
  const toml::node* h = s.raw().get(key);
  s.mark_used(key);
  if (h->is_integer()) {
    const std::int64_t v = h->as_integer()->get();
    if (v < 0 || v > 100000) s.fail(key, "an HDU number must be in [0, 100000]");
    return std::to_string(v);
  }
  if (h->is_string() && !h->as_string()->get().empty()) return h->as_string()->get();
  s.fail(key, "expected an HDU number (0 = primary) or an EXTNAME such as \"SCI\"");
  return "";
}

/// [[exposures]]: data, HDU, dither, flux scale, an optional band of its own and a diversity
/// OPD. Runs after parse_source (an exposure's band starts from the source's).
void parse_exposures(const Section& root, Config& c) {
  int index = 0;
  for (const auto& s :
       root.tables("exposures", {"name", "data", "hdu", "dither", "flux_scale", "wavelengths_nm",
                                 "band_nm", "n_wavelengths", "weights", "diversity_noll",
                                 "diversity_coefficients", "variance", "variance_hdu", "err",
                                 "err_hdu", "mask", "mask_hdu", "mask_bits"})) {
    ExposureConfig e;
    e.name = s.string("name", "");
    for (const auto& other : c.exposures) {
      if (!e.name.empty() && other.name == e.name) s.fail("name", "two exposures share this name");
    }
    e.data = s.string("data", "");
    e.hdu = hdu_key(s, "hdu");
    // Real data's noise and quality maps (docs/config.md): files default to the data file.
    e.variance = s.string("variance", "");
    e.variance_hdu = hdu_key(s, "variance_hdu");
    e.err = s.string("err", "");
    e.err_hdu = hdu_key(s, "err_hdu");
    if (e.has_variance() && e.has_err()) {
      s.fail(s.has("err") ? "err" : "err_hdu",
             "give the noise as a variance map or as an ERR map, not both");
    }
    e.mask = s.string("mask", "");
    e.mask_hdu = hdu_key(s, "mask_hdu");
    if (s.has("mask_bits")) {
      const toml::node* b = s.raw().get("mask_bits");
      s.mark_used("mask_bits");
      if (!b->is_integer() || b->as_integer()->get() <= 0) {
        s.fail("mask_bits", "expected a positive integer: the bits that flag a pixel (e.g. 1)");
      }
      e.mask_bits = static_cast<std::uint64_t>(b->as_integer()->get());
      if (!e.has_mask()) s.fail("mask_bits", "needs a mask (mask or mask_hdu)");
    }
    const std::vector<double> dither = s.numbers("dither", {0.0, 0.0});
    if (dither.size() != 2 || !std::isfinite(dither[0]) || !std::isfinite(dither[1])) {
      s.fail("dither", "expected [x, y] in arcsec");
    }
    e.dither_x = dither[0];
    e.dither_y = dither[1];
    e.flux_scale = s.number("flux_scale", 1.0);
    require_positive(s, "flux_scale", e.flux_scale);
    if (s.has("wavelengths_nm") || s.has("band_nm") || s.has("n_wavelengths") || s.has("weights")) {
      SourceConfig band = c.source;
      band.wavelengths_nm.clear();
      band.weights.clear();
      band.star_weights.clear();
      parse_spectrum(s, band);
      e.spectrum = band;
    }
    if (s.has("diversity_noll") || s.has("diversity_coefficients")) {
      e.diversity_noll = s.integers("diversity_noll", {}, 1, 100000);
      e.diversity_coefficients = s.numbers("diversity_coefficients", {});
      if (e.diversity_noll.empty())
        s.fail("diversity_noll", "required with diversity_coefficients");
      if (e.diversity_coefficients.size() != e.diversity_noll.size()) {
        s.fail("diversity_coefficients",
               fmt::format("has {} entries but diversity_noll has {} (m of OPD RMS per mode)",
                           e.diversity_coefficients.size(), e.diversity_noll.size()));
      }
      for (double v : e.diversity_coefficients) {
        if (!std::isfinite(v)) s.fail("diversity_coefficients", "must be finite");
      }
    }
    s.check_all_used(
        fmt::format("by exposure {}", index),
        {{"an exposure's own band (no wavelengths_nm)", {"band_nm", "n_wavelengths"}}});
    c.exposures.push_back(std::move(e));
    ++index;
  }
}

/// A per-element distribution parameter: an array of finite numbers (one per element of the
/// site, row-major [y, x] for a map) or an inline table {file = "...", hdu = <number or
/// EXTNAME>} naming a FITS image of them (read and checked against the site's shape when the
/// posterior is built).
void parse_prior_parameter(const Config& c, const std::string& name, const std::string& k,
                           const toml::node& value, PriorConfig& prior) {
  const auto where = [&](const toml::node& n) {
    return fmt::format("{}:{}:{}: {}.{}", c.source_name, n.source().begin.line,
                       n.source().begin.column, name, k);
  };
  if (const toml::array* arr = value.as_array()) {
    if (arr->empty()) {
      throw InvalidArgument(where(value) + ": an empty array (give one value per element)");
    }
    std::vector<double> v;
    v.reserve(arr->size());
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const toml::node& x = *arr->get(i);
      if (!(x.is_floating_point() || x.is_integer())) {
        throw InvalidArgument(
            fmt::format("{}[{}]: must be a number (a per-element array is flat, row-major for a "
                        "map)",
                        where(value), i));
      }
      v.push_back(*x.value<double>());
      if (!std::isfinite(v.back())) {
        throw InvalidArgument(
            fmt::format("{}[{}] = {}: must be finite", where(value), i, v.back()));
      }
    }
    prior.arrays[k] = std::move(v);
    return;
  }
  const toml::table& t = *value.as_table();
  PriorMapFile map;
  for (const auto& [key, node] : t) {
    const std::string kk(key.str());
    if (kk == "file") {
      if (!node.is_string() || node.as_string()->get().empty()) {
        throw InvalidArgument(where(node) + ".file: expected the FITS file name (a string)");
      }
      map.file = node.as_string()->get();
    } else if (kk == "hdu") {
      if (node.is_integer() && node.as_integer()->get() >= 0 &&
          node.as_integer()->get() <= 100000) {
        map.hdu = std::to_string(node.as_integer()->get());
      } else if (node.is_string() && !node.as_string()->get().empty()) {
        map.hdu = node.as_string()->get();
      } else {
        throw InvalidArgument(where(node) +
                              ".hdu: expected an HDU number in [0, 100000] (0 = primary) or an "
                              "EXTNAME such as \"SCI\"");
      }
    } else {
      throw InvalidArgument(fmt::format("{}: unknown key '{}' (a map parameter takes file and hdu)",
                                        where(node), kk));
    }
  }
  if (map.file.empty()) {
    throw InvalidArgument(where(value) + ": a map parameter needs file = \"<FITS file>\"");
  }
  prior.maps[k] = std::move(map);
}

/// Priors keep the order in which they appear in the file (toml++ sorts tables by key).
void parse_priors(const Section& root, Config& c) {
  if (!root.has("priors")) return;
  const auto* table = root.raw().get("priors")->as_table();
  if (!table) root.fail("priors", "expected a table of [priors.\"path\"] tables");
  std::vector<std::pair<toml::source_position, std::string>> order;
  for (const auto& [key, node] : *table) {
    order.emplace_back(node.source().begin, std::string(key.str()));
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first.line != b.first.line ? a.first.line < b.first.line
                                        : a.first.column < b.first.column;
  });
  for (const auto& [position, path] : order) {
    const toml::node* node = table->get(path);
    if (!node->is_table()) {
      root.fail("priors", fmt::format("priors.\"{}\" must be a table with a `dist` key", path));
    }
    // Distribution parameters are free-form numbers (validated by the distribution factory
    // when the posterior is built); the other keys are fixed.
    PriorConfig prior;
    prior.path = path;
    const std::string name = fmt::format("priors.\"{}\"", path);
    for (const auto& [key, value] : *node->as_table()) {
      const std::string k(key.str());
      if (k == "dist" || k == "unit" || k == "unit_scale" || k == "truth") continue;
      if (value.is_array() || value.is_table()) {
        parse_prior_parameter(c, name, k, value, prior);
        continue;
      }
      if (!(value.is_floating_point() || value.is_integer())) {
        throw InvalidArgument(fmt::format(
            "{}:{}:{}: {}.{}: distribution parameters must be numbers, arrays of numbers (one "
            "per element) or {{file = \"map.fits\", hdu = ...}}",
            c.source_name, value.source().begin.line, value.source().begin.column, name, k));
      }
      prior.params[k] = *value.value<double>();
      if (!std::isfinite(prior.params[k])) {
        throw InvalidArgument(fmt::format("{}:{}:{}: {}.{} = {}: must be finite", c.source_name,
                                          value.source().begin.line, value.source().begin.column,
                                          name, k, prior.params[k]));
      }
    }
    const toml::table& t = *node->as_table();
    if (!t.contains("dist") || !t.get("dist")->is_string()) {
      throw InvalidArgument(fmt::format("{}:{}:{}: {}: needs dist = \"<distribution name>\"",
                                        c.source_name, node->source().begin.line,
                                        node->source().begin.column, name));
    }
    prior.dist = t.get("dist")->as_string()->get();
    if (t.contains("unit")) {
      if (!t.get("unit")->is_string()) {
        throw InvalidArgument(fmt::format("{}: {}.unit must be a string", c.source_name, name));
      }
      prior.unit = t.get("unit")->as_string()->get();
    }
    if (auto v = t.get("unit_scale"); v) {
      if (!(v->is_floating_point() || v->is_integer()) || !(*v->value<double>() > 0.0) ||
          !std::isfinite(*v->value<double>())) {
        throw InvalidArgument(
            fmt::format("{}: {}.unit_scale must be a number > 0", c.source_name, name));
      }
      prior.unit_scale = *v->value<double>();
    }
    if (auto v = t.get("truth"); v) {
      if (!(v->is_floating_point() || v->is_integer()) || !std::isfinite(*v->value<double>())) {
        throw InvalidArgument(
            fmt::format("{}: {}.truth must be a finite number", c.source_name, name));
      }
      prior.truth = *v->value<double>();
    }
    if (prior.params.count("low") && prior.params.count("high") &&
        !(prior.params["low"] < prior.params["high"])) {
      throw InvalidArgument(fmt::format(
          "{}:{}:{}: {}: low = {} >= high = {}: the prior has no support (bounds reversed?)",
          c.source_name, node->source().begin.line, node->source().begin.column, name,
          prior.params["low"], prior.params["high"]));
    }
    for (const auto& other : c.priors) {
      if (other.path == path) {
        throw InvalidArgument(fmt::format("{}: {} appears twice", c.source_name, name));
      }
    }
    c.priors.push_back(std::move(prior));
  }
}

/// The NUTS-only keys of [sampler] (an error with method = "pt").
constexpr std::array<std::string_view, 9> kNutsOnlyKeys = {
    "num_warmup", "num_samples", "save_warmup", "thin",           "init",
    "map_starts", "metric_init", "map_grid",    "map_grid_starts"};
/// The PT-only keys of [sampler] (an error with method = "nuts").
constexpr std::array<std::string_view, 6> kPtOnlyKeys = {
    "pt_chains",        "pt_rounds", "pt_reference", "pt_gaussian_sd", "pt_gaussian_refit_round",
    "pt_explorer_steps"};

/// Flattens `t` into {dotted key, points}: `{source.separation = 8}` is a nested table in
/// TOML, the same as `{"source.separation" = 8}` here.
void flatten_grid(const Section& s, const toml::table& t, const std::string& prefix,
                  std::vector<std::pair<std::string, int>>& out) {
  for (const auto& [key, node] : t) {
    const std::string name =
        prefix.empty() ? std::string(key.str()) : fmt::format("{}.{}", prefix, key.str());
    if (const auto* sub = node.as_table()) {
      flatten_grid(s, *sub, name, out);
      continue;
    }
    const auto v = node.value<std::int64_t>();
    if (!v || !node.is_integer()) {
      s.fail("map_grid", fmt::format("{}: expected an integer number of grid points", name));
    }
    // 1 point is a fixed value (the prior's median), which a grid axis is not for.
    if (*v < 2 || *v > 10000) {
      s.fail("map_grid", fmt::format("{} = {}: grid points must lie in [2, 10000]", name, *v));
    }
    out.emplace_back(name, static_cast<int>(*v));
  }
}

/// sampler.map_grid = {parameter = points, ...} and sampler.map_grid_starts.
void parse_map_grid(const Section& s, SamplerConfig& m) {
  if (s.has("map_grid")) {
    s.mark_used("map_grid");
    const auto* t = s.raw().get("map_grid")->as_table();
    if (t == nullptr) {
      s.fail("map_grid", "expected a table {parameter = points, ...}, e.g. {separation = 8}");
    }
    m.map_grid.clear();
    flatten_grid(s, *t, "", m.map_grid);
    if (m.map_grid.empty()) s.fail("map_grid", "names no parameter");
  }
  if (!m.map_grid.empty()) {
    m.map_grid_starts = s.integer("map_grid_starts", m.map_grid_starts, 1, 1000000);
  }
}

/// The NUTS settings of [sampler].
void parse_nuts_keys(const Section& s, SamplerConfig& m) {
  constexpr int kMaxInt = std::numeric_limits<int>::max();
  m.num_warmup = s.integer("num_warmup", m.num_warmup, 0, kMaxInt);
  m.num_samples = s.integer("num_samples", m.num_samples, 1, kMaxInt);
  m.init = s.string("init", m.init);
  if (m.init != "random" && m.init != "map") s.fail("init", "expected \"random\" or \"map\"");
  const bool adapts_metric = m.metric == "diag_e" || m.metric == "dense_e";
  if (adapts_metric) {
    m.metric_init = s.string("metric_init", m.metric_init);
    if (m.metric_init != "identity" && m.metric_init != "laplace") {
      s.fail("metric_init", "expected \"identity\" or \"laplace\"");
    }
  }
  const bool uses_map =
      m.init == "map" || m.metric == "fisher" || (adapts_metric && m.metric_init == "laplace");
  if (uses_map) {
    m.map_starts = s.integer("map_starts", m.map_starts, 1, 1000000);
    parse_map_grid(s, m);
  }
  m.save_warmup = s.boolean("save_warmup", m.save_warmup);
  m.thin = s.integer("thin", m.thin, 1, kMaxInt);
}

/// The parallel-tempering settings of [sampler] (docs/inference.md §6).
void parse_pt_keys(const Section& s, SamplerConfig& m) {
  // One diagonal (or unit) metric per chain index: a dense one per rung is not supported,
  // and the MAP-based metrics belong to NUTS.
  if (m.metric != "diag_e" && m.metric != "unit_e") {
    s.fail("metric",
           "method = \"pt\" adapts one diagonal metric per chain of the beta ladder: expected "
           "\"diag_e\" or \"unit_e\"");
  }
  m.pt_chains = s.integer("pt_chains", m.pt_chains, 2, kMaxChains);
  // Round r runs 2^r scans: 2^24 (16.8 million) scans of the last round is already far
  // beyond any practical run, and the draws of the last round are kept in memory.
  m.pt_rounds = s.integer("pt_rounds", m.pt_rounds, 1, 24);
  m.pt_reference = s.string("pt_reference", m.pt_reference);
  if (m.pt_reference != "prior" && m.pt_reference != "gaussian") {
    s.fail("pt_reference", "expected \"prior\" or \"gaussian\"");
  }
  if (m.pt_reference == "gaussian") {
    m.pt_gaussian_sd = s.number("pt_gaussian_sd", m.pt_gaussian_sd);
    require_positive(s, "pt_gaussian_sd", m.pt_gaussian_sd);
    m.pt_gaussian_refit_round =
        s.integer("pt_gaussian_refit_round", m.pt_gaussian_refit_round, 1, 24);
  }
  m.pt_explorer_steps = s.integer("pt_explorer_steps", m.pt_explorer_steps, 1, 1000000);
}

void parse_sampler_and_output(const Section& root, Config& c) {
  // clang-format off
  if (auto s = root.table("sampler", {"method", "num_chains", "num_warmup", "num_samples", "seed",
                                      "num_threads", "threads_per_chain", "metric", "delta", "max_depth", "save_warmup",
                                      "thin", "init", "map_starts", "map_grid",
                                      "map_grid_starts", "metric_init", "pt_chains",
                                      "pt_rounds", "pt_reference", "pt_gaussian_sd",
                                      "pt_gaussian_refit_round", "pt_explorer_steps"})) {
    // clang-format on
    SamplerConfig& m = c.sampler;
    m.method = s->string("method", m.method);
    if (m.method != "nuts" && m.method != "pt") s->fail("method", "expected \"nuts\" or \"pt\"");
    const bool pt = m.method == "pt";
    m.num_chains = s->integer("num_chains", m.num_chains, 1, kMaxChains);
    m.seed = s->seed("seed", m.seed);
    m.num_threads = s->integer("num_threads", m.num_threads, 0, kMaxChains);
    m.threads_per_chain = s->integer("threads_per_chain", m.threads_per_chain, 0, kMaxChains);
    m.metric = s->string("metric", m.metric);
    if (m.metric != "diag_e" && m.metric != "dense_e" && m.metric != "unit_e" &&
        m.metric != "fisher") {
      s->fail("metric", "expected \"diag_e\", \"dense_e\", \"unit_e\" or \"fisher\"");
    }
    m.delta = s->number("delta", m.delta);
    if (!(m.delta > 0.0 && m.delta < 1.0)) s->fail("delta", "must lie in (0, 1)");
    // 2^max_depth leapfrog steps per iteration: beyond 30 the count overflows 32 bits. PT's
    // default is 8: every scan waits for its slowest chain (docs/inference.md §6.3).
    m.max_depth = s->integer("max_depth", pt && !s->has("max_depth") ? 8 : m.max_depth, 1, 30);
    if (pt) {
      parse_pt_keys(*s, m);
      detail::TypeKeys users = {{"method = \"nuts\"", {}}};
      for (auto k : kNutsOnlyKeys) users[0].second.emplace_back(k);
      users.push_back(
          {"pt_reference = \"gaussian\"", {"pt_gaussian_sd", "pt_gaussian_refit_round"}});
      s->check_all_used(fmt::format("with method = \"pt\", pt_reference = \"{}\"", m.pt_reference),
                        users);
    } else {
      parse_nuts_keys(*s, m);
      detail::TypeKeys users = {{"method = \"pt\"", {}}};
      for (auto k : kPtOnlyKeys) users[0].second.emplace_back(k);
      users.push_back({"metric = \"diag_e\" or \"dense_e\"", {"metric_init"}});
      users.push_back({"init = \"map\", metric = \"fisher\" or metric_init = \"laplace\"",
                       {"map_starts", "map_grid"}});
      users.push_back({"map_grid", {"map_grid_starts"}});
      s->check_all_used(fmt::format("with metric = \"{}\", init = \"{}\"", m.metric, m.init),
                        users);
    }
  }
  if (auto s = root.table(
          "output", {"dir", "log_likelihood", "posterior_predictive", "posterior_predictive_draws",
                     "auto_max_megabytes", "pointing_ra", "pointing_dec"})) {
    c.output_dir = s->string("dir", c.output_dir);
    if (c.output_dir.empty()) s->fail("dir", "must name a directory");
    OutputConfig& o = c.output;
    // true, false or "auto" (a boolean or a string).
    auto switch_key = [&](std::string_view key, const std::string& fallback) {
      const toml::node* n = s->raw().get(key);
      if (n == nullptr) return fallback;
      s->mark_used(key);
      if (n->is_boolean()) return std::string(n->as_boolean()->get() ? "true" : "false");
      if (n->is_string() && n->as_string()->get() == "auto") return std::string("auto");
      s->fail(key, "expected true, false or \"auto\"");
    };
    o.log_likelihood = switch_key("log_likelihood", o.log_likelihood);
    o.posterior_predictive = switch_key("posterior_predictive", o.posterior_predictive);
    o.posterior_predictive_draws =
        s->integer("posterior_predictive_draws", o.posterior_predictive_draws, 1, 100000);
    o.auto_max_megabytes = s->number("auto_max_megabytes", o.auto_max_megabytes);
    if (!(o.auto_max_megabytes > 0.0 && std::isfinite(o.auto_max_megabytes))) {
      s->fail("auto_max_megabytes", "must be a finite number of megabytes > 0");
    }
    if (s->has("pointing_ra")) {
      o.pointing_ra = s->number("pointing_ra", 0.0);
      if (!(*o.pointing_ra >= 0.0 && *o.pointing_ra < 360.0)) {
        s->fail("pointing_ra", "must be a right ascension in [0, 360) degrees");
      }
    }
    if (s->has("pointing_dec")) {
      o.pointing_dec = s->number("pointing_dec", 0.0);
      if (!(*o.pointing_dec >= -90.0 && *o.pointing_dec <= 90.0)) {
        s->fail("pointing_dec", "must be a declination in [-90, 90] degrees");
      }
    }
    if (o.pointing_ra.has_value() != o.pointing_dec.has_value()) {
      s->fail(o.pointing_ra ? "pointing_ra" : "pointing_dec",
              "pointing_ra and pointing_dec go together (the sky position of the optical axis)");
    }
  }
}

/// [plot]: figure width (inches), parameter subset, output formats, image stretch, dpi.
void parse_plot(const Section& root, Config& c) {
  const auto s = root.table("plot", {"width", "parameters", "format", "stretch", "dpi"});
  if (!s) return;
  PlotConfig& p = c.plot;
  // A string or an array of strings (`format` takes either).
  auto strings = [&](std::string_view key, bool single_ok, std::vector<std::string> fallback) {
    const toml::node* n = s->raw().get(key);
    if (n == nullptr) return fallback;
    s->mark_used(key);  // read here rather than through a typed getter
    if (single_ok && n->is_string()) return std::vector<std::string>{n->as_string()->get()};
    if (!n->is_array())
      s->fail(key, single_ok ? "expected a string or an array of strings"
                             : "expected an array of strings");
    std::vector<std::string> out;
    for (const toml::node& e : *n->as_array()) {
      if (!e.is_string()) s->fail(key, "expected an array of strings");
      out.push_back(e.as_string()->get());
    }
    return out;
  };
  p.width = s->number("width", p.width);
  if (!(p.width == 0.0 || (p.width >= 1.0 && p.width <= 40.0))) {
    s->fail("width",
            "must be 0 (each figure's default) or in [1, 40] inches (3.5 = a journal "
            "column, 7 = a page)");
  }
  p.parameters = strings("parameters", false, p.parameters);
  p.formats = strings("format", true, p.formats);
  if (p.formats.empty()) s->fail("format", "needs at least one of \"png\", \"pdf\", \"svg\"");
  for (const std::string& f : p.formats) {
    if (f != "png" && f != "pdf" && f != "svg") {
      s->fail("format", fmt::format("\"{}\": expected \"png\", \"pdf\" or \"svg\"", f));
    }
    if (std::count(p.formats.begin(), p.formats.end(), f) > 1) {
      s->fail("format", fmt::format("\"{}\" appears twice", f));
    }
  }
  p.stretch = s->string("stretch", p.stretch);
  if (p.stretch != "linear" && p.stretch != "sqrt" && p.stretch != "log" && p.stretch != "asinh") {
    s->fail("stretch", "expected \"linear\", \"sqrt\", \"log\" or \"asinh\"");
  }
  p.dpi = s->number("dpi", p.dpi);
  if (!(p.dpi > 0.0 && p.dpi <= 1200.0)) s->fail("dpi", "must be in (0, 1200]");
  s->check_all_used("");
}

}  // namespace

Config parse_config(std::string_view toml_text, std::string_view source_name) {
  toml::table root_table;
  try {
    root_table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw InvalidArgument(fmt::format("{}:{}:{}: TOML syntax error: {}", source_name,
                                      e.source().begin.line, e.source().begin.column,
                                      e.description()));
  }
  Config c;
  c.source_name = std::string(source_name);
  const Section root(root_table, "", std::string(source_name),
                     {"optics", "source", "detector", "noise", "likelihood", "priors", "sampler",
                      "output", "exposures", "plot"});
  parse_optics(root, c);
  parse_source(root, c);
  parse_detector(root, c);
  parse_exposures(root, c);
  parse_noise_and_likelihood(root, c);
  parse_priors(root, c);
  parse_sampler_and_output(root, c);
  parse_plot(root, c);
  return c;
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InvalidArgument(fmt::format("config file '{}': cannot be read", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  Config c = parse_config(buffer.str(), path);
  // Files named in a config are relative to the config's own directory (not to wherever airy
  // runs), and are stored absolute so that the config.toml a run writes still finds them.
  const std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  auto resolve = [&dir](std::string& file) {
    if (!file.empty() && std::filesystem::path(file).is_relative()) {
      file = (dir / file).lexically_normal().string();
    }
  };
  for (auto& layer : c.detector) resolve(layer.file);
  for (auto& layer : c.optics.layers) {
    resolve(layer.transmission);
    resolve(layer.opd);
  }
  for (auto& prior : c.priors) {
    for (auto& [key, map] : prior.maps) resolve(map.file);
  }
  for (auto& e : c.exposures) {
    for (std::string* file : {&e.data, &e.variance, &e.err, &e.mask}) resolve(*file);
  }
  return c;
}

}  // namespace airy::config
