// SPDX-License-Identifier: BSD-3-Clause
// The [plot] table: defaults, values, validation naming key and value, and the round trip
// through to_toml (a run directory's config.toml keeps the figure settings `airy plot` reuses).
#include <gtest/gtest.h>

#include <string>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"

namespace airy::config {
namespace {

Config flagship_with(const std::string& plot) {
  return parse_config(std::string(flagship_toml()) + "\n" + plot, "test.toml");
}

void expect_plot_error(const std::string& plot, std::initializer_list<std::string> fragments) {
  try {
    flagship_with(plot);
    FAIL() << "expected InvalidArgument for:\n" << plot;
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    for (const auto& f : fragments) {
      EXPECT_NE(msg.find(f), std::string::npos) << "missing '" << f << "' in: " << msg;
    }
  }
}

TEST(PlotConfig, DefaultsWithoutATable) {
  const Config c = parse_config(flagship_toml(), "<embedded>");
  EXPECT_EQ(c.plot.width, 0.0);
  EXPECT_TRUE(c.plot.parameters.empty());
  EXPECT_EQ(c.plot.formats, (std::vector<std::string>{"png", "pdf"}));
  EXPECT_EQ(c.plot.stretch, "linear");
  EXPECT_EQ(c.plot.dpi, 150.0);
}

TEST(PlotConfig, ValuesAndRoundTrip) {
  const Config c = flagship_with(
      "[plot]\nwidth = 3.5\nparameters = [\"source.separation\", \"coefficients\"]\n"
      "format = [\"svg\", \"png\"]\nstretch = \"asinh\"\ndpi = 300\n");
  EXPECT_EQ(c.plot.width, 3.5);
  EXPECT_EQ(c.plot.parameters, (std::vector<std::string>{"source.separation", "coefficients"}));
  EXPECT_EQ(c.plot.formats, (std::vector<std::string>{"svg", "png"}));
  EXPECT_EQ(c.plot.stretch, "asinh");
  EXPECT_EQ(c.plot.dpi, 300.0);
  const Config b = parse_config(to_toml(c), "<roundtrip>");
  EXPECT_EQ(b.plot.width, c.plot.width);
  EXPECT_EQ(b.plot.parameters, c.plot.parameters);
  EXPECT_EQ(b.plot.formats, c.plot.formats);
  EXPECT_EQ(b.plot.stretch, c.plot.stretch);
  EXPECT_EQ(b.plot.dpi, c.plot.dpi);
  EXPECT_EQ(flagship_with("[plot]\nformat = \"pdf\"\n").plot.formats,
            (std::vector<std::string>{"pdf"}));
}

TEST(PlotConfig, BadValuesNameTheKeyAndValue) {
  expect_plot_error("[plot]\nwidth = 0.5\n", {"plot.width", "0.5", "inches"});
  expect_plot_error("[plot]\nformat = \"jpg\"\n", {"plot.format", "jpg", "svg"});
  expect_plot_error("[plot]\nformat = [\"png\", \"png\"]\n", {"plot.format", "twice"});
  expect_plot_error("[plot]\nformat = []\n", {"plot.format", "at least one"});
  expect_plot_error("[plot]\nstretch = \"cubic\"\n", {"plot.stretch", "cubic", "asinh"});
  expect_plot_error("[plot]\nparameters = \"separation\"\n", {"plot.parameters", "array"});
  expect_plot_error("[plot]\nparameters = [1, 2]\n", {"plot.parameters", "strings"});
  expect_plot_error("[plot]\ndpi = 0\n", {"plot.dpi"});
  expect_plot_error("[plot]\nwidht = 3.5\n", {"widht", "did you mean 'width'"});
}

}  // namespace
}  // namespace airy::config
