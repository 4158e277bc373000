// SPDX-License-Identifier: BSD-3-Clause
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "airy/core/error.hpp"
#include "airy/detector/detector_layers.hpp"

namespace airy::detector {
namespace {

template <class L>
RealImage apply(const L& layer, const RealImage& in) {
  auto ws = layer.make_workspace(static_cast<int>(in.rows()), static_cast<int>(in.cols()));
  const RealVector p = layer.values();
  RealImage out;
  layer.forward(std::span<const double>(p.data(), p.size()), in, out, *ws);
  return out;
}

TEST(Detector, DownsampleSumsBlocks) {
  RealImage in = RealImage::Ones(4, 6);
  in(0, 0) = 5.0;
  const RealImage out = apply(Downsample(2), in);
  ASSERT_EQ(out.rows(), 2);
  ASSERT_EQ(out.cols(), 3);
  EXPECT_DOUBLE_EQ(out(0, 0), 8.0);
  EXPECT_DOUBLE_EQ(out(1, 2), 4.0);
}

TEST(Detector, JitterConservesInteriorFluxAndIsSymmetric) {
  RealImage in = RealImage::Zero(21, 21);
  in(10, 10) = 1.0;
  const GaussianJitter j(1.0);
  const RealImage out = apply(j, in);
  EXPECT_NEAR(out.sum(), 1.0, 1e-14);
  EXPECT_NEAR(out(10, 11), out(11, 10), 1e-16);
  EXPECT_NEAR(out(10, 9), out(10, 11), 1e-16);
  // Pixel-unit Gaussian: neighbour / centre = exp(-1/2) for sigma = 1 px.
  EXPECT_NEAR(out(10, 11) / out(10, 10), std::exp(-0.5), 1e-14);
  const RealVector k = DluxJitter(0.8, 9, 3).kernel_1d(0.8);
  EXPECT_EQ(k.size(), 9);
  EXPECT_NEAR(k.sum(), 1.0, 1e-15);
  EXPECT_NEAR(k[0], k[8], 1e-18);
}

TEST(Detector, PixelResponseBackgroundSaturation) {
  RealImage in = RealImage::Constant(2, 2, 3.0);
  RealImage map = RealImage::Ones(2, 2);
  map(1, 1) = 2.0;
  EXPECT_DOUBLE_EQ(apply(PixelResponse(map), in)(1, 1), 6.0);
  EXPECT_DOUBLE_EQ(apply(Background(1.5), in)(0, 1), 4.5);
  in(0, 0) = 10.0;
  EXPECT_DOUBLE_EQ(apply(Saturation(5.0), in)(0, 0), 5.0);
  EXPECT_DOUBLE_EQ(apply(Saturation(5.0), in)(1, 0), 3.0);
}

TEST(Detector, BadInputsThrow) {
  EXPECT_THROW(GaussianJitter{0.0}, InvalidArgument);
  EXPECT_THROW((GaussianJitter{1.0, 4}), InvalidArgument);
  EXPECT_THROW(Downsample{0}, InvalidArgument);
  EXPECT_THROW(Background{NAN}, InvalidArgument);
  EXPECT_THROW(PixelResponse{RealImage{}}, InvalidArgument);
  const GaussianJitter j(1.0);
  const double bad = -1.0;
  EXPECT_THROW(j.check_values(std::span<const double>(&bad, 1)), InvalidArgument);
}

// Fuzzing (tests/fuzz/corpus/config/jitter_sigma_1e9.toml): a sigma of 1e9 pixels made the
// automatic kernel size 2 ceil(4 sigma) + 1 overflow int (UBSan); 1e300 too.
TEST(Detector, JitterSigmaTooWideForTheAutomaticKernelIsNamed) {
  using ::testing::HasSubstr;
  using ::testing::ThrowsMessage;
  EXPECT_THAT([] { GaussianJitter{1e9}; },
              ThrowsMessage<InvalidArgument>(HasSubstr("GaussianJitter: sigma = 1000000000")));
  EXPECT_THAT([] { GaussianJitter{1e300}; },
              ThrowsMessage<InvalidArgument>(HasSubstr("sigma = 1e+300: must be <= 10000")));
  EXPECT_THAT([] { GaussianJitter{10000.5}; },
              ThrowsMessage<InvalidArgument>(HasSubstr("sigma = 10000.5")));
  // The bound itself: 2 ceil(4e4) + 1 taps.
  EXPECT_EQ(GaussianJitter(1e4).kernel_1d(1e4).size(), 80001);
  // An explicit kernel size does not depend on sigma: a flat 5-tap kernel (each within 1e-17
  // of 1/5, exp(-4 / (2e18)) = 1 - 2e-18).
  const RealVector flat = GaussianJitter(1e9, 5).kernel_1d(1e9);
  ASSERT_EQ(flat.size(), 5);
  for (double k : flat) EXPECT_NEAR(k, 0.2, 1e-15);
}

}  // namespace
}  // namespace airy::detector
