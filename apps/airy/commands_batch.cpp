// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy batch MANIFEST`: many fits on a pool of threads, resumable, one summary table.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

#include "airy/core/error.hpp"
#include "airy/pipeline/batch.hpp"
#include "commands.hpp"

#ifdef AIRY_WITH_MPI
#include <mpi.h>

#include "mpi_comm.hpp"
#endif

namespace airy::cli {
namespace {

/// "R/N" -> {R, N} with 0 <= R < N.
std::pair<int, int> parse_shard(const std::string& text) {
  int r = -1, n = 0;
  char slash = 0;
  std::istringstream in(text);
  in >> r >> slash >> n;
  if (in.fail() || slash != '/' || in.peek() != std::char_traits<char>::eof() || n < 1 || r < 0 ||
      r >= n) {
    throw InvalidArgument(fmt::format("--shard = '{}': expected R/N with 0 <= R < N", text));
  }
  return {r, n};
}

/// The exit code of a batch: 0, 128 + signal when stopped, 1 when a fit failed or died.
int batch_exit_code(const pipeline::BatchResult& r) {
  if (r.complete) return 0;
  const bool stopped = std::any_of(r.rows.begin(), r.rows.end(), [](const auto& row) {
    return row.status == "interrupted" || row.status == "not run";
  });
  if (r.stop_signal != 0 || stopped) return interrupted_exit_code(r.stop_signal);
  return kExitFailure;  // some fit failed; the table names it
}

}  // namespace

Action add_batch(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "batch",
      "run the fits a manifest lists (target, config, data, overrides), several at once, "
      "resumable: finished targets are not run again (docs/cli.md)");
  auto manifest = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto jobs = std::make_shared<int>(0);
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("manifest", *manifest, "TOML manifest of the fits ([[fits]] tables)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", *out,
                  "folder of the run directories and batch_summary.txt/.csv (default: [batch] "
                  "out, else <manifest stem>-runs beside the manifest)");
  cmd->add_option("--jobs,-j", *jobs, "fits run at once (default: [batch] jobs, else 1)")
      ->check(integer_in(1, static_cast<unsigned long long>(std::numeric_limits<int>::max())));
  cmd->add_flag("--quiet,-q", *quiet, "no line per finished fit on stderr");
  auto shard = std::make_shared<std::string>();
  auto collect = std::make_shared<bool>(false);
  cmd->add_option("--shard", *shard,
                  "R/N: run only the fits with manifest index i mod N == R (one of N processes "
                  "sharing the manifest, e.g. a job array); no table (see --collect)");
  cmd->add_flag("--collect", *collect,
                "run nothing: write the table from the run directories (after the shards)");
  return [cmd, manifest, out, jobs, quiet, shard, collect]() {
    if (!*cmd) return -1;
    const pipeline::Manifest m = pipeline::load_manifest(*manifest, *out);
    const auto report = [&](const pipeline::BatchResult& r) {
      std::cout << r.text
                << fmt::format("airy batch: wrote batch_summary.txt and .csv in {}/\n", m.out_dir)
                << std::flush;
      return batch_exit_code(r);
    };
    if (*collect) {
      if (!shard->empty()) throw InvalidArgument("--collect: runs nothing; not with --shard");
      return report(pipeline::collect_batch(m));
    }
    pipeline::BatchOptions o;
    if (*jobs > 0) o.jobs = *jobs;
    o.quiet = *quiet;
    o.handle_signals = false;  // main() holds the process's handlers
    if (!shard->empty()) std::tie(o.shard, o.num_shards) = parse_shard(*shard);
#ifdef AIRY_WITH_MPI
    // Under mpirun each rank is one shard (a --shard R/N of the launch is split further).
    const MpiScope mpi;
    if (mpi.size() > 1) {
      o.shard = o.shard * mpi.size() + mpi.rank();
      o.num_shards *= mpi.size();
      const pipeline::BatchResult mine = pipeline::run_batch(m, o);
      // Every rank's fits are on disk once all have passed the barrier; a rank that died
      // never arrives, and mpirun then ends the others (a rerun resumes).
      MPI_Barrier(MPI_COMM_WORLD);
      if (mpi.rank() != 0 || o.num_shards != mpi.size()) return batch_exit_code(mine);
      pipeline::BatchResult all = pipeline::collect_batch(m);
      all.stop_signal = mine.stop_signal;
      return report(all);
    }
#endif
    const pipeline::BatchResult r = pipeline::run_batch(m, o);
    if (o.num_shards > 1) {
      std::cerr << fmt::format(
          "airy batch: shard {}/{} done; `airy batch {} --collect` writes the table\n", o.shard,
          o.num_shards, *manifest);
      return batch_exit_code(r);
    }
    return report(r);
  };
}

}  // namespace airy::cli
