// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Config -> telescope and posterior through the optics engine's public API.
#include <fmt/format.h>

#include <cmath>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/detector/detector_layers.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/zernike.hpp"
#include "airy/sources/binary_source.hpp"
#include "airy/sources/point_source.hpp"

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

std::shared_ptr<const optics::OpticalSystem> build_system(const OpticsConfig& o) {
  RealImage t = transmission(o);
  std::vector<optics::NamedLayer> layers;
  if (o.noll.empty()) {
    layers.push_back(
        {"aperture", std::make_shared<optics::TransmissiveLayer>(std::move(t), o.normalise)});
  } else {
    const std::vector<double> c = true_coefficients(o);
    const optics::Coords coords = optics::pixel_coords(o.npix, o.diameter);
    layers.push_back(
        {"aperture", std::make_shared<optics::BasisOptic>(
                         optics::zernike_basis(o.noll, coords, o.diameter), std::move(t),
                         Eigen::Map<const RealVector>(c.data(), c.size()), o.normalise)});
  }
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
  sources::Spectrum spectrum(wavelengths, weights);
  if (s.type == "point") {
    return std::make_shared<sources::PointSource>(spectrum, s.x_position, s.y_position, s.log_flux);
  }
  const auto k = static_cast<Eigen::Index>(s.positions_x.size());
  RealMatrix positions(k, 2);
  RealVector fluxes(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    positions(i, 0) = s.positions_x[i];
    positions(i, 1) = s.positions_y[i];
    fluxes[i] = std::pow(10.0, s.log_fluxes[i]);
  }
  return std::make_shared<sources::PointSources>(spectrum, positions, fluxes);
}

}  // namespace

model::Telescope build_telescope(const Config& config) {
  model::TelescopeBuilder builder;
  const auto system = build_system(config.optics);
  builder.optics(system).source(build_source(config.source));
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
      layer = std::make_shared<detector::PixelResponse>(RealImage::Ones(rows, rows));
    } else if (l.type == "background") {
      layer = std::make_shared<detector::Background>(l.value);
    } else if (l.type == "saturation") {
      layer = std::make_shared<detector::Saturation>(l.value);
    }
    builder.detector_layer(l.type, layer);
    ++index;
  }
  return builder.build();
}

posterior::ImagePosterior build_posterior(const Config& config, const model::Telescope& telescope,
                                          RealImage data) {
  std::vector<posterior::ParameterSite> sites;
  for (const auto& p : config.priors) {
    posterior::ParameterSite site;
    site.path = p.path;
    site.scale = p.scale;
    site.unit = p.unit;
    try {
      site.prior = infer::make_distribution(p.dist, p.params);
    } catch (const InvalidArgument& e) {
      throw InvalidArgument(
          fmt::format("{}: priors.\"{}\": {}", config.source_name, p.path, e.what()));
    }
    sites.push_back(std::move(site));
  }
  if (sites.empty()) {
    throw InvalidArgument(
        fmt::format("{}: no [priors.\"<path>\"] tables: nothing to sample (known paths: {})",
                    config.source_name, [&] {
                      std::vector<std::string> paths;
                      for (const auto& info : telescope.parameters()) paths.push_back(info.path);
                      return fmt::format("{}", fmt::join(paths, ", "));
                    }()));
  }
  posterior::ImageLikelihood likelihood(posterior::parse_likelihood(config.likelihood.kind),
                                        std::move(data), config.likelihood.sigma);
  return posterior::ImagePosterior(telescope, std::move(sites), std::move(likelihood));
}

}  // namespace airy::config
