// SPDX-License-Identifier: BSD-3-Clause
// Text layout of every figure at journal column (3.5 in) and page (7 in) widths: every
// label, tick label and title is recorded with its Cairo-measured ink box while drawing, and
// no two may intersect, leave the canvas or cross a panel; all text is >= 7 pt.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

#include "airy/plot/corner.hpp"
#include "airy/plot/images.hpp"
#include "airy/plot/matrix.hpp"
#include "plot_test_util.hpp"

namespace airy::plot {
namespace {

using testing::flagship_displays;
using testing::flagship_run;
using testing::layout_problems;
using testing::out_path;
using testing::RecordDrawing;

/// The texts of a log, for messages.
std::vector<std::string> texts(const detail::DrawLog& log) {
  std::vector<std::string> out;
  for (const auto& t : log.texts) out.push_back(t.text);
  return out;
}

bool has_text(const detail::DrawLog& log, const std::string& s) {
  for (const auto& t : log.texts) {
    if (t.text == s) return true;
  }
  return false;
}

TEST(PlotLayout, TheOverlapCheckFindsOverlapsAndSmallText) {
  detail::DrawLog log{100.0, 50.0, {}, {}};
  log.texts.push_back({"a", 7.0, detail::rect_quad(10, 10, 20, 8)});
  log.texts.push_back({"b", 7.0, detail::rect_quad(25, 15, 20, 8)});  // overlaps a
  log.texts.push_back({"c", 6.0, detail::rect_quad(60, 10, 10, 8)});  // too small
  log.texts.push_back({"d", 7.0, detail::rect_quad(95, 40, 10, 8)});  // leaves the canvas
  log.texts.push_back({"e", 7.0, detail::rect_quad(70, 25, 10, 8)});  // on a frame
  log.frames.push_back(detail::rect_quad(75, 20, 10, 10));
  const auto p = layout_problems(log);
  EXPECT_EQ(p.size(), 4u) << ::testing::PrintToString(p);
  // A slanted box whose bounding rectangles overlap but whose ink does not.
  const double s = std::sqrt(0.5);
  const detail::Quad slanted{{detail::Point{0, 10}, detail::Point{10 * s, 10 - 10 * s},
                              detail::Point{10 * s + 2 * s, 10 - 10 * s + 2 * s},
                              detail::Point{2 * s, 10 + 2 * s}}};
  EXPECT_FALSE(detail::overlaps(slanted, detail::rect_quad(6.5, 8.5, 2, 2)));
  EXPECT_TRUE(detail::overlaps(slanted, detail::rect_quad(4, 5, 2, 2)));
}

class CornerLayoutTest : public ::testing::TestWithParam<std::tuple<int, double>> {};

TEST_P(CornerLayoutTest, NoTextOverlapsAndOneLabelSize) {
  const auto [n, width] = GetParam();
  const infer::Run run = flagship_run(n, 600, 2);
  const std::vector<ParameterDisplay> shown = flagship_displays(n);
  CornerOptions opt;
  opt.figure.width = width;
  opt.figure.dpi = 100;
  // The layout is measured once; it must hold on a raster and a vector surface alike.
  {
    RecordDrawing svg;
    plot_corner(out_path(fmt::format("layout_corner{}_{:.0f}.svg", n, width)), run, shown, opt);
    const auto problems = layout_problems(svg.log);
    EXPECT_TRUE(problems.empty()) << "SVG: " << ::testing::PrintToString(problems);
  }
  RecordDrawing rec;
  plot_corner(out_path(fmt::format("layout_corner{}_{:.0f}.png", n, width)), run, shown, opt);
  const detail::DrawLog& log = rec.log;
  EXPECT_DOUBLE_EQ(log.width, width);
  const auto problems = layout_problems(log);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  // Axis labels and titles share one size; tick labels another; nothing else.
  std::set<double> sizes;
  for (const auto& t : log.texts) sizes.insert(t.size);
  EXPECT_EQ(sizes.size(), 2u);
  for (const auto& t : log.texts) {
    EXPECT_EQ(t.text.find("[1]"), std::string::npos) << t.text;
    EXPECT_EQ(t.text.find('_'), std::string::npos) << t.text;  // no snake_case
  }
  // Every parameter labelled on the bottom row, in its long or short form.
  for (int k = 0; k < n; ++k) {
    const ParameterDisplay& p = shown[static_cast<std::size_t>(k)];
    const std::string unit = p.unit.empty() ? "" : " [" + p.unit + "]";
    EXPECT_TRUE(has_text(log, p.label + unit) || has_text(log, p.short_label + unit))
        << p.label << unit << " in " << ::testing::PrintToString(texts(log));
  }
  // Titles over the diagonal at page width (at column width 13 panels are too small).
  if (width == kPageWidth || n <= 2) {
    int titles = 0;
    for (const auto& t : log.texts) titles += t.text.find(" ± ") != std::string::npos ? 1 : 0;
    EXPECT_EQ(titles, n);
  }
}

INSTANTIATE_TEST_SUITE_P(ColumnAndPage, CornerLayoutTest,
                         ::testing::Combine(::testing::Values(2, 7, 13),
                                            ::testing::Values(kColumnWidth, kPageWidth)));

TEST(PlotLayout, CornerLabelsReadAsAstronomersWriteThem) {
  const std::vector<ParameterDisplay> d = flagship_displays(13);
  EXPECT_EQ(d[0].label + " [" + d[0].unit + "]", "Δx [″]");
  EXPECT_EQ(d[3].label + " [" + d[3].unit + "]", "position angle [°]");
  EXPECT_EQ(d[4].unit, "");  // log flux carries no unit
  EXPECT_EQ(d[5].unit, "");  // contrast is dimensionless
  EXPECT_EQ(d[6].label + " [" + d[6].unit + "]", "Z₄ [nm]");
  EXPECT_EQ(d[12].label, "Z₁₀");
}

class TraceLayoutTest : public ::testing::TestWithParam<double> {};

TEST_P(TraceLayoutTest, NoTextOverlaps) {
  const infer::Run run = flagship_run(13, 400, 4);
  TraceOptions opt;
  opt.figure.width = GetParam();
  opt.figure.dpi = 100;
  RecordDrawing rec;
  plot_trace(out_path(fmt::format("layout_trace_{:.0f}.png", GetParam())), run,
             flagship_displays(13), opt);
  const auto problems = layout_problems(rec.log);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  EXPECT_TRUE(has_text(rec.log, "truth"));
  EXPECT_TRUE(has_text(rec.log, "Z₁₀ [nm]"));
}

INSTANTIATE_TEST_SUITE_P(ColumnAndPage, TraceLayoutTest,
                         ::testing::Values(kColumnWidth, kPageWidth));

class MatrixLayoutTest : public ::testing::TestWithParam<std::tuple<int, double>> {};

TEST_P(MatrixLayoutTest, NamesOnTheAxesValuesInTheCells) {
  const auto [n, width] = GetParam();
  RealMatrix m(n, n);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j) m(i, j) = 0.9 * std::cos(1.7 * i + 0.9 * j);
  }
  m = (0.5 * (m + m.transpose())).eval();
  for (int i = 0; i < n; ++i) m(i, i) = 1.0;
  std::vector<std::string> labels;
  for (const auto& d : flagship_displays(n)) labels.push_back(d.label);
  MatrixOptions opt;
  opt.figure.width = width;
  opt.figure.dpi = 100;
  RecordDrawing rec;
  plot_correlation(out_path(fmt::format("layout_matrix{}_{:.0f}.png", n, width)), m, labels, opt);
  const auto problems = layout_problems(rec.log, true);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  for (const std::string& l : labels) {
    int count = 0;  // a row label and a column label
    for (const auto& t : rec.log.texts) count += t.text == l ? 1 : 0;
    EXPECT_EQ(count, 2) << l;
  }
  // Row 0 is at the top: its label lies above row 1's.
  double y0 = 0.0, y1 = 0.0;
  for (const auto& t : rec.log.texts) {
    if (t.text == labels[0] && y0 == 0.0) y0 = detail::bounds(t.box)[1];
    if (t.text == labels[1] && y1 == 0.0) y1 = detail::bounds(t.box)[1];
  }
  EXPECT_LT(y0, y1);
  if (n <= 7 || width == kPageWidth) {
    EXPECT_TRUE(has_text(rec.log, "1.00"));  // the diagonal's values
  }
}

