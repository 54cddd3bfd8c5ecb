// The indicator catalogue: every output field the atlas computes, declared once.
#include "creatlas/industrial.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/sectors.hpp"

#include <sstream>

namespace creatlas {

const char* layer_name(Level level) {
    switch (level) {
    case Level::Cluster:
        return "clusters";
    case Level::Heritage:
        return "heritage_sites";
    case Level::City:
        return "cities";
    case Level::Programme:
        return "programmes";
    case Level::Overlap:
        return "heritage_programmes";
    case Level::CityYear:
        return "city_years";
    }
    return "?";
}

namespace {

/// The clusters layer's fields.
std::vector<Indicator> cluster_indicators() {
    using L = Level;
    using T = FieldType;
    return {
        {"cluster_id", L::Cluster, T::String, "id", "[clusters] id_field, else the feature id",
         "clusters.id_field", "Identifier of the cluster."},
        {"city_id", L::Cluster, T::String, "id",
         "id of the city polygon containing the cluster (a point on its surface for polygons); "
         "else of the nearest city within city_max_distance_m",
         "link.city_max_distance_m", "City the cluster belongs to."},
        {"city_link", L::Cluster, T::String, "text", "'contains' or 'nearest'; null when no city",
         "", "How the city was found: inside its polygon, or the nearest within the distance."},
        {"city_distance_m", L::Cluster, T::Real, "m",
         "geodesic distance to the city polygon (0 when inside)", "",
         "How far outside its city the cluster lies."},
        {"dist_center_m", L::Cluster, T::Real, "m",
         "geodesic distance from the cluster (point on surface) to the city centre: the declared "
         "centre, else the city polygon's point on surface",
         "cities.centre_x_field, cities.centre_y_field", "Distance to the city centre."},
        {"centrality", L::Cluster, T::Real, "1",
         "dist_center_m / sqrt(A_city / π), A_city the city polygon's area in its local equal-area "
         "frame",
         "", "Distance to the centre in city radii: below 1 is central, above 1 peripheral."},
        {"on_heritage", L::Cluster, T::Integer, "0/1",
         "1 when the cluster intersects a heritage site, or (points) lies within heritage_snap_m "
         "of one",
         "link.heritage_snap_m", "Does the cluster occupy a heritage site?"},
        {"heritage_id", L::Cluster, T::String, "id",
         "id of that heritage site (the nearest when several)", "link.heritage_snap_m",
         "The heritage site the cluster occupies."},
        {"nearest_heritage_m", L::Cluster, T::Real, "m",
         "geodesic distance to the nearest heritage site (0 when intersecting)", "",
         "How close the nearest heritage site is."},
        {"heritage_overlap_m2", L::Cluster, T::Real, "m²",
         "area of the cluster polygon ∩ heritage footprints, in the city's equal-area frame; null "
         "for point clusters",
         "", "How much heritage floor plate a polygon cluster covers."},
        {"programme_count", L::Cluster, T::Integer, "count",
         "number of programme zones intersecting the cluster", "",
         "How many support programmes reach the cluster."},
        {"programme_ids", L::Cluster, T::String, "ids",
         "comma-separated ids of those zones, in programme order", "",
         "Which programmes reach the cluster."},
        {"instruments", L::Cluster, T::String, "text",
         "comma-separated distinct instruments of those zones (space, cluster, grant, export)", "",
         "Which policy instruments reach the cluster."},
        {"grant_total", L::Cluster, T::Real, "RUB",
         "Σ grants table amounts whose key matches the cluster + Σ grant_field of the zones "
         "reaching it",
         "grants.key_field, grants.amount_field, programmes.grant_field",
         "Grant money reaching the cluster."},
        {"age_years", L::Cluster, T::Integer, "year",
         "reference_year − opened; null when opened is missing",
         "project.reference_year, formation.opened_field", "Age of the cluster."},
        {"opened_year", L::Cluster, T::Integer, "year",
         "[formation] opened_field, checked (earliest_year – reference_year); null when missing "
         "or implausible",
         "formation.opened_field, project.earliest_year",
         "Year the cluster opened (the start of its time in the Temporal Controller)."},
        {"closed_year", L::Cluster, T::Integer, "year",
         "[formation] closed_field, checked (earliest_year – reference_year, not before "
         "opened_year); null while the cluster is open",
         "formation.closed_field, project.earliest_year",
         "Year the cluster closed; it counts as open up to the year before."},
        {"formation_type", L::Cluster, T::Integer, "1–5",
         "1 private & share = 0; 2 private & 0 < share < support_share; 3 joint, or private & "
         "share ≥ support_share; 4 public & share < dependent_share; 5 public & share ≥ "
         "dependent_share; null when unknown",
         "formation.*", "Formation type on the five-type scale of public–private interaction."},
        {"formation_label", L::Cluster, T::String, "text",
         "initiative, initiative, supported, partnership, public-led, dependent or unknown",
         "formation.*", "Name of the formation type."},
        {"ent_near", L::Cluster, T::Integer, "count",
         "creative enterprises (code in a creative sector; every enterprise without "
         "sector_field) whose geodesic distance to the cluster (0 inside a polygon cluster) is "
         "≤ cluster_radius_m; null without [enterprises]",
         "enterprises.cluster_radius_m, enterprises.sectors",
         "The cluster's creative neighbourhood: creative enterprises around it."},
        {"ent_near_mix", L::Cluster, T::String, "text",
         "the sectors of those enterprises with their counts, most first (ties in the order of "
         "docs/creative-sectors.md), e.g. \"software_it 3, design 2\"; null when ent_near = 0 "
         "or without sector_field",
         "enterprises.cluster_radius_m, enterprises.sector_field, enterprises.sectors",
         "Sector mix of the cluster's creative neighbourhood."},
        {"ent_near_leading", L::Cluster, T::String, "text",
         "the first sector of ent_near_mix", "enterprises.sector_field",
         "Leading sector around the cluster."},
    };
}

/// The heritage sites layer's fields.
std::vector<Indicator> heritage_indicators() {
    using L = Level;
    using T = FieldType;
    return {
        {"heritage_id", L::Heritage, T::String, "id", "[heritage] id_field, else the feature id",
         "heritage.id_field", "Identifier of the heritage object."},
        {"city_id", L::Heritage, T::String, "id", "as for clusters", "link.city_max_distance_m",
         "City the site belongs to."},
        {"is_industrial", L::Heritage, T::Integer, "0/1",
         "a planner's override ([heritage_overrides]) first; then category in [industrial] "
         "category_values; sites without a category value (or without a "
         "mapping): the head word of the name — an industrial head is 1, a non-industrial head "
         "0, a generic or unlisted head takes the class of its adjectives and then of its "
         "genitive chain, else 0 (see How heritage is recognised as industrial, below)",
         "heritage_overrides, industrial.category_values, industrial.*_heads, "
         "industrial.*_modifiers, "
         "heritage.category_field",
         "Is it industrial heritage?"},
        {"industrial_reason", L::Heritage, T::String, "text",
         "which rule and which word decided is_industrial: \"override: <note>\", \"category "
         "'<value>'\", \"head «склад»\", \"generic head «здание» + «завода»\", "
         "\"non-industrial head «могила»\", \"ensemble …\"",
         "", "Why the site is (or is not) counted as industrial heritage."},
        {"reused", L::Heritage, T::Integer, "0/1",
         "1 when a cluster is on the site (see clusters.on_heritage)", "link.heritage_snap_m",
         "Has a creative cluster re-used the site?"},
        {"cluster_id", L::Heritage, T::String, "id",
         "the cluster on the site (the nearest when several)", "", "Which cluster re-uses it."},
        {"nearest_cluster_m", L::Heritage, T::Real, "m", "geodesic distance to the nearest cluster",
         "", "How close the nearest creative cluster is."},
        {"dist_center_m", L::Heritage, T::Real, "m", "as for clusters", "",
         "Distance to the city centre."},
        {"centrality", L::Heritage, T::Real, "1", "as for clusters", "",
         "Distance to the centre in city radii."},
        {"footprint_m2", L::Heritage, T::Real, "m²",
         "area of the site's polygon in the city's equal-area frame; null for points", "",
         "Footprint area."},
        {"programme_count", L::Heritage, T::Integer, "count",
         "number of programme zones intersecting the site", "",
         "How many support programmes cover the site."},
        {"programme_ids", L::Heritage, T::String, "ids", "comma-separated ids of those zones", "",
         "Which programmes cover it."},
        {"candidate_score", L::Heritage, T::Real, "0–1",
         "industrial, not re-used sites: Σ wᵢ·cᵢ / Σ wᵢ over available components, within the "
         "city: c_centrality = 1 − centrality/max, c_programmes = programme_count/max (0 when max "
         "= 0), c_clusters = 1 − nearest_cluster_m/max, c_footprint = footprint_m2/max (components "
         "without data are left out; a max of 0 gives 1 for the 'closer is higher' components)",
         "candidate.weight_*", "How good a candidate for conversion the site is."},
        {"candidate_rank", L::Heritage, T::Integer, "rank",
         "rank of candidate_score within the city (1 = best; ties by heritage_id)", "",
         "Order of conversion candidates in the city."},
    };
}

/// The cities layer's fields.
std::vector<Indicator> city_indicators() {
    using L = Level;
    using T = FieldType;
    return {
        {"city_id", L::City, T::String, "id", "[cities] id_field, else the feature id",
         "cities.id_field", "Identifier of the city."},
        {"population", L::City, T::Real, "persons", "[cities] population_field",
         "cities.population_field", "Population."},
        {"tier", L::City, T::String, "text",
         "'capital' when capital_field is true (or one of capital_values); else 'second' when "
         "second_min_population ≤ population < second_max_population; else 'other'",
         "cities.capital_field, tier.*", "Place in the urban hierarchy."},
        {"n_clusters", L::City, T::Integer, "count", "clusters whose city_id is the city", "",
         "Number of creative clusters."},
        {"clusters_per_100k", L::City, T::Real, "per 100k", "n_clusters / population × 100,000", "",
         "Cluster density per population."},
        {"ih_count", L::City, T::Integer, "count", "industrial heritage sites in the city", "",
         "Industrial heritage stock."},
        {"ih_reused", L::City, T::Integer, "count", "industrial heritage sites re-used by clusters",
         "", "Industrial heritage already re-used."},
        {"ih_transformation_rate", L::City, T::Real, "1",
         "ih_reused / ih_count; null when ih_count = 0", "",
         "Share of industrial heritage turned into creative space."},
        {"ih_area_m2", L::City, T::Real, "m²",
         "Σ footprint_m2 of industrial sites with footprints; null when none", "",
         "Industrial heritage floor plate."},
        {"ih_reused_area_m2", L::City, T::Real, "m²",
         "Σ footprint_m2 of re-used industrial sites with footprints; null when none", "",
         "Re-used industrial floor plate."},
        {"mean_centrality", L::City, T::Real, "1", "mean centrality of the city's clusters", "",
         "How central the city's clusters are on average."},
        {"programme_coverage", L::City, T::Real, "1",
         "clusters with ≥ 1 programme / n_clusters; null when n_clusters = 0", "",
         "Share of clusters reached by support programmes."},
        {"grant_total", L::City, T::Real, "RUB", "Σ grant_total of the city's clusters", "",
         "Grant money reaching the city's clusters."},
        {"grant_per_cluster", L::City, T::Real, "RUB",
         "grant_total / n_clusters; null when n_clusters = 0", "", "Grant money per cluster."},
        {"type_1", L::City, T::Integer, "count", "clusters of formation type 1", "",
         "Initiative clusters."},
        {"type_2", L::City, T::Integer, "count", "clusters of formation type 2", "",
         "Initiative, supported clusters."},
        {"type_3", L::City, T::Integer, "count", "clusters of formation type 3", "",
         "Partnership clusters."},
        {"type_4", L::City, T::Integer, "count", "clusters of formation type 4", "",
         "Public-led clusters."},
        {"type_5", L::City, T::Integer, "count", "clusters of formation type 5", "",
         "Dependent clusters."},
        {"dominant_type", L::City, T::Integer, "1–5",
         "the most frequent formation type (ties: the lower type); null when none is known", "",
         "Prevailing way clusters form in the city."},
        {"type_diversity", L::City, T::Real, "0–1",
         "−Σ pₖ ln pₖ / ln 5 over the shares pₖ of known types; null when none is known", "",
         "How mixed the formation types are."},
        {"nni", L::City, T::Real, "1",
         "Clark–Evans R = d̄_obs / (0.5 / sqrt(n / A)), d̄_obs the mean geodesic nearest-neighbour "
         "distance of the city's n clusters, A the city polygon's area in m²; null below 3 "
         "clusters",
         "", "Clustering of clusters: below 1 clustered, near 1 random, above 1 dispersed."},
        {"nni_z", L::City, T::Real, "z", "(d̄_obs − d̄_exp) / (0.26136 / sqrt(n² / A))", "",
         "Standard score of the nearest-neighbour index."},
        {"nni_p", L::City, T::Real, "p", "two-sided normal p of nni_z", "",
         "Significance of the nearest-neighbour index."},
        {"creative_index", L::City, T::Real, "0–100",
         "100 × Σ wⱼ·normⱼ / Σ wⱼ over the components with a value, normⱼ = (x − min)/(max − min) "
         "across the run's cities (a component with max = min is left out)",
         "creative_index.components, creative_index.weights",
         "Composite index of creative urban transformation."},
        {"creative_rank", L::City, T::Integer, "rank",
         "rank of creative_index, highest first (ties share a rank)", "",
         "Place of the city among the run's cities."},
        {"first_cluster_year", L::City, T::Integer, "year",
         "min opened_year of the city's clusters; null when none is known",
         "formation.opened_field", "Year the city's first creative cluster opened."},
        {"years_since_first", L::City, T::Integer, "years", "reference_year − first_cluster_year",
         "project.reference_year", "How long the city has had creative clusters."},
        {"opened_per_year_5y", L::City, T::Real, "per year",
         "clusters of the city with reference_year − 4 ≤ opened_year ≤ reference_year, / 5",
         "project.reference_year", "Pace of new clusters over the last five years."},
        {"year_rate_25", L::City, T::Integer, "year",
         "first year of city_years whose ih_transformation_rate ≥ 0.25; null if never", "",
         "Year a quarter of the industrial heritage had been re-used."},
        {"year_rate_50", L::City, T::Integer, "year",
         "first year of city_years whose ih_transformation_rate ≥ 0.5; null if never", "",
         "Year half of the industrial heritage had been re-used."},
    };
}

/// The cities layer's creative-economy fields (economy.cpp): e_cs is the number of
/// enterprises of creative sector s in city c, e_c = Σ_s e_cs, E_s the base count of s
/// (the reference table's, else Σ_c e_cs over the run's cities), E = Σ_s E_s.
std::vector<Indicator> economy_indicators() {
    using L = Level;
    using T = FieldType;
    const std::string in_city =
        "enterprises inside the city polygon (in overlapping polygons: the first city of the "
        "layer that contains them; a city given as a point: those linked to it as the nearest "
        "within city_max_distance_m)";
    std::vector<Indicator> out{
        {"ent_total", L::City, T::Integer, "count",
         "e_c: creative " + in_city +
             " whose code maps to a creative sector (every enterprise without sector_field); "
             "null without [enterprises]",
         "enterprises.sector_field, enterprises.sectors",
         "Creative enterprises in the city (the size of its creative economy)."},
        {"ent_per_1000", L::City, T::Real, "per 1,000",
         "ent_total / population × 1,000; null when population is missing or 0 (a creative "
         "index component)",
         "", "Creative enterprises per 1,000 residents."},
        {"ent_employees", L::City, T::Real, "persons",
         "Σ employees_field of the city's creative enterprises (missing values count 0); null "
         "without employees_field",
         "enterprises.employees_field", "People employed by the city's creative enterprises."},
        {"ent_other", L::City, T::Integer, "count",
         in_city + " whose code no prefix of the mapping matches, or without a code; null "
         "without sector_field",
         "enterprises.sectors", "Enterprises outside the creative sectors (\"other\")."},
        {"leading_sector", L::City, T::String, "text",
         "the sector s with the largest e_cs (ties: the one listed first in "
         "docs/creative-sectors.md); null when e_c = 0",
         "enterprises.sector_field", "The city's leading creative sector."},
        {"krugman_index", L::City, T::Real, "0–2",
         "Krugman's specialisation index K = Σ_s |e_cs / e_c − E_s / E| (Krugman, Geography "
         "and Trade, 1991): 0 when the city's sector mix equals the base's, 2 when they share "
         "no sector; null when e_c = 0 or the reference lacks a sector",
         "enterprises.reference", "How specialised the city's creative economy is."},
    };
    for (const Sector& s : creative_sectors()) {
        out.push_back({"ent_" + s.id, L::City, T::Integer, "count",
                       "e_cs: the city's creative enterprises in sector " + s.id +
                           "; null without sector_field",
                       "enterprises.sectors", s.label_en + ": enterprises."});
    }
    for (const Sector& s : creative_sectors()) {
        out.push_back({"lq_" + s.id, L::City, T::Real, "1",
                       "location quotient LQ = (e_cs / e_c) / (E_s / E) for sector " + s.id +
                           "; null when e_c = 0 or E_s = 0 (or not in the reference)",
                       "enterprises.reference",
                       s.label_en + ": specialisation (above 1: more than the base's share)."});
    }
    return out;
}

/// The programmes layer's fields.
std::vector<Indicator> programme_indicators() {
    using L = Level;
    using T = FieldType;
    return {
        {"programme_id", L::Programme, T::String, "id",
         "[programmes] id_field, else the feature id", "programmes.id_field",
         "Identifier of the programme zone."},
        {"instrument", L::Programme, T::String, "text",
         "[programmes] instrument_field, case-folded: space, cluster, grant or export",
         "programmes.instrument_field", "Policy instrument of the programme."},
        {"start_year", L::Programme, T::Integer, "year",
         "[programmes] start_year_field, checked (earliest_year – reference_year); null when "
         "missing or implausible",
         "programmes.start_year_field", "First year the programme runs."},
        {"end_year", L::Programme, T::Integer, "year",
         "[programmes] end_year_field, checked (earliest_year – reference_year + 100, not before "
         "start_year); null while it runs",
         "programmes.end_year_field", "Last year the programme runs."},
        {"clusters_covered", L::Programme, T::Integer, "count", "clusters intersecting the zone",
         "", "How many clusters the programme reaches."},
        {"heritage_covered", L::Programme, T::Integer, "count",
         "heritage sites intersecting the zone", "",
         "How many heritage sites the programme covers."},
    };
}

/// The heritage × programme overlaps layer's fields.
std::vector<Indicator> overlap_indicators() {
    using L = Level;
    using T = FieldType;
    return {
        {"heritage_id", L::Overlap, T::String, "id", "the heritage site", "",
         "Heritage site of the overlap."},
        {"programme_id", L::Overlap, T::String, "id", "the programme zone", "",
         "Programme zone of the overlap."},
        {"overlap_m2", L::Overlap, T::Real, "m²",
         "area of site ∩ zone in the city's equal-area frame; null for point sites", "",
         "How much of the site the programme covers."},
    };
}

/// The city_years layer's fields: one row per city and year y of the span.
std::vector<Indicator> city_year_indicators() {
    using L = Level;
    using T = FieldType;
    const std::string span = "one row per city and year y, from the first year with any dated "
                             "activity in the run (a cluster opened, a programme started, a "
                             "grant given) to reference_year";
    return {
        {"city_id", L::CityYear, T::String, "id", "the city (" + span + ")", "cities.id_field",
         "Identifier of the city."},
        {"year", L::CityYear, T::Integer, "year", "y", "project.reference_year",
         "Year of the row (the time of the Temporal Controller)."},
        {"clusters_open", L::CityYear, T::Integer, "count",
         "the city's clusters with opened_year ≤ y and (no closed_year or y < closed_year)",
         "formation.opened_field, formation.closed_field", "Clusters open at the end of the year."},
        {"clusters_opened", L::CityYear, T::Integer, "count", "clusters with opened_year = y", "",
         "Clusters opened that year."},
        {"clusters_closed", L::CityYear, T::Integer, "count", "clusters with closed_year = y", "",
         "Clusters closed that year."},
        {"ih_count", L::CityYear, T::Integer, "count",
         "industrial heritage sites in the city (as cities.ih_count)", "",
         "Industrial heritage stock."},
        {"ih_reused", L::CityYear, T::Integer, "count",
         "industrial sites of the city with a cluster on them whose opened_year ≤ y (a site "
         "counts once, from the earliest opening of the clusters on it, and stays counted after "
         "they close)",
         "link.heritage_snap_m", "Industrial heritage re-used so far."},
        {"ih_transformation_rate", L::CityYear, T::Real, "1",
         "ih_reused / ih_count; null when ih_count = 0", "",
         "Share of industrial heritage turned into creative space so far."},
        {"programmes_active", L::CityYear, T::Integer, "count",
         "programme zones meeting the city with start_year ≤ y ≤ end_year (no end_year: still "
         "running); null without a start-year field",
         "programmes.start_year_field, programmes.end_year_field",
         "Support programmes running in the city that year."},
        {"programme_coverage", L::CityYear, T::Real, "1",
         "clusters open in y lying in ≥ 1 zone active in y / clusters_open; null when "
         "clusters_open = 0",
         "", "Share of open clusters reached by a running programme."},
        {"grants_year", L::CityYear, T::Integer, "count",
         "rows of [grants] for the city's clusters with year = y; null without a year field",
         "grants.year_field", "Grants given that year."},
        {"grants_cum", L::CityYear, T::Integer, "count", "Σ grants_year over the years ≤ y", "",
         "Grants given so far."},
        {"grant_rub_year", L::CityYear, T::Real, "RUB", "Σ amount of those grants", "",
         "Grant money given that year."},
        {"grant_rub_cum", L::CityYear, T::Real, "RUB", "Σ grant_rub_year over the years ≤ y", "",
         "Grant money given so far."},
        {"type_1", L::CityYear, T::Integer, "count", "open clusters of formation type 1", "",
         "Initiative clusters open."},
        {"type_2", L::CityYear, T::Integer, "count", "open clusters of formation type 2", "",
         "Initiative, supported clusters open."},
        {"type_3", L::CityYear, T::Integer, "count", "open clusters of formation type 3", "",
         "Partnership clusters open."},
        {"type_4", L::CityYear, T::Integer, "count", "open clusters of formation type 4", "",
         "Public-led clusters open."},
        {"type_5", L::CityYear, T::Integer, "count", "open clusters of formation type 5", "",
         "Dependent clusters open."},
        {"dominant_type", L::CityYear, T::Integer, "1–5",
         "the most frequent type among the open clusters (ties: the lower); null when none is "
         "known",
         "", "Prevailing formation type that year."},
        {"type_diversity", L::CityYear, T::Real, "0–1",
         "−Σ pₖ ln pₖ / ln 5 over the open clusters' known types", "",
         "How mixed the formation types are that year."},
    };
}

std::vector<Indicator> make_catalogue() {
    std::vector<Indicator> all;
    for (auto&& level : {cluster_indicators(), heritage_indicators(), city_indicators(),
                         economy_indicators(), programme_indicators(), overlap_indicators(),
                         city_year_indicators()}) {
        all.insert(all.end(), level.begin(), level.end());
    }
    return all;
}

} // namespace

const std::vector<Indicator>& indicator_catalogue() {
    static const std::vector<Indicator> catalogue = make_catalogue();
    return catalogue;
}

namespace {
const char* type_text(FieldType t) {
    switch (t) {
    case FieldType::Integer:
        return "integer";
    case FieldType::Real:
        return "real";
    case FieldType::String:
        return "text";
    }
    return "?";
}
} // namespace

nlohmann::json indicator_catalogue_json() {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& i : indicator_catalogue()) {
        out.push_back({{"id", i.id},
                       {"level", layer_name(i.level)},
                       {"type", type_text(i.type)},
                       {"unit", i.unit},
                       {"formula", i.formula},
                       {"parameters", i.parameters},
                       {"meaning", i.meaning}});
    }
    return out;
}

