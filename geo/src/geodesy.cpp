#include "creatlas/geodesy.hpp"

#include "creatlas/error.hpp"

#include <algorithm>
#include <cmath>
#include <geodesic.h>
#include <limits>
#include <optional>
#include <proj.h>
#include <sstream>
#include <vector>

namespace creatlas {

namespace {

constexpr double kA = 6378137.0;                       // WGS 84 semi-major axis, metres
constexpr double kF = 1.0 / 298.257223563;             // WGS 84 flattening
constexpr double kRmin = kA * (1.0 - kF) * (1.0 - kF); // a(1 − e²) = a(1 − f)²
constexpr double kRad = M_PI / 180.0;

// How far a straight edge `width_m` wide between two points at latitude `lat_rad`
// (the far one) bows poleward of their parallel: its sagitta, W² tan φ / (8R).
double bow_m(double width_m, double lat_rad) {
    return width_m * width_m * std::tan(lat_rad) / (8 * kRmin);
}

// WGS 84 (EPSG:7030): a = 6378137 m, f = 1/298.257223563.
const geod_geodesic& wgs84() {
    static const geod_geodesic g = [] {
        geod_geodesic init{};
        geod_init(&init, 6378137.0, 1.0 / 298.257223563);
        return init;
    }();
    return g;
}

struct AeqdCentre {
    double lon;
    double lat;
};

// Map (lon, lat) to the ellipsoidal azimuthal equidistant frame of the centre:
// x = s·sin(azimuth), y = s·cos(azimuth), with s and azimuth from the geodesic
// inverse problem, so every distance from the origin is the geodesic distance.
int to_aeqd(double* x, double* y, void* userdata) {
    const auto* c = static_cast<const AeqdCentre*>(userdata);
    double s12 = 0;
    double azi1 = 0;
    double azi2 = 0;
    geod_inverse(&wgs84(), c->lat, c->lon, *y, *x, &s12, &azi1, &azi2);
    const double a = azi1 * M_PI / 180.0;
    *x = s12 * std::sin(a);
    *y = s12 * std::cos(a);
    return 1;
}

double ring_area(GEOSContextHandle_t h, const GEOSGeometry* ring) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    if (n < 4) {
        return 0.0;
    }
    std::vector<double> lats(n - 1);
    std::vector<double> lons(n - 1);
    for (unsigned int i = 0; i + 1 < n; ++i) {
        GEOSCoordSeq_getXY_r(h, seq, i, &lons[i], &lats[i]);
    }
    double area = 0;
    double perimeter = 0;
    geod_polygonarea(&wgs84(), lats.data(), lons.data(), static_cast<int>(n - 1), &area,
                     &perimeter);
    return std::fabs(area);
}

double polygon_area(GEOSContextHandle_t h, const GEOSGeometry* poly) {
    double area = ring_area(h, GEOSGetExteriorRing_r(h, poly));
    const int holes = GEOSGetNumInteriorRings_r(h, poly);
    for (int i = 0; i < holes; ++i) {
        area -= ring_area(h, GEOSGetInteriorRingN_r(h, poly, i));
    }
    return area;
}

// GEOS's distance from the origin to `g` mapped whole into the azimuthal equidistant
// frame of (lon, lat): the definition of distance_point_geometry_m for lines and
// polygons (the point is known to lie outside g).
double local_frame_distance_m(const GeosContext& geos, double lon, double lat,
                              const GEOSGeometry& g) {
    GEOSContextHandle_t h = geos.handle();
    AeqdCentre centre{lon, lat};
    GeomPtr local = geos.own(GEOSGeom_transformXY_r(h, &g, &to_aeqd, &centre));
    GeomPtr origin = geos.point(0.0, 0.0);
    double d = 0;
    if (GEOSDistance_r(h, local.get(), origin.get(), &d) == 0) {
        throw Error(ErrorKind::Internal, "GEOS distance failed: " + geos.last_error());
    }
    return d;
}

// The vertices of every linear part of a line or polygon geometry (rings, lines), as
// runs: run r is [start[r], start[r + 1]). False for anything else (points, collections).
struct Runs {
    std::vector<double> x, y;
    std::vector<std::size_t> start{0};
    bool polygonal = false;
};

bool append_runs(GEOSContextHandle_t h, const GEOSGeometry* g, Runs& runs) {
    auto add = [&](const GEOSGeometry* line) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, line);
        unsigned int n = 0;
        if (seq == nullptr || GEOSCoordSeq_getSize_r(h, seq, &n) == 0) {
            return false;
        }
        for (unsigned int i = 0; i < n; ++i) {
            double x = 0;
            double y = 0;
            GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
            runs.x.push_back(x);
            runs.y.push_back(y);
        }
        runs.start.push_back(runs.x.size());
        return true;
    };
    switch (GEOSGeomTypeId_r(h, g)) {
    case GEOS_LINESTRING:
    case GEOS_LINEARRING:
        return add(g);
    case GEOS_POLYGON: {
        runs.polygonal = true;
        if (!add(GEOSGetExteriorRing_r(h, g))) {
            return false;
        }
        const int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < holes; ++i) {
            if (!add(GEOSGetInteriorRingN_r(h, g, i))) {
                return false;
            }
        }
        return true;
    }
    case GEOS_MULTILINESTRING:
    case GEOS_MULTIPOLYGON: {
        const int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; ++i) {
            if (!append_runs(h, GEOSGetGeometryN_r(h, g, i), runs)) {
                return false;
            }
        }
        return true;
    }
    default:
        return false;
    }
}

