// The interactive map of report.html: Leaflet, inlined, over GeoJSON of the
// atlas's clusters, industrial heritage, programme zones and city outlines.
//
// The page must work offline and as one file, so Leaflet's script and style
// come from Debian's libjs-leaflet and libjs-leaflet.markercluster
// (/usr/share/javascript/leaflet, or $CREATLAS_LEAFLET_DIR) and are written
// into the page; no tile layer is added unless [project] basemap_url asks for
// one. The symbols are those of styles/classes.json.
//
// What keeps the page responsive at national scale (docs/report.md):
// every cluster is its own marker (2,000 at full scale, drawn as SVG paths);
// heritage sites are limited to industrial ones, and past kAllSitesUpTo of
// them to the re-used ones and each city's kTopCandidates best candidates,
// grouped into marker clusters below zoom 13; outlines and zones are
// simplified (about 50 m) when there are many; everything but the clusters is
// drawn on one canvas rather than as thousands of SVG elements.
#include "catalogue.hpp"
#include "creatlas/style.hpp"
#include "gdal_util.hpp"
#include "report_parts.hpp"

#include <cstdlib>
#include <fstream>
#include <gdal_priv.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ogr_api.h>
#include <ogrsf_frmts.h>
#include <sstream>

namespace creatlas::style_detail::report {

namespace {

using nlohmann::json;

constexpr std::size_t kAllSitesUpTo = 3000; // industrial sites shown without thinning
constexpr int kTopCandidates = 10;          // candidates per city past that
constexpr std::size_t kSimplifyPast = 300;  // polygons per layer drawn exactly
constexpr double kSimplifyDegrees = 0.0005; // ≈ 50 m at the latitudes of Russia

std::string leaflet_dir() {
    if (const char* env = std::getenv("CREATLAS_LEAFLET_DIR"); env != nullptr && *env != '\0') {
        return env;
    }
    return "/usr/share/javascript/leaflet";
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return "";
    }
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// A library file as it can stand inside the page: without its source-map
// comment (the browser would look for the map beside the page) and, for
// styles, without images the page does not have (Leaflet's layer-switcher and
// default-marker images; this map uses neither).
std::string inline_ready(std::string text, bool css) {
    const std::size_t map = text.find("//# sourceMappingURL=");
    if (map != std::string::npos) {
        text.erase(map, text.find('\n', map) - map);
    }
    const std::size_t css_map = text.find("/*# sourceMappingURL=");
    if (css_map != std::string::npos) {
        text.erase(css_map, text.find("*/", css_map) + 2 - css_map);
    }
    if (css) {
        std::size_t pos = 0;
        while ((pos = text.find("url(images/", pos)) != std::string::npos) {
            const std::size_t end = text.find(')', pos);
            text.replace(pos, end + 1 - pos, "none");
        }
    }
    return text;
}

// JSON inside <script>: "</" cannot close the element early.
std::string script_json(const json& value) {
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') {
            out += "<\\/";
            ++i;
        } else {
            out += text[i];
        }
    }
    return out;
}

struct Reader {
    OGRLayer* layer = nullptr;
    std::unique_ptr<OGRCoordinateTransformation> to_wgs84; // null: already lon/lat WGS 84
    explicit Reader(OGRLayer* l) : layer(l) {
        if (layer == nullptr || layer->GetSpatialRef() == nullptr) {
            return;
        }
        OGRSpatialReference wgs84;
        wgs84.SetWellKnownGeogCS("WGS84");
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        OGRSpatialReference source = *layer->GetSpatialRef();
        source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (source.IsSame(&wgs84) == FALSE) {
            to_wgs84.reset(OGRCreateCoordinateTransformation(&source, &wgs84));
        }
    }
    int field(const char* name) const { return layer->GetLayerDefn()->GetFieldIndex(name); }
};

// The geometry of a feature as GeoJSON in WGS 84 (5 decimals, about 1 m);
// null when it has none or cannot be transformed.
json geometry_json(const Reader& reader, const OGRFeature& feature, bool simplify, bool as_point) {
    const OGRGeometry* geometry = feature.GetGeometryRef();
    if (geometry == nullptr || geometry->IsEmpty() != FALSE) {
        return nullptr;
    }
    std::unique_ptr<OGRGeometry> copy(geometry->clone());
    if (reader.to_wgs84 && copy->transform(reader.to_wgs84.get()) != OGRERR_NONE) {
        return nullptr;
    }
    if (as_point && wkbFlatten(copy->getGeometryType()) != wkbPoint) {
        // Polygons of a point layer's role (clusters given as footprints): a
        // point on each, as the atlas's own point layers do.
        std::unique_ptr<OGRGeometry> point(
            OGRGeometry::FromHandle(OGR_G_PointOnSurface(OGRGeometry::ToHandle(copy.get()))));
        if (!point) {
            return nullptr;
        }
        copy = std::move(point);
    } else if (simplify) {
        std::unique_ptr<OGRGeometry> simpler(copy->SimplifyPreserveTopology(kSimplifyDegrees));
        if (simpler && simpler->IsEmpty() == FALSE) {
            copy = std::move(simpler);
        }
    }
    char* options[] = {const_cast<char*>("COORDINATE_PRECISION=5"), nullptr};
    char* text = OGR_G_ExportToJsonEx(OGRGeometry::ToHandle(copy.get()), options);
    if (text == nullptr) {
        return nullptr;
    }
    json out = json::parse(text, nullptr, false);
    CPLFree(text);
    return out.is_discarded() ? json(nullptr) : out;
}

