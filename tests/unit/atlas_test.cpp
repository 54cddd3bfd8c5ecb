// The measure stage on a small fixture whose every expected value is worked out
// independently: distances and areas by pyproj (Geod.inv, LAEA + shapely), the
// rest by hand from those. The reference script is tests/unit/atlas_reference.py.
#include "creatlas/error.hpp"
#include "creatlas/measure.hpp"
#include "test_util.hpp"

#include <cmath>
#include <gtest/gtest.h>

using namespace creatlas;
using creatlas::test::run_stages;
using creatlas::test::table_from_wkt;

namespace {

constexpr double kAreaX = 69380057.8882137; // LAEA area of city X (m²)

Project fixture_project() {
    return parse_project(R"(
[project]
reference_year = 2026
[cities]
path = "c"
id_field = "city_id"
population_field = "population"
capital_field = "capital"
centre_x_field = "cx"
centre_y_field = "cy"
[clusters]
path = "k"
id_field = "cluster_id"
[heritage]
path = "h"
id_field = "heritage_id"
name_field = "name"
[programmes]
path = "p"
id_field = "programme_id"
grant_field = "grant"
)",
                         "/tmp", "fixture.toml");
}

class Atlas : public ::testing::Test {
protected:
    void SetUp() override {
        Inputs in;
        in.cities = table_from_wkt(
            geos, "cities", {"city_id", "population", "capital", "cx", "cy"},
            {{"POLYGON((60 56,60.1 56,60.1 56.1,60 56.1,60 56))",
              {std::string("X"), std::int64_t{200000}, std::int64_t{0}, 60.05, 56.05}},
             {"POLYGON((61 56,61.1 56,61.1 56.1,61 56.1,61 56))",
              {std::string("Y"), std::int64_t{1500000}, std::int64_t{1}, {}, {}}}});
        in.clusters = table_from_wkt(
            geos, "clusters", {"cluster_id", "initiator", "public_share", "opened"},
            {{"POINT(60.05 56.06)",
              {std::string("c1"), std::string("private"), 0.0, std::int64_t{2010}}},
             {"POINT(60.03 56.07)", {std::string("c2"), std::string("private"), 0.2, {}}},
             {"POINT(60.07 56.03)", {std::string("c3"), std::string("public"), 1.0, {}}},
             {"POINT(60.06 56.08)", {std::string("c4"), {}, {}, {}}}});
        in.heritage = table_from_wkt(
            geos, "heritage", {"heritage_id", "name"},
            {{"POINT(60.05064209504108 56.05999999832997)",
              {std::string("h1"), std::string("Механический завод")}},
             {"POLYGON((60.02 56.02,60.022 56.02,60.022 56.021,60.02 56.021,60.02 56.02))",
              {std::string("h2"), std::string("Фабрика")}},
             {"POINT(60.09 56.09)", {std::string("h3"), std::string("Усадьба")}},
             {"POLYGON((60.08 56.06,60.083 56.06,60.083 56.062,60.08 56.062,60.08 56.06))",
              {std::string("h4"), std::string("Пивоваренный завод")}}});
        in.programmes = table_from_wkt(
            geos, "programmes", {"programme_id", "instrument", "grant"},
            {{"POLYGON((60.015 56.015,60.06 56.015,60.06 56.065,60.015 56.065,60.015 56.015))",
              {std::string("z1"), std::string("Grant"), 100.0}},
             {"POLYGON((60.025 56.068,60.035 56.068,60.035 56.072,60.025 56.072,60.025 56.068))",
              {std::string("z2"), std::string("space"), {}}}});
        layers = run_stages(geos, fixture_project(), std::move(in), report);
    }

    static const Value& at(const Table& t, std::size_t row, const std::string& field) {
        const int i = t.field_index(field);
        EXPECT_GE(i, 0) << field;
        return t.rows.at(row).values.at(static_cast<std::size_t>(i));
    }
    static double num(const Table& t, std::size_t row, const std::string& field) {
        auto v = as_number(at(t, row, field));
        EXPECT_TRUE(v.has_value()) << field << " is null";
        return v.value_or(NAN);
    }

    GeosContext geos;
    RunReport report;
    AtlasLayers layers;
};

} // namespace

