// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/corner.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <random>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"
#include "density.hpp"
#include "plot_test_util.hpp"

namespace airy::plot {
namespace {

using testing::out_path;
using testing::png_stats;

/// The flagship's 13 parameters: separation, position angle, contrast, flux, 2 position
/// offsets and 7 Zernike coefficients (metres, ~1e-8), correlated Gaussian draws, 4 chains.
infer::Run synthetic_run(int draws = 1000, int chains = 4) {
  std::vector<std::string> names = {"source.separation",  "source.position_angle",
                                    "source.contrast",    "source.flux",
                                    "source.position[1]", "source.position[2]"};
  for (int j = 1; j <= 7; ++j) names.push_back(fmt::format("optics.aperture.coefficients[{}]", j));
  const int k = static_cast<int>(names.size());
  std::vector<double> mean = {0.25, 30.0, 3.0, 1e6, 0.0, 0.0};
  std::vector<double> sd = {0.002, 0.5, 0.05, 2e3, 1e-3, 1e-3};
  for (int j = 0; j < 7; ++j) {
    mean.push_back((j - 3) * 1e-8);
    sd.push_back(2e-9);
  }
  infer::Run run;
  std::mt19937_64 rng(11);
  std::normal_distribution<double> n01;
  for (int c = 0; c < chains; ++c) {
    infer::Chain ch;
    ch.id = c + 1;
    ch.names = names;
    ch.num_warmup_saved = 50;
    ch.draws.resize(draws + 50, k);
    for (int i = 0; i < draws + 50; ++i) {
      const double common = n01(rng);
      for (int j = 0; j < k; ++j) {
        const double rho = (j == 0 || j == 2) ? 0.8 : (j >= 6 ? 0.3 : 0.0);
        const double z = rho * common + std::sqrt(1 - rho * rho) * n01(rng);
        ch.draws(i, j) = mean[j] + sd[j] * (i < 50 ? 5.0 * z : z);
      }
      ch.stats.push_back({-10.0, 0.9, 0.3, 3, 7, i > 50 && (i * (c + 3)) % 97 == 0, 12.0});
    }
    run.chains.push_back(std::move(ch));
  }
  return run;
}

std::vector<ParameterDisplay> displays() {
  std::vector<ParameterDisplay> d = {{"source.separation", "sep", 1.0, "arcsec", 0.25, ""},
                                     {"source.position_angle", "PA", 1.0, "deg", 30.1, ""},
                                     {"source.contrast", "contrast", 1.0, "", 3.0, ""},
                                     {"source.flux", "flux", 1e-6, "Mph", 1e6, ""},
                                     {"source.position[1]", "x₀", 1e3, "mas", 0.0, ""},
                                     {"source.position[2]", "y₀", 1e3, "mas", std::nullopt, ""}};
  for (int j = 1; j <= 7; ++j) {
    d.push_back({fmt::format("optics.aperture.coefficients[{}]", j), fmt::format("Z{}", j + 3), 1e9,
                 "nm", (j - 4) * 1e-8, ""});
  }
  return d;
}

TEST(PlotCorner, ThirteenParametersPngAndPdf) {
  const infer::Run run = synthetic_run();
  CornerOptions opt;
  opt.figure.dpi = 110;
  const std::string png = out_path("corner13.png");
  plot_corner(png, run, displays(), opt);
  const auto st = png_stats(png);
  EXPECT_GT(st.distinct_colors, 200u);
  EXPECT_GT(st.non_white_fraction, 0.1);
  const std::string pdf = out_path("corner13.pdf");
  plot_corner(pdf, run, displays(), opt);
  testing::expect_pdf(pdf);
}

TEST(PlotCorner, SmallCornerWithRawScientificUnits) {
  const infer::Run run = synthetic_run(400, 2);
  std::vector<ParameterDisplay> d = {{"source.separation", "", 1.0, "", 0.25, ""},
                                     {"optics.aperture.coefficients[2]", "", 1.0, "m", {}, ""},
                                     {"source.contrast", "", 1.0, "", {}, ""}};
  const std::string png = out_path("corner3.png");
  plot_corner(png, run, d);
  EXPECT_GT(png_stats(png).gray_variance, 100.0);
  EXPECT_THAT(
      [&] {
        plot_corner(png, run, {{"nope", "", 1.0, "", {}, ""}});
      },
      ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("'nope'")));
  EXPECT_THROW(plot_corner(png, infer::Run{}, d), InvalidArgument);
}

TEST(PlotTrace, FourChainsWithDivergences) {
  const infer::Run run = synthetic_run(500, 4);
  std::vector<ParameterDisplay> d = displays();
  d.resize(5);
  TraceOptions opt;
  opt.figure.dpi = 150;
  const std::string png = out_path("trace.png");
  plot_trace(png, run, d, opt);
  const auto st = png_stats(png);
  EXPECT_GT(st.distinct_colors, 200u);
  const std::string pdf = out_path("trace.pdf");
  opt.include_warmup = true;
  plot_trace(pdf, run, d, opt);
  testing::expect_pdf(pdf);
  plot_trace(out_path("trace_warmup.png"), run, d, opt);
}

TEST(PlotTrace, FlagshipSizedTraceStaysLight) {
  // The demo's size: 13 parameters, 4 chains x 2000 draws, default options (a 7 in page).
  const infer::Run run = testing::flagship_run(13, 2000, 4);
  const std::string png = out_path("trace_flagship.png");
  plot_trace(png, run, testing::flagship_displays(13));
  const auto bytes = std::filesystem::file_size(png);
  RecordProperty("png_bytes", static_cast<int>(bytes));
  std::cout << "trace PNG: " << bytes << " bytes\n";
  EXPECT_LT(bytes, 1000000u);
  const auto st = png_stats(png);
  EXPECT_NEAR(st.width, 7.0 * FigureOptions{}.dpi, 2.0);  // printed 7 in wide
  EXPECT_GT(st.distinct_colors, 50u);
  const std::string corner = out_path("corner_flagship.png");
  plot_corner(corner, run, testing::flagship_displays(13));
  std::cout << "corner PNG: " << std::filesystem::file_size(corner) << " bytes\n";
  EXPECT_LT(std::filesystem::file_size(corner), 1000000u);
}

TEST(PlotFormats, PngPdfAndSvgAreValidAndSvgIsWrittenAtomically) {
  const infer::Run run = testing::flagship_run(3, 300, 2);
  const auto shown = testing::flagship_displays(3);
  CornerOptions opt;
  opt.figure.width = kColumnWidth;
  plot_corner(out_path("formats.png"), run, shown, opt);
  const auto st = png_stats(out_path("formats.png"));
  EXPECT_NEAR(st.width, 3.5 * opt.figure.dpi, 1.0);
  plot_corner(out_path("formats.pdf"), run, shown, opt);
  testing::expect_pdf(out_path("formats.pdf"));
  plot_corner(out_path("formats.svg"), run, shown, opt);
  testing::expect_svg(out_path("formats.svg"), kColumnWidth);
  // A full disk while the SVG is written leaves no file behind its name.
  const std::string failed = out_path("full_disk.svg");
  inject_write_failure_after(1);
  EXPECT_THROW(plot_corner(failed, run, shown, opt), Error);
  inject_write_failure_after(0);
  EXPECT_FALSE(std::filesystem::exists(failed));
  EXPECT_THAT([&] { plot_corner(out_path("x.jpg"), run, shown, opt); },
              ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr(".svg")));
}

