// Private to the measure stage: the per-level functions measure_atlas composes, and
// what they share.
//
// Each level takes the checked inputs, the links and the project, and returns its
// output table together with the facts a later level needs (a city's indicators
// are sums over its clusters and sites). The order of composition follows those
// needs: clusters, heritage × programme overlaps, heritage sites, programmes,
// cities, then the hexagonal grid.
#pragma once

#include "city_frames.hpp"
#include "creatlas/check.hpp"
#include "creatlas/link.hpp"
#include "creatlas/measure.hpp"

#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace creatlas::detail {

using Column = std::vector<Value>;
using Columns = std::map<std::string, Column>;

/// The identifier of every feature of each level, as written to the output.
struct Ids {
    std::vector<std::string> cities, clusters, heritage, programmes;
};
Ids ids_of(const CheckedInputs& in, const Project& project);

/// Every catalogue field of `level`, as a column of `n` nulls.
Columns columns_for(Level level, std::size_t n);

/// Output table of one level: catalogue fields first, then the input's own fields.
/// `absorbed`: input fields that are the source of a catalogue field of the same name
/// (e.g. id_field "cluster_id"): they are not written twice.
Table assemble(Level level, Columns& columns, Table&& input,
               const std::set<std::string>& absorbed = {});

/// When `t` mixes point and polygon geometries, move its polygons to a companion
/// footprint table (first field: the layer's id field) and leave points on their surface.
std::optional<Table> split_mixed(const GeosContext& geos, Table& t);

Value opt_real(std::optional<double> v);
Value id_or_null(int row, const std::vector<std::string>& ids);
/// "z1,z4": the ids of `rows`, comma-separated.
std::string join_ids(const std::vector<int>& rows, const std::vector<std::string>& ids);

/// A checked cluster attribute of cluster `i`, wherever it was read from.
template <class T>
std::optional<T> value_of(const ClusterField<T>& f, std::size_t i, const Links& links) {
    switch (f.from) {
    case ClusterField<T>::From::Missing:
        return std::nullopt;
    case ClusterField<T>::From::Clusters:
        return f.values[i];
    case ClusterField<T>::From::Attributes: {
        const int row = i < links.cluster_attributes.size() ? links.cluster_attributes[i] : -1;
        return row < 0 ? std::nullopt : f.values[static_cast<std::size_t>(row)];
    }
    }
    return std::nullopt;
}

/// The formation-type mix of `types` (counts by type, index 0 unknown) into row `c` of
/// type_1 … type_5, dominant_type and type_diversity.
void type_columns(std::size_t c, const std::array<std::int64_t, 6>& types, Columns& cols);

/// What the city level needs of the clusters.
struct ClusterFacts {
    std::vector<Anchor> anchor;                    ///< point on surface
    std::vector<std::optional<double>> centrality; ///< in city radii
    std::vector<int> type;                         ///< formation type, 0 unknown
    std::vector<double> grant;                     ///< roubles
};
struct ClusterLevel {
    Table table;
    ClusterFacts facts;
};
/// The clusters layer. Consumes the clusters table.
ClusterLevel measure_clusters(const GeosContext& geos, const Project& project, CheckedInputs& in,
                              const Links& links, const Ids& ids, CityFrames& frames,
                              RunReport& report);

/// The heritage_programmes layer: one row per site × zone that meet.
Table measure_overlaps(const GeosContext& geos, const CheckedInputs& in, const Links& links,
                       const Ids& ids, CityFrames& frames);

/// What the city level needs of the heritage sites.
struct HeritageFacts {
    std::vector<bool> industrial;
    std::vector<int> site_cluster;                ///< the cluster re-using the site, -1 none
    std::vector<std::optional<double>> footprint; ///< m², polygons only
};
struct HeritageLevel {
    Table table;
    HeritageFacts facts;
};
/// The heritage_sites layer. Consumes the heritage table.
HeritageLevel measure_heritage(const GeosContext& geos, const Project& project, CheckedInputs& in,
                               const Links& links, const Ids& ids, CityFrames& frames,
                               RunReport& report);

/// The programmes layer. Consumes the programmes table.
Table measure_programmes(const Project& project, CheckedInputs& in, const Links& links,
                         const Ids& ids);

/// Each city's transformation year by year (city_years.cpp), over the run's span: from
/// the first year with any dated activity (a cluster opening, a programme starting, a
/// grant) to reference_year. Counts per city, indexed by year − first.
struct Trajectories {
    int first = 0;               ///< first year of the span
    int years = 0;               ///< years in the span; 0 when nothing is dated
    bool clusters_known = false; ///< the run has clusters with an opened field
    bool zones_known = false;    ///< the programmes have a start-year field
    bool grants_known = false;   ///< the grants have a year field
    struct Series {
        std::vector<std::int64_t> open, opened, closed, reused, zones, covered, grants;
        std::vector<double> grant_rub;
        std::array<std::vector<std::int64_t>, 6> types; ///< open clusters by type
    };
    std::vector<Series> city;
    std::vector<std::int64_t> ih_count;           ///< industrial sites per city
    std::vector<std::optional<int>> first_opened; ///< earliest opening year per city
    std::vector<std::int64_t> opened_last5;       ///< openings in the last five years
};
Trajectories trace_cities(const Project& project, const CheckedInputs& in, const Links& links,
                          const ClusterFacts& clusters, const HeritageFacts& heritage,
                          RunReport& report);

/// The trajectory summary of city c (first_cluster_year, …) into the cities' columns.
void trajectory_columns(std::size_t c, const Project& project, const Trajectories& t, Columns& ctc);

/// The city_years layer: one row per city and year of the span, each with a copy of
/// the city's geometry in `cities` (the cities layer as written).
Table measure_city_years(const GeosContext& geos, const Trajectories& t, const Ids& ids,
                         const Table& cities);
/// The creative economy of every city (economy.cpp): ent_total, ent_per_1000,
/// ent_employees, ent_other, ent_<sector>, lq_<sector>, leading_sector, krugman_index.
/// Leaves them null when the project has no [enterprises].
void economy_city_columns(const GeosContext& geos, const Project& project, const CheckedInputs& in,
                          const Links& links, Columns& ctc);
/// Each cluster's creative neighbourhood: ent_near, ent_near_mix, ent_near_leading.
void economy_cluster_columns(const Project& project, const CheckedInputs& in, const Links& links,
                             Columns& cc);

/// The cities layer. Consumes the cities table (`frames` must not be used after).
Table measure_cities(const GeosContext& geos, const Project& project, CheckedInputs& in,
                     const Links& links, const Ids& ids, const CityFrames& frames,
                     const ClusterFacts& clusters, const HeritageFacts& heritage,
                     const Trajectories& trajectories, RunReport& report);

} // namespace creatlas::detail
