// The load stage: one GDAL source into a Table (load.hpp).
#include "creatlas/error.hpp"
#include "creatlas/load.hpp"
#include "creatlas/postgis.hpp"
#include "gdal_util.hpp"
#include "load_internal.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <ogrsf_frmts.h>
#include <string_view>
#include <unordered_map>

namespace creatlas {

namespace {

using detail::GdalErrorCapture;

FieldType map_type(OGRFieldType t) {
    switch (t) {
    case OFTInteger:
    case OFTInteger64:
        return FieldType::Integer;
    case OFTReal:
        return FieldType::Real;
    default:
        return FieldType::String;
    }
}

Value read_value(OGRFeature& f, int i, FieldType type, const detail::Recoder& recode) {
    if (!f.IsFieldSetAndNotNull(i)) {
        return std::monostate{};
    }
    switch (type) {
    case FieldType::Integer:
        return static_cast<std::int64_t>(f.GetFieldAsInteger64(i));
    case FieldType::Real:
        return f.GetFieldAsDouble(i);
    case FieldType::String:
        return recode(f.GetFieldAsString(i));
    }
    return std::monostate{};
}

bool has_option(const std::vector<std::string>& options, const std::string& key) {
    return std::any_of(options.begin(), options.end(), [&key](const std::string& o) {
        return o.size() > key.size() && o.compare(0, key.size(), key) == 0 && o[key.size()] == '=';
    });
}

/// Open a source with the options its driver needs: CSV column types detected
/// (so that numbers are carried as numbers) and a Shapefile's declared encoding
/// passed to GDAL, which recodes it (other drivers' text is recoded by the Recoder).
GDALDatasetUniquePtr open_dataset(const SourceSpec& spec, const GdalErrorCapture& errors,
                                  bool& gdal_recodes) {
    const ErrorContext where{spec.path, "", std::nullopt, ""};
    if (is_local_path(spec.path) && !std::filesystem::exists(spec.path)) {
        throw_bad_input("[" + spec.role + "] source does not exist", where);
    }
    if (is_local_path(spec.path) && std::filesystem::is_regular_file(spec.path) &&
        std::filesystem::file_size(spec.path) == 0) {
        throw_bad_input("[" + spec.role + "] source is an empty file (0 bytes)", where);
    }
    std::vector<std::string> options = spec.open_options;
    GDALDatasetUniquePtr ds = detail::open_vector(spec.path, options);
    if (!ds) {
        throw_bad_input("[" + spec.role + "] GDAL cannot open this source as vector data" +
                            (errors.last_error().empty() ? "" : ": " + errors.last_error()),
                        where);
    }
    const std::string driver = ds->GetDriverName();
    std::vector<std::string> extra;
    if (driver == "CSV" && !has_option(options, "AUTODETECT_TYPE")) {
        extra.emplace_back("AUTODETECT_TYPE=YES");
    }
    gdal_recodes = driver == "ESRI Shapefile" && !spec.encoding.empty();
    if (gdal_recodes && !has_option(options, "ENCODING")) {
        extra.push_back("ENCODING=" + spec.encoding);
    }
    if (!extra.empty()) {
        options.insert(options.end(), extra.begin(), extra.end());
        ds = detail::open_vector(spec.path, options);
        if (!ds) {
            throw_bad_input("[" + spec.role + "] GDAL cannot open this " + driver + ": " +
                                errors.last_error(),
                            where);
        }
    }
    return ds;
}

OGRLayer* pick_layer(GDALDataset& ds, const SourceSpec& spec) {
    if (spec.layer.empty()) {
        if (ds.GetLayerCount() == 0) {
            throw_bad_input("[" + spec.role + "] source has no layers",
                            {spec.path, "", std::nullopt, ""});
        }
        return ds.GetLayer(0);
    }
    OGRLayer* layer = ds.GetLayerByName(spec.layer.c_str());
    if (layer == nullptr) {
        std::string names;
        for (int i = 0; i < ds.GetLayerCount(); ++i) {
            names += (names.empty() ? "" : ", ") + std::string(ds.GetLayer(i)->GetName());
        }
        throw_bad_input("[" + spec.role + "] no layer of that name; the source has: " + names,
                        {spec.path, spec.layer, std::nullopt, ""});
    }
    return layer;
}

/// The table's fields, and a check that every field the project names exists.
void read_schema(OGRLayer& layer, const SourceSpec& spec, const detail::Recoder& recode,
                 Table& table) {
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldDefn* fd = defn->GetFieldDefn(i);
        table.fields.push_back({recode(fd->GetNameRef()), map_type(fd->GetType())});
    }
    if (!spec.id_field.empty()) {
        table.require_field(spec.id_field, "id_field of [" + spec.role + "]");
    }
    // A field the project file names must exist; one named only by a default may not
    // (the check stage says what is null for want of it).
    for (const auto& [key, field] : spec.fields) {
        if (!field.empty() && spec.explicit_keys.contains(key) && key.size() > 6 &&
            key.compare(key.size() - 6, 6, "_field") == 0) {
            table.require_field(field, key + " of [" + spec.role + "]");
        }
    }
}

/// Where a feature's geometry comes from, and how it reaches WGS 84.
struct GeometryPlan {
    enum class From { None, Layer, XY, Wkt } from = From::None;
    int x = -1;
    int y = -1;
    int wkt = -1;
    detail::CtPtr to_wgs84;
};

GeometryPlan plan_geometry(OGRLayer& layer, const SourceSpec& spec,
                           const OGRSpatialReference* declared_srs, GeometryNeed need,
                           const GdalErrorCapture& errors, Table& table, SourceReport& report) {
    GeometryPlan plan;
    const ErrorContext at_layer{spec.path, table.layer, std::nullopt, ""};
    if (need == GeometryNeed::None) {
        return plan;
    }
    if (!spec.x_field.empty()) {
        plan.from = GeometryPlan::From::XY;
        plan.x = table.require_field(spec.x_field, "x_field of [" + spec.role + "]");
        plan.y = table.require_field(spec.y_field, "y_field of [" + spec.role + "]");
    } else if (!spec.wkt_field.empty()) {
        plan.from = GeometryPlan::From::Wkt;
        plan.wkt = table.require_field(spec.wkt_field, "wkt_field of [" + spec.role + "]");
    } else {
        plan.from = GeometryPlan::From::Layer;
        if (layer.GetLayerDefn()->GetGeomFieldCount() == 0) {
            throw_bad_input("[" + spec.role +
                                "] the layer has no geometry; name its coordinate columns "
                                "with x_field and y_field, or a WKT column with wkt_field",
                            at_layer);
        }
    }
    // The CRS: the source's own, else the one declared in the project file.
    const OGRSpatialReference* src =
        plan.from == GeometryPlan::From::Layer ? layer.GetSpatialRef() : nullptr;
    std::unique_ptr<OGRSpatialReference> declared;
    if (src == nullptr) {
        if (spec.crs.empty()) {
            throw_bad_input("[" + spec.role +
                                "] the source has no CRS; declare it in the project file, "
                                "e.g. crs = \"EPSG:4326\" in [" +
                                spec.role + "]",
                            at_layer);
        }
        if (declared_srs == nullptr) {
            declared = detail::make_srs(spec.crs, "crs of [" + spec.role + "] in the project");
            declared_srs = declared.get();
        }
        src = declared_srs;
        report.crs_declared = true;
    }
    report.crs = detail::describe_srs(*src);
    table.crs.known = true;
    table.crs.name = report.crs;
    table.crs.geographic = src->IsGeographic() != FALSE;
    table.crs.has_area = src->GetAreaOfUse(&table.crs.west, &table.crs.south, &table.crs.east,
                                           &table.crs.north, nullptr);
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference source_srs(*src);
    source_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (source_srs.IsSame(&wgs84) == FALSE) {
        plan.to_wgs84.reset(OGRCreateCoordinateTransformation(&source_srs, &wgs84));
        if (!plan.to_wgs84) {
            throw_bad_input("[" + spec.role + "] cannot transform from " + report.crs +
                                " to WGS 84: " + errors.last_error(),
                            at_layer);
        }
    }
    return plan;
}

/// The geometry GDAL gives for one feature, from the layer, x/y columns or WKT;
/// null with `problem` (and the field it is in) when there is none to read.
std::unique_ptr<OGRGeometry> raw_geometry(OGRFeature& f, const Row& row, const GeometryPlan& plan,
                                          const SourceSpec& spec, std::string& problem,
                                          std::string& field) {
    if (plan.from == GeometryPlan::From::XY) {
        const auto x = as_number(row.values[static_cast<std::size_t>(plan.x)]);
        const auto y = as_number(row.values[static_cast<std::size_t>(plan.y)]);
        if (!x || !y) {
            field = !x ? spec.x_field : spec.y_field;
            problem = "coordinate is empty or not a number: '" +
                      as_text(row.values[static_cast<std::size_t>(!x ? plan.x : plan.y)]) + "'";
            return nullptr;
        }
        return std::make_unique<OGRPoint>(*x, *y);
    }
    if (plan.from == GeometryPlan::From::Wkt) {
        const std::string wkt = as_text(row.values[static_cast<std::size_t>(plan.wkt)]);
        OGRGeometry* g = nullptr;
        if (wkt.empty() ||
            OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g) != OGRERR_NONE) {
            field = spec.wkt_field;
            problem = "not a WKT geometry: '" + wkt.substr(0, 60) + "'";
            return nullptr;
        }
        return std::unique_ptr<OGRGeometry>(g);
    }
    std::unique_ptr<OGRGeometry> g(f.StealGeometry());
    if (!g) {
        // GDAL reports why (its messages, in the source's report): drivers such as GeoJSON
        // parse ahead, so a message cannot be tied to the feature it concerns.
        problem = "no geometry GDAL could read";
    }
    return g;
}

