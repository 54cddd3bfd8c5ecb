// Rows written straight into SQLite (issue 14) against GDAL's own CreateFeature:
// the same tables written both ways must give the same GeoPackage, row for row
// and byte for byte (geometry blobs, values and their SQLite storage classes,
// the metadata tables and the packed spatial indexes). The expected blobs of
// the encoder tests are hex dumps of a file GDAL 3.6 wrote itself
// (ogr.CreateFeature from Python, read back with `sqlite3 … "SELECT hex(geom)"`).
#include "creatlas/error.hpp"
#include "creatlas/write.hpp"
#include "test_util.hpp"
#include "write/gpkg_rows.hpp"

#include <cmath>
#include <cstring>
#include <deque>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <limits>
#include <map>
#include <memory>
#include <ogrsf_frmts.h>
#include <random>
#include <sqlite3.h>
#include <string>
#include <vector>

using namespace creatlas;
using creatlas::test::TempDir;

namespace {

std::string hex(const std::vector<std::uint8_t>& bytes) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (const std::uint8_t b : bytes) {
        out += digits[b >> 4U];
        out += digits[b & 0xFU];
    }
    return out;
}

std::string hex(const void* data, int size) {
    const auto* p = static_cast<const std::uint8_t*>(data);
    return hex(std::vector<std::uint8_t>(p, p + size));
}

// The blob GDAL's own encoder (through OGR) gives for `wkt` forced as the write
// stage forces it, and the one the GEOS path gives (empty when it declines).
struct Blobs {
    std::string ogr;
    std::string geos;
    detail::RtreeEntry ogr_env;
    detail::RtreeEntry geos_env;
    bool indexed = false;
};

Blobs both(const GeosContext& geos, const std::string& wkt, OGRwkbGeometryType layer) {
    Blobs b;
    GeomPtr g = geos.from_wkt(wkt);
    OGRGeometry* o = OGRGeometryFactory::createFromGEOS(geos.handle(), g.get());
    if (layer == wkbMultiPolygon) {
        o = OGRGeometryFactory::forceToMultiPolygon(o);
    } else if (layer == wkbMultiLineString) {
        o = OGRGeometryFactory::forceToMultiLineString(o);
    } else if (layer == wkbMultiPoint) {
        o = OGRGeometryFactory::forceToMultiPoint(o);
    }
    std::unique_ptr<OGRGeometry> owned(o);
    std::vector<std::uint8_t> out;
    b.indexed = detail::append_gpkg_blob(*owned, 4326, out, b.ogr_env);
    b.ogr = hex(out);
    out.clear();
    if (detail::append_gpkg_blob_geos(geos.handle(), g.get(), layer, 4326, out, b.geos_env)) {
        b.geos = hex(out);
    }
    return b;
}

} // namespace

