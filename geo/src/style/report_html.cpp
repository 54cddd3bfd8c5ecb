// report.html: what a planner reads first comes first. Headline figures, then
// charts (inline SVG), then the maps (an interactive Leaflet map and the maps
// QGIS draws, each with its legend), the conversion candidates, the cities,
// the indicator definitions, and the run's provenance last. The page is one
// self-contained file: the charts are SVG in the page, the QGIS maps PNG data
// URIs, Leaflet is inlined, and the full cities table is a CSV data link.
#include "catalogue.hpp"
#include "creatlas/error.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/sectors.hpp"
#include "creatlas/style.hpp"
#include "gdal_util.hpp"
#include "i18n.hpp"
#include "qgis_child.hpp"
#include "read_columns.hpp"
#include "report_parts.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gdal_priv.h>
#include <map>
#include <ogrsf_frmts.h>
#include <optional>
#include <set>
#include <sstream>

namespace creatlas {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using style_detail::Messages;
using style_detail::report::BarChart;
using style_detail::report::Cell;
using style_detail::report::cell_number;
using style_detail::report::cell_text;
using style_detail::report::esc;
using style_detail::report::format_real;
using style_detail::report::format_whole;
using style_detail::report::Rows;

// Long tables are cut so that the page stays readable and small at national
// scale (1,117 cities, 30,000 candidates: 6 MB of HTML uncut); the GeoPackage
// holds every row, and each cut says so.
constexpr std::size_t kMaxCityRows = 100;         // cities by creative_index
constexpr std::size_t kMaxCandidateCities = 50;   // cities with a candidates table
constexpr std::size_t kMaxCandidatesPerCity = 20; // rows of one city's table
constexpr std::size_t kChartBars = 20;            // bars of one chart
constexpr int kMaxCityMaps = 24;                  // QGIS city maps in the page (all in atlas.pdf)

std::string json_text(const json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_null()) {
        return "";
    }
    return value.dump();
}

std::string read_binary(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string base64(const std::string& bytes) {
    static constexpr char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                           (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        out += digits[(n >> 18) & 63];
        out += digits[(n >> 12) & 63];
        out += digits[(n >> 6) & 63];
        out += digits[n & 63];
    }
    if (i < bytes.size()) {
        unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) {
            n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        }
        out += digits[(n >> 18) & 63];
        out += digits[(n >> 12) & 63];
        out += i + 1 < bytes.size() ? digits[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// --- reading the GeoPackage -----------------------------------------------------

// The attribute rows of a layer (no geometry), those matching `where` (an OGR
// attribute filter; "" for all). nullopt when the layer does not exist.
std::optional<Rows> read_rows(GDALDataset& ds, const std::string& name,
                              const std::string& where = "") {
    OGRLayer* layer = ds.GetLayerByName(name.c_str());
    if (layer == nullptr) {
        return std::nullopt;
    }
    Rows out;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldType type = defn->GetFieldDefn(i)->GetType();
        out.fields.emplace_back(defn->GetFieldDefn(i)->GetNameRef());
        out.numeric.push_back(type == OFTInteger || type == OFTInteger64 || type == OFTReal);
    }
    if (!where.empty() && layer->SetAttributeFilter(where.c_str()) != OGRERR_NONE) {
        throw Error(ErrorKind::Io,
                    "cannot filter the layer for the report: " + std::string(CPLGetLastErrorMsg()),
                    {ds.GetDescription(), name, {}, ""});
    }
    // Every field, but not the geometry, which the tables do not show.
    style_detail::ColumnsOnly columns(*layer, out.fields);
    for (auto& feature : *layer) {
        std::vector<Cell> row;
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            if (!feature->IsFieldSetAndNotNull(i)) {
                row.emplace_back();
                continue;
            }
            switch (defn->GetFieldDefn(i)->GetType()) {
            case OFTInteger:
            case OFTInteger64:
                row.emplace_back(static_cast<std::int64_t>(feature->GetFieldAsInteger64(i)));
                break;
            case OFTReal:
                row.emplace_back(feature->GetFieldAsDouble(i));
                break;
            default:
                row.emplace_back(std::string(feature->GetFieldAsString(i)));
            }
        }
        out.rows.push_back(std::move(row));
    }
    layer->SetAttributeFilter(nullptr);
    return out;
}

// Features of `name` matching `where` (0 when the layer or a field is missing).
std::int64_t count_where(GDALDataset& ds, const char* name, const char* where) {
    OGRLayer* layer = ds.GetLayerByName(name);
    if (layer == nullptr) {
        return 0;
    }
    CPLPushErrorHandler(CPLQuietErrorHandler);
    const bool filtered = layer->SetAttributeFilter(where) == OGRERR_NONE;
    CPLPopErrorHandler();
    const GIntBig n = filtered ? layer->GetFeatureCount(TRUE) : 0;
    layer->SetAttributeFilter(nullptr);
    return std::max<GIntBig>(0, n);
}

// Sort rows by a numeric field, highest first, rows without a value last.
void sort_descending(Rows& rows, int field) {
    if (field < 0) {
        return;
    }
    std::stable_sort(rows.rows.begin(), rows.rows.end(), [field](const auto& a, const auto& b) {
        const auto x = cell_number(a[field]);
        const auto y = cell_number(b[field]);
        if (x && y) {
            return *x > *y;
        }
        return x.has_value() && !y.has_value();
    });
}

double number_or(const Rows& rows, const std::vector<Cell>& row, const char* field,
                 double fallback = 0) {
    const int i = rows.index(field);
    return i >= 0 ? cell_number(row[i]).value_or(fallback) : fallback;
}

std::string city_name(const Rows& cities, const std::vector<Cell>& row) {
    for (const char* field : {"name", "city", "city_name", "name_en"}) {
        const int i = cities.index(field);
        if (i >= 0 && !cell_text(row[i]).empty()) {
            return cell_text(row[i]);
        }
    }
    const int id = cities.index("city_id");
    return id >= 0 ? cell_text(row[id]) : "";
}

// --- tables -----------------------------------------------------------------------

// The first `max_rows` rows of `rows` as a table whose columns are headed by
// `headings` (the field names when empty).
void table_html(std::ostringstream& html, const Rows& rows, const std::vector<int>& columns,
                std::size_t max_rows, const std::vector<std::string>& headings = {}) {
    html << "<table>\n<thead><tr>";
    for (std::size_t k = 0; k < columns.size(); ++k) {
        const int c = columns[k];
        html << "<th" << (rows.numeric[c] ? R"( class="n")" : "") << ">"
             << esc(k < headings.size() ? headings[k] : rows.fields[c]) << "</th>";
    }
    html << "</tr></thead>\n<tbody>\n";
    for (std::size_t r = 0; r < rows.rows.size() && r < max_rows; ++r) {
        const auto& row = rows.rows[r];
        html << "<tr>";
        for (int c : columns) {
            html << (rows.numeric[c] ? R"(<td class="n">)" : "<td>") << esc(cell_text(row[c]))
                 << "</td>";
        }
        html << "</tr>\n";
    }
    html << "</tbody></table>\n";
}

// "Showing the first N of M <what>; K more are in the GeoPackage's <where>."
// when `shown` < `total`. `where` is HTML (not escaped).
void cut_note(std::ostringstream& html, const Messages& msgs, std::size_t shown, std::size_t total,
              const std::string& what, const std::string& where) {
    if (shown >= total) {
        return;
    }
    html << R"(<p class="note">)" << esc(msgs.tr("Showing the first")) << " " << shown << " "
         << esc(msgs.tr("of")) << " " << total << " " << esc(what) << "; " << (total - shown) << " "
         << esc(msgs.tr("more are in the GeoPackage's")) << " " << where << ".</p>\n";
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\n\r") == std::string::npos) {
        return text;
    }
    std::string out = R"(")";
    for (char c : text) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + R"(")";
}

