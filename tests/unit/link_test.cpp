#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace creatlas;
using creatlas::test::table_from_wkt;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(NormaliseKey, TrimsCaseFoldsAndComposes) {
    EXPECT_EQ(normalise_key("  C03 "), "c03");
    EXPECT_EQ(normalise_key("\tSvoboda2\n"), "svoboda2");
    // No-break spaces from spreadsheets are trimmed too.
    EXPECT_EQ(normalise_key("\xC2\xA0"
                            "ab"
                            "\xC2\xA0"),
              "ab");
    // Cyrillic case folding: «Домна» → «домна».
    EXPECT_EQ(normalise_key("Домна"), "домна");
    // NFC: "й" written as и + combining breve (U+0306) equals the precomposed й (U+0439).
    EXPECT_EQ(normalise_key("\xD0\xB8\xCC\x86"), normalise_key("\xD0\xB9"));
    // Inner spaces are kept.
    EXPECT_EQ(normalise_key(" a  b "), "a  b");
}

TEST(NormaliseKey, RejectsInvalidUtf8) {
    EXPECT_THROW(normalise_key("\xFF\xFE"), Error);
}

TEST(MatchKeys, MatchesNormalisedKeysAndReportsBothSides) {
    GeosContext geos;
    Table clusters = table_from_wkt(geos, "clusters", {"cluster_id"},
                                    {{"POINT(0 0)", {std::string("C01")}},
                                     {"POINT(1 1)", {std::string("C02")}},
                                     {"POINT(2 2)", {std::string("C10")}}});
    Table attrs = table_from_wkt(geos, "cluster_attributes", {"cluster_key", "initiator"},
                                 {{"", {std::string(" c01 "), std::string("private")}},
                                  {"", {std::string("C02"), std::string("public")}},
                                  {"", {std::string("C99"), std::string("joint")}}});
    const KeyMatch m = match_keys(clusters, "cluster_id", attrs, "cluster_key");
    EXPECT_EQ(m.report.matched, 2);
    EXPECT_THAT(m.report.unmatched_left, ElementsAre("C10"));
    EXPECT_THAT(m.report.unmatched_right, ElementsAre("C99"));
    ASSERT_EQ(m.rows.size(), 3U);
    EXPECT_THAT(m.rows[0], ElementsAre(0));
    EXPECT_THAT(m.rows[1], ElementsAre(1));
    EXPECT_TRUE(m.rows[2].empty());
}

TEST(MatchKeys, ManyRightRowsPerKeyCountedOnTheRight) {
    // Grants: several rows may go to one cluster; `matched` counts grant rows.
    GeosContext geos;
    Table clusters =
        table_from_wkt(geos, "clusters", {"k"},
                       {{"POINT(0 0)", {std::string("a")}}, {"POINT(1 1)", {std::string("b")}}});
    Table grants = table_from_wkt(
        geos, "grants", {"key"},
        {{"", {std::string("A")}}, {"", {std::string("x")}}, {"", {std::string("a ")}}});
    const KeyMatch m = match_keys(clusters, "k", grants, "key",
                                  {.list_unmatched_left = false, .count_right = true});
    EXPECT_THAT(m.rows[0], ElementsAre(0, 2));
    EXPECT_TRUE(m.rows[1].empty());
    EXPECT_EQ(m.report.matched, 2);
    EXPECT_TRUE(m.report.unmatched_left.empty());
    EXPECT_THAT(m.report.unmatched_right, ElementsAre("x"));
}

TEST(RequireUniqueKeys, DuplicateKeysAreAnErrorListingThem) {
    GeosContext geos;
    Table attrs = table_from_wkt(
        geos, "cluster_attributes", {"cluster_key"},
        {{"", {std::string("A")}}, {"", {std::string(" a")}}, {"", {std::string("B")}}});
    try {
        require_unique_keys(attrs, "cluster_key");
        FAIL() << "duplicate keys accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        EXPECT_THAT(e.what(), HasSubstr("1 duplicate key(s)"));
        EXPECT_THAT(e.what(), HasSubstr("'a' (features 1, 2)"));
        EXPECT_THAT(e.what(), HasSubstr("field 'cluster_key'"));
    }
}

