// Spatial weights: contiguity from polygons, k nearest neighbours and distance
// bands from points (geodesic), and their transforms.
#include "creatlas/error.hpp"
#include "creatlas/geodesy.hpp"
#include "creatlas/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>
#include <utility>

namespace creatlas::stats {

std::vector<std::size_t> Weights::islands() const {
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < size(); ++i) {
        if (cardinality(i) == 0) {
            out.push_back(i);
        }
    }
    return out;
}

double Weights::s0() const {
    return std::accumulate(values.begin(), values.end(), 0.0);
}

std::vector<double> Weights::lag(const std::vector<double>& x) const {
    std::vector<double> out(size(), 0.0);
    for (std::size_t i = 0; i < size(); ++i) {
        double s = 0;
        for (std::size_t e = offsets[i]; e < offsets[i + 1]; ++e) {
            s += values[e] * x[static_cast<std::size_t>(neighbours[e])];
        }
        out[i] = s;
    }
    return out;
}

Weights weights_from_neighbours(const std::vector<std::vector<std::int32_t>>& lists) {
    Weights w;
    w.offsets.reserve(lists.size() + 1);
    const auto n = static_cast<std::int32_t>(lists.size());
    for (std::size_t i = 0; i < lists.size(); ++i) {
        std::vector<std::int32_t> row = lists[i];
        std::sort(row.begin(), row.end());
        row.erase(std::unique(row.begin(), row.end()), row.end());
        for (std::int32_t j : row) {
            if (j < 0 || j >= n) {
                throw Error(ErrorKind::Internal, "spatial weights: neighbour id out of range");
            }
            if (static_cast<std::size_t>(j) != i) {
                w.neighbours.push_back(j);
                w.values.push_back(1.0);
            }
        }
        w.offsets.push_back(w.neighbours.size());
    }
    w.transform = Transform::Binary;
    return w;
}

Weights transformed(const Weights& w, Transform transform) {
    Weights out = w;
    out.transform = transform;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto k = static_cast<double>(out.cardinality(i));
        for (std::size_t e = out.offsets[i]; e < out.offsets[i + 1]; ++e) {
            out.values[e] = transform == Transform::Binary ? 1.0 : 1.0 / k;
        }
    }
    return out;
}

namespace {

void collect_item(void* item, void* userdata) {
    static_cast<std::vector<std::int32_t>*>(userdata)->push_back(*static_cast<std::int32_t*>(item));
}

// Whether the boundaries of a and b share a line longer than `tol` (degrees),
// after snapping a's boundary onto b's: rook contiguity that survives slivers.
bool share_edge(const GeosContext& geos, const GEOSGeometry& ba, const GEOSGeometry& bb,
                double tol) {
    GEOSContextHandle_t h = geos.handle();
    GeomPtr snapped;
    const GEOSGeometry* a = &ba;
    if (tol > 0) {
        snapped = geos.own(GEOSSnap_r(h, &ba, &bb, tol));
        a = snapped.get();
    }
    GEOSGeometry* raw = GEOSIntersection_r(h, a, &bb);
    if (raw == nullptr && tol > 0) {
        // A robustness failure on nearly coincident lines: retry on a grid of the
        // tolerance, which is what the snap meant anyway.
        raw = GEOSIntersectionPrec_r(h, a, &bb, tol);
    }
    GeomPtr shared = geos.own(raw);
    double length = 0;
    GEOSLength_r(h, shared.get(), &length);
    return length > tol && length > 0;
}

} // namespace

