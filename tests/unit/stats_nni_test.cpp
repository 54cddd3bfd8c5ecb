// Clark–Evans on regular grids worked by hand, and the hexagonal grid's geometry.
#include "creatlas/error.hpp"
#include "creatlas/geodesy.hpp"
#include "creatlas/stats.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <map>
#include <numeric>
#include <tuple>
#include <vector>

namespace creatlas::stats {
namespace {

// 0.01° of longitude along the equator: a·Δλ with a = 6378137 m.
const double kStep = 6378137.0 * 0.01 * M_PI / 180.0; // 1113.1949079 m

TEST(StatsNni, PointsEvenlySpacedOnTheEquator) {
    GeosContext geos;
    std::vector<LonLat> p;
    for (int i = 0; i < 10; ++i) {
        p.push_back({0.01 * i, 0.0});
    }
    const double area = 1e8; // the caller's study area, m²
    const NniResult r = clark_evans(geos, p, area);
    ASSERT_TRUE(r.nni.has_value()) << r.reason;
    // every nearest neighbour is one step away
    EXPECT_NEAR(*r.observed_mean_m, kStep, 1e-6);
    const double expected = 0.5 * std::sqrt(area / 10.0); // 1581.1388 m
    EXPECT_NEAR(*r.expected_mean_m, expected, 1e-9);
    EXPECT_NEAR(*r.nni, kStep / expected, 1e-9);
    const double se = 0.26136 * std::sqrt(area) / 10.0; // 261.36 m
    EXPECT_NEAR(*r.z, (kStep - expected) / se, 1e-8);   // -1.7904
    EXPECT_NEAR(*r.z, -1.790419, 1e-6);                 // -467.94392 / 261.36
    EXPECT_NEAR(*r.p, std::erfc(std::fabs(*r.z) / std::sqrt(2.0)), 1e-14);
}

TEST(StatsNni, RegularGridIsDispersed) {
    GeosContext geos;
    // 4 columns 0.01° apart, 3 rows 0.02° apart (≈ 2211 m), straddling the equator:
    // every nearest neighbour is the next point in its row. Off the equator a
    // step of 0.01° along the parallel at 0.02° is shorter by a factor of
    // cos(0.02°)·(1 + e² sin²(0.02°)/2) — 1113.19484 m, within 0.1 mm of kStep.
    std::vector<LonLat> p;
    for (double lat : {-0.02, 0.0, 0.02}) {
        for (int c = 0; c < 4; ++c) {
            p.push_back({0.01 * c, lat});
        }
    }
    const double area = 2.4e7;
    const NniResult r = clark_evans(geos, p, area);
    ASSERT_TRUE(r.nni.has_value());
    EXPECT_NEAR(*r.observed_mean_m, kStep, 1e-4);
    const double expected = 0.5 * std::sqrt(area / 12.0); // 707.1068 m
    EXPECT_NEAR(*r.nni, kStep / expected, 1e-6);          // 1.5743: dispersed
    EXPECT_NEAR(*r.z, (kStep - expected) / (0.26136 * std::sqrt(area) / 12.0), 1e-5);
    EXPECT_GT(*r.z, 3.8);
    EXPECT_LT(*r.p, 0.001);
}

TEST(StatsNni, NullBelowThreePointsAndWithoutArea) {
    GeosContext geos;
    const NniResult two = clark_evans(geos, {{0, 0}, {0.01, 0}}, 1e6);
    EXPECT_FALSE(two.nni.has_value());
    EXPECT_EQ(two.reason, "fewer than 3 points");
    const NniResult no_area = clark_evans(geos, {{0, 0}, {0.01, 0}, {0.02, 0}}, 0.0);
    EXPECT_FALSE(no_area.nni.has_value());
    EXPECT_FALSE(no_area.reason.empty());
}

TEST(StatsNni, ConvexHullOfCollinearPointsHasNoArea) {
    GeosContext geos;
    EXPECT_EQ(convex_hull_area_m2(geos, {{0, 0}, {0.01, 0}, {0.02, 0}}), 0.0);
    EXPECT_EQ(convex_hull_area_m2(geos, {{0, 0}, {0.01, 0}}), 0.0);
}

TEST(StatsHexGrid, CellsTileAndCountEveryPoint) {
    GeosContext geos;
    // Yekaterinburg's centre and a few points within ~5 km.
    const LonLat centre{60.6057, 56.8389};
    std::vector<LonLat> pts;
    for (int i = 0; i < 40; ++i) {
        pts.push_back(
            {centre.lon + 0.07 * std::sin(i * 1.3), centre.lat + 0.04 * std::cos(i * 0.7)});
    }
    const double d = 1000.0;
    const HexGrid g = hex_grid(geos, centre, pts, nullptr, d);
    ASSERT_GT(g.cells.size(), 20U);
    std::int64_t total = 0;
    for (const HexCell& c : g.cells) {
        total += c.count;
        // A hexagon whose centres are d apart has area (√3/2)·d²; the frame is
        // equal-area, so the geodesic area agrees to well under 0.1 %.
        EXPECT_NEAR(geodesic_area_m2(geos, *c.polygon), std::sqrt(3.0) / 2.0 * d * d, 800.0);
    }
    EXPECT_EQ(total, 40);
    // Every point lies in (or on the edge of) a cell that counted it.
    for (const LonLat& p : pts) {
        GeomPtr pt = geos.point(p.lon, p.lat);
        bool counted = false;
        for (const HexCell& c : g.cells) {
            counted = counted ||
                      (c.count > 0 && GEOSCovers_r(geos.handle(), c.polygon.get(), pt.get()) == 1);
        }
        EXPECT_TRUE(counted) << p.lon << " " << p.lat;
    }
    // Neighbours: six inside the grid, and their centres are d apart.
    std::size_t interior = 0;
    for (std::size_t i = 0; i < g.cells.size(); ++i) {
        EXPECT_LE(g.neighbours.cardinality(i), 6U);
        interior += g.neighbours.cardinality(i) == 6 ? 1 : 0;
        for (std::size_t e = g.neighbours.offsets[i]; e < g.neighbours.offsets[i + 1]; ++e) {
            const HexCell& a = g.cells[i];
            const HexCell& b = g.cells[static_cast<std::size_t>(g.neighbours.neighbours[e])];
            GeomPtr ca = geos.own(GEOSGetCentroid_r(geos.handle(), a.polygon.get()));
            GeomPtr cb = geos.own(GEOSGetCentroid_r(geos.handle(), b.polygon.get()));
            double x1, y1, x2, y2;
            GEOSGeomGetX_r(geos.handle(), ca.get(), &x1);
            GEOSGeomGetY_r(geos.handle(), ca.get(), &y1);
            GEOSGeomGetX_r(geos.handle(), cb.get(), &x2);
            GEOSGeomGetY_r(geos.handle(), cb.get(), &y2);
            EXPECT_NEAR(geodesic_distance_m(x1, y1, x2, y2), d, 2.0);
            // neighbouring hexagons share an edge exactly (no sliver)
            GeomPtr shared =
                geos.own(GEOSIntersection_r(geos.handle(), a.polygon.get(), b.polygon.get()));
            double len = 0;
            GEOSLength_r(geos.handle(), shared.get(), &len);
            EXPECT_GT(len, 0.0);
        }
    }
    EXPECT_GT(interior, 0U);
}

TEST(StatsHexGrid, AtlasLayerHasTheContractFields) {
    GeosContext geos;
    Table cities;
    cities.name = "cities";
    cities.fields = {{"city_id", FieldType::String}, {"name", FieldType::String}};
    for (const auto& [id, lon, lat] : std::vector<std::tuple<const char*, double, double>>{
             {"ekb", 60.6057, 56.8389}, {"perm", 56.2294, 58.0105}, {"empty", 61.4, 55.16}}) {
        Row r;
        r.fid = static_cast<std::int64_t>(cities.rows.size() + 1);
        r.values = {std::string(id), std::string(id)};
        r.geom = geos.point(lon, lat);
        cities.rows.push_back(std::move(r));
    }
    std::vector<LonLat> pts;
    std::vector<int> city;
    for (int i = 0; i < 30; ++i) {
        pts.push_back({60.6057 + 0.002 * (i % 5), 56.8389 + 0.002 * (i / 5)});
        city.push_back(0);
    }
    for (int i = 0; i < 5; ++i) {
        pts.push_back({56.2294 + 0.01 * i, 58.0105});
        city.push_back(1);
    }
    pts.push_back({10.0, 10.0}); // in no city: not counted
    city.push_back(-1);
    HexGridOptions o;
    o.cell_m = 500;
    o.perm.permutations = 99;
    const Table t = make_hex_grid(geos, cities, pts, city, o);
    EXPECT_EQ(t.name, "hex_grid");
    std::vector<std::string> names;
    for (const FieldDef& f : t.fields) {
        names.push_back(f.name);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"city_id", "count", "gi_z", "gi_p", "gi_label",
                                               "lisa_q", "lisa_p", "lisa_label"}));
    std::map<std::string, std::int64_t> per_city;
    for (const Row& r : t.rows) {
        per_city[std::get<std::string>(r.values[0])] += std::get<std::int64_t>(r.values[1]);
        ASSERT_TRUE(r.geom);
    }
    EXPECT_EQ(per_city["ekb"], 30);
    EXPECT_EQ(per_city["perm"], 5);
    EXPECT_EQ(per_city.count("empty"), 0U);
    // Each row's Gi* p is the two-sided normal p of its z, and its label follows
    // the 90/95/99 % critical values 1.645, 1.960, 2.576.
    for (const Row& r : t.rows) {
        const double z = std::get<double>(r.values[2]);
        const double p = std::get<double>(r.values[3]);
        const std::string& label = std::get<std::string>(r.values[4]);
        EXPECT_NEAR(p, std::erfc(std::fabs(z) / std::sqrt(2.0)), 1e-12);
        if (std::fabs(z) < 1.6448) {
            EXPECT_EQ(label, "not significant");
        } else if (std::fabs(z) > 2.5759) {
            EXPECT_EQ(label, z > 0 ? "hot 99%" : "cold 99%");
        }
        // a cell with no points cannot be a high-high LISA core
        if (std::get<std::int64_t>(r.values[1]) == 0 && !is_null(r.values[7])) {
            EXPECT_NE(std::get<std::string>(r.values[7]), "HH");
        }
    }
    EXPECT_THROW(make_hex_grid(geos, cities, pts, std::vector<int>(pts.size() - 1, 0), o), Error);
}

TEST(StatsHexGrid, RefusesAGridTooLarge) {
    GeosContext geos;
    EXPECT_THROW(hex_grid(geos, {60, 56}, {{60, 56}, {61, 57}}, nullptr, 10.0, 1000), Error);
    EXPECT_THROW(hex_grid(geos, {60, 56}, {{60, 56}}, nullptr, 0.0), Error);
}

} // namespace
} // namespace creatlas::stats