TEST(WriteRows, BlobsAreGdals) {
    OGRRegisterAll();
    const GeosContext geos;
    // Points: no envelope in the header (flags 0x01).
    Blobs p = both(geos, "POINT(1 2)", wkbPoint);
    EXPECT_EQ(p.ogr, "47500001E61000000101000000000000000000F03F0000000000000040");
    EXPECT_EQ(p.geos, p.ogr);
    EXPECT_TRUE(p.indexed);
    EXPECT_EQ(p.geos_env.minx, 1.0);
    EXPECT_EQ(p.geos_env.maxy, 2.0);
    // An empty point: the empty flag, no envelope, POINT(NaN NaN); not indexed. The
    // GEOS path leaves empties to OGR.
    Blobs pe = both(geos, "POINT EMPTY", wkbPoint);
    EXPECT_EQ(pe.ogr, "47500011E61000000101000000000000000000F87F000000000000F87F");
    EXPECT_EQ(pe.geos, "");
    EXPECT_FALSE(pe.indexed);
    // A polygon in a MultiPolygon layer: an XY envelope (flags 0x03), then the
    // MULTIPOLYGON it is forced to.
    Blobs mp = both(geos, "POLYGON((0 0,1 0,1 1,0 0))", wkbMultiPolygon);
    EXPECT_EQ(mp.ogr, "47500003E6100000"
                      "0000000000000000000000000000F03F0000000000000000000000000000F03F"
                      "01060000000100000001030000000100000004000000"
                      "00000000000000000000000000000000000000000000F03F0000000000000000"
                      "000000000000F03F000000000000F03F0000000000000000"
                      "0000000000000000");
    EXPECT_EQ(mp.geos, mp.ogr);
    // An empty multipolygon: flags 0x11, no envelope.
    EXPECT_EQ(both(geos, "MULTIPOLYGON EMPTY", wkbMultiPolygon).ogr,
              "47500011E6100000010600000000000000");
    // Everything the GEOS path takes on gives OGR's bytes and envelope.
    const std::vector<std::pair<std::string, OGRwkbGeometryType>> cases = {
        {"POINT(-179.5 -89.25)", wkbPoint},
        {"POINT(60.6 56.8)", wkbMultiPoint},
        {"MULTIPOINT((1 2),(3 -4),(0.1 0.2))", wkbMultiPoint},
        {"LINESTRING(0 0,1 1,2 0.5)", wkbMultiLineString},
        {"MULTILINESTRING((0 0,1 1),(5 5,6 7,8 1))", wkbMultiLineString},
        {"POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2),(5 5,6 5,6 6,5 5))", wkbMultiPolygon},
        {"MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((20 20,30 20,30 35,20 20),(21 21,22 21,22 22,21 "
         "21)))",
         wkbMultiPolygon},
        {"POINT(3 4)", wkbUnknown},
        {"LINESTRING(0 0,1 1)", wkbUnknown},
        {"POLYGON((0 0,1 0,1 1,0 0))", wkbUnknown},
        {"MULTIPOINT((1 2))", wkbUnknown},
        {"MULTIPOLYGON(((0 0,1 0,1 1,0 0)))", wkbUnknown},
    };
    for (const auto& [wkt, layer] : cases) {
        SCOPED_TRACE(wkt);
        const Blobs b = both(geos, wkt, layer);
        ASSERT_NE(b.geos, "");
        EXPECT_EQ(b.geos, b.ogr);
        EXPECT_TRUE(b.indexed);
        EXPECT_EQ(b.geos_env.minx, b.ogr_env.minx);
        EXPECT_EQ(b.geos_env.maxx, b.ogr_env.maxx);
        EXPECT_EQ(b.geos_env.miny, b.ogr_env.miny);
        EXPECT_EQ(b.geos_env.maxy, b.ogr_env.maxy);
    }
    // What it leaves to OGR: empties, 3-D, collections, a polygon in a point layer.
    for (const auto& [wkt, layer] : std::vector<std::pair<std::string, OGRwkbGeometryType>>{
             {"POLYGON EMPTY", wkbMultiPolygon},
             {"MULTIPOINT EMPTY", wkbMultiPoint},
             {"POINT Z (1 2 3)", wkbPoint},
             {"GEOMETRYCOLLECTION(POINT(1 2))", wkbUnknown},
             {"POLYGON((0 0,1 0,1 1,0 0))", wkbPoint}}) {
        SCOPED_TRACE(wkt);
        EXPECT_EQ(both(geos, wkt, layer).geos, "");
    }
    // A 3-D geometry gets GDAL's XYZ envelope (flags 0x05).
    EXPECT_EQ(both(geos, "LINESTRING Z (0 0 1,1 2 3)", wkbUnknown).ogr.substr(0, 8), "47500005");
}

