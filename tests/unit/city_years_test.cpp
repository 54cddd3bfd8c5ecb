// The transformation over time (measure/city_years.cpp and the years of the check
// stage) on a hand-built case whose every value is worked out by hand, year by year,
// in the comments. It holds a cluster that closes (k1), a site re-used by two
// clusters in turn (h1: k1 2010–2012, then k2 from 2014), a programme that ends (z1,
// 2011–2014), years without any activity (city X in 2015 and 2016, city Y in
// 2010–2014), an undated cluster (k4) and an undated grant.
#include "creatlas/error.hpp"
#include "creatlas/measure.hpp"
#include "test_util.hpp"

#include <cmath>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace creatlas;
using creatlas::test::run_stages;
using creatlas::test::table_from_wkt;
using ::testing::ElementsAre;

namespace {

Project timeline_project() {
    return parse_project(R"(
[project]
reference_year = 2016
[cities]
path = "c"
id_field = "city_id"
[clusters]
path = "k"
id_field = "cluster_id"
[heritage]
path = "h"
id_field = "heritage_id"
category_field = "category"
[industrial]
category_values = ["industrial"]
[programmes]
path = "p"
id_field = "programme_id"
[grants]
path = "g"
key_field = "cluster_key"
)",
                         "/tmp", "timeline.toml");
}

const Value kNull{};
Value yr(std::int64_t y) {
    return Value(y);
}

class Timeline : public ::testing::Test {
protected:
    void SetUp() override {
        Inputs in;
        in.cities = table_from_wkt(
            geos, "cities", {"city_id"},
            {{"POLYGON((60 56,60.1 56,60.1 56.1,60 56.1,60 56))", {std::string("X")}},
             {"POLYGON((61 56,61.1 56,61.1 56.1,61 56.1,61 56))", {std::string("Y")}}});
        // Types: k1 private & 0 → 1; k2 public & 1 → 5; k3 joint → 3; k5 private & 0.2 → 2.
        in.clusters = table_from_wkt(
            geos, "clusters", {"cluster_id", "initiator", "public_share", "opened", "closed"},
            {{"POINT(60.02 56.02)",
              {std::string("k1"), std::string("private"), 0.0, yr(2010), yr(2013)}},
             {"POINT(60.02 56.02)", {std::string("k2"), std::string("public"), 1.0, yr(2014), {}}},
             {"POINT(60.05 56.05)", {std::string("k3"), std::string("joint"), 0.5, yr(2012), {}}},
             {"POINT(60.08 56.08)", {std::string("k4"), std::string("private"), 0.0, {}, {}}},
             {"POINT(61.05 56.05)",
              {std::string("k5"), std::string("private"), 0.2, yr(2015), {}}}});
        // X has four industrial sites (h1–h4); Y has none (h5 is civil).
        in.heritage =
            table_from_wkt(geos, "heritage", {"heritage_id", "category"},
                           {{"POINT(60.02 56.02)", {std::string("h1"), std::string("industrial")}},
                            {"POINT(60.05 56.05)", {std::string("h2"), std::string("industrial")}},
                            {"POINT(60.09 56.01)", {std::string("h3"), std::string("industrial")}},
                            {"POINT(60.01 56.09)", {std::string("h4"), std::string("industrial")}},
                            {"POINT(61.02 56.02)", {std::string("h5"), std::string("civil")}}});
        // z1 holds k1 and k2 (not k3) and runs 2011–2014; z2 covers Y from 2016 on.
        in.programmes = table_from_wkt(
            geos, "programmes", {"programme_id", "instrument", "start_year", "end_year"},
            {{"POLYGON((60 56,60.03 56,60.03 56.03,60 56.03,60 56))",
              {std::string("z1"), std::string("space"), yr(2011), yr(2014)}},
             {"POLYGON((61 56,61.1 56,61.1 56.1,61 56.1,61 56))",
              {std::string("z2"), std::string("grant"), yr(2016), {}}}});
        in.grants = table_from_wkt(geos, "grants", {"cluster_key", "amount", "year"},
                                   {{"", {std::string("k1"), 100.0, yr(2011)}},
                                    {"", {std::string("k1"), 50.0, yr(2012)}},
                                    {"", {std::string("k3"), 200.0, yr(2012)}},
                                    {"", {std::string("k5"), 400.0, yr(2016)}},
                                    {"", {std::string("k2"), 30.0, {}}}});
        layers = run_stages(geos, timeline_project(), std::move(in), report);
    }

