#include "creatlas/geodesy.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <geodesic.h>
#include <gtest/gtest.h>
#include <proj.h>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

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

TEST_F(GeodesyGeometry, PreparedCoverTestGivesTheSameDistances) {
    // A multipolygon with a hole and a second part; points inside, in the hole, on an
    // outer and an inner edge, on a vertex, in the second part and outside. The cover
    // test through the prepared form must give the same distances, bit for bit, as
    // GEOS's intersection matrix; the expected zeros and non-zeros are by construction.
    const GeomPtr shape =
        geos.from_wkt("MULTIPOLYGON(((60 56,60.1 56,60.1 56.1,60 56.1,60 56),"
                      "(60.04 56.04,60.06 56.04,60.06 56.06,60.04 56.06,60.04 56.04)),"
                      "((60.2 56,60.3 56,60.25 56.05,60.2 56)))");
    ASSERT_NE(shape, nullptr);
    const PreparedPtr prepared = geos.prepare(*shape);
    struct Case {
        double lon;
        double lat;
        bool covered;
    };
    const std::vector<Case> cases = {
        {60.02, 56.02, true}, {60.05, 56.05, false}, {60.1, 56.05, true},   {60.04, 56.05, true},
        {60.0, 56.0, true},   {60.25, 56.02, true},  {60.15, 56.02, false}, {59.9, 55.9, false},
        {60.3, 56.0, true},   {60.25, 56.06, false}};
    for (const Case& c : cases) {
        const double plain = distance_point_geometry_m(geos, c.lon, c.lat, *shape);
        const double fast = distance_point_geometry_m(geos, c.lon, c.lat, *shape, *prepared);
        EXPECT_EQ(fast, plain) << c.lon << " " << c.lat;
        EXPECT_EQ(plain == 0.0, c.covered) << c.lon << " " << c.lat;
    }
}

// A 240-vertex star around (60.6, 56.85): radii 0.08° and 0.05° (in latitude;
// longitude stretched by 1/0.55) alternating, coordinates printed with 6 decimals.
std::string star_wkt() {
    std::string wkt = "POLYGON((";
    char buf[64];
    for (int i = 0; i <= 240; ++i) {
        const double a = 2 * M_PI * (i % 240) / 240.0;
        const double r = i % 2 == 0 ? 0.08 : 0.05;
        std::snprintf(buf, sizeof buf, "%s%.6f %.6f", i == 0 ? "" : ",",
                      60.6 + r * std::cos(a) / 0.55, 56.85 + r * std::sin(a));
        wkt += buf;
    }
    return wkt + "))";
}

TEST_F(GeodesyGeometry, PointToManyVertexPolygonMatchesPyprojAndShapely) {
    // Only the segments that can be nearest are mapped into the point's frame; the
    // distance is the same. shapely's distance from (0, 0) to the star mapped with
    // pyproj (+proj=aeqd +lat_0=… +lon_0=… +ellps=WGS84), the same star built in Python.
    const GeomPtr star = geos.from_wkt(star_wkt());
    EXPECT_NEAR(distance_point_geometry_m(geos, 60.9, 56.95, *star), 12529.255354193816, 1e-6);
    EXPECT_NEAR(distance_point_geometry_m(geos, 60.35, 56.7, *star), 13745.199393700035, 1e-6);
    EXPECT_NEAR(distance_point_geometry_m(geos, 60.6, 57.0, *star), 7795.147371508538, 1e-6);
    EXPECT_DOUBLE_EQ(distance_point_geometry_m(geos, 60.6, 56.85, *star), 0.0);
}

// The definition of distance_point_geometry_m, written out here: every vertex mapped
// into the point's azimuthal equidistant frame with GeographicLib's inverse problem
// (PROJ's geodesic.h), then GEOS's distance from the origin.
double every_vertex_mapped(const GeosContext& geos, double lon, double lat, const GEOSGeometry& g) {
    GEOSContextHandle_t h = geos.handle();
    if (GEOSIntersects_r(h, &g, geos.point(lon, lat).get()) == 1) {
        return 0.0;
    }
    struct Centre {
        double lon, lat;
    } centre{lon, lat};
    GeomPtr local = geos.own(GEOSGeom_transformXY_r(
        h, &g,
        [](double* x, double* y, void* data) {
            const auto* c = static_cast<const Centre*>(data);
            geod_geodesic wgs84{};
            geod_init(&wgs84, 6378137.0, 1.0 / 298.257223563);
            double s12 = 0;
            double azi1 = 0;
            double azi2 = 0;
            geod_inverse(&wgs84, c->lat, c->lon, *y, *x, &s12, &azi1, &azi2);
            const double a = azi1 * M_PI / 180.0;
            *x = s12 * std::sin(a);
            *y = s12 * std::cos(a);
            return 1;
        },
        &centre));
    double d = 0;
    GEOSDistance_r(h, local.get(), geos.point(0, 0).get(), &d);
    return d;
}

