// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/figures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "airy/config/build.hpp"
#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "airy/plot/images.hpp"
#include "airy/plot/labels.hpp"
#include "airy/plot/matrix.hpp"
#include "pipeline/predictive.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;

std::optional<double> arcsec_scale(const config::Config& c) {
  if (c.optics.type != "angular") return std::nullopt;
  int sampling = c.optics.oversample;
  for (const auto& l : c.detector) {
    if (l.type == "downsample") sampling /= l.factor;
  }
  return c.optics.psf_pixel_scale / std::max(sampling, 1);
}

plot::ImageFigureOptions image_options(const config::Config& c) {
  plot::ImageFigureOptions o;
  o.figure = figure_options(c);
  o.pixel_scale_arcsec = arcsec_scale(c);
  return o;
}

plot::Stretch image_stretch(const config::Config& c) {
  return plot::stretch_from_name(c.plot.stretch, "[plot] stretch");
}

/// "coefficients[3]" -> "coefficients".
std::string stem_of(const std::string& name) { return name.substr(0, name.find('[')); }

/// Whether the [plot] parameters entry `entry` names output `name`: the name itself, its
/// vector's name, or the prior path it samples (optics.aperture.coefficients).
bool selects(const config::Config& c, const std::string& entry, const std::string& name) {
  if (entry == name || entry == stem_of(name)) return true;
  for (const config::PriorConfig& p : c.priors) {
    if (p.path != entry) continue;
    const std::string leaf = p.path.substr(p.path.rfind('.') + 1);
    return stem_of(name) == leaf || stem_of(name) == p.path;
  }
  return false;
}

}  // namespace

void apply_plot_overrides(config::PlotConfig& plot, const PlotOverrides& o) {
  if (o.width) {
    if (!(*o.width == 0.0 || (*o.width >= 1.0 && *o.width <= 40.0))) {
      throw InvalidArgument(fmt::format(
          "--width = {}: must be 0 (each figure's default) or in [1, 40] inches", *o.width));
    }
    plot.width = *o.width;
  }
  if (o.parameters) plot.parameters = *o.parameters;
  if (o.formats) {
    if (o.formats->empty()) throw InvalidArgument("--format: needs at least one of png, pdf, svg");
    for (const std::string& f : *o.formats) {
      if (f != "png" && f != "pdf" && f != "svg") {
        throw InvalidArgument(fmt::format("--format = {}: expected png, pdf or svg", f));
      }
    }
    plot.formats = *o.formats;
  }
  if (o.stretch) {
    (void)plot::stretch_from_name(*o.stretch, "--stretch");
    plot.stretch = *o.stretch;
  }
  if (o.dpi) {
    if (!(*o.dpi > 0.0 && *o.dpi <= 1200.0)) {
      throw InvalidArgument(fmt::format("--dpi = {}: must be in (0, 1200]", *o.dpi));
    }
    plot.dpi = *o.dpi;
  }
}

plot::FigureOptions figure_options(const config::Config& c) {
  plot::FigureOptions o;
  o.width = 72.0 * c.plot.width;
  o.dpi = c.plot.dpi;
  return o;
}

void draw_in_formats(const config::Config& c, const std::string& out_dir, const std::string& stem,
                     const std::function<void(const std::string&)>& draw) {
  for (const std::string& format : c.plot.formats) {
    draw((fs::path(out_dir) / (stem + "." + format)).string());
  }
}