class SpatialLinks : public ::testing::Test {
protected:
    GeosContext geos;
    // Two square "cities" at 56° N: A spans lon 60.00–60.10, B spans lon 61.00–61.10.
    Table cities =
        table_from_wkt(geos, "cities", {"city_id"},
                       {{"POLYGON((60 56,60.1 56,60.1 56.1,60 56.1,60 56))", {std::string("A")}},
                        {"POLYGON((61 56,61.1 56,61.1 56.1,61 56.1,61 56))", {std::string("B")}}});
};

TEST_F(SpatialLinks, ContainingCityThenNearestWithinDistance) {
    // 1: inside A. 2: 0.001° of longitude east of A's edge at lat 56.05 — about 62 m
    // — linked as nearest. 3: halfway
    // between the cities, ~28 km from each: no city within 5 km.
    Table pts = table_from_wkt(
        geos, "clusters", {},
        {{"POINT(60.05 56.05)", {}}, {"POINT(60.101 56.05)", {}}, {"POINT(60.55 56.05)", {}}});
    SpatialIndex index(geos, cities);
    const auto links = link_to_cities(geos, pts, index, 5000.0);
    EXPECT_EQ(links[0].city, 0);
    EXPECT_FALSE(links[0].nearest);
    EXPECT_EQ(links[1].city, 0);
    EXPECT_TRUE(links[1].nearest);
    // pyproj aeqd centred on (60.101, 56.05) + shapely distance to A: 62.312179011 m.
    EXPECT_NEAR(links[1].distance_m, 62.312179011186615, 1e-6);
    EXPECT_EQ(links[2].city, -1);
    // With the fallback off, the second point has no city.
    EXPECT_EQ(link_to_cities(geos, pts, index, 0.0)[1].city, -1);
}

TEST_F(SpatialLinks, HeritageWithinSnapDistanceInMetres) {
    // Sites 40 m and 60 m due east of (60.6, 56.8) (pyproj Geod.fwd); snap 50 m.
    Table sites =
        table_from_wkt(geos, "heritage", {"heritage_id"},
                       {{"POINT(60.600982031808236 56.799999996136215)", {std::string("far")}},
                        {"POINT(60.600654687872186 56.79999999828276)", {std::string("near")}}});
    Table clusters =
        table_from_wkt(geos, "clusters", {}, {{"POINT(60.6 56.8)", {}}, {"POINT(60.7 56.8)", {}}});
    SpatialIndex index(geos, sites);
    const auto links = link_to_heritage(geos, clusters, index, 50.0);
    EXPECT_EQ(links[0].site, 1);
    EXPECT_NEAR(links[0].distance_m, 40.0, 1e-6);
    EXPECT_EQ(links[0].nearest, 1);
    // The second cluster is ~6.1 km away from both: no link, but a nearest site.
    EXPECT_EQ(links[1].site, -1);
    EXPECT_EQ(links[1].nearest, 0);
    EXPECT_GT(links[1].nearest_m, 6000.0);
    // With a 30 m snap the first cluster has no site either.
    EXPECT_EQ(link_to_heritage(geos, clusters, index, 30.0)[0].site, -1);
}

TEST_F(SpatialLinks, PolygonClusterOnFootprintIsAtZeroDistance) {
    Table sites = table_from_wkt(
        geos, "heritage", {},
        {{"POLYGON((60.6 56.8,60.602 56.8,60.602 56.801,60.6 56.801,60.6 56.8))", {}}});
    Table clusters = table_from_wkt(
        geos, "clusters", {},
        {{"POLYGON((60.601 56.8005,60.603 56.8005,60.603 56.802,60.601 56.802,60.601 56.8005))",
          {}}});
    SpatialIndex index(geos, sites);
    const auto links = link_to_heritage(geos, clusters, index, 50.0);
    EXPECT_EQ(links[0].site, 0);
    EXPECT_DOUBLE_EQ(links[0].distance_m, 0.0);
}

