// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Grid initialisation of the MAP and the distinct modes of its L-BFGS ends.
#include "pipeline/init_grid.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

#include "airy/core/error.hpp"
#include "airy/core/rng.hpp"
#include "airy/pipeline/pipeline.hpp"

namespace airy::pipeline {
namespace {

constexpr int kPriorDraws = 4096;
constexpr double kMaxGridPoints = 1e6;
/// Two L-BFGS ends are one mode unless the log density between them drops this far below
/// the lower end (log-density units): a barrier of 0.5 is e^-0.5 = 0.61 of the density.
constexpr double kBarrier = 0.5;

double quantile_sorted(const std::vector<double>& v, double p) {
  const double h = (static_cast<double>(v.size()) - 1.0) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

/// Sorted prior draws of coordinate j of site s (a scalar prior applies to each entry).
std::vector<double> prior_draws(const infer::Site& site, int s, std::uint64_t seed) {
  Rng rng(seed, (std::uint64_t{1} << 32) + static_cast<std::uint64_t>(s));
  std::vector<double> v(kPriorDraws);
  for (auto& x : v) x = site.prior->sample(rng);
  std::sort(v.begin(), v.end());
  return v;
}

/// The flat coordinate named by `key`: an output name, or the path of a scalar site.
int resolve_axis(const posterior::ImagePosterior& post, const std::string& key,
                 const std::string& field) {
  const infer::SiteModel& model = post.log_density();
  const std::vector<std::string> names = model.output_names();
  const auto site_dim = static_cast<std::size_t>(model.site_dim());
  for (std::size_t j = 0; j < site_dim; ++j) {
    if (names[j] == key) return static_cast<int>(j);
  }
  for (std::size_t s = 0; s < post.sites().size(); ++s) {
    if (post.sites()[s].path != key && model.sites()[s].name != key) continue;
    const auto& sl = model.slices()[s];
    if (sl.size != 1) {
      throw InvalidArgument(
          fmt::format("{}: '{}' is a vector of {} parameters: name one entry, e.g. '{}'", field,
                      key, sl.size, names[static_cast<std::size_t>(sl.offset)]));
    }
    return sl.offset;
  }
  std::vector<std::string> known(names.begin(), names.begin() + static_cast<long>(site_dim));
  throw InvalidArgument(fmt::format("{}: '{}' is not a sampled parameter (sampled: {})", field, key,
                                    fmt::join(known, ", ")));
}

/// Site index of flat coordinate j.
std::size_t site_of(const infer::SiteModel& model, int j) {
  for (std::size_t s = 0; s < model.slices().size(); ++s) {
    const auto& sl = model.slices()[s];
    if (j >= sl.offset && j < sl.offset + sl.size) return s;
  }
  throw Error(fmt::format("grid: no site holds coordinate {}", j));
}

std::string toml_quoted(const std::string& s) {
  std::ostringstream os;
  os << toml::value<std::string>(s);
  return os.str();
}

}  // namespace

GridSpec parse_grid_flag(std::string_view text, std::string_view field) {
  GridSpec spec;
  spec.field = std::string(field);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    const std::string_view entry = text.substr(pos, comma - pos);
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw InvalidArgument(fmt::format(
          "{} = '{}': entry '{}' is not NAME=POINTS (e.g. separation=8,position_angle=12)", field,
          text, entry));
    }
    const std::string_view count = entry.substr(eq + 1);
    int n = 0;
    const auto r = std::from_chars(count.data(), count.data() + count.size(), n);
    if (r.ec != std::errc() || r.ptr != count.data() + count.size() || n < 2 || n > 10000) {
      throw InvalidArgument(
          fmt::format("{} = '{}': {} = '{}': grid points must be an integer in "
                      "[2, 10000]",
                      field, text, entry.substr(0, eq), count));
    }
    spec.axes.emplace_back(std::string(entry.substr(0, eq)), n);
    pos = comma + 1;
  }
  return spec;
}

