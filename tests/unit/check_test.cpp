// The check stage: every value checked once, out-of-domain values reported and null.
#include "check/check_internal.hpp"
#include "creatlas/check.hpp"
#include "creatlas/error.hpp"
#include "creatlas/text.hpp"
#include "test_util.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

using namespace creatlas;
using creatlas::test::table_from_wkt;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

Project project_for(const std::string& extra = "") {
    return parse_project(R"(
[project]
reference_year = 2026
[cities]
path = "c"
id_field = "city_id"
population_field = "population"
[clusters]
path = "k"
id_field = "cluster_id"
[programmes]
path = "p"
id_field = "programme_id"
grant_field = "grant"
[grants]
path = "g"
key_field = "key"
[formation]
public_values = ["public", "государство"]
)" + extra,
                         "/tmp", "check.toml");
}

/// "role fid field 'value': problem" for each value note, to compare in one line.
std::vector<std::string> notes(const RunReport& r) {
    std::vector<std::string> out;
    for (const auto& v : r.values) {
        out.push_back(v.role + " " + std::to_string(v.fid) + " " + v.field + " '" + v.value +
                      "': " + v.problem);
    }
    return out;
}

} // namespace

TEST(Utf8, WellFormedOnly) {
    EXPECT_TRUE(is_valid_utf8("Завод «Уралмаш» — 1933"));
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x8F\xAD"));      // U+1F3ED factory, 4 bytes
    EXPECT_FALSE(is_valid_utf8("\xC7\xE0\xE2\xEE\xE4")); // «Завод» in CP1251
    EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));             // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));         // UTF-16 surrogate U+D800
    EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));     // beyond U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xD0"));                 // truncated sequence
}

TEST(Utf8, CodePointsCountCharactersNotBytes) {
    // Counted by hand, one per letter, space and guillemet.
    EXPECT_EQ(code_points(""), 0U);
    EXPECT_EQ(code_points("abc"), 3U);
    EXPECT_EQ(code_points("Ёлка"), 4U);             // 8 bytes
    EXPECT_EQ(code_points("«Белая башня»"), 13U);   // 25 bytes
    EXPECT_EQ(code_points("\xF0\x9F\x8F\xAD"), 1U); // U+1F3ED factory, 4 bytes
}

TEST(Check, TextThatIsNotUtf8IsAnErrorNamingFeatureFieldAndEncoding) {
    GeosContext geos;
    Inputs in;
    in.clusters =
        table_from_wkt(geos, "clusters", {"cluster_id", "name"},
                       {{"POINT(60 56)", {std::string("a"), std::string("ok")}},
                        {"POINT(60 56)", {std::string("b"), std::string("\xC7\xE0\xE2\xEE\xE4")}}});
    RunReport report;
    try {
        check_inputs(std::move(in), project_for(), report);
        FAIL() << "invalid UTF-8 accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.context().feature_id, 2);
        EXPECT_EQ(e.context().field, "name");
        EXPECT_EQ(e.context().file, "clusters.inline");
        EXPECT_THAT(e.message(), HasSubstr("is not valid UTF-8"));
        EXPECT_THAT(e.message(), HasSubstr("encoding = \"CP1251\""));
    }
}

