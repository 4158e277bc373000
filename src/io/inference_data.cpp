// SPDX-License-Identifier: BSD-3-Clause
#include "airy/io/inference_data.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <netcdf.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <numeric>
#include <sstream>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"
#include "airy/io/cmdstan_csv.hpp"

namespace airy::io {
namespace {

/// Throws airy::Error "path: NetCDF <what> failed: <nc_strerror>" when status != NC_NOERR.
class Nc {
 public:
  explicit Nc(std::string path) : path_(std::move(path)) {}
  void operator()(int status, const std::string& what) const {
    if (status != NC_NOERR) {
      throw Error(fmt::format("{}: NetCDF {} failed: {}", path_, what, nc_strerror(status)));
    }
  }

 private:
  std::string path_;
};

void put_text(const Nc& nc, int id, int var, const std::string& key, const std::string& value) {
  nc(nc_put_att_text(id, var, key.c_str(), value.size(), value.c_str()), "attribute " + key);
}

std::string iso_now() {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}+00:00", now);
}

struct Metadata {
  std::string created_at;
  std::string inference_library;
};

void put_metadata(const Nc& nc, int id, const Metadata& m) {
  put_text(nc, id, NC_GLOBAL, "created_at", m.created_at);
  put_text(nc, id, NC_GLOBAL, "creation_library", "airy");
  put_text(nc, id, NC_GLOBAL, "creation_library_version", kAiryVersion);
  put_text(nc, id, NC_GLOBAL, "creation_library_language", "C++");
  put_text(nc, id, NC_GLOBAL, "inference_library", m.inference_library);
  put_text(nc, id, NC_GLOBAL, "inference_library_version", kAiryVersion);
}

/// A group being defined: its dims (each with an int64 coordinate variable) and variables.
class Group {
 public:
  Group(const Nc& nc, int parent, const std::string& name, const Metadata& m, bool compress)
      : nc_(nc), compress_(compress) {
    nc_(nc_def_grp(parent, name.c_str(), &id_), "define group " + name);
    put_metadata(nc_, id_, m);
  }

  /// Defines dim `name` with coordinates `coords` (written later); returns the dim id.
  int dim(const std::string& name, std::vector<long long> coords) {
    return dim(NamedDim{name, std::move(coords), {}});
  }

  /// Defines dim `d.name` with its integer or string coordinates; returns the dim id. A dim
  /// defined before is reused, and must have the same size.
  int dim(NamedDim d) {
    const std::size_t size = d.size();
    auto it = dims_.find(d.name);
    if (it != dims_.end()) {
      if (sizes_[d.name] != size) {
        throw InvalidArgument(fmt::format(
            "write_inference_data: dim '{}' has {} entries in one variable and {} in another",
            d.name, sizes_[d.name], size));
      }
      return it->second;
    }
    int id = 0, v = 0;
    nc_(nc_def_dim(id_, d.name.c_str(), size, &id), "define dim " + d.name);
    const nc_type type = d.labels.empty() ? NC_INT64 : NC_STRING;
    nc_(nc_def_var(id_, d.name.c_str(), type, 1, &id, &v), "define coordinate " + d.name);
    coords_.push_back({v, std::move(d.coords), std::move(d.labels)});
    dims_[d.name] = id;
    sizes_[d.name] = size;
    return id;
  }

  /// Defines a variable of `type` over `dims`; returns its id.
  int var(const std::string& name, nc_type type, const std::vector<int>& dims) {
    if (dims_.count(name) != 0) {
      throw InvalidArgument(
          fmt::format("write_inference_data: variable '{}' has the name of a dimension", name));
    }
    int v = 0;
    nc_(nc_def_var(id_, name.c_str(), type, static_cast<int>(dims.size()), dims.data(), &v),
        "define variable " + name);
    nc_(nc_def_var_fill(id_, v, NC_NOFILL, nullptr), "set no-fill for " + name);
    if (compress_ && !dims.empty()) {
      nc_(nc_def_var_deflate(id_, v, 1, 1, 4), "set compression for " + name);
    }
    return v;
  }

  void attr(int var, const std::string& key, const std::string& value) {
    put_text(nc_, id_, var, key, value);
  }

