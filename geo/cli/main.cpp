// creatlas — command-line entry point. Errors are translated to messages and exit
// codes here, once.
#include "commands.hpp"
#include "creatlas/error.hpp"
#include "creatlas/version.hpp"

#include <iostream>
#include <unistd.h>

namespace creatlas::cli {

bool stderr_is_terminal() {
    return ::isatty(STDERR_FILENO) == 1;
}

} // namespace creatlas::cli

namespace {

int run_cli(int argc, char** argv) {
    using namespace creatlas;
    using namespace creatlas::cli;
    CLI::App app{"creatlas — creative clusters, industrial heritage and urban transformation "
                 "atlas.\nReads a project file, links clusters to cities, heritage sites and "
                 "support programmes, computes indicators and writes a styled GeoPackage.",
                 "creatlas"};
    app.set_version_flag("--version", std::string("creatlas ") + kVersion);
    app.require_subcommand(1);
    Action action;
    add_run_command(app, action);
    add_init_command(app, action);
    add_info_command(app, action);
    add_indicators_command(app, action);
    add_schema_command(app, action);
    add_stats_command(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    }
    try {
        return action ? action() : kExitUsage;
    } catch (const Error& e) {
        std::cerr << "creatlas: error: " << e.what() << "\n";
        return e.kind() == ErrorKind::Usage ? kExitUsage : kExitBadInput;
    } catch (const std::exception& e) {
        std::cerr << "creatlas: internal error: " << e.what() << "\n";
        return kExitBadInput;
    }
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run_cli(argc, argv);
    } catch (...) {
        // Only reached if printing an error failed itself.
        return creatlas::cli::kExitBadInput;
    }
}
