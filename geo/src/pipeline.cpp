#include "creatlas/pipeline.hpp"

#include "creatlas/check.hpp"
#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "creatlas/load.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/postgis.hpp"
#include "creatlas/style.hpp"
#include "creatlas/version.hpp"
#include "creatlas/write.hpp"
#include "gdal_util.hpp"
#include "parallel.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <future>

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

/// A private folder for the GeoPackage a PostGIS output is copied from, removed
/// with everything in it when the run ends (the GeoPackage itself is guarded
/// against a killed run by the write stage until it is complete).
class TempDir {
public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern = (base != nullptr && *base != '\0' ? std::string(base) : "/tmp");
        pattern += "/creatlas-pg-XXXXXX";
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw Error(ErrorKind::Io, "cannot create a temporary folder in " +
                                           std::filesystem::path(pattern).parent_path().string());
        }
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&&) = delete;
    TempDir& operator=(TempDir&&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// Frees the rows of the layers written so far on a thread of its own, one layer
/// after another, while the next layers are written: otherwise the calling thread
/// tears them down at the end of the run, with the other core idle (0.09 s of a
/// national run, docs/performance.md). The thread gives way to the write stage's
/// own (it would otherwise hold up the encoding the inserts wait for). Destroying
/// it waits for the rows taken.
class RowDisposal {
public:
    RowDisposal() = default;
    RowDisposal(const RowDisposal&) = delete;
    RowDisposal& operator=(const RowDisposal&) = delete;
    RowDisposal(RowDisposal&&) = delete;
    RowDisposal& operator=(RowDisposal&&) = delete;
    ~RowDisposal() {
        if (last_.valid()) {
            last_.wait();
        }
    }

    /// Free `table`'s rows (its name, fields and the rest stay).
    void take(Table& table) {
        if (table.rows.empty()) {
            return;
        }
        std::vector<Row> rows;
        rows.swap(table.rows);
        last_ = std::async(std::launch::async,
                           [rows = std::move(rows), before = std::move(last_)]() mutable {
                               detail::yield_to_other_threads();
                               if (before.valid()) {
                                   before.wait();
                               }
                               std::vector<Row>().swap(rows);
                           });
    }

private:
    std::future<void> last_;
};

/// How the write stage gets the layers' rows: the hexagonal grid's completed when its
/// turn comes, after every other layer's (it is still being laid out when the write
/// stage starts), and each layer's freed by `disposal` once it is in.
void hand_over_rows(WriteOptions& wo, AtlasLayers& layers, const GeosContext& geos,
                    RunReport& report, RowDisposal& disposal) {
    wo.before_rows = [&layers, &geos, &report](const Table& t) {
        if (&t == &layers.hex_grid && layers.pending_hex_grid) {
            layers.complete_hex_grid(geos);
            report.layers[t.name] = static_cast<std::int64_t>(t.rows.size());
        }
    };
    if (layers.pending_hex_grid) {
        wo.rows_last.push_back(layers.hex_grid.name);
    }
    wo.after_rows = [&layers, &disposal](const Table& t) {
        for (Table* own : layers.all_mutable()) {
            if (own == &t) {
                disposal.take(*own);
            }
        }
    };
}

/// Every table name an atlas may write: checked for before the run starts.
std::vector<std::string> atlas_table_names() {
    return {"cities",
            "clusters",
            "heritage_sites",
            "programmes",
            "heritage_programmes",
            "hex_grid",
            "city_years",
            "cities_footprints",
            "clusters_footprints",
            "heritage_sites_footprints"};
}

} // namespace