TEST_F(Atlas, ClusterDistancesAndCentrality) {
    const Table& c = layers.clusters;
    // pyproj Geod.inv to the declared centre (60.05, 56.05).
    EXPECT_NEAR(num(c, 0, "dist_center_m"), 1113.4282777618148, 1e-6);
    EXPECT_NEAR(num(c, 3, "dist_center_m"), 3397.869736283463, 1e-6);
    // centrality = d / sqrt(A/π)
    EXPECT_NEAR(num(c, 0, "centrality"), 1113.4282777618148 / std::sqrt(kAreaX / M_PI), 1e-9);
    EXPECT_EQ(as_text(at(c, 0, "city_id")), "X");
    EXPECT_EQ(as_text(at(c, 0, "city_link")), "contains");
    EXPECT_DOUBLE_EQ(num(c, 0, "city_distance_m"), 0.0);
}

TEST_F(Atlas, ClusterHeritageProgrammesAndGrants) {
    const Table& c = layers.clusters;
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "on_heritage")), 1);
    EXPECT_EQ(as_text(at(c, 0, "heritage_id")), "h1");
    EXPECT_NEAR(num(c, 0, "nearest_heritage_m"), 40.0, 1e-6);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 1, "on_heritage")), 0);
    EXPECT_TRUE(is_null(at(c, 1, "heritage_id")));
    // Polygon distance in the cluster's azimuthal equidistant frame (pyproj + shapely).
    EXPECT_NEAR(num(c, 2, "nearest_heritage_m"), 3156.184496981979, 1e-6);
    EXPECT_NEAR(num(c, 3, "nearest_heritage_m"), 2174.381868671407, 1e-6);
    EXPECT_TRUE(is_null(at(c, 0, "heritage_overlap_m2"))); // a point cluster
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "programme_count")), 1);
    EXPECT_EQ(as_text(at(c, 0, "programme_ids")), "z1");
    EXPECT_EQ(as_text(at(c, 0, "instruments")), "grant");
    EXPECT_DOUBLE_EQ(num(c, 0, "grant_total"), 100.0);
    EXPECT_EQ(as_text(at(c, 1, "instruments")), "space");
    EXPECT_DOUBLE_EQ(num(c, 1, "grant_total"), 0.0);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 2, "programme_count")), 0);
    EXPECT_EQ(as_text(at(c, 2, "programme_ids")), "");
}

TEST_F(Atlas, ClusterAgeAndFormation) {
    const Table& c = layers.clusters;
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "age_years")), 16);
    EXPECT_TRUE(is_null(at(c, 1, "age_years")));
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "formation_type")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 1, "formation_type")), 2);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 2, "formation_type")), 5);
    EXPECT_TRUE(is_null(at(c, 3, "formation_type")));
    EXPECT_EQ(as_text(at(c, 3, "formation_label")), "unknown");
    // The unknown type is counted in the report.
    bool noted = false;
    for (const auto& n : report.notes) {
        noted = noted || n.rfind("1 cluster(s) have an unknown formation type", 0) == 0;
    }
    EXPECT_TRUE(noted);
}