namespace {

// Every table of a GeoPackage as text: one line per row (by rowid where there is
// one), each value as its SQLite storage class and exact bytes; gpkg_contents
// without last_change (a time stamp). The schema as a sorted list of
// sqlite_master entries.
std::map<std::string, std::vector<std::string>> dump(const std::string& path) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    auto rows = [db](const std::string& sql) {
        std::vector<std::string> out;
        sqlite3_stmt* s = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
        while (sqlite3_step(s) == SQLITE_ROW) {
            std::string line;
            for (int c = 0; c < sqlite3_column_count(s); ++c) {
                line += c > 0 ? " | " : "";
                switch (sqlite3_column_type(s, c)) {
                case SQLITE_NULL:
                    line += "null";
                    break;
                case SQLITE_INTEGER:
                    line += "i:" + std::to_string(sqlite3_column_int64(s, c));
                    break;
                case SQLITE_FLOAT: {
                    const double d = sqlite3_column_double(s, c);
                    line += "r:" + hex(&d, sizeof d);
                    break;
                }
                case SQLITE_TEXT:
                    line += "t:" + hex(sqlite3_column_text(s, c), sqlite3_column_bytes(s, c));
                    break;
                default:
                    line += "b:" + hex(sqlite3_column_blob(s, c), sqlite3_column_bytes(s, c));
                }
            }
            out.push_back(line);
        }
        sqlite3_finalize(s);
        return out;
    };
    std::map<std::string, std::vector<std::string>> out;
    std::vector<std::string> schema =
        rows("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE "
             "'sqlite_autoindex%'");
    std::sort(schema.begin(), schema.end());
    out["(schema)"] = schema;
    std::vector<std::string> tables;
    {
        sqlite3_stmt* s = nullptr;
        sqlite3_prepare_v2(db,
                           "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name "
                           "NOT LIKE 'sqlite_%'",
                           -1, &s, nullptr);
        while (sqlite3_step(s) == SQLITE_ROW) {
            tables.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
        }
        sqlite3_finalize(s);
    }
    tables.emplace_back("sqlite_sequence");
    for (const std::string& t : tables) {
        if (t == "gpkg_contents") {
            out[t] = rows("SELECT table_name, data_type, identifier, description, min_x, min_y, "
                          "max_x, max_y, srs_id FROM gpkg_contents ORDER BY table_name");
        } else if (t.rfind("rtree_", 0) == 0 || t == "sqlite_sequence" ||
                   t == "gpkg_spatial_ref_sys" || t == "gpkg_geometry_columns" ||
                   t == "gpkg_ogr_contents" || t == "gpkg_extensions") {
            out[t] = rows("SELECT * FROM \"" + t + "\"");
            std::sort(out[t].begin(), out[t].end());
        } else {
            out[t] = rows("SELECT * FROM \"" + t + "\" ORDER BY rowid");
        }
    }
    sqlite3_close(db);
    return out;
}

void expect_same(const std::string& a, const std::string& b) {
    const auto da = dump(a);
    const auto db = dump(b);
    std::vector<std::string> names_a;
    std::vector<std::string> names_b;
    for (const auto& [k, v] : da) {
        names_a.push_back(k);
    }
    for (const auto& [k, v] : db) {
        names_b.push_back(k);
    }
    ASSERT_EQ(names_a, names_b);
    for (const auto& [name, rows] : da) {
        SCOPED_TRACE(name);
        const auto& other = db.at(name);
        ASSERT_EQ(rows.size(), other.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            ASSERT_EQ(rows[i], other[i]) << "row " << i;
        }
    }
}

struct Layers {
    GeosContext geos;
    std::deque<Table> tables; // stable references

    Table& add(const std::string& name, std::vector<FieldDef> fields) {
        Table t;
        t.name = name;
        t.fields = std::move(fields);
        tables.push_back(std::move(t));
        return tables.back();
    }
    static void row(Table& t, GeomPtr g, std::vector<Value> values) {
        Row r;
        r.fid = static_cast<std::int64_t>(t.rows.size()) + 100;
        r.values = std::move(values);
        r.geom = std::move(g);
        t.rows.push_back(std::move(r));
    }
    std::vector<const Table*> all() const {
        std::vector<const Table*> out;
        for (const Table& t : tables) {
            out.push_back(&t);
        }
        return out;
    }
};

