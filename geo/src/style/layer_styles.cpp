// Default layer styles (layer_styles) and the embedded QGIS project
// (qgis_projects) of the output GeoPackage.
//
// Both tables are written the way QGIS itself writes them, because QGIS is the
// reader: layer_styles is what QGIS's OGR provider creates when a user saves a
// style "in the datasource database" (an attributes table registered in
// gpkg_contents, f_table_schema '' rather than NULL — QGIS's look-up compares
// with '' — and f_geometry_column the layer's real geometry column), and
// qgis_projects is what QgsGeoPackageProjectStorage 3.22 creates (name,
// metadata as JSON text, content the .qgz archive as hexadecimal text; it is
// not registered in gpkg_contents, which the GeoPackage validator accepts).
#include "catalogue.hpp"
#include "creatlas/error.hpp"
#include "creatlas/style.hpp"
#include "creatlas/version.hpp"
#include "gdal_util.hpp"
#include "i18n.hpp"
#include "print_layout.hpp"
#include "read_columns.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <gdal_priv.h>
#include <limits>
#include <map>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <optional>
#include <sstream>

namespace creatlas {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using style_detail::escape_xml;
using style_detail::field_ref;
using style_detail::qgis_colour;
using style_detail::render_template;

// The QGIS version the templates follow; QGIS reads styles of older and newer
// versions alike, the number only tells a reader where they came from.
constexpr const char* kQgisVersion = "3.22.16-Białowieża";
// QGIS draws marker sizes in millimetres; SLD sizes are pixels at 90.7 dpi
// (0.28 mm per pixel, the OGC standard rendering pixel).
constexpr double kPixelsPerMm = 1.0 / 0.28;

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::Io, "cannot read style template '" + path + "'", {path, "", {}, ""});
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string number_text(double value) {
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string fixed_text(double value, int decimals) {
    char buffer[64];
    auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    return std::string(buffer, result.ptr);
}

std::string utc_now(const char* format) {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, format, &tm);
    return buffer;
}

enum class GeometryKind { Point, Line, Polygon, None };

struct LayerInfo {
    std::string name;
    OGRLayer* layer = nullptr; // owned by the dataset
    std::string geometry_column;
    OGRwkbGeometryType type = wkbUnknown;
    GeometryKind kind = GeometryKind::None;
    std::optional<OGREnvelope> extent;
};

GeometryKind kind_of(OGRwkbGeometryType type) {
    switch (wkbFlatten(type)) {
    case wkbPoint:
    case wkbMultiPoint:
        return GeometryKind::Point;
    case wkbLineString:
    case wkbMultiLineString:
    case wkbCircularString:
    case wkbCompoundCurve:
    case wkbMultiCurve:
        return GeometryKind::Line;
    case wkbPolygon:
    case wkbMultiPolygon:
    case wkbCurvePolygon:
    case wkbMultiSurface:
        return GeometryKind::Polygon;
    default:
        return GeometryKind::None;
    }
}

LayerInfo inspect(OGRLayer& layer) {
    LayerInfo info;
    info.name = layer.GetName();
    info.layer = &layer;
    info.geometry_column = layer.GetGeometryColumn();
    info.type = layer.GetGeomType();
    info.kind = kind_of(info.type);
    if (info.kind == GeometryKind::None && layer.GetLayerDefn()->GetGeomFieldCount() > 0) {
        // A layer declared GEOMETRY: its first feature tells what it holds.
        layer.ResetReading();
        OGRFeatureUniquePtr feature(layer.GetNextFeature());
        if (feature && feature->GetGeometryRef()) {
            info.type = feature->GetGeometryRef()->getGeometryType();
            info.kind = kind_of(info.type);
        }
        layer.ResetReading();
    }
    OGREnvelope envelope;
    if (layer.GetLayerDefn()->GetGeomFieldCount() > 0 &&
        layer.GetExtent(&envelope, TRUE) == OGRERR_NONE) {
        info.extent = envelope;
    }
    return info;
}

// QGIS's names for the geometry type (QgsWkbTypes::displayString) and the
// geometry class (QgsWkbTypes::geometryDisplayString / layerGeometryType code).
std::string qgis_wkb_name(OGRwkbGeometryType type) {
    return detail::wkb_type_name(type, "Unknown");
}

const char* qgis_geometry_name(GeometryKind kind) {
    switch (kind) {
    case GeometryKind::Point:
        return "Point";
    case GeometryKind::Line:
        return "Line";
    case GeometryKind::Polygon:
        return "Polygon";
    default:
        return "No geometry";
    }
}

int qgis_geometry_code(GeometryKind kind) {
    switch (kind) {
    case GeometryKind::Point:
        return 0;
    case GeometryKind::Line:
        return 1;
    case GeometryKind::Polygon:
        return 2;
    default:
        return 4;
    }
}

int alpha_of(double opacity) {
    return static_cast<int>(std::lround(std::clamp(opacity, 0.0, 1.0) * 255.0));
}

