// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Config -> TOML text, written by hand so that priors keep their sampling order and
/// numbers round-trip exactly ({:.17g}).
#include <fmt/format.h>

#include <sstream>

#include "airy/config/config.hpp"

namespace airy::config {
namespace {

std::string num(double v) { return fmt::format("{:.17g}", v); }

std::string nums(const std::vector<double>& v) {
  std::vector<std::string> parts;
  for (double x : v) parts.push_back(num(x));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

/// A TOML basic string: quote and backslash escaped, and every control character (U+0000 to
/// U+001F, U+007F), which TOML forbids unescaped, written as an escape, so that whatever a
/// config held (a key with a form feed, found by fuzzing) reads back as the same string.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20 || u == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(u));
        } else {
          out += ch;
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string to_toml(const Config& c) {
  std::ostringstream os;
  const OpticsConfig& o = c.optics;
  os << "# written by airy from " << c.source_name << " (overrides applied)\n\n";
  os << "[optics]\n";
  os << "type = " << quoted(o.type) << "\nnpix = " << o.npix << "\ndiameter = " << num(o.diameter)
     << "\npsf_npix = " << o.psf_npix << "\npsf_pixel_scale = " << num(o.psf_pixel_scale)
     << "\noversample = " << o.oversample << "\n";
  if (o.type == "cartesian") os << "focal_length = " << num(o.focal_length) << "\n";
  os << "\n[optics.aperture]\nsoft_edge = " << quoted(o.soft_edge) << "\n";
  if (o.soft_edge == "oversample") os << "edge_oversample = " << o.edge_oversample << "\n";
  if (o.soft_edge == "analytic") os << "edge_width = " << num(o.edge_width) << "\n";
  os << "normalise = " << (o.normalise ? "true" : "false") << "\n";
  for (const auto& s : o.shapes) {
    os << "\n[[optics.aperture.shapes]]\ntype = " << quoted(s.type) << "\n";
    if (s.radius != 0.0) os << "radius = " << num(s.radius) << "\n";
    if (s.inner_radius != 0.0) os << "inner_radius = " << num(s.inner_radius) << "\n";
    if (s.width != 0.0) os << "width = " << num(s.width) << "\n";
    if (s.height != 0.0) os << "height = " << num(s.height) << "\n";
    if (s.type == "polygon") os << "sides = " << s.sides << "\n";
    if (!s.angles.empty()) os << "angles = " << nums(s.angles) << "\n";
    if (s.centre_x != 0.0) os << "centre_x = " << num(s.centre_x) << "\n";
    if (s.centre_y != 0.0) os << "centre_y = " << num(s.centre_y) << "\n";
    if (s.rotation != 0.0) os << "rotation = " << num(s.rotation) << "\n";
    if (s.invert) os << "invert = true\n";
  }
  if (!o.noll.empty()) {
    os << "\n[optics.aberrations]\nnoll = [" << fmt::format("{}", fmt::join(o.noll, ", ")) << "]\n";
    if (!o.coefficients.empty()) {
      os << "coefficients = " << nums(o.coefficients) << "\n";
    } else {
      os << "coefficients_rms = " << num(o.coefficients_rms)
         << "\ncoefficients_seed = " << o.coefficients_seed << "\n";
    }
    if (o.basis_diameter > 0.0) os << "basis_diameter = " << num(o.basis_diameter) << "\n";
  }
  for (const auto& l : o.layers) {
    os << "\n[[optics.layers]]\ntype = " << quoted(l.type) << "\nname = " << quoted(l.name) << "\n";
    // An HDU is a number or an EXTNAME; numbers are written as TOML integers.
    auto hdu = [&os](const char* key, const std::string& v) {
      if (v.empty()) return;
      const bool number = v.find_first_not_of("0123456789") == std::string::npos;
      os << key << " = " << (number ? v : quoted(v)) << "\n";
    };
    if (!l.transmission.empty()) os << "transmission = " << quoted(l.transmission) << "\n";
    hdu("transmission_hdu", l.transmission_hdu);
    if (!l.opd.empty())
      os << "opd = " << quoted(l.opd) << "\nopd_unit = " << quoted(l.opd_unit) << "\n";
    hdu("opd_hdu", l.opd_hdu);
    os << "normalise = " << (l.normalise ? "true" : "false") << "\n";
  }
  const SourceConfig& s = c.source;
  os << "\n[source]\ntype = " << quoted(s.type) << "\n";
  if (s.type == "points") {
    os << "positions_x = " << nums(s.positions_x) << "\npositions_y = " << nums(s.positions_y)
       << "\nlog_fluxes = " << nums(s.log_fluxes) << "\n";
  } else {
    os << "x_position = " << num(s.x_position) << "\ny_position = " << num(s.y_position)
       << "\nlog_flux = " << num(s.log_flux) << "\n";
  }
  if (s.type == "binary") {
    os << "separation = " << num(s.separation) << "\nposition_angle = " << num(s.position_angle)
       << "\ncontrast = " << num(s.contrast) << "\n";
  }
  if (!s.wavelengths_nm.empty()) {
    os << "wavelengths_nm = " << nums(s.wavelengths_nm) << "\n";
  } else {
    os << "band_nm = " << nums(s.band_nm) << "\nn_wavelengths = " << s.n_wavelengths << "\n";
  }
  if (!s.weights.empty()) os << "weights = " << nums(s.weights) << "\n";
  if (!s.star_weights.empty()) {
    os << "weights = [";
    for (std::size_t k = 0; k < s.star_weights.size(); ++k)
      os << (k ? ", " : "") << nums(s.star_weights[k]);
    os << "]\n";
  }
  if (!c.detector.empty()) {
    os << "\n[detector]\n";
    for (const auto& l : c.detector) {
      os << "\n[[detector.layers]]\ntype = " << quoted(l.type) << "\n";
      if (l.type == "downsample") os << "factor = " << l.factor << "\n";
      if (l.type == "jitter") os << "sigma = " << num(l.sigma) << "\n";
      if (l.type == "background" || l.type == "saturation")
        os << "value = " << num(l.value) << "\n";
      if (!l.file.empty()) os << "file = " << quoted(l.file) << "\n";
    }
  }
  for (const auto& e : c.exposures) {
    os << "\n[[exposures]]\n";
    if (!e.name.empty()) os << "name = " << quoted(e.name) << "\n";
    if (!e.data.empty()) os << "data = " << quoted(e.data) << "\n";
    auto hdu = [&os](const char* key, const std::string& v) {
      if (v.empty()) return;
      const bool number = v.find_first_not_of("0123456789") == std::string::npos;
      os << key << " = " << (number ? v : quoted(v)) << "\n";
    };
    auto file = [&os](const char* key, const std::string& v) {
      if (!v.empty()) os << key << " = " << quoted(v) << "\n";
    };
    hdu("hdu", e.hdu);
    file("variance", e.variance);
    hdu("variance_hdu", e.variance_hdu);
    file("err", e.err);
    hdu("err_hdu", e.err_hdu);
    file("mask", e.mask);
    hdu("mask_hdu", e.mask_hdu);
    if (e.mask_bits) os << "mask_bits = " << *e.mask_bits << "\n";
    os << "dither = " << nums({e.dither_x, e.dither_y}) << "\nflux_scale = " << num(e.flux_scale)
       << "\n";
    if (e.spectrum) {
      if (!e.spectrum->wavelengths_nm.empty()) {
        os << "wavelengths_nm = " << nums(e.spectrum->wavelengths_nm) << "\n";
      } else {
        os << "band_nm = " << nums(e.spectrum->band_nm)
           << "\nn_wavelengths = " << e.spectrum->n_wavelengths << "\n";
      }
      if (!e.spectrum->weights.empty()) os << "weights = " << nums(e.spectrum->weights) << "\n";
      if (!e.spectrum->star_weights.empty()) {
        os << "weights = [";
        for (std::size_t k = 0; k < e.spectrum->star_weights.size(); ++k)
          os << (k ? ", " : "") << nums(e.spectrum->star_weights[k]);
        os << "]\n";
      }
    }
    if (!e.diversity_noll.empty()) {
      os << "diversity_noll = [" << fmt::format("{}", fmt::join(e.diversity_noll, ", "))
         << "]\ndiversity_coefficients = " << nums(e.diversity_coefficients) << "\n";
    }
  }
  os << "\n[noise]\nphoton = " << (c.noise.photon ? "true" : "false")
     << "\nread_sigma = " << num(c.noise.read_sigma) << "\nseed = " << c.noise.seed << "\n";
  os << "\n[likelihood]\nkind = " << quoted(c.likelihood.kind) << "\n";
  if (c.likelihood.kind != "poisson") os << "sigma = " << num(c.likelihood.sigma) << "\n";
  for (const auto& p : c.priors) {
    os << "\n[priors." << quoted(p.path) << "]\ndist = " << quoted(p.dist) << "\n";
    for (const auto& [k, v] : p.params) os << k << " = " << num(v) << "\n";
    for (const auto& [k, v] : p.arrays) os << k << " = " << nums(v) << "\n";
    for (const auto& [k, m] : p.maps) {
      os << k << " = {file = " << quoted(m.file);
      if (!m.hdu.empty()) {
        const bool number = m.hdu.find_first_not_of("0123456789") == std::string::npos;
        os << ", hdu = " << (number ? m.hdu : quoted(m.hdu));
      }
      os << "}\n";
    }
    if (!p.unit.empty()) os << "unit = " << quoted(p.unit) << "\n";
    if (p.unit_scale) os << "unit_scale = " << num(*p.unit_scale) << "\n";
    if (p.truth) os << "truth = " << num(*p.truth) << "\n";
  }
  const SamplerConfig& m = c.sampler;
  // Only the keys of the chosen method: the others are errors when the file is read back.
  os << "\n[sampler]\nmethod = " << quoted(m.method) << "\nnum_chains = " << m.num_chains
     << "\nseed = " << m.seed << "\nnum_threads = " << m.num_threads
     << "\nthreads_per_chain = " << m.threads_per_chain << "\nmetric = " << quoted(m.metric)
     << "\ndelta = " << num(m.delta) << "\nmax_depth = " << m.max_depth << "\n";
  if (m.method == "pt") {
    os << "pt_chains = " << m.pt_chains << "\npt_rounds = " << m.pt_rounds
       << "\npt_reference = " << quoted(m.pt_reference)
       << "\npt_explorer_steps = " << m.pt_explorer_steps << "\n";
    if (m.pt_reference == "gaussian") {
      os << "pt_gaussian_sd = " << num(m.pt_gaussian_sd)
         << "\npt_gaussian_refit_round = " << m.pt_gaussian_refit_round << "\n";
    }
  } else {
    os << "num_warmup = " << m.num_warmup << "\nnum_samples = " << m.num_samples
       << "\nsave_warmup = " << (m.save_warmup ? "true" : "false") << "\nthin = " << m.thin
       << "\ninit = " << quoted(m.init) << "\n";
    const bool adapts_metric = m.metric == "diag_e" || m.metric == "dense_e";
    if (adapts_metric) os << "metric_init = " << quoted(m.metric_init) << "\n";
    if (m.init == "map" || m.metric == "fisher" || (adapts_metric && m.metric_init == "laplace")) {
      os << "map_starts = " << m.map_starts << "\n";
      if (!m.map_grid.empty()) {
        std::vector<std::string> axes;
        for (const auto& [name, points] : m.map_grid) {
          axes.push_back(fmt::format("{} = {}", quoted(name), points));
        }
        os << "map_grid = {" << fmt::format("{}", fmt::join(axes, ", "))
           << "}\nmap_grid_starts = " << m.map_grid_starts << "\n";
      }
    }
  }
  // [plot]: every key is read whenever the table is present, so all are written.
  std::vector<std::string> shown, formats;
  for (const auto& name : c.plot.parameters) shown.push_back(quoted(name));
  for (const auto& f : c.plot.formats) formats.push_back(quoted(f));
  os << "\n[plot]\nwidth = " << num(c.plot.width) << "\nparameters = ["
     << fmt::format("{}", fmt::join(shown, ", ")) << "]\nformat = ["
     << fmt::format("{}", fmt::join(formats, ", ")) << "]\nstretch = " << quoted(c.plot.stretch)
     << "\ndpi = " << num(c.plot.dpi) << "\n";
  const OutputConfig& out = c.output;
  auto switch_value = [](const std::string& v) { return v == "auto" ? quoted(v) : v; };
  os << "\n[output]\ndir = " << quoted(c.output_dir)
     << "\nlog_likelihood = " << switch_value(out.log_likelihood)
     << "\nposterior_predictive = " << switch_value(out.posterior_predictive)
     << "\nposterior_predictive_draws = " << out.posterior_predictive_draws
     << "\nauto_max_megabytes = " << num(out.auto_max_megabytes) << "\n";
  if (out.pointing_ra && out.pointing_dec) {
    os << "pointing_ra = " << num(*out.pointing_ra) << "\npointing_dec = " << num(*out.pointing_dec)
       << "\n";
  }
  return os.str();
}

}  // namespace airy::config