/// Tables with every kind of geometry and value the write stage may meet.
void fill(Layers& l) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    // Values: every type in every kind of field (converted as GDAL converts them),
    // NaN, infinities, -0, extreme integers, text with a NUL byte, long and
    // non-Latin text, dates (ISO text), nulls and missing values.
    Table& points = l.add("points", {{"i", FieldType::Integer},
                                     {"r", FieldType::Real},
                                     {"s", FieldType::String},
                                     {"when", FieldType::String}});
    const std::vector<std::vector<Value>> values = {
        {std::int64_t{1}, 0.5, std::string("Екатеринбург"), std::string("2024-05-01")},
        {std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}},
        {std::numeric_limits<std::int64_t>::max(), nan, std::string(""),
         std::string("2024-05-01T10:00:00Z")},
        {std::numeric_limits<std::int64_t>::min(), inf, std::string("a\0b", 3),
         std::string("1899-12-31")},
        {std::int64_t{-7}, -inf, std::string(1 << 20, 'x'), std::monostate{}},
        {std::int64_t{0}, -0.0, std::string("тест \"quoted\" 'single'"), std::string("x")},
        // Values of another type than their field's.
        {2.75, std::int64_t{3}, std::int64_t{42}, 1.0 / 3.0},
        {std::string("17"), std::string("2.5"), 1e300, std::int64_t{-1}},
        {std::string("not a number"), std::string("abc"), nan, inf},
        {-2.5e18, std::string(" 12 "), -0.0, std::string("")},
        {std::int64_t{5}}, // fewer values than fields
    };
    std::size_t k = 0;
    for (const auto& v : values) {
        l.row(points, l.geos.point(60.0 + static_cast<double>(k), 56.0 - 0.5 * k), v);
        ++k;
    }
    l.row(points, nullptr, {std::int64_t{99}});
    l.row(points, l.geos.from_wkt("POINT EMPTY"), {std::int64_t{100}});
    // Multipoints (a point forced to a multipoint).
    Table& mpoints = l.add("mpoints", {{"n", FieldType::Integer}});
    l.row(mpoints, l.geos.from_wkt("POINT(1 2)"), {std::int64_t{1}});
    l.row(mpoints, l.geos.from_wkt("MULTIPOINT((1 2),(3 4))"), {std::int64_t{2}});
    l.row(mpoints, l.geos.from_wkt("MULTIPOINT EMPTY"), {std::int64_t{3}});
    // Lines.
    Table& lines = l.add("lines", {{"n", FieldType::Integer}});
    l.row(lines, l.geos.from_wkt("LINESTRING(0 0,1 1,2 0)"), {std::int64_t{1}});
    l.row(lines, l.geos.from_wkt("MULTILINESTRING((0 0,1 1),(2 2,3 1))"), {std::int64_t{2}});
    l.row(lines, l.geos.from_wkt("LINESTRING EMPTY"), {std::int64_t{3}});
    // Polygons, with holes, multipolygons, an empty one, a null.
    Table& polygons = l.add("polygons", {{"name", FieldType::String}});
    l.row(polygons, l.geos.from_wkt("POLYGON((60 56,61 56,61 57,60 56))"), {std::string("p")});
    l.row(polygons,
          l.geos.from_wkt("POLYGON((0 0,10 0,10 10,0 10,0 0),(2 2,3 2,3 3,2 2),(5 5,6 5,6 6,5 5))"),
          {std::string("holes")});
    l.row(polygons,
          l.geos.from_wkt("MULTIPOLYGON(((62 56,63 56,63 57,62 56)),((64 56,65 56,65 57,64 56)))"),
          {std::string("mp")});
    l.row(polygons, l.geos.from_wkt("POLYGON EMPTY"), {std::string("empty")});
    l.row(polygons, nullptr, {std::string("null")});
    // Mixed kinds: a GEOMETRY layer, geometries as they are.
    Table& mixed = l.add("mixed", {{"n", FieldType::Integer}});
    l.row(mixed, l.geos.from_wkt("POINT(1 2)"), {std::int64_t{1}});
    l.row(mixed, l.geos.from_wkt("POLYGON((0 0,1 0,1 1,0 0))"), {std::int64_t{2}});
    l.row(mixed, l.geos.from_wkt("LINESTRING(0 0,5 5)"), {std::int64_t{3}});
    // Layers GDAL writes itself on the direct path too: a collection, 3-D, a field
    // named like the FID column.
    Table& collection = l.add("collection", {{"n", FieldType::Integer}});
    l.row(collection, l.geos.from_wkt("GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))"),
          {std::int64_t{1}});
    Table& z = l.add("z", {{"n", FieldType::Integer}});
    l.row(z, l.geos.from_wkt("POINT Z (1 2 3)"), {std::int64_t{1}});
    Table& fid = l.add("with_fid", {{"FID", FieldType::Integer}, {"x", FieldType::String}});
    l.row(fid, l.geos.point(1, 2), {std::int64_t{10}, std::string("a")});
    l.row(fid, l.geos.point(3, 4), {std::int64_t{20}, std::string("b")});
    // No geometry column; no rows at all.
    Table& attributes = l.add("attributes", {{"key", FieldType::String}, {"v", FieldType::Real}});
    l.row(attributes, nullptr, {std::string("k1"), 1.5});
    l.row(attributes, nullptr, {std::string("k2"), std::monostate{}});
    Table& empty = l.add("empty", {{"n", FieldType::Integer}});
    empty.empty_geometry = GeometryHint::Polygon;
    Table& no_fields = l.add("no_fields", {});
    l.row(no_fields, nullptr, {});
    l.row(no_fields, nullptr, {});
    // Several batches of rows: random polygons and points.
    Table& many = l.add("many", {{"k", FieldType::Integer}, {"score", FieldType::Real}});
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> lon(20.0, 180.0);
    std::uniform_real_distribution<double> lat(41.0, 78.0);
    for (int i = 0; i < 10'000; ++i) {
        const double x = lon(rng);
        const double y = lat(rng);
        const double d = 1e-3 * (1 + i % 7);
        const std::string wkt = "POLYGON((" + std::to_string(x) + " " + std::to_string(y) + "," +
                                std::to_string(x + d) + " " + std::to_string(y) + "," +
                                std::to_string(x + d) + " " + std::to_string(y + d) + "," +
                                std::to_string(x) + " " + std::to_string(y) + "))";
        l.row(many, i % 500 == 3 ? nullptr : l.geos.from_wkt(wkt),
              {std::int64_t{i}, static_cast<double>(i) / 7.0});
    }
}

} // namespace