Weights contiguity_weights(const GeosContext& geos,
                           const std::vector<const GEOSGeometry*>& polygons, Contiguity rule,
                           double snap_m) {
    GEOSContextHandle_t h = geos.handle();
    const std::size_t n = polygons.size();
    std::vector<std::int32_t> ids(n);
    std::iota(ids.begin(), ids.end(), 0);
    std::vector<double> tol(n, 0.0);
    std::vector<Envelope> env(n);
    std::vector<bool> usable(n, false);
    TreePtr tree = geos.make_tree();
    for (std::size_t i = 0; i < n; ++i) {
        const GEOSGeometry* g = polygons[i];
        if (g == nullptr || GEOSisEmpty_r(h, g) != 0) {
            continue;
        }
        usable[i] = true;
        env[i] = envelope_of(geos, *g);
        if (snap_m > 0) {
            // The tolerance in degrees: the widest of the two axes at the polygon's
            // latitudes, so a gap of snap_m metres is always bridged.
            const DegreeBuffer b = degree_buffer(snap_m, env[i].miny, env[i].maxy);
            tol[i] = std::max(b.dlon, b.dlat);
        }
        GEOSSTRtree_insert_r(h, tree.get(), g, &ids[i]);
    }

    std::vector<std::vector<std::int32_t>> lists(n);
    std::vector<GeomPtr> boundaries(n);
    auto boundary = [&](std::size_t i) -> const GEOSGeometry& {
        if (!boundaries[i]) {
            boundaries[i] = geos.own(GEOSBoundary_r(h, polygons[i]));
        }
        return *boundaries[i];
    };
    std::vector<std::int32_t> candidates;
    for (std::size_t i = 0; i < n; ++i) {
        if (!usable[i]) {
            continue;
        }
        const double t = tol[i];
        GeomPtr box = geos.own(GEOSGeom_createRectangle_r(h, env[i].minx - t, env[i].miny - t,
                                                          env[i].maxx + t, env[i].maxy + t));
        candidates.clear();
        GEOSSTRtree_query_r(h, tree.get(), box.get(), &collect_item, &candidates);
        std::sort(candidates.begin(), candidates.end());
        PreparedPtr prepared;
        for (std::int32_t c : candidates) {
            const auto j = static_cast<std::size_t>(c);
            if (j <= i) {
                continue; // each pair once
            }
            if (!prepared) {
                prepared = geos.prepare(*polygons[i]);
            }
            const double pair_tol = std::max(t, tol[j]);
            const char touches =
                pair_tol > 0
                    ? GEOSPreparedDistanceWithin_r(h, prepared.get(), polygons[j], pair_tol)
                    : GEOSPreparedIntersects_r(h, prepared.get(), polygons[j]);
            if (touches == 2) {
                throw Error(ErrorKind::Internal,
                            "GEOS contiguity test failed: " + geos.last_error());
            }
            if (touches == 0) {
                continue;
            }
            if (rule == Contiguity::Rook && !share_edge(geos, boundary(i), boundary(j), pair_tol)) {
                continue;
            }
            lists[i].push_back(c);
            lists[j].push_back(static_cast<std::int32_t>(i));
        }
    }
    return weights_from_neighbours(lists);
}

namespace {

// Points in an STRtree, searched by geodesic radius. The tree is queried with
// envelopes from degree_buffer (conservative), so every point within r metres is a
// candidate; candidates are then measured geodesically.
class PointIndex {
public:
    PointIndex(const GeosContext& geos, const std::vector<LonLat>& points)
        : geos_(geos), points_(points), ids_(points.size()), tree_(geos.make_tree()) {
        std::iota(ids_.begin(), ids_.end(), 0);
        geoms_.reserve(points.size());
        for (std::size_t i = 0; i < points.size(); ++i) {
            const LonLat& p = points[i];
            if (!std::isfinite(p.lon) || !std::isfinite(p.lat) || std::fabs(p.lat) > 90.0) {
                throw_bad_input("spatial statistics: point " + std::to_string(i) +
                                " has no valid longitude/latitude");
            }
            geoms_.push_back(geos.point(p.lon, p.lat));
            GEOSSTRtree_insert_r(geos.handle(), tree_.get(), geoms_.back().get(), &ids_[i]);
        }
    }