/// Read the geometry of one feature into `row`; false when the feature is left out
/// (recorded in the report by kind).
bool load_geometry(const GeosContext& geos, OGRFeature& f, Row& row, const GeometryPlan& plan,
                   const SourceSpec& spec, GeometryPolicy policy, const Table& table,
                   SourceReport& report) {
    std::string problem;
    std::string field;
    std::unique_ptr<OGRGeometry> g = raw_geometry(f, row, plan, spec, problem, field);
    const ErrorContext where{spec.path, table.layer, row.fid, field};
    if (!g && !problem.empty()) {
        if (policy == GeometryPolicy::Fail) {
            throw_bad_input(problem, where);
        }
        report.unreadable.push_back(
            {row.fid, field.empty() ? problem : "field '" + field + "': " + problem});
        return false;
    }
    detail::GeometryResult r =
        detail::prepare_geometry(geos, std::move(g), plan.to_wgs84.get(), policy, where);
    if (!r.converted.empty()) {
        report.converted.push_back({row.fid, r.converted});
    }
    if (!r.defect.empty()) {
        report.skipped.push_back({row.fid, r.defect});
        return false;
    }
    if (!r.unreadable.empty()) {
        if (policy == GeometryPolicy::Fail) {
            throw_bad_input(r.unreadable, where);
        }
        report.unreadable.push_back({row.fid, r.unreadable});
        return false;
    }
    if (!r.repaired.empty()) {
        report.repaired.push_back({row.fid, r.repaired});
    }
    row.geom = std::move(r.geom);
    return true;
}

} // namespace