INSTANTIATE_TEST_SUITE_P(ColumnAndPage, MatrixLayoutTest,
                         ::testing::Combine(::testing::Values(3, 13),
                                            ::testing::Values(kColumnWidth, kPageWidth)));

class ImagesLayoutTest : public ::testing::TestWithParam<double> {};

TEST_P(ImagesLayoutTest, TriptychTextsClearEachOther) {
  std::mt19937_64 rng(3);
  std::normal_distribution<double> n01;
  RealImage model(16, 16), data(16, 16);
  for (int y = 0; y < 16; ++y) {
    for (int x = 0; x < 16; ++x) {
      model(y, x) = 5.0 + 100.0 * std::exp(-0.1 * ((x - 8) * (x - 8) + (y - 7) * (y - 7)));
      data(y, x) = model(y, x) + std::sqrt(model(y, x) + 9.0) * n01(rng);
    }
  }
  ImageFigureOptions opt;
  opt.figure.width = GetParam();
  opt.figure.dpi = 100;
  opt.pixel_scale_arcsec = 0.03;
  RecordDrawing rec;
  plot_data_model_residual(out_path(fmt::format("layout_images_{:.0f}.png", GetParam())), data,
                           model, opt, 3.0, Stretch::kAsinh, 13);
  const auto problems = layout_problems(rec.log);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems);
  bool chi2 = false;
  for (const auto& t : rec.log.texts) chi2 = chi2 || t.text.starts_with("χ²/ndof = ");
  EXPECT_TRUE(chi2) << ::testing::PrintToString(texts(rec.log));
}

INSTANTIATE_TEST_SUITE_P(ColumnAndPage, ImagesLayoutTest,
                         ::testing::Values(kColumnWidth, kPageWidth));

}  // namespace
}  // namespace airy::plot
