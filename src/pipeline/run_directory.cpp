// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Run directories (one run each) and small text files: truth.toml, run_info.toml.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "airy/core/atomic_file.hpp"
#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "pipeline/run_files.hpp"

namespace airy::pipeline {

namespace fs = std::filesystem;

namespace {

/// The figures a command writes (<stem>.<format>, docs/plots.md), and those written per
/// exposure as <stem>_<label>.<format>.
constexpr const char* kFigureStems[] = {"simulate",    "fit_images", "corner",    "trace",
                                        "correlation", "best_fit",   "flat_field"};
constexpr const char* kExposureFigureStems[] = {"fit_images_", "best_fit_"};
constexpr const char* kFigureFormats[] = {"png", "pdf", "svg"};

/// Every fixed name a command writes into its run directory (docs/file_formats.md).
const std::set<std::string>& owned_names() {
  static const std::set<std::string> names = [] {
    std::set<std::string> n = {"config.toml",
                               "data.fits",
                               "psf.fits",
                               "model.fits",
                               "residual.fits",
                               "truth.toml",
                               "posterior.nc",
                               "summary.txt",
                               "summary.csv",
                               "run_info.toml",
                               "crb.csv",
                               "fisher.csv",
                               "correlation.csv",
                               "laplace_unconstrained.csv",
                               "laplace.csv",
                               "optimize.csv",
                               "optimize_starts.csv",
                               "optimize.txt",
                               "best_fit.fits",
                               "best_fit_residual.fits",
                               "flat_field.fits",
                               "flat_field_sd.fits",
                               "flat_field_crb.fits",
                               "global_covariance.csv",
                               ".airy-write-test"};
    for (const char* stem : kFigureStems) {
      for (const char* format : kFigureFormats) n.insert(std::string(stem) + "." + format);
    }
    return n;
  }();
  return names;
}

bool is_chain_file(const std::string& f) {
  if (!f.starts_with("chain_") || !f.ends_with(".csv") || f.size() <= 10) return false;
  return std::all_of(f.begin() + 6, f.end() - 4, [](char ch) { return ch >= '0' && ch <= '9'; });
}

/// A per-exposure image: "<stem>_<label>.fits" for the stems of docs/file_formats.md.
bool is_exposure_image(const std::string& f) {
  if (!f.ends_with(".fits")) return false;
  for (const char* stem : {"data_", "psf_", "model_", "residual_", "best_fit_"}) {
    if (f.starts_with(stem) && f.size() > std::strlen(stem) + 5) return true;
  }
  return false;
}

/// A per-exposure figure: "<stem>_<label>.<format>".
bool is_exposure_figure(const std::string& f) {
  for (const char* format : kFigureFormats) {
    const std::string ext = std::string(".") + format;
    if (!f.ends_with(ext)) continue;
    for (const char* stem : kExposureFigureStems) {
      if (f.starts_with(stem) && f.size() > std::strlen(stem) + ext.size()) return true;
    }
  }
  return false;
}

bool owned_final_name(const std::string& f) {
  return owned_names().count(f) != 0 || is_chain_file(f) || is_exposure_image(f) ||
         is_exposure_figure(f);
}

/// Whether `f` is a data file `airy simulate` writes: data.fits or data_<label>.fits.
bool is_simulated_data(const std::string& f) {
  return f == "data.fits" || (f.starts_with("data_") && is_exposure_image(f));
}

std::string quote_list(const std::vector<std::string>& names) {
  std::string s;
  const std::size_t shown = std::min<std::size_t>(names.size(), 5);
  for (std::size_t i = 0; i < shown; ++i) s += (i ? ", '" : "'") + names[i] + "'";
  if (names.size() > shown) s += fmt::format(" and {} more", names.size() - shown);
  return s;
}

std::string toml_string(const std::string& s) {
  std::string escaped;
  for (char ch : s) {
    if (ch == '"' || ch == '\\') escaped += '\\';
    if (ch == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += ch;
  }
  return "\"" + escaped + "\"";
}

}  // namespace

std::string path_in(const std::string& dir, const std::string& file) {
  return (fs::path(dir) / file).string();
}

bool airy_owns(const std::string& f) {
  if (owned_final_name(f)) return true;
  // AtomicFile's temporaries ".<name>.tmp-<pid>-<n>" and the exit file "<name>.exit-tmp".
  if (f.starts_with(".")) {
    const auto tmp = f.find(".tmp-");
    if (tmp != std::string::npos && tmp > 1 && owned_final_name(f.substr(1, tmp - 1))) return true;
  }
  const std::string exit_suffix = ".exit-tmp";
  return f.ends_with(exit_suffix) && owned_final_name(f.substr(0, f.size() - exit_suffix.size()));
}

const std::vector<std::string>& simulation_files() {
  static const std::vector<std::string> files = {"psf.fits",    "data.fits",    "truth.toml",
                                                 "config.toml", "simulate.png", "simulate.pdf"};
  return files;
}

bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec;
  return !a.empty() && !b.empty() && fs::exists(a, ec) && fs::exists(b, ec) &&
         fs::equivalent(a, b, ec);
}

std::vector<std::string> inputs_in(const std::string& dir, const std::string& data_path,
                                   const std::string& other) {
  return inputs_in(dir, std::vector<std::string>{data_path}, other);
}

std::vector<std::string> inputs_in(const std::string& dir,
                                   const std::vector<std::string>& data_paths,
                                   const std::string& other) {
  std::vector<std::string> keep;
  std::vector<std::string> inputs = data_paths;
  inputs.push_back(other);
  bool simulation = false;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const std::string& input = inputs[i];
    const fs::path in(input);
    const fs::path parent = in.parent_path().empty() ? fs::path(".") : in.parent_path();
    if (input.empty() || !same_file(parent.string(), dir)) continue;
    keep.push_back(in.filename().string());
    if (i + 1 < inputs.size() && is_simulated_data(in.filename().string())) simulation = true;
  }
  if (simulation) {
    // The simulation's files stay: its fixed names and every per-exposure data / PSF image.
    keep.insert(keep.end(), simulation_files().begin(), simulation_files().end());
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const std::string f = entry.path().filename().string();
      if (is_simulated_data(f) || (f.starts_with("psf_") && is_exposure_image(f))) {
        keep.push_back(f);
      }
    }
  }
  return keep;
}