TEST(WriteRows, SameGeoPackageAsGdalsCreateFeature) {
    TempDir dir;
    Layers l;
    fill(l);
    WriteOptions ogr;
    ogr.ogr_rows = true;
    write_geopackage(dir.file("ogr.gpkg"), l.all(), ogr);
    write_geopackage(dir.file("direct.gpkg"), l.all(), {});
    expect_same(dir.file("ogr.gpkg"), dir.file("direct.gpkg"));
    // And what a reader sees: GDAL's counts and extents.
    GDALDatasetUniquePtr ds(GDALDataset::Open(dir.file("direct.gpkg").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    EXPECT_EQ(ds->GetLayerByName("points")->GetFeatureCount(FALSE), 13);
    EXPECT_EQ(ds->GetLayerByName("many")->GetFeatureCount(FALSE), 10'000);
    OGREnvelope e;
    ASSERT_EQ(ds->GetLayerByName("polygons")->GetExtent(&e, FALSE), OGRERR_NONE);
    EXPECT_EQ(e.MinX, 0.0);
    EXPECT_EQ(e.MaxX, 65.0);
    EXPECT_EQ(e.MinY, 0.0);
    EXPECT_EQ(e.MaxY, 57.0);
}

TEST(WriteRows, SameGeoPackageInAnotherCrs) {
    TempDir dir;
    Layers l;
    fill(l);
    WriteOptions ogr;
    ogr.ogr_rows = true;
    ogr.crs = "EPSG:3857";
    WriteOptions direct;
    direct.crs = "EPSG:3857";
    write_geopackage(dir.file("ogr.gpkg"), l.all(), ogr);
    write_geopackage(dir.file("direct.gpkg"), l.all(), direct);
    expect_same(dir.file("ogr.gpkg"), dir.file("direct.gpkg"));
}

TEST(WriteRows, CurrentDateOptionIsHonoured) {
    TempDir dir;
    Layers l;
    fill(l);
    CPLSetConfigOption("OGR_CURRENT_DATE", "2000-01-02T03:04:05.678Z");
    write_geopackage(dir.file("direct.gpkg"), l.all(), {});
    CPLSetConfigOption("OGR_CURRENT_DATE", nullptr);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(dir.file("direct.gpkg").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT last_change FROM gpkg_contents WHERE table_name = 'many'", -1,
                       &s, nullptr);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)),
                 "2000-01-02T03:04:05.678Z");
    sqlite3_finalize(s);
    sqlite3_close(db);
}

