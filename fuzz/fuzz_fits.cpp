// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief libFuzzer target: a FITS file through what `airy fit --data FILE` does with it
/// (config::load_exposure_data: io::read_fits, the shape check against the telescope, NaN
/// pixels masked, then the posterior's data checks), plus the other read entry points
/// (an HDU by number and by EXTNAME, the HDU count).
///
/// The telescope renders 8 x 8 pixels (the seeds in tests/fuzz/corpus/fits include that shape,
/// so the fuzzer reaches the pixel checks and the likelihood with real images).
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "airy/io/fits.hpp"
#include "fuzz_util.hpp"

namespace {

constexpr std::string_view kConfig = R"(
[optics]
npix = 16
psf_npix = 8
psf_pixel_scale = 0.1
[optics.aperture]
soft_edge = "hard"
[source]
type = "point"
n_wavelengths = 1
[likelihood]
kind = "poisson"
[priors."source.log_flux"]
dist = "uniform"
low = 2.0
high = 5.0
)";

const airy::config::Config& config() {
  static const airy::config::Config c = airy::config::parse_config(kConfig, "fuzz_fits.toml");
  return c;
}

const airy::model::Telescope& telescope() {
  static const airy::model::Telescope t = airy::config::build_telescope(config());
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = airy::fuzz::write_input(
      "data.fits", std::string_view(reinterpret_cast<const char*>(data), size));
  // As `airy fit --data` reads it: shape and finite pixels checked (NaN masked), then the
  // likelihood's checks in build_posterior.
  airy::fuzz::expect_only_invalid_argument("fits load_exposure_data", [&] {
    const std::vector<airy::model::Telescope> telescopes{telescope()};
    auto exposures = airy::config::load_exposure_data(config(), path, telescopes);
    std::vector<airy::RealImage> images;
    std::vector<airy::posterior::PixelMaps> maps;
    for (auto& e : exposures) {
      images.push_back(std::move(e.image));
      maps.push_back(std::move(e.maps));
    }
    (void)airy::config::build_posterior(config(), telescopes, std::move(images), std::move(maps));
  });
  airy::fuzz::expect_only_invalid_argument("fits hdu 1", [&] {
    const airy::io::FitsRead r = airy::io::read_fits(path, 1);
    (void)r.number("BSCALE");
    (void)r.text("EXTNAME");
  });
  airy::fuzz::expect_only_invalid_argument(
      "fits extname", [&] { (void)airy::io::read_fits(path, std::string("DATA")); });
  airy::fuzz::expect_only_invalid_argument("fits hdu count",
                                           [&] { (void)airy::io::fits_hdu_count(path); });
  return 0;
}