    /// Column `field` of city_years for the rows of `city`, in year order.
    std::vector<Value> series(const std::string& city, const std::string& field) const {
        const Table& t = layers.city_years;
        const int f = t.field_index(field);
        const int c = t.field_index("city_id");
        EXPECT_GE(f, 0) << field;
        std::vector<Value> out;
        for (const Row& r : t.rows) {
            if (as_text(r.values[static_cast<std::size_t>(c)]) == city) {
                out.push_back(r.values[static_cast<std::size_t>(f)]);
            }
        }
        return out;
    }
    static std::vector<Value> ints(std::initializer_list<std::int64_t> v) {
        std::vector<Value> out;
        for (auto x : v) {
            out.emplace_back(x);
        }
        return out;
    }
    const Value& city(const std::string& id, const std::string& field) const {
        const Table& t = layers.cities;
        for (const Row& r : t.rows) {
            if (as_text(r.values[static_cast<std::size_t>(t.field_index("city_id"))]) == id) {
                return r.values.at(static_cast<std::size_t>(t.field_index(field)));
            }
        }
        ADD_FAILURE() << "no city " << id;
        return kNull;
    }

    GeosContext geos;
    RunReport report;
    AtlasLayers layers;
};

} // namespace

TEST_F(Timeline, OneRowPerCityAndYearFromTheFirstActivityWithTheCityGeometry) {
    // First dated activity anywhere: k1 opened 2010 (grants 2011, z1 2011) → 2010–2016,
    // 7 years × 2 cities = 14 rows, each city's rows in year order.
    ASSERT_EQ(layers.city_years.name, "city_years");
    ASSERT_EQ(layers.city_years.rows.size(), 14U);
    EXPECT_EQ(series("X", "year"), ints({2010, 2011, 2012, 2013, 2014, 2015, 2016}));
    EXPECT_EQ(series("Y", "year"), ints({2010, 2011, 2012, 2013, 2014, 2015, 2016}));
    for (const Row& r : layers.city_years.rows) {
        ASSERT_TRUE(r.geom);
        EXPECT_TRUE(is_areal(geos, r.geom.get()));
    }
    // Same polygon as the city: equal-exact with the cities layer's geometry.
    EXPECT_EQ(GEOSEqualsExact_r(geos.handle(), layers.city_years.rows[0].geom.get(),
                                layers.cities.rows[0].geom.get(), 0.0),
              1);
}

TEST_F(Timeline, ClustersOpenedClosedAndOpen) {
    // Open at the end of y: opened ≤ y < closed.
    //   k1 2010–2012 (closed 2013), k3 2012–, k2 2014–; k4 has no year (left out).
    //   X: 2010 {k1}, 2011 {k1}, 2012 {k1,k3}, 2013 {k3}, 2014–2016 {k3,k2}.
    EXPECT_EQ(series("X", "clusters_open"), ints({1, 1, 2, 1, 2, 2, 2}));
    EXPECT_EQ(series("X", "clusters_opened"), ints({1, 0, 1, 0, 1, 0, 0}));
    EXPECT_EQ(series("X", "clusters_closed"), ints({0, 0, 0, 1, 0, 0, 0}));
    // Y: k5 opened 2015; 2010–2014 nothing at all.
    EXPECT_EQ(series("Y", "clusters_open"), ints({0, 0, 0, 0, 0, 1, 1}));
    EXPECT_EQ(series("Y", "clusters_opened"), ints({0, 0, 0, 0, 0, 1, 0}));
    bool noted = false;
    for (const auto& n : report.notes) {
        noted = noted || n.find("1 cluster(s) without an opening year") != std::string::npos;
    }
    EXPECT_TRUE(noted);
}

TEST_F(Timeline, HeritageReusedOnceByTwoClustersInTurn) {
    // h1 re-used from 2010 (k1; k2 in 2014 does not count it again), h2 from 2012 (k3);
    // ih_count X = 4 (h1–h4): 1,1,2,2,2,2,2 and the rate /4.
    EXPECT_EQ(series("X", "ih_count"), ints({4, 4, 4, 4, 4, 4, 4}));
    EXPECT_EQ(series("X", "ih_reused"), ints({1, 1, 2, 2, 2, 2, 2}));
    EXPECT_EQ(series("X", "ih_transformation_rate"),
              (std::vector<Value>{0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5}));
    // The last year agrees with the snapshot on cities.
    EXPECT_EQ(std::get<std::int64_t>(city("X", "ih_reused")), 2);
    // Y has no industrial heritage: the rate is null, never 0.
    EXPECT_EQ(series("Y", "ih_reused"), ints({0, 0, 0, 0, 0, 0, 0}));
    for (const Value& v : series("Y", "ih_transformation_rate")) {
        EXPECT_TRUE(is_null(v));
    }
}

