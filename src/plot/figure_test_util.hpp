// SPDX-License-Identifier: BSD-3-Clause
// Figure checks shared by the plot and pipeline tests (no Cairo needed): PNG/PDF/SVG file
// validity, the flagship-like synthetic run and its displays, and the check that no two
// drawn texts overlap.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "airy/infer/draws.hpp"
#include "airy/plot/corner.hpp"
#include "airy/plot/labels.hpp"
#include "geometry.hpp"

namespace airy::plot::testing {

inline std::string head(const std::string& path, std::size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

/// Width in pixels of a PNG, from its IHDR chunk (after checking the signature).
inline int png_width(const std::string& path) {
  const std::string h = head(path, 24);
  EXPECT_EQ(h.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << path;
  if (h.size() < 24 || h.substr(12, 4) != "IHDR") return 0;
  int w = 0;
  for (int i = 16; i < 20; ++i) w = (w << 8) | static_cast<unsigned char>(h[i]);
  return w;
}

inline void expect_pdf(const std::string& path) {
  EXPECT_EQ(head(path, 5), "%PDF-") << path;
  EXPECT_GT(std::filesystem::file_size(path), 2000u) << path;
  std::ifstream in(path, std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find("%%EOF", all.size() > 64 ? all.size() - 64 : 0), std::string::npos)
      << path << ": no %%EOF trailer";
}

/// Checks that `path` is an SVG document Python's XML parser reads, whose root is <svg> with
/// a width in points (the XML check is skipped when /usr/bin/python3 is missing).
inline void expect_svg(const std::string& path, double width_pt) {
  std::ifstream in(path, std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(all.rfind("<?xml", 0), 0u) << path;
  EXPECT_NE(all.find("<svg"), std::string::npos) << path;
  EXPECT_NE(all.find("</svg>"), std::string::npos) << path;
  if (std::system("/usr/bin/python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1") != 0) {
    return;
  }
  const std::string cmd = fmt::format(
      "/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1])"
      ".getroot(); w = r.get('width', ''); sys.exit(0 if r.tag.endswith('svg') and "
      "w.endswith('pt') and abs(float(w[:-2]) - {}) < 0.5 else 1)\" '{}'",
      width_pt, path);
  EXPECT_EQ(std::system(cmd.c_str()), 0) << path << " is not an SVG " << width_pt << " pt wide";
}

/// The flagship's output names, units and (true) values: 6 binary-star parameters and 7
/// Zernike coefficients in nm (Noll 4..10), in sampling order.
struct FlagshipParameter {
  const char* name;
  const char* unit;
  double mean, sd;
};
inline const std::vector<FlagshipParameter>& flagship_parameters() {
  static const std::vector<FlagshipParameter> p = {
      {"x_position", "arcsec", -0.0009, 0.004},    {"y_position", "arcsec", -0.0007, 0.0036},
      {"separation", "arcsec", 0.1048, 0.0055},    {"position_angle", "deg", 92.5, 3.1},
      {"log_flux", "log10 photons", 3.510, 0.011}, {"contrast", "1", 3.25, 0.39},
      {"coefficients[1]", "nm", 2.6, 10.6},        {"coefficients[2]", "nm", -5.0, 8.2},
      {"coefficients[3]", "nm", -0.2, 16.6},       {"coefficients[4]", "nm", 1.1, 3.9},
      {"coefficients[5]", "nm", 3.4, 4.1},         {"coefficients[6]", "nm", 16.3, 4.2},
      {"coefficients[7]", "nm", -13.5, 4.0}};
  return p;
}

/// Correlated Gaussian draws of the first `n` flagship parameters: `chains` chains of
/// `draws` post-warmup draws (after 50 saved warmup draws), a few divergences.
inline infer::Run flagship_run(int n, int draws = 1000, int chains = 4, unsigned seed = 11) {
  const auto& fp = flagship_parameters();
  infer::Run run;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> n01;
  for (int c = 0; c < chains; ++c) {
    infer::Chain ch;
    ch.id = c + 1;
    for (int j = 0; j < n; ++j) ch.names.push_back(fp[static_cast<std::size_t>(j)].name);
    ch.num_warmup_saved = 50;
    ch.draws.resize(draws + 50, n);
    for (int i = 0; i < draws + 50; ++i) {
      const double common = n01(rng);
      for (int j = 0; j < n; ++j) {
        const double rho = (j == 0 || j == 2) ? -0.8 : (j >= 6 ? 0.3 : 0.0);
        const double z = rho * common + std::sqrt(1 - rho * rho) * n01(rng);
        const auto& p = fp[static_cast<std::size_t>(j)];
        ch.draws(i, j) = p.mean + p.sd * (i < 50 ? 5.0 * z : z);
      }
      ch.stats.push_back({-10.0, 0.9, 0.3, 3, 7, i > 50 && (i * (c + 3)) % 397 == 0, 12.0});
    }
    run.chains.push_back(std::move(ch));
  }
  return run;
}

/// The displays of the first `n` flagship parameters as airy's pipeline makes them:
/// readable labels from name and unit, Zernike modes by Noll index, truths at the means.
inline std::vector<ParameterDisplay> flagship_displays(int n) {
  std::vector<ParameterDisplay> d;
  for (int j = 0; j < n; ++j) {
    const auto& p = flagship_parameters()[static_cast<std::size_t>(j)];
    const ReadableLabel r = readable_label(p.name, p.unit, {4, 5, 6, 7, 8, 9, 10});
    d.push_back({p.name, r.label, r.scale, r.unit, p.mean + 0.3 * p.sd, r.short_label});
  }
  return d;
}

/// Least clearance between any two texts of a figure (points): touching texts read as one.
inline constexpr double kMinTextGap = 1.0;

/// What is wrong with a figure's text layout: texts whose ink boxes come closer than
/// kMinTextGap, texts that
/// leave the canvas, texts crossing an axes frame (or lying inside one unless
/// `inside_frames_ok`: cell values of a matrix), and texts smaller than `min_size` points.
inline std::vector<std::string> layout_problems(const detail::DrawLog& log,
                                                bool inside_frames_ok = false,
                                                double min_size = 7.0) {
  std::vector<std::string> out;
  const auto& t = log.texts;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const auto b = detail::bounds(t[i].box);
    if (t[i].size < min_size - 1e-9) {
      out.push_back(fmt::format("'{}' is {:.2f} pt < {} pt", t[i].text, t[i].size, min_size));
    }
    if (b[0] < -0.01 || b[1] < -0.01 || b[2] > log.width + 0.01 || b[3] > log.height + 0.01) {
      out.push_back(
          fmt::format("'{}' leaves the {:.0f} x {:.0f} pt canvas: [{:.1f}, {:.1f}] x "
                      "[{:.1f}, {:.1f}]",
                      t[i].text, log.width, log.height, b[0], b[2], b[1], b[3]));
    }
    for (std::size_t j = i + 1; j < t.size(); ++j) {
      // Touching texts read as one ("Z₉ [nm]Z₁₀ [nm]"): demand a visible gap.
      if (detail::overlaps(t[i].box, t[j].box, kMinTextGap)) {
        out.push_back(
            fmt::format("'{}' is closer than {} pt to '{}'", t[i].text, kMinTextGap, t[j].text));
      }
    }
    for (const detail::Quad& f : log.frames) {
      if (!detail::overlaps(t[i].box, f)) continue;
      const auto fb = detail::bounds(f);
      const bool inside = b[0] >= fb[0] && b[2] <= fb[2] && b[1] >= fb[1] && b[3] <= fb[3];
      if (!inside || !inside_frames_ok) {
        out.push_back(
            fmt::format("'{}' lies on an axes frame at ({:.1f}, {:.1f})", t[i].text, fb[0], fb[1]));
      }
    }
  }
  return out;
}

/// Records everything canvases draw while alive.
struct RecordDrawing {
  detail::DrawLog log;
  RecordDrawing() { detail::set_draw_log(&log); }
  ~RecordDrawing() { detail::set_draw_log(nullptr); }
  RecordDrawing(const RecordDrawing&) = delete;
  RecordDrawing& operator=(const RecordDrawing&) = delete;
};

}  // namespace airy::plot::testing