  /// Writes the coordinate values (after nc_enddef).
  void write_coords() {
    for (auto& c : coords_) {
      if (!c.labels.empty()) {
        std::vector<const char*> text;
        for (const std::string& l : c.labels) text.push_back(l.c_str());
        nc_(nc_put_var_string(id_, c.var, text.data()), "write coordinates");
      } else if (!c.values.empty()) {
        nc_(nc_put_var_longlong(id_, c.var, c.values.data()), "write coordinates");
      }
    }
  }

  [[nodiscard]] int id() const { return id_; }

 private:
  const Nc& nc_;
  bool compress_;
  int id_ = 0;
  struct Coordinate {
    int var;
    std::vector<long long> values;
    std::vector<std::string> labels;
  };
  std::map<std::string, int> dims_;
  std::map<std::string, std::size_t> sizes_;
  std::vector<Coordinate> coords_;
};

std::vector<long long> iota(std::size_t n) {
  std::vector<long long> v(n);
  std::iota(v.begin(), v.end(), 0LL);
  return v;
}

/// Pending data writes: defined first, written after nc_enddef (classic-model safe).
struct Pending {
  int group;
  int var;
  std::vector<double> doubles;
  std::vector<long long> ints;
  std::vector<signed char> bytes;
};

/// The `units` attribute of parameter `name`: the caller's, else "1" (dimensionless).
std::string units_of(const std::string& name, const InferenceDataOptions& opt) {
  auto u = opt.units.find(name);
  return u != opt.units.end() && !u->second.empty() ? u->second : std::string("1");
}

/// The dims of vector variable `v` after (chain, draw): the caller's named dims when given
/// (their sizes must multiply to the vector's length), else `<name><suffix>_dim_<k>`.
std::vector<int> variable_dims(Group& g, const GroupedVariable& v, const InferenceDataOptions& opt,
                               const std::string& suffix) {
  std::vector<int> dims;
  auto named = opt.dims.find(v.name);
  if (named != opt.dims.end() && !v.shape.empty()) {
    std::size_t product = 1, total = 1;
    for (const NamedDim& d : named->second) product *= d.size();
    for (std::size_t k : v.shape) total *= k;
    if (product != total) {
      throw InvalidArgument(
          fmt::format("write_inference_data: dims of '{}' hold {} entries but the variable has {}",
                      v.name, product, total));
    }
    for (const NamedDim& d : named->second) dims.push_back(g.dim(d));
    return dims;
  }
  for (std::size_t k = 0; k < v.shape.size(); ++k) {
    dims.push_back(g.dim(fmt::format("{}{}_dim_{}", v.name, suffix, k), iota(v.shape[k])));
  }
  return dims;
}

/// Defines a per-draw group (log_likelihood, posterior_predictive) from `dg`.
void define_draw_group(const Nc& nc, int root, const std::string& name, std::size_t nchain,
                       const DrawGroup& dg, const InferenceDataOptions& opt, const Metadata& m,
                       std::vector<Group>& groups, std::vector<Pending>& pending) {
  Group& g = groups.emplace_back(nc, root, name, m, opt.compress);
  const int dchain = g.dim("chain", iota(nchain));
  const int ddraw = g.dim("draw", dg.draws);
  for (const DrawArray& a : dg.arrays) {
    std::vector<int> dims = {dchain, ddraw};
    std::size_t size = nchain * dg.draws.size();
    for (const NamedDim& d : a.dims) {
      dims.push_back(g.dim(d));
      size *= d.size();
    }
    if (a.values.size() != size) {
      throw InvalidArgument(
          fmt::format("write_inference_data: {}/{} holds {} values, not chains x draws x dims = {}",
                      name, a.name, a.values.size(), size));
    }
    Pending p{g.id(), g.var(netcdf_name(a.name), NC_DOUBLE, dims), a.values, {}, {}};
    g.attr(p.var, "units", a.units.empty() ? std::string("1") : a.units);
    if (!a.long_name.empty()) g.attr(p.var, "long_name", a.long_name);
    pending.push_back(std::move(p));
  }
}

/// Defines the posterior-like group `name` from rows [row0(c), row0(c)+n) of each chain.
void define_draws(const Nc& nc, int root, const std::string& name, const infer::Run& run,
                  const std::vector<GroupedVariable>& vars, bool warmup, std::size_t n,
                  const InferenceDataOptions& opt, const Metadata& m, std::vector<Group>& groups,
                  std::vector<Pending>& pending) {
  Group& g = groups.emplace_back(nc, root, name, m, opt.compress);
  const std::size_t nchain = run.chains.size();
  const int dchain = g.dim("chain", iota(nchain));
  const int ddraw = g.dim("draw", iota(n));
  auto row0 = [&](const infer::Chain& c) { return warmup ? 0 : c.num_warmup_saved; };
  for (const GroupedVariable& v : vars) {
    std::vector<int> dims = {dchain, ddraw};
    for (int d : variable_dims(g, v, opt, "")) dims.push_back(d);
    Pending p{g.id(), g.var(v.name, NC_DOUBLE, dims), {}, {}, {}};
    g.attr(p.var, "units", units_of(v.name, opt));
    p.doubles.reserve(nchain * n * v.columns.size());
    for (const infer::Chain& c : run.chains) {
      for (std::size_t i = 0; i < n; ++i) {
        for (int col : v.columns) p.doubles.push_back(c.draws(row0(c) + i, col));
      }
    }
    pending.push_back(std::move(p));
  }
}

/// Defines the sample_stats-like group `name`.
void define_stats(const Nc& nc, int root, const std::string& name, const infer::Run& run,
                  bool warmup, std::size_t n, const InferenceDataOptions& opt, const Metadata& m,
                  std::vector<Group>& groups, std::vector<Pending>& pending) {
  Group& g = groups.emplace_back(nc, root, name, m, opt.compress);
  const std::vector<int> dims = {g.dim("chain", iota(run.chains.size())), g.dim("draw", iota(n))};
  auto each = [&](auto&& fn) {
    for (const infer::Chain& c : run.chains) {
      const std::size_t r0 = warmup ? 0 : static_cast<std::size_t>(c.num_warmup_saved);
      for (std::size_t i = 0; i < n; ++i) fn(c.stats.at(r0 + i));
    }
  };
  auto real = [&](const char* var, double infer::SampleStats::*field) {
    Pending p{g.id(), g.var(var, NC_DOUBLE, dims), {}, {}, {}};
    g.attr(p.var, "units", "1");  // log densities, energies and steps are dimensionless
    each([&](const infer::SampleStats& s) { p.doubles.push_back(s.*field); });
    pending.push_back(std::move(p));
  };
  auto integer = [&](const char* var, int infer::SampleStats::*field) {
    Pending p{g.id(), g.var(var, NC_INT64, dims), {}, {}, {}};
    g.attr(p.var, "units", "1");
    each([&](const infer::SampleStats& s) { p.ints.push_back(s.*field); });
    pending.push_back(std::move(p));
  };
  real("lp", &infer::SampleStats::lp);
  real("acceptance_rate", &infer::SampleStats::accept_stat);
  real("step_size", &infer::SampleStats::stepsize);
  integer("tree_depth", &infer::SampleStats::treedepth);
  integer("n_steps", &infer::SampleStats::n_leapfrog);
  Pending div{g.id(), g.var("diverging", NC_BYTE, dims), {}, {}, {}};
  g.attr(div.var, "dtype", "bool");  // xarray's BooleanCoder decodes int8 + dtype=bool
  g.attr(div.var, "units", "1");
  each([&](const infer::SampleStats& s) { div.bytes.push_back(s.divergent ? 1 : 0); });
  pending.push_back(std::move(div));
  real("energy", &infer::SampleStats::energy);
}

}  // namespace