// Empty features (hex_grid's cells without points, "empty": {"field", "fill_opacity"}
// in classes.json) keep their class's hue but nearly vanish: a data-defined
// colour in QML (QGIS evaluates it per feature, the legend keeps the class
// colour) and a rule of their own in SLD. A cold spot made of empty cells thus
// stays faintly visible while empty, not-significant cells (empty_fill_opacity
// 0) are not drawn at all, so the grid does not cover the map.
json empty_context(const json& empty, const json& cls, const json& full, double fill_opacity,
                   const style_detail::Messages& msgs) {
    const std::string field = empty.at("field").get<std::string>();
    const std::string colour = cls.at("color").get<std::string>();
    const double opacity =
        std::min(fill_opacity, cls.value("empty_fill_opacity", empty.value("fill_opacity", 0.15)));
    const std::string when = "\"" + field + "\" = 0";
    const std::string fill = qgis_colour(colour, alpha_of(opacity));
    const std::string stroke =
        qgis_colour(full.at("outline_hex").get<std::string>(), alpha_of(opacity));
    json e;
    e["empty_field"] = field;
    e["fill_expression"] =
        "if(" + when + ", '" + fill + "', '" + full.at("fill_qml").get<std::string>() + "')";
    e["outline_expression"] =
        "if(" + when + ", '" + stroke + "', '" + full.at("outline_qml").get<std::string>() + "')";
    // What the SLD's rule for the empty features of this class draws.
    e["label"] = full.at("label").get<std::string>() + " (" + msgs.tr("no points") + ")";
    e["filled"] = opacity > 0;
    e["fill_opacity"] = fixed_text(opacity, 2);
    e["stroke_opacity"] = fixed_text(opacity, 2);
    e["no_stroke"] = !(opacity > 0);
    return e;
}

// The drawing properties of one class, in the names the templates and partials use.
json class_context(const json& layer_config, const json& cls, int index, GeometryKind kind,
                   const style_detail::Messages& msgs) {
    const std::string colour = cls.at("color").get<std::string>();
    const double fill_opacity = cls.value("fill_opacity", layer_config.value("fill_opacity", 1.0));
    const double size = cls.value("size", layer_config.value("size", 3.0));
    const std::string shape = cls.value("shape", std::string("circle"));
    const std::string value = cls.value("value", std::string());

    json c;
    c["index"] = std::to_string(index);
    c["value"] = value;
    c["label"] = msgs.tr(cls.value("label", value));
    c["point"] = kind == GeometryKind::Point;
    c["line"] = kind == GeometryKind::Line;
    c["polygon"] = kind == GeometryKind::Polygon;
    c["color_hex"] = colour;
    c["color_qml"] = qgis_colour(colour);
    c["fill_qml"] = qgis_colour(colour, alpha_of(fill_opacity));
    c["fill_opacity"] = fixed_text(fill_opacity, 2);
    c["filled"] = fill_opacity > 0;
    c["fill_style"] = fill_opacity > 0 ? "solid" : "no";
    // Markers get a dark rim so that light colours stand out on any background;
    // polygons are outlined in their own colour unless the layer says otherwise.
    const std::string outline = kind == GeometryKind::Point
                                    ? std::string("#232323")
                                    : cls.value("outline", layer_config.value("outline", colour));
    c["outline_hex"] = outline;
    c["outline_qml"] = qgis_colour(outline);
    const double outline_width =
        cls.value("outline_width", layer_config.value("outline_width", 0.3));
    c["outline_width"] = number_text(outline_width);
    c["outline_px"] = fixed_text(std::max(1.0, outline_width * kPixelsPerMm), 0);
    // Lines (a stats layer of line features) are drawn in the class colour.
    const double line_width = cls.value("line_width", layer_config.value("line_width", 0.8));
    c["line_width"] = number_text(line_width);
    c["line_px"] = fixed_text(std::max(1.0, line_width * kPixelsPerMm), 0);
    const bool dashed = cls.value("dashed", false);
    c["dashed"] = dashed;
    c["outline_style"] = dashed ? "dash" : "solid";
    c["shape"] = shape;
    c["sld_shape"] = shape;
    c["size"] = number_text(size);
    c["size_px"] = fixed_text(size * kPixelsPerMm, 0);
    if (cls.contains("hatch_angle")) {
        c["hatch"] = json{{"hatch_angle", number_text(cls.at("hatch_angle").get<double>())}};
    }
    // Flags for the templates' filters: is_<value>, and is_other for the
    // catch-all class ('' in QGIS's categorised renderer).
    if (!value.empty()) {
        c["is_" + value] = true;
    }
    c["is_other"] = value.empty() || value == "other";
    if (layer_config.contains("empty")) {
        c["empty"] = empty_context(layer_config.at("empty"), cls, c, fill_opacity, msgs);
    }
    return c;
}

// Labels of the formation types as the run wrote them (formation_label), so
// that the legend says what the data says; the catalogue's text otherwise. A
// value's first non-empty label in feature order wins.
std::map<std::string, std::string> labels_from_data(const LayerInfo& info, const std::string& field,
                                                    const std::string& label_field) {
    std::map<std::string, std::string> labels;
    OGRFeatureDefn* defn = info.layer->GetLayerDefn();
    const int value_index = defn->GetFieldIndex(field.c_str());
    const int label_index = defn->GetFieldIndex(label_field.c_str());
    if (value_index < 0 || label_index < 0) {
        return labels;
    }
    // Two columns through the layer, not SQL: see read_columns.hpp.
    style_detail::ColumnsOnly columns(*info.layer, {field, label_field});
    for (auto& feature : *info.layer) {
        if (!feature->IsFieldSetAndNotNull(value_index) ||
            !feature->IsFieldSetAndNotNull(label_index)) {
            continue;
        }
        const char* label = feature->GetFieldAsString(label_index);
        if (*label != '\0') {
            labels.emplace(feature->GetFieldAsString(value_index), label);
        }
    }
    return labels;
}