TEST_F(GeodesyGeometry, PointToLinesAndPolygonsEqualsEveryVertexMappedToTheBit) {
    // Stars of 4–400 vertices (some with a hole, some as their outline only, some in
    // pairs), points all around them, and points within metres of their edges, where
    // the frame's straight edges and lon/lat's differ and GEOS may answer 0.
    std::uint64_t state = 99;
    auto uniform = [&state](double lo, double hi) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return lo + (hi - lo) * static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    GEOSContextHandle_t h = geos.handle();
    int compared = 0;
    for (int k = 0; k < 60; ++k) {
        const double cx = uniform(30.0, 130.0);
        const double cy = uniform(-60.0, 75.0);
        // Half of them small (4–62 vertices, like Natural Earth's urban areas).
        const int n = k % 2 == 0 ? 4 + 2 * static_cast<int>(uniform(0, 30))
                                 : 80 + 4 * static_cast<int>(uniform(0, 80));
        const double r0 = uniform(0.01, 2.0);
        auto ring = [&](double scale, bool reverse) {
            std::string out;
            char buf[64];
            for (int i = 0; i <= n; ++i) {
                const int j = reverse ? n - i : i;
                const double a = 2 * M_PI * (j % n) / n;
                const double r = r0 * scale * (j % 2 == 0 ? 1.0 : 0.6);
                std::snprintf(buf, sizeof buf, "%s%.9f %.9f", i == 0 ? "" : ",",
                              cx + r * std::cos(a) / std::cos(cy * M_PI / 180.0),
                              cy + r * std::sin(a));
                out += buf;
            }
            return "(" + out + ")";
        };
        std::string wkt;
        switch (k % 4) {
        case 0:
            wkt = "POLYGON(" + ring(1.0, false) + ")";
            break;
        case 1:
            wkt = "POLYGON(" + ring(1.0, false) + "," + ring(0.3, true) + ")";
            break;
        case 2:
            wkt = "LINESTRING" + ring(1.0, false);
            break;
        default:
            wkt = "MULTIPOLYGON((" + ring(1.0, false) + "),(" + ring(0.2, false) + "))";
            break;
        }
        const GeomPtr g = geos.from_wkt(wkt);
        for (int t = 0; t < 25; ++t) {
            double lon = cx + uniform(-4.0, 4.0) * r0 / std::cos(cy * M_PI / 180.0);
            double lat = cy + uniform(-4.0, 4.0) * r0;
            if (t % 5 == 0) {
                // Within metres of a vertex of the outer ring.
                const int j = static_cast<int>(uniform(0, n));
                const double a = 2 * M_PI * j / n;
                const double r = r0 * (j % 2 == 0 ? 1.0 : 0.6);
                lon = cx + r * std::cos(a) / std::cos(cy * M_PI / 180.0) + uniform(-1e-4, 1e-4);
                lat = cy + r * std::sin(a) + uniform(-1e-4, 1e-4);
            }
            if (std::fabs(lat) >= 89.0) {
                continue;
            }
            const double expected = every_vertex_mapped(geos, lon, lat, *g);
            EXPECT_EQ(distance_point_geometry_m(geos, lon, lat, *g), expected)
                << wkt.substr(0, 60) << " from " << lon << " " << lat;
            ++compared;
        }
        (void)h;
    }
    EXPECT_GT(compared, 1400);
}

