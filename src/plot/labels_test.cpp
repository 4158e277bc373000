// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/labels.hpp"

#include <gtest/gtest.h>

namespace airy::plot {
namespace {

std::string with_unit(const ReadableLabel& r) {
  return r.unit.empty() ? r.label : r.label + " [" + r.unit + "]";
}

TEST(PlotLabels, FlagshipParametersReadAsInAPaper) {
  const std::vector<int> noll = {4, 5, 6, 7, 8, 9, 10};
  EXPECT_EQ(with_unit(readable_label("x_position", "arcsec")), "Δx [″]");
  EXPECT_EQ(with_unit(readable_label("source.y_position", "mas")), "Δy [mas]");
  EXPECT_EQ(with_unit(readable_label("separation", "arcsec")), "separation [″]");
  EXPECT_EQ(readable_label("separation", "arcsec").short_label, "sep");
  EXPECT_EQ(with_unit(readable_label("position_angle", "deg")), "position angle [°]");
  EXPECT_EQ(readable_label("position_angle", "deg").short_label, "PA");
  EXPECT_EQ(with_unit(readable_label("log_flux", "log10 photons")), "log flux");
  EXPECT_EQ(with_unit(readable_label("contrast", "1")), "contrast");  // never "[1]"
  EXPECT_EQ(with_unit(readable_label("coefficients[1]", "nm", noll)), "Z₄ [nm]");
  EXPECT_EQ(with_unit(readable_label("optics.aperture.coefficients[7]", "nm", noll)), "Z₁₀ [nm]");
}

TEST(PlotLabels, MetresOfOpdAreShownInNanometres) {
  const ReadableLabel r = readable_label("coefficients[2]", "m", {2, 3});
  EXPECT_EQ(with_unit(r), "Z₃ [nm]");
  EXPECT_DOUBLE_EQ(r.scale, 1e9);
  EXPECT_EQ(readable_label("coefficients[3]", "nm", {2, 3}).label, "c₃");  // no Noll index
}

TEST(PlotLabels, OtherSourcesDetectorsAndUnknownNames) {
  EXPECT_EQ(readable_label("positions[1]", "arcsec").label, "Δx₁");
  EXPECT_EQ(readable_label("positions[4]", "arcsec").label, "Δy₂");
  EXPECT_EQ(with_unit(readable_label("fluxes[3]", "photons")), "flux₃ [photons]");
  EXPECT_EQ(readable_label("weights[12]", "1").label, "w₁₂");
  EXPECT_EQ(with_unit(readable_label("detector.jitter.sigma", "px")), "jitter σ [px]");
  EXPECT_EQ(with_unit(readable_label("value", "photons")), "background [photons]");
  EXPECT_EQ(with_unit(readable_label("my_custom_thing[2]", "um")), "my custom thing₂ [µm]");
  EXPECT_EQ(subscript(1024), "₁₀₂₄");
  EXPECT_EQ(unit_symbol(""), "");
  EXPECT_EQ(unit_symbol("rad"), "rad");
}

}  // namespace
}  // namespace airy::plot