void apply_grid(config::Config& c, const std::string& grid, int grid_starts) {
  const GridSpec spec = parse_grid_flag(grid, "--grid");
  if (c.sampler.method == "pt") {
    throw InvalidArgument(fmt::format(
        "--grid = '{}': parallel tempering (sampler.method = \"pt\", --pt) runs no MAP; its "
        "chains start from the prior",
        grid));
  }
  if (grid_starts < 0) {
    throw InvalidArgument(fmt::format("--grid-starts = {}: must be >= 1", grid_starts));
  }
  c.sampler.map_grid = spec.axes;
  if (grid_starts > 0) c.sampler.map_grid_starts = grid_starts;
  const bool adapts_metric = c.sampler.metric == "diag_e" || c.sampler.metric == "dense_e";
  const bool uses_map = c.sampler.init == "map" || c.sampler.metric == "fisher" ||
                        (adapts_metric && c.sampler.metric_init == "laplace");
  if (!uses_map) c.sampler.init = "map";
}

GridSpec config_grid(const std::vector<std::pair<std::string, int>>& map_grid, int starts) {
  GridSpec spec;
  spec.axes = map_grid;
  spec.starts = starts;
  return spec;
}

namespace {

/// grid_search(); `evaluate` false: only the checks of the axes (check_grid).
GridSearch search(const posterior::ImagePosterior& post, const GridSpec& spec, std::uint64_t seed,
                  bool evaluate) {
  const auto t0 = std::chrono::steady_clock::now();
  const infer::SiteModel& model = post.log_density();
  const std::vector<std::string> names = model.output_names();
  if (spec.axes.empty()) throw InvalidArgument(fmt::format("{}: names no parameter", spec.field));
  if (spec.starts < 1) {
    throw InvalidArgument(fmt::format("{}: {} grid starts: must be >= 1", spec.field, spec.starts));
  }
  GridSearch g;
  std::vector<int> axis_index;
  double total = 1.0;
  for (const auto& [key, n] : spec.axes) {
    if (n < 2) {
      throw InvalidArgument(
          fmt::format("{}: {} = {}: grid points must be >= 2", spec.field, key, n));
    }
    const int j = resolve_axis(post, key, spec.field);
    if (std::find(axis_index.begin(), axis_index.end(), j) != axis_index.end()) {
      throw InvalidArgument(fmt::format("{}: {}: '{}' is already a grid axis", spec.field, key,
                                        names[static_cast<std::size_t>(j)]));
    }
    const infer::Site& site = model.sites()[site_of(model, j)];
    if (!site.prior) {
      throw InvalidArgument(
          fmt::format("{}: {}: a flat prior has no range to lay a grid over", spec.field, key));
    }
    total *= n;
    axis_index.push_back(j);
    g.axis_names.push_back(names[static_cast<std::size_t>(j)]);
  }
  if (total > kMaxGridPoints) {
    throw InvalidArgument(
        fmt::format("{}: {:.0f} grid points: at most {:.0f}", spec.field, total, kMaxGridPoints));
  }
  if (!evaluate) return g;

  // The parameters off the grid: prior medians (configured values under a flat prior).
  g.centre = post.current_values();
  g.centre.resize(static_cast<std::size_t>(model.site_dim()));
  for (std::size_t s = 0; s < model.sites().size(); ++s) {
    const infer::Site& site = model.sites()[s];
    const auto& sl = model.slices()[s];
    if (!site.prior) continue;
    if (site.prior->event_size() == 1) {
      const double median = quantile_sorted(prior_draws(site, static_cast<int>(s), seed), 0.5);
      for (int k = 0; k < sl.size; ++k) g.centre[static_cast<std::size_t>(sl.offset + k)] = median;
    } else {
      // A joint prior over the block: the coordinate-wise median of its draws.
      Rng rng(seed, (std::uint64_t{1} << 32) + s);
      std::vector<std::vector<double>> v(static_cast<std::size_t>(sl.size));
      std::vector<double> draw(static_cast<std::size_t>(sl.size));
      for (int d = 0; d < kPriorDraws; ++d) {
        site.prior->sample(rng, draw);
        for (std::size_t k = 0; k < draw.size(); ++k) v[k].push_back(draw[k]);
      }
      for (std::size_t k = 0; k < v.size(); ++k) {
        std::sort(v[k].begin(), v[k].end());
        g.centre[static_cast<std::size_t>(sl.offset) + k] = quantile_sorted(v[k], 0.5);
      }
    }
  }
  for (std::size_t a = 0; a < axis_index.size(); ++a) {
    const std::size_t s = site_of(model, axis_index[a]);
    const infer::Site& site = model.sites()[s];
    const infer::Support sup = site.prior->support();
    const int n = spec.axes[a].second;
    std::vector<double> values(static_cast<std::size_t>(n));
    if (sup.kind == infer::Support::Kind::interval) {
      for (int k = 0; k < n; ++k) {
        values[static_cast<std::size_t>(k)] = sup.lower + (k + 0.5) * (sup.upper - sup.lower) / n;
      }
    } else {
      const std::vector<double> draws = prior_draws(site, static_cast<int>(s), seed);
      for (int k = 0; k < n; ++k) {
        values[static_cast<std::size_t>(k)] = quantile_sorted(draws, (k + 0.5) / n);
      }
    }
    g.axis_values.push_back(std::move(values));
  }

  // Every combination, the last axis fastest.
  auto ws = model.make_workspace();
  std::vector<double> u(static_cast<std::size_t>(model.dim())), grad(u.size());
  std::vector<int> idx(axis_index.size(), 0);
  const auto count = static_cast<long long>(total);
  g.points.reserve(static_cast<std::size_t>(count));
  for (long long p = 0; p < count; ++p) {
    GridPoint pt;
    pt.values = g.centre;
    for (std::size_t a = 0; a < idx.size(); ++a) {
      pt.values[static_cast<std::size_t>(axis_index[a])] =
          g.axis_values[a][static_cast<std::size_t>(idx[a])];
    }
    pt.log_density = -std::numeric_limits<double>::infinity();
    if (model.unconstrain(pt.values, u)) {
      const double lp = model.log_density_gradient(u, grad, ws.get());
      if (std::isfinite(lp)) pt.log_density = lp;
    }
    g.points.push_back(std::move(pt));
    for (std::size_t a = idx.size(); a-- > 0;) {
      if (++idx[a] < spec.axes[a].second) break;
      idx[a] = 0;
    }
  }
  std::stable_sort(g.points.begin(), g.points.end(), [](const GridPoint& a, const GridPoint& b) {
    return a.log_density > b.log_density;
  });
  if (!std::isfinite(g.points.front().log_density)) {
    throw Error(fmt::format("{}: none of the {} grid points has a finite log density", spec.field,
                            g.points.size()));
  }
  g.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return g;
}

}  // namespace

