// The declaration of every section and key of the project file: the one source
// for the parser, docs/project-file.md and the QGIS plugin's parameters.
#include "creatlas/draft.hpp"
#include "creatlas/project.hpp"

#include <sstream>

namespace creatlas {

namespace {

std::vector<SectionDecl> make_sections() {
    return {
        {"project", "The run as a whole: name, output, CRS, reference year, geometry policy.",
         false, false},
        {"link", "Spatial linking distances, in metres.", false, false},
        {"cities", "City polygons (or points), one row per city.", false, true},
        {"city_areas",
         "Optional city polygons for cities given as points: each city takes the polygon that "
         "contains it (the most populous city when several share one).",
         false, true},
        {"clusters",
         "Creative clusters: points or polygons, one row per cluster. Without it the atlas "
         "holds heritage, programmes, their overlaps and cities, and cluster indicators are "
         "null.",
         false, true},
        {"heritage", "Heritage objects: points or footprints, one row per object.", false, true},
        {"heritage_overrides",
         "A planner's corrections of industrial status: a table keyed by heritage id whose "
         "is_industrial (0 or 1) wins over every rule; industrial_reason then says "
         "\"override: <note>\".",
         false, true},
        {"programmes", "Support programme zones: polygons with an instrument.", false, true},
        {"cluster_attributes",
         "A table of cluster attributes joined to clusters by key (initiator, public_share, "
         "opened, …).",
         false, true},
        {"grants", "A table of grants reaching clusters by key (amounts).", false, true},
        {"enterprises",
         "Creative enterprises as points: counted on the hexagonal grid, by creative sector "
         "per city (counts, density, location quotients, specialisation) and around each "
         "cluster. docs/creative-sectors.md gives the sectors and the default mapping of "
         "OKVED 2 codes onto them.",
         false, true},
        {"formation", "How the five formation types are read from cluster attributes.", false,
         false},
        {"industrial", "How heritage objects are recognised as industrial.", false, false},
        {"tier", "How cities are sorted into tiers.", false, false},
        {"candidate", "Weights of the conversion-candidate score of industrial sites.", false,
         false},
        {"creative_index", "Components and weights of the city creative index.", false, false},
        {"statistics", "Spatial statistics in the atlas run.", false, false},
    };
}

/// A list of strings as TOML text: the declared default of a list key.
std::string toml_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const std::string& item : items) {
        out += (out.size() == 1 ? "\"" : ", \"");
        for (const char c : item) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    return out + "]";
}

void add_source_keys(std::vector<KeyDecl>& keys, const std::string& s, bool table) {
    keys.push_back({s, "path", KeyType::String, "", true,
                    "GDAL vector source: a file path (relative to the project file) or a "
                    "connection string."});
    keys.push_back({s, "layer", KeyType::String, "", false,
                    "Layer name inside the source; the first layer when omitted."});
    keys.push_back({s, "open_options", KeyType::StringList, "[]", false,
                    "GDAL open options as \"KEY=VALUE\" strings."});
    keys.push_back({s, "id_field", KeyType::String, "", false,
                    "Field holding the feature's identifier; the GDAL feature id when omitted."});
    keys.push_back({s, "encoding", KeyType::String, "", false,
                    "Text encoding of the source when it is not UTF-8 (e.g. \"CP1251\", what "
                    "Excel writes on a Russian Windows); its text is recoded to UTF-8. Without "
                    "it, text that is not valid UTF-8 is an error."});
    if (table) {
        return;
    }
    keys.push_back({s, "crs", KeyType::String, "", false,
                    "CRS to assume when the source declares none (e.g. \"EPSG:4326\"). A source "
                    "without a CRS and without this key is an error."});
    keys.push_back({s, "x_field", KeyType::String, "", false,
                    "Build point geometries from this longitude/easting column (with y_field)."});
    keys.push_back(
        {s, "y_field", KeyType::String, "", false, "Latitude/northing column for x_field."});
    keys.push_back(
        {s, "wkt_field", KeyType::String, "", false, "Build geometries from this WKT column."});
    keys.push_back({s, "geometry_policy", KeyType::String, "", false,
                    "Overrides [project] geometry_policy for this source."});
}

/// [project] and [link].
void run_keys(std::vector<KeyDecl>& k) {
    k.push_back({"project", "name", KeyType::String, "\"\"", false,
                 "Title of the atlas, stored in the output's metadata."});
    k.push_back({"project", "reference_year", KeyType::Integer, "the current year", false,
                 "Year that ages (age_years) are counted to."});
    k.push_back({"project", "output", KeyType::String, "\"<project file name>.gpkg\"", false,
                 "GeoPackage to write, relative to the project file, or a PostGIS database "
                 "(\"PG:service=…\" or \"PG:dbname=… host=…\", never with a password; see "
                 "docs/postgis.md); `-o` overrides it."});
    k.push_back({"project", "output_schema", KeyType::String, "\"atlas\"", false,
                 "Schema of a PostGIS output: one table per layer, the QGIS project and "
                 "creatlas_metadata go there; `--schema` overrides it."});
    k.push_back(
        {"project", "crs", KeyType::String, "\"EPSG:4326\"", false, "CRS of the output layers."});
    k.push_back({"project", "geometry_policy", KeyType::String, "\"repair\"", false,
                 "What to do with defective geometries: repair (close unclosed rings, drop "
                 "repeated points and rings that cannot be polygons, then GEOS MakeValid), "
                 "skip (leave the feature out), or fail (stop, naming the feature). Every "
                 "feature concerned is reported by id."});
    k.push_back({"project", "earliest_year", KeyType::Integer, "1700", false,
                 "Years before this (opening years, grant years) are implausible: reported "
                 "and read as null. Years after reference_year are, too."});
    k.push_back({"project", "language", KeyType::String, "\"en\"", false,
                 "Language of report.html, atlas.pdf, the legends and class labels of the "
                 "styles and the values of formation_label: \"en\" (English) or \"ru\" "
                 "(Russian). Field names never change."});
    k.push_back({"project", "basemap_url", KeyType::String, "\"\"", false,
                 "XYZ tile URL ({z}, {x}, {y}) drawn under the maps of the embedded project, "
                 "atlas.pdf and the report's interactive map. Off when empty: a run never needs "
                 "the internet unless this is set."});

    k.push_back({"link", "city_max_distance_m", KeyType::Number, "5000", false,
                 "A cluster outside every city polygon links to the nearest city within this "
                 "distance (flagged city_link = 'nearest'); 0 turns the fallback off."});
    k.push_back({"link", "heritage_snap_m", KeyType::Number, "50", false,
                 "A point cluster within this distance of a heritage site is on that site."});
}

/// [enterprises]' own keys: sector codes, employees, the mapping, the reference, the radius.
void enterprise_keys(std::vector<KeyDecl>& k) {
    k.push_back({"enterprises", "sector_field", KeyType::String, "", false,
                 "Field with the enterprise's activity code (OKVED 2, e.g. \"62.01\", or a "
                 "code of any classification the sectors mapping names). Without it the "
                 "sector indicators are null."});
    k.push_back({"enterprises", "employees_field", KeyType::String, "", false,
                 "Field with the enterprise's number of employees (persons, ≥ 0)."});
    k.push_back({"enterprises", "sectors", KeyType::StringList,
                 "the OKVED 2 mapping of docs/creative-sectors.md", false,
                 "Mapping of activity codes to creative sectors as \"prefix=sector\" entries "
                 "(\"58.1=publishing\", \"62.09=other\"); a code takes the sector of its "
                 "longest matching prefix, a code no prefix matches counts as other. Sectors: "
                 "publishing, film_video, music_sound, broadcasting, software_it, "
                 "architecture, advertising_pr, design, photography, arts_performing, "
                 "museums_heritage, crafts."});
    k.push_back({"enterprises", "reference", KeyType::String, "", false,
                 "A table (CSV or any GDAL table) of national enterprise counts by sector, "
                 "columns sector and count: the location quotients and the specialisation "
                 "index compare each city with it instead of with the run's total."});
    k.push_back({"enterprises", "cluster_radius_m", KeyType::Number, "500", false,
                 "Radius (geodesic metres) of a cluster's creative neighbourhood: the creative "
                 "enterprises counted around it (ent_near, ent_near_mix)."});
}

/// The source sections, each with the common source keys and its own.
void source_keys(std::vector<KeyDecl>& k) {
    add_source_keys(k, "cities", false);
    k.push_back({"cities", "name_field", KeyType::String, "", false, "City name field."});
    k.push_back(
        {"cities", "population_field", KeyType::String, "", false, "Population field (persons)."});
    k.push_back({"cities", "capital_field", KeyType::String, "", false,
                 "Field that is true (1, yes, true) for regional capitals."});
    k.push_back({"cities", "centre_x_field", KeyType::String, "", false,
                 "Longitude of a declared city centre; else the polygon's point on surface."});
    k.push_back({"cities", "centre_y_field", KeyType::String, "", false,
                 "Latitude of a declared city centre."});

    add_source_keys(k, "city_areas", false);

    add_source_keys(k, "clusters", false);
    k.push_back({"clusters", "name_field", KeyType::String, "", false, "Cluster name field."});
    k.push_back({"clusters", "key_field", KeyType::String, "", false,
                 "Field that cluster_attributes and grants join on; id_field when omitted."});

    add_source_keys(k, "heritage", false);
    k.push_back({"heritage", "name_field", KeyType::String, "", false,
                 "Name field: its head word decides is_industrial when no category applies "
                 "([industrial] lists; docs/indicators.md)."});
    k.push_back({"heritage", "category_field", KeyType::String, "", false,
                 "Category field mapped to is_industrial by [industrial] category_values."});
    k.push_back({"heritage", "ensemble_field", KeyType::String, "", false,
                 "Field whose equal values group the parts of one ensemble (an address or a "
                 "complex id): a part whose name leaves it undecided («Лаборатория») is "
                 "industrial when at least as many of the ensemble's parts are industrial by "
                 "their names as not."});

    add_source_keys(k, "heritage_overrides", true);
    k.push_back({"heritage_overrides", "key_field", KeyType::String, "", true,
                 "Field holding the heritage id each correction is for (matched to [heritage] "
                 "id_field, trimmed, case-folded, Unicode NFC); it must be unique."});
    k.push_back({"heritage_overrides", "industrial_field", KeyType::String, "\"is_industrial\"",
                 false, "Field with the corrected status: 1 (industrial) or 0 (not)."});
    k.push_back({"heritage_overrides", "note_field", KeyType::String, "\"note\"", false,
                 "Field with the planner's note, quoted in industrial_reason."});

    add_source_keys(k, "programmes", false);
    k.push_back({"programmes", "name_field", KeyType::String, "", false, "Programme name."});
    k.push_back({"programmes", "instrument_field", KeyType::String, "\"instrument\"", false,
                 "Field holding the instrument: space, cluster, grant or export."});
    k.push_back({"programmes", "grant_field", KeyType::String, "", false,
                 "Grant money the zone gives to each cluster inside it (roubles)."});
    k.push_back({"programmes", "start_year_field", KeyType::String, "\"start_year\"", false,
                 "Year the programme started: from it on the zone counts as active (city_years, "
                 "the Temporal Controller). Plausible from earliest_year to reference_year."});
    k.push_back({"programmes", "end_year_field", KeyType::String, "\"end_year\"", false,
                 "Last year the programme runs (empty: still running). Plausible from "
                 "earliest_year to 100 years after reference_year (a planned end), and not "
                 "before the start year."});

    add_source_keys(k, "cluster_attributes", true);
    k.push_back({"cluster_attributes", "key_field", KeyType::String, "", true,
                 "Key field of the table, matched to the clusters' key_field (trimmed, "
                 "case-folded, Unicode NFC); it must be unique."});

    add_source_keys(k, "grants", true);
    k.push_back({"grants", "key_field", KeyType::String, "", true,
                 "Cluster key each grant goes to (may repeat)."});
    k.push_back({"grants", "amount_field", KeyType::String, "\"amount\"", false,
                 "Grant amount (roubles)."});
    k.push_back({"grants", "programme_field", KeyType::String, "", false,
                 "Programme id of the grant, when known."});
    k.push_back({"grants", "year_field", KeyType::String, "\"year\"", false,
                 "Year the grant was given (city_years: grants that year and cumulative). "
                 "Plausible from earliest_year to reference_year."});

    add_source_keys(k, "enterprises", false);
    enterprise_keys(k);
}

/// The parameters: formation, industrial, tier, candidate, creative index, statistics.
void parameter_keys(std::vector<KeyDecl>& k) {
    k.push_back({"formation", "initiator_field", KeyType::String, "\"initiator\"", false,
                 "Cluster field naming who initiated it: private, joint or public."});
    k.push_back({"formation", "public_share_field", KeyType::String, "\"public_share\"", false,
                 "Cluster field with the public share of founding money, 0–1."});
    k.push_back({"formation", "opened_field", KeyType::String, "\"opened\"", false,
                 "Cluster field with the year it opened (for age_years)."});
    k.push_back({"formation", "closed_field", KeyType::String, "\"closed\"", false,
                 "Cluster field with the year it closed (empty: still open). A cluster counts "
                 "as open from its opening year up to the year before it closed. Plausible from "
                 "earliest_year to reference_year, and not before the opening year."});
    k.push_back({"formation", "private_values", KeyType::StringList, "[\"private\"]", false,
                 "Initiator values read as private (compared case-folded)."});
    k.push_back({"formation", "joint_values", KeyType::StringList, "[\"joint\"]", false,
                 "Initiator values read as joint."});
    k.push_back({"formation", "public_values", KeyType::StringList, "[\"public\"]", false,
                 "Initiator values read as public."});
    k.push_back({"formation", "support_share", KeyType::Number, "0.5", false,
                 "Private initiator: public share below this is type 2, at or above type 3."});
    k.push_back({"formation", "dependent_share", KeyType::Number, "1.0", false,
                 "Public initiator: public share at or above this is type 5, below type 4."});

    k.push_back({"industrial", "category_values", KeyType::StringList, "[]", false,
                 "Values of [heritage] category_field that mark a site as industrial."});
    const IndustrialVocabulary& words = default_industrial_vocabulary();
    k.push_back({"industrial", "industrial_heads", KeyType::StringList,
                 toml_list(words.industrial_heads), false,
                 "Head words that make a site industrial: the type a name starts with (Russian) "
                 "or ends its first phrase with (English), in dictionary form («склад», "
                 "«мельница», \"mill\")."});
    k.push_back({"industrial", "generic_heads", KeyType::StringList, toml_list(words.generic_heads),
                 false,
                 "Head words that take the class of their adjectives and of what follows them "
                 "in the genitive («Здание завода», \"Building of the works\"); a head in no "
                 "list is read the same way."});
    k.push_back({"industrial", "non_industrial_heads", KeyType::StringList,
                 toml_list(words.non_industrial_heads), false,
                 "Head words that make a site not industrial whatever follows («Могила "
                 "директора завода», \"Mill owner's house\")."});
    k.push_back({"industrial", "industrial_modifiers", KeyType::StringList,
                 toml_list(words.industrial_modifiers), false,
                 "Adjectives that make a generic or unlisted head industrial («Производственный "
                 "корпус», \"Industrial building\")."});
    k.push_back({"industrial", "non_industrial_modifiers", KeyType::StringList,
                 toml_list(words.non_industrial_modifiers), false,
                 "Adjectives that make a generic or unlisted head not industrial («Жилой "
                 "корпус»)."});

    k.push_back({"tier", "capital_values", KeyType::StringList, "[]", false,
                 "Values of [cities] capital_field that mark a regional capital (e.g. [\"2\", "
                 "\"3\"] for hflabs/city's capital_marker); when empty, any true value (1, yes, "
                 "true) does."});
    k.push_back({"tier", "second_min_population", KeyType::Number, "50000", false,
                 "Smallest population of a second-tier city."});
    k.push_back({"tier", "second_max_population", KeyType::Number, "1000000", false,
                 "Population a second-tier city stays below."});

    k.push_back({"candidate", "weight_centrality", KeyType::Number, "1", false,
                 "Weight of centrality (closer to the centre scores higher)."});
    k.push_back({"candidate", "weight_programmes", KeyType::Number, "1", false,
                 "Weight of programme coverage."});
    k.push_back({"candidate", "weight_clusters", KeyType::Number, "1", false,
                 "Weight of proximity to existing clusters."});
    k.push_back({"candidate", "weight_footprint", KeyType::Number, "1", false,
                 "Weight of footprint area (where footprints are known)."});

    k.push_back({"creative_index", "components", KeyType::StringList,
                 "[\"clusters_per_100k\", \"ih_transformation_rate\", \"programme_coverage\", "
                 "\"type_diversity\"]",
                 false,
                 "City indicators combined into creative_index: any field of the cities "
                 "layer in docs/indicators.md, e.g. ent_per_1000 (creative enterprises per "
                 "1,000 residents)."});
    k.push_back({"creative_index", "weights", KeyType::NumberList, "equal weights", false,
                 "One weight per component."});

    k.push_back({"statistics", "hex_cell_m", KeyType::Number, "1000", false,
                 "Hexagon size (centre to centre, metres) of the hex_grid layer."});
}

std::vector<KeyDecl> make_keys() {
    std::vector<KeyDecl> k;
    run_keys(k);
    source_keys(k);
    parameter_keys(k);
    return k;
}

const char* type_name(KeyType t) {
    switch (t) {
    case KeyType::String:
        return "string";
    case KeyType::Number:
        return "number";
    case KeyType::Integer:
        return "integer";
    case KeyType::Boolean:
        return "boolean";
    case KeyType::StringList:
        return "list of strings";
    case KeyType::NumberList:
        return "list of numbers";
    }
    return "?";
}

} // namespace