TEST_F(Atlas, HeritageSitesAndCandidates) {
    const Table& h = layers.heritage_sites;
    EXPECT_EQ(std::get<std::int64_t>(at(h, 0, "is_industrial")), 1); // «завод»
    EXPECT_EQ(std::get<std::int64_t>(at(h, 1, "is_industrial")), 1); // «Фабрика»
    EXPECT_EQ(std::get<std::int64_t>(at(h, 2, "is_industrial")), 0); // «Усадьба»
    EXPECT_EQ(std::get<std::int64_t>(at(h, 3, "is_industrial")), 1); // «Пивоваренный завод»
    EXPECT_EQ(std::get<std::int64_t>(at(h, 0, "reused")), 1);
    EXPECT_EQ(as_text(at(h, 0, "cluster_id")), "c1");
    EXPECT_NEAR(num(h, 0, "nearest_cluster_m"), 40.0, 1e-6);
    EXPECT_NEAR(num(h, 1, "footprint_m2"), 13886.541602287873, 1e-4);
    EXPECT_NEAR(num(h, 3, "footprint_m2"), 41616.28968672584, 1e-4);
    EXPECT_TRUE(is_null(at(h, 0, "footprint_m2")));
    // The re-used and the non-industrial sites are not candidates.
    EXPECT_TRUE(is_null(at(h, 0, "candidate_score")));
    EXPECT_TRUE(is_null(at(h, 2, "candidate_rank")));
    // h2 and h4 by hand from pyproj's centralities, nearest-cluster distances, areas:
    const double c2 = 0.7978054239311453;
    const double c4 = 0.49226948366007706;
    const double d2 = 3156.184496981979;
    const double d4 = 1868.8821520999638;
    const double a2 = 13886.541602287873;
    const double a4 = 41616.28968672584;
    const double s2 = ((1 - c2 / c2) + 1.0 + (1 - d2 / d2) + a2 / a4) / 4;
    const double s4 = ((1 - c4 / c2) + 0.0 + (1 - d4 / d2) + a4 / a4) / 4;
    EXPECT_NEAR(num(h, 1, "candidate_score"), s2, 1e-6);
    EXPECT_NEAR(num(h, 3, "candidate_score"), s4, 1e-6);
    EXPECT_NEAR(num(h, 1, "centrality"), c2, 1e-6);
    EXPECT_NEAR(num(h, 3, "nearest_cluster_m"), d4, 1e-6);
    ASSERT_GT(s4, s2);
    EXPECT_EQ(std::get<std::int64_t>(at(h, 3, "candidate_rank")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(h, 1, "candidate_rank")), 2);
}

TEST_F(Atlas, CityIndicators) {
    const Table& c = layers.cities;
    EXPECT_EQ(as_text(at(c, 0, "tier")), "second");
    EXPECT_EQ(as_text(at(c, 1, "tier")), "capital");
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "n_clusters")), 4);
    EXPECT_DOUBLE_EQ(num(c, 0, "clusters_per_100k"), 2.0); // 4 / 200,000 × 100,000
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "ih_count")), 3);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "ih_reused")), 1);
    EXPECT_DOUBLE_EQ(num(c, 0, "ih_transformation_rate"), 1.0 / 3.0);
    EXPECT_NEAR(num(c, 0, "ih_area_m2"), 13886.541602287873 + 41616.28968672584, 1e-4);
    EXPECT_TRUE(is_null(at(c, 0, "ih_reused_area_m2")));    // the re-used site is a point
    EXPECT_DOUBLE_EQ(num(c, 0, "programme_coverage"), 0.5); // c1, c2 of 4
    EXPECT_DOUBLE_EQ(num(c, 0, "grant_total"), 100.0);
    EXPECT_DOUBLE_EQ(num(c, 0, "grant_per_cluster"), 25.0);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "type_1")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "type_3")), 0);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "type_5")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "dominant_type")), 1); // tie 1/2/5 → lowest
    EXPECT_NEAR(num(c, 0, "type_diversity"), std::log(3.0) / std::log(5.0), 1e-12);
    const double mean_c =
        (1113.4282777618148 + 2551.708916651495 + 2552.0174778456126 + 3397.869736283463) / 4 /
        std::sqrt(kAreaX / M_PI);
    EXPECT_NEAR(num(c, 0, "mean_centrality"), mean_c, 1e-9);
    // Clark–Evans from pyproj geodesic nearest-neighbour distances and the LAEA area.
    EXPECT_NEAR(num(c, 0, "nni"), 1.090308084587458, 1e-9);
    EXPECT_NEAR(num(c, 0, "nni_z"), 0.34553139190181337, 1e-8);
    EXPECT_NEAR(num(c, 0, "nni_p"), 0.7296949144883382, 1e-8);
}

TEST_F(Atlas, CityWithoutClustersGetsNullsNotZeroDivisions) {
    const Table& c = layers.cities;
    EXPECT_EQ(std::get<std::int64_t>(at(c, 1, "n_clusters")), 0);
    EXPECT_DOUBLE_EQ(num(c, 1, "clusters_per_100k"), 0.0);
    EXPECT_TRUE(is_null(at(c, 1, "programme_coverage")));
    EXPECT_TRUE(is_null(at(c, 1, "grant_per_cluster")));
    EXPECT_TRUE(is_null(at(c, 1, "ih_transformation_rate")));
    EXPECT_TRUE(is_null(at(c, 1, "type_diversity")));
    EXPECT_TRUE(is_null(at(c, 1, "dominant_type")));
    EXPECT_TRUE(is_null(at(c, 1, "nni")));
    EXPECT_TRUE(is_null(at(c, 1, "mean_centrality")));
}

