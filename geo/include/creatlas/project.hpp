// creatlas — the project file.
//
// A project file (TOML) names the inputs and the parameters of a run. Its keys
// are declared once, in project_schema(): section, key, type, default and a
// one-line meaning. The parser validates against that declaration (an unknown
// section or key is an error naming the file), docs/project-file.md is
// generated from it (`creatlas schema --markdown`), and the QGIS plugin builds
// its parameters from it.
#pragma once

#include "creatlas/industrial.hpp"
#include "creatlas/sectors.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace creatlas {

enum class GeometryPolicy { Repair, Skip, Fail };
const char* to_string(GeometryPolicy policy);

enum class KeyType { String, Number, Integer, Boolean, StringList, NumberList };

/// One declared key of the project file.
struct KeyDecl {
    std::string section; ///< "project", "clusters", …
    std::string key;     ///< "path", "id_field", …
    KeyType type;
    std::string default_text; ///< the default as TOML text; "" = no default (optional)
    bool required = false;
    std::string meaning; ///< one line for planners
};

/// One declared section, with the keys it accepts.
struct SectionDecl {
    std::string name;
    std::string meaning;
    bool required = false;
    bool is_source = false; ///< takes the common source keys (path, layer, crs, …)
};

const std::vector<SectionDecl>& project_sections();
/// Every key of every section, source keys repeated for each source section.
const std::vector<KeyDecl>& project_schema();
/// docs/project-file.md, generated from the declarations.
std::string project_schema_markdown();

/// Where and how to read one input (a GDAL vector source or table).
struct SourceSpec {
    std::string role;  ///< the section name: "cities", "clusters", …
    std::string path;  ///< as resolved (relative paths against the project's folder)
    std::string layer; ///< "" = the source's only or first layer
    std::vector<std::string> open_options; ///< GDAL open options, KEY=VALUE
    std::string crs;                       ///< declared CRS for sources without one ("" = none)
    std::string x_field;                   ///< build points from these columns …
    std::string y_field;
    std::string wkt_field; ///< … or from a WKT column
    std::string id_field;  ///< "" = the feature id
    std::string encoding;  ///< text encoding to recode from ("CP1251", …); "" = UTF-8
    std::optional<GeometryPolicy> geometry_policy; ///< overrides [project]
    /// Role-specific field names (name_field, population_field, …) by key.
    std::map<std::string, std::string> fields;
    /// The keys of `fields` the project file sets itself (the others are defaults: a
    /// field named only by default may be missing from the source).
    std::set<std::string> explicit_keys;
    bool present() const { return !path.empty(); }
    /// A role-specific field name, or "" when not set.
    std::string field(const std::string& key) const;
};

struct FormationParams {
    std::string initiator_field = "initiator";
    std::string public_share_field = "public_share";
    std::vector<std::string> private_values{"private"};
    std::vector<std::string> joint_values{"joint"};
    std::vector<std::string> public_values{"public"};
    double support_share = 0.5;   ///< type 2 below, type 3 at or above (private initiator)
    double dependent_share = 1.0; ///< public initiator at or above: type 5
};

struct Project {
    std::string file; ///< the project file ("" when built from text)
    std::string base_dir;
    std::string name;
    int reference_year = 0;
    std::string output;                  ///< a GeoPackage, or "PG:…" for a PostGIS schema
    std::string output_schema = "atlas"; ///< the schema of a PostGIS output
    std::string output_crs = "EPSG:4326";
    GeometryPolicy geometry_policy = GeometryPolicy::Repair;
    std::string language = "en"; ///< "en" or "ru": report, atlas PDF, legends, formation labels
    std::string basemap_url;     ///< XYZ tile URL under the maps; "" = none (offline)

    double city_max_distance_m = 5000.0;
    double heritage_snap_m = 50.0;

    SourceSpec cities, city_areas, clusters, heritage, programmes, cluster_attributes, grants,
        enterprises, heritage_overrides;

    /// Years before this are implausible (opening years, grant years, …).
    int earliest_year = 1700;

    FormationParams formation;
    std::string opened_field = "opened";
    std::string closed_field = "closed"; ///< year a cluster closed ([formation] closed_field)

    std::string industrial_category_field;
    std::vector<std::string> industrial_category_values;
    /// [industrial] head and modifier lists (defaults: default_industrial_vocabulary()).
    IndustrialVocabulary industrial_vocabulary = default_industrial_vocabulary();

    std::string capital_field;
    std::vector<std::string> capital_values;
    double second_tier_min_population = 50000;
    double second_tier_max_population = 1000000;

    double candidate_weight_centrality = 1, candidate_weight_programmes = 1,
           candidate_weight_clusters = 1, candidate_weight_footprint = 1;

    std::vector<std::string> creative_components;
    std::vector<double> creative_weights;

    double hex_cell_m = 1000.0;

    /// [enterprises] sectors: activity code → creative sector (default: OKVED 2, sectors.hpp).
    SectorMap sector_map = SectorMap::parse(default_sector_entries());
    /// [enterprises] reference: a table of national counts per sector (columns sector,
    /// count), resolved; "" = location quotients against the run's own total.
    std::string enterprise_reference;
    /// [enterprises] cluster_radius_m: a cluster's creative neighbourhood (geodesic metres).
    double enterprise_radius_m = 500.0;

    /// All the sources in load order (cities first).
    std::vector<const SourceSpec*> sources() const;
};

/// True when `path` names a local file: not a connection string ("PG:…", "GPKG:…")
/// nor a GDAL virtual path ("/vsizip/…"). Only such paths are resolved against the
/// project's folder and checked for existence.
bool is_local_path(const std::string& path);

/// Read and validate a project file. Relative paths resolve against its folder.
Project load_project(const std::string& path);
/// Parse project text; relative paths resolve against base_dir. `origin` names
/// the text in errors.
Project parse_project(const std::string& text, const std::string& base_dir,
                      const std::string& origin);

} // namespace creatlas
