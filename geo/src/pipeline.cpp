#include "creatlas/pipeline.hpp"

#include "creatlas/check.hpp"
#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "creatlas/load.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/style.hpp"
#include "creatlas/version.hpp"
#include "creatlas/write.hpp"
#include "gdal_util.hpp"

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

void check_crs(const std::string& definition, const std::string& key, const std::string& file) {
    detail::ensure_gdal_registered();
    const detail::GdalErrorCapture quiet; // PROJ's own line would repeat the message
    try {
        (void)detail::make_srs(definition, key + " in the project");
    } catch (const Error& e) {
        throw_bad_input(e.message(), {file, "", {}, ""});
    }
}

} // namespace

RunReport run_project(const Project& project, const RunOptions& options, const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    RunReport report;
    report.project = project.file;
    report.version = kVersion;
    report.started = utc_now();
    report.output = options.output.empty() ? project.output : options.output;

    if (!project.clusters.present() && !project.heritage.present() &&
        !project.programmes.present()) {
        throw_bad_input("the project has none of [clusters], [heritage] or [programmes]: there "
                        "is nothing to map",
                        {project.file, "", {}, ""});
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
    // Fail before any work when the output cannot be written, or when a CRS the
    // project names is unknown (the error then names the project file).
    check_output_path(report.output, wo);
    for (const SourceSpec* s : project.sources()) {
        if (!s->crs.empty()) {
            check_crs(s->crs, "crs of [" + s->role + "]", project.file);
        }
    }
    check_crs(project.output_crs, "crs of [project]", project.file);

    GeosContext geos;
    Inputs inputs = load_inputs(geos, project, report, progress.sub(0.0, 0.4));
    report.mark("load");
    CheckedInputs checked = check_inputs(std::move(inputs), project, report);
    report.mark("check");
    const Links links = link_inputs(geos, checked, project, report, progress.sub(0.4, 0.2));
    if (!project.clusters.present()) {
        report.notes.emplace_back("the project has no [clusters]: the clusters layer is empty and "
                                  "the indicators that count or measure clusters are null");
    }
    AtlasLayers layers =
        measure_atlas(geos, project, std::move(checked), links, report, progress.sub(0.6, 0.15));
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