TEST_F(Atlas, CreativeIndexAndRank) {
    const Table& c = layers.cities;
    // Only clusters_per_100k varies across the two cities (2 vs 0); the other three
    // components have a value in one city only and are left out.
    EXPECT_DOUBLE_EQ(num(c, 0, "creative_index"), 100.0);
    EXPECT_DOUBLE_EQ(num(c, 1, "creative_index"), 0.0);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 0, "creative_rank")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(c, 1, "creative_rank")), 2);
}

TEST_F(Atlas, ProgrammesAndOverlaps) {
    const Table& p = layers.programmes;
    EXPECT_EQ(as_text(at(p, 0, "instrument")), "grant"); // case-folded from "Grant"
    EXPECT_EQ(std::get<std::int64_t>(at(p, 0, "clusters_covered")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(p, 0, "heritage_covered")), 2);
    EXPECT_EQ(std::get<std::int64_t>(at(p, 1, "clusters_covered")), 1);
    EXPECT_EQ(std::get<std::int64_t>(at(p, 1, "heritage_covered")), 0);
    const Table& o = layers.heritage_programmes;
    ASSERT_EQ(o.rows.size(), 2U);
    EXPECT_EQ(as_text(at(o, 0, "heritage_id")), "h1");
    EXPECT_TRUE(is_null(at(o, 0, "overlap_m2")));
    EXPECT_EQ(as_text(at(o, 1, "heritage_id")), "h2");
    EXPECT_EQ(as_text(at(o, 1, "programme_id")), "z1");
    EXPECT_NEAR(num(o, 1, "overlap_m2"), 13886.541602287873, 1e-4); // h2 lies inside z1
}

TEST_F(Atlas, InputFieldsFollowTheCatalogueFields) {
    const Table& c = layers.clusters;
    // The id field is absorbed into cluster_id; the other input fields follow.
    EXPECT_EQ(c.field_index("cluster_id"), 0);
    EXPECT_EQ(c.field_index("src_cluster_id"), -1);
    EXPECT_GT(c.field_index("initiator"), c.field_index("formation_label"));
}

TEST(AtlasEdges, CapitalValuesSelectRegionalCapitals) {
    // hflabs/city's capital_marker: 0 none, 1 district centre, 2 regional centre, 3 both.
    GeosContext geos;
    Inputs in;
    in.cities = table_from_wkt(
        geos, "cities", {"city_id", "population", "capital"},
        {{"POINT(60 56)", {std::string("a"), std::int64_t{100000}, std::string("1")}},
         {"POINT(61 56)", {std::string("b"), std::int64_t{100000}, std::string("2")}},
         {"POINT(62 56)", {std::string("c"), std::int64_t{100000}, std::string("0")}}});
    in.clusters =
        table_from_wkt(geos, "clusters", {"cluster_id"}, {{"POINT(60 56)", {std::string("k")}}});
    Project p = fixture_project();
    p.capital_values = {"2", "3"};
    RunReport report;
    AtlasLayers l = run_stages(geos, p, std::move(in), report);
    const int tier = l.cities.field_index("tier");
    auto tier_of = [&](std::size_t i) {
        return as_text(l.cities.rows[i].values[static_cast<std::size_t>(tier)]);
    };
    EXPECT_EQ(tier_of(0), "second");
    EXPECT_EQ(tier_of(1), "capital");
    EXPECT_EQ(tier_of(2), "second");
}

