// SPDX-License-Identifier: BSD-3-Clause
#include "canvas.hpp"

#include <cairo-pdf.h>
#include <cairo-svg.h>
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

/// Text metrics that scale exactly with the font size at any resolution, so that layouts
/// measured on the measuring canvas hold on a PNG of any dpi, a PDF and an SVG.
void unhinted_metrics(cairo_t* cr) {
  cairo_font_options_t* fo = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_set_font_options(cr, fo);
  cairo_font_options_destroy(fo);
}

/// Rotates (x, y) by `angle` degrees anticlockwise on the page (y downwards) about the origin
/// and adds (ox, oy): the map cairo_translate(ox, oy) + cairo_rotate(-angle) applies.
Point rotated(double ox, double oy, double x, double y, double angle) {
  const double a = -angle * M_PI / 180.0, c = std::cos(a), s = std::sin(a);
  return {ox + c * x - s * y, oy + s * x + c * y};
}

}  // namespace

Canvas::Canvas(const std::string& path, double width, double height, const FigureOptions& options)
    : path_(path), width_(width), height_(height), options_(options) {
  if (ends_with_ci(path, ".png")) {
    png_ = true;
  } else if (ends_with_ci(path, ".pdf")) {
    png_ = false;
  } else if (ends_with_ci(path, ".svg")) {
    png_ = false;
    svg_ = true;
  } else {
    throw InvalidArgument(fmt::format("{}: plot file name must end in .png, .pdf or .svg", path));
  }
  if (!(options.dpi > 0.0) || options.dpi > 1200.0) {
    throw InvalidArgument(fmt::format("{}: dpi = {} must be in (0, 1200]", path, options.dpi));
  }
  const double s = options.dpi / 72.0;
  if (png_) {
    // Opaque RGB (the figure is painted white first): PNGs without an alpha channel.
    surface_ =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::ceil(width * s)),
                                   static_cast<int>(std::ceil(height * s)));
  } else if (svg_) {
    // PDF and SVG are collected in memory and written atomically by finish(): a failed or
    // interrupted figure never leaves a partial file under `path`.
    surface_ = cairo_svg_surface_create_for_stream(append_bytes, &bytes_, width, height);
    cairo_svg_surface_set_document_unit(surface_, CAIRO_SVG_UNIT_PT);
  } else {
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
  unhinted_metrics(cr_);
  if (DrawLog* log = draw_log()) *log = DrawLog{width, height, {}, {}};
}

Canvas::Canvas(const FigureOptions& options)
    : path_("<measuring canvas>"), width_(1.0), height_(1.0), options_(options) {
  measure_only_ = true;
  finished_ = true;
  surface_ = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
  cr_ = cairo_create(surface_);
  if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS) {
    throw Error(fmt::format("cannot create a Cairo context to measure text: {}",
                            cairo_status_to_string(cairo_status(cr_))));
  }
  unhinted_metrics(cr_);
}

Canvas::~Canvas() {
  if (cr_ != nullptr) cairo_destroy(cr_);
  if (surface_ != nullptr) cairo_surface_destroy(surface_);
}

