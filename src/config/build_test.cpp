// SPDX-License-Identifier: BSD-3-Clause
#include "airy/config/build.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "airy/core/error.hpp"
#include "airy/model/builder.hpp"

namespace airy::config {
namespace {

Config small_flagship() {
  Config c = parse_config(flagship_toml(), "<embedded>");
  c.optics.npix = 32;
  return c;
}

// The config path and the engine's own flagship factory build the same telescope.
TEST(Build, FlagshipConfigMatchesEngineFactory) {
  const Config c = small_flagship();
  const model::Telescope from_config = build_telescope(c);
  model::FlagshipOptions o;
  o.wf_npixels = 32;
  o.spider_width = c.optics.shapes[1].width;
  const auto coeffs = true_coefficients(c.optics);
  o.coefficients = Eigen::Map<const RealVector>(coeffs.data(), 7);
  const model::Telescope reference = model::flagship_telescope(o);
  const RealImage a = from_config.model(), b = reference.model();
  ASSERT_EQ(a.rows(), 16);
  EXPECT_LT((a - b).abs().maxCoeff(), 1e-12 * b.maxCoeff());
  EXPECT_NEAR(a.sum(), b.sum(), 1e-9 * b.sum());
}

TEST(Build, TrueCoefficientsAreSeededDraws) {
  OpticsConfig o = small_flagship().optics;
  const auto a = true_coefficients(o);
  ASSERT_EQ(a.size(), 7u);
  EXPECT_EQ(a, true_coefficients(o));  // reproducible
  double ss = 0.0;
  for (double v : a) ss += v * v;
  EXPECT_GT(ss, 0.0);
  EXPECT_LT(std::sqrt(ss / 7.0), 40e-9);  // 10 nm rms draws: not wildly off
  o.coefficients_seed = 1;
  EXPECT_NE(a, true_coefficients(o));
  o.coefficients = {1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(true_coefficients(o), o.coefficients);
}

TEST(Build, SimulatedNoiseHasTheRightMoments) {
  const RealImage model = RealImage::Constant(64, 64, 100.0);
  NoiseConfig noise;
  noise.read_sigma = 3.0;
  const SimulatedData sim = simulate_data(noise, model);
  const double mean = sim.data.mean();
  const double var = (sim.data - mean).square().sum() / (sim.data.size() - 1);
  EXPECT_NEAR(mean, 100.0, 4.0 * std::sqrt(109.0 / 4096.0));
  EXPECT_NEAR(var, 109.0, 109.0 * 0.1);  // Poisson variance 100 + read noise 9
  // Photon noise only: integers.
  EXPECT_EQ((sim.photon_noise_only - sim.photon_noise_only.round()).abs().maxCoeff(), 0.0);
  // Same seed, same data.
  EXPECT_EQ((simulate_data(noise, model).data - sim.data).abs().maxCoeff(), 0.0);
}

// Fuzzing (tests/fuzz/corpus/config/poisson_rate_above_int64.toml): a pixel mean beyond what
// Poisson noise can count exactly (2^52 photons) is named with its pixel and the keys that set
// it, not cast to int64 (UBSan: log_flux = 21 gives 1.1e19 photons in a pixel).
TEST(Build, PhotonNoiseBeyondExactCountsNamesThePixelAndTheKeys) {
  using ::testing::AllOf;
  using ::testing::HasSubstr;
  using ::testing::ThrowsMessage;
  const NoiseConfig noise;  // photon noise on
  RealImage model = RealImage::Constant(3, 4, 100.0);
  model(1, 2) = 1.1e19;
  EXPECT_THAT([&] { (void)simulate_data(noise, model); },
              ThrowsMessage<InvalidArgument>(AllOf(
                  HasSubstr("noise.photon"), HasSubstr("pixel (x=2, y=1)"), HasSubstr("1.1e+19"),
                  HasSubstr("4.5036e+15"), HasSubstr("source.log_flux"))));
  model(1, 2) = std::nan("");
  EXPECT_THAT([&] { (void)simulate_data(noise, model); },
              ThrowsMessage<InvalidArgument>(HasSubstr("pixel (x=2, y=1) has a mean of nan")));
  // The bound itself draws (exactly representable counts), and without photon noise nothing is
  // drawn from the mean.
  model(1, 2) = 0x1.0p52;
  EXPECT_NO_THROW((void)simulate_data(noise, model));
  NoiseConfig read_only;
  read_only.photon = false;
  model(1, 2) = 1e300;
  EXPECT_EQ(simulate_data(read_only, model).data(1, 2), 1e300);

  // Through a configuration, as `airy simulate` does: log_flux = 21 and background.value = 1e308.
  const std::string base =
      "[optics]\nnpix = 16\npsf_npix = 8\n[source]\ntype = \"point\"\nn_wavelengths = 1\n";
  for (const std::string& extra :
       {std::string("log_flux = 21\n"),
        std::string("[[detector.layers]]\ntype = \"background\"\nvalue = 1e308\n")}) {
    const Config c = parse_config(base + extra, "poisson.toml");
    const RealImage image = build_telescope(c).model();
    EXPECT_THAT([&] { (void)simulate_data(c.noise, image); },
                ThrowsMessage<InvalidArgument>(HasSubstr("Poisson noise can draw exactly")))
        << extra;
  }
}

TEST(Build, PosteriorFromConfigSamplesTheSevenCoefficientsInNm) {
  const Config c = small_flagship();
  const model::Telescope t = build_telescope(c);
  const auto post = build_posterior(c, t, t.model());
  EXPECT_EQ(post.log_density().output_dim(), 13);
  EXPECT_NEAR(post.current_values()[6], true_coefficients(c.optics)[0] * 1e9, 1e-9);
}

TEST(Build, BadPriorsNameThePath) {
  Config c = small_flagship();
  const model::Telescope t = build_telescope(c);
  c.priors[2].params["high"] = -1.0;
  try {
    (void)build_posterior(c, t, t.model());
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("source.separation"), std::string::npos) << e.what();
  }
  c = small_flagship();
  c.priors[0].dist = "gausian";
  EXPECT_THROW((void)build_posterior(c, t, t.model()), InvalidArgument);
  c = small_flagship();
  c.priors.clear();
  EXPECT_THROW((void)build_posterior(c, t, t.model()), InvalidArgument);
}

}  // namespace
}  // namespace airy::config