TEST_F(Timeline, ProgrammesActiveAndCoverageWithAProgrammeThatEnds) {
    // z1 runs 2011–2014 (inclusive) in X; z2 from 2016 in Y.
    EXPECT_EQ(series("X", "programmes_active"), ints({0, 1, 1, 1, 1, 0, 0}));
    EXPECT_EQ(series("Y", "programmes_active"), ints({0, 0, 0, 0, 0, 0, 1}));
    // Covered = open and inside a running zone: k1 in 2011, 2012; k2 in 2014 (z1 ends).
    //   X: 2010 0/1, 2011 1/1, 2012 1/2, 2013 0/1, 2014 1/2, 2015 0/2, 2016 0/2.
    EXPECT_EQ(series("X", "programme_coverage"),
              (std::vector<Value>{0.0, 1.0, 0.5, 0.0, 0.5, 0.0, 0.0}));
    // Y: no open cluster before 2015 (null); k5 outside a running zone in 2015, inside 2016.
    EXPECT_EQ(series("Y", "programme_coverage"),
              (std::vector<Value>{kNull, kNull, kNull, kNull, kNull, 0.0, 1.0}));
}

TEST_F(Timeline, GrantsThatYearAndCumulative) {
    // X: 2011 k1 100; 2012 k1 50 + k3 200; k2's grant has no year (left out).
    EXPECT_EQ(series("X", "grants_year"), ints({0, 1, 2, 0, 0, 0, 0}));
    EXPECT_EQ(series("X", "grants_cum"), ints({0, 1, 3, 3, 3, 3, 3}));
    EXPECT_EQ(series("X", "grant_rub_year"),
              (std::vector<Value>{0.0, 100.0, 250.0, 0.0, 0.0, 0.0, 0.0}));
    EXPECT_EQ(series("X", "grant_rub_cum"),
              (std::vector<Value>{0.0, 100.0, 350.0, 350.0, 350.0, 350.0, 350.0}));
    // Y: 2016 k5 400.
    EXPECT_EQ(series("Y", "grant_rub_cum"),
              (std::vector<Value>{0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 400.0}));
}

TEST_F(Timeline, FormationMixOfTheOpenClusters) {
    // X open: 2010–11 {k1:1}, 2012 {k1:1, k3:3}, 2013 {k3:3}, 2014–16 {k3:3, k2:5}.
    EXPECT_EQ(series("X", "type_1"), ints({1, 1, 1, 0, 0, 0, 0}));
    EXPECT_EQ(series("X", "type_3"), ints({0, 0, 1, 1, 1, 1, 1}));
    EXPECT_EQ(series("X", "type_5"), ints({0, 0, 0, 0, 1, 1, 1}));
    EXPECT_EQ(series("X", "dominant_type"), ints({1, 1, 1, 3, 3, 3, 3})); // ties: the lower
    // Two types half and half: −2·(½ ln ½) / ln 5 = ln 2 / ln 5.
    const double half = std::log(2.0) / std::log(5.0);
    const auto d = series("X", "type_diversity");
    ASSERT_EQ(d.size(), 7U);
    const double expected[] = {0.0, 0.0, half, 0.0, half, half, half};
    for (std::size_t y = 0; y < 7; ++y) {
        EXPECT_NEAR(std::get<double>(d[y]), expected[y], 1e-12) << 2010 + y;
    }
    // Y before 2015: no open cluster, no dominant type.
    EXPECT_TRUE(is_null(series("Y", "dominant_type")[0]));
    EXPECT_EQ(series("Y", "type_2"), ints({0, 0, 0, 0, 0, 1, 1}));
}

TEST_F(Timeline, CitySummaryOfTheTrajectory) {
    // X: first cluster 2010 (k4 undated), 2016 − 2010 = 6 years; openings 2012–2016:
    // k3 2012, k2 2014 → 2 / 5 = 0.4; rate 0.25 first in 2010, 0.5 first in 2012.
    EXPECT_EQ(std::get<std::int64_t>(city("X", "first_cluster_year")), 2010);
    EXPECT_EQ(std::get<std::int64_t>(city("X", "years_since_first")), 6);
    EXPECT_DOUBLE_EQ(std::get<double>(city("X", "opened_per_year_5y")), 0.4);
    EXPECT_EQ(std::get<std::int64_t>(city("X", "year_rate_25")), 2010);
    EXPECT_EQ(std::get<std::int64_t>(city("X", "year_rate_50")), 2012);
    // Y: k5 2015 → 1 year, 1 / 5 = 0.2; no industrial heritage → never reaches a rate.
    EXPECT_EQ(std::get<std::int64_t>(city("Y", "first_cluster_year")), 2015);
    EXPECT_EQ(std::get<std::int64_t>(city("Y", "years_since_first")), 1);
    EXPECT_DOUBLE_EQ(std::get<double>(city("Y", "opened_per_year_5y")), 0.2);
    EXPECT_TRUE(is_null(city("Y", "year_rate_25")));
    EXPECT_TRUE(is_null(city("Y", "year_rate_50")));
}