TEST(Check, OutOfDomainValuesAreReportedAndNull) {
    GeosContext geos;
    Inputs in;
    in.cities = table_from_wkt(geos, "cities", {"city_id", "population"},
                               {{"POINT(60 56)", {std::string("x"), std::int64_t{-5000}}},
                                {"POINT(61 56)", {std::string("y"), std::string("many")}},
                                {"POINT(62 56)", {std::string("z"), std::int64_t{120000}}}});
    in.clusters = table_from_wkt(
        geos, "clusters", {"cluster_id", "initiator", "public_share", "opened"},
        {{"POINT(60 56)", {std::string("c1"), std::string(" Private "), 7.5, std::int64_t{2090}}},
         {"POINT(60 56)", {std::string("c2"), std::string("ГОСУДАРСТВО"), 1.0, 1699.0}},
         {"POINT(60 56)", {std::string("c3"), std::string("municipal"), 0.25, 2001.5}},
         {"POINT(60 56)", {std::string("c4"), std::string("joint"), {}, std::int64_t{2026}}}});
    in.programmes = table_from_wkt(
        geos, "programmes", {"programme_id", "instrument", "grant"},
        {{"POLYGON((60 56,61 56,61 57,60 56))", {std::string("z1"), std::string("Grant"), -1.0}},
         {"POLYGON((60 56,61 56,61 57,60 56))", {std::string("z2"), std::string("loan"), 10.0}}});
    in.grants = table_from_wkt(geos, "grants", {"key", "amount"},
                               {{"", {std::string("c1"), std::string("-300")}},
                                {"", {std::string("c1"), std::string("1e6")}}});
    RunReport report;
    const CheckedInputs c = check_inputs(std::move(in), project_for(), report);
    EXPECT_THAT(notes(report),
                ElementsAre("cities 1 population '-5000': is negative",
                            "cities 2 population 'many': is not a number",
                            "clusters 3 initiator 'municipal': is not a known initiator (private: "
                            "private; joint: joint; public: public, государство)",
                            "clusters 1 public_share '7.5': is outside 0–1",
                            "clusters 1 opened '2090': is not a plausible year (1700–2026)",
                            "clusters 2 opened '1699': is not a plausible year (1700–2026)",
                            "clusters 3 opened '2001.5': is not a whole year",
                            "programmes 2 instrument 'loan': is not one of the instruments space, "
                            "cluster, grant, export",
                            "programmes 1 grant '-1': is negative",
                            "grants 1 amount '-300': is negative"));
    EXPECT_THAT(c.population, ElementsAre(std::nullopt, std::nullopt, 120000.0));
    EXPECT_EQ(c.initiator.from, ClusterField<Initiator>::From::Clusters);
    EXPECT_THAT(c.initiator.values,
                ElementsAre(Initiator::Private, Initiator::Public, std::nullopt, Initiator::Joint));
    EXPECT_THAT(c.public_share.values, ElementsAre(std::nullopt, 1.0, 0.25, std::nullopt));
    EXPECT_THAT(c.opened.values, ElementsAre(std::nullopt, std::nullopt, std::nullopt, 2026));
    EXPECT_THAT(c.instrument, ElementsAre(Instrument::Grant, std::nullopt));
    EXPECT_THAT(c.zone_grant, ElementsAre(std::nullopt, 10.0));
    EXPECT_THAT(c.grant_amount, ElementsAre(std::nullopt, 1e6));
}

TEST(Check, ClusterFieldsComeFromAttributesWhenClustersLackThem) {
    GeosContext geos;
    Inputs in;
    in.clusters = table_from_wkt(geos, "clusters", {"cluster_id", "initiator"},
                                 {{"POINT(60 56)", {std::string("c1"), std::string("private")}}});
    in.cluster_attributes =
        table_from_wkt(geos, "cluster_attributes", {"key", "initiator", "public_share"},
                       {{"", {std::string("c1"), std::string("public"), 0.5}},
                        {"", {std::string("c2"), std::string("joint"), 1.5}}});
    RunReport report;
    const CheckedInputs c = check_inputs(
        std::move(in), project_for("[cluster_attributes]\npath = \"a\"\nkey_field = \"key\"\n"),
        report);
    // The clusters' own initiator wins; the share is the attribute table's.
    EXPECT_EQ(c.initiator.from, ClusterField<Initiator>::From::Clusters);
    EXPECT_EQ(c.public_share.from, ClusterField<double>::From::Attributes);
    EXPECT_THAT(c.public_share.values, ElementsAre(0.5, std::nullopt));
    EXPECT_THAT(notes(report),
                ElementsAre("cluster_attributes 2 public_share '1.5': is outside 0–1"));
}

