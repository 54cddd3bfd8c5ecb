// The link stage: spatial indexes and links by location (link.hpp).
#include "creatlas/error.hpp"
#include "creatlas/geodesy.hpp"
#include "creatlas/link.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace creatlas {

namespace {

/// Have GEOS compute the envelope of every part of `g` (the rings of its polygons, the
/// members of its collections) now. GEOS 3.11 computes an envelope on its first use and
/// keeps it in the geometry, so reading a geometry can write to it; once every envelope
/// is there, the thread that owns an index only reads its geometries, and other threads
/// may copy them meanwhile (parallel.hpp).
void compute_envelopes(GEOSContextHandle_t h, const GEOSGeometry* g) {
    if (GEOSisEmpty_r(h, g) != 0) {
        // An empty part keeps an empty envelope, which GEOS makes on first use as well.
        GeomPtr e(GEOSEnvelope_r(h, g), GeomDeleter{h});
        return;
    }
    double x = 0;
    GEOSGeom_getXMin_r(h, g, &x);
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        compute_envelopes(h, GEOSGetExteriorRing_r(h, g));
        const int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; ++i) {
            compute_envelopes(h, GEOSGetInteriorRingN_r(h, g, i));
        }
    } else if (type == GEOS_MULTIPOINT || type == GEOS_MULTILINESTRING ||
               type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int parts = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < parts; ++i) {
            compute_envelopes(h, GEOSGetGeometryN_r(h, g, i));
        }
    }
}

} // namespace

SpatialIndex::SpatialIndex(const GeosContext& geos, const Table& table)
    : geos_(geos), table_(table), tree_(geos.make_tree()), envelopes_(table.rows.size()),
      points_(table.rows.size(), 0), prepared_(table.rows.size()) {
    ids_.reserve(table.rows.size());
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        ids_.push_back(static_cast<int>(i));
    }
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const GEOSGeometry* g = table.rows[i].geom.get();
        if (g == nullptr || GEOSisEmpty_r(geos.handle(), g) != 0) {
            continue;
        }
        compute_envelopes(geos.handle(), g);
        GEOSSTRtree_insert_r(geos.handle(), tree_.get(), g, &ids_[i]);
        envelopes_[i] = envelope_of(geos, *g);
        points_[i] = GEOSGeomTypeId_r(geos.handle(), g) == GEOS_POINT ? 1 : 0;
        ++size_;
    }
    // The first query builds the tree; do it now so that later queries only read it.
    (void)query(0, 0, 0, 0);
}