TEST(AtlasEdges, NoHeritageNoProgrammesSingleCluster) {
    GeosContext geos;
    Inputs in;
    in.cities = table_from_wkt(geos, "cities", {"city_id", "population"},
                               {{"POLYGON((60 56,60.1 56,60.1 56.1,60 56.1,60 56))",
                                 {std::string("X"), std::int64_t{200000}}}});
    in.clusters = table_from_wkt(geos, "clusters", {"cluster_id"},
                                 {{"POINT(60.05 56.06)", {std::string("c1")}}});
    RunReport report;
    AtlasLayers l = run_stages(geos, fixture_project(), std::move(in), report);
    ASSERT_EQ(l.clusters.rows.size(), 1U);
    EXPECT_TRUE(is_null(l.clusters.rows[0].values[static_cast<std::size_t>(
        l.clusters.field_index("nearest_heritage_m"))]));
    EXPECT_EQ(l.heritage_sites.rows.size(), 0U);
    EXPECT_EQ(l.heritage_programmes.rows.size(), 0U);
    const auto& city = l.cities.rows[0].values;
    EXPECT_TRUE(is_null(city[static_cast<std::size_t>(l.cities.field_index("nni"))]));
    EXPECT_TRUE(
        is_null(city[static_cast<std::size_t>(l.cities.field_index("ih_transformation_rate"))]));
    bool noted = false;
    for (const auto& n : report.notes) {
        noted =
            noted || n == "nni is null for 1 city with 1 or 2 clusters (Clark–Evans needs 3): X";
    }
    EXPECT_TRUE(noted);
}

TEST(AtlasEdges, UnknownInstrumentIsReportedAndNull) {
    GeosContext geos;
    Inputs in;
    in.clusters = table_from_wkt(geos, "clusters", {"cluster_id"},
                                 {{"POINT(60.05 56.06)", {std::string("c1")}}});
    in.programmes = table_from_wkt(
        geos, "programmes", {"programme_id", "instrument"},
        {{"POLYGON((60 56,61 56,61 57,60 56))", {std::string("z1"), std::string("subsidy")}}});
    RunReport report;
    const AtlasLayers l = run_stages(geos, fixture_project(), std::move(in), report);
    ASSERT_EQ(report.values.size(), 1U);
    EXPECT_EQ(report.values[0].role, "programmes");
    EXPECT_EQ(report.values[0].fid, 1);
    EXPECT_EQ(report.values[0].field, "instrument");
    EXPECT_EQ(report.values[0].value, "subsidy");
    EXPECT_EQ(report.values[0].problem,
              "is not one of the instruments space, cluster, grant, export");
    ASSERT_EQ(l.programmes.rows.size(), 1U);
    EXPECT_TRUE(
        is_null(l.programmes.rows[0]
                    .values[static_cast<std::size_t>(l.programmes.field_index("instrument"))]));
    // The cluster inside the zone is covered, with no instrument to name.
    const int inst = l.clusters.field_index("instruments");
    EXPECT_EQ(as_text(l.clusters.rows[0].values[static_cast<std::size_t>(inst)]), "");
}

TEST(AtlasEdges, HeritageAndProgrammesWithoutClusters) {
    // An overlay of heritage with support programmes needs no clusters: the sites'
    // zones, overlaps and candidates are computed; what depends on clusters is null.
    GeosContext geos;
    Inputs in;
    in.cities = table_from_wkt(geos, "cities", {"city_id", "population"},
                               {{"POLYGON((60 56,60.1 56,60.1 56.1,60 56.1,60 56))",
                                 {std::string("X"), std::int64_t{200000}}}});
    in.heritage = table_from_wkt(geos, "heritage", {"heritage_id", "name"},
                                 {{"POINT(60.05 56.05)", {std::string("h1"), std::string("Завод")}},
                                  {"POINT(60.09 56.09)", {std::string("h2"), std::string("Дом")}}});
    in.programmes =
        table_from_wkt(geos, "programmes", {"programme_id", "instrument"},
                       {{"POLYGON((60.04 56.04,60.06 56.04,60.06 56.06,60.04 56.06,60.04 56.04))",
                         {std::string("z1"), std::string("space")}}});
    Project p = parse_project(R"(
[cities]
path = "c"
id_field = "city_id"
population_field = "population"
[heritage]
path = "h"
id_field = "heritage_id"
name_field = "name"
[programmes]
path = "p"
id_field = "programme_id"
)",
                              "/tmp", "overlay.toml");
    RunReport report;
    const AtlasLayers l = run_stages(geos, p, std::move(in), report);
    auto at = [](const Table& t, std::size_t row, const std::string& field) -> const Value& {
        return t.rows.at(row).values.at(static_cast<std::size_t>(t.field_index(field)));
    };
    auto num = [&at](const Table& t, std::size_t row, const std::string& field) {
        return as_number(at(t, row, field)).value_or(NAN);
    };
    EXPECT_EQ(l.clusters.rows.size(), 0U);
    ASSERT_EQ(l.heritage_sites.rows.size(), 2U);
    EXPECT_EQ(num(l.heritage_sites, 0, "programme_count"), 1.0);
    EXPECT_EQ(num(l.heritage_sites, 0, "candidate_rank"), 1.0); // the only industrial site
    EXPECT_TRUE(is_null(at(l.heritage_sites, 0, "reused")));
    EXPECT_EQ(num(l.programmes, 0, "heritage_covered"), 1.0);
    EXPECT_EQ(num(l.cities, 0, "ih_count"), 1.0);
    for (const char* f : {"n_clusters", "ih_reused", "ih_transformation_rate", "grant_total",
                          "programme_coverage", "creative_index"}) {
        EXPECT_TRUE(is_null(at(l.cities, 0, f))) << f;
    }
}

