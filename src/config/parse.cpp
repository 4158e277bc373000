// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief TOML -> Config, validating every key and value (docs/config.md is the reference).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "airy/config/config.hpp"
#include "airy/core/error.hpp"
#include "config/toml_section.hpp"

namespace airy::config {
namespace {

using detail::Section;

void require_positive(const Section& s, std::string_view key, double value) {
  if (!(value > 0.0) || !std::isfinite(value)) s.fail(key, "must be > 0");
}

void require_nonnegative(const Section& s, std::string_view key, double value) {
  if (!(value >= 0.0) || !std::isfinite(value)) s.fail(key, "must be >= 0");
}

ShapeConfig parse_shape(const Section& s) {
  ShapeConfig shape;
  shape.type = s.string("type", "");
  static const std::vector<std::string> kTypes = {"circle",  "annulus", "square", "rectangle",
                                                  "polygon", "hexagon", "spider"};
  if (std::find(kTypes.begin(), kTypes.end(), shape.type) == kTypes.end()) {
    const std::string hint = detail::nearest(shape.type, kTypes);
    s.fail("type", fmt::format("unknown shape{} (expected one of {})",
                               hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                               fmt::join(kTypes, ", ")));
  }
  shape.radius = s.number("radius", 0.0);
  shape.inner_radius = s.number("inner_radius", 0.0);
  shape.width = s.number("width", 0.0);
  shape.height = s.number("height", 0.0);
  shape.sides = s.integer("sides", shape.type == "hexagon" ? 6 : 0);
  shape.angles = s.numbers("angles", {});
  shape.centre_x = s.number("centre_x", 0.0);
  shape.centre_y = s.number("centre_y", 0.0);
  shape.rotation = s.number("rotation", 0.0);
  shape.invert = s.boolean("invert", false);
  const auto& t = shape.type;
  if (t == "circle" || t == "annulus" || t == "polygon" || t == "hexagon") {
    require_positive(s, "radius", shape.radius);
  }
  if (t == "annulus") {
    require_positive(s, "inner_radius", shape.inner_radius);
    if (shape.inner_radius >= shape.radius) s.fail("inner_radius", "must be < radius");
  }
  if (t == "square" || t == "rectangle" || t == "spider") require_positive(s, "width", shape.width);
  if (t == "rectangle") require_positive(s, "height", shape.height);
  if (t == "polygon" && shape.sides < 3) s.fail("sides", "a polygon needs at least 3 sides");
  if (t == "spider" && shape.angles.empty()) s.fail("angles", "a spider needs at least one arm");
  return shape;
}

void parse_optics(const Section& root, Config& c) {
  auto s = root.table("optics", {"type", "npix", "diameter", "psf_npix", "psf_pixel_scale",
                                 "oversample", "focal_length", "aperture", "aberrations"});
  if (!s) return;
  OpticsConfig& o = c.optics;
  o.type = s->string("type", o.type);
  if (o.type != "angular" && o.type != "cartesian") {
    s->fail("type", "expected \"angular\" or \"cartesian\"");
  }
  o.npix = s->integer("npix", o.npix);
  if (o.npix < 2) s->fail("npix", "must be >= 2");
  o.diameter = s->number("diameter", o.diameter);
  require_positive(*s, "diameter", o.diameter);
  o.psf_npix = s->integer("psf_npix", o.psf_npix);
  if (o.psf_npix < 1) s->fail("psf_npix", "must be >= 1");
  o.psf_pixel_scale = s->number("psf_pixel_scale", o.psf_pixel_scale);
  require_positive(*s, "psf_pixel_scale", o.psf_pixel_scale);
  o.oversample = s->integer("oversample", o.oversample);
  if (o.oversample < 1) s->fail("oversample", "must be >= 1");
  o.focal_length = s->number("focal_length", o.focal_length);
  if (o.type == "cartesian") require_positive(*s, "focal_length", o.focal_length);

  if (auto a = s->table("aperture",
                        {"soft_edge", "edge_oversample", "edge_width", "normalise", "shapes"})) {
    o.soft_edge = a->string("soft_edge", o.soft_edge);
    if (o.soft_edge != "oversample" && o.soft_edge != "analytic" && o.soft_edge != "hard") {
      a->fail("soft_edge", "expected \"oversample\", \"analytic\" or \"hard\"");
    }
    o.edge_oversample = a->integer("edge_oversample", o.edge_oversample);
    if (o.edge_oversample < 1) a->fail("edge_oversample", "must be >= 1");
    o.edge_width = a->number("edge_width", o.edge_width);
    require_nonnegative(*a, "edge_width", o.edge_width);
    o.normalise = a->boolean("normalise", o.normalise);
    for (const auto& shape :
         a->tables("shapes", {"type", "radius", "inner_radius", "width", "height", "sides",
                              "angles", "centre_x", "centre_y", "rotation", "invert"})) {
      o.shapes.push_back(parse_shape(shape));
    }
  }
  if (o.shapes.empty()) {
    ShapeConfig circle;
    circle.type = "circle";
    circle.radius = o.diameter / 2;
    o.shapes.push_back(circle);
  }

  if (auto ab = s->table("aberrations",
                         {"noll", "coefficients", "coefficients_rms", "coefficients_seed"})) {
    o.noll = ab->integers("noll", {});
    for (int j : o.noll) {
      if (j < 1) ab->fail("noll", fmt::format("Noll index {} is < 1", j));
    }
    std::set<int> unique(o.noll.begin(), o.noll.end());
    if (unique.size() != o.noll.size()) ab->fail("noll", "indices must be distinct");
    o.coefficients = ab->numbers("coefficients", {});
    o.coefficients_rms = ab->number("coefficients_rms", 0.0);
    require_nonnegative(*ab, "coefficients_rms", o.coefficients_rms);
    o.coefficients_seed = static_cast<unsigned>(ab->integer("coefficients_seed", 0));
    if (!o.coefficients.empty() && o.coefficients.size() != o.noll.size()) {
      ab->fail("coefficients",
               fmt::format("has {} entries but noll has {}", o.coefficients.size(), o.noll.size()));
    }
    for (double v : o.coefficients) {
      if (!std::isfinite(v)) ab->fail("coefficients", "every coefficient must be finite");
    }
  }
}

void parse_source(const Section& root, Config& c) {
  auto s = root.table("source", {"type", "x_position", "y_position", "separation", "position_angle",
                                 "log_flux", "contrast", "positions_x", "positions_y", "log_fluxes",
                                 "wavelengths_nm", "band_nm", "n_wavelengths", "weights"});
  if (!s) return;
  SourceConfig& src = c.source;
  src.type = s->string("type", src.type);
  if (src.type != "binary" && src.type != "point" && src.type != "points") {
    s->fail("type", "expected \"binary\", \"point\" or \"points\"");
  }
  src.x_position = s->number("x_position", src.x_position);
  src.y_position = s->number("y_position", src.y_position);
  src.separation = s->number("separation", src.separation);
  require_nonnegative(*s, "separation", src.separation);
  src.position_angle = s->number("position_angle", src.position_angle);
  src.log_flux = s->number("log_flux", src.log_flux);
  if (!std::isfinite(src.log_flux)) s->fail("log_flux", "must be finite");
  src.contrast = s->number("contrast", src.contrast);
  require_positive(*s, "contrast", src.contrast);
  src.positions_x = s->numbers("positions_x", {});
  src.positions_y = s->numbers("positions_y", {});
  src.log_fluxes = s->numbers("log_fluxes", {});
  if (src.type == "points") {
    if (src.positions_x.empty()) s->fail("positions_x", "type \"points\" needs positions");
    if (src.positions_y.size() != src.positions_x.size() ||
        src.log_fluxes.size() != src.positions_x.size()) {
      s->fail("positions_y", "positions_x, positions_y and log_fluxes need equal lengths");
    }
  }
  src.wavelengths_nm = s->numbers("wavelengths_nm", {});
  for (double w : src.wavelengths_nm) {
    if (!(w > 0.0) || !std::isfinite(w)) s->fail("wavelengths_nm", "every wavelength must be > 0");
  }
  src.band_nm = s->numbers("band_nm", src.band_nm);
  if (src.band_nm.size() != 2 || !(src.band_nm[0] > 0.0) || !(src.band_nm[1] >= src.band_nm[0])) {
    s->fail("band_nm", "expected [min, max] with 0 < min <= max (nm)");
  }
  src.n_wavelengths = s->integer("n_wavelengths", src.n_wavelengths);
  if (src.n_wavelengths < 1) s->fail("n_wavelengths", "must be >= 1");
  src.weights = s->numbers("weights", {});
  const std::size_t nl = src.wavelengths_nm.empty() ? static_cast<std::size_t>(src.n_wavelengths)
                                                    : src.wavelengths_nm.size();
  if (!src.weights.empty()) {
    if (src.weights.size() != nl) {
      s->fail("weights", fmt::format("has {} entries for {} wavelengths", src.weights.size(), nl));
    }
    double total = 0.0;
    for (double w : src.weights) {
      if (!(w >= 0.0) || !std::isfinite(w)) s->fail("weights", "weights must be >= 0");
      total += w;
    }
    if (!(total > 0.0)) s->fail("weights", "weights must not all be zero");
  }
}

void parse_detector(const Section& root, Config& c) {
  auto s = root.table("detector", {"layers"});
  if (!s) return;
  for (const auto& l : s->tables("layers", {"type", "factor", "sigma", "value", "file"})) {
    DetectorLayerConfig layer;
    layer.type = l.string("type", "");
    static const std::vector<std::string> kTypes = {"downsample", "jitter", "pixel_response",
                                                    "background", "saturation"};
    if (std::find(kTypes.begin(), kTypes.end(), layer.type) == kTypes.end()) {
      l.fail("type",
             fmt::format("unknown detector layer (expected one of {})", fmt::join(kTypes, ", ")));
    }
    layer.factor = l.integer("factor", 1);
    if (layer.factor < 1) l.fail("factor", "must be >= 1");
    layer.sigma = l.number("sigma", 0.0);
    require_nonnegative(l, "sigma", layer.sigma);
    layer.value = l.number("value", 0.0);
    layer.file = l.string("file", "");
    if (layer.type == "saturation") require_positive(l, "value", layer.value);
    c.detector.push_back(layer);
  }
}

void parse_noise_and_likelihood(const Section& root, Config& c) {
  if (auto s = root.table("noise", {"photon", "read_sigma", "seed"})) {
    c.noise.photon = s->boolean("photon", c.noise.photon);
    c.noise.read_sigma = s->number("read_sigma", c.noise.read_sigma);
    require_nonnegative(*s, "read_sigma", c.noise.read_sigma);
    c.noise.seed = static_cast<unsigned>(s->integer("seed", 0));
  }
  if (auto s = root.table("likelihood", {"kind", "sigma"})) {
    c.likelihood.kind = s->string("kind", c.likelihood.kind);
    static const std::vector<std::string> kKinds = {"poisson", "gaussian", "poisson_gaussian",
                                                    "poisson_gaussian_exact"};
    if (std::find(kKinds.begin(), kKinds.end(), c.likelihood.kind) == kKinds.end()) {
      s->fail("kind", fmt::format("expected one of {}", fmt::join(kKinds, ", ")));
    }
    c.likelihood.sigma = s->number("sigma", c.likelihood.sigma);
    if (c.likelihood.kind != "poisson") require_positive(*s, "sigma", c.likelihood.sigma);
  }
}

/// Sampling units and their factor to the path's native unit (metres of OPD, arcsec).
double unit_scale(const Section& s, const std::string& unit) {
  if (unit.empty() || unit == "m" || unit == "arcsec" || unit == "deg") return 1.0;
  if (unit == "nm") return 1e-9;
  if (unit == "um") return 1e-6;
  if (unit == "mm") return 1e-3;
  if (unit == "mas") return 1e-3;
  s.fail("unit", "expected one of nm, um, mm, m (lengths), mas, arcsec (angles), deg");
}

/// Priors keep the order in which they appear in the file (toml++ sorts tables by key).
void parse_priors(const Section& root, Config& c) {
  if (!root.has("priors")) return;
  const auto* table = root.raw().get("priors")->as_table();
  if (!table) root.fail("priors", "expected a table of [priors.\"path\"] tables");
  std::vector<std::pair<toml::source_position, std::string>> order;
  for (const auto& [key, node] : *table) {
    order.emplace_back(node.source().begin, std::string(key.str()));
  }
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.first.line != b.first.line ? a.first.line < b.first.line
                                        : a.first.column < b.first.column;
  });
  for (const auto& [position, path] : order) {
    const toml::node* node = table->get(path);
    if (!node->is_table()) {
      root.fail("priors", fmt::format("priors.\"{}\" must be a table with a `dist` key", path));
    }
    // Distribution parameters are free-form numbers (validated by the distribution factory
    // when the posterior is built); the other keys are fixed.
    PriorConfig prior;
    prior.path = path;
    const std::string name = fmt::format("priors.\"{}\"", path);
    for (const auto& [key, value] : *node->as_table()) {
      const std::string k(key.str());
      if (k == "dist" || k == "unit" || k == "unit_scale" || k == "truth") continue;
      if (!(value.is_floating_point() || value.is_integer())) {
        throw InvalidArgument(
            fmt::format("{}:{}:{}: {}.{}: distribution parameters must be numbers", c.source_name,
                        value.source().begin.line, value.source().begin.column, name, k));
      }
      prior.params[k] = *value.value<double>();
    }
    const toml::table& t = *node->as_table();
    if (!t.contains("dist") || !t.get("dist")->is_string()) {
      throw InvalidArgument(fmt::format("{}:{}:{}: {}: needs dist = \"<distribution name>\"",
                                        c.source_name, node->source().begin.line,
                                        node->source().begin.column, name));
    }
    prior.dist = t.get("dist")->as_string()->get();
    if (t.contains("unit")) {
      if (!t.get("unit")->is_string()) {
        throw InvalidArgument(fmt::format("{}: {}.unit must be a string", c.source_name, name));
      }
      prior.unit = t.get("unit")->as_string()->get();
    }
    if (auto v = t.get("unit_scale"); v) {
      if (!(v->is_floating_point() || v->is_integer()) || !(*v->value<double>() > 0.0)) {
        throw InvalidArgument(
            fmt::format("{}: {}.unit_scale must be a number > 0", c.source_name, name));
      }
      prior.scale = *v->value<double>();
    } else {
      const Section unit_section(t, name, c.source_name);
      prior.scale = unit_scale(unit_section, prior.unit);
    }
    if (auto v = t.get("truth"); v) {
      if (!(v->is_floating_point() || v->is_integer())) {
        throw InvalidArgument(fmt::format("{}: {}.truth must be a number", c.source_name, name));
      }
      prior.truth = *v->value<double>();
    }
    if (prior.params.count("low") && prior.params.count("high") &&
        !(prior.params["low"] < prior.params["high"])) {
      throw InvalidArgument(fmt::format(
          "{}:{}:{}: {}: low = {} >= high = {}: the prior has no support (bounds reversed?)",
          c.source_name, node->source().begin.line, node->source().begin.column, name,
          prior.params["low"], prior.params["high"]));
    }
    for (const auto& other : c.priors) {
      if (other.path == path) {
        throw InvalidArgument(fmt::format("{}: {} appears twice", c.source_name, name));
      }
    }
    c.priors.push_back(std::move(prior));
  }
}