std::string netcdf_name(const std::string& name) {
  std::string out = name;
  for (char& c : out) {
    const bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' || c == '+';
    if (!ok) c = '_';
  }
  if (out.empty() || !(std::isalpha(static_cast<unsigned char>(out[0])) || out[0] == '_')) {
    out = "_" + out;
  }
  return out;
}

std::vector<GroupedVariable> group_names(const std::vector<std::string>& names) {
  struct Acc {
    std::vector<std::vector<int>> index;
    std::vector<int> column;
  };
  std::vector<std::string> order;
  std::map<std::string, Acc> acc;
  for (std::size_t j = 0; j < names.size(); ++j) {
    const std::string& n = names[j];
    std::string base = n;
    std::vector<int> idx;
    const auto br = n.find('[');
    if (br != std::string::npos && n.back() == ']') {
      base = n.substr(0, br);
      std::stringstream ss(n.substr(br + 1, n.size() - br - 2));
      for (std::string tok; std::getline(ss, tok, ',');) {
        try {
          idx.push_back(std::stoi(tok));
        } catch (const std::exception&) {
          throw InvalidArgument(fmt::format("write_inference_data: bad index in name '{}'", n));
        }
      }
    }
    base = netcdf_name(base);
    if (acc.count(base) == 0) order.push_back(base);
    acc[base].index.push_back(idx);
    acc[base].column.push_back(static_cast<int>(j));
  }
  std::vector<GroupedVariable> out;
  for (const std::string& base : order) {
    Acc& a = acc[base];
    GroupedVariable v{base, {}, {}};
    const std::size_t rank = a.index.front().size();
    for (std::size_t k = 0; k < rank; ++k) {
      int mx = 0;
      for (const auto& i : a.index) {
        if (i.size() != rank || i[k] < 1) {
          throw InvalidArgument(fmt::format(
              "write_inference_data: '{}' mixes index ranks or has an index < 1", base));
        }
        mx = std::max(mx, i[k]);
      }
      v.shape.push_back(static_cast<std::size_t>(mx));
    }
    const std::size_t total =
        std::accumulate(v.shape.begin(), v.shape.end(), std::size_t{1}, std::multiplies<>());
    if (rank == 0 && a.column.size() != 1) {
      throw InvalidArgument(fmt::format("write_inference_data: name '{}' repeats", base));
    }
    v.columns.assign(total, -1);
    for (std::size_t e = 0; e < a.index.size(); ++e) {
      std::size_t flat = 0;
      for (std::size_t k = 0; k < rank; ++k) flat = flat * v.shape[k] + (a.index[e][k] - 1);
      if (v.columns[flat] != -1) {
        throw InvalidArgument(fmt::format("write_inference_data: '{}' index repeats", base));
      }
      v.columns[flat] = a.column[e];
    }
    if (std::find(v.columns.begin(), v.columns.end(), -1) != v.columns.end()) {
      throw InvalidArgument(
          fmt::format("write_inference_data: vector '{}' is incomplete (an index between 1 and "
                      "its largest index is missing)",
                      base));
    }
    out.push_back(std::move(v));
  }
  return out;
}