TEST(Check, DuplicateIdentifiersAreAnError) {
    GeosContext geos;
    Inputs in;
    in.clusters = table_from_wkt(
        geos, "clusters", {"cluster_id"},
        {{"POINT(60 56)", {std::string("A")}}, {"POINT(60 56)", {std::string("a ")}}});
    RunReport report;
    EXPECT_THROW(
        {
            try {
                check_inputs(std::move(in), project_for(), report);
            } catch (const Error& e) {
                EXPECT_THAT(e.message(), HasSubstr("'a' (features 1, 2)"));
                throw;
            }
        },
        Error);
}

TEST(Check, CoordinatesOutsideTheCrsAreUnreadable) {
    GeosContext geos;
    Inputs in;
    in.clusters = table_from_wkt(geos, "clusters", {"cluster_id"},
                                 {{"POINT(60.6 56.8)", {std::string("ok")}},
                                  {"POINT(60.6 156.5)", {std::string("lat")}},
                                  {"POINT(536500 6300200)", {std::string("utm")}},
                                  {"POINT(-180 -90)", {std::string("corner")}}});
    in.clusters.crs.known = true;
    in.clusters.crs.name = "EPSG:4326";
    RunReport report;
    report.sources.push_back({});
    report.sources.back().role = "clusters";
    report.sources.back().loaded = 4;
    const CheckedInputs c = check_inputs(std::move(in), project_for(), report);
    ASSERT_EQ(c.tables.clusters.rows.size(), 2U);
    EXPECT_EQ(c.tables.clusters.rows[1].fid, 4);
    const SourceReport& s = report.sources.back();
    EXPECT_EQ(s.loaded, 2);
    ASSERT_EQ(s.unreadable.size(), 2U);
    EXPECT_EQ(s.unreadable[0].fid, 2);
    EXPECT_THAT(s.unreadable[0].reason, HasSubstr("latitude 156.5 is beyond ±90"));
    EXPECT_EQ(s.unreadable[1].fid, 3);
    EXPECT_THAT(s.unreadable[1].reason, HasSubstr("longitude 536500 is beyond ±180"));
}

TEST(Check, ProjectedCoordinatesFarOutsideTheAreaOfUse) {
    GeosContext geos;
    Inputs in;
    // Read in UTM zone 41N (EPSG:32641, 60–66° E, 0–84° N): one point inside, one in Peru.
    in.clusters = table_from_wkt(geos, "clusters", {"cluster_id"},
                                 {{"POINT(60.6 56.8)", {std::string("ekb")}},
                                  {"POINT(-77.0 -12.0)", {std::string("lima")}}});
    in.clusters.crs = {true, false, "EPSG:32641", true, 60.0, 0.0, 66.0, 84.0};
    RunReport report;
    report.sources.push_back({});
    report.sources.back().role = "clusters";
    const CheckedInputs c = check_inputs(std::move(in), project_for(), report);
    ASSERT_EQ(c.tables.clusters.rows.size(), 1U);
    ASSERT_EQ(report.sources.back().unreadable.size(), 1U);
    EXPECT_EQ(report.sources.back().unreadable[0].reason,
              "at lon -77, lat -12: more than 10° outside the area of use of EPSG:32641 (60 to "
              "66 E, 0 to 84 N)");
}

