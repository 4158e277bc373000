// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fisher` (Cramér-Rao bounds) and `airy optimize` (MAP / ML with L-BFGS).
#include <fmt/format.h>

#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>

#include "airy/config/config.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "commands.hpp"

namespace airy::cli {

Action add_fisher(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "fisher",
      "Fisher information at the configured values: Cramér-Rao bounds, correlations, Laplace "
      "approximation (crb.csv, fisher.csv, correlation.csv/.png)");
  auto config_path = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto no_plots = std::make_shared<bool>(false);
  auto overwrite = std::make_shared<bool>(false);
  auto laplace = std::make_shared<std::string>("auto");
  cmd->add_option("config", *config_path, "TOML configuration (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", *out, "output directory (default: <output.dir>-fisher)");
  cmd->add_flag("--no-plots", *no_plots, "skip the correlation plot");
  cmd->add_option("--laplace", *laplace,
                  "dense (n x n matrices), structured (Schur complement of the flat field "
                  "detector.pixel_response.map, docs/calibration.md) or auto (structured for a "
                  "flat field and more than 1000 parameters)")
      ->check(CLI::IsMember({"auto", "dense", "structured"}));
  add_overwrite_flag(cmd, *overwrite);
  return [cmd, config_path, out, no_plots, overwrite, laplace]() {
    if (!*cmd) return -1;
    config::Config c = config::load_config(*config_path);
    c.output_dir = out->empty() ? pipeline::command_output_dir(c, "fisher") : *out;
    const auto r = pipeline::fisher_run(c, c.output_dir, !*no_plots, *overwrite, *laplace);
    if (r.structured) {
      std::cout << r.table
                << fmt::format(
                       "airy fisher: wrote crb.csv, global_covariance.csv, flat_field_sd.fits, "
                       "flat_field_crb.fits in {}/\n",
                       c.output_dir);
      return 0;
    }
    std::cout << r.table
              << fmt::format("airy fisher: wrote crb.csv, fisher.csv, correlation.csv{} in {}/\n",
                             *no_plots ? "" : ", correlation.png", c.output_dir);
    return 0;
  };
}

Action add_optimize(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "optimize",
      "MAP (or maximum-likelihood) fit with L-BFGS from several prior draws: best-fit image, "
      "residuals, values and Cramér-Rao bounds");
  auto config_path = std::make_shared<std::string>();
  auto opts = std::make_shared<pipeline::OptimizeRunOptions>();
  auto out = std::make_shared<std::string>();
  auto seed = std::make_shared<std::uint64_t>(0);
  cmd->add_option("config", *config_path, "TOML configuration (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  // Required without [[exposures]]; with them each exposure names its own `data` file.
  cmd->add_option("--data", opts->data_path,
                  "FITS image of the data (photons); with [[exposures]]: the file of the "
                  "exposures that name no `data` (docs/config.md)");
  cmd->add_option("--out", *out, "output directory (default: <output.dir>-optimize)");
  cmd->add_option("--starts", opts->num_starts, "L-BFGS starts drawn from the priors")
      ->check(integer_in(1, static_cast<unsigned long long>(std::numeric_limits<int>::max())));
  cmd->add_option("--objective", opts->objective, "map (log posterior) or ml (log likelihood)")
      ->check(CLI::IsMember({"map", "ml"}));
  auto* seed_option =
      cmd->add_option("--seed", *seed, "seed of the starts (sampler.seed)")
          ->check(integer_in(
              0, static_cast<unsigned long long>(std::numeric_limits<std::int64_t>::max())));
  cmd->add_option("--init", opts->init,
                  "prior (--starts draws from the priors) or config (one start at the "
                  "configured values: an initial guess; in a simulation's config.toml the truth)")
      ->check(CLI::IsMember({"prior", "config"}));
  cmd->add_option("--laplace", opts->laplace,
                  "dense, structured (L-BFGS scaled by the Laplace diagonal, then the Schur "
                  "complement of the flat field; docs/calibration.md) or auto (structured for a "
                  "flat field and more than 1000 parameters)")
      ->check(CLI::IsMember({"auto", "dense", "structured"}));
  cmd->add_option("--grid", opts->grid,
                  "NAME=POINTS,...: a coarse grid searched first, its best points started "
                  "before the random ones, e.g. separation=8,position_angle=12 (default: "
                  "sampler.map_grid)");
  cmd->add_option("--grid-starts", opts->grid_starts, "the best grid points started by L-BFGS")
      ->check(integer_in(1, static_cast<unsigned long long>(std::numeric_limits<int>::max())));
  auto threads = std::make_shared<int>(-1);
  cmd->add_option("--threads-per-chain", *threads,
                  "threads sharing one evaluation, over exposures; 0 = every core "
                  "(sampler.threads_per_chain)")
      ->check(integer_in(0, static_cast<unsigned long long>(std::numeric_limits<int>::max())));
  add_overwrite_flag(cmd, opts->overwrite);
  return [cmd, config_path, opts, out, seed, seed_option, threads]() {
    if (!*cmd) return -1;
    config::Config c = config::load_config(*config_path);
    pipeline::Overrides o;
    o.out = out->empty() ? pipeline::command_output_dir(c, "optimize") : *out;
    if (seed_option->count() > 0) o.seed = *seed;
    if (*threads >= 0) o.threads_per_chain = *threads;
    pipeline::apply_overrides(c, o);
    const auto r = pipeline::optimize_run(c, *opts);
    std::cout << r.table;
    if (r.result.best >= 0) {
      std::cout << fmt::format(
          "airy optimize: wrote optimize.csv, optimize_starts.csv, {}, {}{} in {}/\n",
          c.exposures.empty() ? "best_fit.fits" : "best_fit_<exposure>.fits",
          c.exposures.empty() ? "best_fit_residual.fits" : "best_fit_residual_<exposure>.fits",
          r.structured && !r.result.interrupted
              ? ", flat_field.fits, flat_field_sd.fits, flat_field_crb.fits, global_covariance.csv"
              : "",
          c.output_dir);
    }
    return r.result.interrupted ? interrupted_exit_code(r.stop_signal) : 0;
  };
}

}  // namespace airy::cli
