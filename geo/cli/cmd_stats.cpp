// creatlas stats nni|moran|lisa|gistar — spatial statistics of one layer.
//
// A thin shell over creatlas/stats.hpp: load the layer (in WGS 84), build the
// weights, compute, print (text or esda-named JSON) and optionally write the
// per-feature results to a GeoPackage layer.
#include "commands.hpp"
#include "creatlas/error.hpp"
#include "creatlas/geodesy.hpp"
#include "creatlas/load.hpp"
#include "creatlas/stats.hpp"
#include "creatlas/style.hpp"
#include "creatlas/write.hpp"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

namespace creatlas::cli {

namespace {

using nlohmann::json;
namespace st = creatlas::stats;

struct StatsOptions {
    std::string statistic;
    std::string input;
    std::string layer;
    std::string crs;
    std::vector<std::string> open_options;
    std::string field;
    std::string weights;   // "" = queen for polygons, knn:8 for points
    std::string transform; // "" = b for gistar (Getis and Ord's form), r otherwise
    int permutations = 999;
    std::uint64_t seed = 12345;
    double alpha = 0.05;
    bool fdr = false;
    std::string area;
    std::string area_layer;
    double snap_m = 0.01;
    unsigned threads = 0;
    bool json = false;
    std::string output;
    bool overwrite = false;
};

json number(double v) {
    return std::isfinite(v) ? json(v) : json(nullptr);
}
json number(const std::optional<double>& v) {
    return v ? number(*v) : json(nullptr);
}

Table load_layer(const GeosContext& geos, const std::string& path, const std::string& layer,
                 const std::string& crs, const std::vector<std::string>& open_options,
                 const std::string& role, SourceReport& report) {
    SourceSpec spec;
    spec.role = role;
    spec.path = path;
    spec.layer = layer;
    spec.crs = crs;
    spec.open_options = open_options;
    return load_source(geos, spec, GeometryPolicy::Repair, GeometryNeed::Required, report);
}

bool all_polygons(const GeosContext& geos, const Table& t) {
    for (const Row& r : t.rows) {
        if (!r.geom) {
            return false;
        }
        const int type = GEOSGeomTypeId_r(geos.handle(), r.geom.get());
        if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
            return false;
        }
    }
    return !t.rows.empty();
}

std::vector<double> field_values(const Table& t, const std::string& field) {
    if (field.empty()) {
        throw Error(ErrorKind::Usage, "this statistic needs --field FIELD (a numeric field)");
    }
    const int idx = t.require_field(field, "the statistic's variable (--field)");
    std::vector<double> y;
    y.reserve(t.rows.size());
    for (const Row& r : t.rows) {
        const std::optional<double> v = as_number(r.values[static_cast<std::size_t>(idx)]);
        if (!v || !std::isfinite(*v)) {
            throw_bad_input("the value is missing or not a number; spatial statistics need a "
                            "number for every feature",
                            {t.source, t.layer, r.fid, field});
        }
        y.push_back(*v);
    }
    return y;
}

json islands_json(const Table& t, const st::Weights& w) {
    json fids = json::array();
    for (std::size_t i : w.islands()) {
        fids.push_back(t.rows[i].fid);
    }
    return fids;
}

// A copy of the input table's rows (fid, fields, geometry) with extra fields, for -o.
Table results_table(const GeosContext& geos, const Table& input, const std::string& name,
                    const std::vector<FieldDef>& extra) {
    Table out;
    out.name = name;
    out.fields = input.fields;
    for (const FieldDef& f : extra) {
        if (out.field_index(f.name) >= 0) {
            throw_bad_input("the input already has a field named '" + f.name +
                                "', which the results need; rename it first",
                            {input.source, input.layer, std::nullopt, f.name});
        }
        out.fields.push_back(f);
    }
    for (const Row& r : input.rows) {
        Row row;
        row.fid = r.fid;
        row.values = r.values;
        row.values.resize(out.fields.size());
        if (r.geom) {
            row.geom = geos.clone(*r.geom);
        }
        out.rows.push_back(std::move(row));
    }
    return out;
}

void write_results(const StatsOptions& o, const Table& results) {
    WriteOptions wo;
    wo.overwrite = o.overwrite;
    wo.inputs = {o.input};
    if (!o.area.empty() && o.area != "hull") {
        wo.inputs.push_back(o.area);
    }
    wo.metadata["creatlas:statistic"] = o.statistic;
    // Default styles come from styles/classes.json by layer name (lisa, gistar,
    // …); a layer without an entry there is written unstyled.
    const std::string output = o.output;
    wo.finish = [output](GDALDataset& ds) { write_layer_styles(ds, "creatlas stats", output); };
    write_geopackage(o.output, {&results}, wo);
}

/// What one statistic's run reads and writes: the layer, its points, the JSON
/// result and the text summary.
struct StatsRun {
    const StatsOptions& o;
    const GeosContext& geos;
    const Table& table;
    const std::vector<st::LonLat>& points;
    json& out;
    std::ostringstream& text;
};

void run_nni(const StatsRun& run) {
    const StatsOptions& o = run.o;
    const GeosContext& geos = run.geos;
    const Table& table = run.table;
    const auto& points = run.points;
    json& out = run.out;
    std::ostringstream& text = run.text;
    double area_m2 = 0;
    std::string area_source;
    if (o.area.empty()) {
        throw Error(ErrorKind::Usage, "nni needs a study area: --area SOURCE (polygons) or "
                                      "--area hull (the points' convex hull)");
    }
    if (o.area == "hull") {
        area_m2 = st::convex_hull_area_m2(geos, points);
        area_source = "convex hull";
    } else {
        SourceReport area_report;
        const Table area = load_layer(geos, o.area, o.area_layer, o.crs, {}, "area", area_report);
        for (const Row& r : area.rows) {
            if (r.geom) {
                area_m2 += geodesic_area_m2(geos, *r.geom);
            }
        }
        area_source = o.area;
    }
    const st::NniResult r = st::clark_evans(geos, points, area_m2);
    out["area_m2"] = number(area_m2);
    out["area_source"] = area_source;
    out["observed_mean_m"] = number(r.observed_mean_m);
    out["expected_mean_m"] = number(r.expected_mean_m);
    out["nni"] = number(r.nni);
    out["nni_z"] = number(r.z);
    out["nni_p"] = number(r.p);
    if (!r.reason.empty()) {
        out["reason"] = r.reason;
    }
    text << "Clark-Evans nearest-neighbour index of " << r.n << " points\n"
         << "  study area: " << area_m2 << " m2 (" << area_source << ")\n";
    if (r.nni) {
        text << "  observed mean distance: " << *r.observed_mean_m << " m\n"
             << "  expected mean distance: " << *r.expected_mean_m << " m\n"
             << "  nni = " << *r.nni << ", z = " << *r.z << ", p = " << *r.p << "\n";
    } else {
        text << "  not computed: " << r.reason << "\n";
    }
    if (!o.output.empty()) {
        const std::vector<double> d = st::nearest_neighbour_distances_m(geos, points);
        Table results = results_table(geos, table, "nni", {{"nn_dist_m", FieldType::Real}});
        const auto col = results.fields.size() - 1;
        for (std::size_t i = 0; i < d.size(); ++i) {
            results.rows[i].values[col] = d[i];
        }
        write_results(o, results);
    }
}

/// The spatial weights of a run: binary (Gi* adds each feature to its own
/// neighbours before scaling) and transformed (what the Moran statistics use).
struct RunWeights {
    st::WeightsSpec spec;
    st::Weights wb;
    st::Weights w;
};

RunWeights run_weights(const StatsRun& run, std::ostringstream& weights_line) {
    const StatsOptions& o = run.o;
    const GeosContext& geos = run.geos;
    const Table& table = run.table;
    const auto& points = run.points;
    json& out = run.out;
    const std::string weights_text =
        !o.weights.empty() ? o.weights : (all_polygons(geos, table) ? "queen" : "knn:8");
    const std::string transform =
        !o.transform.empty() ? o.transform : (o.statistic == "gistar" ? "b" : "r");
    st::WeightsSpec spec = st::WeightsSpec::parse(weights_text, transform);
    spec.snap_m = o.snap_m;
    std::vector<const GEOSGeometry*> polygons;
    if (spec.kind == st::WeightsSpec::Kind::Queen || spec.kind == st::WeightsSpec::Kind::Rook) {
        if (!all_polygons(geos, table)) {
            throw Error(ErrorKind::Usage,
                        "queen and rook weights need polygons; use --weights knn:K or "
                        "band:METRES for points");
        }
        for (const Row& r : table.rows) {
            polygons.push_back(r.geom.get());
        }
    }
    // Binary neighbours first: Gi* adds each feature to its own neighbours
    // before scaling, the Moran statistics use the scaled weights.
    st::WeightsSpec binary = spec;
    binary.transform = st::Transform::Binary;
    const st::Weights wb = st::build_weights(geos, binary, polygons, points);
    const st::Weights w = st::transformed(wb, spec.transform);
    out["field"] = o.field;
    out["weights"] = {{"type", weights_text},
                      {"transform", spec.transform == st::Transform::Row ? "r" : "b"},
                      {"s0", number(w.s0())},
                      {"mean_neighbors", number(wb.s0() / static_cast<double>(wb.size()))},
                      {"islands", islands_json(table, w)}};
    const std::size_t n_islands = w.islands().size();
    weights_line << "  weights: " << spec.describe() << ", " << n_islands << " island(s)";
    for (std::size_t k = 0; k < std::min<std::size_t>(n_islands, 10); ++k) {
        weights_line << (k == 0 ? ": fid " : ", ")
                     << out["weights"]["islands"][k].get<std::int64_t>();
    }
    weights_line << (n_islands > 10 ? ", …\n" : "\n");
    return {spec, wb, w};
}

void run_moran(const StatsRun& run, const std::vector<double>& y, const st::Weights& w,
               const st::Permutations& perm) {
    const StatsOptions& o = run.o;
    json& out = run.out;
    std::ostringstream& text = run.text;
    const st::MoranResult r = st::moran(y, w, perm);
    out["I"] = number(r.I);
    out["EI"] = number(r.EI);
    out["VI_norm"] = number(r.VI_norm);
    out["seI_norm"] = number(r.seI_norm);
    out["z_norm"] = number(r.z_norm);
    out["p_norm"] = number(r.p_norm);
    out["VI_rand"] = number(r.VI_rand);
    out["seI_rand"] = number(r.seI_rand);
    out["z_rand"] = number(r.z_rand);
    out["p_rand"] = number(r.p_rand);
    out["permutations"] = r.permutations;
    out["seed"] = o.seed;
    if (r.permutations > 0) {
        out["p_sim"] = number(r.p_sim);
        out["EI_sim"] = number(r.EI_sim);
        out["VI_sim"] = number(r.VI_sim);
        out["seI_sim"] = number(r.seI_sim);
        out["z_sim"] = number(r.z_sim);
        out["p_z_sim"] = number(r.p_z_sim);
    }
    text << "Moran's I of " << o.field << " (n = " << r.n << ")\n"
         << "  I = " << r.I << ", E[I] = " << r.EI << "\n"
         << "  normality:     z = " << r.z_norm << ", p = " << r.p_norm << "\n"
         << "  randomisation: z = " << r.z_rand << ", p = " << r.p_rand << "\n";
    if (r.permutations > 0) {
        text << "  permutations (" << r.permutations << ", seed " << o.seed
             << "): pseudo p = " << r.p_sim << "\n";
    }
    if (!o.output.empty()) {
        const std::vector<double> lag = w.lag(y);
        Table results = results_table(run.geos, run.table, "moran", {{"lag", FieldType::Real}});
        const auto col = results.fields.size() - 1;
        for (std::size_t i = 0; i < lag.size(); ++i) {
            results.rows[i].values[col] = lag[i];
        }
        write_results(o, results);
    }
}

void run_lisa(const StatsRun& run, const std::vector<double>& y, const st::Weights& w,
              const st::Permutations& perm) {
    const StatsOptions& o = run.o;
    const Table& table = run.table;
    json& out = run.out;
    std::ostringstream& text = run.text;
    st::LisaOptions lo;
    lo.perm = perm;
    lo.alpha = o.alpha;
    lo.fdr = o.fdr;
    const st::LisaResult r = st::local_moran(y, w, lo);
    out["permutations"] = o.permutations;
    out["seed"] = o.seed;
    out["alpha"] = o.alpha;
    out["fdr"] = o.fdr;
    out["threshold"] = r.threshold;
    std::map<std::string, int> counts;
    json features = json::array();
    for (std::size_t i = 0; i < y.size(); ++i) {
        ++counts[r.labels[i]];
        features.push_back({{"fid", table.rows[i].fid},
                            {"Is", number(r.Is[i])},
                            {"q", r.q[i]},
                            {"p_sim", number(r.p_sim[i])},
                            {"z_sim", number(r.z_sim[i])},
                            {"p_z_sim", number(r.p_z_sim[i])},
                            {"label", r.labels[i]}});
    }
    out["counts"] = counts;
    out["features"] = features;
    text << "local Moran's I of " << o.field << " (n = " << y.size() << ", " << o.permutations
         << " permutations, seed " << o.seed << ", p < " << r.threshold << (o.fdr ? " (FDR)" : "")
         << ")\n";
    for (const auto& [label, c] : counts) {
        text << "  " << label << ": " << c << "\n";
    }
    if (!o.output.empty()) {
        Table results = results_table(run.geos, table, "lisa",
                                      {{"lisa_i", FieldType::Real},
                                       {"lisa_q", FieldType::Integer},
                                       {"lisa_p", FieldType::Real},
                                       {"lisa_label", FieldType::String}});
        const auto col = results.fields.size() - 4;
        for (std::size_t i = 0; i < y.size(); ++i) {
            auto& v = results.rows[i].values;
            v[col] = r.Is[i];
            v[col + 1] = static_cast<std::int64_t>(r.q[i]);
            if (!std::isnan(r.p_sim[i])) {
                v[col + 2] = r.p_sim[i];
            }
            v[col + 3] = r.labels[i];
        }
        write_results(o, results);
    }
}

void run_gistar(const StatsRun& run, const std::vector<double>& y, const RunWeights& weights) {
    const StatsOptions& o = run.o;
    const Table& table = run.table;
    json& out = run.out;
    std::ostringstream& text = run.text;
    const st::Weights& wb = weights.wb;
    const st::WeightsSpec& spec = weights.spec;
    const st::GiStarResult r = st::getis_ord_gi_star(y, wb, spec.transform);
    std::map<std::string, int> counts;
    json features = json::array();
    for (std::size_t i = 0; i < y.size(); ++i) {
        ++counts[r.labels[i]];
        features.push_back({{"fid", table.rows[i].fid},
                            {"Gs", number(r.Gs[i])},
                            {"EGs", number(r.EGs[i])},
                            {"VGs", number(r.VGs[i])},
                            {"Zs", number(r.Zs[i])},
                            {"p_norm", number(r.p_norm[i])},
                            {"p", number(r.p[i])},
                            {"label", r.labels[i]}});
    }
    out["counts"] = counts;
    out["features"] = features;
    text << "Getis-Ord Gi* of " << o.field << " (n = " << y.size() << ")\n";
    for (const auto& [label, c] : counts) {
        text << "  " << label << ": " << c << "\n";
    }
    if (!o.output.empty()) {
        Table results = results_table(run.geos, table, "gistar",
                                      {{"gi_z", FieldType::Real},
                                       {"gi_p", FieldType::Real},
                                       {"gi_label", FieldType::String}});
        const auto col = results.fields.size() - 3;
        for (std::size_t i = 0; i < y.size(); ++i) {
            auto& v = results.rows[i].values;
            v[col] = r.Zs[i];
            v[col + 1] = r.p[i];
            v[col + 2] = r.labels[i];
        }
        write_results(o, results);
    }
}

int run_stats(const StatsOptions& o) {
    if (!o.output.empty()) {
        WriteOptions wo;
        wo.overwrite = o.overwrite;
        wo.inputs = {o.input};
        check_output_path(o.output, wo);
    }
    if (!(o.alpha > 0 && o.alpha < 1)) {
        throw Error(ErrorKind::Usage, "--alpha must lie between 0 and 1");
    }
    if (o.permutations < 0) {
        throw Error(ErrorKind::Usage, "--permutations must not be negative");
    }
    GeosContext geos;
    SourceReport report;
    const Table table = load_layer(geos, o.input, o.layer, o.crs, o.open_options, "input", report);
    if (table.rows.empty()) {
        throw_bad_input("the layer has no features", {table.source, table.layer, std::nullopt, ""});
    }
    const std::vector<st::LonLat> points = st::representative_points(geos, table);
    json out;
    out["statistic"] = o.statistic;
    out["input"] = o.input;
    out["layer"] = table.layer;
    out["n"] = table.rows.size();
    std::ostringstream text;
    std::ostringstream weights_line; // printed under the title line
    const StatsRun run{o, geos, table, points, out, text};
    if (o.statistic == "nni") {
        run_nni(run);
    } else {
        const std::vector<double> y = field_values(table, o.field);
        const RunWeights weights = run_weights(run, weights_line);
        st::Permutations perm;
        perm.permutations = o.permutations;
        perm.seed = o.seed;
        perm.threads = o.threads;
        if (o.statistic == "moran") {
            run_moran(run, y, weights.w, perm);
        } else if (o.statistic == "lisa") {
            run_lisa(run, y, weights.w, perm);
        } else {
            run_gistar(run, y, weights);
        }
    }
    if (o.json) {
        std::cout << out.dump(2) << "\n";
    } else {
        std::string shown = text.str();
        const std::size_t first = shown.find('\n');
        if (first != std::string::npos) {
            shown.insert(first + 1, weights_line.str());
        }
        std::cout << shown;
        if (!o.output.empty()) {
            std::cout << "wrote " << o.output << "\n";
        }
    }
    return kExitOk;
}

} // namespace