// distance_point_geometry_m without mapping every vertex. The segments are taken in
// chunks; a chunk's lon/lat box gives a lower bound of the distance to any of its
// segments (distance_lower_bound_m), and only the chunks whose bound does not exceed
// the best distance found so far are mapped into the point's frame and measured by
// GEOS. The facets' distance is the smallest of the segments', so the result is
// GEOS's own, to the bit. One case is left to the whole mapping: the point outside
// the polygon in lon/lat but inside it in the frame, where GEOS answers 0. That can
// happen only in the sliver between a segment drawn straight in lon/lat and drawn
// straight in the frame, so only when the distance found is within the widest such
// sliver. nullopt: not a line or polygon, too few vertices to gain anything, or near
// a pole (no bound there).
std::optional<double> pruned_distance_m(const GeosContext& geos, double lon, double lat,
                                        const GEOSGeometry& g) {
    constexpr std::size_t kChunk = 4;   // segments per chunk
    constexpr std::size_t kMinimum = 8; // fewer vertices: map them all
    GEOSContextHandle_t h = geos.handle();
    Runs runs;
    if (!append_runs(h, &g, runs) || runs.x.size() < kMinimum) {
        return std::nullopt;
    }
    struct Chunk {
        double bound;
        std::size_t first; // vertices first … last
        std::size_t last;
    };
    std::vector<Chunk> chunks;
    double sliver = 0; // the widest sliver between the two ways of drawing a segment
    for (std::size_t r = 0; r + 1 < runs.start.size(); ++r) {
        const std::size_t end = runs.start[r + 1];
        for (std::size_t a = runs.start[r]; a + 1 < end; a += kChunk) {
            const std::size_t b = std::min(a + kChunk, end - 1);
            Envelope box{runs.x[a], runs.y[a], runs.x[a], runs.y[a]};
            for (std::size_t i = a + 1; i <= b; ++i) {
                box.minx = std::min(box.minx, runs.x[i]);
                box.maxx = std::max(box.maxx, runs.x[i]);
                box.miny = std::min(box.miny, runs.y[i]);
                box.maxy = std::max(box.maxy, runs.y[i]);
            }
            if (std::max(std::fabs(box.miny), std::fabs(box.maxy)) > 80.0 ||
                box.maxx - box.minx > 90.0) {
                return std::nullopt;
            }
            for (std::size_t i = a; i < b; ++i) {
                const double far = std::max(std::fabs(runs.y[i]), std::fabs(runs.y[i + 1])) * kRad;
                const double w = std::fabs(runs.x[i + 1] - runs.x[i]) * kRad * kA;
                const double hgt = std::fabs(runs.y[i + 1] - runs.y[i]) * kRad * kA;
                sliver = std::max(sliver, bow_m(w, far) + 1e-3 * (w + hgt));
            }
            chunks.push_back({distance_lower_bound_m(lon, lat, box), a, b});
        }
    }
    std::sort(chunks.begin(), chunks.end(),
              [](const Chunk& p, const Chunk& q) { return p.bound < q.bound; });
    const AeqdCentre centre{lon, lat};
    GeomPtr origin = geos.point(0.0, 0.0);
    double best = std::numeric_limits<double>::infinity();
    // Vertices mapped so far (neighbouring chunks share their end vertices).
    std::vector<bool> mapped(runs.x.size(), false);
    for (const Chunk& c : chunks) {
        if (c.bound > best) {
            break;
        }
        GEOSCoordSequence* seq =
            GEOSCoordSeq_create_r(h, static_cast<unsigned int>(c.last - c.first + 1), 2);
        if (seq == nullptr) {
            throw Error(ErrorKind::Internal, "GEOS could not make a coordinate sequence");
        }
        for (std::size_t i = c.first; i <= c.last; ++i) {
            if (!mapped[i]) {
                to_aeqd(&runs.x[i], &runs.y[i], const_cast<AeqdCentre*>(&centre));
                mapped[i] = true;
            }
            GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned int>(i - c.first), runs.x[i],
                                 runs.y[i]);
        }
        GeomPtr line = geos.own(GEOSGeom_createLineString_r(h, seq));
        double d = 0;
        if (!line || GEOSDistance_r(h, line.get(), origin.get(), &d) == 0) {
            throw Error(ErrorKind::Internal, "GEOS distance failed: " + geos.last_error());
        }
        best = std::min(best, d);
    }
    if (runs.polygonal && best <= 2 * sliver + 1.0) {
        return std::nullopt;
    }
    return best;
}
} // namespace

