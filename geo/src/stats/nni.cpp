// Clark–Evans nearest-neighbour index (Clark and Evans 1954, Ecology 35:445–453).
#include "creatlas/error.hpp"
#include "creatlas/geodesy.hpp"
#include "creatlas/stats.hpp"

#include <cmath>
#include <numeric>

namespace creatlas::stats {

double normal_sf(double z) {
    return 0.5 * std::erfc(z / std::sqrt(2.0));
}

NniResult clark_evans(const GeosContext& geos, const std::vector<LonLat>& points, double area_m2) {
    NniResult r;
    r.n = points.size();
    r.area_m2 = area_m2;
    if (points.size() < 3) {
        r.reason = "fewer than 3 points";
        return r;
    }
    if (!(area_m2 > 0) || !std::isfinite(area_m2)) {
        r.reason = "the study area is not positive";
        return r;
    }
    const std::vector<double> d = nearest_neighbour_distances_m(geos, points);
    const auto n = static_cast<double>(points.size());
    const double observed = std::accumulate(d.begin(), d.end(), 0.0) / n;
    const double density = n / area_m2;
    const double expected = 0.5 / std::sqrt(density);
    // Standard error of the mean nearest-neighbour distance under CSR:
    // sqrt((4 - π) / (4 π)) / sqrt(n ρ) = 0.26136 / sqrt(n² / A).
    const double se = 0.26136 / std::sqrt(n * density);
    r.observed_mean_m = observed;
    r.expected_mean_m = expected;
    r.nni = observed / expected;
    r.z = (observed - expected) / se;
    r.p = 2.0 * normal_sf(std::fabs(*r.z));
    return r;
}

double convex_hull_area_m2(const GeosContext& geos, const std::vector<LonLat>& points) {
    if (points.size() < 3) {
        return 0.0;
    }
    GEOSContextHandle_t h = geos.handle();
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(points.size()), 2);
    if (seq == nullptr) {
        throw Error(ErrorKind::Internal, "GEOS could not allocate coordinates");
    }
    for (std::size_t i = 0; i < points.size(); ++i) {
        GEOSCoordSeq_setXY_r(h, seq, static_cast<unsigned>(i), points[i].lon, points[i].lat);
    }
    // The multipoint takes the coordinates; the hull is built in degrees and its
    // area measured on the ellipsoid with geodesic edges.
    GeomPtr line = geos.own(GEOSGeom_createLineString_r(h, seq));
    GeomPtr hull = geos.own(GEOSConvexHull_r(h, line.get()));
    return geodesic_area_m2(geos, *hull);
}

} // namespace creatlas::stats