// Every row and field of `rows` as a CSV download inside the page.
std::string csv_link(const Rows& rows, const std::string& file_name, const std::string& text) {
    std::string csv = "\xEF\xBB\xBF"; // a BOM, so that spreadsheets read UTF-8 as such
    for (std::size_t c = 0; c < rows.fields.size(); ++c) {
        if (c > 0) {
            csv += ',';
        }
        csv += csv_field(rows.fields[c]);
    }
    csv += "\r\n";
    for (const auto& row : rows.rows) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c > 0) {
                csv += ',';
            }
            csv += csv_field(cell_text(row[c]));
        }
        csv += "\r\n";
    }
    std::string link = R"(<a class="csv" download=")";
    link += esc(file_name) + R"(" href="data:text/csv;charset=utf-8;base64,)" + base64(csv) +
            R"(">)" + esc(text) + "</a>";
    return link;
}

// --- the maps ---------------------------------------------------------------------

// bugprone-exception-escape: nlohmann::json's destructor is noexcept in fact;
// the check cannot see through its invariant assertions.
struct Maps {            // NOLINT(bugprone-exception-escape)
    json listing;        ///< render_maps.py's output, when it ran
    std::string missing; ///< why there are no maps ("" when there are)
    fs::path folder;     ///< where the PNG files are until they are inlined
};

Maps render_maps(const std::string& gpkg_path, const fs::path& html_path) {
    Maps maps;
    // A hidden folder beside the page, removed once the maps are inlined. (Built
    // with +=: GCC 12 at -O3 warns falsely, -Wrestrict, about "." + std::string&&.)
    std::string hidden = ".";
    hidden += html_path.stem().string();
    hidden += "_maps";
    maps.folder = html_path.parent_path() / hidden;
    std::error_code ec;
    fs::remove_all(maps.folder, ec);
    fs::create_directories(maps.folder, ec);
    if (ec) {
        maps.missing =
            "the maps' folder " + maps.folder.string() + " cannot be created: " + ec.message();
        return maps;
    }
    const style_detail::ChildResult child = style_detail::run_styles_script(
        "render_maps.py",
        {gpkg_path, maps.folder.string(), "--max-cities", std::to_string(kMaxCityMaps)},
        (maps.folder / ".render").string());
    const json& parsed = child.output;
    if (!child.started || child.exit_code != 0 || !parsed.is_object() || parsed.contains("error")) {
        fs::remove_all(maps.folder, ec);
        if (!child.started) {
            maps.missing = "QGIS could not be run: " + child.log;
            return maps;
        }
        std::string why = parsed.is_object() && parsed.contains("error")
                              ? json_text(parsed["error"])
                              : "map rendering failed (" + child.python + " render_maps.py, exit " +
                                    std::to_string(child.exit_code) + ")";
        if (child.exit_code != 3 && !child.log.empty()) {
            why += ": " + child.log;
        }
        maps.missing = why;
        return maps;
    }
    maps.listing = parsed;
    return maps;
}

std::string png_uri(const fs::path& file) {
    std::string uri = "data:image/png;base64,";
    uri += base64(read_binary(file));
    return uri;
}

// The legend of the QGIS maps, from the same catalogue the styles are filled
// from: the styled layers the GeoPackage has (`present`).
std::string legend_html(const std::set<std::string>& present, const Messages& msgs) {
    json catalogue;
    try {
        catalogue = style_detail::read_style_catalogue();
    } catch (const Error&) {
        return ""; // the styles themselves would have failed already; keep the report
    }
    std::ostringstream html;
    html << R"(<div class="legend">)";
    for (const json& layer : catalogue.value("layers", json::array())) {
        const std::string name = layer.value("name", std::string());
        if (!present.contains(name) || name.find("_footprints") != std::string::npos) {
            continue;
        }
        html << "<div><b>" << esc(msgs.tr(layer.value("title", name))) << "</b> ";
        if (!layer.value("classes", json()).is_array()) {
            for (const json& colour : layer.value("ramp", json::array())) {
                html << R"(<span class="sw" style="background:)" << esc(json_text(colour))
                     << R"("></span>)";
            }
            html << " " << esc(msgs.tr("low → high (equal-count classes of this run)"));
        } else {
            for (const json& cls : layer["classes"]) {
                const std::string value = cls.value("value", std::string());
                std::string label = msgs.tr(json_text(cls.value("label", json())));
                if (name == "clusters" && !value.empty()) {
                    label = value + " – " + label;
                }
                html << R"(<span class="item"><span class="sw" style="background:)"
                     << esc(json_text(cls["color"])) << R"("></span>)" << esc(label) << "</span>";
            }
        }
        html << "</div>";
    }
    html << "<div><b>" << esc(msgs.tr("City outlines and names"))
         << R"(</b> <span class="sw" )"
            "style=\"background:#fff;border-color:#555\"></span></div></div>\n";
    return html.str();
}

