// SPDX-License-Identifier: BSD-3-Clause
#include "airy/model/builder.hpp"

#include <numeric>

#include "airy/core/error.hpp"
#include "airy/detector/detector_layers.hpp"
#include "airy/model/telescope_impl.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/zernike.hpp"

namespace airy::model {

Telescope make_telescope(std::shared_ptr<const optics::OpticalSystem> system,
                         std::shared_ptr<const sources::Source> source,
                         std::vector<detector::NamedDetectorLayer> detector,
                         std::optional<ExposureSettings> exposure) {
  return Telescope(std::make_shared<TelescopeImpl>(std::move(system), std::move(source),
                                                   std::move(detector), exposure));
}

TelescopeBuilder& TelescopeBuilder::optics(std::shared_ptr<const optics::OpticalSystem> system) {
  system_ = std::move(system);
  return *this;
}

TelescopeBuilder& TelescopeBuilder::source(std::shared_ptr<const sources::Source> source) {
  source_ = std::move(source);
  return *this;
}

TelescopeBuilder& TelescopeBuilder::detector_layer(
    std::string key, std::shared_ptr<const detector::DetectorLayer> layer) {
  detector_.push_back({std::move(key), std::move(layer)});
  return *this;
}

TelescopeBuilder& TelescopeBuilder::exposure(ExposureSettings settings) {
  exposure_ = settings;
  return *this;
}

Telescope TelescopeBuilder::build() const {
  if (!system_) throw_invalid("TelescopeBuilder::build", "optics", "no optical system given");
  if (!source_) throw_invalid("TelescopeBuilder::build", "source", "no source given");
  return make_telescope(system_, source_, detector_, exposure_);
}

Telescope flagship_telescope(const FlagshipOptions& o) {
  const char* where = "flagship_telescope";
  check_positive(where, "wf_npixels", o.wf_npixels);
  check_positive(where, "diameter", o.diameter);
  check_positive(where, "aperture_oversample", o.aperture_oversample);
  std::vector<optics::Shape> shapes{optics::Shape::circle(0.5 * o.diameter)};
  if (o.spider) shapes.push_back(optics::Shape::spider(o.spider_width, {o.spider_angle_deg}));
  RealImage t =
      optics::aperture_transmission(shapes, o.wf_npixels, o.diameter, o.aperture_oversample);
  std::vector<optics::NamedLayer> layers;
  if (o.noll.empty()) {
    layers.push_back({"aperture", std::make_shared<optics::TransmissiveLayer>(std::move(t), true)});
  } else {
    const RealVector c = o.coefficients.size() == 0
                             ? RealVector::Zero(static_cast<Eigen::Index>(o.noll.size()))
                             : o.coefficients;
    const optics::Coords coords = optics::pixel_coords(o.wf_npixels, o.diameter);
    layers.push_back({"aperture", std::make_shared<optics::BasisOptic>(
                                      optics::zernike_basis(o.noll, coords, o.diameter),
                                      std::move(t), c, true)});
  }
  auto system = std::make_shared<optics::AngularOpticalSystem>(
      o.wf_npixels, o.diameter, std::move(layers), o.psf_npixels, o.psf_pixel_scale, o.oversample);
  auto source = std::make_shared<sources::BinarySource>(
      sources::alpha_cen_spectrum(o.num_wavelengths), o.source);
  TelescopeBuilder b;
  b.optics(system).source(source);
  if (o.downsample)
    b.detector_layer("downsample", std::make_shared<detector::Downsample>(o.oversample));
  if (o.jitter_sigma)
    b.detector_layer("jitter", std::make_shared<detector::GaussianJitter>(*o.jitter_sigma));
  if (o.pixel_response) {
    const int n = o.downsample ? o.psf_npixels : o.psf_npixels * o.oversample;
    b.detector_layer("pixel_response",
                     std::make_shared<detector::PixelResponse>(RealImage::Ones(n, n)));
  }
  if (o.background)
    b.detector_layer("background", std::make_shared<detector::Background>(*o.background));
  if (o.saturation)
    b.detector_layer("saturation", std::make_shared<detector::Saturation>(*o.saturation));
  return b.build();
}

}  // namespace airy::model
