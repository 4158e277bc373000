// SPDX-License-Identifier: BSD-3-Clause
// Private drawing helpers over Cairo: a PNG/PDF canvas, data axes, ticks and colour bars.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <string>
#include <vector>

#include "airy/plot/colormap.hpp"
#include "airy/plot/figure.hpp"

namespace airy::plot::detail {

/// A figure surface in points; PNG or PDF chosen by the extension of `path`.
class Canvas {
 public:
  Canvas(const std::string& path, double width, double height, const FigureOptions& options);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  /// Writes the file atomically (temporary name, rename); throws airy::Error naming the path
  /// on failure, leaving nothing under it.
  void finish();

  [[nodiscard]] cairo_t* cr() const { return cr_; }
  [[nodiscard]] const FigureOptions& options() const { return options_; }
  [[nodiscard]] double width() const { return width_; }
  [[nodiscard]] double height() const { return height_; }

  void color(Rgb c, double alpha = 1.0) const;
  void line(double x0, double y0, double x1, double y1, Rgb c, double width,
            double dash = 0.0) const;
  /// Text anchored at (x, y): ha 0 left / 0.5 centre / 1 right; va 0 top / 0.5 middle /
  /// 1 bottom (of the font's ascent box), rotated by `angle` degrees anticlockwise.
  void text(double x, double y, const std::string& s, double size, double ha, double va,
            double angle = 0.0, bool bold = false, Rgb c = {0, 0, 0}) const;
  [[nodiscard]] double text_width(const std::string& s, double size, bool bold = false) const;
  /// `size`, reduced (down to min_scale·size) until `s` fits in `max_width`.
  [[nodiscard]] double fit_size(const std::string& s, double size, double max_width,
                                double min_scale = 0.65) const;
  /// "×10^e" offset text with a raised exponent, right-aligned at (x, y) (bottom).
  void power_of_ten(double x, double y, int exponent, double size, double ha = 1.0) const;

 private:
  std::string path_;
  bool png_ = true;
  double width_, height_;
  FigureOptions options_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  bool finished_ = false;
  std::string bytes_;  ///< the encoded PNG/PDF, written to path_ atomically by finish()
};

/// A rectangle on the canvas (top-left x, y, width, height; y grows downwards) showing data
/// limits [x0, x1] x [y0, y1] with y upwards.
struct Axes {
  double x = 0, y = 0, w = 1, h = 1;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  [[nodiscard]] double px(double v) const { return x + (v - x0) / (x1 - x0) * w; }
  [[nodiscard]] double py(double v) const { return y + h - (v - y0) / (y1 - y0) * h; }
  void clip(cairo_t* cr) const;
};

/// Which side of an axes box ticks go on.
enum class Side { kBottom, kLeft, kRight, kTop };

/// Draws tick marks (inward-free, outward length 3 pt) on `side`, with labels when `labels`,
/// rotated by `rotate` degrees (45 gives corner.py's slanted labels). Returns the extent of
/// the labels away from the axis (points), so axis labels can be placed beyond them.
/// When `exponent` is given, a power-of-ten offset of the labels is stored there (for the
/// caller's axis label) instead of being drawn at the end of the axis.
double draw_ticks(const Canvas& c, const Axes& a, Side side, const std::vector<double>& ticks,
                  bool labels, double rotate = 0.0, int* exponent = nullptr);

/// "×10⁻⁸" with Unicode superscripts, for axis labels.
std::string power_of_ten_text(int exponent);

/// The axes frame (0.8 pt black).
void draw_frame(const Canvas& c, const Axes& a);

/// Packs a colour as Cairo's premultiplied ARGB32 pixel.
std::uint32_t argb(Rgb c, double alpha = 1.0);

/// Draws `pixels` (ARGB32 from argb(), row 0 = top, nx x ny) into `a`'s box, with
/// nearest-neighbour sampling (`smooth`: bilinear).
void draw_pixels(const Canvas& c, const Axes& a, const std::vector<std::uint32_t>& pixels, int nx,
                 int ny, bool smooth = false);

/// Data limits padded so that nice ticks fit: [lo, hi] widened by `pad` of the span; a
/// degenerate span becomes ±1 (or ±10%) around the value.
void padded_limits(double& lo, double& hi, double pad);

}  // namespace airy::plot::detail
