// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief A pixel-level calibration problem of any size for the speed benchmarks (issue #11 §5,
/// §6): E exposures dithered by whole detector pixels, S stars x L wavelengths, a circular
/// pupil with a spider (N px) and K Zernikes, an M x M detector with a sampled flat field.
///
/// Sites (the Paper I parameterisation): the star positions (2S, arcsec) and fluxes (S,
/// photons), the K Zernike coefficients (nm) and the M^2 flat-field pixels, all shared by the
/// exposures: 3S + K + M^2 parameters. The data are the noise-free images under a Poisson +
/// Gaussian(3 photons) likelihood.
///
/// Executed MFT flops of one gradient (render + pullback, src/model/telescope_bench.cpp):
///   8 L S E (N^2 M + N M^2)
/// (for Paper I, N = 512, M = 1024, S = 20, L = 3, E = 5: 1.93 TFLOP).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <vector>

#include "airy/detector/detector_layers.hpp"
#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/optics/coordinates.hpp"
#include "airy/optics/optic_layers.hpp"
#include "airy/optics/optical_system.hpp"
#include "airy/optics/shapes.hpp"
#include "airy/optics/zernike.hpp"
#include "airy/posterior/image_posterior.hpp"
#include "airy/sources/point_source.hpp"

namespace airy::posterior::bench {

struct CalibrationSize {
  int exposures = 5;       ///< E: integer dithers (0,0), (1,0), (0,1), (-1,0), (0,-1), (2,0) ... px
  int stars = 4;           ///< S
  int wavelengths = 3;     ///< L, evenly over 545-645 nm (Paper I's three for L = 3)
  int pupil = 64;          ///< N, pupil pixels per side
  int detector = 64;       ///< M, detector (= PSF) pixels per side, oversample 1
  int zernikes = 7;        ///< K, Noll 4 .. 3 + K
  bool flat_field = true;  ///< sample the M^2 flat field (else it is fixed)
  int threads = 1;         ///< PosteriorOptions::threads
  bool share_psf = true;   ///< PosteriorOptions::share_psf
  bool half_pixel_last = false;  ///< the last exposure's dither + 0.5 px in x (not shareable)
};

/// Exposure e's dither in whole pixels: the origin, the four neighbours, then further out.
inline std::pair<int, int> integer_dither(int e) {
  static const int kSteps[][2] = {{0, 0}, {1, 0},  {0, 1},   {-1, 0}, {0, -1},
                                  {1, 1}, {-1, 1}, {-1, -1}, {1, -1}, {2, 0}};
  const int k = e % 10, ring = e / 10 + 1;
  return {ring * kSteps[k][0], ring * kSteps[k][1]};
}

/// Executed MFT flops of one gradient (see the file comment). With the shared PSF the E
/// exposures (but a half-pixel last one) render one PSF of M + 2 pad pixels.
inline double gradient_flops(const CalibrationSize& z) {
  const double n = z.pupil;
  auto one = [&](double m) { return 8.0 * z.wavelengths * z.stars * (n * n * m + n * m * m); };
  const int shared = z.exposures - (z.half_pixel_last ? 1 : 0);
  if (!z.share_psf || shared < 2) return z.exposures * one(z.detector);
  int range = 0;
  for (int e = 0; e < shared; ++e) {
    const auto [kx, ky] = integer_dither(e);
    range = std::max({range, std::abs(kx), std::abs(ky)});
  }
  return one(z.detector + 2.0 * range) + (z.exposures - shared) * one(z.detector);
}

inline ImagePosterior calibration_posterior(const CalibrationSize& z) {
  // 1 m pupil sampled at about 10x Nyquist at 595 nm, as in Paper I: pixel = lambda / (20 D).
  const double diameter = 1.0;
  const double pixel = 0.0061;  // arcsec
  std::vector<optics::Shape> shapes{optics::Shape::circle(0.5 * diameter),
                                    optics::Shape::spider(0.02 * diameter, {0.0, 90.0})};
  RealImage transmission = optics::aperture_transmission(shapes, z.pupil, diameter, 3);
  std::vector<int> noll(static_cast<std::size_t>(z.zernikes));
  std::iota(noll.begin(), noll.end(), 4);
  const optics::Coords coords = optics::pixel_coords(z.pupil, diameter);
  RealVector coefficients = RealVector::LinSpaced(z.zernikes, -20e-9, 15e-9);
  std::vector<optics::NamedLayer> layers;
  layers.push_back({"aperture", std::make_shared<optics::BasisOptic>(
                                    optics::zernike_basis(noll, coords, diameter),
                                    std::move(transmission), coefficients, true)});
  auto system = std::make_shared<optics::AngularOpticalSystem>(z.pupil, diameter, std::move(layers),
                                                               z.detector, pixel);
  // Stars on a spiral inside the central 60% of the detector, fluxes 1e6 .. 3e6 photons.
  RealMatrix positions(z.stars, 2);
  RealVector fluxes(z.stars);
  const double field = 0.3 * z.detector * pixel;
  for (int s = 0; s < z.stars; ++s) {
    const double r = field * std::sqrt((s + 0.5) / z.stars), a = 2.39996 * s;
    positions(s, 0) = r * std::cos(a);
    positions(s, 1) = r * std::sin(a);
    fluxes[s] = 1e6 * (1.0 + 2.0 * s / std::max(1, z.stars - 1));
  }
  const RealVector wl = z.wavelengths == 1
                            ? RealVector::Constant(1, 595e-9)
                            : RealVector(RealVector::LinSpaced(z.wavelengths, 545e-9, 645e-9));
  auto source = std::make_shared<sources::PointSources>(sources::Spectrum(wl), positions, fluxes);
  RealImage flat(z.detector, z.detector);
  for (Eigen::Index i = 0; i < flat.size(); ++i) flat.data()[i] = 1.0 + 0.05 * std::sin(0.7 * i);
  auto response = std::make_shared<detector::PixelResponse>(flat);
  std::vector<Exposure> exposures;
  for (int e = 0; e < z.exposures; ++e) {
    const auto [kx, ky] = integer_dither(e);
    const double dx = kx + (z.half_pixel_last && e == z.exposures - 1 ? 0.5 : 0.0), dy = ky;
    const model::Telescope t = model::TelescopeBuilder()
                                   .optics(system)
                                   .source(source)
                                   .detector_layer("pixel_response", response)
                                   .exposure({dx * pixel, dy * pixel, 1.0})
                                   .build();
    exposures.push_back({"", t, ImageLikelihood(LikelihoodKind::kPoissonGaussian, t.model(), 3.0)});
  }
  auto normal = [](double loc, double scale) {
    return infer::make_distribution("normal", {{"loc", loc}, {"scale", scale}});
  };
  std::vector<ParameterSite> sites = {
      {"source.positions", normal(0.0, 1.0), 1.0, "arcsec", ""},
      {"source.fluxes", infer::make_distribution("log_normal", {{"loc", 14.0}, {"scale", 2.0}}),
       1.0, "photons", ""},
      {"optics.aperture.coefficients", normal(0.0, 50.0), 1e-9, "nm", ""},
  };
  if (z.flat_field)
    sites.push_back({"detector.pixel_response.map", normal(1.0, 0.05), 1.0, "", ""});
  PosteriorOptions o;
  o.threads = z.threads;
  o.share_psf = z.share_psf;
  return ImagePosterior(std::move(exposures), std::move(sites), o);
}

}  // namespace airy::posterior::bench
