// The creative economy (issue 17): the code → sector mapping, the [enterprises] keys,
// the check of codes, employees and the reference table, the cluster neighbourhood
// link, and the city and cluster indicators on a small fixture computed by hand.
#include "creatlas/error.hpp"
#include "creatlas/project.hpp"
#include "creatlas/sectors.hpp"
#include "test_util.hpp"

#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sstream>

using namespace creatlas;
using ::testing::HasSubstr;

namespace {

std::size_t sec(const char* id) {
    return *sector_index(id);
}

/// The value of `field` in the row of `t` whose `key` is `id`.
Value value_of(const Table& t, const std::string& key, const std::string& id,
               const std::string& field) {
    const int k = t.field_index(key);
    const int f = t.field_index(field);
    EXPECT_GE(f, 0) << field;
    for (const Row& r : t.rows) {
        if (as_text(r.values[static_cast<std::size_t>(k)]) == id && f >= 0) {
            return r.values[static_cast<std::size_t>(f)];
        }
    }
    ADD_FAILURE() << "no row " << id;
    return {};
}

std::string parse_error(const std::string& text) {
    try {
        parse_project(text, "/data", "p.toml");
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return {};
}

} // namespace

TEST(Sectors, TwelveSectorsInFixedOrder) {
    ASSERT_EQ(creative_sectors().size(), 12U);
    EXPECT_EQ(creative_sectors().front().id, "publishing");
    EXPECT_EQ(creative_sectors().back().id, "crafts");
    EXPECT_FALSE(sector_index("fashion"));
}

TEST(Sectors, CodesNormalised) {
    EXPECT_EQ(normalise_code(" 62,01 "), "62.01");
    EXPECT_EQ(normalise_code("58.11."), "58.11");
    EXPECT_EQ(normalise_code(""), "");
}

TEST(Sectors, DefaultOkvedMappingByLongestPrefix) {
    const SectorMap m = SectorMap::parse(default_sector_entries());
    EXPECT_EQ(m.classify("58.11"), sec("publishing"));      // 58.1
    EXPECT_EQ(m.classify("58.21"), sec("software_it"));     // 58.2, not 58.1
    EXPECT_EQ(m.classify("62.01.1"), sec("software_it"));   // 62.01
    EXPECT_FALSE(m.classify("62.03"));                      // IT services: other
    EXPECT_EQ(m.classify("59.20.1"), sec("music_sound"));   // 59.2
    EXPECT_EQ(m.classify("59.11"), sec("film_video"));      // 59.1
    EXPECT_EQ(m.classify("60.20"), sec("broadcasting"));    // 60
    EXPECT_EQ(m.classify("71.11.1"), sec("architecture"));  // 71.11
    EXPECT_FALSE(m.classify("71.12"));                      // engineering: other
    EXPECT_EQ(m.classify("70.21"), sec("advertising_pr"));  // 70.21
    EXPECT_EQ(m.classify("73.11"), sec("advertising_pr"));  // 73.1
    EXPECT_EQ(m.classify("74.10"), sec("design"));          // 74.1
    EXPECT_EQ(m.classify("74.20"), sec("photography"));     // 74.2
    EXPECT_EQ(m.classify("90.03"), sec("arts_performing")); // 90
    EXPECT_EQ(m.classify("91.02"), sec("museums_heritage"));
    EXPECT_FALSE(m.classify("91.04")); // zoos
    EXPECT_EQ(m.classify("32.99.8"), sec("crafts"));
    EXPECT_FALSE(m.classify("32.99.1"));
    EXPECT_FALSE(m.classify("56.10"));
    EXPECT_FALSE(m.classify(""));
    EXPECT_EQ(m.classify(" 62,01 "), sec("software_it"));
}

TEST(Sectors, DeclaredMappingWithExclusion) {
    const SectorMap m = SectorMap::parse({"62=software_it", "62.09=other", "design=design"});
    EXPECT_EQ(m.classify("62.03"), sec("software_it"));
    EXPECT_FALSE(m.classify("62.09")); // the longer prefix carves it out
    EXPECT_EQ(m.classify("design"), sec("design"));
    EXPECT_THROW(SectorMap::parse({"62"}), std::invalid_argument);
    EXPECT_THROW(SectorMap::parse({"62=fashion"}), std::invalid_argument);
    EXPECT_THROW(SectorMap::parse({"62=design", " 62 =crafts"}), std::invalid_argument);
    EXPECT_THROW(SectorMap::parse({"=design"}), std::invalid_argument);
}

TEST(Sectors, MarkdownNamesTheSources) {
    const std::string md = sector_mapping_markdown();
    EXPECT_THAT(md, HasSubstr("OK 029-2014"));
    EXPECT_THAT(md, HasSubstr("DCMS"));
    EXPECT_THAT(md, HasSubstr("| `32.99.8` | `crafts` |"));
}

TEST(ProjectFile, EnterpriseKeys) {
    const Project d = parse_project("", "/data", "p.toml");
    EXPECT_DOUBLE_EQ(d.enterprise_radius_m, 500.0);
    EXPECT_EQ(d.enterprise_reference, "");
    EXPECT_EQ(d.sector_map.classify("62.01"), sec("software_it"));
    const Project p = parse_project("[enterprises]\npath = \"e.csv\"\nsector_field = \"okved\"\n"
                                    "employees_field = \"staff\"\nreference = \"ref.csv\"\n"
                                    "cluster_radius_m = 750\nsectors = [\"it=software_it\"]\n",
                                    "/data", "p.toml");
    EXPECT_EQ(p.enterprises.field("sector_field"), "okved");
    EXPECT_EQ(p.enterprises.field("employees_field"), "staff");
    EXPECT_EQ(p.enterprise_reference, "/data/ref.csv");
    EXPECT_DOUBLE_EQ(p.enterprise_radius_m, 750.0);
    EXPECT_EQ(p.sector_map.classify("it"), sec("software_it"));
    EXPECT_FALSE(p.sector_map.classify("62.01"));
    EXPECT_THAT(parse_error("[enterprises]\npath = \"e.csv\"\nsectors = [\"62=fashion\"]\n"),
                HasSubstr("[enterprises] sectors: '62=fashion': 'fashion' is not a creative "
                          "sector"));
    EXPECT_THAT(parse_error("[enterprises]\npath = \"e.csv\"\ncluster_radius_m = 0\n"),
                HasSubstr("[enterprises] cluster_radius_m: must be positive"));
}

namespace {

/// A fixture of two square cities and six enterprises, with its links.
///
///  city A: POLYGON((0 0, 1 0, 1 1, 0 1, 0 0)), population 2,000
///  city B: POLYGON((2 0, 3 0, 3 1, 2 1, 2 0)), population 4,000
///  e1 (0.5 0.5) 62.01 software_it, 10 staff   in A
///  e2 (0.6 0.5) 62.01 software_it,  5 staff   in A
///  e3 (0.5 0.6) 74.10 design,      (no staff) in A
///  e4 (0.4 0.4) 56.10 other,        7 staff   in A
///  e5 (2.5 0.5) 74.10 design,       3 staff   in B
///  e6 (2.6 0.5) 59.20 music_sound,  2 staff   in B
///  e7 (1.02 0.5) 74.10 design                 outside A, ~2.2 km: linked as nearest
struct Economy {
    GeosContext geos;
    Project project;
    CheckedInputs in;
    Links links;
    RunReport report;
    AtlasLayers layers;