TEST_F(SpatialLinks, ZonesIntersectingEachFeature) {
    Table pts = table_from_wkt(
        geos, "clusters", {},
        {{"POINT(60.05 56.05)", {}}, {"POINT(61.05 56.05)", {}}, {"POINT(62 56)", {}}});
    SpatialIndex zones(geos, cities);
    const auto z = link_to_zones(geos, pts, zones);
    EXPECT_THAT(z[0], ElementsAre(0));
    EXPECT_THAT(z[1], ElementsAre(1));
    EXPECT_TRUE(z[2].empty());
}

TEST_F(SpatialLinks, NearestWithinFindsTheTrueNearestBeyondTheFirstRadius) {
    // Two sites, 3 km and 20 km north of the query point (1 km ≈ 0.00898° of latitude).
    Table sites = table_from_wkt(geos, "heritage", {},
                                 {{"POINT(60 56.1796)", {}}, {"POINT(60 56.02695)", {}}});
    SpatialIndex index(geos, sites);
    auto p = geos.point(60, 56);
    const Nearest n = nearest_within(geos, index, *p, 1e9);
    EXPECT_EQ(n.row, 1);
    // pyproj Geod.inv(60, 56, 60, 56.02695): 3000.6688769383263 m.
    EXPECT_NEAR(n.distance_m, 3000.6688769383263, 1e-6);
    EXPECT_EQ(nearest_within(geos, index, *p, 1000.0).row, -1);
}

TEST_F(SpatialLinks, NearestFromAPolygonToPointsFindsTheNearestCorner) {
    // A 0.01° square and three point candidates beyond its corners. From a polygon to a
    // point the distance is measured in the point's frame; for a point beyond a corner
    // the nearest point of the square is that corner. pyproj Geod.inv to the corners:
    // (59.99 55.97)–(60 56) 3398.0634410640723 m, (60.05 56.02)–(60.01 56.01)
    // 2731.9323533100405 m, (60.03 56.03)–(60.01 56.01) 2552.3260878045135 m.
    Table pts = table_from_wkt(
        geos, "clusters", {},
        {{"POINT(59.99 55.97)", {}}, {"POINT(60.05 56.02)", {}}, {"POINT(60.03 56.03)", {}}});
    SpatialIndex index(geos, pts);
    auto square = geos.from_wkt("POLYGON((60 56,60.01 56,60.01 56.01,60 56.01,60 56))");
    const Nearest n = nearest_within(geos, index, *square, 1e9);
    EXPECT_EQ(n.row, 2);
    EXPECT_NEAR(n.distance_m, 2552.3260878045135, 1e-6);
    EXPECT_EQ(nearest_within(geos, index, *square, 2000.0).row, -1);
}

TEST_F(SpatialLinks, NearestFromPolygonsIsTheSmallestOfAllDistances) {
    // The lower bounds only skip candidates: the answer is the candidate with the
    // smallest distance_m, the first row of equal ones, as measuring every one gives.
    std::uint64_t state = 12345;
    auto uniform = [&state](double lo, double hi) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return lo + (hi - lo) * static_cast<double>(state >> 11) / 9007199254740992.0;
    };
    std::vector<std::pair<std::string, std::vector<Value>>> wkt;
    for (int i = 0; i < 300; ++i) {
        wkt.push_back({"POINT(" + std::to_string(uniform(59.0, 61.0)) + " " +
                           std::to_string(uniform(55.5, 57.0)) + ")",
                       {}});
    }
    // Two candidates at the same place: the first row wins a tie.
    wkt.push_back({wkt[7].first, {}});
    Table candidates = table_from_wkt(geos, "clusters", {}, wkt);
    SpatialIndex index(geos, candidates);
    for (int k = 0; k < 200; ++k) {
        const double x = uniform(58.8, 61.2);
        const double y = uniform(55.4, 57.1);
        const double w = k % 4 == 0 ? uniform(0.1, 0.6) : uniform(0.0002, 0.02);
        const double hgt = k % 4 == 0 ? uniform(0.05, 0.4) : uniform(0.0002, 0.02);
        std::string poly = "POLYGON((" + std::to_string(x) + " " + std::to_string(y) + "," +
                           std::to_string(x + w) + " " + std::to_string(y) + "," +
                           std::to_string(x + w) + " " + std::to_string(y + hgt) + "," +
                           std::to_string(x) + " " + std::to_string(y + hgt) + "," +
                           std::to_string(x) + " " + std::to_string(y) + "))";
        if (k % 5 == 1) {
            poly = "LINESTRING(" + std::to_string(x) + " " + std::to_string(y) + "," +
                   std::to_string(x + w) + " " + std::to_string(y + hgt) + ")";
        }
        auto g = geos.from_wkt(poly);
        Nearest brute;
        for (std::size_t r = 0; r < candidates.rows.size(); ++r) {
            const double d = distance_m(geos, *g, *candidates.rows[r].geom);
            if (brute.row < 0 || d < brute.distance_m) {
                brute = {static_cast<int>(r), d};
            }
        }
        const Nearest n = nearest_within(geos, index, *g, 1e9);
        EXPECT_EQ(n.row, brute.row) << poly;
        EXPECT_EQ(n.distance_m, brute.distance_m) << poly;
    }
}

