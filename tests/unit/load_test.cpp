#include "creatlas/error.hpp"
#include "creatlas/load.hpp"
#include "test_util.hpp"

#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

using namespace creatlas;
using creatlas::test::fids;
using creatlas::test::load_error;
using creatlas::test::spec_for;
using creatlas::test::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

namespace {

double x_of(const GeosContext& geos, const Row& r) {
    double x = 0;
    GEOSGeomGetX_r(geos.handle(), r.geom.get(), &x);
    return x;
}
double y_of(const GeosContext& geos, const Row& r) {
    double y = 0;
    GEOSGeomGetY_r(geos.handle(), r.geom.get(), &y);
    return y;
}

const char* kCsv = "id,name,lon,lat,share\n"
                   "1,Svoboda2,61.4,55.16,0.25\n"
                   "2,Домна,60.61,56.84,\n"
                   "3,Broken,abc,56.8,1\n";

} // namespace

TEST(Load, CsvWithLonLatColumnsAndDeclaredCrs) {
    TempDir dir;
    SourceSpec s = spec_for(dir.write("c.csv", kCsv));
    s.x_field = "lon";
    s.y_field = "lat";
    s.crs = "EPSG:4326";
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, s, GeometryPolicy::Repair, GeometryNeed::Required, r);
    ASSERT_EQ(t.rows.size(), 2U);
    EXPECT_EQ(r.read, 3);
    EXPECT_EQ(r.loaded, 2);
    EXPECT_TRUE(r.crs_declared);
    EXPECT_EQ(r.crs, "EPSG:4326");
    EXPECT_DOUBLE_EQ(x_of(geos, t.rows[0]), 61.4);
    EXPECT_DOUBLE_EQ(y_of(geos, t.rows[0]), 55.16);
    EXPECT_EQ(as_text(t.rows[1].values[1]), "Домна");
    // GDAL's type detection makes share a real column.
    EXPECT_EQ(t.fields[4].type, FieldType::Real);
    EXPECT_DOUBLE_EQ(std::get<double>(t.rows[0].values[4]), 0.25);
    EXPECT_TRUE(is_null(t.rows[1].values[4]));
    // The row with a bad coordinate is reported, by feature id and field.
    ASSERT_EQ(r.unreadable.size(), 1U);
    EXPECT_EQ(r.unreadable[0].fid, 3);
    EXPECT_EQ(r.unreadable[0].reason, "field 'lon': coordinate is empty or not a number: 'abc'");
}

TEST(Load, BadCoordinateUnderFailPolicyNamesFileLayerFeatureAndField) {
    TempDir dir;
    SourceSpec s = spec_for(dir.write("c.csv", kCsv));
    s.x_field = "lon";
    s.y_field = "lat";
    s.crs = "EPSG:4326";
    EXPECT_EQ(
        load_error(s, GeometryPolicy::Fail),
        "file '" + s.path +
            "', layer 'c', feature 3, field 'lon': coordinate is empty or not a number: 'abc'");
}

TEST(Load, SourceWithoutCrsIsAnErrorNamingIt) {
    TempDir dir;
    SourceSpec s = spec_for(dir.write("c.csv", kCsv));
    s.x_field = "lon";
    s.y_field = "lat";
    const std::string e = load_error(s);
    EXPECT_THAT(e, HasSubstr("file '" + s.path + "', layer 'c'"));
    EXPECT_THAT(e, HasSubstr("the source has no CRS; declare it in the project file"));
}

TEST(Load, MissingFileLayerAndFieldAreErrors) {
    EXPECT_THAT(load_error(spec_for("/nonexistent/c.csv")),
                HasSubstr("file '/nonexistent/c.csv': [clusters] source does not exist"));
    TempDir dir;
    SourceSpec s = spec_for(dir.write("c.csv", kCsv));
    s.layer = "nope";
    EXPECT_THAT(load_error(s), HasSubstr("no layer of that name; the source has: c"));
    SourceSpec f = spec_for(dir.file("c.csv"));
    f.x_field = "longitude";
    f.y_field = "lat";
    f.crs = "EPSG:4326";
    EXPECT_THAT(load_error(f),
                HasSubstr("field 'longitude': no such field (wanted as x_field "
                          "of [clusters]); the layer has: id, name, lon, lat, share"));
    SourceSpec g = spec_for(dir.file("c.csv"));
    g.x_field = "lon";
    g.y_field = "lat";
    g.crs = "EPSG:4326";
    g.fields["name_field"] = "title";
    g.explicit_keys.insert("name_field");
    EXPECT_THAT(load_error(g), HasSubstr("field 'title': no such field (wanted as name_field"));
    // A field named only by a key's default may be missing: the check stage notes it.
    g.explicit_keys.clear();
    GeosContext geos;
    SourceReport r;
    EXPECT_EQ(load_source(geos, g, GeometryPolicy::Repair, GeometryNeed::Required, r).rows.size(),
              2U);
}

