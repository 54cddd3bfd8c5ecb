#include "creatlas/load.hpp"

#include "creatlas/error.hpp"
#include "gdal_util.hpp"

#include <algorithm>
#include <filesystem>
#include <ogrsf_frmts.h>

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

Value read_value(OGRFeature& f, int i, FieldType type) {
    if (!f.IsFieldSetAndNotNull(i)) {
        return std::monostate{};
    }
    switch (type) {
    case FieldType::Integer:
        return static_cast<std::int64_t>(f.GetFieldAsInteger64(i));
    case FieldType::Real:
        return f.GetFieldAsDouble(i);
    case FieldType::String:
        return std::string(f.GetFieldAsString(i));
    }
    return std::monostate{};
}

bool has_option(const std::vector<std::string>& options, const std::string& key) {
    return std::any_of(options.begin(), options.end(), [&key](const std::string& o) {
        return o.size() > key.size() && o.compare(0, key.size(), key) == 0 && o[key.size()] == '=';
    });
}

GDALDatasetUniquePtr open_source(const SourceSpec& spec, const std::vector<std::string>& options) {
    std::vector<const char*> oo;
    oo.reserve(options.size() + 1);
    for (const auto& o : options) {
        oo.push_back(o.c_str());
    }
    oo.push_back(nullptr);
    return GDALDatasetUniquePtr(GDALDataset::Open(
        spec.path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, nullptr,
        oo.data(), nullptr));
}

/// Where a feature's geometry comes from.
enum class GeometrySource { Layer, XY, Wkt, None };

} // namespace