void Canvas::save() {
  if (measure_only_) throw Error("a measuring canvas cannot be saved");
  finish();
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

void Canvas::text_origin(const std::string& s, double size, double ha, double va, bool bold,
                         double& dx, double& dy, cairo_text_extents_t& te) const {
  cairo_save(cr_);
  cairo_select_font_face(cr_, options_.font.c_str(), CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
  cairo_text_extents(cr_, s.c_str(), &te);
  cairo_restore(cr_);
  // Vertical anchor on the cap height (~0.72 em) so that digits centre nicely.
  const double cap = 0.72 * size;
  dx = -ha * te.x_advance;
  dy = -va * cap + cap;
}

void Canvas::text(double x, double y, const std::string& s, double size, double ha, double va,
                  double angle, bool bold, Rgb c) const {
  if (s.empty()) return;
  double dx = 0.0, dy = 0.0;
  cairo_text_extents_t te;
  text_origin(s, size, ha, va, bold, dx, dy, te);
  cairo_save(cr_);
  cairo_select_font_face(cr_, options_.font.c_str(), CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr_, size);
  cairo_translate(cr_, x, y);
  cairo_rotate(cr_, -angle * M_PI / 180.0);
  color(c);
  cairo_move_to(cr_, dx, dy);
  cairo_show_text(cr_, s.c_str());
  cairo_restore(cr_);
  if (DrawLog* log = draw_log(); log != nullptr && !measure_only_) {
    log->texts.push_back({s, size, text_quad(x, y, s, size, ha, va, angle, bold)});
  }
}

Quad Canvas::text_quad(double x, double y, const std::string& s, double size, double ha, double va,
                       double angle, bool bold) const {
  double dx = 0.0, dy = 0.0;
  cairo_text_extents_t te;
  text_origin(s, size, ha, va, bold, dx, dy, te);
  const double x0 = dx + te.x_bearing, y0 = dy + te.y_bearing;
  const double x1 = x0 + te.width, y1 = y0 + te.height;
  return Quad{{rotated(x, y, x0, y0, angle), rotated(x, y, x1, y0, angle),
               rotated(x, y, x1, y1, angle), rotated(x, y, x0, y1, angle)}};
}

std::vector<std::string> Canvas::wrap(const std::string& s, double size, double max_width) const {
  std::vector<std::string> lines;
  std::string line, word;
  auto flush_word = [&] {
    if (word.empty()) return;
    const std::string joined = line.empty() ? word : line + " " + word;
    if (!line.empty() && text_width(joined, size) > max_width) {
      lines.push_back(line);
      line = word;
    } else {
      line = joined;
    }
    word.clear();
  };
  for (char ch : s) {
    if (ch == ' ') {
      flush_word();
    } else {
      word += ch;
    }
  }
  flush_word();
  if (!line.empty()) lines.push_back(line);
  return lines;
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
  text(x, y, power_of_ten_text(exponent), size, ha, 1.0);
}

void Axes::clip(cairo_t* cr) const {
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
}

std::string power_of_ten_text(int exponent) {
  static const char* const kSup[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string digits = std::to_string(std::abs(exponent));
  std::string out = exponent < 0 ? "×10⁻" : "×10";
  for (char d : digits) out += kSup[d - '0'];
  return out;
}

namespace {

/// Where a tick on `side` of `a` ends (the outer end of its 3 pt mark); false when the tick
/// lies outside the axis.
bool tick_end(const Axes& a, Side side, double t, double& x, double& y) {
  constexpr double kLen = 3.0;
  if (side == Side::kBottom || side == Side::kTop) {
    x = a.px(t);
    y = side == Side::kBottom ? a.y + a.h + kLen : a.y - kLen;
    return x >= a.x - 0.01 && x <= a.x + a.w + 0.01;
  }
  y = a.py(t);
  x = side == Side::kLeft ? a.x - kLen : a.x + a.w + kLen;
  return y >= a.y - 0.01 && y <= a.y + a.h + 0.01;
}

}  // namespace

std::vector<TickLabel> place_tick_labels(const Canvas& c, const Axes& a, Side side,
                                         const std::vector<double>& ticks, double angle,
                                         int& exponent, const int* forced_exponent) {
  const double fs = c.tick_size(), gap = 1.5;
  std::vector<double> inside;
  for (double t : ticks) {
    double x = 0.0, y = 0.0;
    if (tick_end(a, side, t, x, y)) inside.push_back(t);
  }
  std::vector<std::string> text = tick_labels(inside, exponent);
  if (forced_exponent != nullptr) {
    exponent = *forced_exponent;
    text = tick_labels_scaled(inside, exponent);
  }
  std::vector<TickLabel> out;
  for (std::size_t i = 0; i < inside.size(); ++i) {
    TickLabel l;
    l.value = inside[i];
    l.text = text[i];
    double x = 0.0, y = 0.0;
    tick_end(a, side, l.value, x, y);
    if (side == Side::kBottom && angle != 0.0) {
      // Anchored at its top-right corner so that the middle of the label's right end lies
      // under the tick: the half cap height, rotated, shifts that point by 0.36 cap.
      const double shift = 0.5 * 0.72 * fs * std::sin(angle * M_PI / 180.0);
      l.x = x - shift, l.y = y + gap, l.ha = 1.0, l.va = 0.0, l.angle = angle;
    } else if (side == Side::kBottom) {
      l.x = x, l.y = y + gap, l.ha = 0.5, l.va = 0.0;
    } else if (side == Side::kTop) {
      l.x = x, l.y = y - gap, l.ha = 0.5, l.va = 1.0;
    } else if (side == Side::kLeft) {
      l.x = x - gap, l.y = y, l.ha = 1.0, l.va = 0.5;
    } else {
      l.x = x + gap, l.y = y, l.ha = 0.0, l.va = 0.5;
    }
    l.box = c.text_quad(l.x, l.y, l.text, fs, l.ha, l.va, l.angle);
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<double> fitting_ticks(const Canvas& c, const Axes& a, Side side, double lo, double hi,
                                  int max_ticks, double angle, const std::vector<Quad>& taken,
                                  double pad, double margin) {
  auto fits = [&](const std::vector<double>& ticks) {
    int exponent = 0;
    const std::vector<TickLabel> labels = place_tick_labels(c, a, side, ticks, angle, exponent);
    if (labels.empty()) return false;
    std::vector<Quad> placed = taken;
    for (const TickLabel& l : labels) {
      if (overlaps_any(l.box, placed, pad)) return false;
      placed.push_back(l.box);
    }
    return true;
  };
  const double span = hi - lo;
  for (int k = max_ticks; k >= 2; --k) {
    std::vector<double> ticks = nice_ticks(lo, hi, k);
    std::vector<double> inner;
    for (double t : ticks) {
      if (t >= lo + margin * span && t <= hi - margin * span) inner.push_back(t);
    }
    if (inner.size() >= 2) ticks = inner;
    if (ticks.size() < 2) continue;
    // The whole set, else without an end tick (the one nearest a neighbour), else every
    // other tick: subsets that keep the spacing even.
    const auto n = static_cast<std::ptrdiff_t>(ticks.size());
    std::vector<std::vector<double>> options = {ticks,
                                                {ticks.begin() + 1, ticks.end()},
                                                {ticks.begin(), ticks.end() - 1},
                                                {ticks.begin() + 1, ticks.end() - 1}};
    for (int parity = 0; parity < 2 && n >= 4; ++parity) {
      std::vector<double> every_other;
      for (std::ptrdiff_t i = parity; i < n; i += 2) every_other.push_back(ticks[i]);
      options.push_back(every_other);
    }
    for (const auto& o : options) {
      if (o.size() >= 2 && fits(o)) return o;
    }
  }
  // One tick: the nice value nearest the centre, among the coarsest steps that have one.
  for (int k = 3; k >= 1; --k) {
    std::vector<double> ticks = nice_ticks(lo, hi, k);
    if (ticks.empty()) continue;
    const double mid = 0.5 * (lo + hi);
    const double best = *std::min_element(ticks.begin(), ticks.end(), [&](double u, double v) {
      return std::abs(u - mid) < std::abs(v - mid);
    });
    if (fits({best})) return {best};
  }
  return {};
}

double draw_ticks(const Canvas& c, const Axes& a, Side side, const std::vector<double>& ticks,
                  bool labels, double rotate, int* exponent_out) {
  for (double t : ticks) {
    double x = 0.0, y = 0.0;
    if (!tick_end(a, side, t, x, y)) continue;
    const double x0 = side == Side::kLeft ? a.x : (side == Side::kRight ? a.x + a.w : x);
    const double y0 = side == Side::kBottom ? a.y + a.h : (side == Side::kTop ? a.y : y);
    c.line(x0, y0, x, y, {0, 0, 0}, 0.6);
  }
  double extent = 3.0;
  int exponent = 0;
  if (labels) {
    for (const TickLabel& l : place_tick_labels(c, a, side, ticks, rotate, exponent)) {
      c.text(l.x, l.y, l.text, c.tick_size(), l.ha, l.va, l.angle);
      const auto b = bounds(l.box);
      const double away = side == Side::kBottom ? b[3] - (a.y + a.h)
                          : side == Side::kTop  ? a.y - b[1]
                          : side == Side::kLeft ? a.x - b[0]
                                                : b[2] - (a.x + a.w);
      extent = std::max(extent, away);
    }
  }
  const double fs = c.tick_size();
  if (exponent_out != nullptr) {
    *exponent_out = labels ? exponent : 0;
  } else if (labels && exponent != 0) {
    if (side == Side::kBottom) {
      c.power_of_ten(a.x + a.w, a.y + a.h + extent + 1.2 * fs, exponent, fs);
    } else if (side == Side::kLeft) {
      c.power_of_ten(a.x, a.y - 2.0, exponent, fs, 0.0);
    } else {
      c.power_of_ten(a.x + a.w, a.y - 2.0, exponent, fs, 0.0);
    }
  }
  return extent;
}

std::string with_unit(const std::string& label, const std::string& unit) {
  return unit.empty() || unit == "1" ? label : label + " [" + unit + "]";
}

void draw_frame(const Canvas& c, const Axes& a) {
  cairo_t* cr = c.cr();
  cairo_save(cr);
  c.color({0, 0, 0});
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, a.x, a.y, a.w, a.h);
  cairo_stroke(cr);
  cairo_restore(cr);
  if (DrawLog* log = draw_log()) log->frames.push_back(rect_quad(a.x, a.y, a.w, a.h));
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