TEST(Load, CsvWithoutCoordinatesNeedsXyOrWkt) {
    TempDir dir;
    SourceSpec s = spec_for(dir.write("t.csv", "k,v\na,1\n"));
    EXPECT_THAT(load_error(s), HasSubstr("the layer has no geometry; name its coordinate columns"));
    // As an attribute table it loads.
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, s, GeometryPolicy::Repair, GeometryNeed::None, r);
    ASSERT_EQ(t.rows.size(), 1U);
    EXPECT_FALSE(t.rows[0].geom);
}

TEST(Load, WktColumn) {
    TempDir dir;
    SourceSpec s = spec_for(dir.write("w.csv", "id,geometry_text\n"
                                               "1,\"POLYGON((60 56,61 56,61 57,60 56))\"\n"
                                               "2,not wkt\n"));
    s.wkt_field = "geometry_text";
    s.crs = "EPSG:4326";
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, s, GeometryPolicy::Skip, GeometryNeed::Required, r);
    ASSERT_EQ(t.rows.size(), 1U);
    EXPECT_EQ(GEOSGeomTypeId_r(geos.handle(), t.rows[0].geom.get()), GEOS_POLYGON);
    ASSERT_EQ(r.unreadable.size(), 1U);
    EXPECT_EQ(r.unreadable[0].fid, 2);
    EXPECT_THAT(r.unreadable[0].reason, HasSubstr("field 'geometry_text': not a WKT geometry"));
}

TEST(Load, XlsxWithLonLatColumns) {
    TempDir dir;
    dir.write("x.csv", "name,lon,lat\nSpichka,83.77,53.35\n");
    ASSERT_EQ(test::sh("ogr2ogr -q -oo AUTODETECT_TYPE=YES -f XLSX " + dir.file("x.xlsx") + " " +
                       dir.file("x.csv")),
              0);
    SourceSpec s = spec_for(dir.file("x.xlsx"));
    s.x_field = "lon";
    s.y_field = "lat";
    s.crs = "EPSG:4326";
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, s, GeometryPolicy::Repair, GeometryNeed::Required, r);
    ASSERT_EQ(t.rows.size(), 1U);
    EXPECT_DOUBLE_EQ(x_of(geos, t.rows[0]), 83.77);
    EXPECT_DOUBLE_EQ(y_of(geos, t.rows[0]), 53.35);
    EXPECT_EQ(as_text(t.rows[0].values[0]), "Spichka");
}

TEST(Load, ProjectedSourceIsTransformedToWgs84) {
    // UTM 41N (EPSG:32641) → WGS 84; expected from `cs2cs EPSG:32641 EPSG:4326`:
    // 500000 6300000 → 56.8438118176 N, 63.0000000000 E.
    TempDir dir;
    dir.write("u.csv", "id,WKT\n1,POINT (500000 6300000)\n");
    ASSERT_EQ(test::sh("ogr2ogr -q -f GPKG -a_srs EPSG:32641 " + dir.file("u.gpkg") + " " +
                       dir.file("u.csv") + " -nln u"),
              0);
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, spec_for(dir.file("u.gpkg")), GeometryPolicy::Repair,
                                GeometryNeed::Required, r);
    ASSERT_EQ(t.rows.size(), 1U);
    EXPECT_EQ(r.crs, "EPSG:32641");
    EXPECT_FALSE(r.crs_declared);
    EXPECT_NEAR(x_of(geos, t.rows[0]), 63.0, 1e-9);
    EXPECT_NEAR(y_of(geos, t.rows[0]), 56.8438118176, 1e-9);
}

