// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief Private helpers of the pipeline: run directories, text files, truth.toml and
/// run_info.toml.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace airy::pipeline {

/// `dir`/`file`.
std::string path_in(const std::string& dir, const std::string& file);

/// Whether `filename` (no directory) is one airy writes into a run directory: the outputs
/// of simulate, fit, fisher and optimize (docs/file_formats.md), chain_<n>.csv, and the
/// temporary files of atomic writes of those names.
bool airy_owns(const std::string& filename);

/// The files `airy simulate` writes (a fit of its data.fits may add to its directory).
const std::vector<std::string>& simulation_files();

/// Whether both paths exist and name the same file (or directory).
bool same_file(const std::string& a, const std::string& b);

/// The names of the files of `dir` that a run reads (`data_path`, `other`), which stay and
/// do not make the directory "not empty"; with all of simulation_files() when the data file
/// is `dir`/data.fits (a fit or optimize of a simulation, in its directory).
std::vector<std::string> inputs_in(const std::string& dir, const std::string& data_path,
                                   const std::string& other = "");
/// The same for the data files of several exposures: a simulation's files (fixed names, every
/// data_<label>.fits and psf_<label>.fits) stay when one of them is a simulated data file.
std::vector<std::string> inputs_in(const std::string& dir,
                                   const std::vector<std::string>& data_paths,
                                   const std::string& other = "");

/// Creates `dir` (and parents) and makes it hold one run: an existing directory must hold
/// no file airy owns apart from those named in `keep` (the run's own inputs, or a
/// simulation whose data this fit reads), unless `overwrite`: then those files are removed.
/// Files airy never writes are neither counted nor touched. Checks that a file can be
/// written there.
/// @throws InvalidArgument naming the directory and what is in it, or the system's reason.
void prepare_run_dir(const std::string& dir, bool overwrite,
                     const std::vector<std::string>& keep = {});

/// Writes `text` to `path` atomically. @throws airy::Error naming the path.
void write_text(const std::string& path, const std::string& text);
/// Reads a whole file. @throws InvalidArgument naming the path.
std::string read_text(const std::string& path);

/// "fnv1a64:<16 hex digits>" of the file's bytes: identifies the data file a truth.toml
/// was written for (not a cryptographic hash). @throws InvalidArgument naming the path.
std::string file_checksum(const std::string& path);
/// The same checksum of `bytes` (file_checksum(path) == text_checksum(read_text(path))).
std::string text_checksum(const std::string& bytes);

/// truth.toml: `"name" = value` per output coordinate (site units), then a [written_for]
/// table naming the data file beside it (`data`) and its checksum (`data_checksum`).
void write_truth(const std::string& path, const std::vector<std::string>& names,
                 const std::vector<double>& values, const std::string& data_path,
                 const std::string& command);
/// Several exposures' data files: `data`/`data_checksum` name the first, and with more than one
/// distinct file `data_files`/`data_checksums` list them all (in exposure order).
void write_truth(const std::string& path, const std::vector<std::string>& names,
                 const std::vector<double>& values, const std::vector<std::string>& data_paths,
                 const std::string& command);
/// All `"name" = value` pairs of a truth file. @throws InvalidArgument naming the path.
std::map<std::string, double> read_truth(const std::string& path);
/// The truth.toml in the directory of `data_path`, if it was written for exactly that data
/// file (name and checksum recorded in it); empty otherwise, with the reason in `*why`.
std::map<std::string, double> truth_written_for(const std::string& data_path, std::string* why);
/// The same for several exposures' data files: the truth.toml beside the first, written for
/// exactly these files (every name and checksum).
std::map<std::string, double> truth_written_for(const std::vector<std::string>& data_paths,
                                                std::string* why);

/// The git revision airy was configured from (12 hex digits), or "unknown" without git
/// (generated: cmake/git_revision.cpp.in).
const char* git_revision();

/// What run_info.toml records.
struct RunInfo {
  std::string status;  ///< "running", "complete", "interrupted", "failed"
  std::string phase;   ///< the last phase entered: setup, map, sampling, summary, plots, done
  std::string error;   ///< the error text of a failed run
  std::string stop;    ///< what stopped an interrupted run ("SIGTERM during sampling", ...)
  std::string command_line;
  std::string data_file;
  std::map<std::string, double> numbers;  ///< wall_seconds, gradient_evaluations, ...
  /// TOML tables written after the keys (e.g. the MAP's [[map_modes]]); "" = none.
  std::string tables;
};
/// The TOML text of `info`.
std::string run_info_text(const RunInfo& info);
void write_run_info(const std::string& path, const RunInfo& info);
/// run_info.toml read back; status "missing" when there is none, "unreadable" when it does
/// not parse.
RunInfo read_run_info(const std::string& path);

/// run_info.toml of a run in progress. Each phase() rewrites it (status "running") and
/// registers the file a second signal leaves behind (status "interrupted", the phase);
/// finish() writes the final status. A run that ends with neither finish() nor fail() (a
/// SIGKILL) keeps "running".
class RunRecord {
 public:
  RunRecord(std::string path, RunInfo info);
  ~RunRecord();
  RunRecord(const RunRecord&) = delete;
  RunRecord& operator=(const RunRecord&) = delete;

  /// Enters `phase`.
  void phase(const std::string& phase);
  /// Records what stopped the run (e.g. "SIGINT during sampling") for the files written
  /// from now on, including the one a second signal leaves.
  void set_stop(const std::string& stop);
  /// Sets RunInfo::tables for the files written from now on.
  void set_tables(const std::string& tables) { info_.tables = tables; }
  /// Writes the final status ("complete" or "interrupted") with `numbers`.
  void finish(const std::string& status, const std::string& stop,
              const std::map<std::string, double>& numbers);
  /// Writes status "failed" with `error`; never throws (a full disk may refuse even this:
  /// the file then keeps its last state).
  void fail(const std::string& error) noexcept;

 private:
  std::string path_;
  RunInfo info_;
};

}  // namespace airy::pipeline
