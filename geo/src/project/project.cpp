#include "creatlas/project.hpp"

#include "creatlas/error.hpp"
#include "creatlas/postgis.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <toml++/toml.h>

namespace fs = std::filesystem;

namespace creatlas {

const char* to_string(GeometryPolicy policy) {
    switch (policy) {
    case GeometryPolicy::Repair:
        return "repair";
    case GeometryPolicy::Skip:
        return "skip";
    case GeometryPolicy::Fail:
        return "fail";
    }
    return "?";
}

std::string SourceSpec::field(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? std::string() : it->second;
}

std::vector<const SourceSpec*> Project::sources() const {
    std::vector<const SourceSpec*> out;
    for (const SourceSpec* s : {&cities, &city_areas, &clusters, &cluster_attributes, &grants,
                                &heritage, &heritage_overrides, &programmes, &enterprises}) {
        if (s->present()) {
            out.push_back(s);
        }
    }
    return out;
}

namespace {

/// Reads typed values from one TOML table, with errors that name the file, section and key.
class SectionReader {
public:
    SectionReader(const toml::table* table, std::string section, std::string origin)
        : table_(table), section_(std::move(section)), origin_(std::move(origin)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& message) const {
        throw_bad_input("[" + section_ + "] " + key + ": " + message, {origin_, "", {}, ""});
    }