TEST(Load, ShapefileEncodingFromCpg) {
    TempDir dir;
    dir.write("s.geojson", R"({"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"name":"Хлебозавод"},"geometry":{"type":"Point","coordinates":[60.6,56.8]}}]})");
    ASSERT_EQ(test::sh("ogr2ogr -q -f 'ESRI Shapefile' -lco ENCODING=CP1251 " + dir.file("s.shp") +
                       " " + dir.file("s.geojson")),
              0);
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, spec_for(dir.file("s.shp")), GeometryPolicy::Repair,
                                GeometryNeed::Required, r);
    ASSERT_EQ(t.rows.size(), 1U);
    EXPECT_EQ(as_text(t.rows[0].values[0]), "Хлебозавод");
}

class GeometryPolicies : public ::testing::Test {
protected:
    TempDir dir;
    std::string path = dir.write("z.geojson", R"({"type":"FeatureCollection","features":[
 {"type":"Feature","id":1,"properties":{"n":"ok"},"geometry":{"type":"Polygon","coordinates":[[[60,56],[61,56],[61,57],[60,56]]]}},
 {"type":"Feature","id":2,"properties":{"n":"bowtie"},"geometry":{"type":"Polygon","coordinates":[[[60,56],[61,57],[61,56],[60,57],[60,56]]]}}]})");
};

TEST_F(GeometryPolicies, RepairMakesValidAndReports) {
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, spec_for(path, "programmes"), GeometryPolicy::Repair,
                                GeometryNeed::Required, r);
    ASSERT_EQ(t.rows.size(), 2U);
    EXPECT_THAT(fids(r.repaired), ElementsAre(2));
    EXPECT_THAT(r.repaired[0].reason, HasSubstr("Self-intersection"));
    EXPECT_EQ(GEOSisValid_r(geos.handle(), t.rows[1].geom.get()), 1);
    // The bow-tie becomes two triangles: a multipolygon.
    EXPECT_EQ(GEOSGeomTypeId_r(geos.handle(), t.rows[1].geom.get()), GEOS_MULTIPOLYGON);
}

TEST_F(GeometryPolicies, SkipDropsAndReports) {
    GeosContext geos;
    SourceReport r;
    const Table t = load_source(geos, spec_for(path, "programmes"), GeometryPolicy::Skip,
                                GeometryNeed::Required, r);
    ASSERT_EQ(t.rows.size(), 1U);
    EXPECT_THAT(fids(r.skipped), ElementsAre(2));
}

TEST_F(GeometryPolicies, FailStopsAtTheFeature) {
    EXPECT_THAT(load_error(spec_for(path, "programmes"), GeometryPolicy::Fail),
                HasSubstr("layer 'z', feature 2: invalid geometry: Self-intersection"));
    // A per-source policy overrides the project's.
    SourceSpec s = spec_for(path, "programmes");
    s.geometry_policy = GeometryPolicy::Fail;
    EXPECT_THAT(load_error(s, GeometryPolicy::Repair), HasSubstr("feature 2"));
}

namespace {

/// A project of five point sources read from CSV files in `dir`; `missing` names
/// roles whose file is not written (their load fails).
Project five_sources(const TempDir& dir, const std::set<std::string>& missing = {}) {
    Project p;
    const auto source = [&](SourceSpec& s, const std::string& role, int rows) {
        std::string csv = "id,lon,lat\n";
        for (int i = 1; i <= rows; ++i) {
            csv += std::to_string(i) + "," + std::to_string(60 + i) + ",56\n";
        }
        s = spec_for(
            missing.contains(role) ? dir.file(role + ".csv") : dir.write(role + ".csv", csv), role);
        s.x_field = "lon";
        s.y_field = "lat";
        s.crs = "EPSG:4326";
    };
    source(p.cities, "cities", 2);
    source(p.clusters, "clusters", 3);
    source(p.heritage, "heritage", 4);
    source(p.programmes, "programmes", 1);
    source(p.enterprises, "enterprises", 5);
    return p;
}

} // namespace