    explicit Economy(const std::string& reference = "") {
        const test::TempDir dir;
        std::string text = "[cities]\npath = \"c.geojson\"\nid_field = \"id\"\n"
                           "population_field = \"pop\"\n"
                           "[clusters]\npath = \"k.geojson\"\nid_field = \"id\"\n"
                           "[enterprises]\npath = \"e.geojson\"\nid_field = \"id\"\n"
                           "sector_field = \"code\"\nemployees_field = \"staff\"\n"
                           "cluster_radius_m = 8000\n";
        if (!reference.empty()) {
            dir.write("ref.csv", reference);
            text += "reference = \"" + dir.file("ref.csv") + "\"\n";
        }
        project = parse_project(text, dir.path().string(), "p.toml");
        Inputs t;
        t.cities = test::table_from_wkt(geos, "cities", {"id", "pop"},
                                        {{"POLYGON((0 0,1 0,1 1,0 1,0 0))", {"A", 2000.0}},
                                         {"POLYGON((2 0,3 0,3 1,2 1,2 0))", {"B", 4000.0}}});
        // k1 sits at e1; k2 in B, 0.1° (≈ 11.1 km) from e5 and e6.
        t.clusters = test::table_from_wkt(geos, "clusters", {"id"},
                                          {{"POINT(0.5 0.5)", {"k1"}}, {"POINT(2.5 0.6)", {"k2"}}});
        t.enterprises = test::table_from_wkt(geos, "enterprises", {"id", "code", "staff"},
                                             {{"POINT(0.5 0.5)", {"e1", "62.01", 10.0}},
                                              {"POINT(0.6 0.5)", {"e2", "62.01", 5.0}},
                                              {"POINT(0.5 0.6)", {"e3", "74.10", Value{}}},
                                              {"POINT(0.4 0.4)", {"e4", "56.10", 7.0}},
                                              {"POINT(2.5 0.5)", {"e5", "74.10", 3.0}},
                                              {"POINT(2.6 0.5)", {"e6", "59.20", 2.0}},
                                              {"POINT(1.02 0.5)", {"e7", "74.10", -1.0}}});
        if (!reference.empty()) {
            t.enterprise_reference = load_source(
                geos,
                [&] {
                    SourceSpec s;
                    s.role = "enterprises.reference";
                    s.path = project.enterprise_reference;
                    return s;
                }(),
                GeometryPolicy::Repair, GeometryNeed::None, report.sources.emplace_back());
            t.enterprise_reference.name = "enterprise_reference";
        }
        in = check_inputs(std::move(t), project, report);
        links = link_inputs(geos, in, project, report);
        layers = measure_atlas(geos, project, std::move(in), links, report);
    }

