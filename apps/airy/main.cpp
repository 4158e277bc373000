// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy`: differentiable telescope models and NUTS inference from the command line.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/core/stop.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  airy::pipeline::set_process_command_line(command_line);  // COMMAND in every FITS header

  // SIGINT, SIGTERM and SIGHUP for the whole process: the first stops the running phase (MAP,
  // sampling) and the command writes its files from what exists; a second exits at once.
  const airy::StopSignalScope signals;
  CLI::App app{"airy: differentiable telescope models and NUTS inference (docs/cli.md)", "airy"};
  app.set_version_flag("--version", airy::pipeline::version());
  app.require_subcommand(1);
  std::vector<airy::cli::Action> actions = {airy::cli::add_demo(app, command_line),
                                            airy::cli::add_simulate(app),
                                            airy::cli::add_fit(app, command_line),
                                            airy::cli::add_summary(app),
                                            airy::cli::add_plot(app),
                                            airy::cli::add_fisher(app),
                                            airy::cli::add_optimize(app),
                                            airy::cli::add_compare(app),
                                            airy::cli::add_batch(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every usage error exits 2 with CLI11's message.
    return app.exit(e) == 0 ? 0 : airy::cli::kExitUsage;
  }
  try {
    for (auto& action : actions) {
      const int code = action();
      if (code >= 0) return code;
    }
  } catch (const airy::InvalidArgument& e) {
    std::cerr << "airy: error: " << e.what() << "\n";
    return airy::cli::kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "airy: error: " << e.what() << "\n";
    return airy::cli::kExitFailure;
  }
  return 0;
}
