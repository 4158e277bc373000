// SPDX-License-Identifier: BSD-3-Clause
// Private drawing helpers over Cairo: a PNG/PDF/SVG canvas, data axes, ticks and colour bars.
#pragma once

#include <cairo.h>

#include <cstdint>
#include <string>
#include <vector>

#include "airy/plot/colormap.hpp"
#include "airy/plot/figure.hpp"
#include "geometry.hpp"

namespace airy::plot::detail {

/// A figure surface in points; PNG, PDF or SVG chosen by the extension of `path`.
class Canvas {
 public:
  /// @throws InvalidArgument when the extension is not .png, .pdf or .svg or the dpi is
  ///   outside (0, 1200].
  Canvas(const std::string& path, double width, double height, const FigureOptions& options);
  /// A canvas that only measures text (1 x 1 pixel, never written, records nothing).
  explicit Canvas(const FigureOptions& options);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  /// Writes the file (PNG, PDF or SVG) atomically: temporary name, rename; throws
  /// airy::Error naming the path on failure, leaving nothing under it. A measuring canvas
  /// cannot be saved.
  void save();
  /// Finishes the surface and writes the file (save() calls it).
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
  /// The ink box of text() with the same arguments (Cairo's measured glyph extents).
  [[nodiscard]] Quad text_quad(double x, double y, const std::string& s, double size, double ha,
                               double va, double angle = 0.0, bool bold = false) const;
  /// Tick-label size (FigureOptions::font_size) and axis-label/title size (1.1x).
  [[nodiscard]] double tick_size() const { return options_.font_size; }
  [[nodiscard]] double label_size() const { return 1.1 * options_.font_size; }
  /// Splits `s` at spaces into lines no wider than `max_width` (a longer word stays whole).
  [[nodiscard]] std::vector<std::string> wrap(const std::string& s, double size,
                                              double max_width) const;
  /// "×10⁻⁸" offset text (Unicode superscripts), aligned by `ha` at (x, y) (bottom).
  void power_of_ten(double x, double y, int exponent, double size, double ha = 1.0) const;

 private:
  /// Baseline origin of text() relative to its anchor, in the rotated frame.
  void text_origin(const std::string& s, double size, double ha, double va, bool bold, double& dx,
                   double& dy, cairo_text_extents_t& te) const;

  std::string path_;
  bool png_ = true;
  bool svg_ = false;
  bool measure_only_ = false;
  double width_, height_;
  FigureOptions options_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  bool finished_ = false;
  std::string bytes_;  ///< the encoded PNG/PDF/SVG, written to path_ atomically by finish()
};

/// A text to draw: anchor, alignment and rotation as Canvas::text takes them.
struct TextSpec {
  double x = 0.0, y = 0.0;
  std::string text;
  double size = 0.0, ha = 0.5, va = 0.5, angle = 0.0;
  bool bold = false;

  [[nodiscard]] Quad box(const Canvas& c) const {
    return c.text_quad(x, y, text, size, ha, va, angle, bold);
  }
  void draw(const Canvas& c) const { c.text(x, y, text, size, ha, va, angle, bold); }
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

/// One tick label as draw_ticks places it: anchor, alignment and measured ink box.
struct TickLabel {
  double value = 0.0;
  std::string text;
  double x = 0.0, y = 0.0, ha = 0.5, va = 0.0, angle = 0.0;
  Quad box;
};

/// The labels of `ticks` (those inside the axis) on `side` of `a`, rotated by `angle`
/// degrees (bottom side only: 45 gives corner.py's slanted labels, anchored so that each
/// label ends at its tick). `exponent`: the power of ten divided out of the values
/// (tick_labels' rule when `forced_exponent` is null).
std::vector<TickLabel> place_tick_labels(const Canvas& c, const Axes& a, Side side,
                                         const std::vector<double>& ticks, double angle,
                                         int& exponent, const int* forced_exponent = nullptr);

/// The largest set of "nice" ticks of [lo, hi] (at most `max_ticks`; a set without an end
/// tick or every other tick before a coarser set; down to one tick near the centre) whose
/// labels, placed by place_tick_labels, stay `pad` points clear of each other and of `taken`. Ticks
/// closer than `margin` (fraction of the span) to either end are left out when others remain. Empty
/// when not even one label fits.
std::vector<double> fitting_ticks(const Canvas& c, const Axes& a, Side side, double lo, double hi,
                                  int max_ticks, double angle, const std::vector<Quad>& taken,
                                  double pad, double margin = 0.05);

/// Draws tick marks (outward, length 3 pt) on `side`, with labels when `labels`,
/// rotated by `rotate` degrees (45 gives corner.py's slanted labels). Returns the extent of
/// the labels away from the axis (points), so axis labels can be placed beyond them.
/// When `exponent` is given, a power-of-ten offset of the labels is stored there (for the
/// caller's axis label) instead of being drawn at the end of the axis.
double draw_ticks(const Canvas& c, const Axes& a, Side side, const std::vector<double>& ticks,
                  bool labels, double rotate = 0.0, int* exponent = nullptr);

/// "label [unit]", or just the label when the unit is empty or "1" (dimensionless).
std::string with_unit(const std::string& label, const std::string& unit);

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