std::vector<int> SpatialIndex::query(double minx, double miny, double maxx, double maxy) const {
    std::vector<int> out;
    if (size_ == 0) {
        return out;
    }
    GeomPtr box = geos_.own(GEOSGeom_createRectangle_r(geos_.handle(), minx, miny, maxx, maxy));
    GEOSSTRtree_query_r(
        geos_.handle(), tree_.get(), box.get(),
        [](void* item, void* userdata) {
            static_cast<std::vector<int>*>(userdata)->push_back(*static_cast<int*>(item));
        },
        &out);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<int> SpatialIndex::query(const GEOSGeometry& g) const {
    const Envelope e = envelope_of(geos_, g);
    return query(e.minx, e.miny, e.maxx, e.maxy);
}

const GEOSPreparedGeometry& SpatialIndex::prepared(int row) const {
    auto& slot = prepared_[static_cast<std::size_t>(row)];
    if (!slot) {
        slot = geos_.prepare(*table_.rows[static_cast<std::size_t>(row)].geom);
    }
    return *slot;
}

namespace {

bool is_point(GEOSContextHandle_t h, const GEOSGeometry& g) {
    return GEOSGeomTypeId_r(h, &g) == GEOS_POINT;
}

std::pair<double, double> xy(GEOSContextHandle_t h, const GEOSGeometry& g) {
    double x = 0;
    double y = 0;
    GEOSGeomGetX_r(h, &g, &x);
    GEOSGeomGetY_r(h, &g, &y);
    return {x, y};
}

} // namespace

double distance_m(const GeosContext& geos, const GEOSGeometry& a, const GEOSGeometry& b) {
    GEOSContextHandle_t h = geos.handle();
    if (is_point(h, a)) {
        auto [x, y] = xy(h, a);
        return distance_point_geometry_m(geos, x, y, b);
    }
    if (is_point(h, b)) {
        auto [x, y] = xy(h, b);
        return distance_point_geometry_m(geos, x, y, a);
    }
    if (GEOSIntersects_r(h, &a, &b) == 1) {
        return 0.0;
    }
    // Nearest points found in lon/lat, then the exact distance from a's nearest point
    // to b in that point's azimuthal equidistant frame.
    GEOSCoordSequence* seq = GEOSNearestPoints_r(h, &a, &b);
    if (seq == nullptr) {
        throw Error(ErrorKind::Internal, "GEOS nearest points failed: " + geos.last_error());
    }
    double x = 0;
    double y = 0;
    GEOSCoordSeq_getXY_r(h, seq, 0, &x, &y);
    GEOSCoordSeq_destroy_r(h, seq);
    return distance_point_geometry_m(geos, x, y, b);
}

Nearest nearest_within(const GeosContext& geos, const SpatialIndex& index, const GEOSGeometry& g,
                       double max_m) {
    Nearest best;
    if (index.empty()) {
        return best;
    }
    const Envelope e = envelope_of(geos, g);
    // A cheap lower bound of the distance to each candidate orders the candidates and
    // skips those that cannot beat the best found: the exact distance costs a geodesic
    // inverse per vertex (issue 14). From a point, the bound is to the candidate's
    // envelope; from a line or polygon to a point candidate, it is from that point to
    // g's envelope (distance_m measures it from the point, in the point's frame); between
    // two non-points there is none (0).
    GEOSContextHandle_t h = geos.handle();
    const bool point = is_point(h, g);
    const bool empty = GEOSisEmpty_r(h, &g) != 0;
    // The candidates' envelopes and kinds come from the index, not from their geometries:
    // one contiguous array instead of a row, a geometry and its envelope per candidate
    // (the candidates are many where the index is dense). A candidate is never empty (the
    // index leaves those out), and a point's envelope is its coordinates.
    auto bound_of = [&](int row) {
        if (point) {
            return distance_lower_bound_m(e.minx, e.miny, index.envelope(row));
        }
        if (!empty && index.is_point(row)) {
            const Envelope& c = index.envelope(row);
            return distance_lower_bound_m(c.minx, c.miny, e);
        }
        return 0.0;
    };
    // The exact distance (distance_m); from a point to a line or polygon, covered or
    // not is told by the index's prepared form of the candidate.
    auto exact = [&](int row) {
        const GEOSGeometry& other = *index.table().rows[static_cast<std::size_t>(row)].geom;
        if (point && !empty && !index.is_point(row)) {
            const auto [x, y] = xy(h, g);
            return distance_point_geometry_m(geos, x, y, other, index.prepared(row));
        }
        return distance_m(geos, g, other);
    };
    struct Candidate {
        double bound;
        int row;
    };
    std::vector<Candidate> candidates;
    std::vector<Nearest> measured; // exact distances already computed for g
    constexpr std::size_t kRemembered = 32;
    // Half the Earth's meridian: nothing on the ellipsoid is farther than this.
    constexpr double kFarthest = 20004000.0;
    double radius = std::min(max_m, 2000.0);
    for (;;) {
        const DegreeBuffer b = degree_buffer(radius, e.miny, e.maxy);
        candidates.clear();
        for (int row :
             index.query(e.minx - b.dlon, e.miny - b.dlat, e.maxx + b.dlon, e.maxy + b.dlat)) {
            candidates.push_back({bound_of(row), row});
        }
        std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& c) {
            return a.bound < c.bound || (a.bound == c.bound && a.row < c.row);
        });
        // The same answer as measuring every candidate in row order: the smallest
        // distance, and of equal distances the first row.
        best = Nearest{};
        for (const Candidate& c : candidates) {
            if (best.row >= 0 && c.bound > best.distance_m) {
                break; // this one and all after it are farther than the best
            }
            // A wider pass meets the previous passes' candidates again: measure once
            // (a short list: the pruned passes measure few candidates).
            const auto seen = std::find_if(measured.begin(), measured.end(),
                                           [&c](const Nearest& m) { return m.row == c.row; });
            const double d = seen != measured.end() ? seen->distance_m : exact(c.row);
            if (seen == measured.end() && measured.size() < kRemembered) {
                measured.push_back({c.row, d});
            }
            if (best.row < 0 || d < best.distance_m || (d == best.distance_m && c.row < best.row)) {
                best = {c.row, d};
            }
        }
        if (best.row >= 0 && best.distance_m <= radius) {
            break; // everything outside the searched envelope is farther than radius
        }
        if (radius >= max_m || radius >= kFarthest) {
            break;
        }
        // Either nothing was found (widen) or the best lies beyond the radius: search
        // once more out to it, which is then complete.
        radius = std::min({max_m, kFarthest, best.row >= 0 ? best.distance_m : radius * 4.0});
    }
    if (best.row >= 0 && best.distance_m > max_m) {
        return {};
    }
    return best;
}