std::string text_of(const OGRFeature& feature, int field) {
    return field >= 0 && feature.IsFieldSetAndNotNull(field) ? feature.GetFieldAsString(field) : "";
}

json number_of(const OGRFeature& feature, int field) {
    if (field < 0 || !feature.IsFieldSetAndNotNull(field)) {
        return nullptr;
    }
    return feature.GetFieldAsDouble(field);
}

int first_field(const Reader& reader, std::initializer_list<const char*> names) {
    for (const char* name : names) {
        if (reader.field(name) >= 0) {
            return reader.field(name);
        }
    }
    return -1;
}

json feature_json(json geometry, json properties) {
    return json{{"type", "Feature"},
                {"geometry", std::move(geometry)},
                {"properties", std::move(properties)}};
}

json collection(json features) {
    return json{{"type", "FeatureCollection"}, {"features", std::move(features)}};
}

// Every feature of a layer, read with `properties` as they come.
template <typename Properties>
json read_layer(GDALDataset& ds, const char* name, bool as_point, Properties properties) {
    json features = json::array();
    Reader reader(ds.GetLayerByName(name));
    if (reader.layer == nullptr) {
        return features;
    }
    const bool simplify =
        !as_point && reader.layer->GetFeatureCount(TRUE) > static_cast<GIntBig>(kSimplifyPast);
    reader.layer->ResetReading();
    for (auto& feature : *reader.layer) {
        json geometry = geometry_json(reader, *feature, simplify, as_point);
        if (geometry.is_null()) {
            continue;
        }
        json props = properties(reader, *feature);
        if (!props.is_null()) {
            features.push_back(feature_json(std::move(geometry), std::move(props)));
        }
    }
    reader.layer->ResetReading();
    return features;
}

} // namespace