namespace detail {

GDALDatasetUniquePtr open_vector(const std::string& path, const std::vector<std::string>& options) {
    std::vector<const char*> oo;
    oo.reserve(options.size() + 1);
    for (const auto& o : options) {
        oo.push_back(o.c_str());
    }
    oo.push_back(nullptr);
    return GDALDatasetUniquePtr(
        GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                          nullptr, oo.data(), nullptr));
}

} // namespace detail

namespace {

/// GDAL's warnings that the load stage checks again itself, feature by feature,
/// and reports with the feature ids and a count of features: an unclosed ring
/// (GeoJSON's reader warns once per ring). Keeping them would report the same
/// defect twice.
std::vector<MessageCount> drop_rechecked(std::vector<MessageCount> messages) {
    static const std::array<std::string_view, 1> kRechecked = {
        "GDAL warning: Non closed ring detected"};
    std::erase_if(messages, [](const MessageCount& m) {
        return std::any_of(kRechecked.begin(), kRechecked.end(),
                           [&](std::string_view prefix) { return m.message.starts_with(prefix); });
    });
    return messages;
}

/// GDAL's messages of one source, each counted in one pass over the file. Some
/// readers go over a file twice and warn in each pass: GeoJSON's scans the whole
/// file when it is opened (to learn the schema), then parses it again as the
/// features are read, raising the same warning for the same feature both times. A
/// message raised while opening that is raised again while reading is one event
/// seen twice: it keeps the read's count. A message raised only while opening (or
/// only while reading) keeps its own count.
///
/// The messages cannot be tied to feature ids: GeoJSON's reader parses ahead, a
/// block of the file at a time, so a feature's warning comes while an earlier
/// feature is being returned (in ekb-okn.json, those of fid 727 while fid 555 is).
std::vector<MessageCount> one_pass(std::vector<MessageCount> opening,
                                   std::vector<MessageCount> reading) {
    std::unordered_map<std::string, std::int64_t> read_count;
    for (const MessageCount& m : reading) {
        read_count.emplace(m.message, m.count);
    }
    for (MessageCount& m : opening) {
        if (auto it = read_count.find(m.message); it != read_count.end()) {
            m.count = it->second;
            read_count.erase(it);
        }
    }
    for (MessageCount& m : reading) {
        if (read_count.contains(m.message)) {
            opening.push_back(std::move(m));
        }
    }
    return opening;
}

} // namespace