TEST(Check, CoordinatesOutOfRangeFailUnderTheFailPolicy) {
    GeosContext geos;
    Inputs in;
    in.clusters = table_from_wkt(geos, "clusters", {"cluster_id"},
                                 {{"POINT(60.6 156.5)", {std::string("lat")}}});
    in.clusters.crs.known = true;
    RunReport report;
    report.sources.push_back({});
    report.sources.back().role = "clusters";
    try {
        check_inputs(std::move(in), project_for(), report);
    } catch (const Error&) {
        FAIL() << "the repair policy must not throw";
    }
    Inputs again;
    again.clusters = table_from_wkt(geos, "clusters", {"cluster_id"},
                                    {{"POINT(60.6 156.5)", {std::string("lat")}}});
    again.clusters.crs.known = true;
    Project p = project_for();
    p.geometry_policy = GeometryPolicy::Fail;
    try {
        check_inputs(std::move(again), p, report);
        FAIL() << "fail policy accepted a latitude of 156.5";
    } catch (const Error& e) {
        EXPECT_EQ(e.context().feature_id, 1);
        EXPECT_THAT(e.message(), HasSubstr("latitude 156.5"));
    }
}

namespace {

const char* kWithHeritageAndEnterprises = R"(
[heritage]
path = "h"
id_field = "heritage_id"
[enterprises]
path = "e"
id_field = "id"
sector_field = "code"
employees_field = "staff"
)";

/// Defects in every chain of the check (cities; clusters; programmes and grants;
/// enterprises), 300 clean heritage sites, and the coordinates known everywhere.
Inputs defective(const GeosContext& geos, RunReport& report) {
    Inputs in;
    in.cities = table_from_wkt(geos, "cities", {"city_id", "population"},
                               {{"POINT(60 56)", {std::string("x"), std::int64_t{-5000}}},
                                {"POINT(61 56)", {std::string("y"), std::string("many")}},
                                {"POINT(62 56)", {std::string("z"), std::int64_t{120000}}}});
    in.clusters = table_from_wkt(
        geos, "clusters", {"cluster_id", "initiator", "public_share", "opened"},
        {{"POINT(60 56)", {std::string("c1"), std::string(" Private "), 7.5, std::int64_t{2090}}},
         {"POINT(60 56)", {std::string("c2"), std::string("municipal"), 0.25, 2001.5}}});
    in.programmes = table_from_wkt(
        geos, "programmes", {"programme_id", "instrument", "grant"},
        {{"POLYGON((60 56,61 56,61 57,60 56))", {std::string("z1"), std::string("loan"), -1.0}}});
    in.grants =
        table_from_wkt(geos, "grants", {"key", "amount"}, {{"", {std::string("c1"), -300.0}}});
    std::vector<std::pair<std::string, std::vector<Value>>> sites;
    for (int i = 0; i < 300; ++i) {
        sites.push_back({"POINT(60." + std::to_string(100 + i) + " 56.5)",
                         {std::string("h") + std::to_string(i), std::string("site")}});
    }
    in.heritage = table_from_wkt(geos, "heritage", {"heritage_id", "name"}, sites);
    in.enterprises =
        table_from_wkt(geos, "enterprises", {"id", "code", "staff"},
                       {{"POINT(60 56)", {std::string("e1"), std::string("62.01"), 10.0}},
                        {"POINT(60 56)", {std::string("e2"), std::string("56.10"), -1.0}},
                        {"POINT(60 56)", {std::string("e3"), Value{}, std::string("x")}}});
    for (Table* t : {&in.cities, &in.clusters, &in.programmes, &in.heritage, &in.enterprises}) {
        t->crs.known = true;
        t->crs.geographic = true;
        report.sources.emplace_back().role = t->name;
        report.sources.back().loaded = static_cast<std::int64_t>(t->rows.size());
    }
    return in;
}

} // namespace