void maps_html(std::ostringstream& html, GDALDataset& ds, const Maps& maps,
               const std::set<std::string>& present, const Messages& msgs,
               const std::string& basemap_url) {
    html << R"(<h2 id="maps">)" << esc(msgs.tr("Maps")) << "</h2>\n";
    html << "<h3>" << esc(msgs.tr("Interactive map")) << "</h3>\n<p>"
         << esc(msgs.tr("Clusters by formation type, industrial heritage by re-use status, "
                        "support programme zones by instrument and city outlines, in the "
                        "colours of the atlas's styles. Click a feature for its key figures; "
                        "switch layers at the top right."))
         << "</p>\n";
    html << style_detail::report::leaflet_map_html(ds, msgs, basemap_url);

    html << "<h3>" << esc(msgs.tr("Maps drawn by QGIS")) << "</h3>\n";
    if (!maps.missing.empty()) {
        html << R"(<p class="note">)" << esc(msgs.tr("This report has no maps")) << ": "
             << esc(maps.missing) << ". "
             << esc(msgs.tr("The maps are drawn by QGIS (Debian packages qgis and "
                            "python3-qgis); install them and run again to get them."))
             << "</p>\n";
        return;
    }
    html << "<p>"
         << esc(msgs.tr("Drawn by QGIS from the GeoPackage's own project and default styles, in "
                        "Web Mercator. atlas.pdf beside this report has a page for every city "
                        "with clusters."))
         << "</p>\n";
    const std::string legend = legend_html(present, msgs);
    if (maps.listing.contains("overview") && maps.listing["overview"].is_string()) {
        html << R"(<figure class="map"><img src=")"
             << png_uri(maps.folder / json_text(maps.listing["overview"])) << R"(" alt=")"
             << esc(msgs.tr("Overview map of all cities")) << R"("><figcaption>)"
             << esc(msgs.tr("All data")) << legend << "</figcaption></figure>\n";
    }
    for (const json& map : maps.listing.value("maps", json::array())) {
        const std::string name = json_text(map.value("name", json()));
        const std::string id = json_text(map.value("city_id", json()));
        const std::string title = name.empty() ? id : name;
        html << R"(<figure class="map"><img src=")" << png_uri(maps.folder / json_text(map["file"]))
             << R"(" alt=")" << esc(msgs.tr("Map of") + " " + title) << R"("><figcaption>)"
             << esc(title) << legend << "</figcaption></figure>\n";
    }
    const int omitted = maps.listing.value("omitted", 0);
    if (omitted > 0) {
        html << R"(<p class="note">)" << omitted << " "
             << esc(msgs.tr("more cities have data but no map here (only the cities with the "
                            "highest creative_index are drawn); atlas.pdf and the GeoPackage's "
                            "project have them all."))
             << "</p>\n";
    }
}

// --- findings ---------------------------------------------------------------------

struct FormationClass {
    std::string value; ///< "1" … "5", "" for unknown
    std::string label;
    std::string colour;
};

std::vector<FormationClass> formation_classes(const Messages& msgs) {
    std::vector<FormationClass> out;
    json catalogue;
    try {
        catalogue = style_detail::read_style_catalogue();
    } catch (const Error&) {
        return out;
    }
    for (const json& layer : catalogue.value("layers", json::array())) {
        if (layer.value("name", std::string()) != "clusters") {
            continue;
        }
        for (const json& cls : layer.value("classes", json::array())) {
            out.push_back({cls.value("value", std::string()),
                           msgs.tr(cls.value("label", std::string())),
                           cls.value("color", std::string("#999999"))});
        }
    }
    return out;
}

std::string percent_text(double part, double whole) {
    return whole > 0 ? format_real(std::round(1000.0 * part / whole) / 10.0) + " %" : "–";
}

void headline_html(std::ostringstream& html, GDALDataset& ds, const std::optional<Rows>& clusters,
                   const std::optional<Rows>& cities, const Messages& msgs) {
    const auto tr = [&msgs](const char* english) { return esc(msgs.tr(english)); };
    html << R"(<section id="findings"><h2>)" << tr("Headline figures")
         << "</h2>\n<div class=\"cards\">\n";
    const double n_clusters = clusters ? static_cast<double>(clusters->rows.size()) : 0;
    std::size_t cities_with = 0;
    if (cities) {
        for (const auto& row : cities->rows) {
            cities_with += number_or(*cities, row, "n_clusters") > 0 ? 1 : 0;
        }
    }
    // Clusters by formation type, in the colours of the map.
    html << R"(<div class="card"><div class="big">)" << format_whole(n_clusters) << "</div><div>"
         << tr("creative clusters in") << " " << cities_with << " " << tr("cities")
         << R"(</div><ul class="types">)";
    std::map<std::string, std::size_t> by_type;
    if (clusters) {
        const int t = clusters->index("formation_type");
        for (const auto& row : clusters->rows) {
            const auto v = t >= 0 ? cell_number(row[t]) : std::nullopt;
            by_type[v ? std::to_string(static_cast<int>(*v)) : ""] += 1;
        }
    }
    for (const auto& cls : formation_classes(msgs)) {
        if (cls.value.empty() && by_type[""] == 0) {
            continue;
        }
        html << R"(<li><span class="sw" style="background:)" << esc(cls.colour) << R"("></span>)"
             << esc((cls.value.empty() ? "" : cls.value + " – ") + cls.label) << ": <b>"
             << by_type[cls.value] << "</b></li>";
    }
    html << "</ul></div>\n";

    const auto industrial =
        static_cast<double>(count_where(ds, "heritage_sites", "is_industrial = 1"));
    const auto reused =
        static_cast<double>(count_where(ds, "heritage_sites", "is_industrial = 1 AND reused = 1"));
    html << R"(<div class="card"><div class="big">)" << percent_text(reused, industrial)
         << "</div><div>" << tr("of industrial heritage sites re-used by creative clusters") << " ("
         << format_whole(reused) << " " << tr("of") << " " << format_whole(industrial)
         << ")</div></div>\n";

    double reached = 0;
    double grants = 0;
    if (clusters) {
        for (const auto& row : clusters->rows) {
            reached += number_or(*clusters, row, "programme_count") > 0 ? 1 : 0;
            grants += number_or(*clusters, row, "grant_total");
        }
    }
    html << R"(<div class="card"><div class="big">)" << percent_text(reached, n_clusters)
         << "</div><div>" << tr("of clusters inside a support programme zone") << " ("
         << format_whole(reached) << ")</div></div>\n";
    html << R"(<div class="card"><div class="big">)" << format_whole(grants) << " " << tr("RUB")
         << "</div><div>" << tr("of grants to clusters") << " ("
         << (n_clusters > 0 ? format_whole(grants / n_clusters) : "–") << " " << tr("RUB") << " "
         << tr("per cluster") << ")</div></div>\n";
    html << "</div></section>\n";
}