void write_inference_data(const std::string& path, const infer::Run& run,
                          const InferenceDataOptions& opt) {
  if (run.chains.empty()) {
    throw InvalidArgument(fmt::format("write_inference_data: {}: run has no chains", path));
  }
  const std::vector<std::string>& names = run.chains.front().names;
  std::size_t ndraw = static_cast<std::size_t>(run.chains.front().num_draws());
  std::size_t nwarm = static_cast<std::size_t>(run.chains.front().num_warmup_saved);
  for (const infer::Chain& c : run.chains) {
    if (c.names != names || c.draws.cols() != static_cast<Eigen::Index>(names.size()) ||
        c.stats.size() != static_cast<std::size_t>(c.draws.rows())) {
      throw InvalidArgument(
          fmt::format("write_inference_data: {}: chain {} names/draws/stats do not match chain {}",
                      path, c.id, run.chains.front().id));
    }
    ndraw = std::min(ndraw, static_cast<std::size_t>(std::max(c.num_draws(), 0)));
    nwarm = std::min(nwarm, static_cast<std::size_t>(c.num_warmup_saved));
  }
  if (ndraw == 0 && !opt.allow_no_draws) {
    throw InvalidArgument(
        fmt::format("write_inference_data: {}: no post-warmup draws to write", path));
  }
  const std::vector<GroupedVariable> vars = group_names(names);
  const Nc nc(path);
  AtomicFile file(path);
  int root = 0;
  nc(nc_create(file.temp_path().c_str(), NC_NETCDF4 | NC_CLOBBER, &root), "create");
  try {
    const Metadata m{iso_now(), opt.inference_library};
    put_metadata(nc, root, m);
    std::vector<Group> groups;
    groups.reserve(8);
    std::vector<Pending> pending;
    if (ndraw > 0) {
      define_draws(nc, root, "posterior", run, vars, false, ndraw, opt, m, groups, pending);
      define_stats(nc, root, "sample_stats", run, false, ndraw, opt, m, groups, pending);
    }
    for (const auto& [key, value] : opt.attributes) put_text(nc, root, NC_GLOBAL, key, value);
    if (ndraw > 0 && opt.log_likelihood) {
      define_draw_group(nc, root, "log_likelihood", run.chains.size(), *opt.log_likelihood, opt, m,
                        groups, pending);
    }
    if (ndraw > 0 && opt.posterior_predictive) {
      define_draw_group(nc, root, "posterior_predictive", run.chains.size(),
                        *opt.posterior_predictive, opt, m, groups, pending);
    }
    if (!opt.observed.empty()) {
      Group& g = groups.emplace_back(nc, root, "observed_data", m, opt.compress);
      for (const ObservedImage& o : opt.observed) {
        const RealImage& img = o.image;
        const std::vector<int> dims = {g.dim(o.y_dim, iota(img.rows())),
                                       g.dim(o.x_dim, iota(img.cols()))};
        Pending p{g.id(), g.var(netcdf_name(o.name), NC_DOUBLE, dims), {}, {}, {}};
        g.attr(p.var, "units", "photon");
        p.doubles.assign(img.data(), img.data() + img.size());  // row-major [y][x]
        pending.push_back(std::move(p));
      }
    }
    if (!opt.constant_data.empty() || !opt.truth.empty()) {
      Group& g = groups.emplace_back(nc, root, "constant_data", m, opt.compress);
      for (const ConstantArray& a : opt.constant_data) {
        std::vector<int> dims;
        const std::string name = netcdf_name(a.name);
        if (a.values.size() != 1 || !a.dim.empty()) {
          dims.push_back(g.dim(a.dim.empty() ? name + "_dim_0" : a.dim, iota(a.values.size())));
        }
        Pending p{g.id(), g.var(name, NC_DOUBLE, dims), a.values, {}, {}};
        if (!a.units.empty()) g.attr(p.var, "units", a.units);
        pending.push_back(std::move(p));
      }
      std::vector<std::string> tnames;
      std::vector<double> tvalues;
      for (const auto& [k, v] : opt.truth) {
        tnames.push_back(k);
        tvalues.push_back(v);
      }
      for (const GroupedVariable& v : group_names(tnames)) {
        const std::vector<int> dims = variable_dims(g, v, opt, "_true");
        Pending p{g.id(), g.var(v.name + "_true", NC_DOUBLE, dims), {}, {}, {}};
        g.attr(p.var, "units", units_of(v.name, opt));
        for (int c : v.columns) p.doubles.push_back(tvalues[c]);
        pending.push_back(std::move(p));
      }
    }
    if (opt.include_warmup && nwarm > 0) {
      define_draws(nc, root, "warmup_posterior", run, vars, true, nwarm, opt, m, groups, pending);
      define_stats(nc, root, "warmup_sample_stats", run, true, nwarm, opt, m, groups, pending);
    }
    nc(nc_enddef(root), "end define");
    for (Group& g : groups) g.write_coords();
    for (const Pending& p : pending) {
      if (!p.doubles.empty()) nc(nc_put_var_double(p.group, p.var, p.doubles.data()), "write");
      if (!p.ints.empty()) nc(nc_put_var_longlong(p.group, p.var, p.ints.data()), "write");
      if (!p.bytes.empty()) nc(nc_put_var_schar(p.group, p.var, p.bytes.data()), "write");
    }
  } catch (...) {
    nc_close(root);
    throw;
  }
  nc(nc_close(root), "close");
  file.commit();
}

}  // namespace airy::io
