// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Config -> telescope and posterior through the optics engine's public API.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <string_view>
#include <thread>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/core/units.hpp"
#include "airy/detector/detector_layers.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/io/fits.hpp"
#include "airy/model/builder.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/zernike.hpp"
#include "airy/sources/binary_source.hpp"
#include "airy/sources/point_source.hpp"
#include "config/prior_build.hpp"

namespace airy::config {
namespace {

optics::Shape to_shape(const ShapeConfig& s) {
  optics::Shape shape;
  if (s.type == "circle") {
    shape = optics::Shape::circle(s.radius);
  } else if (s.type == "annulus") {
    shape = optics::Shape::annulus(s.inner_radius, s.radius);
  } else if (s.type == "square") {
    shape = optics::Shape::square(s.width);
  } else if (s.type == "rectangle") {
    shape = optics::Shape::rectangle(s.width, s.height);
  } else if (s.type == "polygon") {
    shape = optics::Shape::regular_polygon(s.sides, s.radius);
  } else if (s.type == "hexagon") {
    shape = optics::Shape::hexagon(s.radius);
  } else if (s.type == "spider") {
    shape = optics::Shape::spider(s.width, s.angles);
  } else {
    throw InvalidArgument(fmt::format("optics.aperture.shapes: unknown type \"{}\"", s.type));
  }
  if (s.rotation != 0.0) shape = shape.rotated(s.rotation);
  if (s.centre_x != 0.0 || s.centre_y != 0.0) shape = shape.at(s.centre_x, s.centre_y);
  if (s.invert) shape = shape.inverted();
  return shape;
}

RealImage transmission(const OpticsConfig& o) {
  std::vector<optics::Shape> shapes;
  for (const auto& s : o.shapes) shapes.push_back(to_shape(s));
  if (o.soft_edge == "analytic") {
    // edge_width is a half-width in metres; the engine takes a ramp width in pupil pixels.
    const double pixel = o.diameter / o.npix;
    const double softening = o.edge_width > 0.0 ? 2.0 * o.edge_width / pixel : 1.0;
    return optics::soft_aperture_transmission(shapes, o.npix, o.diameter, softening);
  }
  const int oversample = o.soft_edge == "hard" ? 1 : o.edge_oversample;
  return optics::aperture_transmission(shapes, o.npix, o.diameter, oversample);
}

/// The disk the Zernike basis is defined on: basis_diameter, else the pupil's (dLux
/// zernike(j, pixel_coords(npix, D), basis_diameter): same grid, rho = r / (basis_diameter/2)).
double zernike_diameter(const OpticsConfig& o) {
  return o.basis_diameter > 0.0 ? o.basis_diameter : o.diameter;
}

/// One map of an [[optics.layers]] table from FITS: npix x npix, finite, and for a
/// transmission in [0, 1] (an amplitude transmission above 1 would add light). `scale`
/// converts the file's values (opd_unit) to metres.
RealImage optic_map(const Config& config, int index, const char* key, const std::string& file,
                    const std::string& hdu, double scale) {
  const int n = config.optics.npix;
  const std::string where =
      fmt::format("{}: optics.layers[{}].{} = \"{}\"{}", config.source_name, index, key, file,
                  hdu.empty() ? std::string() : fmt::format(" (HDU {})", hdu));
  RealImage map;
  try {
    map = io::read_fits_hdu(file, hdu).image;
  } catch (const Error& e) {
    throw InvalidArgument(fmt::format("{}: {}", where, e.what()));
  }
  if (map.rows() != n || map.cols() != n) {
    throw InvalidArgument(fmt::format(
        "{}: the map is {}x{} pixels (ny x nx) but the pupil wavefront is {}x{} (optics.npix = {})",
        where, map.rows(), map.cols(), n, n, n));
  }
  const bool transmission = std::string_view(key) == "transmission";
  for (Eigen::Index y = 0; y < n; ++y) {
    for (Eigen::Index x = 0; x < n; ++x) {
      const double v = map(y, x);
      if (!std::isfinite(v)) {
        throw InvalidArgument(
            fmt::format("{}: pixel (x={}, y={}) = {}: must be finite", where, x, y, v));
      }
      if (transmission && !(v >= 0.0 && v <= 1.0)) {
        throw InvalidArgument(
            fmt::format("{}: pixel (x={}, y={}) = {}: an amplitude transmission must lie in [0, 1]",
                        where, x, y, v));
      }
    }
  }
  return transmission ? map : RealImage(map * scale);
}

/// The dLux Optic of [[optics.layers]][index]: optics.<name>.transmission and .opd (m).
std::shared_ptr<const optics::Optic> optic_layer(const Config& config, int index) {
  const OpticLayerConfig& l = config.optics.layers[static_cast<std::size_t>(index)];
  std::optional<RealImage> t, opd;
  if (!l.transmission.empty()) {
    t = optic_map(config, index, "transmission", l.transmission, l.transmission_hdu, 1.0);
  }
  if (!l.opd.empty()) {
    opd = optic_map(config, index, "opd", l.opd, l.opd_hdu,
                    units::conversion_factor(l.opd_unit, "m"));
  }
  return std::make_shared<optics::Optic>(std::move(t), std::move(opd), l.normalise);
}

/// The optical system: the aperture, the [[optics.layers]] maps, then `extra` layers (an
/// exposure's diversity).
std::shared_ptr<const optics::OpticalSystem> build_system(
    const Config& config, std::vector<optics::NamedLayer> extra = {}) {
  const OpticsConfig& o = config.optics;
  RealImage t = transmission(o);
  if (!(t.maxCoeff() > 0.0)) {
    // A pupil that transmits nothing gives a zero image (or NaN once normalised): a model
    // that cannot produce light must stop here, not as a run of rejected draws.
    throw InvalidArgument(fmt::format(
        "{}: optics.aperture.shapes: the pupil transmits nothing (the product of the {} shape(s) "
        "is 0 on every one of the {}x{} pupil pixels of the {} m grid): check radius, width, "
        "centre_x/centre_y and invert",
        config.source_name, o.shapes.size(), o.npix, o.npix, o.diameter));
  }
  std::vector<optics::NamedLayer> layers;
  if (o.noll.empty()) {
    layers.push_back(
        {"aperture", std::make_shared<optics::TransmissiveLayer>(std::move(t), o.normalise)});
  } else {
    const std::vector<double> c = true_coefficients(o);
    const optics::Coords coords = optics::pixel_coords(o.npix, o.diameter);
    layers.push_back(
        {"aperture", std::make_shared<optics::BasisOptic>(
                         optics::zernike_basis(o.noll, coords, zernike_diameter(o)), std::move(t),
                         Eigen::Map<const RealVector>(c.data(), c.size()), o.normalise)});
  }
  for (std::size_t i = 0; i < o.layers.size(); ++i) {
    layers.push_back({o.layers[i].name, optic_layer(config, static_cast<int>(i))});
  }
  for (auto& layer : extra) layers.push_back(std::move(layer));
  if (o.type == "cartesian") {
    return std::make_shared<optics::CartesianOpticalSystem>(o.npix, o.diameter, std::move(layers),
                                                            o.focal_length, o.psf_npix,
                                                            o.psf_pixel_scale, o.oversample);
  }
  return std::make_shared<optics::AngularOpticalSystem>(
      o.npix, o.diameter, std::move(layers), o.psf_npix, o.psf_pixel_scale, o.oversample);
}

std::shared_ptr<const sources::Source> build_source(const SourceConfig& s) {
  const SpectrumValues spec = spectrum_values(s);
  const auto n = static_cast<Eigen::Index>(spec.wavelengths_m.size());
  const RealVector wavelengths = Eigen::Map<const RealVector>(spec.wavelengths_m.data(), n);
  const RealVector weights = Eigen::Map<const RealVector>(spec.weights.data(), n);
  if (s.type == "binary") {
    sources::BinaryParameters p{s.x_position,     s.y_position, s.separation,
                                s.position_angle, s.log_flux,   s.contrast};
    return std::make_shared<sources::BinarySource>(wavelengths, weights, weights, p);
  }
  if (s.type == "point") {
    return std::make_shared<sources::PointSource>(sources::Spectrum(wavelengths, weights),
                                                  s.x_position, s.y_position, s.log_flux);
  }
  const auto k = static_cast<Eigen::Index>(s.positions_x.size());
  RealMatrix positions(k, 2);
  RealVector fluxes(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    positions(i, 0) = s.positions_x[i];
    positions(i, 1) = s.positions_y[i];
    fluxes[i] = std::pow(10.0, s.log_fluxes[i]);
  }
  if (s.star_weights.empty()) {
    return std::make_shared<sources::PointSources>(sources::Spectrum(wavelengths, weights),
                                                   positions, fluxes);
  }
  // One spectrum per star, each row normalised (dLux: a Telescope of PointSource objects).
  RealMatrix star_weights(k, n);
  for (Eigen::Index i = 0; i < k; ++i) {
    for (Eigen::Index l = 0; l < n; ++l) star_weights(i, l) = s.star_weights[i][l];
  }
  return std::make_shared<sources::PointSources>(wavelengths, star_weights, positions, fluxes);
}

/// value_in_path_units / value_in_prior_unit: the explicit unit_scale, else the conversion from
/// the prior's unit to the path's unit (same dimension, e.g. nm -> m, mas -> arcsec).
double prior_scale(const PriorConfig& p, const std::vector<model::ParameterInfo>& infos) {
  if (p.unit_scale) return *p.unit_scale;
  if (p.unit.empty()) return 1.0;
  for (const auto& info : infos) {
    if (info.path == p.path) return units::conversion_factor(p.unit, info.unit);
  }
  return 1.0;  // unknown path: the posterior names it with the nearest known path
}

/// The flat field of a pixel_response layer: ones without a file, else the FITS image, which
/// must match the image grid at that stage of the detector and be finite and > 0.
RealImage pixel_response_map(const Config& config, const DetectorLayerConfig& l, int index,
                             int rows) {
  if (l.file.empty()) return RealImage::Ones(rows, rows);
  const std::string key =
      fmt::format("{}: detector.layers[{}].file = \"{}\"", config.source_name, index, l.file);
  RealImage map;
  try {
    map = io::read_fits(l.file).image;
  } catch (const Error& e) {
    throw InvalidArgument(fmt::format("{}: {}", key, e.what()));
  }
  if (map.rows() != rows || map.cols() != rows) {
    throw InvalidArgument(fmt::format(
        "{}: the map is {}x{} pixels (ny x nx) but the image at this detector layer is {}x{}", key,
        map.rows(), map.cols(), rows, rows));
  }
  for (Eigen::Index y = 0; y < map.rows(); ++y) {
    for (Eigen::Index x = 0; x < map.cols(); ++x) {
      if (!(map(y, x) > 0.0) || !std::isfinite(map(y, x))) {
        throw InvalidArgument(
            fmt::format("{}: pixel (x={}, y={}) = {}: a pixel response must be finite and > 0", key,
                        x, y, map(y, x)));
      }
    }
  }
  return map;
}

/// The configured model must render a finite image with some light in it; name the keys that
/// can break that.
void check_renders_light(const Config& config, const model::Telescope& telescope) {
  const RealImage image = telescope.model();
  const auto& src = config.source;
  const std::string flux_keys = src.type == "points"
                                    ? "source.log_fluxes"
                                    : fmt::format("source.log_flux = {}", src.log_flux);
  if (!image.allFinite()) {
    throw InvalidArgument(fmt::format(
        "{}: the configured model renders a non-finite image (check {} and the detector "
        "layers' values)",
        config.source_name, flux_keys));
  }
  if (!(image.maxCoeff() > 0.0)) {
    throw InvalidArgument(fmt::format(
        "{}: the configured model renders no light (every pixel <= 0): check {}, the source "
        "positions against the {}-pixel field of view, and the detector layers",
        config.source_name, flux_keys, telescope.image_cols()));
  }
}

/// The telescope of the configuration, or of one of its exposures: the same detector layers,
/// the exposure's band, diversity layer, dither and flux scale.
/// The optics and source objects exposures without their own diversity or band share: equal
/// objects let exposures that differ by whole-pixel dithers render one PSF
/// (model::shares_psf compares the objects, not their contents).
struct SharedComponents {
  std::shared_ptr<const optics::OpticalSystem> system;
  std::shared_ptr<const sources::Source> source;
};

model::Telescope build_one(const Config& config, const ExposureConfig* exposure,
                           SharedComponents* shared = nullptr) {
  std::vector<optics::NamedLayer> extra;
  if (exposure != nullptr && !exposure->diversity_noll.empty()) {
    const OpticsConfig& o = config.optics;
    const optics::Coords coords = optics::pixel_coords(o.npix, o.diameter);
    const std::vector<RealImage> basis =
        optics::zernike_basis(exposure->diversity_noll, coords, zernike_diameter(o));
    RealImage opd = RealImage::Zero(o.npix, o.npix);
    for (std::size_t j = 0; j < basis.size(); ++j)
      opd += exposure->diversity_coefficients[j] * basis[j];
    extra.push_back({"diversity", std::make_shared<optics::Optic>(std::nullopt, opd, false)});
  }
  model::TelescopeBuilder builder;
  const bool own_optics = !extra.empty();
  const bool own_source = exposure != nullptr && exposure->spectrum;
  std::shared_ptr<const optics::OpticalSystem> system;
  if (shared != nullptr && !own_optics) {
    if (!shared->system) shared->system = build_system(config, {});
    system = shared->system;
  } else {
    system = build_system(config, std::move(extra));
  }
  std::shared_ptr<const sources::Source> src;
  if (shared != nullptr && !own_source) {
    if (!shared->source) shared->source = build_source(config.source);
    src = shared->source;
  } else {
    src = build_source(own_source ? *exposure->spectrum : config.source);
  }
  builder.optics(system).source(src);
  if (exposure != nullptr) {
    builder.exposure({exposure->dither_x, exposure->dither_y, exposure->flux_scale});
  }
  int rows = system->output_npixels();
  int index = 0;
  for (const auto& l : config.detector) {
    std::shared_ptr<const detector::DetectorLayer> layer;
    if (l.type == "downsample") {
      if (rows % l.factor != 0) {
        throw InvalidArgument(fmt::format(
            "detector.layers[{}].factor = {}: the {}-pixel image is not divisible by it", index,
            l.factor, rows));
      }
      layer = std::make_shared<detector::Downsample>(l.factor);
      rows /= l.factor;
    } else if (l.type == "jitter") {
      layer = std::make_shared<detector::GaussianJitter>(l.sigma);
    } else if (l.type == "pixel_response") {
      layer = std::make_shared<detector::PixelResponse>(pixel_response_map(config, l, index, rows));
    } else if (l.type == "background") {
      layer = std::make_shared<detector::Background>(l.value);
    } else if (l.type == "saturation") {
      layer = std::make_shared<detector::Saturation>(l.value);
    }
    builder.detector_layer(l.type, layer);
    ++index;
  }
  model::Telescope telescope = builder.build();
  check_renders_light(config, telescope);
  return telescope;
}

}  // namespace

model::Telescope build_telescope(const Config& config) {
  check_memory(config, 1);
  return build_one(config, config.exposures.empty() ? nullptr : &config.exposures[0]);
}

std::vector<model::Telescope> build_exposure_telescopes(const Config& config) {
  check_memory(config, 1);
  std::vector<model::Telescope> out;
  if (config.exposures.empty()) {
    out.push_back(build_one(config, nullptr));
    return out;
  }
  SharedComponents shared;
  for (const auto& e : config.exposures) {
    try {
      out.push_back(build_one(config, &e, &shared));
    } catch (const InvalidArgument& err) {
      throw InvalidArgument(fmt::format(
          "exposure {}: {}", e.name.empty() ? std::to_string(out.size()) : e.name, err.what()));
    }
  }
  return out;
}

namespace {

/// A prior's path split into the telescope path and the exposure(s) it belongs to:
/// "exposures.<i>.<path>" -> (path, {i}); "exposures.*.<path>" -> (path, {0..N-1});
/// anything else -> (path, {-1}) (shared by every exposure).
std::pair<std::string, std::vector<int>> split_exposure_path(const Config& config,
                                                             const std::string& path) {
  const std::string prefix = "exposures.";
  if (path.rfind(prefix, 0) != 0) return {path, {-1}};
  const auto dot = path.find('.', prefix.size());
  const std::string index = path.substr(
      prefix.size(), dot == std::string::npos ? std::string::npos : dot - prefix.size());
  if (dot == std::string::npos || dot + 1 >= path.size()) {
    throw InvalidArgument(
        "expected \"exposures.<index>.<telescope path>\" or "
        "\"exposures.*.<telescope path>\"");
  }
  const int n = static_cast<int>(config.exposures.size());
  if (n == 0) {
    throw InvalidArgument("a per-exposure path needs [[exposures]] tables (there are none)");
  }
  const std::string rest = path.substr(dot + 1);
  if (index == "*") {
    std::vector<int> all(static_cast<std::size_t>(n));
    for (int e = 0; e < n; ++e) all[static_cast<std::size_t>(e)] = e;
    return {rest, all};
  }
  for (int e = 0; e < n; ++e) {
    if (index == std::to_string(e) || index == config.exposures[static_cast<std::size_t>(e)].name) {
      return {rest, {e}};
    }
  }
  throw InvalidArgument(
      fmt::format("exposure '{}' does not exist (indices 0..{}, or '*')", index, n - 1));
}

}  // namespace

int concurrent_chains(const Config& config) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const SamplerConfig& m = config.sampler;
  // Parallel tempering runs its pt_chains replicas of every chain on the cores at once.
  if (m.method == "pt") return hw;
  return m.num_threads > 0 ? std::min(m.num_threads, m.num_chains) : std::min(m.num_chains, hw);
}