std::vector<double> field_values(const LayerInfo& info, const std::string& field) {
    std::vector<double> values;
    const int index = info.layer->GetLayerDefn()->GetFieldIndex(field.c_str());
    if (index < 0) {
        throw_bad_input("the layer has no field '" + field + "' to classify by",
                        {"", info.name, {}, field});
    }
    style_detail::ColumnsOnly columns(*info.layer, {field});
    const GIntBig count = info.layer->GetFeatureCount(FALSE);
    if (count > 0) {
        values.reserve(static_cast<std::size_t>(count));
    }
    for (auto& feature : *info.layer) {
        if (feature->IsFieldSetAndNotNull(index)) {
            const double value = feature->GetFieldAsDouble(index);
            if (std::isfinite(value)) {
                values.push_back(value);
            }
        }
    }
    return values;
}

// The classes of one layer, filled in from the run's data.
json layer_classes(const LayerInfo& info, const json& config, const style_detail::Messages& msgs) {
    const std::string kind = config.at("kind").get<std::string>();
    json classes = json::array();
    if (kind == "graduated") {
        const std::string field = config.at("field").get<std::string>();
        const int wanted = config.at("classes").get<int>();
        const int decimals = config.value("decimals", 1);
        const auto& ramp = config.at("ramp");
        // Fixed bounds keep the same classes in every year and run (city_years' rate);
        // else equal-count bounds from the run's data.
        const std::vector<double> bounds =
            config.contains("breaks")
                ? config.at("breaks").get<std::vector<double>>()
                : style_detail::quantile_breaks(field_values(info, field), wanted);
        const int count = bounds.empty() ? 0 : static_cast<int>(bounds.size()) - 1;
        for (int i = 0; i < count; ++i) {
            // Spread the ramp over fewer classes than it has colours.
            const std::size_t colour_index =
                count == 1 ? ramp.size() - 1
                           : static_cast<std::size_t>(std::lround(
                                 static_cast<double>(i) * static_cast<double>(ramp.size() - 1) /
                                 static_cast<double>(count - 1)));
            json cls{{"color", ramp.at(colour_index)}};
            json c = class_context(config, cls, i, info.kind, msgs);
            c["lower"] = number_text(bounds[i]);
            c["upper"] = number_text(bounds[i + 1]);
            c["label"] =
                fixed_text(bounds[i], decimals) + " – " + fixed_text(bounds[i + 1], decimals);
            c["first"] = i == 0;
            classes.push_back(std::move(c));
        }
        return classes;
    }
    std::map<std::string, std::string> data_labels;
    if (config.contains("label_field")) {
        data_labels = labels_from_data(info, config.at("field").get<std::string>(),
                                       config.at("label_field").get<std::string>());
    }
    int index = 0;
    for (const json& cls : config.at("classes")) {
        json c = class_context(config, cls, index++, info.kind, msgs);
        const std::string value = c["value"].get<std::string>();
        if (config.contains("label_field") && !value.empty()) {
            // Numbered classes (formation types) show their number in the legend.
            auto found = data_labels.find(value);
            const std::string text =
                found != data_labels.end() ? found->second : c["label"].get<std::string>();
            c["label"] = value + " – " + text;
        }
        classes.push_back(std::move(c));
    }
    return classes;
}

json crs_context(const OGRSpatialReference& srs) {
    json c;
    char* wkt = nullptr;
    const char* wkt_options[] = {"FORMAT=WKT2_2018", nullptr};
    srs.exportToWkt(&wkt, wkt_options);
    c["wkt"] = wkt ? wkt : "";
    CPLFree(wkt);
    char* proj4 = nullptr;
    srs.exportToProj4(&proj4);
    c["proj4"] = proj4 ? proj4 : "";
    CPLFree(proj4);
    const char* authority = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    const bool epsg = authority && code && std::string(authority) == "EPSG";
    c["srid"] = epsg ? code : "0";
    c["authid"] = authority && code ? std::string(authority) + ":" + code : "";
    c["description"] = srs.GetName() ? srs.GetName() : "";
    c["geographic"] = srs.IsGeographic() ? "true" : "false";
    return c;
}

void set_extent(json& c, const OGREnvelope& e) {
    c["xmin"] = number_text(e.MinX);
    c["ymin"] = number_text(e.MinY);
    c["xmax"] = number_text(e.MaxX);
    c["ymax"] = number_text(e.MaxY);
}

// The children of a QML document's <qgis> element: what a <maplayer> element
// of a project holds for the same style.
std::string qml_body(const std::string& qml, const std::string& origin) {
    const std::size_t root = qml.find("<qgis");
    const std::size_t root_end = root == std::string::npos ? root : qml.find('>', root);
    const std::size_t end = qml.rfind("</qgis>");
    if (root_end == std::string::npos || end == std::string::npos || end < root_end) {
        throw Error(ErrorKind::Internal, "style has no <qgis> element", {origin, "", {}, ""});
    }
    return qml.substr(root_end + 1, end - root_end - 1);
}