std::string indicator_catalogue_markdown() {
    std::ostringstream md;
    md << "# Indicators\n\n"
          "<!-- Generated by `creatlas indicators --markdown` from the catalogue in "
          "geo/src/indicators.cpp; a test keeps it in step. -->\n\n"
          "Every field the atlas computes, by output layer, in the order it is written. "
          "The inputs' own fields follow these in each layer (a name that clashes gets the "
          "prefix `src_`). Distances are geodesic on the WGS 84 ellipsoid (PROJ's geodesic "
          "routines); areas are taken in a Lambert azimuthal equal-area frame centred on the "
          "feature's city (or on the feature when it has no city). Nothing is measured in "
          "degrees. Null means \"not defined\" (never a silent 0).\n";
    for (Level level : {Level::Cluster, Level::Heritage, Level::City, Level::Programme,
                        Level::Overlap, Level::CityYear}) {
        md << "\n## `" << layer_name(level) << "`\n\n"
           << "| field | type | unit | formula | parameters | meaning |\n"
              "|---|---|---|---|---|---|\n";
        for (const auto& i : indicator_catalogue()) {
            if (i.level == level) {
                md << "| `" << i.id << "` | " << type_text(i.type) << " | " << i.unit << " | "
                   << i.formula << " | " << (i.parameters.empty() ? "—" : i.parameters) << " | "
                   << i.meaning << " |\n";
            }
        }
    }
    md << "\n" << industrial_rule_markdown();
    return md.str();
}

} // namespace creatlas