GridSearch grid_search(const posterior::ImagePosterior& post, const GridSpec& spec,
                       std::uint64_t seed) {
  return search(post, spec, seed, true);
}

void check_grid(const posterior::ImagePosterior& post, const GridSpec& spec) {
  (void)search(post, spec, 0, false);
}

std::vector<Mode> distinct_modes(const posterior::ImagePosterior& post,
                                 const posterior::OptimizeResult& result) {
  const infer::SiteModel& model = post.log_density();
  auto ws = model.make_workspace();
  std::vector<double> u(static_cast<std::size_t>(model.dim())), grad(u.size());
  auto lp_at = [&](const std::vector<double>& a, const std::vector<double>& b, double t) {
    for (std::size_t i = 0; i < u.size(); ++i) u[i] = a[i] + t * (b[i] - a[i]);
    const double lp = model.log_density_gradient(u, grad, ws.get());
    return std::isfinite(lp) ? lp : -std::numeric_limits<double>::infinity();
  };
  // Best first, so that each mode's representative is its highest end.
  std::vector<int> order;
  for (std::size_t k = 0; k < result.starts.size(); ++k) {
    if (std::isfinite(result.starts[k].objective)) order.push_back(static_cast<int>(k));
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return result.starts[static_cast<std::size_t>(a)].objective >
           result.starts[static_cast<std::size_t>(b)].objective;
  });
  std::vector<Mode> modes;
  for (int k : order) {
    const posterior::OptimizeStart& s = result.starts[static_cast<std::size_t>(k)];
    bool placed = false;
    for (Mode& m : modes) {
      const posterior::OptimizeStart& r = result.starts[static_cast<std::size_t>(m.start)];
      const double floor = std::min(s.objective, r.objective) - kBarrier;
      bool barrier = false;
      for (double t : {0.25, 0.5, 0.75}) {
        if (lp_at(r.unconstrained, s.unconstrained, t) < floor) {
          barrier = true;
          break;
        }
      }
      if (!barrier) {
        m.members.push_back(k);
        placed = true;
        break;
      }
    }
    if (!placed) {
      Mode m;
      m.start = k;
      m.members = {k};
      m.log_density = s.objective;
      m.gradient_norm = s.gradient_norm;
      modes.push_back(std::move(m));
    }
  }
  return modes;
}