TEST_F(Timeline, CheckedYearsOnClustersAndProgrammes) {
    const Table& k = layers.clusters;
    const auto at = [&k](std::size_t row, const char* field) {
        return k.rows[row].values[static_cast<std::size_t>(k.field_index(field))];
    };
    EXPECT_EQ(at(0, "opened_year"), yr(2010));
    EXPECT_EQ(at(0, "closed_year"), yr(2013));
    EXPECT_TRUE(is_null(at(1, "closed_year")));
    const Table& p = layers.programmes;
    const auto zone = [&p](std::size_t row, const char* field) {
        return p.rows[row].values[static_cast<std::size_t>(p.field_index(field))];
    };
    EXPECT_EQ(zone(0, "start_year"), yr(2011));
    EXPECT_EQ(zone(0, "end_year"), yr(2014));
    EXPECT_TRUE(is_null(zone(1, "end_year")));
    // The input's own start_year/end_year fields are the checked ones, not written twice.
    int starts = 0;
    for (const FieldDef& f : p.fields) {
        starts += f.name.find("start_year") != std::string::npos ? 1 : 0;
    }
    EXPECT_EQ(starts, 1);
}

TEST(TimelineCheck, ImplausibleYearsAreReportedAndNull) {
    GeosContext geos;
    Inputs in;
    in.cities = table_from_wkt(geos, "cities", {"city_id"}, {{"POINT(60 56)", {std::string("x")}}});
    // c1 closes before it opened; c2 closes after the reference year; c3 is fine.
    in.clusters = table_from_wkt(geos, "clusters", {"cluster_id", "opened", "closed"},
                                 {{"POINT(60 56)", {std::string("c1"), yr(2015), yr(2012)}},
                                  {"POINT(60 56)", {std::string("c2"), yr(2015), yr(2030)}},
                                  {"POINT(60 56)", {std::string("c3"), yr(2015), yr(2015)}}});
    // z1 ends before it starts; z2 ends 2200 (> 2026 + 100); z3 is planned to end 2040;
    // z4 starts in the future.
    in.programmes =
        table_from_wkt(geos, "programmes", {"programme_id", "instrument", "start_year", "end_year"},
                       {{"POLYGON((60 56,61 56,61 57,60 56))",
                         {std::string("z1"), std::string("space"), yr(2020), yr(2018)}},
                        {"POLYGON((60 56,61 56,61 57,60 56))",
                         {std::string("z2"), std::string("space"), yr(2020), yr(2200)}},
                        {"POLYGON((60 56,61 56,61 57,60 56))",
                         {std::string("z3"), std::string("space"), yr(2020), yr(2040)}},
                        {"POLYGON((60 56,61 56,61 57,60 56))",
                         {std::string("z4"), std::string("space"), yr(2027), {}}}});
    in.grants = table_from_wkt(
        geos, "grants", {"key", "amount", "year"},
        {{"", {std::string("c1"), 1.0, yr(1600)}}, {"", {std::string("c1"), 1.0, yr(2020)}}});
    Project p = parse_project("[project]\nreference_year = 2026\n[cities]\npath = \"c\"\n"
                              "[clusters]\npath = \"k\"\n[programmes]\npath = \"p\"\n"
                              "[grants]\npath = \"g\"\nkey_field = \"key\"\n",
                              "/tmp", "years.toml");
    RunReport report;
    const CheckedInputs c = check_inputs(std::move(in), p, report);
    std::vector<std::string> notes;
    for (const auto& v : report.values) {
        notes.push_back(v.role + " " + std::to_string(v.fid) + " " + v.field + " '" + v.value +
                        "': " + v.problem);
    }
    EXPECT_THAT(notes,
                ElementsAre("clusters 2 closed '2030': is not a plausible year (1700–2026)",
                            "clusters 1 closed '2012': is before the opening year (2015)",
                            "programmes 4 start_year '2027': is not a plausible year (1700–2026)",
                            "programmes 2 end_year '2200': is not a plausible year (1700–2126)",
                            "programmes 1 end_year '2018': is before the start year (2020)",
                            "grants 1 year '1600': is not a plausible year (1700–2026)"));
    EXPECT_THAT(c.closed.values, ElementsAre(std::nullopt, std::nullopt, 2015));
    EXPECT_THAT(c.zone_start, ElementsAre(2020, 2020, 2020, std::nullopt));
    EXPECT_THAT(c.zone_end, ElementsAre(std::nullopt, std::nullopt, 2040, std::nullopt));
    EXPECT_THAT(c.grant_year, ElementsAre(std::nullopt, 2020));
    EXPECT_TRUE(c.zone_years_known);
    EXPECT_TRUE(c.grant_years_known);
}
