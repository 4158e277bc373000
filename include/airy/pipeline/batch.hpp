// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy batch MANIFEST`: many fits (one per target or data set) run by a pool of
/// threads, resumable, with one summary table (docs/cli.md "airy batch").
///
/// The manifest (TOML; relative paths are relative to the manifest's folder):
///
///     [batch]                      # optional
///     out = "runs"                 # run directories <out>/<target> (default "<stem>-runs")
///     jobs = 2                     # fits at once (default 1)
///     plots = false                # each fit's figures (default false)
///     parameters = ["separation"]  # quantile columns (default: every sampled parameter)
///
///     [[fits]]
///     target = "hd1234"            # [A-Za-z0-9._-]+, unique: the run directory's name
///     config = "binary.toml"
///     data = "hd1234.fits"
///     truth = "truth.toml"         # optional, as `airy fit --truth`
///     overrides = { seed = 3, chains = 2, warmup = 500, samples = 500, threads = 1,
///                   pt = true, grid = "separation=8,position_angle=12", grid_starts = 2 }
///
/// Resuming: a target whose run directory holds run_info.toml with status "complete" and a
/// config.toml identical to the fit's effective config (same FNV-1a 64 checksum of
/// config::to_toml) for the same data file is not run again; any other (interrupted, failed,
/// killed: "running", or made with other settings) is redone from scratch.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "airy/config/config.hpp"

namespace airy::pipeline {

/// One fit of a manifest, with its effective config (overrides applied, output.dir set).
struct BatchFit {
  std::string target;
  std::string config_path;  ///< as resolved (manifest-relative paths made absolute)
  std::string data_path;
  std::string truth_path;  ///< "" = none given
  config::Config config;
  std::string run_dir;
};

/// A parsed and checked manifest.
struct Manifest {
  std::string path;
  std::string out_dir;
  int jobs = 1;
  bool plots = false;
  std::vector<std::string> parameters;  ///< quantile columns; empty = all
  std::vector<BatchFit> fits;
};

/// Reads a manifest and checks everything before anything runs: the keys (unknown ones are
/// errors), every config (parsed), data and truth file (exists), the overrides (as the CLI's
/// flags), and that no target appears twice. `out_dir` replaces [batch] out when not empty.
/// @throws InvalidArgument naming the manifest, the fit (fits[i], target) and the field.
Manifest load_manifest(const std::string& path, const std::string& out_dir = "");

/// Options of run_batch().
struct BatchOptions {
  std::optional<int> jobs;     ///< replaces the manifest's
  bool quiet = false;          ///< no line per finished fit on stderr
  bool handle_signals = true;  ///< install the SIGINT/SIGTERM/SIGHUP handlers for the batch
  /// Shard `shard` of `num_shards` (an MPI rank, or one of several processes sharing the
  /// manifest): runs only the fits whose manifest index i has i mod num_shards == shard, and
  /// writes no table when num_shards > 1 (collect_batch() writes it once every shard is done).
  int shard = 0;
  int num_shards = 1;
};

/// One row of the summary table.
struct BatchRow {
  std::string target;
  /// "complete" (run now), "resumed" (complete before: not run again), "interrupted",
  /// "failed", "not run" (the batch was stopped first), "died" (collect_batch(): the run
  /// directory still says "running": its process was killed).
  std::string status;
  std::string error;  ///< why a fit failed
  std::string run_dir;
  double max_rhat = 0.0;                                ///< NaN when there are no draws
  double min_ess_bulk = 0.0;                            ///< NaN when there are no draws
  std::optional<double> log_evidence, log_evidence_se;  ///< parallel tempering only
  /// Per parameter: the 5%, 50% and 95% quantiles of the pooled draws.
  std::map<std::string, std::vector<double>> quantiles;
  double seconds = 0.0;  ///< this fit's wall time (0 when resumed or not run)
};

/// Result of run_batch().
struct BatchResult {
  std::vector<BatchRow> rows;  ///< in manifest order
  bool complete = true;        ///< every fit complete or resumed
  int stop_signal = 0;         ///< the signal that stopped the batch (0: none)
  std::string text;            ///< the table as text (also <out>/batch_summary.txt)
  std::string csv;             ///< the table as CSV (also <out>/batch_summary.csv)
};

/// Runs the manifest's fits, `jobs` at a time (each pipeline::fit with quiet progress), and
/// writes <out>/batch_summary.txt and .csv. A fit that throws is a "failed" row, the others
/// go on. A first SIGINT/SIGTERM/SIGHUP (or airy::request_stop()) stops the running fits at
/// their next step (status "interrupted" in their run_info.toml) and starts no other; the
/// table is still written, and a rerun resumes.
BatchResult run_batch(const Manifest& manifest, const BatchOptions& options = {});

/// The table of every fit of the manifest from the run directories alone (after shards have
/// run, e.g. on rank 0 after an MPI barrier): a finished run (batch_fit_finished) is
/// "complete" with its summary; otherwise run_info.toml's status ("interrupted", "failed"
/// with its error, "running": a process that died, reported as "died") or "not run" when there
/// is none. Writes <out>/batch_summary.txt and .csv.
BatchResult collect_batch(const Manifest& manifest);

/// Whether `fit`'s run directory already holds its finished run (see the file comment).
bool batch_fit_finished(const BatchFit& fit);

}  // namespace airy::pipeline