GridMap grid_map(const posterior::ImagePosterior& post, const GridSpec& spec,
                 posterior::OptimizeOptions options) {
  GridMap gm;
  gm.grid = grid_search(post, spec, options.seed);
  for (const GridPoint& p : gm.grid.points) {
    if (gm.grid_starts >= spec.starts || !std::isfinite(p.log_density)) break;
    options.starts.push_back(p.values);
    ++gm.grid_starts;
  }
  gm.map = posterior::optimize(post, options);
  gm.grid_starts = std::min<int>(gm.grid_starts, static_cast<int>(gm.map.starts.size()));
  gm.modes = distinct_modes(post, gm.map);
  return gm;
}

std::string grid_text(const GridSearch& grid, int starts) {
  std::vector<std::string> sizes;
  for (const auto& v : grid.axis_values) sizes.push_back(std::to_string(v.size()));
  std::string text = fmt::format(
      "grid: {} = {} points over {} in {:.2f} s (the other parameters at their prior medians); "
      "best log density {:.8g}; the best {} start L-BFGS\n",
      fmt::join(sizes, " x "), grid.points.size(), fmt::join(grid.axis_names, ", "), grid.seconds,
      grid.points.front().log_density, std::min<std::size_t>(grid.points.size(), starts));
  return text;
}

std::string modes_text(const posterior::OptimizeResult& result, const std::vector<Mode>& modes,
                       int grid_starts) {
  if (modes.empty()) return "";
  std::string text = fmt::format("MAP modes: {} distinct among {} L-BFGS ends\n", modes.size(),
                                 result.starts.size());
  for (std::size_t i = 0; i < modes.size(); ++i) {
    const Mode& m = modes[i];
    const int from_grid = static_cast<int>(
        std::count_if(m.members.begin(), m.members.end(), [&](int k) { return k < grid_starts; }));
    text += fmt::format(
        "  mode {}: log density {:.8g} ({:+.4g} from the best), {} start{} ({} from the grid), "
        "|grad| {:.2g}\n   ",
        i + 1, m.log_density, m.log_density - modes[0].log_density, m.members.size(),
        m.members.size() == 1 ? "" : "s", from_grid, m.gradient_norm);
    const auto& values = result.starts[static_cast<std::size_t>(m.start)].values;
    for (std::size_t j = 0; j < result.names.size() && j < values.size(); ++j) {
      text += fmt::format(" {} = {:.6g}", result.names[j], values[j]);
    }
    text += "\n";
  }
  return text;
}

std::string modes_toml(const posterior::OptimizeResult& result, const std::vector<Mode>& modes,
                       int grid_starts) {
  std::string text;
  for (const Mode& m : modes) {
    const int from_grid = static_cast<int>(
        std::count_if(m.members.begin(), m.members.end(), [&](int k) { return k < grid_starts; }));
    text += fmt::format(
        "[[map_modes]]\nlog_density = {:.12g}\nstarts = {}\ngrid_starts = {}\n"
        "gradient_norm = {:.6g}\nvalues = {{ ",
        m.log_density, m.members.size(), from_grid, m.gradient_norm);
    const auto& values = result.starts[static_cast<std::size_t>(m.start)].values;
    for (std::size_t j = 0; j < result.names.size() && j < values.size(); ++j) {
      text += fmt::format("{}{} = {:.12g}", j ? ", " : "", toml_quoted(result.names[j]), values[j]);
    }
    text += " }\n\n";
  }
  return text;
}

}  // namespace airy::pipeline
