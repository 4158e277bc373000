// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief libFuzzer target: a TOML run configuration through what `airy simulate` and
/// `airy fit` do with it: parse and validate, write back and re-parse (run directories keep
/// config.toml for `airy plot`), build the telescope, render it at the configured values,
/// simulate noisy data, and build the posterior on a synthetic data image of the right shape.
///
/// Inputs whose optics would legitimately take long are skipped after parsing (work_estimate
/// below; the cap is in docs/reliability.md §Fuzzing): a 1024-pixel pupil is slow, not a bug.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "fuzz_util.hpp"

namespace {

using airy::config::Config;

/// Floating-point operations (roughly, up to a constant) of building and rendering `c` once.
/// Doubles: the configured integers can be up to 2^31 each and their products overflow int64.
double work_estimate(const Config& c) {
  const auto& o = c.optics;
  const double npix = o.npix;
  const double pupil = npix * npix;
  double shape_terms = 0.0;  // per pupil sample: polygons test every side, spiders every arm
  for (const auto& s : o.shapes) {
    shape_terms += s.type == "spider"    ? static_cast<double>(s.angles.size())
                   : s.type == "polygon" ? static_cast<double>(s.sides)
                                         : 1.0;
  }
  const double sub = o.soft_edge == "oversample"
                         ? static_cast<double>(o.edge_oversample) * o.edge_oversample
                         : 1.0;
  // Zernike radial polynomials: order n ~ sqrt(2 j) terms per sample for Noll index j.
  double zernike_terms = 0.0;
  for (int j : o.noll) zernike_terms += 1.0 + std::sqrt(2.0 * std::max(j, 1));
  const double focal = static_cast<double>(o.psf_npix) * o.oversample;
  const double n_wavelengths = c.source.wavelengths_nm.empty()
                                   ? static_cast<double>(c.source.n_wavelengths)
                                   : static_cast<double>(c.source.wavelengths_nm.size());
  const double n_stars = c.source.type == "points"
                             ? static_cast<double>(c.source.positions_x.size())
                         : c.source.type == "binary" ? 2.0
                                                     : 1.0;
  // Two MFT products per wavelength and star: (focal x npix) (npix x npix) (npix x focal).
  const double psf = n_wavelengths * n_stars * (focal * pupil + focal * focal * npix);
  double detector = 0.0;
  for (const auto& l : c.detector) {
    // Separable jitter: a kernel of ~8 sigma + 1 taps along each axis of the image.
    const double taps = l.type == "jitter" ? 8.0 * std::abs(l.sigma) + 1.0 : 1.0;
    detector += focal * focal * taps;
  }
  return pupil * (sub * shape_terms + zernike_terms) + psf + detector;
}

/// About 5 ms per input under ASan at -O1 (the flagship's optics are ~50x this).
constexpr double kMaxWork = 4e6;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Config c;
  bool parsed = false;
  airy::fuzz::expect_only_invalid_argument("config parse", [&] {
    c = airy::config::parse_config(text, "fuzz.toml");
    parsed = true;
  });
  if (!parsed) return 0;

  // What parsed must write back as TOML that parses again: a run directory keeps the exact
  // settings as config.toml and `airy plot` re-reads them.
  const std::string written = airy::config::to_toml(c);
  try {
    (void)airy::config::parse_config(written, "written.toml");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz config: to_toml output does not parse again: %s\n--- written:\n%s\n",
                 e.what(), written.c_str());
    std::abort();
  }

  if (!(work_estimate(c) <= kMaxWork)) return 0;
  airy::fuzz::expect_only_invalid_argument("config build", [&] {
    const airy::model::Telescope telescope = airy::config::build_telescope(c);
    const airy::RealImage model = telescope.model();
    (void)airy::config::simulate_data(c.noise, model);
    // Synthetic data of the rendered shape: a flat 10 photons, valid under every likelihood.
    airy::RealImage data =
        airy::RealImage::Constant(telescope.image_rows(), telescope.image_cols(), 10.0);
    (void)airy::config::build_posterior(c, telescope, std::move(data));
    (void)airy::config::sampler_options(c.sampler);
  });
  return 0;
}