std::vector<plot::ParameterDisplay> parameter_displays(const config::Config& c,
                                                       const std::vector<std::string>& names,
                                                       const std::vector<std::string>& units,
                                                       const std::map<std::string, double>& truth) {
  std::vector<plot::ParameterDisplay> out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const plot::ReadableLabel r =
        plot::readable_label(names[i], i < units.size() ? units[i] : "", c.optics.noll);
    plot::ParameterDisplay p{names[i], r.label, r.scale, r.unit, std::nullopt, r.short_label};
    if (auto it = truth.find(names[i]); it != truth.end()) p.truth = it->second;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<plot::ParameterDisplay> selected_parameters(
    const config::Config& c, const std::vector<plot::ParameterDisplay>& all) {
  if (c.plot.parameters.empty()) return all;
  std::vector<plot::ParameterDisplay> out;
  for (const std::string& entry : c.plot.parameters) {
    bool found = false;
    for (const plot::ParameterDisplay& p : all) {
      if (!selects(c, entry, p.name)) continue;
      found = true;
      const bool dup = std::any_of(out.begin(), out.end(), [&](const plot::ParameterDisplay& q) {
        return q.name == p.name;
      });
      if (!dup) out.push_back(p);
    }
    if (!found) {
      std::vector<std::string> names;
      for (const auto& p : all) names.push_back(p.name);
      throw InvalidArgument(
          fmt::format("[plot] parameters: '{}' matches no sampled parameter (they are: {})", entry,
                      fmt::join(names, ", ")));
    }
  }
  return out;
}

void draw_simulation_figure(const config::Config& c, const RealImage& psf,
                            const RealImage& photon_noise, const RealImage& data,
                            const std::string& out_dir) {
  const plot::Stretch stretch = image_stretch(c);
  std::vector<plot::ImagePanel> panels(3);
  panels[0].title = "PSF";
  panels[0].image = psf;
  panels[1].title = "PSF with photon noise";
  panels[1].image = photon_noise;
  panels[2].title = "data (photon + read noise)";
  panels[2].image = data;
  for (auto& p : panels) p.colorbar_label = "photons", p.stretch = stretch;
  const plot::ImageFigureOptions options = image_options(c);
  draw_in_formats(c, out_dir, "simulate",
                  [&](const std::string& p) { plot::plot_images(p, panels, options); });
}

RealImage fit_residual(const posterior::ImageLikelihood& like, const RealImage& model) {
  const RealImage& data = like.data();
  if (model.rows() != data.rows() || model.cols() != data.cols()) {
    throw InvalidArgument(fmt::format("fit figures: model is {}x{}, the exposure's data {}x{}",
                                      model.rows(), model.cols(), data.rows(), data.cols()));
  }
  RealImage residual(data.rows(), data.cols());
  for (Eigen::Index i = 0; i < data.size(); ++i) {
    const double mu = model.data()[i];
    double variance = like.pixel_variance(i);
    if (like.kind() == posterior::LikelihoodKind::kPoisson) {
      variance = std::max(mu, 1e-12);
    } else if (like.kind() != posterior::LikelihoodKind::kGaussian) {
      variance += std::max(mu, 0.0);
    }
    residual.data()[i] = (data.data()[i] - mu) / std::sqrt(variance);
  }
  return masked_as_nan(like, std::move(residual));
}

void draw_fit_images(const config::Config& c, const posterior::ImageLikelihood& like,
                     const RealImage& model_in, const std::string& out_dir, int num_parameters,
                     const std::string& stem, const std::string& model_title,
                     const std::string& exposure_label) {
  // Residuals in units of the per-pixel noise sigma of the likelihood, so that a good fit
  // looks like white noise of unit variance and chi^2/ndof ~ 1 over the pixels it uses.
  const RealImage residual = fit_residual(like, model_in);
  const RealImage data = masked_as_nan(like, like.data());
  const RealImage model = masked_as_nan(like, model_in);
  const auto finite_max = [](const RealImage& a) {
    double m = -std::numeric_limits<double>::infinity();
    for (const double v : a.reshaped()) m = std::isfinite(v) ? std::max(m, v) : m;
    return m;
  };
  const auto finite_min = [](const RealImage& a) {
    double m = std::numeric_limits<double>::infinity();
    for (const double v : a.reshaped()) m = std::isfinite(v) ? std::min(m, v) : m;
    return m;
  };
  const plot::Stretch stretch = image_stretch(c);
  // Data and model on one colour scale (they then share a colour bar).
  const double hi = std::max(finite_max(data), finite_max(model));
  const std::optional<double> lo =
      stretch == plot::Stretch::kLog
          ? std::optional<double>(hi * 1e-6)
          : std::optional<double>(std::min(finite_min(data), finite_min(model)));
  std::vector<plot::ImagePanel> panels(3);
  panels[0].title = exposure_label.empty() ? "data" : fmt::format("data ({})", exposure_label);
  panels[0].image = data;
  panels[1].title = model_title;
  panels[1].image = model;
  for (int k = 0; k < 2; ++k) {
    panels[k].colorbar_label = "photons";
    panels[k].stretch = stretch;
    panels[k].vmin = lo;
    panels[k].vmax = hi;
  }
  panels[2].title = "residual";
  panels[2].image = residual;
  panels[2].colormap = plot::Colormap::kRdBu;
  panels[2].symmetric_limits = true;
  panels[2].colorbar_label = "(data − model)/σ";
  panels[2].colorbar_short_label = "σ";
  panels[2].subtitle = plot::chi2_per_dof_text(residual, num_parameters);
  const plot::ImageFigureOptions options = image_options(c);
  draw_in_formats(c, out_dir, stem,
                  [&](const std::string& p) { plot::plot_images(p, panels, options); });
}

void draw_posterior_plots(const config::Config& c, const infer::Run& run,
                          const std::vector<std::string>& units,
                          const std::map<std::string, double>& truth, const std::string& out_dir) {
  if (run.chains.empty() || run.chains[0].num_draws() < 2) return;
  const std::vector<plot::ParameterDisplay> params =
      selected_parameters(c, parameter_displays(c, run.chains[0].names, units, truth));
  plot::CornerOptions corner;
  corner.figure = figure_options(c);
  plot::TraceOptions trace;
  trace.figure = figure_options(c);
  draw_in_formats(c, out_dir, "corner",
                  [&](const std::string& p) { plot::plot_corner(p, run, params, corner); });
  draw_in_formats(c, out_dir, "trace",
                  [&](const std::string& p) { plot::plot_trace(p, run, params, trace); });
}

void draw_correlation_figure(const config::Config& c, const posterior::FisherResult& f,
                             const std::string& out_dir) {
  std::vector<std::string> labels;
  for (const auto& p : parameter_displays(c, f.names, f.units, {})) labels.push_back(p.label);
  plot::MatrixOptions o;
  o.figure = figure_options(c);
  o.colorbar_label = "Cramér-Rao correlation";
  draw_in_formats(c, out_dir, "correlation", [&](const std::string& p) {
    plot::plot_correlation(p, f.correlation, labels, o);
  });
}

void draw_exposure_fit_images(const config::Config& c, const posterior::ImagePosterior& post,
                              const std::vector<RealImage>& models, const std::string& out_dir,
                              int num_parameters, const std::string& stem,
                              const std::string& model_title) {
  if (static_cast<std::size_t>(post.num_exposures()) != models.size()) {
    throw InvalidArgument(fmt::format("fit figures: {} exposures but {} models",
                                      post.num_exposures(), models.size()));
  }
  for (int k = 0; k < post.num_exposures(); ++k) {
    std::string name = config::exposure_file_name(c, k, stem);
    name.resize(name.size() - std::string(".fits").size());
    draw_fit_images(c, post.likelihood(k), models[static_cast<std::size_t>(k)], out_dir,
                    num_parameters, name, model_title, config::exposure_label(c, k));
  }
}

void draw_flat_field_figure(const config::Config& c, const RealImage& estimate, const RealImage& sd,
                            const std::optional<RealImage>& truth, const std::string& out_dir,
                            const std::string& what) {
  // One colour scale for the true and estimated maps (they then share a colour bar), so that
  // a map that learned nothing (far from every star) looks like its prior mean in both.
  double lo = estimate.minCoeff(), hi = estimate.maxCoeff();
  if (truth) lo = std::min(lo, truth->minCoeff()), hi = std::max(hi, truth->maxCoeff());
  std::vector<plot::ImagePanel> panels;
  auto add_map = [&](const std::string& title, const RealImage& image) {
    plot::ImagePanel p;
    p.title = title;
    p.image = image;
    p.colormap = plot::Colormap::kViridis;
    p.colorbar_label = "pixel response";
    p.colorbar_short_label = "response";
    p.vmin = lo;
    p.vmax = hi;
    panels.push_back(std::move(p));
  };
  if (truth) add_map("true flat field", *truth);
  add_map(fmt::format("{} flat field", what), estimate);
  if (truth) {
    // (estimate − true)/sd: unit-variance noise when the Laplace sds are right.
    plot::ImagePanel r;
    r.title = fmt::format("({} − true)/sd", what);
    r.image = (estimate - *truth) / sd;
    r.colormap = plot::Colormap::kRdBu;
    r.symmetric_limits = true;
    r.colorbar_label = "error / sd";
    r.colorbar_short_label = "sd";
    panels.push_back(std::move(r));
  }
  plot::ImagePanel s;
  s.title = "Laplace sd";
  s.image = sd;
  s.colormap = plot::Colormap::kInferno;
  s.colorbar_label = "sd of the pixel response";
  s.colorbar_short_label = "sd";
  panels.push_back(std::move(s));
  plot::ImageFigureOptions options = image_options(c);
  options.pixel_scale_arcsec.reset();  // a detector map: axes in pixels
  draw_in_formats(c, out_dir, "flat_field",
                  [&](const std::string& p) { plot::plot_images(p, panels, options); });
}

}  // namespace airy::pipeline