Table load_source(const GeosContext& geos, const SourceSpec& spec, GeometryPolicy default_policy,
                  GeometryNeed need, SourceReport& report, const Progress& progress) {
    detail::ensure_gdal_registered();
    GdalErrorCapture errors;
    report.role = spec.role;
    report.path = spec.path;
    const GeometryPolicy policy = spec.geometry_policy.value_or(default_policy);
    const ErrorContext where{spec.path, "", std::nullopt, ""};

    if (is_local_path(spec.path) && !std::filesystem::exists(spec.path)) {
        throw_bad_input("[" + spec.role + "] source does not exist", where);
    }
    std::vector<std::string> options = spec.open_options;
    GDALDatasetUniquePtr ds = open_source(spec, options);
    if (!ds) {
        throw_bad_input("[" + spec.role + "] GDAL cannot open this source as vector data" +
                            (errors.last_error().empty() ? "" : ": " + errors.last_error()),
                        where);
    }
    // CSV columns are all text unless GDAL detects their types; ask it to, unless the
    // project file says otherwise, so that numbers are carried over as numbers.
    if (EQUAL(ds->GetDriverName(), "CSV") && !has_option(options, "AUTODETECT_TYPE")) {
        options.emplace_back("AUTODETECT_TYPE=YES");
        ds = open_source(spec, options);
        if (!ds) {
            throw_bad_input("[" + spec.role + "] GDAL cannot open this CSV: " + errors.last_error(),
                            where);
        }
    }
    OGRLayer* layer = nullptr;
    if (spec.layer.empty()) {
        if (ds->GetLayerCount() == 0) {
            throw_bad_input("[" + spec.role + "] source has no layers", where);
        }
        layer = ds->GetLayer(0);
    } else {
        layer = ds->GetLayerByName(spec.layer.c_str());
        if (layer == nullptr) {
            std::string names;
            for (int i = 0; i < ds->GetLayerCount(); ++i) {
                names += (names.empty() ? "" : ", ") + std::string(ds->GetLayer(i)->GetName());
            }
            throw_bad_input("[" + spec.role + "] no layer of that name; the source has: " + names,
                            {spec.path, spec.layer, std::nullopt, ""});
        }
    }
    Table table;
    table.name = spec.role;
    table.source = spec.path;
    table.layer = layer->GetName();
    report.layer = table.layer;
    const ErrorContext at_layer{spec.path, table.layer, std::nullopt, ""};

    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldDefn* fd = defn->GetFieldDefn(i);
        table.fields.push_back({fd->GetNameRef(), map_type(fd->GetType())});
    }
    int id_index = -1;
    if (!spec.id_field.empty()) {
        id_index = table.require_field(spec.id_field, "id_field of [" + spec.role + "]");
    }
    // Every role-specific field named in the project file must exist.
    for (const auto& [key, field] : spec.fields) {
        if (!field.empty() && key.size() > 6 && key.compare(key.size() - 6, 6, "_field") == 0) {
            table.require_field(field, key + " of [" + spec.role + "]");
        }
    }
    (void)id_index;

    GeometrySource gsource = GeometrySource::None;
    int x_index = -1;
    int y_index = -1;
    int wkt_index = -1;
    if (need == GeometryNeed::Required) {
        if (!spec.x_field.empty()) {
            gsource = GeometrySource::XY;
            x_index = table.require_field(spec.x_field, "x_field of [" + spec.role + "]");
            y_index = table.require_field(spec.y_field, "y_field of [" + spec.role + "]");
        } else if (!spec.wkt_field.empty()) {
            gsource = GeometrySource::Wkt;
            wkt_index = table.require_field(spec.wkt_field, "wkt_field of [" + spec.role + "]");
        } else {
            gsource = GeometrySource::Layer;
            if (defn->GetGeomFieldCount() == 0) {
                throw_bad_input("[" + spec.role +
                                    "] the layer has no geometry; name its coordinate columns "
                                    "with x_field and y_field, or a WKT column with wkt_field",
                                at_layer);
            }
        }
    }

    // The CRS: the source's own, else the one declared in the project file.
    detail::CtPtr to_wgs84;
    if (gsource != GeometrySource::None) {
        const OGRSpatialReference* own =
            gsource == GeometrySource::Layer ? layer->GetSpatialRef() : nullptr;
        std::unique_ptr<OGRSpatialReference> declared;
        const OGRSpatialReference* src = own;
        if (own == nullptr) {
            if (spec.crs.empty()) {
                throw_bad_input("[" + spec.role +
                                    "] the source has no CRS; declare it in the project file, "
                                    "e.g. crs = \"EPSG:4326\" in [" +
                                    spec.role + "]",
                                at_layer);
            }
            declared = detail::make_srs(spec.crs, "crs of [" + spec.role + "] in the project");
            src = declared.get();
            report.crs_declared = true;
        }
        report.crs = detail::describe_srs(*src);
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        OGRSpatialReference source_srs(*src);
        source_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (source_srs.IsSame(&wgs84) == FALSE) {
            to_wgs84.reset(OGRCreateCoordinateTransformation(&source_srs, &wgs84));
            if (!to_wgs84) {
                throw_bad_input("[" + spec.role + "] cannot transform from " + report.crs +
                                    " to WGS 84: " + errors.last_error(),
                                at_layer);
            }
        }
    }

    const GIntBig total = layer->GetFeatureCount(FALSE);
    layer->ResetReading();
    GEOSContextHandle_t h = geos.handle();
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
            row.values.push_back(read_value(*f, static_cast<int>(i), table.fields[i].type));
        }
        if (gsource != GeometrySource::None) {
            std::unique_ptr<OGRGeometry> geometry;
            std::string problem;
            std::string problem_field;
            if (gsource == GeometrySource::XY) {
                const auto x = as_number(row.values[static_cast<std::size_t>(x_index)]);
                const auto y = as_number(row.values[static_cast<std::size_t>(y_index)]);
                if (!x || !y) {
                    problem_field = !x ? spec.x_field : spec.y_field;
                    problem =
                        "coordinate is empty or not a number: '" +
                        as_text(row.values[static_cast<std::size_t>(!x ? x_index : y_index)]) + "'";
                } else {
                    geometry = std::make_unique<OGRPoint>(*x, *y);
                }
            } else if (gsource == GeometrySource::Wkt) {
                const std::string wkt = as_text(row.values[static_cast<std::size_t>(wkt_index)]);
                OGRGeometry* g = nullptr;
                if (wkt.empty() ||
                    OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g) != OGRERR_NONE) {
                    problem_field = spec.wkt_field;
                    problem = "not a WKT geometry: '" + wkt.substr(0, 60) + "'";
                } else {
                    geometry.reset(g);
                }
            } else {
                geometry.reset(f->StealGeometry());
                if (!geometry || geometry->IsEmpty() != FALSE) {
                    problem = "no geometry GDAL could read";
                }
            }
            if (geometry && to_wgs84 && geometry->transform(to_wgs84.get()) != OGRERR_NONE) {
                problem = "cannot transform to WGS 84";
                geometry.reset();
            }
            if (geometry) {
                geometry->flattenTo2D();
                GEOSGeometry* g = geometry->exportToGEOS(h);
                if (g == nullptr) {
                    problem = "GEOS cannot read the geometry";
                } else {
                    row.geom = GeomPtr(g, GeomDeleter{h});
                }
            }
            if (!row.geom) {
                if (problem.empty()) {
                    problem = "no geometry";
                }
                if (policy == GeometryPolicy::Fail) {
                    throw_bad_input(problem, {spec.path, table.layer, row.fid, problem_field});
                }
                report.unreadable.push_back(
                    {row.fid, problem_field.empty() ? problem
                                                    : "field '" + problem_field + "': " + problem});
                continue;
            }
            if (GEOSisValid_r(h, row.geom.get()) != 1) {
                char* why = GEOSisValidReason_r(h, row.geom.get());
                std::string reason = why != nullptr ? why : "invalid geometry";
                GEOSFree_r(h, why);
                if (policy == GeometryPolicy::Fail) {
                    throw_bad_input("invalid geometry: " + reason + " (geometry_policy = \"fail\")",
                                    {spec.path, table.layer, row.fid, ""});
                }
                if (policy == GeometryPolicy::Skip) {
                    report.skipped.push_back({row.fid, reason});
                    continue;
                }
                GeomPtr fixed(GEOSMakeValid_r(h, row.geom.get()), GeomDeleter{h});
                if (!fixed || GEOSisEmpty_r(h, fixed.get()) != 0) {
                    report.skipped.push_back({row.fid, reason + "; repair left nothing"});
                    continue;
                }
                report.repaired.push_back({row.fid, reason});
                row.geom = std::move(fixed);
            }
        }
        table.rows.push_back(std::move(row));
    }
    report.read = n;
    report.loaded = static_cast<std::int64_t>(table.rows.size());
    report.gdal_messages = errors.take();
    progress.update(1.0, "load " + spec.role);
    return table;
}