RunReport run_project(const Project& project, const RunOptions& options, const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    RunReport report;
    report.project = project.file;
    report.version = kVersion;
    report.started = utc_now();
    const std::string output = options.output.empty() ? project.output : options.output;
    const bool to_postgis = is_postgis(output);
    // The report names the output without its password (a command line may hold one).
    report.output = redact_password(output);
    PostgisTarget pg;
    pg.connection = output;
    pg.schema = options.schema.empty() ? project.output_schema : options.schema;
    pg.overwrite = options.overwrite;
    pg.project_title = project.name.empty() ? std::string("creatlas atlas") : project.name;

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
    // Fail before any work when the output CRS is unknown (the error then names the
    // project file) or the output cannot be written. The sources' declared CRSs are
    // parsed once, by the load stage before it reads any source (load_inputs).
    check_crs(project.output_crs, "crs of [project]", project.file);
    std::map<std::string, std::string> pg_keywords;
    int srid = 0;
    if (to_postgis) {
        srid = postgis_srid(project.output_crs);
        pg_keywords = check_postgis_output(pg, atlas_table_names());
    } else {
        check_output_path(output, wo);
    }

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
    // The hexagonal grid goes on being laid out on a thread of its own while the other
    // layers are written; the write stage completes it when its turn comes.
    MeasureOptions mo;
    mo.defer_hex_grid = true;
    AtlasLayers layers = measure_atlas(geos, project, std::move(checked), links, report,
                                       progress.sub(0.6, 0.15), mo);
    for (const Table* t : layers.all()) {
        report.layers[t->name] = static_cast<std::int64_t>(t->rows.size());
    }
    // Declared after `geos` and `layers`: destroyed first, it waits for the rows it
    // frees (their geometries belong to `geos`).
    RowDisposal disposal;
    hand_over_rows(wo, layers, geos, report, disposal);

    wo.metadata["CREATLAS_VERSION"] = kVersion;
    wo.metadata["CREATLAS_PROJECT"] = project.name;
    // The provenance (the run report so far) is written once every layer is, so that
    // it counts the rows of the hexagonal grid too.
    std::map<std::string, std::string> metadata = wo.metadata;
    auto provenance = [&report, &metadata, t0](GDALDataset& ds) {
        report.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        metadata["CREATLAS_PROVENANCE"] = report.to_json().dump();
        ds.SetMetadataItem("CREATLAS_PROVENANCE", metadata["CREATLAS_PROVENANCE"].c_str());
    };
    const std::string title = project.name.empty() ? std::string("creatlas atlas") : project.name;
    const Presentation look = presentation(project, report);
    localise_formation_labels(layers.clusters, look.language);
    if (to_postgis) {
        // The atlas is made as a GeoPackage first (the same layers, field types and
        // geometries as a file output), then copied into the schema in one transaction.
        const TempDir temp;
        const std::string gpkg = temp.path() + "/atlas.gpkg";
        AtlasStyles styles;
        ProjectSources sources;
        sources.provider = "postgres";
        sources.source = [&pg_keywords, &pg, srid](const std::string& table,
                                                   const std::string& wkb_type) {
            return qgis_postgres_source(pg_keywords, pg.schema, table, wkb_type, srid);
        };
        wo.finish = [&](GDALDataset& ds) {
            report.mark("write layers");
            provenance(ds);
            styles = build_atlas_styles(ds, pg.project_title, sources, look);
            report.mark("styles");
        };
        write_geopackage(gpkg, layers.all(), wo, progress.sub(0.75, 0.1));
        write_postgis(pg, gpkg, styles, metadata, srid, progress.sub(0.85, 0.15));
        report.mark("postgis");
        report.notes.push_back("PostGIS: schema " + pg.schema + ", QGIS project '" +
                               pg.project_title + "' in " + pg.schema + ".qgis_projects");
        report.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.update(1.0, "done");
        return report;
    }
    // The lookups' attribute indexes are made as soon as their layers' rows are in,
    // while the write stage waits for the hexagonal grid, rather than in the styles.
    wo.layer_sql =
        lookup_index_statements([&layers](const std::string& layer, const std::string& field) {
            for (const Table* t : layers.all()) {
                if (t->name == layer) {
                    for (const auto& f : t->fields) {
                        if (f.name == field) {
                            return true;
                        }
                    }
                }
            }
            return false;
        });
    wo.finish = [&title, &report, &look, &output, &provenance](GDALDataset& ds) {
        report.mark("write layers");
        provenance(ds);
        write_layer_styles(ds, title, output, look);
        report.mark("styles");
    };
    write_geopackage(output, layers.all(), wo, progress.sub(0.75, 0.2));
    report.mark("close");
    if (options.report) {
        progress.update(0.95, "report");
        const std::filesystem::path html =
            std::filesystem::absolute(output).parent_path() / "report.html";
        write_report(report.to_json(), output, html.string(), look);
        report.notes.push_back("report: " + html.string());
        report.mark("report");
        progress.update(0.97, "atlas.pdf");
        report.notes.push_back(
            export_atlas_pdf(output, (html.parent_path() / "atlas.pdf").string(), title));
        report.mark("atlas.pdf");
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    progress.update(1.0, "done");
    return report;
}

} // namespace creatlas
