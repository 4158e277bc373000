// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief `airy`: differentiable telescope models and NUTS inference from the command line.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>
#include <vector>

#include "airy/core/error.hpp"
#include "airy/pipeline/pipeline.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);

  CLI::App app{"airy: differentiable telescope models and NUTS inference (docs/cli.md)", "airy"};
  app.set_version_flag("--version", airy::pipeline::version());
  app.require_subcommand(1);
  std::vector<airy::cli::Action> actions = {airy::cli::add_demo(app, command_line),
                                            airy::cli::add_simulate(app, command_line),
                                            airy::cli::add_fit(app, command_line),
                                            airy::cli::add_summary(app),
                                            airy::cli::add_plot(app),
                                            airy::cli::add_fisher(app),
                                            airy::cli::add_optimize(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& action : actions) {
      const int code = action();
      if (code >= 0) return code;
    }
  } catch (const airy::InvalidArgument& e) {
    std::cerr << "airy: error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "airy: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
