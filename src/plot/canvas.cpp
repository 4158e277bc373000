// SPDX-License-Identifier: BSD-3-Clause
#include "canvas.hpp"

#include <cairo-pdf.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"

namespace airy::plot::detail {

namespace {

/// Cairo's write callback: appends to the std::string in `closure`.
cairo_status_t append_bytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

bool ends_with_ci(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

}  // namespace

Canvas::Canvas(const std::string& path, double width, double height, const FigureOptions& options)
    : path_(path), width_(width), height_(height), options_(options) {
  if (ends_with_ci(path, ".png")) {
    png_ = true;
  } else if (ends_with_ci(path, ".pdf")) {
    png_ = false;
  } else {
    throw InvalidArgument(fmt::format("{}: plot file name must end in .png or .pdf", path));
  }
  if (!(options.dpi > 0.0) || options.dpi > 1200.0) {
    throw InvalidArgument(fmt::format("{}: dpi = {} must be in (0, 1200]", path, options.dpi));
  }
  const double s = options.dpi / 72.0;
  if (png_) {
    surface_ =
        cairo_image_surface_create(CAIRO_FORMAT_ARGB32, static_cast<int>(std::ceil(width * s)),
                                   static_cast<int>(std::ceil(height * s)));
  } else {
    // The PDF is collected in memory and written atomically by finish(): a failed or
    // interrupted figure never leaves a partial file under `path`.
    surface_ = cairo_pdf_surface_create_for_stream(append_bytes, &bytes_, width, height);
  }
  if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(surface_));
    cairo_surface_destroy(surface_);
    throw Error(fmt::format("{}: cannot create plot surface: {}", path, why));
  }
  cr_ = cairo_create(surface_);
  if (png_) cairo_scale(cr_, s, s);
  cairo_set_source_rgb(cr_, 1, 1, 1);
  cairo_paint(cr_);
  cairo_select_font_face(cr_, options.font.c_str(), CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_line_cap(cr_, CAIRO_LINE_CAP_BUTT);
  cairo_set_line_join(cr_, CAIRO_LINE_JOIN_ROUND);
}

Canvas::~Canvas() {
  if (cr_ != nullptr) cairo_destroy(cr_);
  if (surface_ != nullptr) cairo_surface_destroy(surface_);
}

void Canvas::finish() {
  if (finished_) return;
  finished_ = true;
  cairo_status_t st = cairo_status(cr_);
  if (st == CAIRO_STATUS_SUCCESS) {
    if (png_) {
      cairo_surface_flush(surface_);
      st = cairo_surface_write_to_png_stream(surface_, append_bytes, &bytes_);
    } else {
      cairo_show_page(cr_);
      cairo_surface_finish(surface_);
      st = cairo_surface_status(surface_);
    }
  }
  if (st != CAIRO_STATUS_SUCCESS) {
    throw Error(fmt::format("{}: cannot write plot: {}", path_, cairo_status_to_string(st)));
  }
  write_file_atomically(path_, bytes_);  // throws naming path_ (e.g. a full disk)
  bytes_.clear();
}

void Canvas::color(Rgb c, double alpha) const { cairo_set_source_rgba(cr_, c.r, c.g, c.b, alpha); }

void Canvas::line(double x0, double y0, double x1, double y1, Rgb c, double width,
                  double dash) const {
  cairo_save(cr_);
  color(c);
  cairo_set_line_width(cr_, width);
  if (dash > 0.0) {
    const double d[2] = {dash, dash};
    cairo_set_dash(cr_, d, 2, 0.0);
  }
  cairo_move_to(cr_, x0, y0);
  cairo_line_to(cr_, x1, y1);
  cairo_stroke(cr_);
  cairo_restore(cr_);
}

void Canvas::text(double x, double y, const std::string& s, double size, double ha, double va,
                  double angle, bool bold, Rgb c) const {
  if (s.empty()) return;
  cairo_save(cr_);
  cairo_select_font_face(cr_, options_.font.c_str(), CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
  cairo_text_extents_t te;
  cairo_text_extents(cr_, s.c_str(), &te);
  cairo_font_extents_t fe;
  cairo_font_extents(cr_, &fe);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, -angle * M_PI / 180.0);
  // Vertical anchor on the cap height (~0.72 em) so that digits centre nicely.
  const double cap = 0.72 * size;
  const double dx = -ha * te.x_advance;
  const double dy = -va * cap + cap;
  color(c);
  cairo_move_to(cr_, dx, dy);
  cairo_show_text(cr_, s.c_str());
  cairo_restore(cr_);
}

double Canvas::text_width(const std::string& s, double size, bool bold) const {
  cairo_save(cr_);
  cairo_select_font_face(cr_, options_.font.c_str(), CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
  cairo_text_extents_t te;
  cairo_text_extents(cr_, s.c_str(), &te);
  cairo_restore(cr_);
  return te.x_advance;
}

void Canvas::power_of_ten(double x, double y, int exponent, double size, double ha) const {
  const std::string base = "×10";
  const std::string exp = exponent < 0 ? "−" + std::to_string(-exponent) : std::to_string(exponent);
  const double wb = text_width(base, size);
  const double we = text_width(exp, 0.75 * size);
  const double left = x - ha * (wb + we);
  text(left, y, base, size, 0.0, 1.0);
  text(left + wb, y - 0.45 * size, exp, 0.75 * size, 0.0, 1.0);
}

void Axes::clip(cairo_t* cr) const {
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
}

double Canvas::fit_size(const std::string& s, double size, double max_width,
                        double min_scale) const {
  const double w = text_width(s, size);
  if (w <= max_width || w <= 0.0) return size;
  return std::max(min_scale * size, size * max_width / w);
}

std::string power_of_ten_text(int exponent) {
  static const char* const kSup[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string digits = std::to_string(std::abs(exponent));
  std::string out = exponent < 0 ? "×10⁻" : "×10";
  for (char d : digits) out += kSup[d - '0'];
  return out;
}

double draw_ticks(const Canvas& c, const Axes& a, Side side, const std::vector<double>& ticks,
                  bool labels, double rotate, int* exponent_out) {
  const double len = 3.0;
  const double fs = c.options().font_size;
  int exponent = 0;
  const std::vector<std::string> text = tick_labels(ticks, exponent);
  double extent = len;
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const double t = ticks[i];
    double x0, y0, x1, y1;
    if (side == Side::kBottom || side == Side::kTop) {
      x0 = x1 = a.px(t);
      if (x0 < a.x - 0.01 || x0 > a.x + a.w + 0.01) continue;
      y0 = side == Side::kBottom ? a.y + a.h : a.y;
      y1 = side == Side::kBottom ? y0 + len : y0 - len;
    } else {
      y0 = y1 = a.py(t);
      if (y0 < a.y - 0.01 || y0 > a.y + a.h + 0.01) continue;
      x0 = side == Side::kLeft ? a.x : a.x + a.w;
      x1 = side == Side::kLeft ? x0 - len : x0 + len;
    }
    c.line(x0, y0, x1, y1, {0, 0, 0}, 0.6);
    if (!labels) continue;
    const double gap = 1.5;
    const double w = c.text_width(text[i], fs);
    if (side == Side::kBottom) {
      if (rotate != 0.0) {
        c.text(x1 + 0.25 * fs, y1 + gap, text[i], fs, 1.0, 0.0, rotate);
        extent = std::max(extent, len + gap + w * std::sin(rotate * M_PI / 180) + fs);
      } else {
        c.text(x1, y1 + gap, text[i], fs, 0.5, 0.0);
        extent = std::max(extent, len + gap + fs);
      }
    } else if (side == Side::kLeft) {
      if (rotate != 0.0) {
        c.text(x1 - gap, y1 - 0.25 * fs, text[i], fs, 1.0, 1.0, rotate);
        extent = std::max(extent, len + gap + w * std::cos(rotate * M_PI / 180) + fs);
      } else {
        c.text(x1 - gap, y1, text[i], fs, 1.0, 0.5);
        extent = std::max(extent, len + gap + w);
      }
    } else if (side == Side::kRight) {
      c.text(x1 + gap, y1, text[i], fs, 0.0, 0.5);
      extent = std::max(extent, len + gap + w);
    } else {
      c.text(x1, y1 - gap, text[i], fs, 0.5, 1.0);
      extent = std::max(extent, len + gap + fs);
    }
  }
  if (exponent_out != nullptr) {
    *exponent_out = labels ? exponent : 0;
  } else if (labels && exponent != 0) {
    if (side == Side::kBottom) {
      c.power_of_ten(a.x + a.w, a.y + a.h + extent + 0.9 * fs, exponent, fs * 0.9);
    } else if (side == Side::kLeft) {
      c.power_of_ten(a.x, a.y - 2.0, exponent, fs * 0.9, 0.0);
    } else {
      c.power_of_ten(a.x + a.w, a.y - 2.0, exponent, fs * 0.9, 0.0);
    }
  }
  return extent;
}

void draw_frame(const Canvas& c, const Axes& a) {
  cairo_t* cr = c.cr();
  cairo_save(cr);
  c.color({0, 0, 0});
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, a.x, a.y, a.w, a.h);
  cairo_stroke(cr);
  cairo_restore(cr);
}

std::uint32_t argb(Rgb c, double alpha) {
  auto byte = [](double v) {
    return static_cast<std::uint32_t>(std::lround(std::clamp(v, 0.0, 1.0) * 255.0));
  };
  const double a = std::clamp(alpha, 0.0, 1.0);
  return (byte(a) << 24) | (byte(c.r * a) << 16) | (byte(c.g * a) << 8) | byte(c.b * a);
}

void draw_pixels(const Canvas& c, const Axes& a, const std::vector<std::uint32_t>& pixels, int nx,
                 int ny, bool smooth) {
  cairo_t* cr = c.cr();
  const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, nx);
  std::vector<unsigned char> buf(static_cast<std::size_t>(stride) * ny);
  for (int y = 0; y < ny; ++y) {
    std::memcpy(buf.data() + static_cast<std::ptrdiff_t>(stride) * y,
                pixels.data() + static_cast<std::ptrdiff_t>(nx) * y, 4 * static_cast<size_t>(nx));
  }
  cairo_surface_t* img =
      cairo_image_surface_create_for_data(buf.data(), CAIRO_FORMAT_ARGB32, nx, ny, stride);
  cairo_save(cr);
  a.clip(cr);
  cairo_translate(cr, a.x, a.y);
  cairo_scale(cr, a.w / nx, a.h / ny);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr),
                           smooth ? CAIRO_FILTER_BILINEAR : CAIRO_FILTER_NEAREST);
  cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
}

void padded_limits(double& lo, double& hi, double pad) {
  if (!(hi > lo)) {
    const double d = lo == 0.0 ? 1.0 : 0.1 * std::abs(lo);
    lo -= d;
    hi += d;
    return;
  }
  const double span = hi - lo;
  lo -= pad * span;
  hi += pad * span;
}

}  // namespace airy::plot::detail