    std::optional<std::string> string(const std::string& key) const {
        const toml::node* n = node(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        if (const auto* s = n->as_string()) {
            return s->get();
        }
        fail(key, "expected a string");
    }
    std::optional<double> number(const std::string& key) const {
        const toml::node* n = node(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        if (auto v = n->value<double>()) {
            return *v;
        }
        fail(key, "expected a number");
    }
    std::optional<std::int64_t> integer(const std::string& key) const {
        const toml::node* n = node(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        if (const auto* i = n->as_integer()) {
            return i->get();
        }
        fail(key, "expected an integer");
    }
    std::optional<std::vector<std::string>> strings(const std::string& key) const {
        const toml::node* n = node(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        const auto* arr = n->as_array();
        if (arr == nullptr) {
            fail(key, "expected a list of strings");
        }
        std::vector<std::string> out;
        for (const auto& e : *arr) {
            if (const auto* s = e.as_string()) {
                out.push_back(s->get());
            } else {
                fail(key, "expected a list of strings");
            }
        }
        return out;
    }
    std::optional<std::vector<double>> numbers(const std::string& key) const {
        const toml::node* n = node(key);
        if (n == nullptr) {
            return std::nullopt;
        }
        const auto* arr = n->as_array();
        if (arr == nullptr) {
            fail(key, "expected a list of numbers");
        }
        std::vector<double> out;
        for (const auto& e : *arr) {
            if (auto v = e.value<double>()) {
                out.push_back(*v);
            } else {
                fail(key, "expected a list of numbers");
            }
        }
        return out;
    }

private:
    const toml::node* node(const std::string& key) const {
        return table_ == nullptr ? nullptr : table_->get(key);
    }
    const toml::table* table_;
    std::string section_;
    std::string origin_;
};

GeometryPolicy parse_policy(const SectionReader& r, const std::string& key,
                            const std::string& text) {
    if (text == "repair") {
        return GeometryPolicy::Repair;
    }
    if (text == "skip") {
        return GeometryPolicy::Skip;
    }
    if (text == "fail") {
        return GeometryPolicy::Fail;
    }
    r.fail(key, "'" + text + "' is not a geometry policy (repair, skip or fail)");
}

std::string resolve(const std::string& base_dir, const std::string& path) {
    if (!is_local_path(path) || fs::path(path).is_absolute()) {
        return path;
    }
    return (fs::path(base_dir) / path).lexically_normal().string();
}

void check_declared(const toml::table& root, const std::string& origin) {
    std::set<std::string> sections;
    for (const auto& s : project_sections()) {
        sections.insert(s.name);
    }
    for (const auto& [name, node] : root) {
        const std::string section(name.str());
        if (!sections.contains(section)) {
            std::string known;
            for (const auto& s : project_sections()) {
                known += (known.empty() ? "" : ", ") + s.name;
            }
            throw_bad_input("unknown section [" + section + "]; known sections: " + known,
                            {origin, "", {}, ""});
        }
        const auto* table = node.as_table();
        if (table == nullptr) {
            throw_bad_input("'" + section + "' must be a section ([" + section + "])",
                            {origin, "", {}, ""});
        }
        for (const auto& [key, value] : *table) {
            bool found = false;
            for (const auto& decl : project_schema()) {
                if (decl.section == section && decl.key == key.str()) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                std::string known;
                for (const auto& decl : project_schema()) {
                    if (decl.section == section) {
                        known += (known.empty() ? "" : ", ") + decl.key;
                    }
                }
                throw_bad_input("unknown key '" + std::string(key.str()) + "' in [" + section +
                                    "]; known keys: " + known,
                                {origin, "", {}, ""});
            }
        }
    }
    for (const auto& s : project_sections()) {
        if (s.required && root.get(s.name) == nullptr) {
            throw_bad_input("the project has no [" + s.name + "] section, which is required",
                            {origin, "", {}, ""});
        }
    }
}

SourceSpec read_source(const toml::table& root, const std::string& role,
                       const std::string& base_dir, const std::string& origin) {
    SourceSpec spec;
    spec.role = role;
    const toml::table* t = root[role].as_table();
    if (t == nullptr) {
        return spec;
    }
    SectionReader r(t, role, origin);
    auto path = r.string("path");
    if (!path || path->empty()) {
        r.fail("path", "is required");
    }
    if (has_password(*path)) {
        r.fail("path", "holds a password: a project file must not (keep it in ~/.pgpass, a "
                       "pg_service file or PGPASSWORD)");
    }
    spec.path = resolve(base_dir, *path);
    spec.layer = r.string("layer").value_or("");
    spec.open_options = r.strings("open_options").value_or(std::vector<std::string>{});
    spec.crs = r.string("crs").value_or("");
    spec.x_field = r.string("x_field").value_or("");
    spec.y_field = r.string("y_field").value_or("");
    spec.wkt_field = r.string("wkt_field").value_or("");
    spec.id_field = r.string("id_field").value_or("");
    spec.encoding = r.string("encoding").value_or("");
    if (auto p = r.string("geometry_policy")) {
        spec.geometry_policy = parse_policy(r, "geometry_policy", *p);
    }
    if (spec.x_field.empty() != spec.y_field.empty()) {
        r.fail(spec.x_field.empty() ? "y_field" : "x_field",
               "x_field and y_field go together: set both or neither");
    }
    if (!spec.x_field.empty() && !spec.wkt_field.empty()) {
        r.fail("wkt_field", "set either x_field/y_field or wkt_field, not both");
    }
    // Role-specific field keys: every declared key ending in _field that is not common.
    static const std::set<std::string> common{
        "path",      "layer",    "open_options",    "crs",     "x_field", "y_field",
        "wkt_field", "id_field", "geometry_policy", "encoding"};
    for (const auto& decl : project_schema()) {
        if (decl.section != role || common.contains(decl.key) || decl.type != KeyType::String ||
            decl.key == "reference") {
            continue;
        }
        if (auto v = r.string(decl.key)) {
            spec.fields[decl.key] = *v;
            spec.explicit_keys.insert(decl.key);
        } else if (decl.default_text.size() > 2 && decl.default_text.front() == '"') {
            spec.fields[decl.key] = decl.default_text.substr(1, decl.default_text.size() - 2);
        }
    }
    return spec;
}

/// [enterprises] beyond the source keys: the sector mapping, the national reference
/// table and the radius of a cluster's creative neighbourhood.
void read_enterprise_keys(const toml::table& root, const std::string& base_dir,
                          const std::string& origin, Project& p) {
    SectionReader e(root["enterprises"].as_table(), "enterprises", origin);
    if (auto entries = e.strings("sectors")) {
        try {
            p.sector_map = SectorMap::parse(*entries);
        } catch (const std::invalid_argument& ex) {
            e.fail("sectors", ex.what());
        }
    }
    if (auto ref = e.string("reference")) {
        if (ref->empty()) {
            e.fail("reference", "must name a table (columns sector, count)");
        }
        p.enterprise_reference = resolve(base_dir, *ref);
    }
    p.enterprise_radius_m = e.number("cluster_radius_m").value_or(p.enterprise_radius_m);
    if (!(p.enterprise_radius_m > 0)) {
        e.fail("cluster_radius_m", "must be positive");
    }
}

} // namespace

bool is_local_path(const std::string& path) {
    static const std::regex prefix("^[A-Za-z][A-Za-z0-9_]+:");
    return !path.empty() && path.rfind("/vsi", 0) != 0 && !std::regex_search(path, prefix);
}

Project parse_project(const std::string& text, const std::string& base_dir,
                      const std::string& origin) {
    toml::table root;
    try {
        root = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        std::ostringstream msg;
        msg << "not a valid TOML file: " << e.description() << " (line " << e.source().begin.line
            << ", column " << e.source().begin.column << ")";
        throw_bad_input(msg.str(), {origin, "", {}, ""});
    }
    check_declared(root, origin);

    Project p;
    p.file = origin;
    p.base_dir = base_dir;

    SectionReader proj(root["project"].as_table(), "project", origin);
    p.name = proj.string("name").value_or("");
    p.reference_year = static_cast<int>(proj.integer("reference_year").value_or([] {
        const auto now = std::chrono::system_clock::now();
        const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(now)};
        return static_cast<std::int64_t>(static_cast<int>(ymd.year()));
    }()));
    const std::string stem = origin.empty() ? "atlas" : fs::path(origin).stem().string();
    p.output = resolve(base_dir, proj.string("output").value_or(stem + ".gpkg"));
    p.output_crs = proj.string("crs").value_or("EPSG:4326");
    p.output_schema = proj.string("output_schema").value_or("atlas");
    if (p.output_schema.empty()) {
        proj.fail("output_schema", "must not be empty");
    }
    if (has_password(p.output)) {
        proj.fail("output", "holds a password: a project file must not (keep it in ~/.pgpass, "
                            "a pg_service file or PGPASSWORD)");
    }
    if (auto pol = proj.string("geometry_policy")) {
        p.geometry_policy = parse_policy(proj, "geometry_policy", *pol);
    }
    p.earliest_year = static_cast<int>(proj.integer("earliest_year").value_or(p.earliest_year));
    if (p.earliest_year > p.reference_year) {
        proj.fail("earliest_year",
                  "must not be after reference_year (" + std::to_string(p.reference_year) + ")");
    }
    p.language = proj.string("language").value_or("en");
    if (p.language != "en" && p.language != "ru") {
        proj.fail("language", "'" + p.language + "' is not a language of creatlas (en or ru)");
    }
    p.basemap_url = proj.string("basemap_url").value_or("");
    if (!p.basemap_url.empty() &&
        (p.basemap_url.rfind("http", 0) != 0 || p.basemap_url.find("{z}") == std::string::npos ||
         p.basemap_url.find("{x}") == std::string::npos ||
         p.basemap_url.find("{y}") == std::string::npos)) {
        proj.fail("basemap_url", "expected an http(s) XYZ tile URL with {z}, {x} and {y}");
    }

    SectionReader link(root["link"].as_table(), "link", origin);
    p.city_max_distance_m = link.number("city_max_distance_m").value_or(p.city_max_distance_m);
    p.heritage_snap_m = link.number("heritage_snap_m").value_or(p.heritage_snap_m);
    if (p.city_max_distance_m < 0) {
        link.fail("city_max_distance_m", "must not be negative");
    }
    if (p.heritage_snap_m < 0) {
        link.fail("heritage_snap_m", "must not be negative");
    }

    p.cities = read_source(root, "cities", base_dir, origin);
    p.city_areas = read_source(root, "city_areas", base_dir, origin);
    p.clusters = read_source(root, "clusters", base_dir, origin);
    p.heritage = read_source(root, "heritage", base_dir, origin);
    p.programmes = read_source(root, "programmes", base_dir, origin);
    p.cluster_attributes = read_source(root, "cluster_attributes", base_dir, origin);
    p.grants = read_source(root, "grants", base_dir, origin);
    p.enterprises = read_source(root, "enterprises", base_dir, origin);
    p.heritage_overrides = read_source(root, "heritage_overrides", base_dir, origin);
    for (const SourceSpec* s : {&p.cluster_attributes, &p.grants, &p.heritage_overrides}) {
        if (s->present() && s->field("key_field").empty()) {
            throw_bad_input("[" + s->role + "] key_field is required", {origin, "", {}, ""});
        }
    }

    SectionReader f(root["formation"].as_table(), "formation", origin);
    p.formation.initiator_field = f.string("initiator_field").value_or("initiator");
    p.formation.public_share_field = f.string("public_share_field").value_or("public_share");
    p.opened_field = f.string("opened_field").value_or("opened");
    p.closed_field = f.string("closed_field").value_or("closed");
    p.formation.private_values = f.strings("private_values").value_or(p.formation.private_values);
    p.formation.joint_values = f.strings("joint_values").value_or(p.formation.joint_values);
    p.formation.public_values = f.strings("public_values").value_or(p.formation.public_values);
    p.formation.support_share = f.number("support_share").value_or(0.5);
    p.formation.dependent_share = f.number("dependent_share").value_or(1.0);
    if (p.formation.support_share < 0 || p.formation.support_share > 1) {
        f.fail("support_share", "must lie in [0, 1]");
    }
    if (p.formation.dependent_share < 0 || p.formation.dependent_share > 1) {
        f.fail("dependent_share", "must lie in [0, 1]");
    }

    SectionReader ind(root["industrial"].as_table(), "industrial", origin);
    p.industrial_category_field = p.heritage.field("category_field");
    p.industrial_category_values =
        ind.strings("category_values").value_or(std::vector<std::string>{});
    IndustrialVocabulary& words = p.industrial_vocabulary;
    words.industrial_heads = ind.strings("industrial_heads").value_or(words.industrial_heads);
    words.generic_heads = ind.strings("generic_heads").value_or(words.generic_heads);
    words.non_industrial_heads =
        ind.strings("non_industrial_heads").value_or(words.non_industrial_heads);
    words.industrial_modifiers =
        ind.strings("industrial_modifiers").value_or(words.industrial_modifiers);
    words.non_industrial_modifiers =
        ind.strings("non_industrial_modifiers").value_or(words.non_industrial_modifiers);

    SectionReader tier(root["tier"].as_table(), "tier", origin);
    p.capital_field = p.cities.field("capital_field");
    p.capital_values = tier.strings("capital_values").value_or(std::vector<std::string>{});
    p.second_tier_min_population = tier.number("second_min_population").value_or(50000);
    p.second_tier_max_population = tier.number("second_max_population").value_or(1000000);

    SectionReader cand(root["candidate"].as_table(), "candidate", origin);
    p.candidate_weight_centrality = cand.number("weight_centrality").value_or(1);
    p.candidate_weight_programmes = cand.number("weight_programmes").value_or(1);
    p.candidate_weight_clusters = cand.number("weight_clusters").value_or(1);
    p.candidate_weight_footprint = cand.number("weight_footprint").value_or(1);
    for (const char* key :
         {"weight_centrality", "weight_programmes", "weight_clusters", "weight_footprint"}) {
        if (cand.number(key).value_or(1) < 0) {
            cand.fail(key, "weights must not be negative");
        }
    }

    SectionReader ci(root["creative_index"].as_table(), "creative_index", origin);
    p.creative_components =
        ci.strings("components")
            .value_or(std::vector<std::string>{"clusters_per_100k", "ih_transformation_rate",
                                               "programme_coverage", "type_diversity"});
    p.creative_weights =
        ci.numbers("weights").value_or(std::vector<double>(p.creative_components.size(), 1.0));
    if (p.creative_weights.size() != p.creative_components.size()) {
        ci.fail("weights", "needs one weight per component (" +
                               std::to_string(p.creative_components.size()) + ")");
    }

    read_enterprise_keys(root, base_dir, origin, p);

    SectionReader st(root["statistics"].as_table(), "statistics", origin);
    p.hex_cell_m = st.number("hex_cell_m").value_or(1000.0);
    if (p.hex_cell_m <= 0) {
        st.fail("hex_cell_m", "must be positive");
    }
    return p;
}

Project load_project(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::BadInput, "cannot open the project file", {path, "", {}, ""});
    }
    std::ostringstream text;
    text << in.rdbuf();
    const fs::path abs = fs::absolute(path);
    return parse_project(text.str(), abs.parent_path().string(), path);
}

} // namespace creatlas