std::vector<LayerInfo> inspect_source(const GeosContext& geos, const std::string& path,
                                      const std::vector<std::string>& open_options,
                                      const std::string& layer_name) {
    detail::ensure_gdal_registered();
    GdalErrorCapture errors;
    SourceSpec spec;
    spec.path = path;
    if (is_local_path(path) && !std::filesystem::exists(path)) {
        throw_bad_input("no such file", {path, "", std::nullopt, ""});
    }
    GDALDatasetUniquePtr ds = open_source(spec, open_options);
    if (!ds) {
        throw_bad_input("GDAL cannot open this source as vector data" +
                            (errors.last_error().empty() ? "" : ": " + errors.last_error()),
                        {path, "", std::nullopt, ""});
    }
    std::vector<LayerInfo> out;
    GEOSContextHandle_t h = geos.handle();
    for (int li = 0; li < ds->GetLayerCount(); ++li) {
        OGRLayer* layer = ds->GetLayer(li);
        if (!layer_name.empty() && layer_name != layer->GetName()) {
            continue;
        }
        LayerInfo info;
        info.name = layer->GetName();
        info.geometry_type = OGRGeometryTypeToName(layer->GetGeomType());
        if (const OGRSpatialReference* srs = layer->GetSpatialRef()) {
            info.crs = detail::describe_srs(*srs);
        }
        OGRFeatureDefn* defn = layer->GetLayerDefn();
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            const OGRFieldDefn* fd = defn->GetFieldDefn(i);
            info.fields.emplace_back(fd->GetNameRef(),
                                     OGRFieldDefn::GetFieldTypeName(fd->GetType()));
        }
        layer->ResetReading();
        for (OGRFeatureUniquePtr f(layer->GetNextFeature()); f; f.reset(layer->GetNextFeature())) {
            ++info.features;
            const OGRGeometry* g = f->GetGeometryRef();
            if (defn->GetGeomFieldCount() == 0) {
                continue;
            }
            if (g == nullptr || g->IsEmpty() != FALSE) {
                ++info.null_geometries;
                continue;
            }
            GeomPtr gg(g->exportToGEOS(h), GeomDeleter{h});
            if (!gg || GEOSisValid_r(h, gg.get()) != 1) {
                ++info.invalid_geometries;
            }
        }
        out.push_back(std::move(info));
    }
    if (!layer_name.empty() && out.empty()) {
        throw_bad_input("no such layer", {path, layer_name, std::nullopt, ""});
    }
    return out;
}

} // namespace creatlas
