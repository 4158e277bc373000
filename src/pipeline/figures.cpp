// SPDX-License-Identifier: BSD-3-Clause
#include "pipeline/figures.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "airy/plot/corner.hpp"
#include "airy/plot/images.hpp"

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

void both_formats(const std::string& out_dir, const std::string& stem,
                  const std::function<void(const std::string&)>& draw) {
  draw((fs::path(out_dir) / (stem + ".png")).string());
  draw((fs::path(out_dir) / (stem + ".pdf")).string());
}

}  // namespace

void draw_simulation_figure(const config::Config& c, const RealImage& psf,
                            const RealImage& photon_noise, const RealImage& data,
                            const std::string& out_dir) {
  std::vector<plot::ImagePanel> panels(3);
  panels[0].title = "PSF";
  panels[0].image = psf;
  panels[0].colorbar_label = "photons";
  panels[1].title = "PSF with photon noise";
  panels[1].image = photon_noise;
  panels[1].colorbar_label = "photons";
  panels[2].title = "data (photon + read noise)";
  panels[2].image = data;
  panels[2].colorbar_label = "photons";
  plot::ImageFigureOptions options;
  options.pixel_scale_arcsec = arcsec_scale(c);
  both_formats(out_dir, "simulate",
               [&](const std::string& p) { plot::plot_images(p, panels, options); });
}

void draw_fit_images(const config::Config& c, const RealImage& data, const RealImage& model,
                     const std::string& out_dir) {
  // Residuals in units of the per-pixel noise sigma of the likelihood, so that a good fit
  // looks like white noise of unit variance.
  RealImage sigma = RealImage::Constant(data.rows(), data.cols(), c.likelihood.sigma);
  if (c.likelihood.kind == "poisson") {
    sigma = model.max(1e-12).sqrt();
  } else if (c.likelihood.kind != "gaussian") {
    sigma = (model.max(0.0) + c.likelihood.sigma * c.likelihood.sigma).sqrt();
  }
  std::vector<plot::ImagePanel> panels(3);
  panels[0].title = "data";
  panels[0].image = data;
  panels[0].colorbar_label = "photons";
  panels[1].title = "posterior-mean model";
  panels[1].image = model;
  panels[1].colorbar_label = "photons";
  panels[1].vmin = data.minCoeff();
  panels[1].vmax = data.maxCoeff();
  panels[2].title = "residual";
  panels[2].image = (data - model) / sigma;
  panels[2].colormap = plot::Colormap::kRdBu;
  panels[2].symmetric_limits = true;
  panels[2].colorbar_label = "(data - model) / sigma";
  plot::ImageFigureOptions options;
  options.pixel_scale_arcsec = arcsec_scale(c);
  both_formats(out_dir, "fit_images",
               [&](const std::string& p) { plot::plot_images(p, panels, options); });
}

void draw_posterior_plots(const config::Config& c, const infer::Run& run,
                          const std::vector<std::string>& units,
                          const std::map<std::string, double>& truth, const std::string& out_dir) {
  if (run.chains.empty() || run.chains[0].num_draws() < 2) return;
  std::vector<plot::ParameterDisplay> params;
  const auto& names = run.chains[0].names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    plot::ParameterDisplay p;
    p.name = names[i];
    p.unit = i < units.size() ? units[i] : "";
    std::string label = names[i];
    // "coefficients[k]" reads better as the Noll index of mode k: "Z4".
    const std::string stem = "coefficients[";
    if (label.starts_with(stem) && label.ends_with("]")) {
      const int k = std::stoi(label.substr(stem.size(), label.size() - stem.size() - 1));
      if (k >= 1 && k <= static_cast<int>(c.optics.noll.size())) {
        label = fmt::format("Z{}", c.optics.noll[static_cast<std::size_t>(k - 1)]);
      }
    }
    p.label = label;  // the plots append " [unit]" themselves
    if (auto it = truth.find(names[i]); it != truth.end()) p.truth = it->second;
    params.push_back(p);
  }
  both_formats(out_dir, "corner", [&](const std::string& p) { plot::plot_corner(p, run, params); });
  both_formats(out_dir, "trace", [&](const std::string& p) { plot::plot_trace(p, run, params); });
}

}  // namespace airy::pipeline