std::string leaflet_map_html(GDALDataset& ds, const Messages& msgs,
                             const std::string& basemap_url) {
    const std::string dir = leaflet_dir();
    const std::string leaflet_js = read_text(dir + "/leaflet.min.js");
    const std::string cluster_js = read_text(dir + "/leaflet.markercluster.min.js");
    if (leaflet_js.empty() || cluster_js.empty()) {
        std::string note = R"(<p class="note">)";
        note += esc(msgs.tr("The interactive map needs Leaflet (Debian packages libjs-leaflet and "
                            "libjs-leaflet.markercluster), which is not installed here.")) +
                "</p>\n";
        return note;
    }
    const std::string css = inline_ready(read_text(dir + "/leaflet.css"), true) +
                            inline_ready(read_text(dir + "/MarkerCluster.css"), true) +
                            inline_ready(read_text(dir + "/MarkerCluster.Default.css"), true);

    // City names by id, for the popups of the other layers.
    std::map<std::string, std::string> city_names;
    json cities = read_layer(ds, "cities", false, [&](const Reader& r, const OGRFeature& f) {
        const std::string id = text_of(f, r.field("city_id"));
        std::string name = text_of(f, first_field(r, {"name", "city", "city_name", "name_en"}));
        city_names[id] = name.empty() ? id : name;
        return json{{"n", name.empty() ? id : name},
                    {"k", number_of(f, r.field("n_clusters"))},
                    {"ci", number_of(f, r.field("creative_index"))},
                    {"r", number_of(f, r.field("creative_rank"))}};
    });
    std::map<std::string, std::string> site_names;
    json clusters = read_layer(ds, "clusters", true, [&](const Reader& r, const OGRFeature& f) {
        const std::string id = text_of(f, r.field("cluster_id"));
        const std::string name = text_of(f, first_field(r, {"name", "name_en"}));
        return json{{"id", id},
                    {"n", name.empty() ? id : name},
                    {"t", number_of(f, r.field("formation_type"))},
                    {"f", text_of(f, r.field("formation_label"))},
                    {"c", city_names[text_of(f, r.field("city_id"))]},
                    {"h", text_of(f, r.field("heritage_id"))},
                    {"p", number_of(f, r.field("programme_count"))},
                    {"g", number_of(f, r.field("grant_total"))}};
    });
    // Industrial sites: how many, to decide on thinning (attributes only).
    std::size_t industrial = 0;
    if (OGRLayer* sites = ds.GetLayerByName("heritage_sites");
        sites != nullptr && sites->GetLayerDefn()->GetFieldIndex("is_industrial") >= 0) {
        sites->SetAttributeFilter("is_industrial = 1");
        industrial = static_cast<std::size_t>(std::max<GIntBig>(0, sites->GetFeatureCount(TRUE)));
        sites->SetAttributeFilter(nullptr);
    }
    const bool thinned = industrial > kAllSitesUpTo;
    json heritage =
        read_layer(ds, "heritage_sites", true, [&](const Reader& r, const OGRFeature& f) -> json {
            const bool is_industrial = number_of(f, r.field("is_industrial")) == json(1.0);
            const bool reused = number_of(f, r.field("reused")) == json(1.0);
            const json rank = number_of(f, r.field("candidate_rank"));
            if (!is_industrial || (thinned && !reused &&
                                   (!rank.is_number() || rank.get<double>() > kTopCandidates))) {
                return nullptr;
            }
            const std::string id = text_of(f, r.field("heritage_id"));
            const std::string name = text_of(f, first_field(r, {"name", "name_en"}));
            return json{{"id", id},
                        {"n", name.empty() ? id : name},
                        {"s", reused ? "reused" : "candidate"},
                        {"r", rank},
                        {"sc", number_of(f, r.field("candidate_score"))},
                        {"c", city_names[text_of(f, r.field("city_id"))]}};
        });
    json zones = read_layer(ds, "programmes", false, [&](const Reader& r, const OGRFeature& f) {
        const std::string id = text_of(f, r.field("programme_id"));
        const std::string name = text_of(f, r.field("name"));
        return json{
            {"id", id}, {"n", name.empty() ? id : name}, {"i", text_of(f, r.field("instrument"))}};
    });

    // Symbols and legend texts from the style catalogue.
    json catalogue = read_style_catalogue();
    json colours = json::object();
    json legend = json::array();
    for (const json& layer : catalogue.at("layers")) {
        const std::string name = layer.value("name", std::string());
        if (name != "clusters" && name != "heritage_sites" && name != "programmes") {
            continue;
        }
        json classes = json::array();
        for (const json& cls : layer.value("classes", json::array())) {
            const std::string value = cls.value("value", std::string());
            if (name == "heritage_sites" && value == "other") {
                continue; // not on this map: industrial sites only
            }
            colours[name][value] = cls.value("color", std::string("#999999"));
            std::string label = msgs.tr(cls.value("label", value));
            if (name == "clusters" && !value.empty()) {
                label = value + " – " + label;
            }
            classes.push_back(json{{"c", cls.value("color", std::string("#999999"))},
                                   {"l", label},
                                   {"shape", name == "programmes" ? "zone" : "dot"}});
        }
        legend.push_back(
            json{{"title", msgs.tr(layer.value("title", name))}, {"classes", classes}});
    }

    const json data{
        {"clusters", collection(std::move(clusters))},
        {"heritage", collection(std::move(heritage))},
        {"programmes", collection(std::move(zones))},
        {"cities", collection(std::move(cities))},
        {"colours", colours},
        {"legend", legend},
        {"basemap", basemap_url},
        {"t",
         {{"clusters", msgs.tr("Creative clusters")},
          {"heritage", thinned ? msgs.tr("Industrial heritage (re-used and each city's 10 best "
                                         "candidates)")
                               : msgs.tr("Industrial heritage")},
          {"programmes", msgs.tr("Support programme zones")},
          {"cities", msgs.tr("City outlines")},
          {"city_outline", msgs.tr("city outline")},
          {"city", msgs.tr("City")},
          {"formation", msgs.tr("Formation type")},
          {"heritage_site", msgs.tr("Heritage site")},
          {"programme_count", msgs.tr("Programmes")},
          {"grants", msgs.tr("Grants, RUB")},
          {"status", msgs.tr("Status")},
          {"reused", msgs.tr("re-used by a creative cluster")},
          {"candidate", msgs.tr("conversion candidate")},
          {"rank", msgs.tr("Rank in its city")},
          {"score", msgs.tr("Candidate score")},
          {"instrument", msgs.tr("Instrument")},
          {"n_clusters", msgs.tr("Clusters")},
          {"creative_index", msgs.tr("Creative index")},
          {"basemap", msgs.tr("Basemap")}}}};

    std::ostringstream html;
    html << "<style>\n"
         << css << "\n</style>\n<div id=\"atlas-map\" role=\"region\" aria-label=\""
         << esc(msgs.tr("Interactive map"))
         << "\"></div>\n<div id=\"atlas-map-legend\" class=\"atlas-legend\"></div>\n<script>\n"
         << leaflet_js << "\n</script>\n<script>\n"
         << cluster_js << "\n</script>\n"
         << R"(<script id="atlas-map-data" type="application/json">)" << script_json(data)
         << "</script>\n<script>\n"
         << read_text(styles_dir() + "/report_map.js") << "\n</script>\n";
    return html.str();
}

} // namespace creatlas::style_detail::report
