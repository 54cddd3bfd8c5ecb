// creatlas run PROJECT.toml: the whole pipeline.
#include "commands.hpp"
#include "creatlas/error.hpp"
#include "creatlas/pipeline.hpp"

#include <atomic>
#include <csignal>
#include <iostream>

namespace creatlas::cli {

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_signal(int /*sig*/) {
    g_interrupted.store(true);
}

/// GDAL-style terminal progress: "0...10...20...30...40...50...60...70...80...90...100 - done."
class TerminalProgress {
public:
    void operator()(double fraction, const std::string& /*stage*/) {
        const int tick = static_cast<int>(fraction * 40.0 + 1e-9);
        while (last_ < tick) {
            ++last_;
            if (last_ % 4 == 0) {
                std::cerr << (last_ / 4) * 10;
            } else {
                std::cerr << ".";
            }
        }
        if (tick >= 40 && !closed_) {
            std::cerr << " - done." << std::endl;
            closed_ = true;
        }
        std::cerr.flush();
    }

private:
    int last_ = -1;
    bool closed_ = false;
};

} // namespace

void add_run_command(CLI::App& app, Action& action) {
    struct Options {
        std::string project;
        std::string output;
        std::string schema;
        bool overwrite = false;
        bool json = false;
        bool quiet = false;
        bool no_report = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "run", "Run a project: load, link, measure and write the atlas (GeoPackage or PostGIS).");
    cmd->add_option("project", opts->project, "Project file (TOML)")->required();
    cmd->add_option("-o,--output", opts->output,
                    "GeoPackage to write, or a PostGIS database \"PG:service=…\" or "
                    "\"PG:dbname=… host=…\" (default: [project] output of the project file)");
    cmd->add_option("--schema", opts->schema,
                    "Schema of a PostGIS output (default: [project] output_schema, \"atlas\")");
    cmd->add_flag(
        "--overwrite", opts->overwrite,
        "Replace the output if it exists (in PostGIS: the atlas's own tables, styles and project)");
    cmd->add_flag("--json", opts->json, "Print the run report as one JSON document on stdout");
    cmd->add_flag("-q,--quiet", opts->quiet, "No progress and no summary");
    cmd->add_flag("--no-report", opts->no_report,
                  "Do not write report.html (and its QGIS-rendered maps) beside the output");
    cmd->callback([opts, &action] {
        action = [opts] {
            const Project project = load_project(opts->project);
            RunOptions ro;
            ro.output = opts->output;
            ro.schema = opts->schema;
            ro.overwrite = opts->overwrite;
            ro.report = !opts->no_report;
            // Ctrl-C or a termination request cancels the run cleanly: no output is left.
            std::signal(SIGINT, on_signal);
            std::signal(SIGTERM, on_signal);
            TerminalProgress bar;
            const bool draw = !opts->quiet && stderr_is_terminal();
            Progress progress(
                [&bar, draw](double f, const std::string& stage) {
                    if (draw) {
                        bar(f, stage);
                    }
                },
                [] { return g_interrupted.load(); });
            const RunReport report = run_project(project, ro, progress);
            if (opts->json) {
                std::cout << report.to_json().dump(2) << std::endl;
            } else if (!opts->quiet) {
                std::cout << report.summary();
            }
            return kExitOk;
        };
    });
}

} // namespace creatlas::cli
