// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private helpers of the pipeline: text files, truth.toml and run_info.toml.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace airy::pipeline {

/// Writes `text` to `path`. @throws InvalidArgument naming the path.
void write_text(const std::string& path, const std::string& text);
/// Reads a whole file. @throws InvalidArgument naming the path.
std::string read_text(const std::string& path);

/// truth.toml: `"name" = value` per output coordinate (site units).
void write_truth(const std::string& path, const std::vector<std::string>& names,
                 const std::vector<double>& values);
std::map<std::string, double> read_truth(const std::string& path);

/// What run_info.toml records.
struct RunInfo {
  std::string status;  ///< "running", "complete", "interrupted"
  std::string command_line;
  std::string data_file;
  std::map<std::string, double> numbers;  ///< wall_seconds, gradient_evaluations, ...
};
void write_run_info(const std::string& path, const RunInfo& info);
/// The status recorded in run_info.toml ("missing" when there is none).
std::string read_run_status(const std::string& path);

}  // namespace airy::pipeline
