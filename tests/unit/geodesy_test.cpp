#include "creatlas/geodesy.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <gtest/gtest.h>

using namespace creatlas;

// Expected values in this file come from PROJ's `geod` command and from pyproj and
// shapely (Debian's python3-pyproj, python3-shapely), never from creatlas:
//   echo "56.8389 60.6057 55.1644 61.4026" | geod +ellps=WGS84 -I +units=m -f "%.6f"
//   Geod(ellps='WGS84').geometry_area_perimeter(square), aeqd/laea transforms + shapely.

TEST(Geodesy, DistanceMatchesProjGeod) {
    // Yekaterinburg → Chelyabinsk centres: 192953.779 m (geod, above).
    EXPECT_NEAR(geodesic_distance_m(60.6057, 56.8389, 61.4026, 55.1644), 192953.779, 1e-3);
    const auto inv = geodesic_inverse(60.6057, 56.8389, 61.4026, 55.1644);
    EXPECT_NEAR(inv.azimuth_deg, 164.737252, 1e-6);
}

TEST(Geodesy, DistanceIsSymmetricAndZeroOnSelf) {
    EXPECT_DOUBLE_EQ(geodesic_distance_m(60.6, 56.8, 60.6, 56.8), 0.0);
    EXPECT_NEAR(geodesic_distance_m(61.4026, 55.1644, 60.6057, 56.8389), 192953.779, 1e-3);
}

TEST(Geodesy, PointsAtKnownDistances) {
    // pyproj Geod.fwd(60.6, 56.8, 90, 40) and (…, 60): points 40 m and 60 m due east.
    EXPECT_NEAR(geodesic_distance_m(60.6, 56.8, 60.600654687872186, 56.79999999828276), 40.0, 1e-6);
    EXPECT_NEAR(geodesic_distance_m(60.6, 56.8, 60.600982031808236, 56.799999996136215), 60.0,
                1e-6);
}

class GeodesyGeometry : public ::testing::Test {
protected:
    GeosContext geos;
    // A 0.01° × 0.02° square east of (60, 56).
    GeomPtr square =
        geos.from_wkt("POLYGON((60.01 55.99,60.02 55.99,60.02 56.01,60.01 56.01,60.01 55.99))");
};

TEST_F(GeodesyGeometry, PointToPolygonDistanceInAzimuthalEquidistantFrame) {
    // shapely distance from (0,0) to the square in +proj=aeqd +lat_0=56 +lon_0=60: 623.9277064 m.
    EXPECT_NEAR(distance_point_geometry_m(geos, 60.0, 56.0, *square), 623.9277064319328, 1e-6);
    // Inside: 0.
    EXPECT_DOUBLE_EQ(distance_point_geometry_m(geos, 60.015, 56.0, *square), 0.0);
}

TEST_F(GeodesyGeometry, GeodesicAreaMatchesPyproj) {
    EXPECT_NEAR(geodesic_area_m2(geos, *square), 1389385.041024208, 1e-3);
    auto point = geos.point(60, 56);
    EXPECT_DOUBLE_EQ(geodesic_area_m2(geos, *point), 0.0);
}

TEST_F(GeodesyGeometry, LocalEqualAreaFrameMatchesPyprojLaea) {
    LocalFrame frame(60.0, 56.0);
    EXPECT_NEAR(frame.area_m2(geos, *square), 1389385.0295928763, 1e-4);
    // The frame is centred on its origin.
    auto origin = frame.forward(geos, *geos.point(60.0, 56.0));
    double x = 1;
    double y = 1;
    GEOSGeomGetX_r(geos.handle(), origin.get(), &x);
    GEOSGeomGetY_r(geos.handle(), origin.get(), &y);
    EXPECT_NEAR(x, 0.0, 1e-9);
    EXPECT_NEAR(y, 0.0, 1e-9);
}