void parse_sampler_and_output(const Section& root, Config& c) {
  if (auto s = root.table("sampler", {"num_chains", "num_warmup", "num_samples", "seed",
                                      "num_threads", "metric", "delta", "max_depth", "save_warmup",
                                      "thin", "init", "map_starts", "metric_init"})) {
    SamplerConfig& m = c.sampler;
    m.num_chains = s->integer("num_chains", m.num_chains);
    if (m.num_chains < 1) s->fail("num_chains", "must be >= 1");
    m.num_warmup = s->integer("num_warmup", m.num_warmup);
    if (m.num_warmup < 0) s->fail("num_warmup", "must be >= 0");
    m.num_samples = s->integer("num_samples", m.num_samples);
    if (m.num_samples < 1) s->fail("num_samples", "must be >= 1");
    m.seed = static_cast<unsigned>(s->integer("seed", static_cast<int>(m.seed)));
    m.num_threads = s->integer("num_threads", m.num_threads);
    if (m.num_threads < 0) s->fail("num_threads", "must be >= 0 (0 = automatic)");
    m.metric = s->string("metric", m.metric);
    if (m.metric != "diag_e" && m.metric != "dense_e" && m.metric != "unit_e" &&
        m.metric != "fisher") {
      s->fail("metric", "expected \"diag_e\", \"dense_e\", \"unit_e\" or \"fisher\"");
    }
    m.init = s->string("init", m.init);
    if (m.init != "random" && m.init != "map") s->fail("init", "expected \"random\" or \"map\"");
    m.metric_init = s->string("metric_init", m.metric_init);
    if (m.metric_init != "identity" && m.metric_init != "laplace") {
      s->fail("metric_init", "expected \"identity\" or \"laplace\"");
    }
    m.map_starts = s->integer("map_starts", m.map_starts);
    if (m.map_starts < 1) s->fail("map_starts", "must be >= 1");
    m.delta = s->number("delta", m.delta);
    if (!(m.delta > 0.0 && m.delta < 1.0)) s->fail("delta", "must lie in (0, 1)");
    m.max_depth = s->integer("max_depth", m.max_depth);
    if (m.max_depth < 1) s->fail("max_depth", "must be >= 1");
    m.save_warmup = s->boolean("save_warmup", m.save_warmup);
    m.thin = s->integer("thin", m.thin);
    if (m.thin < 1) s->fail("thin", "must be >= 1");
  }
  if (auto s = root.table("output", {"dir"})) c.output_dir = s->string("dir", c.output_dir);
}

