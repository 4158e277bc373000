// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy fisher` (Cramér-Rao bounds) and `airy optimize` (MAP / ML with L-BFGS).
#include <fmt/format.h>

#include <iostream>
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
  cmd->add_option("config", *config_path, "TOML configuration (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--out", *out, "output directory (output.dir)");
  cmd->add_flag("--no-plots", *no_plots, "skip the correlation plot");
  return [cmd, config_path, out, no_plots]() {
    if (!*cmd) return -1;
    config::Config c = config::load_config(*config_path);
    if (!out->empty()) c.output_dir = *out;
    const auto r = pipeline::fisher_run(c, c.output_dir, !*no_plots);
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
  auto seed = std::make_shared<long long>(-1);
  cmd->add_option("config", *config_path, "TOML configuration (docs/config.md)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--data", opts->data_path, "FITS image of the data (photons)")->required();
  cmd->add_option("--out", *out, "output directory (output.dir)");
  cmd->add_option("--starts", opts->num_starts, "L-BFGS starts drawn from the priors")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--objective", opts->objective, "map (log posterior) or ml (log likelihood)")
      ->check(CLI::IsMember({"map", "ml"}));
  cmd->add_option("--seed", *seed, "seed of the starts (sampler.seed)")
      ->check(CLI::NonNegativeNumber);
  return [cmd, config_path, opts, out, seed]() {
    if (!*cmd) return -1;
    config::Config c = config::load_config(*config_path);
    if (!out->empty()) c.output_dir = *out;
    if (*seed >= 0) c.sampler.seed = static_cast<std::uint64_t>(*seed);
    const auto r = pipeline::optimize_run(c, *opts);
    std::cout << r.table
              << fmt::format(
                     "airy optimize: wrote optimize.csv, optimize_starts.csv, best_fit.fits, "
                     "best_fit_residual.fits in {}/\n",
                     c.output_dir);
    return 0;
  };
}

}  // namespace airy::cli
