#include "creatlas/geodesy.hpp"
#include "test_util.hpp"

#include <cmath>
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
