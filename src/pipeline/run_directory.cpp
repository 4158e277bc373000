// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Output directories and small TOML side files (truth.toml, run_info.toml).
#include "pipeline/run_files.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"

namespace airy::pipeline {

namespace fs = std::filesystem;

void prepare_output_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw InvalidArgument(
        fmt::format("output directory '{}': cannot be created: {}", dir, ec.message()));
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
  std::ofstream out(path);
  if (!out) throw InvalidArgument(fmt::format("'{}': cannot be written", path));
  out << text;
  if (!out) throw InvalidArgument(fmt::format("'{}': write failed", path));
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InvalidArgument(fmt::format("'{}': cannot be read", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_truth(const std::string& path, const std::vector<std::string>& names,
                 const std::vector<double>& values) {
  std::string text = "# true values of the sampled parameters, in their sampling units\n";
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += fmt::format("\"{}\" = {:.17g}\n", names[i], values[i]);
  }
  write_text(path, text);
}

std::map<std::string, double> read_truth(const std::string& path) {
  std::map<std::string, double> truth;
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw InvalidArgument(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                      e.source().begin.column, e.description()));
  }
  for (const auto& [key, node] : table) {
    if (auto v = node.value<double>()) truth[std::string(key.str())] = *v;
  }
  return truth;
}

void write_run_info(const std::string& path, const RunInfo& info) {
  std::string text = "# airy run information\n";
  text += fmt::format("status = \"{}\"\n", info.status);
  text += fmt::format("airy_version = \"{}\"\n", version());
  if (!info.command_line.empty()) {
    std::string escaped;
    for (char ch : info.command_line) {
      if (ch == '"' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    text += fmt::format("command_line = \"{}\"\n", escaped);
  }
  text += fmt::format("data = \"{}\"\n", info.data_file);
  for (const auto& [key, value] : info.numbers) text += fmt::format("{} = {:.10g}\n", key, value);
  write_text(path, text);
}

std::string read_run_status(const std::string& path) {
  if (!fs::exists(path)) return "missing";
  try {
    const toml::table t = toml::parse_file(path);
    return t["status"].value_or(std::string("unknown"));
  } catch (const toml::parse_error&) {
    return "unreadable";
  }
}

}  // namespace airy::pipeline
