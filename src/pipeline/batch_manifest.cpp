// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The manifest of `airy batch`: parsed and checked in full before any fit runs.
#include <fmt/format.h>

#include <toml++/toml.h>
#include <filesystem>
#include <set>

#include "airy/core/error.hpp"
#include "airy/pipeline/batch.hpp"
#include "airy/pipeline/pipeline.hpp"

namespace airy::pipeline {
namespace {

namespace fs = std::filesystem;

/// Errors name the manifest and the entry: "m.toml: fits[2] (target 'a'): data = 'x.fits':
/// no such file".
struct Where {
  std::string manifest;
  std::string entry;  ///< "" (the manifest), "[batch]", "fits[2] (target 'a')"

  [[noreturn]] void fail(const std::string& what) const {
    throw InvalidArgument(entry.empty() ? fmt::format("{}: {}", manifest, what)
                                        : fmt::format("{}: {}: {}", manifest, entry, what));
  }
};

void check_keys(const toml::table& t, std::initializer_list<std::string_view> known,
                const Where& w) {
  for (const auto& [key, node] : t) {
    bool ok = false;
    for (auto k : known) ok = ok || key.str() == k;
    if (!ok) {
      std::vector<std::string> names(known.begin(), known.end());
      w.fail(fmt::format("unknown key '{}' (known: {})", key.str(), fmt::join(names, ", ")));
    }
  }
}

std::string get_string(const toml::table& t, std::string_view key, const Where& w, bool required) {
  const toml::node* n = t.get(key);
  if (n == nullptr) {
    if (required) w.fail(fmt::format("'{}' is required", key));
    return "";
  }
  const auto v = n->value<std::string>();
  if (!v || !n->is_string()) w.fail(fmt::format("{}: expected a string", key));
  if (v->empty()) w.fail(fmt::format("{} = '': must name a file", key));
  return *v;
}

std::int64_t get_integer(const toml::node& n, std::string_view key, std::int64_t lo,
                         const Where& w) {
  const auto v = n.value<std::int64_t>();
  if (!v || !n.is_integer()) w.fail(fmt::format("{}: expected an integer", key));
  if (*v < lo) w.fail(fmt::format("{} = {}: must be >= {}", key, *v, lo));
  return *v;
}

/// A manifest-relative path made absolute; it must exist as a regular file.
std::string existing_file(const fs::path& base, const std::string& file, std::string_view key,
                          const Where& w) {
  const fs::path p = fs::path(file).is_absolute() ? fs::path(file) : base / file;
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) {
    w.fail(fmt::format("{} = '{}': no such file ({})", key, file, p.string()));
  }
  return fs::absolute(p).lexically_normal().string();
}

/// The run directory's name: letters, digits, '.', '_', '-', not "." or "..".
void check_target(const std::string& target, const Where& w) {
  const bool ok =
      !target.empty() && target != "." && target != ".." &&
      target.find_first_not_of(
          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == std::string::npos;
  if (!ok) {
    w.fail(fmt::format(
        "target = '{}': must be a non-empty name of letters, digits, '.', '_' and '-' (it names "
        "the run directory)",
        target));
  }
}

/// Applies `overrides = {...}` as the CLI's flags would.
void apply_fit_overrides(const toml::table& t, config::Config& c, const Where& w) {
  check_keys(t, {"seed", "chains", "warmup", "samples", "threads", "pt", "grid", "grid_starts"}, w);
  if (const toml::node* n = t.get("pt")) {
    const auto v = n->value<bool>();
    if (!v || !n->is_boolean()) w.fail("overrides.pt: expected true or false");
    if (*v) (void)switch_to_pt(c);
  }
  Overrides o;
  try {
    if (const toml::node* n = t.get("seed")) o.seed = get_integer(*n, "overrides.seed", 0, w);
    if (const toml::node* n = t.get("chains")) {
      o.num_chains = static_cast<int>(get_integer(*n, "overrides.chains", 1, w));
    }
    if (const toml::node* n = t.get("threads")) {
      o.num_threads = static_cast<int>(get_integer(*n, "overrides.threads", 0, w));
    }
    for (std::string_view key : {"warmup", "samples"}) {
      const toml::node* n = t.get(key);
      if (n == nullptr) continue;
      if (c.sampler.method == "pt") {
        w.fail(fmt::format(
            "overrides.{}: not used by parallel tempering (its draws are the 2^pt_rounds scans "
            "of the last round)",
            key));
      }
      const int v = static_cast<int>(
          get_integer(*n, fmt::format("overrides.{}", key), key == "warmup" ? 0 : 1, w));
      (key == "warmup" ? o.num_warmup : o.num_samples) = v;
    }
    apply_overrides(c, o);
    if (t.contains("grid_starts") && !t.contains("grid")) {
      w.fail("overrides.grid_starts: only with overrides.grid");
    }
    if (t.contains("grid")) {
      const std::string grid = get_string(t, "grid", w, true);
      const int starts =
          t.contains("grid_starts")
              ? static_cast<int>(get_integer(*t.get("grid_starts"), "overrides.grid_starts", 1, w))
              : 0;
      apply_grid(c, grid, starts);
    }
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    if (what.rfind(w.manifest, 0) == 0) throw;  // already named
    w.fail(fmt::format("overrides: {}", what));
  }
}

}  // namespace

Manifest load_manifest(const std::string& path, const std::string& out_dir) {
  Where w{path, ""};
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) w.fail("no such manifest file");
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    w.fail(
        fmt::format("{}:{}: {}", e.source().begin.line, e.source().begin.column, e.description()));
  }
  check_keys(root, {"batch", "fits"}, w);
  const fs::path base = fs::absolute(fs::path(path)).parent_path();
  Manifest m;
  m.path = path;
  m.out_dir = (base / (fs::path(path).stem().string() + "-runs")).string();
  if (const toml::node* b = root.get("batch")) {
    const Where wb{path, "[batch]"};
    const toml::table* t = b->as_table();
    if (t == nullptr) wb.fail("expected a table");
    check_keys(*t, {"out", "jobs", "plots", "parameters"}, wb);
    if (t->contains("out")) {
      const std::string out = get_string(*t, "out", wb, true);
      m.out_dir = fs::path(out).is_absolute() ? out : (base / out).string();
    }
    if (const toml::node* n = t->get("jobs")) {
      m.jobs = static_cast<int>(get_integer(*n, "jobs", 1, wb));
    }
    if (const toml::node* n = t->get("plots")) {
      const auto v = n->value<bool>();
      if (!v || !n->is_boolean()) wb.fail("plots: expected true or false");
      m.plots = *v;
    }
    if (const toml::node* n = t->get("parameters")) {
      const toml::array* a = n->as_array();
      if (a == nullptr) wb.fail("parameters: expected an array of names");
      for (const auto& e : *a) {
        const auto v = e.value<std::string>();
        if (!v) wb.fail("parameters: expected an array of names");
        m.parameters.push_back(*v);
      }
    }
  }
  if (!out_dir.empty()) m.out_dir = out_dir;

  const toml::node* fits = root.get("fits");
  if (fits == nullptr || fits->as_array() == nullptr || fits->as_array()->empty()) {
    w.fail("no fits: expected [[fits]] tables with target, config and data");
  }
  std::set<std::string> targets;
  std::size_t index = 0;
  for (const auto& node : *fits->as_array()) {
    Where wf{path, fmt::format("fits[{}]", index++)};
    const toml::table* t = node.as_table();
    if (t == nullptr) wf.fail("expected a table ([[fits]])");
    BatchFit f;
    f.target = get_string(*t, "target", wf, true);
    wf.entry += fmt::format(" (target '{}')", f.target);
    check_keys(*t, {"target", "config", "data", "truth", "overrides"}, wf);
    check_target(f.target, wf);
    if (!targets.insert(f.target).second) {
      wf.fail(
          fmt::format("target '{}' appears twice (each target has one run directory)", f.target));
    }
    f.config_path = existing_file(base, get_string(*t, "config", wf, true), "config", wf);
    f.data_path = existing_file(base, get_string(*t, "data", wf, true), "data", wf);
    if (t->contains("truth")) {
      f.truth_path = existing_file(base, get_string(*t, "truth", wf, true), "truth", wf);
    }
    try {
      f.config = config::load_config(f.config_path);
    } catch (const InvalidArgument& e) {
      wf.fail(fmt::format("config: {}", e.what()));
    }
    if (const toml::node* o = t->get("overrides")) {
      const toml::table* ot = o->as_table();
      if (ot == nullptr) wf.fail("overrides: expected a table {seed = 1, ...}");
      apply_fit_overrides(*ot, f.config, wf);
    }
    f.run_dir = (fs::path(m.out_dir) / f.target).string();
    f.config.output_dir = f.run_dir;
    m.fits.push_back(std::move(f));
  }
  return m;
}

}  // namespace airy::pipeline