TEST(Check, ParallelCheckReportsAsOneWorkerInTheSameOrder) {
    const Project p = project_for(kWithHeritageAndEnterprises);
    for (const unsigned workers : {1U, 2U, 4U}) {
        for (int round = 0; round < 5; ++round) {
            GeosContext geos;
            RunReport report;
            Inputs in = defective(geos, report);
            const CheckedInputs c = detail::check_inputs_on(std::move(in), p, report, workers);
            // The order of a serial check: cities, clusters, programmes and grants, then
            // enterprises; within a check, field by field, row by row.
            EXPECT_THAT(notes(report),
                        ElementsAre("cities 1 population '-5000': is negative",
                                    "cities 2 population 'many': is not a number",
                                    "clusters 2 initiator 'municipal': is not a known initiator "
                                    "(private: private; joint: joint; public: public, "
                                    "государство)",
                                    "clusters 1 public_share '7.5': is outside 0–1",
                                    "clusters 1 opened '2090': is not a plausible year (1700–2026)",
                                    "clusters 2 opened '2001.5': is not a whole year",
                                    "programmes 1 instrument 'loan': is not one of the instruments "
                                    "space, cluster, grant, export",
                                    "programmes 1 grant '-1': is negative",
                                    "grants 1 amount '-300': is negative",
                                    "enterprises 2 staff '-1': is negative",
                                    "enterprises 3 staff 'x': is not a number"))
                << workers << " workers";
            ASSERT_FALSE(report.notes.empty());
            EXPECT_EQ(report.notes.back(),
                      "enterprises: 2 of 3 are other (outside the creative sectors' mapping, 1 of "
                      "them without a code); codes such as 56.10: counted in ent_other, left out "
                      "of the creative-economy indicators");
            EXPECT_EQ(report.links["enterprises_creative"], 1);
            EXPECT_EQ(report.links["enterprises_other"], 2);
            EXPECT_THAT(c.population, ElementsAre(std::nullopt, std::nullopt, 120000.0));
            EXPECT_THAT(c.employees, ElementsAre(10.0, std::nullopt, std::nullopt));
            EXPECT_EQ(c.tables.heritage.rows.size(), 300U);
            for (const SourceReport& s : report.sources) {
                EXPECT_TRUE(s.unreadable.empty()) << s.role;
            }
        }
    }
}

TEST(Check, TheErrorIsTheSerialChecksFirstWhateverTheWorkers) {
    const Project p = project_for(kWithHeritageAndEnterprises);
    Project fail = p;
    fail.geometry_policy = GeometryPolicy::Fail;
    auto error_of = [](Inputs in, const Project& project, RunReport& report, unsigned workers) {
        try {
            detail::check_inputs_on(std::move(in), project, report, workers);
        } catch (const Error& e) {
            return std::to_string(e.context().feature_id.value_or(-1)) + " " + e.message();
        }
        return std::string("no error");
    };
    for (const unsigned workers : {1U, 2U}) {
        for (int round = 0; round < 10; ++round) {
            GeosContext geos;
            {
                // Text comes before keys: site 41's name, not the cities' repeated id.
                RunReport report;
                Inputs in = defective(geos, report);
                in.heritage.rows[40].values[1] = std::string("\xC7\xE0\xE2\xEE\xE4");
                in.cities.rows[1].values[0] = std::string("X ");
                EXPECT_THAT(error_of(std::move(in), p, report, workers),
                            HasSubstr("41 the text is not valid UTF-8"));
            }
            {
                // Keys in their order: the cities' before the clusters' and the sites'.
                RunReport report;
                Inputs in = defective(geos, report);
                in.heritage.rows[299].values[0] = std::string("h0");
                in.clusters.rows[1].values[0] = std::string("c1");
                in.cities.rows[1].values[0] = std::string("X ");
                EXPECT_THAT(error_of(std::move(in), p, report, workers),
                            HasSubstr("-1 1 duplicate key(s) where keys must be unique: 'x' "
                                      "(features 1, 2)"));
            }
            {
                // Coordinates come before keys, and the enterprises' before nothing later.
                RunReport report;
                Inputs in = defective(geos, report);
                in.enterprises.rows[2].geom = geos.point(60.0, 156.5);
                in.clusters.rows[1].values[0] = std::string("c1");
                EXPECT_THAT(error_of(std::move(in), fail, report, workers),
                            HasSubstr("3 latitude 156.5 is beyond ±90"));
            }
        }
    }
}
