// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The figures of a run: readable labels from the config, the [plot] parameter subset,
/// formats and width, `airy plot` overrides, and the data / MAP model / residual figure of
/// `optimize`.
#include "pipeline/figures.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/short_flagship_test_util.hpp"
#include "plot/figure_test_util.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;
using plot::testing::RecordDrawing;

std::vector<std::string> flagship_names() {
  std::vector<std::string> n;
  for (const auto& p : plot::testing::flagship_parameters()) n.push_back(p.name);
  return n;
}

std::vector<std::string> flagship_units() {
  std::vector<std::string> u;
  for (const auto& p : plot::testing::flagship_parameters()) u.push_back(p.unit);
  return u;
}

bool drew(const plot::detail::DrawLog& log, const std::string& text) {
  for (const auto& t : log.texts) {
    if (t.text == text) return true;
  }
  return false;
}

TEST(Figures, ParameterLabelsComeFromNamesUnitsAndNollIndices) {
  config::Config c = config::parse_config(config::flagship_toml(), "<embedded>");
  c.optics.noll = {2, 3, 4, 5, 6, 7, 8};  // labels follow the config, not a fixed table
  const auto d = parameter_displays(c, flagship_names(), flagship_units(), {{"separation", 0.1}});
  ASSERT_EQ(d.size(), 13u);
  EXPECT_EQ(d[0].label, "Δx");
  EXPECT_EQ(d[0].unit, "″");
  EXPECT_EQ(d[3].label, "position angle");
  EXPECT_EQ(d[3].short_label, "PA");
  EXPECT_EQ(d[5].unit, "");  // contrast: dimensionless, no "[1]"
  EXPECT_EQ(d[6].label, "Z₂");
  EXPECT_EQ(d[12].label, "Z₈");
  EXPECT_EQ(d[2].truth, 0.1);
  EXPECT_FALSE(d[3].truth.has_value());
}

TEST(Figures, PlotParametersSelectByNameVectorOrPriorPath) {
  config::Config c = config::parse_config(config::flagship_toml(), "<embedded>");
  const auto all = parameter_displays(c, flagship_names(), flagship_units(), {});
  auto names = [](const std::vector<plot::ParameterDisplay>& d) {
    std::vector<std::string> n;
    for (const auto& p : d) n.push_back(p.name);
    return n;
  };
  EXPECT_EQ(selected_parameters(c, all).size(), 13u);  // empty list: all
  c.plot.parameters = {"optics.aperture.coefficients", "source.separation", "position_angle"};
  auto s = names(selected_parameters(c, all));
  ASSERT_EQ(s.size(), 9u);
  EXPECT_EQ(s[0], "coefficients[1]");  // the user's order
  EXPECT_EQ(s[7], "separation");
  EXPECT_EQ(s[8], "position_angle");
  c.plot.parameters = {"coefficients[3]", "coefficients", "x_position"};
  s = names(selected_parameters(c, all));
  ASSERT_EQ(s.size(), 8u);  // no duplicates
  EXPECT_EQ(s[0], "coefficients[3]");
  c.plot.parameters = {"sepration"};
  EXPECT_THAT([&] { (void)selected_parameters(c, all); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::AllOf(::testing::HasSubstr("'sepration'"),
                                   ::testing::HasSubstr("separation, position_angle"))));
}

TEST(Figures, PlotOverridesAreValidated) {
  config::PlotConfig p;
  PlotOverrides o;
  o.width = 3.5;
  o.formats = std::vector<std::string>{"svg"};
  o.stretch = "log";
  apply_plot_overrides(p, o);
  EXPECT_EQ(p.width, 3.5);
  EXPECT_EQ(p.formats, (std::vector<std::string>{"svg"}));
  EXPECT_EQ(p.stretch, "log");
  EXPECT_EQ(p.dpi, 150.0);  // untouched
  auto bad = [&p](auto set) {
    PlotOverrides b;
    set(b);
    apply_plot_overrides(p, b);
  };
  EXPECT_THROW(bad([](PlotOverrides& b) { b.width = 0.2; }), InvalidArgument);
  EXPECT_THROW(bad([](PlotOverrides& b) { b.formats = std::vector<std::string>{"gif"}; }),
               InvalidArgument);
  EXPECT_THAT([&] { bad([](PlotOverrides& b) { b.stretch = "cube"; }); },
              ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("--stretch")));
  EXPECT_THROW(bad([](PlotOverrides& b) { b.dpi = 5000.0; }), InvalidArgument);
  EXPECT_EQ(p.stretch, "log");  // a rejected override changes nothing
}

