// report.html: the run's summary, the cities ranked by creative_index, the
// conversion candidates of each city, the indicator definitions and one map
// per city rendered by QGIS headless (styles/render_maps.py).
#include "catalogue.hpp"
#include "creatlas/error.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/style.hpp"
#include "gdal_util.hpp"
#include "read_columns.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <gdal_priv.h>
#include <map>
#include <ogrsf_frmts.h>
#include <optional>
#include <set>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <variant>

extern char** environ;

namespace creatlas {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using style_detail::escape_xml;

// Long tables are cut so that the page stays readable and small at national
// scale (1,117 cities, 30,000 candidates: 6 MB of HTML uncut); the GeoPackage
// holds every row, and each cut says so.
constexpr std::size_t kMaxCityRows = 100;         // cities by creative_index
constexpr std::size_t kMaxCandidateCities = 50;   // cities with a candidates table
constexpr std::size_t kMaxCandidatesPerCity = 20; // rows of one city's table

std::string esc(const std::string& text) {
    return escape_xml(text);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string json_text(const json& value) {
    if (value.is_string()) {
        return value.get<std::string>();
    }
    if (value.is_null()) {
        return "";
    }
    return value.dump();
}

// Numbers as a planner reads them: integers whole, reals with at most three
// decimals and no trailing zeros.
std::string format_real(double value) {
    char buffer[64];
    const int decimals = std::fabs(value) >= 1000 ? 0 : 3;
    auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    std::string text(buffer, result.ptr);
    if (text.find('.') != std::string::npos) {
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.') {
            text.pop_back();
        }
    }
    return text == "-0" ? "0" : text;
}

// --- reading the GeoPackage -----------------------------------------------------

using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;

struct Rows {
    std::vector<std::string> fields;
    std::vector<bool> numeric;
    std::vector<std::vector<Cell>> rows;
    int index(const std::string& name) const {
        auto it = std::find(fields.begin(), fields.end(), name);
        return it == fields.end() ? -1 : static_cast<int>(it - fields.begin());
    }
};

std::string cell_text(const Cell& cell) {
    if (const auto* i = std::get_if<std::int64_t>(&cell)) {
        return std::to_string(*i);
    }
    if (const auto* d = std::get_if<double>(&cell)) {
        return format_real(*d);
    }
    if (const auto* s = std::get_if<std::string>(&cell)) {
        return *s;
    }
    return "";
}

std::optional<double> cell_number(const Cell& cell) {
    if (const auto* i = std::get_if<std::int64_t>(&cell)) {
        return static_cast<double>(*i);
    }
    if (const auto* d = std::get_if<double>(&cell)) {
        return *d;
    }
    return std::nullopt;
}

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
        out.fields.push_back(defn->GetFieldDefn(i)->GetNameRef());
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
    return out;
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

std::string count_text(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// The first `max_rows` rows of `rows` as a table.
void table_html(std::ostringstream& html, const Rows& rows, const std::vector<int>& columns,
                std::size_t max_rows) {
    html << "<div class=\"scroll\"><table>\n<thead><tr>";
    for (int c : columns) {
        html << "<th>" << esc(rows.fields[c]) << "</th>";
    }
    html << "</tr></thead>\n<tbody>\n";
    for (std::size_t r = 0; r < rows.rows.size() && r < max_rows; ++r) {
        const auto& row = rows.rows[r];
        html << "<tr>";
        for (int c : columns) {
            html << (rows.numeric[c] ? "<td class=\"n\">" : "<td>") << esc(cell_text(row[c]))
                 << "</td>";
        }
        html << "</tr>\n";
    }
    html << "</tbody></table></div>\n";
}

// "Showing the first N of M <what>; K more are in the GeoPackage's <where>."
// when `shown` < `total`. `where` is HTML (not escaped).
void cut_note(std::ostringstream& html, std::size_t shown, std::size_t total,
              const std::string& what, const std::string& where) {
    if (shown >= total) {
        return;
    }
    html << "<p class=\"note\">Showing the first " << shown << " of " << total << " " << esc(what)
         << "; " << (total - shown) << " more are in the GeoPackage's " << where << ".</p>\n";
}

// --- the maps ------------------------------------------------------------------------

struct Maps {
    json listing;        ///< render_maps.py's output, when it ran
    std::string missing; ///< why there are no maps ("" when there are)
    std::string folder;  ///< the maps' folder, relative to the HTML file
};

std::string tail(const std::string& text, std::size_t max_chars) {
    return text.size() <= max_chars ? text : "…" + text.substr(text.size() - max_chars);
}

Maps render_maps(const std::string& gpkg_path, const fs::path& html_path) {
    Maps maps;
    const fs::path folder = html_path.parent_path() / (html_path.stem().string() + "_maps");
    maps.folder = folder.filename().string();
    const char* python_env = std::getenv("CREATLAS_PYTHON");
    const std::string python = python_env && *python_env ? python_env : "/usr/bin/python3";
    const std::string script = styles_dir() + "/render_maps.py";

    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) {
        maps.missing =
            "the maps' folder " + folder.string() + " cannot be created: " + ec.message();
        return maps;
    }
    const fs::path out_file = folder / ".render.json";
    const fs::path log_file = folder / ".render.log";

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    // The child gets this process's environment plus a headless Qt platform.
    std::vector<std::string> env_text;
    for (char** e = environ; e && *e; ++e) {
        if (std::strncmp(*e, "QT_QPA_PLATFORM=", 16) != 0) {
            env_text.emplace_back(*e);
        }
    }
    env_text.emplace_back("QT_QPA_PLATFORM=offscreen");
    std::vector<char*> env;
    for (auto& e : env_text) {
        env.push_back(e.data());
    }
    env.push_back(nullptr);
    std::vector<std::string> arg_text{python, script, gpkg_path, folder.string()};
    std::vector<char*> args;
    for (auto& a : arg_text) {
        args.push_back(a.data());
    }
    args.push_back(nullptr);

    pid_t pid = 0;
    const int spawn_error =
        posix_spawn(&pid, python.c_str(), &actions, nullptr, args.data(), env.data());
    posix_spawn_file_actions_destroy(&actions);
    // A folder left without maps is removed (fs::remove takes only an empty one).
    auto give_up = [&](std::string why) {
        fs::remove(out_file, ec);
        fs::remove(log_file, ec);
        fs::remove(folder, ec);
        maps.missing = std::move(why);
        return maps;
    };
    if (spawn_error != 0) {
        return give_up("QGIS could not be run: " + python + " cannot be started (" +
                       std::strerror(spawn_error) + ")");
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    const std::string output = read_file(out_file);
    const std::string log = read_file(log_file);
    fs::remove(out_file, ec);
    fs::remove(log_file, ec);
    json parsed;
    try {
        parsed = json::parse(output);
    } catch (const json::exception&) {
        parsed = json();
    }
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (code != 0 || !parsed.is_object() || parsed.contains("error")) {
        std::string why = parsed.is_object() && parsed.contains("error")
                              ? json_text(parsed["error"])
                              : "map rendering failed (" + python + " " + script + ", exit " +
                                    std::to_string(code) + ")";
        if (code != 3 && !log.empty()) {
            why += ": " + tail(log, 600);
        }
        return give_up(why);
    }
    maps.listing = std::move(parsed);
    return maps;
}

// --- the page ----------------------------------------------------------------------

const char* kStyle =
    R"(body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;line-height:1.4}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-bottom:.3em}
table{border-collapse:collapse;font-size:.88em;margin:.5em 0}
th,td{border:1px solid #ddd;padding:.25em .5em;vertical-align:top}th{background:#f3f3f3;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto}
.note{background:#fff6e0;border-left:4px solid #e69f00;padding:.5em 1em}
.legend span.sw{display:inline-block;width:1em;height:1em;border:1px solid #555;margin:0 .3em 0 1em;vertical-align:middle}
figure{margin:1em 0}figure img{max-width:100%;border:1px solid #ccc}dt{font-weight:bold})";

std::string list_text(const json& items, std::size_t max_items) {
    std::string out;
    std::size_t shown = 0;
    for (const json& item : items) {
        if (shown == max_items) {
            out += " … and " + std::to_string(items.size() - max_items) + " more";
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
        out += (shown ? ", " : "") + text;
        ++shown;
    }
    return out;
}

void summary_html(std::ostringstream& html, const json& report) {
    html << "<h2 id=\"summary\">Summary</h2>\n<dl>\n";
    for (const char* key : {"project", "output", "version", "started", "seconds"}) {
        if (report.contains(key)) {
            html << "<dt>" << key << "</dt><dd>" << esc(json_text(report[key])) << "</dd>\n";
        }
    }
    html << "</dl>\n";

    html
        << "<h3>Inputs</h3>\n<div class=\"scroll\"><table>\n<thead><tr><th>role</th><th>source</th>"
           "<th>CRS</th><th>read</th><th>loaded</th><th>repaired (feature ids)</th>"
           "<th>skipped</th><th>unreadable</th></tr></thead>\n<tbody>\n";
    for (const json& s : report.value("sources", json::array())) {
        const std::string layer = json_text(s.value("layer", json()));
        html << "<tr><td>" << esc(json_text(s.value("role", json()))) << "</td><td>"
             << esc(json_text(s.value("path", json())) + (layer.empty() ? "" : " (" + layer + ")"))
             << "</td><td>" << esc(json_text(s.value("crs", json())))
             << (s.value("crs_declared", false) ? " (declared)" : "") << "</td><td class=\"n\">"
             << esc(json_text(s.value("read", json()))) << "</td><td class=\"n\">"
             << esc(json_text(s.value("loaded", json()))) << "</td>";
        for (const char* key : {"repaired", "skipped", "unreadable"}) {
            const json items = s.value(key, json::array());
            html << "<td>"
                 << (items.empty()
                         ? "—"
                         : std::to_string(items.size()) + ": " + esc(list_text(items, 30)))
                 << "</td>";
        }
        html << "</tr>\n";
    }
    html << "</tbody></table></div>\n";

    html << "<h3>Layers written</h3>\n<table><thead><tr><th>layer</th><th>features</th></tr>"
            "</thead><tbody>\n";
    const json layers = report.value("layers", json::object());
    for (const auto& [name, count] : layers.items()) {
        html << "<tr><td>" << esc(name) << "</td><td class=\"n\">" << esc(json_text(count))
             << "</td></tr>\n";
    }
    html << "</tbody></table>\n";

    const json key_links = report.value("key_links", json::array());
    if (!key_links.empty()) {
        html << "<h3>Key joins and unmatched keys</h3>\n<div class=\"scroll\"><table>\n<thead><tr>"
                "<th>join</th><th>matched</th><th>unmatched on the left</th>"
                "<th>unmatched on the right</th></tr></thead>\n<tbody>\n";
        for (const json& k : key_links) {
            const json left = k.value("unmatched_left", json::array());
            const json right = k.value("unmatched_right", json::array());
            html << "<tr><td>" << esc(json_text(k.value("left", json()))) << " ↔ "
                 << esc(json_text(k.value("right", json()))) << "</td><td class=\"n\">"
                 << esc(json_text(k.value("matched", json()))) << "</td><td>"
                 << (left.empty() ? "—"
                                  : std::to_string(left.size()) + ": " + esc(list_text(left, 50)))
                 << "</td><td>"
                 << (right.empty()
                         ? "—"
                         : std::to_string(right.size()) + ": " + esc(list_text(right, 50)))
                 << "</td></tr>\n";
        }
        html << "</tbody></table></div>\n";
    }

    const json links = report.value("links", json::object());
    if (!links.empty()) {
        html << "<h3>Spatial links</h3>\n<table><thead><tr><th>link</th><th>count</th></tr>"
                "</thead><tbody>\n";
        for (const auto& [name, count] : links.items()) {
            html << "<tr><td>" << esc(name) << "</td><td class=\"n\">" << esc(json_text(count))
                 << "</td></tr>\n";
        }
        html << "</tbody></table>\n";
    }
    const json notes = report.value("notes", json::array());
    if (!notes.empty()) {
        html << "<h3>Notes</h3>\n<ul>\n";
        for (const json& note : notes) {
            html << "<li>" << esc(json_text(note)) << "</li>\n";
        }
        html << "</ul>\n";
    }
}

std::string city_name(const Rows& cities, const std::vector<Cell>& row) {
    for (const char* field : {"name", "city", "city_name", "name_en"}) {
        const int i = cities.index(field);
        if (i >= 0 && !cell_text(row[i]).empty()) {
            return cell_text(row[i]);
        }
    }
    return "";
}

void candidates_html(std::ostringstream& html, const Rows& cities, const Rows& sites) {
    html << "<h2 id=\"candidates\">Conversion candidates by city</h2>\n"
            "<p>Industrial heritage sites not yet re-used by a creative cluster, ranked within "
            "their city by <code>candidate_score</code> (rank 1 is the best candidate).</p>\n";
    const int rank = sites.index("candidate_rank");
    const int site_city = sites.index("city_id");
    if (rank < 0) {
        html << "<p>The heritage_sites layer has no <code>candidate_rank</code> field.</p>\n";
        return;
    }
    std::vector<int> columns;
    for (const char* f : {"candidate_rank", "heritage_id", "name", "candidate_score",
                          "nearest_cluster_m", "programme_count"}) {
        if (sites.index(f) >= 0) {
            columns.push_back(sites.index(f));
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
        html << "<p>No candidates in this run.</p>\n";
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
        html << "<h3>" << esc(title) << " — " << rows.rows.size() << " candidate"
             << (rows.rows.size() == 1 ? "" : "s") << "</h3>\n";
        table_html(html, rows, columns, kMaxCandidatesPerCity);
        cut_note(html, kMaxCandidatesPerCity, rows.rows.size(), "candidates (by rank)",
                 "heritage_sites layer (<code>candidate_rank</code>)");
        by_city.erase(it);
    };
    const int city_id = cities.index("city_id");
    for (const auto& row : cities.rows) {
        const std::string key = city_id >= 0 ? cell_text(row[city_id]) : "";
        const std::string name = city_name(cities, row);
        show(key, name.empty() ? key : name + " (" + key + ")");
    }
    while (!by_city.empty()) {
        const std::string key = by_city.begin()->first;
        show(key, key.empty() ? "Outside any city" : key);
    }
    if (omitted_cities > 0) {
        html << "<p class=\"note\">The tables above are for the " << kMaxCandidateCities
             << " cities with candidates that rank highest by creative_index; "
             << count_text(omitted_cities, "more city", "more cities") << " "
             << (omitted_cities == 1 ? "has " : "have ")
             << count_text(omitted_sites, "candidate", "candidates")
             << ", all in the GeoPackage's heritage_sites layer "
                "(<code>candidate_rank</code>).</p>\n";
    }
}

void indicators_html(std::ostringstream& html) {
    html << "<h2 id=\"indicators\">Indicator definitions</h2>\n";
    const json catalogue = indicator_catalogue_json();
    html << "<div class=\"scroll\"><table>\n<thead><tr><th>id</th><th>layer</th><th>unit</th>"
            "<th>formula</th><th>meaning</th></tr></thead>\n<tbody>\n";
    for (const json& i : catalogue) {
        html << "<tr><td><code>" << esc(json_text(i.value("id", json()))) << "</code></td><td>"
             << esc(json_text(i.value("level", json()))) << "</td><td>"
             << esc(json_text(i.value("unit", json()))) << "</td><td>"
             << esc(json_text(i.value("formula", json()))) << "</td><td>"
             << esc(json_text(i.value("meaning", json()))) << "</td></tr>\n";
    }
    html << "</tbody></table></div>\n";
}

// The legend of the maps, from the same catalogue the styles are filled from:
// the layers of the GeoPackage (`present`) that the catalogue styles.
void legend_html(std::ostringstream& html, const std::set<std::string>& present) {
    json catalogue;
    try {
        catalogue = style_detail::read_style_catalogue();
    } catch (const Error&) {
        return; // the styles themselves would have failed already; keep the report
    }
    html << "<div class=\"legend\">\n";
    for (const json& layer : catalogue.value("layers", json::array())) {
        if (present.count(layer.value("name", std::string())) == 0) {
            continue;
        }
        if (!layer.value("classes", json()).is_array()) {
            html << "<p><b>" << esc(layer.value("title", std::string())) << "</b>:";
            for (const json& colour : layer.value("ramp", json::array())) {
                html << "<span class=\"sw\" style=\"background:" << esc(json_text(colour))
                     << "\"></span>";
            }
            html << " low → high (equal-count classes of this run)</p>\n";
            continue;
        }
        html << "<p><b>" << esc(layer.value("title", std::string())) << "</b>:";
        for (const json& cls : layer["classes"]) {
            html << "<span class=\"sw\" style=\"background:" << esc(json_text(cls["color"]))
                 << "\"></span>" << esc(json_text(cls.value("label", json())));
        }
        html << "</p>\n";
    }
    html << "</div>\n";
}

void maps_html(std::ostringstream& html, const Maps& maps, const std::set<std::string>& present) {
    html << "<h2 id=\"maps\">Maps</h2>\n";
    if (!maps.missing.empty()) {
        html << "<p class=\"note\">This report has no maps: " << esc(maps.missing)
             << ". The maps are drawn by QGIS (Debian packages <code>qgis</code> and "
                "<code>python3-qgis</code>); install them and run again to get them.</p>\n";
        return;
    }
    html << "<p>Drawn by QGIS from the GeoPackage's own default styles, in Web Mercator.</p>\n";
    legend_html(html, present);
    if (maps.listing.contains("overview") && maps.listing["overview"].is_string()) {
        html << "<figure><img src=\""
             << esc(maps.folder + "/" + json_text(maps.listing["overview"]))
             << "\" alt=\"Overview map\"><figcaption>All data</figcaption></figure>\n";
    }
    for (const json& map : maps.listing.value("maps", json::array())) {
        const std::string name = json_text(map.value("name", json()));
        const std::string id = json_text(map.value("city_id", json()));
        html << "<figure><h3>" << esc(name.empty() ? id : name + " (" + id + ")")
             << "</h3><img src=\"" << esc(maps.folder + "/" + json_text(map["file"]))
             << "\" alt=\"Map of " << esc(name.empty() ? id : name) << "\"></figure>\n";
    }
    const int omitted = maps.listing.value("omitted", 0);
    if (omitted > 0) {
        html << "<p class=\"note\">" << omitted
             << " more cities have data but no map here (only the cities with the highest "
                "creative_index are drawn); open the GeoPackage's project in QGIS to see "
                "them.</p>\n";
    }
}

} // namespace

void write_report(const nlohmann::json& report, const std::string& gpkg_path,
                  const std::string& html_path) {
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
    ds.reset();

    const std::string project = json_text(report.value("project", json()));
    std::ostringstream html;
    html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>"
         << esc("creatlas report — " + project) << "</title>\n<style>\n"
         << kStyle << "\n</style>\n</head>\n<body>\n<h1>" << esc("creatlas report — " + project)
         << "</h1>\n<p>GeoPackage: <code>" << esc(fs::path(gpkg_path).filename().string())
         << "</code> (open it in QGIS: its layers are styled, and its project "
            "<em>"
         << esc(project) << "</em> has them all). Contents: <a href=\"#summary\">summary</a> · "
         << "<a href=\"#cities\">cities</a> · <a href=\"#candidates\">conversion candidates</a> · "
         << "<a href=\"#indicators\">indicators</a> · <a href=\"#maps\">maps</a></p>\n";

    summary_html(html, report);

    html << "<h2 id=\"cities\">Cities by creative index</h2>\n";
    if (cities && !cities->rows.empty()) {
        sort_descending(*cities, cities->index("creative_index"));
        std::vector<int> columns(cities->fields.size());
        for (std::size_t i = 0; i < columns.size(); ++i) {
            columns[i] = static_cast<int>(i);
        }
        table_html(html, *cities, columns, kMaxCityRows);
        cut_note(html, kMaxCityRows, cities->rows.size(), "cities (by creative_index)",
                 "cities layer");
    } else {
        html << "<p>The GeoPackage has no cities.</p>\n";
    }

    if (sites && cities) {
        candidates_html(html, *cities, *sites);
    }
    indicators_html(html);
    maps_html(html, render_maps(gpkg_path, fs::path(html_path)), present);
    html << "</body>\n</html>\n";

    std::ofstream out(html_path, std::ios::binary | std::ios::trunc);
    out << html.str();
    out.close();
    if (!out) {
        throw Error(ErrorKind::Io, "cannot write the report", {html_path, "", {}, ""});
    }
}

} // namespace creatlas
