#include "creatlas/pipeline.hpp"

#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "creatlas/load.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/style.hpp"
#include "creatlas/version.hpp"
#include "creatlas/write.hpp"

#include <chrono>
#include <ctime>
#include <filesystem>

namespace creatlas {

namespace {

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

} // namespace

RunReport run_project(const Project& project, const RunOptions& options, const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    RunReport report;
    report.project = project.file;
    report.version = kVersion;
    report.started = utc_now();
    report.output = options.output.empty() ? project.output : options.output;

    if (!project.clusters.present()) {
        throw_bad_input("the project has no [clusters] source", {project.file, "", {}, ""});
    }
    WriteOptions wo;
    wo.crs = project.output_crs;
    wo.overwrite = options.overwrite;
    if (!project.file.empty()) {
        wo.inputs.push_back(project.file);
    }
    for (const SourceSpec* s : project.sources()) {
        wo.inputs.push_back(s->path);
    }
    // Fail before any work when the output cannot be written.
    check_output_path(report.output, wo);

    GeosContext geos;
    const std::vector<const SourceSpec*> sources = project.sources();
    AtlasInputs in;
    Table areas;
    Table attributes;
    Table grants;
    const double load_span = 0.45;
    for (std::size_t k = 0; k < sources.size(); ++k) {
        const SourceSpec& spec = *sources[k];
        const Progress p =
            progress.sub(load_span * static_cast<double>(k) / static_cast<double>(sources.size()),
                         load_span / static_cast<double>(sources.size()));
        SourceReport sr;
        const bool table = &spec == &project.cluster_attributes || &spec == &project.grants;
        Table t = load_source(geos, spec, project.geometry_policy,
                              table ? GeometryNeed::None : GeometryNeed::Required, sr, p);
        report.sources.push_back(std::move(sr));
        if (&spec == &project.cities) {
            in.cities = std::move(t);
        } else if (&spec == &project.city_areas) {
            areas = std::move(t);
        } else if (&spec == &project.clusters) {
            in.clusters = std::move(t);
        } else if (&spec == &project.heritage) {
            in.heritage = std::move(t);
        } else if (&spec == &project.programmes) {
            in.programmes = std::move(t);
        } else if (&spec == &project.cluster_attributes) {
            attributes = std::move(t);
        } else if (&spec == &project.grants) {
            grants = std::move(t);
            in.grants = &grants;
        } else if (&spec == &project.enterprises) {
            in.enterprises = std::move(t);
        }
    }
    report.mark("load");
    // Names for tables of roles that were not given.
    in.cities.name = "cities";
    in.heritage.name = "heritage";
    in.programmes.name = "programmes";
    in.enterprises.name = "enterprises";

    if (project.city_areas.present()) {
        report.links["cities_with_area"] = assign_city_areas(
            geos, in.cities, areas, project.cities.field("population_field"), report.notes);
    }

    // --- link by key ------------------------------------------------------------
    if (project.cluster_attributes.present()) {
        std::string left_key = project.clusters.field("key_field");
        if (left_key.empty()) {
            left_key = project.clusters.id_field;
        }
        report.key_links.push_back(join_by_key(in.clusters, left_key, attributes,
                                               project.cluster_attributes.field("key_field")));
    }
    // Identifiers must be unique where they name features in the output.
    for (const auto& [table, spec] :
         {std::pair<const Table*, const SourceSpec*>{&in.cities, &project.cities},
          {&in.clusters, &project.clusters},
          {&in.heritage, &project.heritage},
          {&in.programmes, &project.programmes}}) {
        if (spec->present() && !spec->id_field.empty()) {
            require_unique_keys(*table, spec->id_field);
        }
    }

    report.mark("key links");
    AtlasLayers layers =
        measure_atlas(geos, project, std::move(in), report, progress.sub(0.45, 0.3));
    for (const Table* t : layers.all()) {
        report.layers[t->name] = static_cast<std::int64_t>(t->rows.size());
    }

    wo.metadata["CREATLAS_VERSION"] = kVersion;
    wo.metadata["CREATLAS_PROJECT"] = project.name;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    wo.metadata["CREATLAS_PROVENANCE"] = report.to_json().dump();
    const std::string title = project.name.empty() ? std::string("creatlas atlas") : project.name;
    const Presentation look = presentation(project, report);
    localise_formation_labels(layers.clusters, look.language);
    wo.finish = [&title, &report, &look](GDALDataset& ds) {
        report.mark("write layers");
        write_layer_styles(ds, title, report.output, look);
        report.mark("styles");
    };
    write_geopackage(report.output, layers.all(), wo, progress.sub(0.75, 0.2));
    report.mark("close");
    if (options.report) {
        progress.update(0.95, "report");
        const std::filesystem::path html =
            std::filesystem::absolute(report.output).parent_path() / "report.html";
        write_report(report.to_json(), report.output, html.string(), look);
        report.notes.push_back("report: " + html.string());
        report.mark("report");
        progress.update(0.97, "atlas.pdf");
        report.notes.push_back(
            export_atlas_pdf(report.output, (html.parent_path() / "atlas.pdf").string(), title));
        report.mark("atlas.pdf");
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.update(1.0, "done");
    return report;
}

} // namespace creatlas