// The first kChartBars rows of `rows` that `keep` accepts, in their order.
template <typename Keep>
std::vector<const std::vector<Cell>*> top_rows(const Rows& rows, Keep keep, std::size_t* total) {
    std::vector<const std::vector<Cell>*> out;
    *total = 0;
    for (const auto& row : rows.rows) {
        if (keep(row)) {
            *total += 1;
            if (out.size() < kChartBars) {
                out.push_back(&row);
            }
        }
    }
    return out;
}

void figure_html(std::ostringstream& html, const BarChart& chart, const std::string& caption,
                 std::size_t shown, std::size_t total, const Messages& msgs) {
    html << R"(<figure class="chart"><figcaption><b>)" << esc(chart.title) << "</b></figcaption>\n"
         << style_detail::report::bar_chart_svg(chart) << R"(<p class="source">)" << esc(caption);
    if (shown < total) {
        html << " " << esc(msgs.tr("Shown: the first")) << " " << shown << " " << esc(msgs.tr("of"))
             << " " << total << ".";
    }
    html << "</p></figure>\n";
}

// 5. Location quotients by creative sector for the cities with clusters (issue 17): one
// bar per city and sector present there, the cities with the most creative enterprises
// first, each city's sectors by LQ. Left out when the atlas has no sector counts.
void lq_chart_html(std::ostringstream& html, Rows cities, const Messages& msgs) {
    if (cities.index("ent_total") < 0 || cities.index("lq_software_it") < 0) {
        return;
    }
    sort_descending(cities, cities.index("ent_total"));
    BarChart chart;
    chart.id = "chart-lq";
    chart.title = msgs.tr("Location quotients of creative sectors, cities with clusters");
    chart.axis_title = msgs.tr("location quotient (1 = the base's share)");
    chart.part_colours = {"#54278F"};
    std::size_t total = 0;
    for (const auto& row : cities.rows) {
        if (number_or(cities, row, "n_clusters") <= 0 || number_or(cities, row, "ent_total") <= 0) {
            continue;
        }
        std::vector<std::pair<double, BarChart::Bar>> bars;
        for (const Sector& s : creative_sectors()) {
            const double n = number_or(cities, row, ("ent_" + s.id).c_str());
            const int k = cities.index("lq_" + s.id);
            const auto lq = k < 0 ? std::nullopt : cell_number(row[static_cast<std::size_t>(k)]);
            if (n > 0 && lq) {
                bars.push_back({*lq,
                                {city_name(cities, row) + " — " + msgs.tr(s.label_en),
                                 {*lq},
                                 format_real(std::round(100.0 * *lq) / 100.0) + " (" +
                                     format_whole(n) + ")"}});
            }
        }
        std::stable_sort(bars.begin(), bars.end(),
                         [](const auto& a, const auto& b) { return a.first > b.first; });
        for (auto& [lq, bar] : bars) {
            ++total;
            if (chart.bars.size() < kChartBars) {
                chart.bars.push_back(std::move(bar));
            }
        }
    }
    if (chart.bars.empty()) {
        return;
    }
    figure_html(html, chart,
                msgs.tr("LQ = (e_cs / e_c) / (E_s / E): the sector's share of the city's creative "
                        "enterprises over its share of the base (the run's total or the declared "
                        "national reference); in brackets the city's enterprises of the sector; "
                        "cities layer: lq_<sector>, ent_<sector>."),
                chart.bars.size(), total, msgs);
}

