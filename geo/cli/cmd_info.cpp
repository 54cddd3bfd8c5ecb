// creatlas info SOURCE: what a GDAL source holds, as creatlas will read it.
#include "commands.hpp"
#include "creatlas/load.hpp"
#include "creatlas/postgis.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

namespace creatlas::cli {

void add_info_command(CLI::App& app, Action& action) {
    struct Options {
        std::string source;
        std::string layer;
        std::vector<std::string> open_options;
        bool json = false;
    };
    auto opts = std::make_shared<Options>();
    CLI::App* cmd = app.add_subcommand(
        "info", "Describe a vector source: layers, feature counts, geometry types, CRS, fields "
                "and invalid geometries.");
    cmd->add_option("source", opts->source,
                    "Any GDAL vector source, e.g. a file or a PostGIS database \"PG:service=…\" "
                    "(with -l schema.table)")
        ->required();
    cmd->add_option("-l,--layer", opts->layer, "Only this layer");
    cmd->add_option("--oo", opts->open_options, "GDAL open option KEY=VALUE (repeatable)");
    cmd->add_flag("--json", opts->json, "Print JSON");
    cmd->callback([opts, &action] {
        action = [opts] {
            GeosContext geos;
            const auto layers = inspect_source(geos, opts->source, opts->open_options, opts->layer);
            if (opts->json) {
                nlohmann::json j = nlohmann::json::array();
                for (const auto& l : layers) {
                    nlohmann::json fields = nlohmann::json::array();
                    for (const auto& [name, type] : l.fields) {
                        fields.push_back({{"name", name}, {"type", type}});
                    }
                    j.push_back({{"layer", l.name},
                                 {"features", l.features},
                                 {"geometry_type", l.geometry_type},
                                 {"crs", l.crs.empty() ? nlohmann::json() : nlohmann::json(l.crs)},
                                 {"fields", fields},
                                 {"invalid_geometries", l.invalid_geometries},
                                 {"null_geometries", l.null_geometries}});
                }
                std::cout << nlohmann::json{{"source", redact_password(opts->source)},
                                            {"layers", j}}
                                 .dump(2)
                          << std::endl;
                return kExitOk;
            }
            std::cout << "Source: " << redact_password(opts->source) << "\n";
            for (const auto& l : layers) {
                std::cout << "Layer: " << l.name << "\n"
                          << "  features: " << l.features << "\n"
                          << "  geometry: " << l.geometry_type << "\n"
                          << "  crs: " << (l.crs.empty() ? "(none)" : l.crs) << "\n"
                          << "  invalid geometries: " << l.invalid_geometries << "\n"
                          << "  missing/unreadable geometries: " << l.null_geometries << "\n"
                          << "  fields:\n";
                for (const auto& [name, type] : l.fields) {
                    std::cout << "    " << name << " (" << type << ")\n";
                }
            }
            return kExitOk;
        };
    });
}

} // namespace creatlas::cli