    /// (distance, index) of the points other than i within r metres of point i.
    void within(std::size_t i, double r, std::vector<std::pair<double, std::int32_t>>& out) {
        out.clear();
        const LonLat& p = points_[i];
        const DegreeBuffer b = degree_buffer(r, p.lat, p.lat);
        const double miny = std::max(-90.0, p.lat - b.dlat);
        const double maxy = std::min(90.0, p.lat + b.dlat);
        candidates_.clear();
        if (b.dlon >= 180.0) {
            query(-180.0, miny, 180.0, maxy);
        } else {
            query(p.lon - b.dlon, miny, p.lon + b.dlon, maxy);
            // Across the antimeridian, the same window shifted by a full turn.
            if (p.lon - b.dlon < -180.0) {
                query(p.lon - b.dlon + 360.0, miny, 180.0, maxy);
            }
            if (p.lon + b.dlon > 180.0) {
                query(-180.0, miny, p.lon + b.dlon - 360.0, maxy);
            }
        }
        std::sort(candidates_.begin(), candidates_.end());
        candidates_.erase(std::unique(candidates_.begin(), candidates_.end()), candidates_.end());
        for (std::int32_t c : candidates_) {
            if (static_cast<std::size_t>(c) == i) {
                continue;
            }
            const LonLat& q = points_[static_cast<std::size_t>(c)];
            const double d = geodesic_distance_m(p.lon, p.lat, q.lon, q.lat);
            if (d <= r) {
                out.emplace_back(d, c);
            }
        }
    }

private:
    void query(double minx, double miny, double maxx, double maxy) {
        GeomPtr box = geos_.own(GEOSGeom_createRectangle_r(geos_.handle(), minx, miny, maxx, maxy));
        GEOSSTRtree_query_r(geos_.handle(), tree_.get(), box.get(), &collect_item, &candidates_);
    }

    const GeosContext& geos_;
    const std::vector<LonLat>& points_;
    std::vector<std::int32_t> ids_;
    std::vector<GeomPtr> geoms_;
    TreePtr tree_;
    std::vector<std::int32_t> candidates_;
};

// The k nearest (distance, index) of every point, nearest first, ties by index.
std::vector<std::vector<std::pair<double, std::int32_t>>>
k_nearest(const GeosContext& geos, const std::vector<LonLat>& points, std::size_t k) {
    const std::size_t n = points.size();
    PointIndex index(geos, points);
    // A first radius from the density over the points' extent: a disc that holds
    // about 2k points on average. It only affects speed, never the result.
    double minlat = 90;
    double maxlat = -90;
    double minlon = 180;
    double maxlon = -180;
    for (const LonLat& p : points) {
        minlat = std::min(minlat, p.lat);
        maxlat = std::max(maxlat, p.lat);
        minlon = std::min(minlon, p.lon);
        maxlon = std::max(maxlon, p.lon);
    }
    const double midlat = 0.5 * (minlat + maxlat) * M_PI / 180.0;
    const double extent_m2 = std::max(1.0, (maxlat - minlat) * 110574.0) *
                             std::max(1.0, (maxlon - minlon) * 111320.0 * std::cos(midlat));
    double r = std::max(
        1.0, std::sqrt(2.0 * static_cast<double>(k) * extent_m2 / (M_PI * static_cast<double>(n))));
    std::vector<std::vector<std::pair<double, std::int32_t>>> out(n);
    std::vector<std::pair<double, std::int32_t>> found;
    for (std::size_t i = 0; i < n; ++i) {
        double radius = r;
        for (;;) {
            index.within(i, radius, found);
            if (found.size() >= k) {
                break;
            }
            if (radius > 2.1e7) { // beyond half the globe: every point was a candidate
                throw Error(ErrorKind::Internal, "nearest-neighbour search did not converge");
            }
            radius *= 2.0;
        }
        std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(k),
                          found.end());
        out[i].assign(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(k));
        // Start the next search near what this one needed (points come in any order).
        r = std::max(1.0, 0.5 * (r + out[i].back().first * 1.5));
    }
    return out;
}

} // namespace

Weights knn_weights(const GeosContext& geos, const std::vector<LonLat>& points, int k) {
    if (k < 1 || static_cast<std::size_t>(k) >= points.size()) {
        throw_bad_input("knn weights need 1 <= k < number of points (k = " + std::to_string(k) +
                        ", points = " + std::to_string(points.size()) + ")");
    }
    const auto nearest = k_nearest(geos, points, static_cast<std::size_t>(k));
    std::vector<std::vector<std::int32_t>> lists(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        for (const auto& [d, j] : nearest[i]) {
            lists[i].push_back(j);
        }
    }
    return weights_from_neighbours(lists);
}

Weights distance_band_weights(const GeosContext& geos, const std::vector<LonLat>& points,
                              double band_m) {
    if (!(band_m > 0) || !std::isfinite(band_m)) {
        throw_bad_input("distance band must be a positive number of metres");
    }
    PointIndex index(geos, points);
    std::vector<std::vector<std::int32_t>> lists(points.size());
    std::vector<std::pair<double, std::int32_t>> found;
    for (std::size_t i = 0; i < points.size(); ++i) {
        index.within(i, band_m, found);
        for (const auto& [d, j] : found) {
            lists[i].push_back(j);
        }
    }
    return weights_from_neighbours(lists);
}

