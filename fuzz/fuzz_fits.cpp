// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief libFuzzer target: a FITS file through what `airy fit --data FILE` does with it
/// (pipeline::load_data: io::read_fits, the shape check against the telescope and
/// io::check_all_finite, then the posterior's data checks), plus the other read entry points
/// (an HDU by number and by EXTNAME, the HDU count).
///
/// The telescope renders 8 x 8 pixels (the seeds in tests/fuzz/corpus/fits include that shape,
/// so the fuzzer reaches the pixel checks and the likelihood with real images).
#include <cstdint>
#include <string_view>

#include "airy/config/build.hpp"
#include "airy/config/config.hpp"
#include "airy/io/fits.hpp"
#include "fuzz_util.hpp"
#include "pipeline/data_file.hpp"

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
  airy::fuzz::expect_only_invalid_argument("fits load_data", [&] {
    airy::RealImage image = airy::pipeline::load_data(path, telescope());
    (void)airy::config::build_posterior(config(), telescope(), std::move(image));
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