void charts_html(std::ostringstream& html, const std::optional<Rows>& cities_in,
                 const Messages& msgs) {
    html << R"(<section id="charts"><h2>)" << esc(msgs.tr("Charts")) << "</h2>\n";
    if (!cities_in || cities_in->rows.empty()) {
        html << "<p>" << esc(msgs.tr("The GeoPackage has no cities.")) << "</p></section>\n";
        return;
    }
    Rows cities = *cities_in;
    std::size_t total = 0;

    // 1. Formation types per city, stacked, the cities with the most clusters first.
    {
        sort_descending(cities, cities.index("n_clusters"));
        BarChart chart;
        chart.id = "chart-formation";
        chart.title = msgs.tr("Creative clusters per city by formation type");
        chart.axis_title = msgs.tr("clusters (count)");
        const auto classes = formation_classes(msgs);
        for (const auto& cls : classes) {
            chart.part_labels.push_back((cls.value.empty() ? "" : cls.value + " – ") + cls.label);
            chart.part_colours.push_back(cls.colour);
        }
        const auto rows = top_rows(
            cities, [&](const auto& row) { return number_or(cities, row, "n_clusters") > 0; },
            &total);
        for (const auto* row : rows) {
            BarChart::Bar bar;
            bar.label = city_name(cities, *row);
            const double n = number_or(cities, *row, "n_clusters");
            double typed = 0;
            for (const auto& cls : classes) {
                double v = 0;
                if (!cls.value.empty()) {
                    v = number_or(cities, *row, ("type_" + cls.value).c_str());
                    typed += v;
                } else {
                    v = std::max(0.0, n - typed); // clusters of unknown type
                }
                bar.parts.push_back(v);
            }
            bar.value_text = format_whole(n);
            chart.bars.push_back(std::move(bar));
        }
        figure_html(html, chart,
                    msgs.tr("Clusters linked to each city, by the formation type of DESIGN's "
                            "five-type scale; cities layer: n_clusters, type_1 … type_5."),
                    rows.size(), total, msgs);
    }
    // 2. Heritage transformation rate per city.
    {
        const int rate = cities.index("ih_transformation_rate");
        sort_descending(cities, rate);
        BarChart chart;
        chart.id = "chart-transformation";
        chart.title = msgs.tr("Industrial heritage re-used by creative clusters, per city");
        chart.axis_title = msgs.tr("share of the city's industrial heritage sites re-used (%)");
        chart.part_colours = {"#44AA99"};
        const auto rows = top_rows(
            cities,
            [&](const auto& row) {
                return number_or(cities, row, "ih_count") > 0 && rate >= 0 &&
                       cell_number(row[rate]).has_value();
            },
            &total);
        for (const auto* row : rows) {
            const double share = number_or(cities, *row, "ih_transformation_rate");
            chart.bars.push_back({city_name(cities, *row),
                                  {100.0 * share},
                                  format_real(std::round(1000.0 * share) / 10.0) + " % (" +
                                      format_whole(number_or(cities, *row, "ih_reused")) + " " +
                                      msgs.tr("of") + " " +
                                      format_whole(number_or(cities, *row, "ih_count")) + ")"});
        }
        figure_html(html, chart,
                    msgs.tr("Cities with industrial heritage, the highest rate first; cities "
                            "layer: ih_transformation_rate = ih_reused / ih_count."),
                    rows.size(), total, msgs);
    }
    // 3. Grants per cluster.
    {
        const int per_cluster = cities.index("grant_per_cluster");
        sort_descending(cities, per_cluster);
        BarChart chart;
        chart.id = "chart-grants";
        chart.title = msgs.tr("Grants per cluster, per city");
        chart.axis_title = msgs.tr("grants per cluster (RUB)");
        chart.part_colours = {"#332288"};
        const auto rows = top_rows(
            cities,
            [&](const auto& row) {
                return per_cluster >= 0 && number_or(cities, row, "n_clusters") > 0 &&
                       cell_number(row[per_cluster]).has_value();
            },
            &total);
        for (const auto* row : rows) {
            const double value = number_or(cities, *row, "grant_per_cluster");
            chart.bars.push_back({city_name(cities, *row), {value}, format_whole(value)});
        }
        figure_html(html, chart,
                    msgs.tr("Grants reaching a city's clusters (from programme zones and the "
                            "grants table) divided by its clusters; cities layer: "
                            "grant_per_cluster."),
                    rows.size(), total, msgs);
    }
    // 4. Creative index ranking.
    {
        const int index = cities.index("creative_index");
        sort_descending(cities, index);
        BarChart chart;
        chart.id = "chart-creative-index";
        chart.title = msgs.tr("Creative index ranking");
        chart.axis_title = msgs.tr("creative index (0–100)");
        chart.part_colours = {"#756BB1"};
        const auto rows = top_rows(
            cities,
            [&](const auto& row) { return index >= 0 && cell_number(row[index]).has_value(); },
            &total);
        for (const auto* row : rows) {
            const double value = number_or(cities, *row, "creative_index");
            chart.bars.push_back({city_name(cities, *row),
                                  {value},
                                  format_real(std::round(10.0 * value) / 10.0) + " (#" +
                                      format_whole(number_or(cities, *row, "creative_rank")) +
                                      ")"});
        }
        figure_html(html, chart,
                    msgs.tr("The weighted sum of the project's creative_index components, "
                            "rescaled to 0–100; cities layer: creative_index, creative_rank."),
                    rows.size(), total, msgs);
    }
    lq_chart_html(html, cities, msgs);
    html << "</section>\n";
}

// --- candidates, cities, indicators ---------------------------------------------------

void candidates_html(std::ostringstream& html, const Rows& cities, const Rows& sites,
                     const Messages& msgs) {
    html << R"(<section id="candidates"><h2>)" << esc(msgs.tr("Conversion candidates by city"))
         << "</h2>\n<p>"
         << esc(msgs.tr("Industrial heritage sites not yet re-used by a creative cluster, ranked "
                        "within their city by candidate_score (rank 1 is the best candidate)."))
         << "</p>\n";
    const int rank = sites.index("candidate_rank");
    const int site_city = sites.index("city_id");
    if (rank < 0) {
        html << "<p>" << esc(msgs.tr("The heritage_sites layer has no candidate_rank field."))
             << "</p></section>\n";
        return;
    }
    std::vector<int> columns;
    std::vector<std::string> headings;
    for (const auto& [field, heading] : std::vector<std::pair<const char*, const char*>>{
             {"candidate_rank", "rank"},
             {"heritage_id", "heritage_id"},
             {"name", "name"},
             {"candidate_score", "score"},
             {"nearest_cluster_m", "nearest cluster, m"},
             {"programme_count", "programmes"}}) {
        if (sites.index(field) >= 0) {
            columns.push_back(sites.index(field));
            headings.push_back(msgs.tr(heading));
        }
    }
    // Group candidates by city, in the order of the cities table.
    std::map<std::string, Rows> by_city;
    for (const auto& row : sites.rows) {
        if (std::holds_alternative<std::monostate>(row[rank])) {
            continue;
        }
        const std::string key = site_city >= 0 ? cell_text(row[site_city]) : "";
        auto [it, inserted] = by_city.try_emplace(key);
        if (inserted) {
            it->second.fields = sites.fields;
            it->second.numeric = sites.numeric;
        }
        it->second.rows.push_back(row);
    }
    if (by_city.empty()) {
        html << "<p>" << esc(msgs.tr("No candidates in this run.")) << "</p></section>\n";
        return;
    }
    // Cities in the order of the cities table (highest creative_index first);
    // past kMaxCandidateCities, only counted.
    std::size_t shown_cities = 0;
    std::size_t omitted_cities = 0;
    std::size_t omitted_sites = 0;
    auto show = [&](const std::string& key, const std::string& title) {
        auto it = by_city.find(key);
        if (it == by_city.end()) {
            return;
        }
        Rows& rows = it->second;
        std::stable_sort(rows.rows.begin(), rows.rows.end(), [rank](const auto& a, const auto& b) {
            return cell_number(a[rank]).value_or(0) < cell_number(b[rank]).value_or(0);
        });
        if (shown_cities == kMaxCandidateCities) {
            omitted_cities += 1;
            omitted_sites += rows.rows.size();
            by_city.erase(it);
            return;
        }
        ++shown_cities;
        html << "<h3>" << esc(title) << " — " << rows.rows.size() << " "
             << esc(msgs.tr(rows.rows.size() == 1 ? "candidate" : "candidates")) << "</h3>\n";
        table_html(html, rows, columns, kMaxCandidatesPerCity, headings);
        cut_note(html, msgs, kMaxCandidatesPerCity, rows.rows.size(),
                 msgs.tr("candidates (by rank)"),
                 esc(msgs.tr("heritage_sites layer")) + " (<code>candidate_rank</code>)");
        by_city.erase(it);
    };
    const int city_id = cities.index("city_id");
    for (const auto& row : cities.rows) {
        const std::string key = city_id >= 0 ? cell_text(row[city_id]) : "";
        const std::string name = city_name(cities, row);
        show(key, name.empty() || name == key ? key : name + " (" + key + ")");
    }
    while (!by_city.empty()) {
        const std::string key = by_city.begin()->first;
        show(key, key.empty() ? msgs.tr("Outside any city") : key);
    }
    if (omitted_cities > 0) {
        html << R"(<p class="note">)" << esc(msgs.tr("The tables above are for the")) << " "
             << kMaxCandidateCities << " "
             << esc(msgs.tr("cities with candidates that rank highest by creative_index;")) << " "
             << omitted_cities << " "
             << esc(msgs.tr(omitted_cities == 1 ? "more city has" : "more cities have")) << " "
             << omitted_sites << " "
             << esc(msgs.tr(omitted_sites == 1 ? "candidate" : "candidates")) << ", "
             << esc(msgs.tr("all in the GeoPackage's heritage_sites layer"))
             << " (<code>candidate_rank</code>).</p>\n";
    }
    html << "</section>\n";
}