void prepare_run_dir(const std::string& dir, bool overwrite, const std::vector<std::string>& keep) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw InvalidArgument(
        fmt::format("output directory '{}': cannot be created: {}", dir, ec.message()));
  }
  // Files of another run (any name airy writes) would be mixed with this one's; files airy
  // never writes (a log the shell redirected there, notes) are neither counted nor touched.
  std::vector<std::string> present;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string f = entry.path().filename().string();
    if (airy_owns(f) && std::find(keep.begin(), keep.end(), f) == keep.end()) {
      present.push_back(f);
    }
  }
  std::sort(present.begin(), present.end());
  if (!present.empty() && !overwrite) {
    throw InvalidArgument(fmt::format(
        "output directory '{}': already holds {} of another run ({}); a run directory holds "
        "one run: choose a new --out, or pass --overwrite to remove airy's files there (other "
        "files are kept)",
        dir, present.size() == 1 ? "a file" : fmt::format("{} files", present.size()),
        quote_list(present)));
  }
  for (const std::string& f : present) {
    const fs::path p = fs::path(dir) / f;
    if (!fs::is_directory(p, ec) && !fs::remove(p, ec) && ec) {
      throw InvalidArgument(
          fmt::format("--overwrite: '{}': cannot be removed: {}", p.string(), ec.message()));
    }
  }
  const fs::path probe = fs::path(dir) / ".airy-write-test";
  std::ofstream out(probe);
  if (!out) {
    throw InvalidArgument(
        fmt::format("output directory '{}': is not writable: {}", dir, std::strerror(errno)));
  }
  out.close();
  fs::remove(probe, ec);
}

void write_text(const std::string& path, const std::string& text) {
  write_file_atomically(path, text);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument(fmt::format("'{}': cannot be read", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string file_checksum(const std::string& path) { return text_checksum(read_text(path)); }

std::string text_checksum(const std::string& bytes) {
  // FNV-1a, 64 bit: h = (h xor byte) * 1099511628211 from 14695981039346656037.
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char b : bytes) {
    h ^= b;
    h *= 1099511628211ULL;
  }
  return fmt::format("fnv1a64:{:016x}", h);
}

void write_truth(const std::string& path, const std::vector<std::string>& names,
                 const std::vector<double>& values, const std::string& data_path,
                 const std::string& command) {
  write_truth(path, names, values, std::vector<std::string>{data_path}, command);
}

namespace {

/// The data files in order, each once (exposures may share one file).
std::vector<std::string> distinct(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) {
    if (std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
  return out;
}

}  // namespace

void write_truth(const std::string& path, const std::vector<std::string>& names,
                 const std::vector<double>& values, const std::vector<std::string>& data_paths,
                 const std::string& command) {
  const std::vector<std::string> files = distinct(data_paths);
  const std::string& data_path = files.at(0);
  std::string text = "# true values of the sampled parameters, in their sampling units\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += fmt::format("\"{}\" = {:.17g}\n", names[i], values[i]);
  }
  // `airy fit` reads a truth.toml beside its data only when it names that data file and
  // its checksum: a truth left from another run is never taken for this one's.
  text += "\n[written_for]\n";
  text += fmt::format("command = {}\n", toml_string(command));
  text += fmt::format("data = {}\n", toml_string(fs::path(data_path).filename().string()));
  text += fmt::format("data_checksum = {}\n", toml_string(file_checksum(data_path)));
  if (files.size() > 1) {
    // Several exposures: every data file with its checksum (the first repeats `data`).
    std::vector<std::string> quoted_names, sums;
    for (const auto& f : files) {
      quoted_names.push_back(toml_string(fs::path(f).filename().string()));
      sums.push_back(toml_string(file_checksum(f)));
    }
    text += fmt::format("data_files = [{}]\n", fmt::join(quoted_names, ", "));
    text += fmt::format("data_checksums = [{}]\n", fmt::join(sums, ", "));
  }
  write_text(path, text);
}

namespace {

toml::table parse_toml_file(const std::string& path) {
  try {
    return toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw InvalidArgument(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                      e.source().begin.column, e.description()));
  }
}

}  // namespace