    Value city(const std::string& id, const std::string& field) const {
        return value_of(layers.cities, "city_id", id, field);
    }
    Value cluster(const std::string& id, const std::string& field) const {
        return value_of(layers.clusters, "cluster_id", id, field);
    }
};

double num(const Value& v) {
    return *as_number(v);
}

} // namespace

TEST(Economy, ChecksCodesAndEmployees) {
    const Economy x;
    // Other: e4 (56.10, a café) only: 1 of 7.
    EXPECT_EQ(x.report.links.at("enterprises_other"), 1);
    EXPECT_EQ(x.report.links.at("enterprises_creative"), 6);
    bool noted = false;
    for (const auto& n : x.report.notes) {
        noted = noted || n.find("1 of 7 are other") != std::string::npos;
    }
    EXPECT_TRUE(noted);
    // e7's -1 employees is out of domain: reported by feature and field.
    ASSERT_EQ(x.report.values.size(), 1U);
    EXPECT_EQ(x.report.values[0].fid, 7);
    EXPECT_EQ(x.report.values[0].field, "staff");
}

TEST(Economy, CityIndicatorsAgainstTheRunTotal) {
    const Economy x;
    // A: e1, e2 software_it, e3 design (e4 is other; e7 lies outside the polygon).
    // B: e5 design, e6 music_sound.
    EXPECT_EQ(x.city("A", "ent_total"), Value{std::int64_t{3}});
    EXPECT_EQ(x.city("A", "ent_other"), Value{std::int64_t{1}});
    EXPECT_EQ(x.city("A", "ent_software_it"), Value{std::int64_t{2}});
    EXPECT_EQ(x.city("A", "ent_design"), Value{std::int64_t{1}});
    EXPECT_EQ(x.city("A", "ent_crafts"), Value{std::int64_t{0}});
    EXPECT_EQ(x.city("B", "ent_total"), Value{std::int64_t{2}});
    // Per 1,000 residents: 3 / 2000 × 1000 = 1.5; 2 / 4000 × 1000 = 0.5.
    EXPECT_DOUBLE_EQ(num(x.city("A", "ent_per_1000")), 1.5);
    EXPECT_DOUBLE_EQ(num(x.city("B", "ent_per_1000")), 0.5);
    // Employees of creative enterprises: A 10 + 5 (+ e3 none) = 15; B 3 + 2 = 5.
    EXPECT_DOUBLE_EQ(num(x.city("A", "ent_employees")), 15.0);
    EXPECT_DOUBLE_EQ(num(x.city("B", "ent_employees")), 5.0);
    // Run total: E = 5; software_it 2, design 2, music_sound 1.
    // LQ A software_it = (2/3) / (2/5) = 5/3; design = (1/3) / (2/5) = 5/6; music 0.
    EXPECT_NEAR(num(x.city("A", "lq_software_it")), 5.0 / 3.0, 1e-15);
    EXPECT_NEAR(num(x.city("A", "lq_design")), 5.0 / 6.0, 1e-15);
    EXPECT_DOUBLE_EQ(num(x.city("A", "lq_music_sound")), 0.0);
    // Sectors absent from the whole run (E_s = 0) have no LQ.
    EXPECT_TRUE(is_null(x.city("A", "lq_crafts")));
    // LQ B design = (1/2) / (2/5) = 5/4; music_sound = (1/2) / (1/5) = 5/2.
    EXPECT_NEAR(num(x.city("B", "lq_design")), 1.25, 1e-15);
    EXPECT_NEAR(num(x.city("B", "lq_music_sound")), 2.5, 1e-15);
    // Krugman A = |2/3 − 2/5| + |1/3 − 2/5| + |0 − 1/5| = 4/15 + 1/15 + 3/15 = 8/15.
    EXPECT_NEAR(num(x.city("A", "krugman_index")), 8.0 / 15.0, 1e-15);
    // Krugman B = |0 − 2/5| + |1/2 − 2/5| + |1/2 − 1/5| = 0.4 + 0.1 + 0.3 = 0.8.
    EXPECT_NEAR(num(x.city("B", "krugman_index")), 0.8, 1e-15);
    EXPECT_EQ(x.city("A", "leading_sector"), Value{std::string("software_it")});
    // B: design and music_sound tie at 1; music_sound is listed first.
    EXPECT_EQ(x.city("B", "leading_sector"), Value{std::string("music_sound")});
}

TEST(Economy, CityIndicatorsAgainstANationalReference) {
    // E = 100 + 300 + 100 = 500 (other is not part of it); every other sector 0.
    const Economy x("sector,count\nsoftware_it,100\ndesign,300\nmusic_sound,100\nother,9999\n"
                    "publishing,0\nfilm_video,0\nbroadcasting,0\narchitecture,0\n"
                    "advertising_pr,0\nphotography,0\narts_performing,0\nmuseums_heritage,0\n"
                    "crafts,0\n");
    // LQ A software_it = (2/3) / (100/500) = 10/3; design = (1/3) / (300/500) = 5/9.
    EXPECT_NEAR(num(x.city("A", "lq_software_it")), 10.0 / 3.0, 1e-15);
    EXPECT_NEAR(num(x.city("A", "lq_design")), 5.0 / 9.0, 1e-15);
    EXPECT_TRUE(is_null(x.city("A", "lq_crafts"))); // E_s = 0
    // Krugman A = |2/3 − 1/5| + |1/3 − 3/5| + |0 − 1/5| = 7/15 + 4/15 + 3/15 = 14/15.
    EXPECT_NEAR(num(x.city("A", "krugman_index")), 14.0 / 15.0, 1e-15);
}

TEST(Economy, ReferenceWithAnUnknownSectorOrMissingColumn) {
    const Economy x("sector,count\nsoftware_it,100\nfashion,5\ndesign,-3\n");
    // fashion is no sector and -3 is negative: both reported, both null.
    ASSERT_EQ(x.report.values.size(), 3U); // and e7's staff
    EXPECT_EQ(x.report.values[1].problem, "is negative");
    EXPECT_EQ(x.report.values[2].problem, "is not a creative sector");
    EXPECT_NEAR(num(x.city("A", "lq_software_it")), (2.0 / 3.0) / 1.0, 1e-15);
    EXPECT_TRUE(is_null(x.city("A", "lq_design")));
    EXPECT_TRUE(is_null(x.city("A", "krugman_index"))); // the reference lacks sectors
    try {
        const Economy y("sector,n\nsoftware_it,100\n");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_THAT(std::string(e.what()), HasSubstr("count"));
        EXPECT_THAT(std::string(e.what()), HasSubstr("ref.csv"));
    }
    EXPECT_THROW(Economy("sector,count\ndesign,1\ndesign,2\n"), Error);
}

TEST(Economy, ClusterNeighbourhood) {
    const Economy x;
    // Radius 8,000 m. k1 at (0.5 0.5): e1 0 m, e2 0.1° of longitude ≈ 11.13 km (out),
    // e3 0.1° of latitude ≈ 11.06 km (out), e4 (other) is not counted → 1.
    EXPECT_EQ(x.cluster("k1", "ent_near"), Value{std::int64_t{1}});
    EXPECT_EQ(x.cluster("k1", "ent_near_mix"), Value{std::string("software_it 1")});
    // k2 at (2.5 0.6): e5 0.1° of latitude ≈ 11.06 km (out), e6 ≈ 15.6 km (out) → 0.
    EXPECT_EQ(x.cluster("k2", "ent_near"), Value{std::int64_t{0}});
    EXPECT_TRUE(is_null(x.cluster("k2", "ent_near_mix")));
}

TEST(Sectors, DocsInStep) {
    std::ifstream in(CREATLAS_SOURCE_DIR "/docs/creative-sectors.md");
    ASSERT_TRUE(in) << "docs/creative-sectors.md is missing";
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), sector_mapping_markdown())
        << "docs/creative-sectors.md is stale: regenerate with `creatlas indicators "
           "--sectors-markdown`";
}
