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
      case Stretch::kAsinh: {
        constexpr double kA = 0.1;  // astropy's AsinhStretch default
        return std::asinh((v - vmin) / (vmax - vmin) / kA) / std::asinh(1.0 / kA);
      }
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

constexpr double kOuter = 4.0, kTickRoom = 4.5, kBarGap = 4.0, kBarWidth = 7.0, kPanelGap = 10.0;

/// Everything measured about one panel before the panel size is known.
struct PanelText {
  Scale scale;
  std::vector<double> ticks;  ///< colour-bar ticks
  std::vector<std::string> labels;
  int exponent = 0;
  std::string bar_label;  ///< the colour bar's label with the labels' power of ten
  bool bar = true;        ///< false: shares the next panel's colour bar
  double deco = 0.0;      ///< width right of the image: bar, its labels and its label
};

}  // namespace

Stretch stretch_from_name(const std::string& name, const std::string& what) {
  if (name == "linear") return Stretch::kLinear;
  if (name == "sqrt") return Stretch::kSqrt;
  if (name == "log") return Stretch::kLog;
  if (name == "asinh") return Stretch::kAsinh;
  throw InvalidArgument(
      fmt::format("{} = \"{}\": expected \"linear\", \"sqrt\", \"log\" or \"asinh\"", what, name));
}

