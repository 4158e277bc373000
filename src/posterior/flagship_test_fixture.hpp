// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Test fixture shared by the posterior tests: the flagship telescope on a small
/// (32 px) pupil and its 13 sampled sites with the flagship's priors.
#pragma once

#include <vector>

#include "airy/infer/distribution.hpp"
#include "airy/model/builder.hpp"
#include "airy/posterior/image_posterior.hpp"

namespace airy::posterior::testing {

/// The flagship on a 32 px pupil: same parameters and image size, ~16x cheaper.
inline model::Telescope small_flagship() {
  model::FlagshipOptions o;
  o.wf_npixels = 32;
  o.spider_width = 0.05;
  o.coefficients = RealVector::LinSpaced(7, -12e-9, 9e-9);
  return model::flagship_telescope(o);
}

/// The flagship's priors: the tutorial's uniform stellar priors and Normal(0, 20 nm) on each
/// Zernike coefficient, sampled in nm.
inline std::vector<ParameterSite> flagship_sites() {
  auto u = [](double lo, double hi) {
    return infer::make_distribution("uniform", {{"low", lo}, {"high", hi}});
  };
  return {
      {"source.x_position", u(-0.1, 0.1), 1.0, "arcsec", ""},
      {"source.y_position", u(-0.1, 0.1), 1.0, "arcsec", ""},
      {"source.separation", u(0.01, 0.5), 1.0, "arcsec", ""},
      {"source.position_angle", u(80, 100), 1.0, "deg", ""},
      {"source.log_flux", u(3, 4), 1.0, "", ""},
      {"source.contrast", u(1, 5), 1.0, "", ""},
      {"optics.aperture.coefficients",
       infer::make_distribution("normal", {{"loc", 0.0}, {"scale", 20.0}}), 1e-9, "nm", ""},
  };
}

}  // namespace airy::posterior::testing
