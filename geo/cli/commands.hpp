// creatlas command line: each subcommand lives in its own cmd_<name>.cpp and
// registers itself here. The CLI is a thin shell over the core: it parses
// options, calls the core, prints, and maps errors to exit codes once (main.cpp).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace creatlas::cli {

/// What a chosen subcommand does; returns the exit code.
using Action = std::function<int()>;

/// Exit codes: 0 success, 1 bad input (or I/O failure, cancellation), 2 usage.
inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 1;
inline constexpr int kExitUsage = 2;

void add_run_command(CLI::App& app, Action& action);
void add_init_command(CLI::App& app, Action& action);
void add_info_command(CLI::App& app, Action& action);
void add_indicators_command(CLI::App& app, Action& action);
void add_schema_command(CLI::App& app, Action& action);
void add_stats_command(CLI::App& app, Action& action);

/// True when stderr is a terminal (progress is drawn only then).
bool stderr_is_terminal();

} // namespace creatlas::cli