std::vector<double> nearest_neighbour_distances_m(const GeosContext& geos,
                                                  const std::vector<LonLat>& points) {
    if (points.size() < 2) {
        throw_bad_input("nearest-neighbour distances need at least 2 points");
    }
    const auto nearest = k_nearest(geos, points, 1);
    std::vector<double> out(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        out[i] = nearest[i].front().first;
    }
    return out;
}

WeightsSpec WeightsSpec::parse(const std::string& weights, const std::string& transform) {
    WeightsSpec spec;
    auto number_after = [&](std::size_t colon) -> double {
        const std::string text = weights.substr(colon + 1);
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(text, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != text.size() || !std::isfinite(v) || v <= 0) {
            throw Error(ErrorKind::Usage,
                        "--weights '" + weights + "': expected a positive number after ':'");
        }
        return v;
    };
    if (weights == "queen") {
        spec.kind = Kind::Queen;
    } else if (weights == "rook") {
        spec.kind = Kind::Rook;
    } else if (weights.rfind("knn:", 0) == 0) {
        spec.kind = Kind::Knn;
        const double k = number_after(3);
        if (k != std::floor(k) || k > 1e6) {
            throw Error(ErrorKind::Usage, "--weights '" + weights + "': k must be a whole number");
        }
        spec.k = static_cast<int>(k);
    } else if (weights.rfind("band:", 0) == 0) {
        spec.kind = Kind::Band;
        spec.band_m = number_after(4);
    } else {
        throw Error(ErrorKind::Usage,
                    "--weights '" + weights + "': expected queen, rook, knn:K or band:METRES");
    }
    if (transform == "r" || transform == "R") {
        spec.transform = Transform::Row;
    } else if (transform == "b" || transform == "B") {
        spec.transform = Transform::Binary;
    } else {
        throw Error(ErrorKind::Usage, "--transform '" + transform + "': expected r or b");
    }
    return spec;
}

std::string WeightsSpec::describe() const {
    std::ostringstream s;
    switch (kind) {
    case Kind::Queen:
        s << "queen";
        break;
    case Kind::Rook:
        s << "rook";
        break;
    case Kind::Knn:
        s << "knn:" << k;
        break;
    case Kind::Band:
        s << "band:" << band_m;
        break;
    }
    s << " (" << (transform == Transform::Row ? "r" : "b") << ")";
    return s.str();
}

Weights build_weights(const GeosContext& geos, const WeightsSpec& spec,
                      const std::vector<const GEOSGeometry*>& polygons,
                      const std::vector<LonLat>& points) {
    Weights w;
    switch (spec.kind) {
    case WeightsSpec::Kind::Queen:
    case WeightsSpec::Kind::Rook:
        w = contiguity_weights(geos, polygons,
                               spec.kind == WeightsSpec::Kind::Queen ? Contiguity::Queen
                                                                     : Contiguity::Rook,
                               spec.snap_m);
        break;
    case WeightsSpec::Kind::Knn:
        w = knn_weights(geos, points, spec.k);
        break;
    case WeightsSpec::Kind::Band:
        w = distance_band_weights(geos, points, spec.band_m);
        break;
    }
    return transformed(w, spec.transform);
}

std::vector<LonLat> representative_points(const GeosContext& geos, const Table& table) {
    GEOSContextHandle_t h = geos.handle();
    std::vector<LonLat> out;
    out.reserve(table.rows.size());
    for (const Row& row : table.rows) {
        if (!row.geom || GEOSisEmpty_r(h, row.geom.get()) != 0) {
            throw_bad_input("a feature without geometry cannot take part in a spatial statistic",
                            {table.source, table.layer, row.fid, ""});
        }
        const GEOSGeometry* g = row.geom.get();
        GeomPtr centroid;
        if (GEOSGeomTypeId_r(h, g) != GEOS_POINT) {
            centroid = geos.own(GEOSGetCentroid_r(h, g));
            g = centroid.get();
        }
        LonLat p;
        GEOSGeomGetX_r(h, g, &p.lon);
        GEOSGeomGetY_r(h, g, &p.lat);
        out.push_back(p);
    }
    return out;
}

} // namespace creatlas::stats