// The residual panel of an exposure with a variance map, a mask and a NaN pixel: each pixel's
// (d - mu)/sqrt(max(mu, 0) + v_i), NaN where the likelihood leaves the pixel out, so that the
// panel's chi^2/ndof counts the pixels the fit used (a constant sigma, as before, was wrong).
TEST(Figures, TheResidualPanelUsesTheVarianceMapAndLeavesMaskedPixelsBlank) {
  RealImage data(4, 5), model(4, 5), variance(4, 5);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 5; ++x) {
      model(y, x) = 20.0 + 3.0 * x + y;
      data(y, x) = model(y, x) + (x - 2.0) * (y + 1.0);
      variance(y, x) = 1.0 + 0.5 * x + 2.0 * y;
    }
  }
  data(3, 4) = std::numeric_limits<double>::quiet_NaN();
  posterior::PixelMaps maps;
  maps.variance = variance;
  maps.mask = posterior::PixelMask::Zero(4, 5);
  maps.mask(1, 2) = 1;
  data(1, 2) = 1e6;  // a flagged cosmic ray: neither in the residual nor the colour scale
  const posterior::ImageLikelihood like(posterior::LikelihoodKind::kPoissonGaussian, data, 3.0,
                                        maps);
  const RealImage r = fit_residual(like, model);
  int finite = 0;
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 5; ++x) {
      if ((y == 3 && x == 4) || (y == 1 && x == 2)) {
        EXPECT_TRUE(std::isnan(r(y, x))) << y << "," << x;
        continue;
      }
      ++finite;
      EXPECT_DOUBLE_EQ(r(y, x),
                       (data(y, x) - model(y, x)) / std::sqrt(model(y, x) + variance(y, x)))
          << y << "," << x;
    }
  }
  EXPECT_EQ(finite, 18);
  const posterior::ImageLikelihood poisson(posterior::LikelihoodKind::kPoisson, model, 0.0);
  EXPECT_DOUBLE_EQ(fit_residual(poisson, model + 2.0)(0, 0), -2.0 / std::sqrt(22.0));
  EXPECT_THROW(fit_residual(like, RealImage::Zero(3, 3)), InvalidArgument);
}

TEST(Figures, EveryFigureInEveryFormatAtTheConfiguredWidth) {
  const std::string out = testing::fresh_dir("airy_figures_", "formats");
  fs::create_directories(out);
  config::Config c = config::parse_config(config::flagship_toml(), "<embedded>");
  c.plot.formats = {"png", "pdf", "svg"};
  c.plot.width = 3.5;
  c.plot.dpi = 100;
  RealImage model(16, 16), data(16, 16);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      model(y, x) = 4.0 + 90.0 * std::exp(-0.12 * ((x - 8) * (x - 8) + (y - 8) * (y - 8)));
      data(y, x) = model(y, x) + ((x * 7 + y * 3) % 5 - 2.0);
    }
  }
  const posterior::ImageLikelihood like(posterior::LikelihoodKind::kPoissonGaussian, data, 3.0);
  draw_fit_images(c, like, model, out, 13);
  draw_simulation_figure(c, model, data, data, out);
  posterior::FisherResult f;
  f.names = {"separation", "position_angle", "coefficients[1]"};
  f.units = {"arcsec", "deg", "nm"};
  f.correlation = RealMatrix::Identity(3, 3);
  f.correlation(0, 1) = f.correlation(1, 0) = -0.6;
  draw_correlation_figure(c, f, out);
  const infer::Run run = plot::testing::flagship_run(13, 200, 2);
  draw_posterior_plots(c, run, flagship_units(), {}, out);
  for (const char* stem : {"fit_images", "simulate", "correlation", "corner", "trace"}) {
    const std::string base = (fs::path(out) / stem).string();
    EXPECT_NEAR(plot::testing::png_width(base + ".png"), 350, 1) << stem;  // 3.5 in, 100 dpi
    plot::testing::expect_pdf(base + ".pdf");
    plot::testing::expect_svg(base + ".svg", 252.0);
  }
  // The subset and readable names reach the corner plot.
  c.plot.formats = {"png"};
  c.plot.parameters = {"separation", "coefficients[1]"};
  {
    RecordDrawing rec;
    draw_posterior_plots(c, run, flagship_units(), {}, out);  // corner, then trace
    EXPECT_TRUE(drew(rec.log, "Z₄ [nm]"));
    EXPECT_FALSE(drew(rec.log, "Δx [″]"));
  }
  fs::remove_all(out);
}

TEST(Figures, OptimizeDrawsDataMapModelAndResidual) {
  const std::string out = testing::fresh_dir("airy_figures_", "optimize");
  config::Config c = testing::short_flagship(out + "/sim");
  const auto sim = simulate(c, c.output_dir);
  c.output_dir = out + "/opt";
  OptimizeRunOptions o;
  o.data_path = sim.data_path;
  o.num_starts = 1;
  RecordDrawing rec;
  (void)optimize_run(c, o);
  for (const char* f : {"best_fit.png", "best_fit.pdf"}) {
    EXPECT_TRUE(fs::exists(fs::path(c.output_dir) / f)) << f;
  }
  EXPECT_NEAR(plot::testing::png_width(c.output_dir + "/best_fit.png"), 7 * 150, 1);
  EXPECT_TRUE(drew(rec.log, "MAP model"));
  bool chi2 = false;
  for (const auto& t : rec.log.texts) chi2 = chi2 || t.text.starts_with("χ²/ndof = ");
  EXPECT_TRUE(chi2);
  fs::remove_all(out);
}

}  // namespace
}  // namespace airy::pipeline