Table load_source(const GeosContext& geos, const SourceSpec& spec, GeometryPolicy default_policy,
                  GeometryNeed need, SourceReport& report, const Progress& progress) {
    return detail::load_source_declared(geos, spec, nullptr, default_policy, need, report,
                                        progress);
}

Table detail::load_source_declared(const GeosContext& geos, const SourceSpec& spec,
                                   const OGRSpatialReference* declared,
                                   GeometryPolicy default_policy, GeometryNeed need,
                                   SourceReport& report, const Progress& progress) {
    detail::ensure_gdal_registered();
    GdalErrorCapture errors;
    report.role = spec.role;
    report.path = redact_password(spec.path);
    report.encoding = spec.encoding;
    const GeometryPolicy policy = spec.geometry_policy.value_or(default_policy);

    bool gdal_recodes = false;
    GDALDatasetUniquePtr ds = open_dataset(spec, errors, gdal_recodes);
    OGRLayer* layer = pick_layer(*ds, spec);
    Table table;
    table.name = spec.role;
    table.source = redact_password(spec.path);
    table.layer = layer->GetName();
    report.layer = table.layer;
    const detail::Recoder recode(gdal_recodes ? std::string() : spec.encoding,
                                 {spec.path, table.layer, std::nullopt, ""});
    read_schema(*layer, spec, recode, table);
    const GeometryPlan plan = plan_geometry(*layer, spec, declared, need, errors, table, report);

    const GIntBig total = layer->GetFeatureCount(FALSE);
    layer->ResetReading();
    std::vector<MessageCount> opening = errors.take();
    std::int64_t n = 0;
    for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
        ++n;
        if ((n & 1023) == 0) {
            progress.update(total > 0 ? static_cast<double>(n) / static_cast<double>(total) : 0.0,
                            "load " + spec.role);
        }
        Row row;
        row.fid = f->GetFID();
        row.values.reserve(table.fields.size());
        for (std::size_t i = 0; i < table.fields.size(); ++i) {
            row.values.push_back(read_value(*f, static_cast<int>(i), table.fields[i].type, recode));
        }
        if (plan.from != GeometryPlan::From::None &&
            !load_geometry(geos, *f, row, plan, spec, policy, table, report)) {
            continue;
        }
        table.rows.push_back(std::move(row));
    }
    report.read = n;
    report.loaded = static_cast<std::int64_t>(table.rows.size());
    report.gdal_messages = drop_rechecked(one_pass(std::move(opening), errors.take()));
    progress.update(1.0, "load " + spec.role);
    return table;
}

} // namespace creatlas