double geodesic_distance_m(double lon1, double lat1, double lon2, double lat2) {
    return geodesic_inverse(lon1, lat1, lon2, lat2).distance_m;
}

GeodesicInverse geodesic_inverse(double lon1, double lat1, double lon2, double lat2) {
    double s12 = 0;
    double azi1 = 0;
    double azi2 = 0;
    geod_inverse(&wgs84(), lat1, lon1, lat2, lon2, &s12, &azi1, &azi2);
    return {s12, azi1};
}

namespace {

/// distance_point_geometry_m, with `prepared` (when not null) for the cover test.
double point_geometry_m(const GeosContext& geos, double lon, double lat,
                        const GEOSGeometry& geometry, const GEOSPreparedGeometry* prepared) {
    GEOSContextHandle_t h = geos.handle();
    if (GEOSisEmpty_r(h, &geometry) != 0) {
        return std::numeric_limits<double>::infinity();
    }
    if (GEOSGeomTypeId_r(h, &geometry) == GEOS_POINT) {
        double x = 0;
        double y = 0;
        GEOSGeomGetX_r(h, &geometry, &x);
        GEOSGeomGetY_r(h, &geometry, &y);
        return geodesic_distance_m(lon, lat, x, y);
    }
    GeomPtr p = geos.point(lon, lat);
    const char covers = prepared != nullptr ? GEOSPreparedIntersects_r(h, prepared, p.get())
                                            : GEOSIntersects_r(h, &geometry, p.get());
    if (covers == 1) {
        return 0.0;
    }
    if (const std::optional<double> d = pruned_distance_m(geos, lon, lat, geometry)) {
        return *d;
    }
    return local_frame_distance_m(geos, lon, lat, geometry);
}

} // namespace

double distance_point_geometry_m(const GeosContext& geos, double lon, double lat,
                                 const GEOSGeometry& geometry) {
    return point_geometry_m(geos, lon, lat, geometry, nullptr);
}

double distance_point_geometry_m(const GeosContext& geos, double lon, double lat,
                                 const GEOSGeometry& geometry,
                                 const GEOSPreparedGeometry& prepared) {
    return point_geometry_m(geos, lon, lat, geometry, &prepared);
}

double geodesic_area_m2(const GeosContext& geos, const GEOSGeometry& geometry) {
    GEOSContextHandle_t h = geos.handle();
    const int type = GEOSGeomTypeId_r(h, &geometry);
    if (type == GEOS_POLYGON) {
        return polygon_area(h, &geometry);
    }
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        double area = 0;
        const int n = GEOSGetNumGeometries_r(h, &geometry);
        for (int i = 0; i < n; ++i) {
            area += geodesic_area_m2(geos, *GEOSGetGeometryN_r(h, &geometry, i));
        }
        return area;
    }
    return 0.0;
}