struct FilledStyle {
    LayerInfo info;
    json config;
    std::string qml;
    std::string sld;
    std::string title; ///< the layer's title in the planner's language
    /// The name of the style and of its layer in the project: the layer's name, or
    /// "<name>_<variant>" for a second style of a layer (classes.json "variant").
    std::string style_name() const {
        const std::string variant = config.value("variant", std::string());
        return variant.empty() ? info.name : info.name + "_" + variant;
    }
    bool is_variant() const { return config.contains("variant"); }
};

// --- layer_styles ---------------------------------------------------------

OGRLayer& styles_table(GDALDataset& ds) {
    if (OGRLayer* existing = ds.GetLayerByName("layer_styles")) {
        return *existing;
    }
    // The schema of QgsOgrProviderUtils' layer_styles (QGIS 3.22): an attributes
    // table with an "id" primary key and these widths.
    char** options = CSLSetNameValue(nullptr, "FID", "id");
    OGRLayer* table = ds.CreateLayer("layer_styles", nullptr, wkbNone, options);
    CSLDestroy(options);
    if (table == nullptr) {
        throw Error(ErrorKind::Io,
                    "cannot create the layer_styles table: " + std::string(CPLGetLastErrorMsg()),
                    {ds.GetDescription(), "layer_styles", {}, ""});
    }
    auto add = [&](const char* name, OGRFieldType type, int width) {
        OGRFieldDefn field(name, type);
        field.SetWidth(width);
        if (type == OFTInteger) {
            field.SetSubType(OFSTBoolean);
        }
        if (type == OFTDateTime) {
            field.SetDefault("CURRENT_TIMESTAMP");
        }
        if (table->CreateField(&field) != OGRERR_NONE) {
            throw Error(ErrorKind::Io,
                        "cannot create field of layer_styles: " + std::string(CPLGetLastErrorMsg()),
                        {ds.GetDescription(), "layer_styles", {}, name});
        }
    };
    add("f_table_catalog", OFTString, 256);
    add("f_table_schema", OFTString, 256);
    add("f_table_name", OFTString, 256);
    add("f_geometry_column", OFTString, 256);
    add("styleName", OFTString, 30);
    add("styleQML", OFTString, 0);
    add("styleSLD", OFTString, 0);
    add("useAsDefault", OFTInteger, 0);
    add("description", OFTString, 0);
    add("owner", OFTString, 30);
    add("ui", OFTString, 30);
    add("update_time", OFTDateTime, 0);
    return *table;
}

void store_style(GDALDataset& ds, OGRLayer& table, const LayerStyle& style) {
    const std::string& name = style.table;
    const std::string& style_name = style.name;
    // A rerun on the same file replaces the layer's style rather than adding one.
    table.SetAttributeFilter(
        ("f_table_name = '" + name + "' AND styleName = '" + style_name + "'").c_str());
    std::vector<GIntBig> stale;
    for (auto& feature : table) {
        stale.push_back(feature->GetFID());
    }
    table.SetAttributeFilter(nullptr);
    for (GIntBig fid : stale) {
        if (table.DeleteFeature(fid) != OGRERR_NONE) {
            throw Error(ErrorKind::Io,
                        "cannot replace the old style: " + std::string(CPLGetLastErrorMsg()),
                        {ds.GetDescription(), "layer_styles", fid, ""});
        }
    }

    OGRFeature feature(table.GetLayerDefn());
    feature.SetField("f_table_catalog", "");
    feature.SetField("f_table_schema", "");
    feature.SetField("f_table_name", name.c_str());
    feature.SetField("f_geometry_column", style.geometry_column.c_str());
    feature.SetField("styleName", style_name.c_str());
    feature.SetField("styleQML", style.qml.c_str());
    feature.SetField("styleSLD", style.sld.c_str());
    feature.SetField("useAsDefault", style.use_as_default ? 1 : 0);
    feature.SetField("description", style.description.c_str());
    feature.SetField("owner", "");
    feature.SetFieldNull(feature.GetFieldIndex("ui"));
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    feature.SetField(feature.GetFieldIndex("update_time"), tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, static_cast<float>(tm.tm_sec), 100);
    if (table.CreateFeature(&feature) != OGRERR_NONE) {
        throw Error(ErrorKind::Io,
                    "cannot store the default style: " + std::string(CPLGetLastErrorMsg()),
                    {ds.GetDescription(), name, {}, ""});
    }
}

// --- qgis_projects ----------------------------------------------------------

std::string sql_quote(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out + "'";
}