TEST(PlotDensity, DecimationKeepsEachColumnsExtremes) {
  std::mt19937_64 rng(4);
  std::normal_distribution<double> n01;
  std::vector<double> v(10000);
  double x = 0.0;
  for (double& e : v) e = (x += n01(rng));
  v[5003] = std::nan("");
  const double per_column = 25.0;
  const std::vector<std::size_t> keep = detail::decimate(v, per_column);
  EXPECT_LE(keep.size(), 4u * 400u + 4u);
  EXPECT_TRUE(std::is_sorted(keep.begin(), keep.end()));
  // Every column's minimum and maximum survive, and so does the gap.
  for (int col = 0; col < 400; ++col) {
    double lo = INFINITY, hi = -INFINITY, klo = INFINITY, khi = -INFINITY;
    for (int i = col * 25; i < (col + 1) * 25; ++i) {
      if (std::isfinite(v[i])) lo = std::min(lo, v[i]), hi = std::max(hi, v[i]);
    }
    for (std::size_t i : keep) {
      if (static_cast<int>(i) / 25 == col && std::isfinite(v[i])) {
        klo = std::min(klo, v[i]), khi = std::max(khi, v[i]);
      }
    }
    EXPECT_EQ(lo, klo) << col;
    EXPECT_EQ(hi, khi) << col;
  }
  EXPECT_NE(std::find(keep.begin(), keep.end(), 5003u), keep.end());
  EXPECT_EQ(detail::decimate(v, 3.0).size(), v.size());  // sparse: every point
}

TEST(PlotDensity, MassLevelsEncloseTheRequestedFractionOfAGaussian) {
  std::mt19937_64 rng(5);
  std::normal_distribution<double> n01;
  std::vector<double> x(200000), y(200000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = n01(rng), y[i] = n01(rng);
  detail::Grid g = detail::histogram2d(x, y, -5, 5, -5, 5, 100);
  const auto thr = detail::mass_levels(g, {0.393, 0.865});
  // For a unit 2-D Gaussian the 39.3% and 86.5% regions are the r < 1 and r < 2 disks:
  // the density there is exp(-r^2/2) of the peak.
  const double peak = 200000.0 * 0.1 * 0.1 / (2.0 * M_PI);  // expected count at the mode
  EXPECT_NEAR(thr[0] / peak, std::exp(-0.5), 0.04);
  EXPECT_NEAR(thr[1] / peak, std::exp(-2.0), 0.02);
  EXPECT_NEAR(detail::quantile({1, 2, 3, 4}, 0.5), 2.5, 1e-12);
  const auto segs = detail::contour_segments(g, thr[1]);
  ASSERT_GT(segs.size(), 20u);
  for (const auto& s : segs) EXPECT_NEAR(std::hypot(s[0], s[1]), 2.0, 0.35);
}

}  // namespace
}  // namespace airy::plot