/// [plot]: figure width (inches), parameter subset, output formats, image stretch, dpi.
void parse_plot(const Section& root, Config& c) {
  const auto s = root.table("plot", {"width", "parameters", "format", "stretch", "dpi"});
  if (!s) return;
  PlotConfig& p = c.plot;
  // A string or an array of strings (`format` takes either).
  auto strings = [&](std::string_view key, bool single_ok, std::vector<std::string> fallback) {
    const toml::node* n = s->raw().get(key);
    if (n == nullptr) return fallback;
    if (single_ok && n->is_string()) return std::vector<std::string>{n->as_string()->get()};
    if (!n->is_array())
      s->fail(key, single_ok ? "expected a string or an array of strings"
                             : "expected an array of strings");
    std::vector<std::string> out;
    for (const toml::node& e : *n->as_array()) {
      if (!e.is_string()) s->fail(key, "expected an array of strings");
      out.push_back(e.as_string()->get());
    }
    return out;
  };
  p.width = s->number("width", p.width);
  if (!(p.width == 0.0 || (p.width >= 1.0 && p.width <= 40.0))) {
    s->fail("width",
            "must be 0 (each figure's default) or in [1, 40] inches (3.5 = a journal "
            "column, 7 = a page)");
  }
  p.parameters = strings("parameters", false, p.parameters);
  p.formats = strings("format", true, p.formats);
  if (p.formats.empty()) s->fail("format", "needs at least one of \"png\", \"pdf\", \"svg\"");
  for (const std::string& f : p.formats) {
    if (f != "png" && f != "pdf" && f != "svg") {
      s->fail("format", fmt::format("\"{}\": expected \"png\", \"pdf\" or \"svg\"", f));
    }
    if (std::count(p.formats.begin(), p.formats.end(), f) > 1) {
      s->fail("format", fmt::format("\"{}\" appears twice", f));
    }
  }
  p.stretch = s->string("stretch", p.stretch);
  if (p.stretch != "linear" && p.stretch != "sqrt" && p.stretch != "log" && p.stretch != "asinh") {
    s->fail("stretch", "expected \"linear\", \"sqrt\", \"log\" or \"asinh\"");
  }
  p.dpi = s->number("dpi", p.dpi);
  if (!(p.dpi > 0.0 && p.dpi <= 1200.0)) s->fail("dpi", "must be in (0, 1200]");
}

}  // namespace

Config parse_config(std::string_view toml_text, std::string_view source_name) {
  toml::table root_table;
  try {
    root_table = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& e) {
    throw InvalidArgument(fmt::format("{}:{}:{}: TOML syntax error: {}", source_name,
                                      e.source().begin.line, e.source().begin.column,
                                      e.description()));
  }
  Config c;
  c.source_name = std::string(source_name);
  const Section root(root_table, "", std::string(source_name),
                     {"optics", "source", "detector", "noise", "likelihood", "priors", "sampler",
                      "output", "plot"});
  parse_optics(root, c);
  parse_source(root, c);
  parse_detector(root, c);
  parse_noise_and_likelihood(root, c);
  parse_priors(root, c);
  parse_sampler_and_output(root, c);
  parse_plot(root, c);
  return c;
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InvalidArgument(fmt::format("config file '{}': cannot be read", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_config(buffer.str(), path);
}

}  // namespace airy::config