// A .qgz archive (a zip with the .qgs document) built in GDAL's memory file system.
std::string make_qgz(const std::string& qgs) {
    const std::string path = "/vsimem/creatlas_project_" +
                             std::to_string(reinterpret_cast<std::uintptr_t>(&qgs)) + ".qgz";
    void* zip = CPLCreateZip(path.c_str(), nullptr);
    if (zip == nullptr) {
        throw Error(ErrorKind::Internal, "cannot create the project archive");
    }
    bool ok = CPLCreateFileInZip(zip, "project.qgs", nullptr) == CE_None &&
              CPLWriteFileInZip(zip, qgs.data(), static_cast<int>(qgs.size())) == CE_None &&
              CPLCloseFileInZip(zip) == CE_None;
    ok = CPLCloseZip(zip) == CE_None && ok;
    vsi_l_offset length = 0;
    GByte* data = VSIGetMemFileBuffer(path.c_str(), &length, TRUE);
    std::string bytes;
    if (data != nullptr) {
        bytes.assign(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
        CPLFree(data);
    }
    VSIUnlink(path.c_str());
    if (!ok || bytes.empty()) {
        throw Error(ErrorKind::Internal, "cannot write the project archive");
    }
    return bytes;
}

void execute(GDALDataset& ds, const std::string& sql, const std::string& what) {
    CPLErrorReset();
    OGRLayer* result = ds.ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (result != nullptr) {
        ds.ReleaseResultSet(result);
    }
    if (CPLGetLastErrorType() >= CE_Failure) {
        throw Error(ErrorKind::Io, "cannot " + what + ": " + CPLGetLastErrorMsg(),
                    {ds.GetDescription(), "qgis_projects", {}, ""});
    }
}

// The first of `names` that `layer` has as a field; "" when none.
std::string first_field(OGRLayer* layer, std::initializer_list<const char*> names) {
    if (layer == nullptr) {
        return "";
    }
    for (const char* name : names) {
        if (layer->GetLayerDefn()->GetFieldIndex(name) >= 0) {
            return name;
        }
    }
    return "";
}

// A data extent in map units, with `fraction` of margin on every side and at
// least `pad_min` around data that is a single point.
std::optional<style_detail::Box> map_box(const std::optional<OGREnvelope>& extent,
                                         OGRCoordinateTransformation& transform, double fraction,
                                         double pad_min) {
    if (!extent) {
        return std::nullopt;
    }
    double xmin = 0;
    double ymin = 0;
    double xmax = 0;
    double ymax = 0;
    if (transform.TransformBounds(extent->MinX, extent->MinY, extent->MaxX, extent->MaxY, &xmin,
                                  &ymin, &xmax, &ymax, 21) == FALSE) {
        return std::nullopt;
    }
    const double pad_x = std::max((xmax - xmin) * fraction, pad_min);
    const double pad_y = std::max((ymax - ymin) * fraction, pad_min);
    return style_detail::Box{xmin - pad_x, ymin - pad_y, xmax + pad_x, ymax + pad_y};
}

// The query string of QGIS's XYZ tile provider ("wms" with type=xyz): the URL
// percent-encoded, as QGIS writes it.
std::string xyz_source(const std::string& url) {
    std::string encoded;
    for (unsigned char ch : url) {
        if (std::isalnum(ch) != 0 || ch == '-' || ch == '_' || ch == '.' || ch == '~' ||
            ch == '/' || ch == ':') {
            encoded += static_cast<char>(ch);
        } else {
            char buffer[4];
            std::snprintf(buffer, sizeof buffer, "%%%02X", ch);
            encoded += buffer;
        }
    }
    return "type=xyz&url=" + encoded + "&zmax=19&zmin=0";
}

// The project-only layer of city outlines and names: the cities layer once
// more, drawn whole whatever its creative_index (the graduated cities layer
// leaves cities without one out) and labelled.
json outline_layer(const FilledStyle& cities, const ProjectSources& sources,
                   const std::string& name_field, const style_detail::Messages& msgs,
                   const json& layer_crs) {
    const bool point = cities.info.kind == GeometryKind::Point;
    const json config{{"size", 1.6}, {"outline_width", 0.35}};
    const json cls{{"value", ""},
                   {"label", "city outline"},
                   {"color", point ? "#FFFFFF" : "#555555"},
                   {"fill_opacity", point ? 1.0 : 0.0},
                   {"outline", "#555555"}};
    json context;
    context["qgis_version"] = kQgisVersion;
    context["classes"] = json::array({class_context(config, cls, 0, cities.info.kind, msgs)});
    // Cities with clusters are named at every scale; the others from 1:1,500,000
    // on, where their names no longer crowd each other out.
    const std::string name = field_ref(name_field.empty() ? "city_id" : name_field);
    context["label_expression"] =
        "CASE WHEN coalesce(\"n_clusters\", 0) > 0 OR @map_scale < 1500000 THEN " + name + " END";
    context["label_placement"] = point ? 6 : 0;
    context["geometry_code"] = qgis_geometry_code(cities.info.kind);
    context["preview_expression"] = name;
    const std::string path = styles_dir() + "/city_outlines.qml";
    const std::string qml = render_template(read_text(path), context, path);

    json layer;
    layer["name"] = "city_outlines";
    layer["title"] = msgs.tr("City outlines and names");
    layer["id"] = "city_outlines_creatlas";
    layer["source"] = sources.source(cities.info.name, qgis_wkb_name(cities.info.type));
    layer["geometry_name"] = qgis_geometry_name(cities.info.kind);
    layer["wkb_name"] = qgis_wkb_name(cities.info.type);
    layer["labels_enabled"] = "1";
    layer["layer_crs"] = layer_crs;
    OGREnvelope extent;
    if (cities.info.extent) {
        extent = *cities.info.extent;
    }
    set_extent(layer, extent);
    layer["style_body"] = qml_body(qml, "city_outlines.qml");
    return layer;
}

// The project's time range (ProjectTimeSettings), so that the Temporal Controller
// steps through the years of city_years (else of the clusters' opening years) one year
// a frame with no setup: from 1 January of the first year to 1 January of the last,
// which QGIS plays as one frame per year, the last included. Null when nothing is dated.
json time_settings(GDALDataset& ds) {
    std::optional<std::pair<int, int>> span;
    for (const auto& [layer_name, field] :
         {std::pair{"city_years", "year"}, std::pair{"clusters", "opened_year"}}) {
        OGRLayer* layer = ds.GetLayerByName(layer_name);
        if (layer == nullptr || layer->GetLayerDefn()->GetFieldIndex(field) < 0) {
            continue;
        }
        LayerInfo info;
        info.name = layer_name;
        info.layer = layer;
        for (double v : field_values(info, field)) {
            const int y = static_cast<int>(std::lround(v));
            span = span ? std::pair{std::min(span->first, y), std::max(span->second, y)}
                        : std::pair{y, y};
        }
        if (span) {
            break;
        }
    }
    if (!span) {
        return nullptr;
    }
    const auto jan1 = [](int year) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%04d-01-01T00:00:00Z", year);
        return std::string(buffer);
    };
    return json{{"start", jan1(span->first)}, {"end", jan1(span->second)}};
}

