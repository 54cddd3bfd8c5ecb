// creatlas indicators / creatlas schema: the declarations the core is driven by.
#include "commands.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/project.hpp"
#include "creatlas/sectors.hpp"

#include <iostream>

namespace creatlas::cli {

void add_indicators_command(CLI::App& app, Action& action) {
    auto json = std::make_shared<bool>(false);
    auto markdown = std::make_shared<bool>(false);
    auto sectors = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand(
        "indicators", "List the indicator catalogue: every computed field with its level, unit "
                      "and formula.");
    auto* j = cmd->add_flag("--json", *json, "Print the catalogue as JSON");
    auto* m = cmd->add_flag("--markdown", *markdown, "Print docs/indicators.md")->excludes(j);
    cmd->add_flag("--sectors-markdown", *sectors,
                  "Print docs/creative-sectors.md (the creative sectors and the default "
                  "mapping of OKVED 2 codes)")
        ->excludes(j)
        ->excludes(m);
    cmd->callback([json, markdown, sectors, &action] {
        action = [json, markdown, sectors] {
            if (*sectors) {
                std::cout << sector_mapping_markdown();
            } else if (*json) {
                std::cout << indicator_catalogue_json().dump(2) << std::endl;
            } else if (*markdown) {
                std::cout << indicator_catalogue_markdown();
            } else {
                for (const auto& i : indicator_catalogue()) {
                    std::cout << layer_name(i.level) << "." << i.id << " [" << i.unit
                              << "]: " << i.meaning << "\n";
                }
            }
            return kExitOk;
        };
    });
}

void add_schema_command(CLI::App& app, Action& action) {
    auto markdown = std::make_shared<bool>(false);
    CLI::App* cmd =
        app.add_subcommand("schema", "List every section and key the project file accepts.");
    cmd->add_flag("--markdown", *markdown, "Print docs/project-file.md");
    cmd->callback([markdown, &action] {
        action = [markdown] {
            if (*markdown) {
                std::cout << project_schema_markdown();
                return kExitOk;
            }
            for (const auto& k : project_schema()) {
                std::cout << "[" << k.section << "] " << k.key << (k.required ? " (required)" : "")
                          << ": " << k.meaning << "\n";
            }
            return kExitOk;
        };
    });
}

} // namespace creatlas::cli