TEST(WriteRows, FailureNamesTheLayerAndFeatureAndLeavesNothing) {
    // An orthographic view of longitude 0 cannot show longitude 170 (`echo "0 170" |
    // cs2cs EPSG:4326 +to +proj=ortho +lat_0=0 +lon_0=0 +ellps=WGS84` prints "* * inf"):
    // the row with source fid 8600, in the third batch, fails; the error names the
    // layer and that feature, and no output or temporary is left behind.
    TempDir dir;
    Layers l;
    Table& t = l.add("far", {{"n", FieldType::Integer}});
    for (int i = 0; i < 9000; ++i) {
        Layers::row(t, l.geos.point(i < 8500 ? 10.0 : 170.0, 0.0), {std::int64_t{i}});
    }
    WriteOptions o;
    o.crs = "+proj=ortho +lat_0=0 +lon_0=0 +ellps=WGS84";
    try {
        write_geopackage(dir.file("out.gpkg"), l.all(), o);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        EXPECT_EQ(e.context().layer, "far");
        EXPECT_EQ(e.context().feature_id, std::optional<std::int64_t>(8600));
    }
    EXPECT_EQ(dir.entries(), std::vector<std::string>{});
}

namespace {

// The reference a test compares a write against: every layer of fill() written at
// once, through GDAL (`ogr_rows`) or straight into SQLite, to `path`.
void write_reference(const std::string& path, bool ogr_rows) {
    Layers whole;
    fill(whole);
    WriteOptions o;
    o.ogr_rows = ogr_rows;
    write_geopackage(path, whole.all(), o);
}

} // namespace

TEST(WriteRows, RowsCompletedJustBeforeTheirTurnAreWrittenAsIfGivenAtOnce) {
    // The atlas's hex grid is still being computed when the write stage starts: its
    // table is made from the fields alone, and before_rows fills the rows in when the
    // layer's turn comes. The file is the same as with every row given at once, on
    // both ways of writing rows.
    for (const bool ogr_rows : {false, true}) {
        TempDir dir;
        write_reference(dir.file("whole.gpkg"), ogr_rows);

        Layers late;
        fill(late);
        WriteOptions o;
        o.ogr_rows = ogr_rows;
        Table* many = nullptr;
        for (Table& t : late.tables) {
            if (t.name == "many") {
                many = &t;
            }
        }
        ASSERT_NE(many, nullptr);
        std::vector<Row> held = std::move(many->rows);
        many->rows.clear();
        many->empty_geometry = GeometryHint::Polygon;
        std::vector<std::string> seen;
        o.before_rows = [&](const Table& t) {
            seen.push_back(t.name);
            if (&t == many) {
                EXPECT_TRUE(many->rows.empty());
                many->rows = std::move(held);
            }
        };
        write_geopackage(dir.file("late.gpkg"), late.all(), o);
        expect_same(dir.file("whole.gpkg"), dir.file("late.gpkg"));
        EXPECT_EQ(seen.size(), late.tables.size()) << "ogr_rows " << ogr_rows;
    }
}

TEST(WriteRows, LayersWrittenLastAndRowsReleasedOnTheWayMakeTheSameGeoPackage) {
    // The atlas writes the hex grid's rows after every other layer's (rows_last: they
    // may still be in the making), and frees each layer's rows as soon as they are in
    // (after_rows). Neither changes the file: same tables in the same schema, same
    // rows, fids, blobs and indexes as a plain write.
    for (const bool ogr_rows : {false, true}) {
        TempDir dir;
        write_reference(dir.file("whole.gpkg"), ogr_rows);

        Layers late;
        fill(late);
        ASSERT_GE(late.tables.size(), 3U);
        const std::string last = late.tables[1].name; // neither the first nor the last
        WriteOptions o;
        o.ogr_rows = ogr_rows;
        o.rows_last = {last};
        std::vector<std::string> before;
        std::vector<std::string> after;
        o.before_rows = [&](const Table& t) { before.push_back(t.name); };
        o.after_rows = [&](const Table& t) {
            after.push_back(t.name);
            for (Table& own : late.tables) {
                if (&own == &t) {
                    std::vector<Row>().swap(own.rows);
                }
            }
        };
        write_geopackage(dir.file("late.gpkg"), late.all(), o);
        expect_same(dir.file("whole.gpkg"), dir.file("late.gpkg"));

        // Every layer once, each released after its rows went in. Through GDAL
        // (ogr_rows) the layers go in their own order; straight into SQLite, the layers
        // it cannot take (3-D, collections, …) first, through GDAL, and the one named
        // in rows_last last.
        std::vector<std::string> names;
        for (const Table& t : late.tables) {
            names.push_back(t.name);
        }
        EXPECT_EQ(after, before);
        if (ogr_rows) {
            EXPECT_EQ(before, names);
        } else {
            ASSERT_FALSE(before.empty());
            EXPECT_EQ(before.back(), last);
            std::sort(names.begin(), names.end());
            std::vector<std::string> once = before;
            std::sort(once.begin(), once.end());
            EXPECT_EQ(once, names);
        }
        for (const Table& t : late.tables) {
            EXPECT_TRUE(t.rows.empty()) << t.name;
        }
    }
}

