// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy batch MANIFEST`: many fits on a pool of threads, resumable, one summary table.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <limits>
#include <memory>

#include "airy/pipeline/batch.hpp"
#include "commands.hpp"

namespace airy::cli {

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
  return [cmd, manifest, out, jobs, quiet]() {
    if (!*cmd) return -1;
    const pipeline::Manifest m = pipeline::load_manifest(*manifest, *out);
    pipeline::BatchOptions o;
    if (*jobs > 0) o.jobs = *jobs;
    o.quiet = *quiet;
    o.handle_signals = false;  // main() holds the process's handlers
    const pipeline::BatchResult r = pipeline::run_batch(m, o);
    std::cout << r.text
              << fmt::format("airy batch: wrote batch_summary.txt and .csv in {}/\n", m.out_dir)
              << std::flush;
    if (r.stop_signal != 0 || !r.complete) {
      const bool stopped = std::any_of(r.rows.begin(), r.rows.end(), [](const auto& row) {
        return row.status == "interrupted" || row.status == "not run";
      });
      if (stopped) return interrupted_exit_code(r.stop_signal);
      return kExitFailure;  // some fit failed; the table names it
    }
    return 0;
  };
}

}  // namespace airy::cli