void plot_images(const std::string& path, const std::vector<ImagePanel>& panels,
                 const ImageFigureOptions& opt) {
  if (panels.empty()) throw InvalidArgument(fmt::format("plot_images: {}: no panels", path));
  const Canvas probe(opt.figure);  // measures text only
  const double fs = probe.tick_size(), ls = probe.label_size();
  std::vector<PanelText> pt;
  for (const ImagePanel& p : panels) {
    PanelText t;
    t.scale = make_scale(p, path);
    t.ticks = colorbar_ticks(t.scale);
    t.labels = colorbar_labels(t.scale, t.ticks, t.exponent);
    double lw = 0.0;
    for (const std::string& l : t.labels) lw = std::max(lw, probe.text_width(l, fs));
    // A power of ten of the bar's values joins its label: "×10⁵ photons".
    t.bar_label = p.colorbar_label;
    if (t.exponent != 0) {
      t.bar_label =
          detail::power_of_ten_text(t.exponent) + (t.bar_label.empty() ? "" : " " + t.bar_label);
    }
    t.deco = kBarGap + kBarWidth + kTickRoom + lw + (t.bar_label.empty() ? 0.0 : 3.0 + ls);
    pt.push_back(std::move(t));
  }
  for (std::size_t i = 0; i + 1 < panels.size(); ++i) {
    const ImagePanel &p = panels[i], &q = panels[i + 1];
    const Scale &s = pt[i].scale, &r = pt[i + 1].scale;
    if (p.colormap == q.colormap && s.vmin == r.vmin && s.vmax == r.vmax &&
        s.stretch == r.stretch && pt[i].bar_label == pt[i + 1].bar_label &&
        p.image.rows() == q.image.rows() && p.image.cols() == q.image.cols()) {
      pt[i].bar = false;
      pt[i].deco = 0.0;
    }
  }
  // Axes extents; a panel shows its own y tick labels only when its extent differs from
  // the panel before it.
  const double scale = opt.pixel_scale_arcsec.value_or(1.0);
  auto extent = [&](const RealImage& im) {
    Axes a;
    if (opt.pixel_scale_arcsec) {
      a.x0 = -0.5 * scale * im.cols(), a.x1 = -a.x0, a.y0 = -0.5 * scale * im.rows(), a.y1 = -a.y0;
    } else {
      a.x0 = -0.5, a.x1 = im.cols() - 0.5, a.y0 = -0.5, a.y1 = im.rows() - 0.5;
    }
    return a;
  };
  double wy = 0.0;
  for (const ImagePanel& p : panels) {
    const Axes e = extent(p.image);
    int ex = 0;
    for (const auto& l : tick_labels(nice_ticks(e.y0, e.y1, 5), ex)) {
      wy = std::max(wy, probe.text_width(l, fs));
    }
  }
  std::vector<bool> own_y(panels.size(), true);
  for (std::size_t i = 1; i < panels.size(); ++i) {
    own_y[i] = panels[i].image.rows() != panels[i - 1].image.rows() ||
               panels[i].image.cols() != panels[i - 1].image.cols();
  }
  const double ylabel_w = opt.axis_labels ? ls + 3.0 : 0.0;
  double fixed = kOuter + ylabel_w + wy + kTickRoom + kOuter;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    fixed += pt[i].deco + (i > 0 ? kPanelGap + (own_y[i] ? wy + kTickRoom : 0.0) : 0.0);
  }
  const double width = opt.figure.width > 0.0 ? opt.figure.width : kPageWidth;
  const double w = (width - fixed) / static_cast<double>(panels.size());
  if (w < 20.0) {
    throw InvalidArgument(
        fmt::format("plot_images: {}: a figure {:.0f} pt wide leaves no room for {} panels", path,
                    width, panels.size()));
  }
  // Titles wrap to the room each panel has, so neighbouring titles never meet.
  std::vector<std::vector<std::string>> titles;
  std::size_t lines = 0;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    std::vector<std::string> t = probe.wrap(panels[i].title, ls, w + pt[i].deco);
    for (const std::string& l : probe.wrap(panels[i].subtitle, ls, w + pt[i].deco)) {
      t.push_back(l);
    }
    lines = std::max(lines, t.size());
    titles.push_back(std::move(t));
  }
  const double line_h = 1.25 * ls;
  const double top = kOuter + (opt.figure.title.empty() ? 0.0 : 1.6 * ls) +
                     static_cast<double>(lines) * line_h + 3.0;
  std::vector<Axes> img_axes, bar_axes;
  double x = kOuter + ylabel_w + wy + kTickRoom, height = 0.0;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    if (i > 0) x += kPanelGap + (own_y[i] ? wy + kTickRoom : 0.0);
    const RealImage& im = panels[i].image;
    Axes a = extent(im);
    a.x = x, a.y = top, a.w = w;
    a.h = w * static_cast<double>(im.rows()) / static_cast<double>(im.cols());
    img_axes.push_back(a);
    bar_axes.push_back(Axes{x + w + kBarGap, top, kBarWidth, a.h, 0.0, 1.0, 0.0, 1.0});
    x += w + pt[i].deco;
    height = std::max(
        height, top + a.h + kTickRoom + fs + (opt.axis_labels ? 3.0 + ls : 0.0) + kOuter + 2.0);
  }
  Canvas c(path, width, height, opt.figure);
  if (!opt.figure.title.empty()) {
    c.text(0.5 * width, kOuter, opt.figure.title, 1.25 * ls, 0.5, 0.0, 0.0, true);
  }
  const std::string unit = opt.pixel_scale_arcsec ? "″" : "pixel";
  std::vector<detail::Quad> taken;
  for (std::size_t i = 0; i < panels.size(); ++i) {
    const ImagePanel& p = panels[i];
    const Scale& s = pt[i].scale;
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
    const auto xt = detail::fitting_ticks(c, a, Side::kBottom, a.x0, a.x1, 5, 0.0, taken, 3.0, 0.0);
    const auto yt = detail::fitting_ticks(c, a, Side::kLeft, a.y0, a.y1, 5, 0.0, {}, 1.5, 0.0);
    int ex = 0;
    for (const auto& l : detail::place_tick_labels(c, a, Side::kBottom, xt, 0.0, ex)) {
      taken.push_back(l.box);
    }
    const double ext = detail::draw_ticks(c, a, Side::kBottom, xt, true);
    detail::draw_ticks(c, a, Side::kLeft, yt, own_y[i]);
    // Title lines bottom-up from just above the image, centred on it, moved right only as
    // far as needed to stay within the room of this panel and its colour bar.
    for (std::size_t k = 0; k < titles[i].size(); ++k) {
      const std::string& line = titles[i][titles[i].size() - 1 - k];
      const double half = 0.5 * c.text_width(line, ls);
      const double lo = a.x + half, hi = a.x + a.w + pt[i].deco - half;
      const double cx = lo > hi ? 0.5 * (lo + hi) : std::clamp(a.x + 0.5 * a.w, lo, hi);
      c.text(cx, a.y - 3.0 - static_cast<double>(k) * line_h, line, ls, 0.5, 1.0);
    }
    if (opt.axis_labels) {
      c.text(a.x + 0.5 * a.w, a.y + a.h + ext + 3.0, "x [" + unit + "]", ls, 0.5, 0.0);
      if (own_y[i]) {
        c.text(a.x - kTickRoom - wy - 3.0, a.y + 0.5 * a.h, "y [" + unit + "]", ls, 0.5, 1.0, 90.0);
      }
    }
    // Colour bar: a 1 x 256 gradient drawn in t-space, ticks at t(value), thinned until
    // their labels clear each other.
    if (!pt[i].bar) continue;
    const Axes& b = bar_axes[i];
    std::vector<std::uint32_t> grad(256);
    for (int k = 0; k < 256; ++k) {
      grad[static_cast<std::size_t>(255 - k)] =
          detail::argb(colormap_lookup(p.colormap, k / 255.0));
    }
    detail::draw_pixels(c, b, grad, 1, 256, true);
    detail::draw_frame(c, b);
    std::vector<detail::Quad> bar_taken;
    double lw = 0.0;
    for (std::size_t k = 0; k < pt[i].ticks.size(); ++k) {
      const double yy = b.py(s.t(pt[i].ticks[k]));
      if (yy < b.y - 0.01 || yy > b.y + b.h + 0.01) continue;
      const std::string& l = pt[i].labels[k];
      const detail::Quad q = c.text_quad(b.x + b.w + kTickRoom, yy, l, fs, 0.0, 0.5);
      if (detail::overlaps_any(q, bar_taken, 1.5)) continue;
      bar_taken.push_back(q);
      c.line(b.x + b.w, yy, b.x + b.w + 3.0, yy, {0, 0, 0}, 0.6);
      c.text(b.x + b.w + kTickRoom, yy, l, fs, 0.0, 0.5);
      lw = std::max(lw, c.text_width(l, fs));
    }
    std::string bar_label = pt[i].bar_label;
    if (c.text_width(bar_label, ls) > b.h && !p.colorbar_short_label.empty() &&
        pt[i].exponent == 0) {
      bar_label = p.colorbar_short_label;
    }
    if (!bar_label.empty()) {
      c.text(b.x + b.w + kTickRoom + lw + 3.0, b.y + 0.5 * b.h, bar_label, ls, 0.5, 0.0, 90.0);
    }
  }
  c.save();
}

std::string chi2_per_dof_text(const RealImage& residual_sigma, int num_parameters) {
  double chi2 = 0.0;
  Eigen::Index n = 0;
  for (Eigen::Index i = 0; i < residual_sigma.size(); ++i) {
    const double r = residual_sigma.data()[i];
    if (std::isfinite(r)) chi2 += r * r, ++n;
  }
  const auto ndof = static_cast<double>(n - num_parameters);
  return ndof > 0 ? fmt::format("χ²/ndof = {:.3f}", chi2 / ndof) : fmt::format("χ² = {:.4g}", chi2);
}

void plot_data_model_residual(const std::string& path, const RealImage& data,
                              const RealImage& model, const ImageFigureOptions& options,
                              double read_noise, Stretch stretch, int num_parameters) {
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
              {{"Data", data, Colormap::kInferno, false, "photons", stretch, vmin, hi, "", ""},
               {"Model", model, Colormap::kInferno, false, "photons", stretch, vmin, hi, "", ""},
               {"Residual",
                residual,
                Colormap::kRdBu,
                true,
                "(data − model)/σ",
                Stretch::kLinear,
                {},
                {},
                chi2_per_dof_text(residual, num_parameters),
                "σ"}},
              options);
}

}  // namespace airy::plot