std::map<std::string, double> read_truth(const std::string& path) {
  if (!fs::exists(path))
    throw InvalidArgument(fmt::format("truth file '{}': does not exist", path));
  std::map<std::string, double> truth;
  const toml::table table = parse_toml_file(path);
  for (const auto& [key, node] : table) {
    if (auto v = node.value<double>()) truth[std::string(key.str())] = *v;
  }
  return truth;
}

std::map<std::string, double> truth_written_for(const std::string& data_path, std::string* why) {
  return truth_written_for(std::vector<std::string>{data_path}, why);
}

std::map<std::string, double> truth_written_for(const std::vector<std::string>& data_paths,
                                                std::string* why) {
  const std::vector<std::string> files = distinct(data_paths);
  const std::string& data_path = files.at(0);
  const fs::path truth = fs::path(data_path).parent_path() / "truth.toml";
  why->clear();
  if (!fs::exists(truth)) return {};
  const toml::table table = parse_toml_file(truth.string());
  const auto data = table["written_for"]["data"].value<std::string>();
  const auto checksum = table["written_for"]["data_checksum"].value<std::string>();
  if (!data || !checksum) {
    *why = fmt::format("'{}' does not say which data file it was written for", truth.string());
  } else if (*data != fs::path(data_path).filename().string()) {
    *why = fmt::format("'{}' was written for '{}', not '{}'", truth.string(), *data,
                       fs::path(data_path).filename().string());
  } else if (*checksum != file_checksum(data_path)) {
    *why =
        fmt::format("'{}' was written for another '{}' (checksum differs)", truth.string(), *data);
  } else if (files.size() > 1) {
    // Every exposure's file must be the one the truth was written for.
    const toml::array* listed = table["written_for"]["data_files"].as_array();
    const toml::array* sums = table["written_for"]["data_checksums"].as_array();
    if (listed == nullptr || sums == nullptr || listed->size() != files.size() ||
        sums->size() != files.size()) {
      *why =
          fmt::format("'{}' was not written for these {} data files", truth.string(), files.size());
    } else {
      for (std::size_t i = 0; i < files.size() && why->empty(); ++i) {
        const std::string name = fs::path(files[i]).filename().string();
        if ((*listed)[i].value<std::string>() != name ||
            (*sums)[i].value<std::string>() != file_checksum(files[i])) {
          *why = fmt::format("'{}' was not written for '{}' (name or checksum differs)",
                             truth.string(), name);
        }
      }
    }
  }
  if (!why->empty()) return {};
  return read_truth(truth.string());
}

std::string run_info_text(const RunInfo& info) {
  std::string text = "# airy run information\n";
  text += fmt::format("status = {}\n", toml_string(info.status));
  if (!info.phase.empty()) text += fmt::format("phase = {}\n", toml_string(info.phase));
  if (!info.error.empty()) text += fmt::format("error = {}\n", toml_string(info.error));
  if (!info.stop.empty()) text += fmt::format("stopped_by = {}\n", toml_string(info.stop));
  text += fmt::format("airy_version = \"{}\"\n", version());
  if (!info.command_line.empty()) {
    text += fmt::format("command_line = {}\n", toml_string(info.command_line));
  }
  text += fmt::format("data = {}\n", toml_string(info.data_file));
  for (const auto& [key, value] : info.numbers) text += fmt::format("{} = {:.10g}\n", key, value);
  if (!info.tables.empty()) text += "\n" + info.tables;
  return text;
}

void write_run_info(const std::string& path, const RunInfo& info) {
  write_text(path, run_info_text(info));
}

RunInfo read_run_info(const std::string& path) {
  RunInfo info;
  if (!fs::exists(path)) {
    info.status = "missing";
    return info;
  }
  try {
    const toml::table t = toml::parse_file(path);
    info.status = t["status"].value_or(std::string("unknown"));
    info.phase = t["phase"].value_or(std::string());
    info.error = t["error"].value_or(std::string());
    info.stop = t["stopped_by"].value_or(std::string());
    info.command_line = t["command_line"].value_or(std::string());
    info.data_file = t["data"].value_or(std::string());
    // The run's figures (wall_seconds, ess_bulk_per_second, ...): every number at the top.
    for (const auto& [key, node] : t) {
      if (node.is_number()) info.numbers[std::string(key.str())] = *node.value<double>();
    }
  } catch (const toml::parse_error&) {
    info.status = "unreadable";
  }
  return info;
}

}  // namespace airy::pipeline