void add_stats_command(CLI::App& app, Action& action) {
    auto o = std::make_shared<StatsOptions>();
    CLI::App* cmd = app.add_subcommand(
        "stats", "Spatial statistics of one layer: nearest-neighbour index, Moran's I, LISA, Gi*");
    cmd->add_option("statistic", o->statistic, "nni, moran, lisa or gistar")
        ->required()
        ->check(CLI::IsMember({"nni", "moran", "lisa", "gistar"}));
    cmd->add_option("--input", o->input, "Any GDAL vector source")->required();
    cmd->add_option("--layer", o->layer, "Layer of the source (default: the first)");
    cmd->add_option("--crs", o->crs, "CRS of a source that declares none, e.g. EPSG:4326");
    cmd->add_option("--oo", o->open_options,
                    "GDAL open option KEY=VALUE (repeatable), e.g. X_POSSIBLE_NAMES=lon");
    cmd->add_option("--field", o->field, "Numeric field to test (moran, lisa, gistar)");
    cmd->add_option("--weights", o->weights,
                    "queen, rook, knn:K or band:METRES (default: queen for polygons, knn:8 "
                    "otherwise)");
    cmd->add_option("--transform", o->transform,
                    "r (row-standardised) or b (binary); default r, b for gistar")
        ->check(CLI::IsMember({"r", "b", "R", "B"}));
    cmd->add_option("--permutations", o->permutations, "Permutations for pseudo p (default 999)");
    cmd->add_option("--seed", o->seed, "Seed of the permutations (default 12345)");
    cmd->add_option("--alpha", o->alpha, "LISA significance level (default 0.05)");
    cmd->add_flag("--fdr", o->fdr, "LISA: Benjamini-Hochberg false discovery rate at --alpha");
    cmd->add_option("--area", o->area,
                    "nni study area: a polygon source, or 'hull' for the points' convex hull");
    cmd->add_option("--snap", o->snap_m,
                    "queen/rook: polygons closer than this many metres touch (default 0.01)");
    cmd->add_option("--area-layer", o->area_layer, "Layer of the --area source");
    cmd->add_option("--threads", o->threads, "Threads for permutations (default: all cores)");
    cmd->add_flag("--json", o->json, "Print the results as JSON (esda's names)");
    cmd->add_option("-o,--output", o->output, "Write per-feature results to this GeoPackage");
    cmd->add_flag("--overwrite", o->overwrite, "Replace an existing output file");
    cmd->callback([o, &action] { action = [o] { return run_stats(*o); }; });
}

} // namespace creatlas::cli