void cities_html(std::ostringstream& html, std::optional<Rows>& cities, const Messages& msgs) {
    html << R"(<section id="cities"><h2>)" << esc(msgs.tr("Cities by creative index")) << "</h2>\n";
    if (!cities || cities->rows.empty()) {
        html << "<p>" << esc(msgs.tr("The GeoPackage has no cities.")) << "</p></section>\n";
        return;
    }
    sort_descending(*cities, cities->index("creative_index"));
    // The key columns fit the page; every field is in the CSV beside the table.
    std::vector<int> columns;
    std::vector<std::string> headings;
    const std::string name_field = [&] {
        for (const char* f : {"name", "city", "city_name", "name_en"}) {
            if (cities->index(f) >= 0) {
                return std::string(f);
            }
        }
        return std::string("city_id");
    }();
    for (const auto& [field, heading] : std::vector<std::pair<std::string, const char*>>{
             {"creative_rank", "rank"},
             {name_field, "city"},
             {"population", "population"},
             {"n_clusters", "clusters"},
             {"clusters_per_100k", "per 100,000 people"},
             {"ih_transformation_rate", "heritage re-used (share)"},
             {"programme_coverage", "programme coverage"},
             {"grant_total", "grants, RUB"},
             {"creative_index", "creative index"}}) {
        if (cities->index(field) >= 0) {
            columns.push_back(cities->index(field));
            headings.push_back(msgs.tr(heading));
        }
    }
    html << "<p>"
         << csv_link(*cities, "cities.csv",
                     msgs.tr("Download every field of every city (cities.csv)"))
         << "</p>\n";
    table_html(html, *cities, columns, kMaxCityRows, headings);
    cut_note(html, msgs, kMaxCityRows, cities->rows.size(), msgs.tr("cities (by creative_index)"),
             esc(msgs.tr("cities layer")));
    html << "</section>\n";
}

void indicators_html(std::ostringstream& html, const Messages& msgs) {
    html << R"(<section id="indicators"><h2>)" << esc(msgs.tr("Indicator definitions"))
         << "</h2>\n";
    const json catalogue = indicator_catalogue_json();
    html << "<table class=\"defs\">\n<thead><tr><th>id</th><th>" << esc(msgs.tr("layer"))
         << "</th><th>" << esc(msgs.tr("unit")) << "</th><th>" << esc(msgs.tr("formula"))
         << "</th><th>" << esc(msgs.tr("meaning")) << "</th></tr></thead>\n<tbody>\n";
    for (const json& i : catalogue) {
        html << "<tr><td><code>" << esc(json_text(i.value("id", json()))) << "</code></td><td>"
             << esc(json_text(i.value("level", json()))) << "</td><td>"
             << esc(json_text(i.value("unit", json()))) << "</td><td>"
             << esc(json_text(i.value("formula", json()))) << "</td><td>"
             << esc(json_text(i.value("meaning", json()))) << "</td></tr>\n";
    }
    html << "</tbody></table></section>\n";
}

// --- provenance -----------------------------------------------------------------------

std::string list_text(const json& items, std::size_t max_items, const Messages& msgs) {
    std::string out;
    std::size_t shown = 0;
    for (const json& item : items) {
        if (shown == max_items) {
            out += " … ";
            out += msgs.tr("and") + " " + std::to_string(items.size() - max_items) + " " +
                   msgs.tr("more");
            break;
        }
        std::string text;
        if (item.is_object() && item.contains("fid")) {
            text = json_text(item["fid"]);
            if (item.contains("reason") && !json_text(item["reason"]).empty()) {
                text += " (" + json_text(item["reason"]) + ")";
            }
        } else {
            text = json_text(item);
        }
        out += (shown > 0 ? ", " : "") + text;
        ++shown;
    }
    return out;
}