TEST(Load, SourcesLoadTogetherAndReportInSourceOrder) {
    TempDir dir;
    const Project p = five_sources(dir);
    GeosContext geos;
    RunReport report;
    const Inputs in = load_inputs(geos, p, report);
    EXPECT_EQ(in.cities.rows.size(), 2U);
    EXPECT_EQ(in.clusters.rows.size(), 3U);
    EXPECT_EQ(in.heritage.rows.size(), 4U);
    EXPECT_EQ(in.programmes.rows.size(), 1U);
    EXPECT_EQ(in.enterprises.rows.size(), 5U);
    // Geometries made on another thread belong to the caller's context now.
    EXPECT_DOUBLE_EQ(x_of(geos, in.enterprises.rows[4]), 65.0);
    EXPECT_DOUBLE_EQ(y_of(geos, in.heritage.rows[3]), 56.0);
    std::vector<std::string> roles;
    std::vector<std::int64_t> loaded;
    for (const SourceReport& s : report.sources) {
        roles.push_back(s.role);
        loaded.push_back(s.loaded);
    }
    EXPECT_THAT(roles, ElementsAre("cities", "clusters", "heritage", "programmes", "enterprises"));
    EXPECT_THAT(loaded, ElementsAre(2, 3, 4, 1, 5));
}

TEST(Load, TheFirstFailingSourceInSourceOrderIsReported) {
    // Enterprises are read first (the costliest role), yet a serial load would
    // have stopped at the heritage: that is the error, every time.
    TempDir dir;
    const Project p = five_sources(dir, {"heritage", "enterprises"});
    for (int round = 0; round < 10; ++round) {
        GeosContext geos;
        RunReport report;
        try {
            load_inputs(geos, p, report);
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::BadInput);
            EXPECT_EQ(e.message(), "[heritage] source does not exist");
            EXPECT_EQ(e.context().file, dir.file("heritage.csv"));
        }
    }
}

TEST(Load, AnUnknownDeclaredCrsStopsTheStageBeforeAnySourceIsRead) {
    // The cities' file is missing and would be the first error of a load; the
    // programmes declare a CRS PROJ does not know (EPSG has no code 999999). The CRS
    // error comes first, naming the project file: no source was opened.
    TempDir dir;
    Project p = five_sources(dir, {"cities"});
    p.file = dir.file("project.toml");
    p.programmes.crs = "EPSG:999999";
    GeosContext geos;
    RunReport report;
    try {
        load_inputs(geos, p, report);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        EXPECT_EQ(e.message(), "'EPSG:999999' is not a CRS GDAL/PROJ understands (crs of "
                               "[programmes] in the project)");
        EXPECT_EQ(e.context().file, dir.file("project.toml"));
    }
    EXPECT_TRUE(report.sources.empty());
}

namespace {

/// The summed count of the GDAL messages that contain `text`.
std::int64_t messages_with(const SourceReport& r, const std::string& text) {
    std::int64_t n = 0;
    for (const MessageCount& m : r.gdal_messages) {
        n += m.message.find(text) != std::string::npos ? m.count : 0;
    }
    return n;
}

} // namespace

TEST(Load, GeoJsonCoordinateMessagesAreCountedOncePerPassNotTwice) {
    // Three points; the x of feature 2 is a string and the coordinates of feature 3
    // are a list of pairs (x and y are both lists). GDAL's GeoJSON reader complains of
    // each non-number coordinate while scanning the file at open and again while
    // reading it: by hand, 2 features have a bad x and 1 a bad y.
    TempDir dir;
    const std::string path = dir.write("three.geojson",
                                       R"({"type": "FeatureCollection", "features": [
{"type": "Feature", "properties": {"id": 1}, "geometry": {"type": "Point", "coordinates": [60.6, 56.8]}},
{"type": "Feature", "properties": {"id": 2}, "geometry": {"type": "Point", "coordinates": ["east", 56.8]}},
{"type": "Feature", "properties": {"id": 3}, "geometry": {"type": "Point",
 "coordinates": [[60.6, 56.8], [60.7, 56.9]]}}]})");
    GeosContext geos;
    SourceReport r;
    load_source(geos, spec_for(path, "heritage"), GeometryPolicy::Repair, GeometryNeed::Required,
                r);
    EXPECT_EQ(r.read, 3);
    EXPECT_EQ(r.loaded, 1);
    EXPECT_THAT(fids(r.unreadable), ElementsAre(2, 3));
    EXPECT_EQ(messages_with(r, "Invalid 'x' coordinate"), 2);
    EXPECT_EQ(messages_with(r, "Invalid 'y' coordinate"), 1);
}