TEST(CityAreas, MostPopulousCityTakesASharedPolygon) {
    GeosContext geos;
    Table cities = table_from_wkt(geos, "cities", {"name", "population"},
                                  {{"POINT(60.5 56.5)", {std::string("small"), std::int64_t{1000}}},
                                   {"POINT(60.6 56.6)", {std::string("big"), std::int64_t{900000}}},
                                   {"POINT(70 50)", {std::string("alone"), std::int64_t{5}}}});
    Table areas =
        table_from_wkt(geos, "city_areas", {}, {{"POLYGON((60 56,61 56,61 57,60 57,60 56))", {}}});
    std::vector<std::string> notes;
    EXPECT_EQ(assign_city_areas(geos, cities, areas, {1000.0, 900000.0, 5.0}, notes), 1);
    EXPECT_EQ(GEOSGeomTypeId_r(geos.handle(), cities.rows[1].geom.get()), GEOS_POLYGON);
    EXPECT_EQ(GEOSGeomTypeId_r(geos.handle(), cities.rows[0].geom.get()), GEOS_POINT);
    EXPECT_EQ(GEOSGeomTypeId_r(geos.handle(), cities.rows[2].geom.get()), GEOS_POINT);
    ASSERT_EQ(notes.size(), 1U);
    EXPECT_EQ(notes[0], "1 city_areas polygon contains several cities; each went to its most "
                        "populous city, the others keep their points: feature 1 (2 cities)");
}

TEST(SpatialIndexEnvelopes, KeptPerRowBesideTheTree) {
    GeosContext geos;
    const Table t = table_from_wkt(geos, "heritage", {},
                                   {{"POINT(60.5 56.25)", {}},
                                    {"POLYGON((60 56,60.2 56,60.1 56.3,60 56))", {}},
                                    {"LINESTRING(61 57,61.5 56.5)", {}}});
    const SpatialIndex index(geos, t);
    EXPECT_TRUE(index.is_point(0));
    EXPECT_FALSE(index.is_point(1));
    EXPECT_FALSE(index.is_point(2));
    const Envelope& p = index.envelope(0);
    EXPECT_EQ(p.minx, 60.5);
    EXPECT_EQ(p.maxx, 60.5);
    EXPECT_EQ(p.miny, 56.25);
    EXPECT_EQ(p.maxy, 56.25);
    const Envelope& poly = index.envelope(1);
    EXPECT_EQ(poly.minx, 60.0);
    EXPECT_EQ(poly.miny, 56.0);
    EXPECT_EQ(poly.maxx, 60.2);
    EXPECT_EQ(poly.maxy, 56.3);
    const Envelope& line = index.envelope(2);
    EXPECT_EQ(line.minx, 61.0);
    EXPECT_EQ(line.miny, 56.5);
    EXPECT_EQ(line.maxx, 61.5);
    EXPECT_EQ(line.maxy, 57.0);
}
