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

/// Exit codes (docs/cli.md).
inline constexpr int kExitFailure = 1;  ///< a runtime failure (e.g. a file cannot be written)
inline constexpr int kExitUsage = 2;    ///< bad command line, configuration or data file
/// 128 + the signal that stopped a run (130 SIGINT, 143 SIGTERM, 129 SIGHUP); 130 when the
/// run was stopped without a signal or `airy summary` reads an incomplete run.
int interrupted_exit_code(int signo);

/// A CLI11 check that the value is an integer in [lo, hi]; the message names the bound:
/// "--chains: must be an integer >= 1, got 0".
CLI::Validator integer_in(long long lo, unsigned long long hi);

/// The --overwrite flag of the commands that write a run directory.
void add_overwrite_flag(CLI::App* cmd, bool& overwrite);

Action add_demo(CLI::App& app, const std::string& command_line);
Action add_simulate(CLI::App& app);
Action add_fit(CLI::App& app, const std::string& command_line);
Action add_summary(CLI::App& app);
Action add_plot(CLI::App& app);
/// `airy fisher CONFIG` (commands_fisher.cpp).
Action add_fisher(CLI::App& app);
/// `airy optimize CONFIG --data FILE` (commands_fisher.cpp).
Action add_optimize(CLI::App& app);
/// `airy compare A.toml B.toml --data FILE` (commands_compare.cpp).
Action add_compare(CLI::App& app);
/// `airy batch MANIFEST` (commands_batch.cpp).
Action add_batch(CLI::App& app);

}  // namespace airy::cli