std::string build_project(GDALDataset& ds, const std::vector<FilledStyle>& styles,
                          const std::string& title, const ProjectSources& sources,
                          const Presentation& look, const style_detail::Messages& msgs) {
    json context;
    context["title"] = title;
    context["provider"] = sources.provider;
    context["qgis_version"] = kQgisVersion;
    context["saved"] = utc_now("%Y-%m-%dT%H:%M:%S");

    // The data's CRS (all output layers share it); the map is shown in Web
    // Mercator when the data is in degrees, so that shapes look right at the
    // latitudes of Russian cities (a degree of longitude at 57°N is 0.54 of one
    // of latitude) and a planner can put any web basemap underneath.
    OGRSpatialReference data_srs;
    data_srs.SetWellKnownGeogCS("WGS84");
    for (const auto& style : styles) {
        if (const OGRSpatialReference* srs = style.info.layer->GetSpatialRef()) {
            data_srs = *srs;
            break;
        }
    }
    data_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference map_srs;
    if (data_srs.IsGeographic()) {
        map_srs.importFromEPSG(3857);
    } else {
        map_srs = data_srs;
    }
    map_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    context["project_crs"] = crs_context(map_srs);
    context["canvas_units"] = map_srs.IsGeographic() ? "degrees" : "meters";
    detail::CtPtr transform(OGRCreateCoordinateTransformation(&data_srs, &map_srs));
    if (!transform) {
        throw Error(ErrorKind::Internal, "cannot transform the data extent to the map CRS",
                    {ds.GetDescription(), "", {}, ""});
    }

    std::optional<OGREnvelope> all;
    const FilledStyle* cities = nullptr;
    const FilledStyle* clusters = nullptr;
    json layers = json::array();
    for (const auto& style : styles) {
        const OGRSpatialReference* srs = style.info.layer->GetSpatialRef();
        if (style.is_variant()) {
            // A second style of a layer: its own project layer, hidden at first.
        } else if (style.info.name == "cities") {
            cities = &style;
            // The outlines lie just above the translucent city fills.
            layers.push_back(outline_layer(
                style, sources,
                first_field(style.info.layer, {"name", "city", "city_name", "name_en"}), msgs,
                crs_context(srs ? *srs : data_srs)));
        } else if (style.info.name == "clusters") {
            clusters = &style;
        }
        json layer;
        layer["name"] = style.style_name();
        layer["title"] = style.title;
        layer["id"] = style.style_name() + "_creatlas";
        layer["hidden"] = style.config.value("hidden", false);
        layer["source"] = sources.source(style.info.name, qgis_wkb_name(style.info.type));
        layer["geometry_name"] = qgis_geometry_name(style.info.kind);
        layer["wkb_name"] = qgis_wkb_name(style.info.type);
        layer["labels_enabled"] =
            style.qml.find("labelsEnabled=\"1\"") != std::string::npos ? "1" : "0";
        layer["layer_crs"] = crs_context(srs ? *srs : data_srs);
        OGREnvelope extent;
        if (style.info.extent) {
            extent = *style.info.extent;
            if (all) {
                all->Merge(extent);
            } else {
                all = extent;
            }
        }
        set_extent(layer, extent);
        layer["style_body"] = qml_body(style.qml, style.info.name + ".qml");
        layers.push_back(std::move(layer));
    }
    context["layers"] = std::move(layers);

    // A margin of 5 % on every side, and at least 1 km (or 0.01°) of view
    // around data that is a single point.
    const double pad_min = map_srs.IsGeographic() ? 0.01 : 1000.0;
    const std::optional<style_detail::Box> view = map_box(all, *transform, 0.05, pad_min);
    if (all && !view) {
        throw Error(ErrorKind::Internal, "cannot transform the data extent to the map CRS",
                    {ds.GetDescription(), "", {}, ""});
    }
    const style_detail::Box box = view.value_or(style_detail::Box{});
    context["xmin"] = number_text(box.xmin);
    context["ymin"] = number_text(box.ymin);
    context["xmax"] = number_text(box.xmax);
    context["ymax"] = number_text(box.ymax);

    if (!look.basemap_url.empty()) {
        OGRSpatialReference web_mercator;
        web_mercator.importFromEPSG(3857);
        context["basemap"] = json{{"source", xyz_source(look.basemap_url)},
                                  {"title", msgs.tr("Basemap")},
                                  {"web_mercator", crs_context(web_mercator)}};
    }

    context["time"] = time_settings(ds);

    // The print layout needs both layers it pages and tabulates.
    if (cities != nullptr && clusters != nullptr) {
        style_detail::LayoutInputs in;
        in.provider = sources.provider;
        for (const char* table : {"clusters", "heritage_sites", "programmes", "cities"}) {
            OGRLayer* layer = ds.GetLayerByName(table);
            in.sources[table] = sources.source(
                table, layer != nullptr ? qgis_wkb_name(inspect(*layer).type) : "Unknown");
        }
        in.title = title;
        in.city_name_field =
            first_field(cities->info.layer, {"name", "city", "city_name", "name_en"});
        in.cluster_name_field = first_field(clusters->info.layer, {"name", "name_en"});
        OGRLayer* heritage = ds.GetLayerByName("heritage_sites");
        in.heritage_name_field = first_field(heritage, {"name", "name_en"});
        in.cover = map_box(clusters->info.extent, *transform, 0.08, pad_min * 20).value_or(box);
        in.locator = map_box(cities->info.extent, *transform, 0.04, pad_min * 20).value_or(box);
        in.city = in.cover;
        std::string credits = msgs.tr("Sources") + ": ";
        for (std::size_t i = 0; i < look.sources.size(); ++i) {
            credits += (i > 0 ? "; " : "") + look.sources[i];
        }
        const char* authority = map_srs.GetAuthorityName(nullptr);
        const char* code = map_srs.GetAuthorityCode(nullptr);
        // Appended piece by piece: GCC 12 at -O3 warns falsely (-Wrestrict) about
        // a literal + std::string&&.
        credits += " · ";
        credits += msgs.tr("Map") + ": ";
        if (authority != nullptr && code != nullptr) {
            credits += std::string(authority) + ":" + code + " ";
        }
        credits += map_srs.GetName() != nullptr ? map_srs.GetName() : "";
        credits += " · ";
        credits += msgs.tr("made with creatlas") + " " + kVersion + ", " + utc_now("%Y-%m-%d");
        if (!look.basemap_url.empty()) {
            credits += " · ";
            credits += msgs.tr("Basemap") + ": " + look.basemap_url;
        }
        in.credits = credits;
        context["layout"] = style_detail::layout_context(in, msgs);
    }
    const std::string path = styles_dir() + "/project.qgs";
    return render_template(read_text(path), context, path);
}