int evaluation_threads(const Config& config, int num_exposures, int concurrent) {
  const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int wanted = config.sampler.threads_per_chain > 0 ? config.sampler.threads_per_chain
                                                          : hw / std::max(1, concurrent);
  return std::clamp(wanted, 1, std::max(1, num_exposures));
}

posterior::ImagePosterior build_posterior(const Config& config, const model::Telescope& telescope,
                                          RealImage data) {
  std::vector<RealImage> one;
  one.push_back(std::move(data));
  return build_posterior(config, std::vector<model::Telescope>{telescope}, std::move(one));
}

posterior::ImagePosterior build_posterior(const Config& config,
                                          const std::vector<model::Telescope>& telescopes,
                                          std::vector<RealImage> data) {
  return build_posterior(config, telescopes, std::move(data), {});
}

posterior::ImagePosterior build_posterior(const Config& config,
                                          const std::vector<model::Telescope>& telescopes,
                                          std::vector<RealImage> data,
                                          std::vector<posterior::PixelMaps> maps) {
  if (telescopes.empty() || data.size() != telescopes.size()) {
    throw InvalidArgument(fmt::format("{}: {} data image(s) for {} exposure(s)", config.source_name,
                                      data.size(), telescopes.size()));
  }
  if (!maps.empty() && maps.size() != data.size()) {
    throw InvalidArgument(fmt::format("{}: {} pixel map set(s) for {} exposure(s)",
                                      config.source_name, maps.size(), data.size()));
  }
  const std::vector<model::ParameterInfo> infos = telescopes[0].parameters();
  std::vector<posterior::ParameterSite> sites;
  int output_dim = 0;
  for (const auto& p : config.priors) {
    try {
      const auto [path, exposures] = split_exposure_path(config, p.path);
      PriorConfig bare = p;
      bare.path = path;
      // The read noise is the likelihood's, not the telescope's (ImagePosterior checks it).
      const bool read_noise = path == posterior::kReadNoisePath;
      int size = 1;
      for (const auto& info : infos) {
        if (info.path == path) size = info.size;
      }
      for (const int e : exposures) {
        // The path must exist in the telescope(s) it belongs to (all of them when shared).
        for (std::size_t t = 0; t < telescopes.size() && !read_noise; ++t) {
          if (e < 0 || static_cast<std::size_t>(e) == t) (void)telescopes[t].bind({path});
        }
      }
      const infer::DistributionPtr prior = build_prior(bare, site_shape(path, size));
      const double scale = read_noise ? read_noise_scale(bare) : prior_scale(bare, infos);
      for (const int e : exposures) {
        posterior::ParameterSite site;
        site.path = path;
        site.unit = p.unit;
        site.prior = prior;
        site.scale = scale;
        site.exposure = e;
        sites.push_back(std::move(site));
        output_dim += size;
      }
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(
          fmt::format("{}: priors.\"{}\": {}", config.source_name, p.path, e.what()));
    }
  }
  if (sites.empty()) {
    throw InvalidArgument(
        fmt::format("{}: no [priors.\"<path>\"] tables: nothing to sample (known paths: {})",
                    config.source_name, [&] {
                      std::vector<std::string> paths;
                      for (const auto& info : infos) paths.push_back(info.path);
                      return fmt::format("{}", fmt::join(paths, ", "));
                    }()));
  }
  check_memory(config, config.sampler.num_chains, output_dim);
  const posterior::LikelihoodKind kind = posterior::parse_likelihood(config.likelihood.kind);
  std::vector<posterior::Exposure> exposures;
  for (std::size_t e = 0; e < telescopes.size(); ++e) {
    const std::string name = e < config.exposures.size() ? config.exposures[e].name : std::string();
    posterior::PixelMaps m = maps.empty() ? posterior::PixelMaps{} : std::move(maps[e]);
    try {
      exposures.push_back({name, telescopes[e],
                           posterior::ImageLikelihood(kind, std::move(data[e]),
                                                      config.likelihood.sigma, std::move(m))});
    } catch (const InvalidArgument& err) {
      if (config.exposures.empty()) throw;
      throw InvalidArgument(fmt::format("{}: exposure '{}': {}", config.source_name,
                                        exposure_label(config, static_cast<int>(e)), err.what()));
    }
  }
  try {
    return posterior::ImagePosterior(std::move(exposures), std::move(sites));
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(fmt::format("{}: {}", config.source_name, e.what()));
  }
}

}  // namespace airy::config
