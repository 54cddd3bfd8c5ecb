// creatlas — the link stage: joins by key and by location.
//
// In:  CheckedInputs (check.hpp) and the project.
// Out: Links — every relation between the inputs, as row numbers: clusters to
//      their attribute rows and grants (by key), heritage sites to the planner's
//      overrides (by key), and by location clusters, heritage sites and
//      enterprises to cities, clusters to heritage sites, clusters and sites to
//      programme zones, and every site to its nearest cluster. The one change
//      link makes to its inputs: point cities take the polygon of
//      [city_areas] that contains them, before anything is linked to them.
//
// Key joins compare normalised keys (text.hpp) and report unmatched keys.
// Spatial links query a GEOS STRtree built over lon/lat envelopes and test
// candidates with prepared geometries; every distance is in metres on the
// WGS 84 ellipsoid (see geodesy.hpp). Per-feature links split across cores.
#pragma once

#include "creatlas/geos.hpp"
#include "creatlas/progress.hpp"
#include "creatlas/report.hpp"
#include "creatlas/table.hpp"
#include "creatlas/text.hpp"

#include <optional>
#include <string>
#include <vector>

namespace creatlas {

struct CheckedInputs;
struct Project;

/// How a key join is reported.
struct KeyReporting {
    bool list_unmatched_left = true; ///< list left rows without a partner
    bool count_right = false;        ///< `matched` counts right rows (else left rows)
};

/// A key join: for each row of `left`, the rows of `right` with the same normalised key.
struct KeyMatch {
    std::vector<std::vector<int>> rows; ///< per left row, ascending
    KeyLinkReport report;
};
KeyMatch match_keys(const Table& left, const std::string& left_key, const Table& right,
                    const std::string& right_key, KeyReporting how = {});

/// Throws Error(BadInput) listing keys that occur more than once in `field`.
void require_unique_keys(const Table& table, const std::string& field);

/// An STRtree over the geometries of a table's rows (rows without geometry are left out).
/// The table must outlive the index and must not change while it is used. Building it
/// has GEOS compute the envelope of every geometry and every part of one (GEOS 3.11
/// does so on first use otherwise), so that queries and GEOS operations on the indexed
/// geometries only read them: other threads may copy them meanwhile (parallel.hpp).
class SpatialIndex {
public:
    SpatialIndex(const GeosContext& geos, const Table& table);
    /// Rows whose envelope intersects [minx, maxx] × [miny, maxy] (lon/lat degrees).
    std::vector<int> query(double minx, double miny, double maxx, double maxy) const;
    /// Rows whose envelope intersects that of g.
    std::vector<int> query(const GEOSGeometry& g) const;
    /// A prepared form of row i's geometry, made on first use.
    const GEOSPreparedGeometry& prepared(int row) const;
    /// The envelope of row i's geometry, for a row the index holds (one a query returned):
    /// kept beside the tree, so that reading it touches neither the row nor its geometry.
    const Envelope& envelope(int row) const { return envelopes_[static_cast<std::size_t>(row)]; }
    /// True when row i's geometry (a row the index holds) is a point.
    bool is_point(int row) const { return points_[static_cast<std::size_t>(row)] != 0; }
    const Table& table() const { return table_; }
    bool empty() const { return size_ == 0; }

private:
    const GeosContext& geos_;
    const Table& table_;
    TreePtr tree_;
    std::vector<int> ids_;              ///< stable storage for the tree's item pointers
    std::vector<Envelope> envelopes_;   ///< per row (zero for rows left out)
    std::vector<unsigned char> points_; ///< per row: 1 for a point
    mutable std::vector<PreparedPtr> prepared_;
    std::size_t size_ = 0;
};

/// Shortest distance in metres between two lon/lat geometries (0 when they intersect).
double distance_m(const GeosContext& geos, const GEOSGeometry& a, const GEOSGeometry& b);

/// The nearest row of `index` to `g` within max_m metres: row -1 when none.
struct Nearest {
    int row = -1;
    double distance_m = 0;
};
Nearest nearest_within(const GeosContext& geos, const SpatialIndex& index, const GEOSGeometry& g,
                       double max_m);

/// A half-open range of rows [begin, end) of a table (clamped to its size): the link
/// functions below work on a range so that the work can be split across threads.
struct RowRange {
    std::size_t begin = 0;
    std::size_t end = static_cast<std::size_t>(-1);
};

/// A feature's city: the containing polygon, else the nearest within the distance.
struct CityLink {
    int city = -1;        ///< row in the cities table, -1 when none
    bool nearest = false; ///< true when linked as the nearest, not the containing, city
    double distance_m = 0;
};
/// One result per row of `range`.
std::vector<CityLink> link_to_cities(const GeosContext& geos, const Table& features,
                                     const SpatialIndex& cities, double max_distance_m,
                                     RowRange range = {});

/// A cluster's heritage site: the intersecting one (for points within the snap
/// distance, in metres); the nearest of several. Also the nearest site at any distance.
struct HeritageLink {
    int site = -1; ///< linked site (intersecting or within snap), -1 when none
    double distance_m = 0;
    int nearest = -1; ///< nearest site at any distance, -1 when there are none
    double nearest_m = 0;
};
/// One result per row of `range`.
std::vector<HeritageLink> link_to_heritage(const GeosContext& geos, const Table& clusters,
                                           const SpatialIndex& heritage, double snap_m,
                                           RowRange range = {});

/// For each feature, the zones (rows) whose geometry intersects it, ascending.
std::vector<std::vector<int>> link_to_zones(const GeosContext& geos, const Table& features,
                                            const SpatialIndex& zones, RowRange range = {});

/// For each feature of `range`, the rows of `index` within max_m metres of it (geodesic;
/// 0 inside a polygon feature), ascending.
std::vector<std::vector<int>> link_within(const GeosContext& geos, const Table& features,
                                          const SpatialIndex& index, double max_m,
                                          RowRange range = {});

/// For each row of `range`, the nearest row of `index` at any distance (row -1 when the
/// index is empty or the feature has no geometry).
std::vector<Nearest> nearest_each(const GeosContext& geos, const Table& features,
                                  const SpatialIndex& index, RowRange range = {});

/// Give point cities the polygon of `areas` that contains them. When several cities
/// fall in one polygon it goes to the most populous (`population`, one per city,
/// null counting as 0; ties: the lower feature id) and the others keep their
/// points. Returns the number of cities that received a polygon; the polygons
/// shared by several cities are summed up in one note.
std::int64_t assign_city_areas(const GeosContext& geos, Table& cities, const Table& areas,
                               const std::vector<std::optional<double>>& population,
                               std::vector<std::string>& notes);

/// Every relation the measure stage needs, by row number (-1: none).
struct Links {
    // by key
    std::vector<int> cluster_attributes;          ///< per cluster: its [cluster_attributes] row
    std::vector<std::vector<int>> cluster_grants; ///< per cluster: its [grants] rows
    std::vector<int> heritage_override;           ///< per site: its [heritage_overrides] row
    // by location
    std::vector<CityLink> cluster_city;
    std::vector<CityLink> heritage_city;
    std::vector<CityLink> enterprise_city;
    std::vector<HeritageLink> cluster_heritage;
    /// Per polygon cluster: the heritage footprints it overlaps (empty for points).
    std::vector<std::vector<int>> cluster_footprints;
    std::vector<std::vector<int>> cluster_zones;  ///< programme zones each cluster lies in
    std::vector<std::vector<int>> heritage_zones; ///< programme zones each site meets
    std::vector<std::vector<int>> city_zones;     ///< programme zones each city meets
    std::vector<Nearest> site_nearest_cluster;    ///< at any distance
    /// Per cluster: the enterprises within [enterprises] cluster_radius_m (its creative
    /// neighbourhood), ascending.
    std::vector<std::vector<int>> cluster_enterprises;
};

/// Make every link. Gives point cities their [city_areas] polygon first. Adds the
/// key joins to `report.key_links` and counts of links to `report.links`.
Links link_inputs(const GeosContext& geos, CheckedInputs& inputs, const Project& project,
                  RunReport& report, const Progress& progress = {});

} // namespace creatlas