const std::vector<SectionDecl>& project_sections() {
    static const std::vector<SectionDecl> sections = make_sections();
    return sections;
}

const std::vector<KeyDecl>& project_schema() {
    static const std::vector<KeyDecl> keys = make_keys();
    return keys;
}

std::string project_schema_markdown() {
    std::ostringstream md;
    md << "# The project file\n\n"
          "<!-- Generated by `creatlas schema --markdown` from the declarations in "
          "geo/src/project_schema.cpp; a test keeps it in step. -->\n\n"
          "A creatlas project is one TOML file. It names the inputs (any GDAL vector "
          "source) and the parameters of the run. Relative paths are resolved against the "
          "folder of the project file. An unknown section or key is an error, so a typo "
          "never goes unnoticed. `sample_data/project.toml` is a complete example.\n\n"
          "Every source section ([cities], [clusters], …) takes the common source keys "
          "(path, layer, open_options, id_field and, for geometry sources, crs, x_field/"
          "y_field or wkt_field, geometry_policy) plus its own keys.\n\n";
    for (const auto& s : project_sections()) {
        md << "## [" << s.name << "]" << (s.required ? " (required)" : "") << "\n\n"
           << s.meaning << "\n\n"
           << "| key | type | default | meaning |\n|---|---|---|---|\n";
        for (const auto& k : project_schema()) {
            if (k.section != s.name) {
                continue;
            }
            md << "| `" << k.key << "` | " << type_name(k.type) << " | "
               << (k.required ? "required" : (k.default_text.empty() ? "—" : k.default_text))
               << " | " << k.meaning << " |\n";
        }
        md << "\n";
    }
    md << field_guesses_markdown();
    md << "## Example\n\n```toml\n"
          "[project]\n"
          "name = \"Creative clusters of the Urals and Siberia\"\n"
          "reference_year = 2026\n"
          "output = \"out/atlas.gpkg\"\n"
          "geometry_policy = \"repair\"\n"
          "language = \"ru\"\n\n"
          "[link]\n"
          "city_max_distance_m = 5000\n"
          "heritage_snap_m = 50\n\n"
          "[cities]\n"
          "path = \"cities.geojson\"\n"
          "id_field = \"city_id\"\n"
          "name_field = \"name\"\n"
          "population_field = \"population\"\n"
          "capital_field = \"regional_capital\"\n\n"
          "[clusters]\n"
          "path = \"clusters.csv\"\n"
          "x_field = \"lon\"\n"
          "y_field = \"lat\"\n"
          "crs = \"EPSG:4326\"\n"
          "id_field = \"cluster_id\"\n"
          "name_field = \"name\"\n\n"
          "[cluster_attributes]\n"
          "path = \"cluster_attributes.csv\"\n"
          "key_field = \"cluster_key\"\n\n"
          "[heritage]\n"
          "path = \"heritage.geojson\"\n"
          "id_field = \"heritage_id\"\n"
          "name_field = \"name\"\n\n"
          "[programmes]\n"
          "path = \"programmes.geojson\"\n"
          "id_field = \"programme_id\"\n"
          "instrument_field = \"instrument\"\n"
          "grant_field = \"grant_per_cluster\"\n"
          "```\n";
    return md.str();
}

} // namespace creatlas