TEST(WriteRows, RowsCompletedLateMustKeepTheLayersTypeAndAFailureLeavesNothing) {
    TempDir dir;
    Layers l;
    Table& t = l.add("late", {{"n", FieldType::Integer}});
    t.empty_geometry = GeometryHint::Polygon;
    WriteOptions o;
    o.before_rows = [&](const Table& table) {
        if (&table == &t) {
            Layers::row(t, l.geos.point(60.0, 56.0), {std::int64_t{1}}); // a point
        }
    };
    EXPECT_THROW(write_geopackage(dir.file("out.gpkg"), l.all(), o), Error);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{});
    o.before_rows = [](const Table&) { throw Error(ErrorKind::Cancelled, "stopped"); };
    EXPECT_THROW(write_geopackage(dir.file("out.gpkg"), l.all(), o), Error);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{});
}

namespace {

// A bare table for insert_rows: no geometry, an integer that must not be `bad`, a
// text; and the gpkg_contents row insert_rows updates.
sqlite3* rows_table(const char* check) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    const std::string sql =
        std::string("CREATE TABLE t (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, n INTEGER ") +
        check +
        ", s TEXT);"
        "CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT, min_x REAL, min_y REAL, "
        "max_x REAL, max_y REAL, last_change TEXT);"
        "INSERT INTO gpkg_contents (table_name, data_type) VALUES ('t', 'attributes');"
        "BEGIN";
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    return db;
}

} // namespace

TEST(WriteRows, RowsInGroupsTakeConsecutiveFidsInOrder) {
    // 200 rows: three INSERTs of 64 rows, then 8 of one row each.
    Table t;
    t.name = "t";
    t.fields = {{"n", FieldType::Integer}, {"s", FieldType::String}};
    for (int i = 0; i < 200; ++i) {
        Row r;
        r.fid = 1000 + i;
        r.values = {std::int64_t{i * 3}, std::string("row ") + std::to_string(i)};
        t.rows.push_back(std::move(r));
    }
    sqlite3* db = rows_table("");
    const detail::DirectLayer layer{&t, "t", wkbNone, {"n", "s"}, {OFTInteger64, OFTString}};
    detail::insert_rows(db, layer, nullptr, Progress(), "out.gpkg");
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT fid, n, s FROM t ORDER BY fid", -1, &s, nullptr),
              SQLITE_OK);
    int i = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        EXPECT_EQ(sqlite3_column_int(s, 0), i + 1);
        EXPECT_EQ(sqlite3_column_int(s, 1), i * 3);
        EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 2))),
                  "row " + std::to_string(i));
        ++i;
    }
    EXPECT_EQ(i, 200);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

TEST(WriteRows, AGroupThatFailsNamesItsFeature) {
    // Row 77 (source fid 1077) breaks the table's CHECK in the second group of 64:
    // SQLite refuses the whole INSERT, and the rows are tried one by one to find it.
    Table t;
    t.name = "t";
    t.fields = {{"n", FieldType::Integer}, {"s", FieldType::String}};
    for (int i = 0; i < 200; ++i) {
        Row r;
        r.fid = 1000 + i;
        r.values = {std::int64_t{i}, std::string("x")};
        t.rows.push_back(std::move(r));
    }
    sqlite3* db = rows_table("CHECK (n <> 77)");
    const detail::DirectLayer layer{&t, "t", wkbNone, {"n", "s"}, {OFTInteger64, OFTString}};
    try {
        detail::insert_rows(db, layer, nullptr, Progress(), "out.gpkg");
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_EQ(e.context().file, "out.gpkg");
        EXPECT_EQ(e.context().layer, "t");
        EXPECT_EQ(e.context().feature_id, std::optional<std::int64_t>(1077));
        EXPECT_THAT(e.message(), ::testing::HasSubstr("CHECK constraint failed"));
    }
    sqlite3_close(db);
}