TEST(Geodesy, DegreeBufferContainsPointsAtTheDistance) {
    // Points 1000 m from (60, 56) due east and due north (pyproj Geod.fwd) must fall inside.
    const DegreeBuffer b = degree_buffer(1000.0, 56.0, 56.0);
    EXPECT_GT(b.dlon, 60.016027497386986 - 60.0);
    EXPECT_GT(b.dlat, 56.00898134403545 - 56.0);
    // … and the buffer is not wastefully wide (under 5 % more).
    EXPECT_LT(b.dlon, (60.016027497386986 - 60.0) * 1.05);
    EXPECT_LT(b.dlat, (56.00898134403545 - 56.0) * 1.05);
}

// The lower bound must never exceed the distance it bounds. Oracle: the exact measure
// itself (distance_point_geometry_m, checked against geod and pyproj above) over random
// polygons and points, including boxes tens of kilometres wide with long straight edges
// that bow beyond the box, at the latitudes of the Russian cities (40°–78°) and beyond.
TEST(Geodesy, LowerBoundNeverExceedsTheDistance) {
    GeosContext geos;
    std::uint64_t state = 12345;
    auto u = [&state] { // a small LCG: reproducible without <random>'s distributions
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<double>(state >> 11U) / 9007199254740992.0;
    };
    int useful = 0;
    for (int i = 0; i < 3000; ++i) {
        const double lat0 = -75.0 + 150.0 * u();
        const double lon0 = -179.0 + 358.0 * u();
        const double w = std::pow(10.0, -3.0 + 2.7 * u()); // 0.001° to 0.5° wide
        const double h = std::pow(10.0, -3.0 + 2.7 * u());
        // A triangle spanning the box (its long edges run corner to corner).
        const double x0 = lon0;
        const double y0 = lat0;
        char wkt[256];
        std::snprintf(wkt, sizeof wkt, "POLYGON((%.9f %.9f,%.9f %.9f,%.9f %.9f,%.9f %.9f))", x0, y0,
                      x0 + w, y0 + h * u(), x0 + w * u(), y0 + h, x0, y0);
        GeomPtr poly = geos.from_wkt(wkt);
        const Envelope box = envelope_of(geos, *poly);
        // Points from next to the box to a few degrees away.
        const double r = std::pow(10.0, -3.0 + 3.5 * u());
        const double a = 2 * M_PI * u();
        const double lon = lon0 + w / 2 + r * std::cos(a);
        const double lat = std::clamp(lat0 + h / 2 + r * std::sin(a), -89.0, 89.0);
        const double exact = distance_point_geometry_m(geos, lon, lat, *poly);
        const double bound = distance_lower_bound_m(lon, lat, box);
        ASSERT_LE(bound, exact) << wkt << " from " << lon << ' ' << lat;
        ASSERT_GE(bound, 0.0);
        useful += bound > 0.9 * exact ? 1 : 0;
        // And to the corners themselves (a point candidate: its box is the point).
        const double corner = geodesic_distance_m(lon, lat, x0, y0);
        ASSERT_LE(distance_lower_bound_m(lon, lat, {x0, y0, x0, y0}), corner);
    }
    // It prunes: most bounds are within 10 % of the exact distance.
    EXPECT_GT(useful, 1500);
}

TEST(Geodesy, LowerBoundKnownCases) {
    // Inside the box: 0.
    EXPECT_EQ(distance_lower_bound_m(60.5, 56.5, {60.0, 56.0, 61.0, 57.0}), 0.0);
    // Due north of the box by 0.1° of latitude: the meridian arc from 57.0° to 57.1°
    // is 11,136.077 m on WGS 84 (echo "57 60.5 57.1 60.5" | geod -I +ellps=WGS84 +units=m);
    // the bound takes the sphere of radius 6,335,439 m (11,057.4 m), less 0.1 % (11.1 m),
    // the sagitta of the box's 62,249 m width at 56° (62,249² · tan 57° / (8 · 6,335,439)
    // = 117.7 m), 0.1 % of its 1° height taken as a·π/180 (111.3 m) and 1 m: 10,816.3 m.
    const double b = distance_lower_bound_m(60.5, 57.1, {60.0, 56.0, 61.0, 57.0});
    EXPECT_LT(b, 11136.077);
    EXPECT_NEAR(b, 10816.3, 0.1);
    // Near a pole the bound gives up.
    EXPECT_EQ(distance_lower_bound_m(60.5, 85.0, {60.0, 56.0, 61.0, 57.0}), 0.0);
}
