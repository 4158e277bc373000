// SPDX-License-Identifier: BSD-3-Clause
#include "airy/plot/images.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "airy/core/error.hpp"
#include "canvas.hpp"

namespace airy::plot {
namespace {

using detail::Axes;
using detail::Canvas;
using detail::Side;

/// Colour limits and the value -> [0, 1] map of one panel.
struct Scale {
  double vmin = 0.0, vmax = 1.0;
  Stretch stretch = Stretch::kLinear;

  [[nodiscard]] double t(double v) const {
    switch (stretch) {
      case Stretch::kSqrt:
        return std::sqrt(std::max(v - vmin, 0.0) / (vmax - vmin));
      case Stretch::kLog:
        if (!(v > 0.0)) return 0.0;
        return (std::log10(v) - std::log10(vmin)) / (std::log10(vmax) - std::log10(vmin));
      case Stretch::kLinear:
        break;
    }
    return (v - vmin) / (vmax - vmin);
  }
};

Scale make_scale(const ImagePanel& p, const std::string& path) {
  if (p.image.size() == 0) {
    throw InvalidArgument(
        fmt::format("plot_images: {}: panel '{}' has an empty image", path, p.title));
  }
  double lo = INFINITY, hi = -INFINITY, amax = 0.0;
  for (Eigen::Index i = 0; i < p.image.size(); ++i) {
    const double v = p.image.data()[i];
    if (!std::isfinite(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
    amax = std::max(amax, std::abs(v));
  }
  if (!std::isfinite(lo)) lo = 0.0, hi = 1.0;
  Scale s;
  s.stretch = p.stretch;
  if (p.symmetric_limits) {
    const double m = p.vmax ? std::abs(*p.vmax) : (amax > 0.0 ? amax : 1.0);
    s.vmin = -m;
    s.vmax = m;
  } else {
    s.vmin = p.vmin.value_or(p.stretch == Stretch::kLog ? std::max(hi, 1e-300) * 1e-6 : lo);
    s.vmax = p.vmax.value_or(hi);
  }
  if (p.stretch == Stretch::kLog && !(s.vmin > 0.0)) s.vmin = std::max(s.vmax, 1e-300) * 1e-6;
  if (!(s.vmax > s.vmin)) {
    const double d = s.vmin == 0.0 ? 1.0 : 0.1 * std::abs(s.vmin);
    s.vmax = s.vmin + d;
  }
  return s;
}

/// Colour-bar ticks: nice values for linear/sqrt, decades for log.
std::vector<double> colorbar_ticks(const Scale& s) {
  if (s.stretch != Stretch::kLog) return nice_ticks(s.vmin, s.vmax, 6);
  std::vector<double> t;
  const int a = static_cast<int>(std::ceil(std::log10(s.vmin) - 1e-9));
  const int b = static_cast<int>(std::floor(std::log10(s.vmax) + 1e-9));
  const int step = std::max(1, (b - a + 5) / 6);
  for (int k = a; k <= b; k += step) t.push_back(std::pow(10.0, k));
  return t;
}

std::vector<std::string> colorbar_labels(const Scale& s, const std::vector<double>& ticks,
                                         int& exponent) {
  if (s.stretch != Stretch::kLog) return tick_labels(ticks, exponent);
  exponent = 0;
  std::vector<std::string> out;
  for (double t : ticks) {
    const int k = static_cast<int>(std::lround(std::log10(t)));
    out.push_back(k < 0 ? fmt::format("1e\u2212{}", -k) : fmt::format("1e{}", k));
  }
  return out;
}

}  // namespace

void plot_images(const std::string& path, const std::vector<ImagePanel>& panels,
                 const ImageFigureOptions& opt) {
  if (panels.empty()) throw InvalidArgument(fmt::format("plot_images: {}: no panels", path));
  const double fs = opt.figure.font_size;
  const double cb_w = 0.055 * opt.panel_size, cb_gap = 6.0;
  std::vector<Scale> scales;
  std::vector<std::vector<double>> cticks;
  std::vector<std::vector<std::string>> clabels;
  std::vector<int> cexp;
  for (const ImagePanel& p : panels) {
    scales.push_back(make_scale(p, path));
    cticks.push_back(colorbar_ticks(scales.back()));
    int e = 0;
    clabels.push_back(colorbar_labels(scales.back(), cticks.back(), e));
    cexp.push_back(e);
  }
  // Layout: [ylabel][yticks][image][gap][bar][bar ticks][bar label] per panel.
  const std::string unit = opt.pixel_scale_arcsec ? "arcsec" : "pixel";
  const double ytick_w = 3.0 * fs, ylabel_w = opt.axis_labels ? 1.6 * fs : 0.0;
  const double left = 10.0 + ylabel_w + ytick_w;
  const double top = (opt.figure.title.empty() ? 8.0 : 8.0 + 1.6 * fs) + 1.6 * fs;
  const double bottom = 6.0 + 1.6 * fs + (opt.axis_labels ? 1.4 * fs : 0.0);
  double x = left, height = 0.0;
  const Canvas probe("probe.png", 10, 10, opt.figure);  // measures text only; never written
  std::vector<Axes> img_axes, bar_axes;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const RealImage& im = panels[i].image;
    const double w = opt.panel_size;
    const double h = w * static_cast<double>(im.rows()) / static_cast<double>(im.cols());
    Axes a;
    a.x = x;
    a.y = top;
    a.w = w;
    a.h = h;
    const double p = opt.pixel_scale_arcsec.value_or(1.0);
    if (opt.pixel_scale_arcsec) {
      a.x0 = -0.5 * p * im.cols(), a.x1 = -a.x0, a.y0 = -0.5 * p * im.rows(), a.y1 = -a.y0;
    } else {
      a.x0 = -0.5, a.x1 = im.cols() - 0.5, a.y0 = -0.5, a.y1 = im.rows() - 0.5;
    }
    Axes b{x + w + cb_gap, top, cb_w, h, 0.0, 1.0, 0.0, 1.0};
    img_axes.push_back(a);
    bar_axes.push_back(b);
    double lw = 0.0;
    for (const std::string& l : clabels[i]) lw = std::max(lw, probe.text_width(l, fs));
    const double bar_label_w = panels[i].colorbar_label.empty() ? 0.0 : 1.6 * fs;
    x = b.x + b.w + 5.0 + lw + bar_label_w + 8.0;
    if (i + 1 < panels.size()) x += ytick_w + 4.0;
    height = std::max(height, top + h + bottom);
  }
  Canvas c(path, x, height, opt.figure);
  if (!opt.figure.title.empty()) {
    c.text(0.5 * x, 6.0, opt.figure.title, 1.25 * fs, 0.5, 0.0, 0.0, true);
  }
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const ImagePanel& p = panels[i];
    const Scale& s = scales[i];
    const Axes& a = img_axes[i];
    const int nx = static_cast<int>(p.image.cols()), ny = static_cast<int>(p.image.rows());
    std::vector<std::uint32_t> pix(static_cast<std::size_t>(nx) * ny);
    for (int y = 0; y < ny; ++y) {
      for (int xx = 0; xx < nx; ++xx) {  // origin lower: image row 0 is the bottom row
        pix[static_cast<std::size_t>(ny - 1 - y) * nx + xx] =
            detail::argb(colormap_lookup(p.colormap, s.t(p.image(y, xx))));
      }
    }
    detail::draw_pixels(c, a, pix, nx, ny);
    detail::draw_frame(c, a);
    const int max_ticks = a.w < 150 ? 4 : 5;
    detail::draw_ticks(c, a, Side::kBottom, nice_ticks(a.x0, a.x1, max_ticks), true);
    const double ext =
        detail::draw_ticks(c, a, Side::kLeft, nice_ticks(a.y0, a.y1, max_ticks), true);
    c.text(a.x + 0.5 * a.w, a.y - 0.5 * fs, p.title, 1.15 * fs, 0.5, 1.0);
    if (opt.axis_labels) {
      c.text(a.x + 0.5 * a.w, a.y + a.h + 3.0 + 1.6 * fs, "x [" + unit + "]", 1.05 * fs, 0.5, 0.0);
      if (i == 0) {
        c.text(a.x - ext - 0.5 * fs, a.y + 0.5 * a.h, "y [" + unit + "]", 1.05 * fs, 0.5, 1.0,
               90.0);
      }
    }
    // Colour bar: a 1 x 256 gradient drawn in t-space, ticks at t(value).
    const Axes& b = bar_axes[i];
    std::vector<std::uint32_t> grad(256);
    for (int k = 0; k < 256; ++k) {
      grad[static_cast<std::size_t>(255 - k)] =
          detail::argb(colormap_lookup(p.colormap, k / 255.0));
    }
    detail::draw_pixels(c, b, grad, 1, 256, true);
    detail::draw_frame(c, b);
    double lw = 0.0;
    for (std::size_t k = 0; k < cticks[i].size(); ++k) {
      const double yy = b.py(s.t(cticks[i][k]));
      if (yy < b.y - 0.01 || yy > b.y + b.h + 0.01) continue;
      c.line(b.x + b.w, yy, b.x + b.w + 3.0, yy, {0, 0, 0}, 0.6);
      c.text(b.x + b.w + 4.5, yy, clabels[i][k], fs, 0.0, 0.5);
      lw = std::max(lw, c.text_width(clabels[i][k], fs));
    }
    if (cexp[i] != 0) c.power_of_ten(b.x, b.y - 2.0, cexp[i], 0.9 * fs, 0.0);
    if (!p.colorbar_label.empty()) {
      c.text(b.x + b.w + 7.0 + lw, b.y + 0.5 * b.h, p.colorbar_label, 1.05 * fs, 0.5, 0.0, 90.0);
    }
  }
  c.finish();
}

void plot_data_model_residual(const std::string& path, const RealImage& data,
                              const RealImage& model, const ImageFigureOptions& options,
                              double read_noise, Stretch stretch) {
  if (data.rows() != model.rows() || data.cols() != model.cols()) {
    throw InvalidArgument(
        fmt::format("plot_data_model_residual: {}: data is {}x{} but model is {}x{} (ny x nx)",
                    path, data.rows(), data.cols(), model.rows(), model.cols()));
  }
  const double lo = std::min(data.minCoeff(), model.minCoeff());
  const double hi = std::max(data.maxCoeff(), model.maxCoeff());
  const RealImage sigma = (model.max(0.0) + read_noise * read_noise).sqrt().max(1e-300);
  const RealImage residual = (data - model) / sigma;
  std::optional<double> vmin = lo;
  if (stretch == Stretch::kLog) vmin = std::nullopt;  // log default: [max·1e-6, max]
  plot_images(path,
              {{"Data", data, Colormap::kInferno, false, "photons", stretch, vmin, hi},
               {"Model", model, Colormap::kInferno, false, "photons", stretch, vmin, hi},
               {"Residual",
                residual,
                Colormap::kRdBu,
                true,
                "(data − model) / σ",
                Stretch::kLinear,
                {},
                {}}},
              options);
}

}  // namespace airy::plot