TEST_F(GeodesyGeometry, PointInsideTheFramesStraightEdgeButOutsideLonLatsIsAtZero) {
    // A polygon under the parallel 60° N from 60° to 62° E, drawn as one straight edge
    // in lon/lat (and 100 vertices along its other sides). Seen from a point 100 m
    // north of that edge's middle, the same edge drawn straight in the point's frame
    // bows about 420 m north (the geodesic's sagitta, W² tan φ / 8R): the point lies
    // inside the polygon in the frame, though outside it in lon/lat, and the frame's
    // answer (GEOS's) is 0.
    std::string wkt = "POLYGON((60 60,62 60";
    char buf[64];
    for (int i = 0; i <= 100; ++i) {
        std::snprintf(buf, sizeof buf, ",%.6f 59", 62.0 - 0.02 * i);
        wkt += buf;
    }
    wkt += ",60 60))";
    const GeomPtr g = geos.from_wkt(wkt);
    const double lat = 60.0 + 100.0 / 111400.0;
    EXPECT_EQ(GEOSIntersects_r(geos.handle(), g.get(), geos.point(61.0, lat).get()), 0);
    EXPECT_EQ(every_vertex_mapped(geos, 61.0, lat, *g), 0.0);
    EXPECT_EQ(distance_point_geometry_m(geos, 61.0, lat, *g), 0.0);
    // 2 km north it is outside in both: the distance to the bowed edge, about 1.58 km.
    EXPECT_EQ(distance_point_geometry_m(geos, 61.0, 60.0 + 2000.0 / 111400.0, *g),
              every_vertex_mapped(geos, 61.0, 60.0 + 2000.0 / 111400.0, *g));
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

// The frame is PROJ's bare laea with the degrees converted beside it: the metres must
// be those of PROJ's own pipeline "unitconvert deg → rad, then laea", bit for bit,
// for centres with many decimals, in every quadrant and by the antimeridian.
TEST_F(GeodesyGeometry, LocalFrameEqualsProjPipelineToTheBit) {
    const std::vector<std::pair<double, double>> centres = {
        {60.6122, 56.8519},   {37.617299999999997, 55.755826},
        {-70.6693, -33.4489}, {179.95, 64.7337},
        {-179.9, -16.5},      {131.8869, 43.1155},
        {0.0, 0.0},           {20.45678912345, 78.2232}};
    PJ_CONTEXT* ctx = proj_context_create();
    for (const auto& [lon0, lat0] : centres) {
        std::ostringstream def;
        def.precision(17);
        def << "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step "
               "+proj=laea +lat_0="
            << lat0 << " +lon_0=" << lon0 << " +x_0=0 +y_0=0 +ellps=WGS84";
        PJ* pipeline = proj_create(ctx, def.str().c_str());
        ASSERT_NE(pipeline, nullptr);
        const LocalFrame frame(lon0, lat0);
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(geos.handle(), 441, 2);
        std::vector<std::pair<double, double>> pts;
        for (int i = 0; i < 21; ++i) {
            for (int j = 0; j < 21; ++j) {
                // 0.0137° steps (not exact in binary) over about ±0.14° around the centre.
                const double lon = lon0 + (i - 10) * 0.0137;
                const double lat = std::clamp(lat0 + (j - 10) * 0.0137, -90.0, 90.0);
                GEOSCoordSeq_setXY_r(geos.handle(), seq, static_cast<unsigned>(pts.size()), lon,
                                     lat);
                pts.emplace_back(lon, lat);
            }
        }
        const GeomPtr line = geos.own(GEOSGeom_createLineString_r(geos.handle(), seq));
        const GeomPtr local = frame.forward(geos, *line);
        ASSERT_NE(local, nullptr);
        const GEOSCoordSequence* out = GEOSGeom_getCoordSeq_r(geos.handle(), local.get());
        for (std::size_t k = 0; k < pts.size(); ++k) {
            const PJ_COORD want =
                proj_trans(pipeline, PJ_FWD, proj_coord(pts[k].first, pts[k].second, 0, 0));
            double x = 0;
            double y = 0;
            GEOSCoordSeq_getXY_r(geos.handle(), out, static_cast<unsigned>(k), &x, &y);
            ASSERT_EQ(x, want.xy.x) << "centre " << lon0 << " " << lat0 << ", point " << k;
            ASSERT_EQ(y, want.xy.y) << "centre " << lon0 << " " << lat0 << ", point " << k;
        }
        proj_destroy(pipeline);
    }
    proj_context_destroy(ctx);
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
