// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy compare A.toml B.toml --data FILE`: the Bayes factor of two models of the
/// same data by parallel tempering (pipeline::compare).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "airy/config/config.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "commands.hpp"

namespace airy::cli {

Action add_compare(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "compare",
      "the evidence log Z of two models of the same data (parallel tempering) and their log "
      "Bayes factor with its error; e.g. a binary against a single star");
  auto config_a = std::make_shared<std::string>();
  auto config_b = std::make_shared<std::string>();
  auto data = std::make_shared<std::string>();
  auto runs = std::make_shared<int>(0);
  auto threads = std::make_shared<int>(-1);
  auto quiet = std::make_shared<bool>(false);
  cmd->add_option("model_a", *config_a, "TOML configuration of model A")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("model_b", *config_b, "TOML configuration of model B")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--data", *data,
                  "FITS image both models are fitted to (photons); with [[exposures]], the file "
                  "of the exposures that name none");
  cmd->add_option("--chains", *runs,
                  "independent PT runs per model (sampler.num_chains of both configs)")
      ->check(integer_in(1, 4096));
  cmd->add_option("--threads", *threads, "threads; 0 = one per PT chain up to the cores")
      ->check(integer_in(0, 4096));
  cmd->add_flag("--quiet,-q", *quiet, "no per-round progress lines");
  return [cmd, config_a, config_b, data, runs, threads, quiet]() {
    if (!*cmd) return -1;
    config::Config a = config::load_config(*config_a);
    config::Config b = config::load_config(*config_b);
    for (config::Config* c : {&a, &b}) {
      if (*runs > 0) c->sampler.num_chains = *runs;
      if (*threads >= 0) c->sampler.num_threads = *threads;
    }
    pipeline::CompareOptions o;
    o.data_path = *data;
    o.name_a = *config_a;
    o.name_b = *config_b;
    o.quiet = *quiet;
    const pipeline::CompareResult r = pipeline::compare(std::move(a), std::move(b), o);
    std::cout << r.text << std::flush;
    return r.complete ? 0 : interrupted_exit_code(r.stop_signal);
  };
}

}  // namespace airy::cli