void provenance_html(std::ostringstream& html, const json& report, const Messages& msgs) {
    const auto tr = [&msgs](const char* english) { return esc(msgs.tr(english)); };
    html << R"(<section id="provenance"><h2>)" << tr("Provenance") << "</h2>\n<dl>\n";
    for (const char* key : {"project", "output", "version", "started", "seconds"}) {
        if (report.contains(key)) {
            html << "<dt>" << tr(key) << "</dt><dd>" << esc(json_text(report[key])) << "</dd>\n";
        }
    }
    html << "</dl>\n";

    html << "<h3>" << tr("Inputs") << "</h3>\n<table>\n<thead><tr><th>" << tr("role") << "</th><th>"
         << tr("source") << R"(</th><th>CRS</th><th class="n">)" << tr("read")
         << R"(</th><th class="n">)" << tr("loaded") << "</th><th>"
         << tr("repaired, skipped, unreadable (feature ids)") << "</th></tr></thead>\n<tbody>\n";
    for (const json& s : report.value("sources", json::array())) {
        const std::string layer = json_text(s.value("layer", json()));
        html << "<tr><td>" << esc(json_text(s.value("role", json()))) << "</td><td>"
             << esc(json_text(s.value("path", json())) + (layer.empty() ? "" : " (" + layer + ")"))
             << "</td><td>" << esc(json_text(s.value("crs", json())))
             << (s.value("crs_declared", false) ? " (" + msgs.tr("declared") + ")" : "")
             << R"(</td><td class="n">)" << esc(json_text(s.value("read", json())))
             << R"(</td><td class="n">)" << esc(json_text(s.value("loaded", json())))
             << "</td><td>";
        bool any = false;
        for (const char* key : {"repaired", "skipped", "unreadable"}) {
            const json items = s.value(key, json::array());
            if (!items.empty()) {
                html << (any ? "<br>" : "") << tr(key) << " " << items.size() << ": "
                     << esc(list_text(items, 30, msgs));
                any = true;
            }
        }
        html << (any ? "" : "—") << "</td></tr>\n";
    }
    html << "</tbody></table>\n";

    const json key_links = report.value("key_links", json::array());
    if (!key_links.empty()) {
        html << "<h3>" << tr("Key joins and unmatched keys") << "</h3>\n<table>\n<thead><tr><th>"
             << tr("join") << R"(</th><th class="n">)" << tr("matched") << "</th><th>"
             << tr("unmatched on the left") << "</th><th>" << tr("unmatched on the right")
             << "</th></tr></thead>\n<tbody>\n";
        for (const json& k : key_links) {
            const json left = k.value("unmatched_left", json::array());
            const json right = k.value("unmatched_right", json::array());
            html << "<tr><td>" << esc(json_text(k.value("left", json()))) << " ↔ "
                 << esc(json_text(k.value("right", json()))) << R"(</td><td class="n">)"
                 << esc(json_text(k.value("matched", json()))) << "</td><td>"
                 << (left.empty()
                         ? "—"
                         : std::to_string(left.size()) + ": " + esc(list_text(left, 50, msgs)))
                 << "</td><td>"
                 << (right.empty()
                         ? "—"
                         : std::to_string(right.size()) + ": " + esc(list_text(right, 50, msgs)))
                 << "</td></tr>\n";
        }
        html << "</tbody></table>\n";
    }

    html << "<div class=\"columns\">\n";
    html << "<div><h3>" << tr("Layers written") << "</h3>\n<table><thead><tr><th>" << tr("layer")
         << R"(</th><th class="n">)" << tr("features") << "</th></tr></thead><tbody>\n";
    const json layers = report.value("layers", json::object());
    for (const auto& [name, count] : layers.items()) {
        html << "<tr><td>" << esc(name) << R"(</td><td class="n">)" << esc(json_text(count))
             << "</td></tr>\n";
    }
    html << "</tbody></table></div>\n";
    const json links = report.value("links", json::object());
    if (!links.empty()) {
        html << "<div><h3>" << tr("Spatial links") << "</h3>\n<table><thead><tr><th>" << tr("link")
             << R"(</th><th class="n">)" << tr("count") << "</th></tr></thead><tbody>\n";
        for (const auto& [name, count] : links.items()) {
            html << "<tr><td>" << esc(name) << R"(</td><td class="n">)" << esc(json_text(count))
                 << "</td></tr>\n";
        }
        html << "</tbody></table></div>\n";
    }
    const json timings = report.value("timings", json::object());
    if (!timings.empty()) {
        html << "<div><h3>" << tr("Timings") << "</h3>\n<table><thead><tr><th>" << tr("stage")
             << R"(</th><th class="n">)" << tr("seconds") << "</th></tr></thead><tbody>\n";
        for (const auto& [name, seconds] : timings.items()) {
            html << "<tr><td>" << esc(name) << R"(</td><td class="n">)"
                 << esc(seconds.is_number() ? format_real(seconds.get<double>())
                                            : json_text(seconds))
                 << "</td></tr>\n";
        }
        html << "</tbody></table></div>\n";
    }
    html << "</div>\n";
    const json notes = report.value("notes", json::array());
    if (!notes.empty()) {
        html << "<h3>" << tr("Notes") << "</h3>\n<ul>\n";
        for (const json& note : notes) {
            html << "<li>" << esc(json_text(note)) << "</li>\n";
        }
        html << "</ul>\n";
    }
    html << "</section>\n";
}

// The page's style: one column no wider than a comfortable line, and nothing
// in it wider than the column (fixed table layout, long words broken), so the
// page never scrolls sideways.
const char* kStyle =
    R"(*{box-sizing:border-box}
