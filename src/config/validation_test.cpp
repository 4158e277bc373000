// SPDX-License-Identifier: BSD-3-Clause
// Issue #10 §1-2: configurations that used to give a plausible wrong result are errors naming
// the key and value, before anything is sampled.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numbers>
#include <span>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/io/fits.hpp"
#include "testing/expect_invalid.hpp"

namespace airy::config {
namespace {

namespace fs = std::filesystem;

Config small(std::string extra = "") {
  Config c = parse_config(std::string(flagship_toml()) + extra, "run.toml");
  c.optics.npix = 32;
  return c;
}

using testing::expect_invalid;

std::string scratch_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("airy_validation_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

TEST(Validation, NormalPriorWithoutScaleIsAnError) {
  Config c = small();
  const model::Telescope t = build_telescope(c);
  c.priors[6].params.erase("scale");
  expect_invalid(
      [&] { (void)build_posterior(c, t, t.model()); },
      {"run.toml", "priors.\"optics.aperture.coefficients\"", "normal", "scale", "required"});
  c = small();
  c.priors[0].params.erase("low");
  expect_invalid([&] { (void)build_posterior(c, t, t.model()); },
                 {"priors.\"source.x_position\"", "uniform", "low", "required"});
}

TEST(Validation, PriorSupportMustLieInsideTheParametersDomain) {
  Config c = small();
  const model::Telescope t = build_telescope(c);
  c.priors[5].params = {{"low", -5.0}, {"high", 5.0}};  // contrast
  expect_invalid([&] { (void)build_posterior(c, t, t.model()); },
                 {"run.toml", "source.contrast", "uniform", "(-5, 5)", "(0, inf)"});
  c = small();
  c.priors[2].params = {{"low", -0.1}, {"high", 0.5}};  // separation
  expect_invalid([&] { (void)build_posterior(c, t, t.model()); },
                 {"source.separation", "[0, inf)"});
  c = small();
  c.priors[5].dist = "normal";  // contrast ~ normal: real support
  c.priors[5].params = {{"loc", 3.0}, {"scale", 0.5}};
  expect_invalid([&] { (void)build_posterior(c, t, t.model()); }, {"source.contrast", "normal"});
  // A positive prior is fine.
  c.priors[5].dist = "log_normal";
  c.priors[5].params = {{"loc", 1.0}, {"scale", 0.5}};
  EXPECT_NO_THROW((void)build_posterior(c, t, t.model()));
}

TEST(Validation, NegativeFluxPriorsAreRejected) {
  Config c = small("\n");  // points source with a flux prior whose support goes negative
  c.source.type = "points";
  c.source.positions_x = {0.0, 0.05};
  c.source.positions_y = {0.0, 0.0};
  c.source.log_fluxes = {3.0, 3.0};
  c.priors.clear();
  c.priors.push_back(
      {"source.fluxes", "uniform", {{"low", -10.0}, {"high", 1e4}}, "", {}, {}, {}, {}});
  const model::Telescope t = build_telescope(c);
  expect_invalid([&] { (void)build_posterior(c, t, t.model()); }, {"source.fluxes", "[0, inf)"});
}

TEST(Validation, UnitsMustHaveThePathsDimension) {
  Config c = small();
  const model::Telescope t = build_telescope(c);
  c.priors[6].unit = "deg";  // an angle on a length (coefficients in m)
  expect_invalid([&] { (void)build_posterior(c, t, t.model()); },
                 {"priors.\"optics.aperture.coefficients\"", "unit = 'deg'", "length in m", "nm"});
  c = small();
  c.priors[6].unit = "furlong";
  expect_invalid([&] { (void)build_posterior(c, t, t.model()); }, {"unit = 'furlong'"});
  // Same dimension converts: mas on an arcsec path, rad on a deg path.
  c = small();
  c.priors[2].unit = "mas";
  c.priors[2].params = {{"low", 10.0}, {"high", 500.0}};
  c.priors[3].unit = "rad";
  c.priors[3].params = {{"low", 1.4}, {"high", 1.7}};
  const auto post = build_posterior(c, t, t.model());
  EXPECT_DOUBLE_EQ(post.sites()[2].scale, 1e-3);
  EXPECT_NEAR(post.sites()[3].scale, 180.0 / std::numbers::pi, 1e-12);
  EXPECT_NEAR(post.current_values()[2], 100.0, 1e-9);  // 0.1 arcsec = 100 mas
}

TEST(Validation, APupilThatTransmitsNothingIsAnError) {
  Config c = small();
  c.optics.shapes[0].centre_x = 5.0;  // the circle lies off the 1 m grid
  expect_invalid([&] { (void)build_telescope(c); },
                 {"run.toml", "optics.aperture.shapes", "transmits nothing"});
  c = small();
  c.optics.shapes[1].width = 2.0;            // one arm wider than the aperture ...
  c.optics.shapes[1].angles = {0.0, 180.0};  // ... both ways: covers the whole pupil
  expect_invalid([&] { (void)build_telescope(c); }, {"transmits nothing"});
}

TEST(Validation, AModelWithoutLightIsAnError) {
  Config c = small();
  DetectorLayerConfig background;
  background.type = "background";
  background.value = -1e9;
  c.detector.push_back(background);
  expect_invalid([&] { (void)build_telescope(c); }, {"run.toml", "renders no light"});
}

TEST(Validation, SingleWavelengthBandSamplesItsStartLikeNumpyLinspace) {
  SourceConfig s;
  s.band_nm = {530.0, 640.0};
  s.n_wavelengths = 1;
  ASSERT_EQ(spectrum_values(s).wavelengths_m.size(), 1u);
  EXPECT_DOUBLE_EQ(spectrum_values(s).wavelengths_m[0], 530e-9);
  s.n_wavelengths = 5;
  const auto w = spectrum_values(s).wavelengths_m;
  EXPECT_DOUBLE_EQ(w[0], 530e-9);
  EXPECT_DOUBLE_EQ(w[1], 557.5e-9);
  EXPECT_DOUBLE_EQ(w[4], 640e-9);
}

TEST(Validation, PixelResponseFileIsReadAndChecked) {
  const std::string dir = scratch_dir("flat");
  Config c = small();
  DetectorLayerConfig flat;
  flat.type = "pixel_response";
  flat.file = dir + "/flat.fits";
  c.detector.push_back(flat);
  // Missing file: named.
  expect_invalid([&] { (void)build_telescope(c); },
                 {"run.toml", "detector.layers[0].file", "flat.fits"});
  // A map of the right shape multiplies the image.
  RealImage map(16, 16);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) map(y, x) = 0.5 + 0.01 * (3 * x + y);
  }
  io::write_fits(flat.file, map, {});
  const RealImage with = build_telescope(c).model();
  const RealImage without = build_telescope(small()).model();
  EXPECT_LT((with - without * map).abs().maxCoeff(), 1e-13 * without.maxCoeff());
  // Wrong shape, non-positive and non-finite pixels: named with the pixel and value.
  io::write_fits(flat.file, RealImage::Ones(8, 16), {});
  expect_invalid([&] { (void)build_telescope(c); }, {"8x16", "16x16"});
  RealImage bad = map;
  bad(3, 5) = 0.0;
  io::write_fits(flat.file, bad, {});
  expect_invalid([&] { (void)build_telescope(c); }, {"pixel (x=5, y=3) = 0", "> 0"});
  bad(3, 5) = std::numeric_limits<double>::quiet_NaN();
  io::write_fits(flat.file, bad, {});
  expect_invalid([&] { (void)build_telescope(c); }, {"pixel (x=5, y=3) = nan"});
}

TEST(Validation, PixelResponseFileIsRelativeToTheConfigsDirectory) {
  const std::string dir = scratch_dir("relative");
  io::write_fits(dir + "/flat.fits", RealImage::Constant(16, 16, 2.0), {});
  std::string text(flagship_toml());
  text += "\n[[detector.layers]]\ntype = \"pixel_response\"\nfile = \"flat.fits\"\n";
  { std::ofstream(dir + "/run.toml") << text; }
  const Config c = load_config(dir + "/run.toml");
  ASSERT_EQ(c.detector.size(), 1u);
  EXPECT_EQ(fs::path(c.detector[0].file), fs::path(dir) / "flat.fits");
  // to_toml keeps the resolved path, so the run's config.toml finds the file from anywhere.
  EXPECT_NE(to_toml(c).find((fs::path(dir) / "flat.fits").string()), std::string::npos);
}

TEST(Validation, MemoryBeyondWhatIsAvailableStopsBeforeAllocating) {
  Config c = small();
  c.optics.npix = 4000;  // the aperture alone samples a 20000 x 20000 grid at edge_oversample 5
  expect_invalid(
      [&] { check_memory(c, 1, 0, 8ULL << 30); },
      {"run.toml", "GiB", "8.00 GiB are available", "optics.npix = 4000", "edge_oversample = 5"});
  // Draws kept in memory: many chains x many samples x a large output.
  c = small();
  c.sampler.num_samples = 200000000;
  expect_invalid([&] { check_memory(c, 4, 13, 8ULL << 30); },
                 {"sampler.num_chains = 4", "num_samples = 200000000"});
  // The flagship fits comfortably.
  EXPECT_NO_THROW(check_memory(small(), 4, 13, 1ULL << 30));
  // build_telescope checks before allocating (a machine with a few TB would pass).
  c = small();
  c.optics.npix = 46340;
  EXPECT_THROW((void)build_telescope(c), InvalidArgument);
}

/// Peak resident memory since the last reset_peak_rss(), in bytes (Linux VmHWM), or 0.
std::uint64_t peak_rss() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmHWM:") {
      std::uint64_t kb = 0;
      status >> kb;
      return kb * 1024;
    }
  }
  return 0;
}
std::uint64_t current_rss() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      std::uint64_t kb = 0;
      status >> kb;
      return kb * 1024;
    }
  }
  return 0;
}
/// Resets VmHWM to the current RSS (proc(5): writing 5 to clear_refs).
bool reset_peak_rss() { return static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5"); }

// The estimate is an upper bound of what building a telescope and one chain's workspace
// really touch, and not a wildly pessimistic one (it is what refuses a run).
TEST(Validation, MemoryEstimateBoundsTheMeasuredPeak) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine inflate RSS";
#endif
  // Large blocks straight from mmap and returned on free (no dynamic threshold), so that each
  // case's RSS growth is its own and not pages an earlier case left in the heap.
  mallopt(M_MMAP_THRESHOLD, 64 * 1024);
  struct Case {
    int npix, edge, psf, oversample, wavelengths;
  };
  for (const Case k : {Case{512, 5, 16, 1, 5}, Case{256, 3, 64, 2, 9}, Case{384, 1, 32, 4, 3}}) {
    Config c = small();
    c.optics.npix = k.npix;
    c.optics.edge_oversample = k.edge;
    c.optics.psf_npix = k.psf;
    c.optics.oversample = k.oversample;
    c.source.n_wavelengths = k.wavelengths;
    SCOPED_TRACE(k.npix);
    const MemoryEstimate est = estimate_memory(c);
    malloc_trim(0);
    if (!reset_peak_rss()) GTEST_SKIP() << "cannot reset VmHWM";
    const std::uint64_t base = current_rss();
    std::uint64_t used = 0;
    {
      const model::Telescope t = build_telescope(c);
      const model::ParameterSet set = t.bind({"source.separation"});
      auto ws = t.make_workspace(set);
      RealImage image;
      const RealVector x = t.values(set);
      t.render(set, std::span<const double>(x.data(), 1), *ws, image);
      used = peak_rss() - base;
    }
    const std::uint64_t predicted = est.total(1);
    std::printf("memory: npix %d: estimate %.1f MB, measured peak %.1f MB\n", k.npix,
                predicted / 1e6, used / 1e6);
    EXPECT_GE(predicted, used) << "estimate " << predicted << " < measured " << used;
    EXPECT_LE(predicted, 3 * used + (64ULL << 20))
        << "estimate " << predicted << " measured " << used;
  }
}

}  // namespace
}  // namespace airy::config