// The print layout looks up each city's clusters and heritage sites (the
// project's relations, which the city pages' tables list) and each cluster's
// heritage site (get_feature in the clusters table) by key, on every page.
// QGIS hands those filters to the GeoPackage as SQL; without an index each is
// a scan of up to 150,000 sites, page after page of a national atlas.
constexpr std::pair<const char*, const char*> kLookupKeys[] = {
    {"clusters", "city_id"}, {"heritage_sites", "city_id"}, {"heritage_sites", "heritage_id"}};

std::string lookup_index_sql(const std::string& layer, const std::string& field) {
    const std::string index = "creatlas_" + layer + "_" + field;
    return R"(CREATE INDEX IF NOT EXISTS ")" + index + R"(" ON ")" + layer + R"("(")" + field +
           R"("))";
}

void index_lookup_fields(GDALDataset& ds) {
    for (const auto& [layer_name, field] : kLookupKeys) {
        OGRLayer* layer = ds.GetLayerByName(layer_name);
        if (layer == nullptr || layer->GetLayerDefn()->GetFieldIndex(field) < 0) {
            continue;
        }
        execute(ds, lookup_index_sql(layer_name, field),
                "index " + std::string(layer_name) + "." + field);
    }
}

void store_project(GDALDataset& ds, const std::string& title, const std::string& qgz) {
    const std::string hex = style_detail::to_hex(qgz);
    const std::string metadata = "{\"last_modified_time\": \"" + utc_now("%Y-%m-%dT%H:%M:%S") +
                                 "\", \"last_modified_user\": \"creatlas\" }";
    execute(ds,
            "CREATE TABLE IF NOT EXISTS qgis_projects(name TEXT PRIMARY KEY, metadata BLOB, "
            "content BLOB)",
            "create the qgis_projects table");
    execute(ds,
            "INSERT OR REPLACE INTO qgis_projects VALUES(" + sql_quote(title) + ", " +
                sql_quote(metadata) + ", " + sql_quote(hex) + ")",
            "store the QGIS project");
}

} // namespace