body{font-family:system-ui,"DejaVu Sans",sans-serif;margin:1.5em auto;max-width:72em;padding:0 1.2em;color:#222;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-bottom:.3em}
nav a{margin-right:.8em}.lead{color:#444}
table{border-collapse:collapse;font-size:.86em;margin:.5em 0;width:100%;table-layout:fixed}
th,td{border:1px solid #ddd;padding:.25em .45em;vertical-align:top;overflow-wrap:anywhere}
th{background:#f3f3f3;text-align:left}th.n,td.n{text-align:right;font-variant-numeric:tabular-nums}
table.defs td:first-child,table.defs th:first-child{width:13em}
.note{background:#fff6e0;border-left:4px solid #e69f00;padding:.5em 1em}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(15em,1fr));gap:1em}
.card{border:1px solid #ddd;border-radius:6px;padding:.8em 1em;background:#fafafa}
.card .big{font-size:1.9em;font-weight:600}
ul.types{list-style:none;padding:0;margin:.5em 0 0}ul.types li{margin:.1em 0}
.sw{display:inline-block;width:.9em;height:.9em;border:1px solid #555;margin-right:.35em;vertical-align:-.1em}
.legend{font-size:.85em;margin:.4em 0}.legend .item{margin-right:1em;white-space:nowrap}
.legend .item,.legend b{display:inline-block}
figure{margin:1.2em 0}figure.map img{width:100%;max-width:900px;height:auto;border:1px solid #ccc}
figure.chart svg{width:100%;height:auto;max-width:60em;display:block}
svg.chart text{font-family:system-ui,"DejaVu Sans",sans-serif;font-size:12px;fill:#222}
svg.chart .label{text-anchor:end}svg.chart .tick{text-anchor:middle;fill:#555;font-size:11px}
svg.chart .axis{text-anchor:middle;fill:#333}svg.chart .legend{font-size:11.5px}
svg.chart .grid{stroke:#e3e3e3}svg.chart .baseline{stroke:#333;stroke-width:1.2}
svg.chart .vtick{text-anchor:end;fill:#555;font-size:11px}svg.chart .end{font-size:11.5px}
svg.chart .ptitle{fill:#333}
.source{color:#555;font-size:.85em;margin:.2em 0}
#atlas-map{height:560px;width:100%;border:1px solid #ccc;margin:.5em 0 1em}
#atlas-map.leaflet-container{background:#f7f7f2}
.leaflet-tooltip.city-name{background:none;border:none;box-shadow:none;padding:0;font-size:11px;color:#333;text-shadow:0 0 2px #fff,0 0 2px #fff}
.leaflet-tooltip.city-name:before{display:none}
.heritage-group{background:rgba(120,120,120,.55);border-radius:50%;text-align:center;font:600 11px/26px system-ui,sans-serif;color:#fff}.hide-city-names .leaflet-tooltip.city-name{display:none}
.atlas-legend{font-size:.85em;line-height:1.5;margin:-.5em 0 1em}.atlas-legend .item{margin-right:1em;white-space:nowrap;display:inline-block}
.atlas-legend i{display:inline-block;width:10px;height:10px;margin-right:5px;border:1px solid #333;vertical-align:-1px}
.atlas-legend i.dot{border-radius:50%}.atlas-legend i.outline{background:#f7f7f2;border-color:#555}.atlas-legend i.zone{opacity:.6}
.leaflet-popup-content table{font-size:12px;table-layout:auto;width:auto}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(18em,1fr));gap:1em}
dt{font-weight:bold}dd{margin-left:1.2em;overflow-wrap:anywhere}code{overflow-wrap:anywhere})";

} // namespace

void write_report(const nlohmann::json& report, const std::string& gpkg_path,
                  const std::string& html_path, const Presentation& look) {
    const Messages msgs(look.language);
    const auto tr = [&msgs](const char* english) { return esc(msgs.tr(english)); };
    detail::ensure_gdal_registered();
    GDALDatasetUniquePtr ds(
        GDALDataset::Open(gpkg_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) {
        throw Error(ErrorKind::Io,
                    "cannot open the GeoPackage for the report: " +
                        std::string(CPLGetLastErrorMsg()),
                    {gpkg_path, "", {}, ""});
    }
    std::optional<Rows> cities = read_rows(*ds, "cities");
    std::optional<Rows> clusters = read_rows(*ds, "clusters");
    // Only candidates are listed: read those rows alone (30,000 of 150,000
    // sites at national scale).
    std::optional<Rows> sites;
    if (OGRLayer* layer = ds->GetLayerByName("heritage_sites");
        layer != nullptr && layer->GetLayerDefn()->GetFieldIndex("candidate_rank") >= 0) {
        sites = read_rows(*ds, "heritage_sites", "candidate_rank IS NOT NULL");
    } else {
        sites = read_rows(*ds, "heritage_sites");
    }
    std::set<std::string> present;
    for (int i = 0; i < ds->GetLayerCount(); ++i) {
        present.insert(ds->GetLayer(i)->GetName());
    }

    // The lead names the project file, not the folders of the machine that ran it
    // (the provenance at the end has the full path).
    const std::string project =
        fs::path(json_text(report.value("project", json()))).filename().string();
    const std::string gpkg_name = fs::path(gpkg_path).filename().string();
    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html lang=\"" << esc(look.language)
         << "\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
         << tr("Creative clusters atlas") << " — " << esc(project) << "</title>\n<style>\n"
         << kStyle << "\n</style>\n</head>\n<body>\n<h1>" << tr("Creative clusters atlas")
         << "</h1>\n<p class=\"lead\">" << tr("Project") << ": <code>" << esc(project)
         << "</code>. " << tr("GeoPackage") << ": <code>" << esc(gpkg_name) << "</code> ("
         << tr("open it in QGIS: its layers are styled, and its project has them all, with a "
               "print layout of the atlas")
         << "); " << tr("the atlas to print") << ": <a href=\"atlas.pdf\">atlas.pdf</a>.</p>\n"
         << R"(<nav><a href="#findings">)" << tr("Headline figures") << R"(</a><a href="#charts">)"
         << tr("Charts") << R"(</a><a href="#timeline">)" << tr("Transformation over time")
         << R"(</a><a href="#maps">)" << tr("Maps") << R"(</a><a href="#candidates">)"
         << tr("Conversion candidates") << R"(</a><a href="#cities">)" << tr("Cities")
         << R"(</a><a href="#indicators">)" << tr("Indicators") << R"(</a><a href="#provenance">)"
         << tr("Provenance") << "</a></nav>\n";

    headline_html(html, *ds, clusters, cities, msgs);
    charts_html(html, cities, msgs);
    if (std::optional<Rows> years = read_rows(*ds, "city_years"); years && cities) {
        html << style_detail::report::timeline_section_html(*years, *cities, msgs);
    }
    {
        Maps maps = render_maps(gpkg_path, fs::path(html_path));
        maps_html(html, *ds, maps, present, msgs, look.basemap_url);
        std::error_code ec;
        fs::remove_all(maps.folder, ec); // the maps are in the page now
    }
    if (sites && cities) {
        Rows ordered = *cities;
        sort_descending(ordered, ordered.index("creative_index"));
        candidates_html(html, ordered, *sites, msgs);
    }
    cities_html(html, cities, msgs);
    indicators_html(html, msgs);
    provenance_html(html, report, msgs);
    html << "</body>\n</html>\n";
    ds.reset();

    std::ofstream out(html_path, std::ios::binary | std::ios::trunc);
    out << html.str();
    out.close();
    if (!out) {
        throw Error(ErrorKind::Io, "cannot write the report", {html_path, "", {}, ""});
    }
}

} // namespace creatlas
