// SPDX-License-Identifier: BSD-3-Clause
// Shared helpers of the plot tests: temporary paths and checks that a figure is not blank
// (Cairo), plus figure_test_util.hpp's file, run and layout checks.
#pragma once

#include <cairo.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <string>

#include "figure_test_util.hpp"

namespace airy::plot::testing {

/// A file in this process's scratch folder ($AIRY_PLOT_DIR when set, to keep the figures).
inline std::string out_path(const std::string& name) {
  const char* keep = std::getenv("AIRY_PLOT_DIR");
  std::filesystem::path dir = keep != nullptr ? std::filesystem::path(keep)
                                              : std::filesystem::temp_directory_path() /
                                                    ("airy_plot_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  if (keep == nullptr) {
    static const struct Cleanup {  // removes the scratch folder when the test program exits
      std::filesystem::path dir;
      ~Cleanup() {
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
      }
    } cleanup{dir};
  }
  return (dir / name).string();
}

/// Statistics of a PNG re-read with Cairo.
struct PngStats {
  int width = 0, height = 0;
  std::size_t distinct_colors = 0;
  double gray_variance = 0.0;
  double non_white_fraction = 0.0;
};

inline PngStats png_stats(const std::string& path) {
  PngStats st;
  EXPECT_EQ(head(path, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  EXPECT_EQ(cairo_surface_status(s), CAIRO_STATUS_SUCCESS) << path;
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) return st;
  st.width = cairo_image_surface_get_width(s);
  st.height = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* d = cairo_image_surface_get_data(s);
  std::set<std::uint32_t> colors;
  double sum = 0.0, sum2 = 0.0;
  std::size_t non_white = 0;
  for (int y = 0; y < st.height; ++y) {
    const auto* row =
        reinterpret_cast<const std::uint32_t*>(d + static_cast<std::ptrdiff_t>(y) * stride);
    for (int x = 0; x < st.width; ++x) {
      const std::uint32_t p = row[x];
      colors.insert(p & 0xffffffu);
      const double g = ((p >> 16) & 255) + ((p >> 8) & 255) + (p & 255);
      sum += g;
      sum2 += g * g;
      if ((p & 0xffffffu) != 0xffffffu) ++non_white;
    }
  }
  const double n = static_cast<double>(st.width) * st.height;
  st.distinct_colors = colors.size();
  st.gray_variance = sum2 / n - (sum / n) * (sum / n);
  st.non_white_fraction = static_cast<double>(non_white) / n;
  cairo_surface_destroy(s);
  return st;
}

}  // namespace airy::plot::testing