double distance_lower_bound_m(double lon, double lat, const Envelope& box) {
    const double lat_far = std::max(std::fabs(box.miny), std::fabs(box.maxy));
    if (std::fabs(lat) > 80.0 || lat_far > 80.0) {
        return 0.0;
    }
    const double phi = lat * kRad;
    const double phi1 = box.miny * kRad;
    const double phi2 = box.maxy * kRad;
    double angle = 0; // central angle on the sphere, radians
    if (lon >= box.minx && lon <= box.maxx) {
        // Along the meridian: no path gains latitude faster (ds ≥ R dφ).
        angle = std::max({0.0, phi1 - phi, phi - phi2});
    } else {
        // The nearest point of the box lies on its meridian edge nearer in longitude
        // (for a fixed latitude, distance grows with the difference in longitude).
        auto gap = [lon](double edge) {
            const double d = std::fmod(std::fabs(lon - edge), 360.0);
            return std::min(d, 360.0 - d);
        };
        const double dlon = std::min(gap(box.minx), gap(box.maxx)) * kRad;
        if (dlon >= M_PI / 2) {
            return 0.0;
        }
        // Foot of the perpendicular great circle on that meridian, clamped to the edge.
        const double foot = std::clamp(std::atan(std::tan(phi) / std::cos(dlon)), phi1, phi2);
        const double h = std::sin((foot - phi) / 2) * std::sin((foot - phi) / 2) +
                         std::cos(phi) * std::cos(foot) * std::sin(dlon / 2) * std::sin(dlon / 2);
        angle = 2 * std::asin(std::min(1.0, std::sqrt(h)));
    }
    // A straight edge between two vertices of the box may bow poleward out of it by up
    // to the sagitta of the box's width, W² tan φ / (8R); take it off the bound.
    const bool straddles = box.miny <= 0.0 && box.maxy >= 0.0;
    const double lat_near = straddles ? 0.0 : std::min(std::fabs(box.miny), std::fabs(box.maxy));
    const double width = (box.maxx - box.minx) * kRad * kA * std::cos(lat_near * kRad);
    const double sagitta = bow_m(width, lat_far * kRad) + (box.maxy - box.miny) * kRad * kA * 1e-3;
    return std::max(0.0, kRmin * angle * (1.0 - 1e-3) - sagitta - 1.0);
}

DegreeBuffer degree_buffer(double distance_m, double lat_min, double lat_max) {
    // One degree of latitude is at least 110,574 m (at the equator) on WGS 84; one
    // degree of longitude is 111,320·cos(φ) m to within 0.4 %. A 2 % margin keeps
    // the envelope conservative.
    const double dlat = distance_m / 110574.0 * 1.02;
    const double worst = std::min(90.0, std::max(std::fabs(lat_min), std::fabs(lat_max)) + dlat);
    const double c = std::cos(worst * M_PI / 180.0);
    const double dlon = c < 1e-6 ? 360.0 : std::min(360.0, distance_m / (111320.0 * c) * 1.02);
    return {dlon, dlat};
}

struct LocalFrame::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    Impl() = default;
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    Impl(Impl&&) = delete;
    Impl& operator=(Impl&&) = delete;
    ~Impl() {
        if (pj != nullptr) {
            proj_destroy(pj);
        }
        if (ctx != nullptr) {
            proj_context_destroy(ctx);
        }
    }
};

LocalFrame::LocalFrame(double lon0, double lat0) : impl_(std::make_unique<Impl>()) {
    impl_->ctx = proj_context_create();
    // The bare LAEA projection, radians in, rather than a CRS-to-CRS operation or
    // the pipeline "unitconvert deg → rad, then laea": PROJ builds this one in
    // ~17 µs, the pipeline in ~60 µs and a CRS-to-CRS operation in ~4 ms, which
    // matters with one frame per city and thread at national scale. to_frame
    // converts degrees as unitconvert does (x · kRad, kRad = π / 180), so the
    // metres are the same to the last bit (tests/unit/geodesy_test.cpp compares
    // with the pipeline).
    std::ostringstream laea;
    laea.precision(17);
    laea << "+proj=laea +lat_0=" << lat0 << " +lon_0=" << lon0 << " +x_0=0 +y_0=0 +ellps=WGS84";
    impl_->pj = proj_create(impl_->ctx, laea.str().c_str());
    if (impl_->pj == nullptr) {
        throw Error(ErrorKind::Internal, "PROJ could not build a local equal-area frame");
    }
}

LocalFrame::~LocalFrame() = default;
LocalFrame::LocalFrame(LocalFrame&&) noexcept = default;
LocalFrame& LocalFrame::operator=(LocalFrame&&) noexcept = default;

namespace {
int to_frame(double* x, double* y, void* userdata) {
    PJ* pj = static_cast<PJ*>(userdata);
    PJ_COORD c = proj_coord(*x * kRad, *y * kRad, 0, 0);
    c = proj_trans(pj, PJ_FWD, c);
    if (std::isinf(c.xy.x) || std::isnan(c.xy.x)) {
        return 0;
    }
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}
} // namespace

GeomPtr LocalFrame::forward(const GeosContext& geos, const GEOSGeometry& geometry) const {
    return geos.own(GEOSGeom_transformXY_r(geos.handle(), &geometry, &to_frame, impl_->pj));
}

double LocalFrame::area_m2(const GeosContext& geos, const GEOSGeometry& geometry) const {
    GeomPtr local = forward(geos, geometry);
    double area = 0;
    GEOSArea_r(geos.handle(), local.get(), &area);
    return area;
}

} // namespace creatlas
