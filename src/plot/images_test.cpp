// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/images.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "airy/core/error.hpp"
#include "plot_test_util.hpp"

// fontconfig (loaded by Cairo's text API) keeps process-lifetime caches that LeakSanitizer
// reports at exit; they are not airy's allocations.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig\n"; }

namespace airy::plot {
namespace {

using testing::out_path;
using testing::png_stats;

/// A binary-star PSF: two Airy-like cores (sinc^2 in each axis) on a 64 x 64 grid, the
/// brighter one at lower left so orientation is visible.
RealImage binary_psf(int n = 64) {
  RealImage img(n, n);
  auto core = [](double r) { return r < 1e-9 ? 1.0 : std::pow(std::sin(r) / r, 2); };
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const double r1 = 0.9 * std::hypot(x - 24.0, y - 20.0);
      const double r2 = 0.9 * std::hypot(x - 40.0, y - 44.0);
      img(y, x) = 1000.0 * core(r1) + 300.0 * core(r2);
    }
  }
  return img;
}

TEST(PlotImages, ThreePanelTutorialFigure) {
  const RealImage psf = binary_psf();
  std::mt19937_64 rng(1);
  RealImage noisy = psf;
  for (Eigen::Index i = 0; i < noisy.size(); ++i) {
    noisy.data()[i] = std::poisson_distribution<int>(psf.data()[i] + 5.0)(rng);
  }
  const RealImage residual = (noisy - psf - 5.0) / (psf + 5.0).sqrt();
  ImageFigureOptions opt;
  opt.pixel_scale_arcsec = 0.0125;
  opt.figure.title = "Binary star, 64 × 64 pixels";
  std::vector<ImagePanel> panels = {
      {"PSF", psf, Colormap::kInferno, false, "photons", Stretch::kSqrt, {}, {}, "", ""},
      {"PSF + photon noise",
       noisy,
       Colormap::kInferno,
       false,
       "photons",
       Stretch::kSqrt,
       {},
       {},
       "",
       ""},
      {"Residual",
       residual,
       Colormap::kRdBu,
       true,
       "(data − model) / σ",
       Stretch::kLinear,
       {},
       {},
       "",
       "σ"}};
  for (const char* ext : {".png", ".pdf"}) {
    const std::string path = out_path(std::string("images_three") + ext);
    plot_images(path, panels, opt);
    if (std::string(ext) == ".pdf") {
      testing::expect_pdf(path);
    } else {
      const auto st = png_stats(path);
      EXPECT_GT(st.width, 3 * 190);
      EXPECT_GT(st.distinct_colors, 500u);
      EXPECT_GT(st.gray_variance, 1000.0);
    }
  }
}

TEST(PlotImages, DataModelResidualTriptych) {
  const RealImage model = binary_psf() + 5.0;
  std::mt19937_64 rng(2);
  RealImage data = model;
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    data.data()[i] = std::poisson_distribution<int>(model.data()[i])(rng);
  }
  ImageFigureOptions opt;
  opt.pixel_scale_arcsec = 0.0125;
  const std::string path = out_path("triptych.png");
  plot_data_model_residual(path, data, model, opt, 0.0, Stretch::kSqrt);
  EXPECT_GT(png_stats(path).distinct_colors, 500u);
  EXPECT_THROW(plot_data_model_residual(path, data, RealImage::Zero(3, 3), opt), InvalidArgument);
}

TEST(PlotImages, OriginLowerPutsRowZeroAtTheBottom) {
  RealImage img = RealImage::Zero(8, 8);
  img.row(0).setConstant(1.0);  // bright bottom row
  ImageFigureOptions opt;
  opt.axis_labels = false;
  opt.figure.dpi = 72.0;
  const std::string path = out_path("origin.png");
  plot_images(path,
              {{"row 0 bright", img, Colormap::kGray, false, "", Stretch::kLinear, {}, {}, "", ""}},
              opt);
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  ASSERT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* d = cairo_image_surface_get_data(s);
  // Scan down the image centre column: dark (black) pixels come first, then white.
  const int x = static_cast<int>(10 + 1.6 * 9 + 3 * 9 + 95);  // inside the image
  int first_white = -1, last_black = -1;
  for (int y = 0; y < cairo_image_surface_get_height(s); ++y) {
    const std::uint32_t p = *reinterpret_cast<const std::uint32_t*>(
        d + static_cast<std::ptrdiff_t>(y) * stride + 4 * x);
    if ((p & 0xffffffu) == 0) last_black = y;
    if ((p & 0xffffffu) == 0xffffffu && last_black >= 0 && first_white < 0) first_white = y;
  }
  cairo_surface_destroy(s);
  EXPECT_GT(last_black, 0);
  EXPECT_GT(first_white, last_black - 5);  // the white row lies below the black rows
}

TEST(PlotImages, LogStretchAndErrors) {
  ImageFigureOptions opt;
  const std::string path = out_path("images_log.png");
  plot_images(path,
              {{"log PSF",
                binary_psf(),
                Colormap::kViridis,
                false,
                "photons",
                Stretch::kLog,
                {},
                {},
                "",
                ""}},
              opt);
  EXPECT_GT(png_stats(path).distinct_colors, 200u);
  EXPECT_THROW(plot_images(out_path("x.png"), {}, opt), InvalidArgument);
  EXPECT_THROW(
      plot_images(
          out_path("x.jpg"),
          {{"a", binary_psf(), Colormap::kGray, false, "", Stretch::kLinear, {}, {}, "", ""}}, opt),
      InvalidArgument);
  EXPECT_THROW(
      plot_images(
          out_path("x.png"),
          {{"a", RealImage(), Colormap::kGray, false, "", Stretch::kLinear, {}, {}, "", ""}}, opt),
      InvalidArgument);
}

TEST(PlotStyle, TicksLabelsAndColormaps) {
  EXPECT_EQ(nice_ticks(0.0, 1.0, 5), (std::vector<double>{0.0, 0.25, 0.5, 0.75, 1.0}));
  EXPECT_EQ(nice_ticks(-0.4, 0.4, 5), (std::vector<double>{-0.4, -0.2, 0.0, 0.2, 0.4}));
  int e = 0;
  EXPECT_EQ(tick_labels({-0.2, 0.0, 0.2}, e),
            (std::vector<std::string>{"\u22120.2", "0.0", "0.2"}));
  EXPECT_EQ(tick_labels({1e-8, 2e-8}, e), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(e, -8);
  EXPECT_EQ(format_mean_sd(0.25034, 0.0012), "0.2503 ± 0.0012");
  EXPECT_EQ(format_mean_sd(12.3, 4.56), "12.3 ± 4.6");
  EXPECT_EQ(format_mean_sd(2.5e-8, 1.2e-9), "(2.50 ± 0.12)e\u22128");
  const Rgb lo = colormap_lookup(Colormap::kInferno, 0.0);
  const Rgb hi = colormap_lookup(Colormap::kInferno, 1.0);
  EXPECT_NEAR(lo.r, 0.001462, 1e-9);
  EXPECT_NEAR(hi.g, 1.0, 0.05);
  const Rgb mid = colormap_lookup(Colormap::kRdBu, 0.5);
  EXPECT_NEAR(mid.r, mid.b, 1e-9);                          // white-ish centre
  EXPECT_LT(colormap_lookup(Colormap::kRdBu, 0.0).r, 0.1);  // negative = blue
  EXPECT_EQ(colormap_from_name("Viridis"), Colormap::kViridis);
  EXPECT_THROW(colormap_from_name("jet"), InvalidArgument);
}

}  // namespace
}  // namespace airy::plot
