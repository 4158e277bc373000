// SPDX-License-Identifier: BSD-3-Clause
/// @file
/// @brief The airy subcommands: each registers its options on the CLI11 app and runs.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace airy::cli {

/// A registered subcommand's action; returns the process exit code.
using Action = std::function<int()>;

Action add_demo(CLI::App& app, const std::string& command_line);
Action add_simulate(CLI::App& app, const std::string& command_line);
Action add_fit(CLI::App& app, const std::string& command_line);
Action add_summary(CLI::App& app);
Action add_plot(CLI::App& app);
/// `airy fisher CONFIG` (commands_fisher.cpp).
Action add_fisher(CLI::App& app);
/// `airy optimize CONFIG --data FILE` (commands_fisher.cpp).
Action add_optimize(CLI::App& app);

}  // namespace airy::cli