TEST(AtlasEdges, HexGridCompletedLaterEqualsTheOneMeasuredAtOnce) {
    // The pipeline writes the other layers while the hex grid is still being laid out
    // (MeasureOptions::defer_hex_grid); completed, it is the grid measure_atlas gives
    // when it waits for it.
    auto stages = [](const GeosContext& geos, bool defer) {
        Inputs in;
        in.cities = table_from_wkt(geos, "cities", {"city_id", "population"},
                                   {{"POLYGON((60 56,60.1 56,60.1 56.1,60 56.1,60 56))",
                                     {std::string("X"), std::int64_t{200000}}},
                                    {"POLYGON((61 56,61.05 56,61.05 56.05,61 56.05,61 56))",
                                     {std::string("Y"), std::int64_t{50000}}}});
        std::vector<std::pair<std::string, std::vector<Value>>> clusters;
        for (int i = 0; i < 40; ++i) {
            const double x = (i % 2 == 0 ? 60.01 : 61.005) + 0.002 * (i % 20);
            const double y = (i % 2 == 0 ? 56.01 : 56.005) + 0.0017 * (i % 13);
            clusters.push_back({"POINT(" + std::to_string(x) + " " + std::to_string(y) + ")",
                                {std::string("c") + std::to_string(i)}});
        }
        in.clusters = table_from_wkt(geos, "clusters", {"cluster_id"}, clusters);
        RunReport report;
        const Project project = fixture_project();
        CheckedInputs checked = check_inputs(std::move(in), project, report);
        const Links links = link_inputs(geos, checked, project, report);
        MeasureOptions mo;
        mo.defer_hex_grid = defer;
        return measure_atlas(geos, project, std::move(checked), links, report, {}, mo);
    };
    GeosContext geos;
    const AtlasLayers now = stages(geos, false);
    ASSERT_GT(now.hex_grid.rows.size(), 10U);
    EXPECT_EQ(now.pending_hex_grid, nullptr);
    AtlasLayers later = stages(geos, true);
    ASSERT_NE(later.pending_hex_grid, nullptr);
    EXPECT_TRUE(later.hex_grid.rows.empty());
    EXPECT_EQ(later.hex_grid.name, "hex_grid");
    ASSERT_EQ(later.hex_grid.fields.size(), now.hex_grid.fields.size());
    for (std::size_t i = 0; i < now.hex_grid.fields.size(); ++i) {
        EXPECT_EQ(later.hex_grid.fields[i].name, now.hex_grid.fields[i].name);
        EXPECT_EQ(later.hex_grid.fields[i].type, now.hex_grid.fields[i].type);
    }
    later.complete_hex_grid(geos);
    EXPECT_EQ(later.pending_hex_grid, nullptr);
    ASSERT_EQ(later.hex_grid.rows.size(), now.hex_grid.rows.size());
    for (std::size_t i = 0; i < now.hex_grid.rows.size(); ++i) {
        EXPECT_EQ(later.hex_grid.rows[i].fid, now.hex_grid.rows[i].fid);
        EXPECT_EQ(later.hex_grid.rows[i].values, now.hex_grid.rows[i].values);
        EXPECT_EQ(GEOSEqualsExact_r(geos.handle(), later.hex_grid.rows[i].geom.get(),
                                    now.hex_grid.rows[i].geom.get(), 0.0),
                  1);
    }
    // Left uncompleted (a run stopped meanwhile): the layers go without waiting long.
    {
        const AtlasLayers dropped = stages(geos, true);
        EXPECT_NE(dropped.pending_hex_grid, nullptr);
    }
}