std::vector<std::pair<std::string, std::string>> lookup_index_statements(
    const std::function<bool(const std::string&, const std::string&)>& has_field) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [layer, field] : kLookupKeys) {
        if (has_field(layer, field)) {
            out.emplace_back(layer, lookup_index_sql(layer, field));
        }
    }
    return out;
}

ProjectSources geopackage_sources(const std::string& final_path) {
    ProjectSources sources;
    sources.provider = "ogr";
    sources.source = [file_name = fs::path(final_path).filename().string()](
                         const std::string& table, const std::string& /*wkb_type*/) {
        return "./" + file_name + "|layername=" + table;
    };
    return sources;
}

AtlasStyles build_atlas_styles(GDALDataset& ds, const std::string& project_title,
                               const ProjectSources& sources, const Presentation& look) {
    const std::string dir = styles_dir();
    const json catalogue = style_detail::read_style_catalogue();
    const style_detail::Messages msgs(look.language);

    std::vector<FilledStyle> styles;
    for (const json& config : catalogue.at("layers")) {
        const std::string name = config.at("name").get<std::string>();
        OGRLayer* layer = ds.GetLayerByName(name.c_str());
        if (layer == nullptr) {
            continue; // a run without this input has no such layer
        }
        if (config.contains("variant") &&
            layer->GetLayerDefn()->GetFieldIndex(config.value("field", "").c_str()) < 0) {
            continue; // a second style needs its field (an older atlas may lack it)
        }
        FilledStyle style{inspect(*layer), config, {}, {}, msgs.tr(config.value("title", name))};
        if (style.info.kind == GeometryKind::None) {
            // Nothing to draw (a table without geometry, or an empty layer declared
            // GEOMETRY): QGIS opens such a layer as a table, which needs no style.
            continue;
        }
        json context;
        context["layer"] = name;
        context["title"] = style.title;
        context["qgis_version"] = kQgisVersion;
        context["field"] = config.value("field", std::string());
        context["expression"] = config.value("expression", std::string());
        context["decimals"] = config.value("decimals", 1);
        context["geometry_code"] = qgis_geometry_code(style.info.kind);
        context["preview_expression"] = "\"" + config.value("id_field", std::string("fid")) + "\"";
        context["classes"] = layer_classes(style.info, config, msgs);
        // QGIS temporal properties (qml_footer.xml): start and end expressions over the
        // layer's year fields, so that the Temporal Controller plays the layer.
        context["temporal"] = config.value("temporal", json());
        // Rank labels: QGIS's cartographic placement around points (6), horizontal
        // inside polygons (4); they take the candidates' colour.
        context["label_placement"] = style.info.kind == GeometryKind::Point ? 6 : 4;
        context["label_colour"] = qgis_colour("#000000");
        for (const json& cls : config.value("classes", json::array())) {
            if (cls.is_object() && cls.value("value", std::string()) == "candidate") {
                context["label_colour"] = qgis_colour(cls.at("color").get<std::string>());
            }
        }
        const std::string qml_path = dir + "/" + name + ".qml";
        const std::string sld_path = dir + "/" + name + ".sld";
        style.qml = render_template(read_text(qml_path), context, qml_path);
        style.sld = render_template(read_text(sld_path), context, sld_path);
        styles.push_back(std::move(style));
    }

    AtlasStyles out;
    out.project_qgs = build_project(ds, styles, project_title, sources, look, msgs);
    out.project_qgz = make_qgz(out.project_qgs);
    for (auto& style : styles) {
        out.styles.push_back(LayerStyle{style.info.name, style.info.geometry_column,
                                        style.style_name(), std::move(style.qml),
                                        std::move(style.sld), style.title, !style.is_variant()});
    }
    return out;
}

void write_layer_styles(GDALDataset& ds, const std::string& project_title,
                        const std::string& final_path, const Presentation& look) {
    const AtlasStyles built =
        build_atlas_styles(ds, project_title, geopackage_sources(final_path), look);
    OGRLayer& table = styles_table(ds);
    const bool transaction = ds.StartTransaction() == OGRERR_NONE;
    try {
        for (const auto& style : built.styles) {
            store_style(ds, table, style);
        }
        index_lookup_fields(ds);
        store_project(ds, project_title, built.project_qgz);
    } catch (...) {
        if (transaction) {
            ds.RollbackTransaction();
        }
        throw;
    }
    if (transaction && ds.CommitTransaction() != OGRERR_NONE) {
        throw Error(ErrorKind::Io, "cannot commit the styles: " + std::string(CPLGetLastErrorMsg()),
                    {ds.GetDescription(), "layer_styles", {}, ""});
    }
}

void write_layer_styles(GDALDataset& ds, const std::string& project_title) {
    // The write stage builds "<folder>/.<name>.tmp-<suffix>" and renames it to
    // "<folder>/<name>" when complete (write.cpp): the project must name the latter.
    fs::path path(ds.GetDescription());
    const std::string file = path.filename().string();
    const std::size_t tmp = file.rfind(".tmp-");
    if (file.size() > 1 && file[0] == '.' && tmp != std::string::npos && tmp > 1) {
        path.replace_filename(file.substr(1, tmp - 1));
    }
    write_layer_styles(ds, project_title, path.string(), Presentation{});
}

} // namespace creatlas