namespace {
std::pair<std::size_t, std::size_t> clamp(RowRange r, std::size_t n) {
    const std::size_t end = std::min(r.end, n);
    return {std::min(r.begin, end), end};
}
} // namespace

std::vector<CityLink> link_to_cities(const GeosContext& geos, const Table& features,
                                     const SpatialIndex& cities, double max_distance_m,
                                     RowRange range) {
    GEOSContextHandle_t h = geos.handle();
    const auto [first, last] = clamp(range, features.rows.size());
    std::vector<CityLink> out(last - first);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const std::size_t i = first + k;
        const GEOSGeometry* g = features.rows[i].geom.get();
        if (g == nullptr) {
            continue;
        }
        // Polygons and lines are placed by a point on their surface.
        GeomPtr anchor = is_point(h, *g) ? geos.clone(*g) : geos.own(GEOSPointOnSurface_r(h, g));
        for (int c : cities.query(*anchor)) {
            if (GEOSPreparedIntersects_r(h, &cities.prepared(c), anchor.get()) == 1) {
                out[k] = {c, false, 0.0};
                break;
            }
        }
        if (out[k].city < 0 && max_distance_m > 0) {
            const Nearest n = nearest_within(geos, cities, *g, max_distance_m);
            if (n.row >= 0) {
                out[k] = {n.row, true, n.distance_m};
            }
        }
    }
    return out;
}

std::vector<std::vector<int>> link_within(const GeosContext& geos, const Table& features,
                                          const SpatialIndex& index, double max_m, RowRange range) {
    const auto [first, last] = clamp(range, features.rows.size());
    std::vector<std::vector<int>> out(last - first);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const GEOSGeometry* g = features.rows[first + k].geom.get();
        if (g == nullptr || GEOSisEmpty_r(geos.handle(), g) != 0) {
            continue;
        }
        // The envelope grown by the distance in degrees at the feature's latitudes holds
        // every candidate; the geodesic distance then decides.
        const Envelope e = envelope_of(geos, *g);
        const DegreeBuffer b = degree_buffer(max_m, e.miny, e.maxy);
        for (int row :
             index.query(e.minx - b.dlon, e.miny - b.dlat, e.maxx + b.dlon, e.maxy + b.dlat)) {
            const GEOSGeometry& other = *index.table().rows[static_cast<std::size_t>(row)].geom;
            if (distance_m(geos, other, *g) <= max_m) {
                out[k].push_back(row);
            }
        }
    }
    return out;
}

std::vector<HeritageLink> link_to_heritage(const GeosContext& geos, const Table& clusters,
                                           const SpatialIndex& heritage, double snap_m,
                                           RowRange range) {
    const std::vector<Nearest> nearest = nearest_each(geos, clusters, heritage, range);
    std::vector<HeritageLink> out(nearest.size());
    for (std::size_t i = 0; i < nearest.size(); ++i) {
        const Nearest& n = nearest[i];
        out[i].nearest = n.row;
        out[i].nearest_m = n.distance_m;
        if (n.row >= 0 && n.distance_m <= snap_m) {
            out[i].site = n.row;
            out[i].distance_m = n.distance_m;
        }
    }
    return out;
}

std::vector<std::vector<int>> link_to_zones(const GeosContext& geos, const Table& features,
                                            const SpatialIndex& zones, RowRange range) {
    GEOSContextHandle_t h = geos.handle();
    const auto [first, last] = clamp(range, features.rows.size());
    std::vector<std::vector<int>> out(last - first);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const std::size_t i = first + k;
        const GEOSGeometry* g = features.rows[i].geom.get();
        if (g == nullptr) {
            continue;
        }
        for (int z : zones.query(*g)) {
            if (GEOSPreparedIntersects_r(h, &zones.prepared(z), g) == 1) {
                out[k].push_back(z);
            }
        }
    }
    return out;
}

std::vector<Nearest> nearest_each(const GeosContext& geos, const Table& features,
                                  const SpatialIndex& index, RowRange range) {
    const auto [first, last] = clamp(range, features.rows.size());
    std::vector<Nearest> out(last - first);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const GEOSGeometry* g = features.rows[first + k].geom.get();
        if (g != nullptr) {
            out[k] = nearest_within(geos, index, *g, std::numeric_limits<double>::infinity());
        }
    }
    return out;
}

} // namespace creatlas
