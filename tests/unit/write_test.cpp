#include "creatlas/error.hpp"
#include "creatlas/write.hpp"
#include "test_util.hpp"
#include "write/file_flush.hpp"
#include "write/temp_guard.hpp"

#include <csignal>
#include <filesystem>
#include <gdal_priv.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <memory>
#include <ogrsf_frmts.h>
#include <sqlite3.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace creatlas;
using creatlas::test::table_from_wkt;
using creatlas::test::TempDir;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

namespace {

struct Fixture {
    GeosContext geos;
    Table points = table_from_wkt(
        geos, "clusters", {"cluster_id"},
        {{"POINT(60.6 56.8)", {std::string("a")}}, {"POINT(61.4 55.16)", {std::string("b")}}});
    Table zones =
        table_from_wkt(geos, "programmes", {"programme_id"},
                       {{"POLYGON((60 56,61 56,61 57,60 56))", {std::string("p1")}},
                        {"MULTIPOLYGON(((62 56,63 56,63 57,62 56)),((64 56,65 56,65 57,64 56)))",
                         {std::string("p2")}}});
    Fixture() {
        points.fields.push_back({"n", FieldType::Integer});
        points.rows[0].values.emplace_back(std::int64_t{7});
        points.rows[1].values.emplace_back(std::monostate{});
    }
};

GDALDatasetUniquePtr open_gpkg(const std::string& path) {
    GDALAllRegister();
    return GDALDatasetUniquePtr(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                                  nullptr, nullptr, nullptr));
}

} // namespace

TEST(Write, LayersFieldsGeometriesAndCrs) {
    TempDir dir;
    Fixture f;
    const std::string out = dir.file("atlas.gpkg");
    write_geopackage(out, {&f.points, &f.zones}, {});
    auto ds = open_gpkg(out);
    ASSERT_TRUE(ds);
    ASSERT_EQ(ds->GetLayerCount(), 2);
    OGRLayer* c = ds->GetLayerByName("clusters");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->GetFeatureCount(), 2);
    EXPECT_EQ(c->GetGeomType(), wkbPoint);
    EXPECT_STREQ(c->GetSpatialRef()->GetAuthorityCode(nullptr), "4326");
    EXPECT_STREQ(c->GetGeometryColumn(), "geom");
    OGRFeatureUniquePtr first(c->GetNextFeature());
    EXPECT_STREQ(first->GetFieldAsString("cluster_id"), "a");
    EXPECT_EQ(first->GetFieldAsInteger64("n"), 7);
    OGRFeatureUniquePtr second(c->GetNextFeature());
    EXPECT_TRUE(second->IsFieldNull(second->GetFieldIndex("n")));
    // Polygons and multipolygons share one MultiPolygon layer.
    OGRLayer* z = ds->GetLayerByName("programmes");
    EXPECT_EQ(z->GetGeomType(), wkbMultiPolygon);
    EXPECT_EQ(z->GetFeatureCount(), 2);
    // Nothing else is left in the folder: no temporary, no journal.
    ds.reset();
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"atlas.gpkg"});
}

TEST(Write, OutputCrsIsApplied) {
    // EPSG:3857 of (60.6, 56.8), from `echo "56.8 60.6" | cs2cs -f %.6f EPSG:4326 EPSG:3857`.
    TempDir dir;
    Fixture f;
    WriteOptions o;
    o.crs = "EPSG:3857";
    write_geopackage(dir.file("m.gpkg"), {&f.points}, o);
    auto ds = open_gpkg(dir.file("m.gpkg"));
    OGRLayer* c = ds->GetLayer(0);
    EXPECT_STREQ(c->GetSpatialRef()->GetAuthorityCode(nullptr), "3857");
    OGRFeatureUniquePtr feat(c->GetNextFeature());
    const auto* p = feat->GetGeometryRef()->toPoint();
    EXPECT_NEAR(p->getX(), 6745961.142072, 1e-3);
    EXPECT_NEAR(p->getY(), 7719349.797769, 1e-3);
}

TEST(Write, ExistingOutputNeedsOverwrite) {
    TempDir dir;
    Fixture f;
    const std::string out = dir.write("atlas.gpkg", "not a geopackage");
    try {
        write_geopackage(out, {&f.points}, {});
        FAIL();
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("the output exists; pass --overwrite to replace it"));
    }
    WriteOptions o;
    o.overwrite = true;
    write_geopackage(out, {&f.points}, o);
    EXPECT_TRUE(open_gpkg(out));
}

TEST(Write, NeverOverAnInput) {
    TempDir dir;
    Fixture f;
    const std::string in = dir.write("in.gpkg", "x");
    WriteOptions o;
    o.overwrite = true;
    o.inputs = {dir.path().string() + "/./in.gpkg"};
    try {
        write_geopackage(in, {&f.points}, o);
        FAIL();
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("the output would overwrite an input"));
    }
}

TEST(Write, MissingAndUnwritableFolders) {
    Fixture f;
    try {
        write_geopackage("/nonexistent-creatlas/atlas.gpkg", {&f.points}, {});
        FAIL();
    } catch (const Error& e) {
        EXPECT_THAT(e.what(), HasSubstr("the output folder does not exist"));
    }
    // Root may write through permission bits, so as root use sysfs, where nobody can
    // create files; otherwise a folder without write permission.
    TempDir dir;
    std::string folder = "/sys";
    if (::geteuid() != 0) {
        folder = dir.file("ro");
        std::filesystem::create_directory(folder);
        std::filesystem::permissions(folder, std::filesystem::perms::owner_read |
                                                 std::filesystem::perms::owner_exec);
    }
    try {
        write_geopackage(folder + "/atlas.gpkg", {&f.points}, {});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_THAT(e.what(), HasSubstr("the output folder is not writable"));
    }
}

TEST(Write, CancelledMidWriteLeavesNothing) {
    TempDir dir;
    Fixture f;
    // Many rows so that progress is reported while the first layer is written.
    for (int i = 0; i < 10000; ++i) {
        Row r;
        r.fid = i + 10;
        r.values = {std::string("x"), std::int64_t{i}};
        r.geom = f.geos.point(60.0 + i * 1e-5, 56.0);
        f.points.rows.push_back(std::move(r));
    }
    bool writing = false;
    Progress progress(
        [&writing](double, const std::string& stage) {
            writing = writing || stage.rfind("write", 0) == 0;
        },
        [&writing] { return writing; });
    try {
        write_geopackage(dir.file("atlas.gpkg"), {&f.points, &f.zones}, {}, progress);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Cancelled);
    }
    EXPECT_TRUE(writing);
    EXPECT_THAT(dir.entries(), IsEmpty());
}

TEST(Write, FailureInFinishLeavesNothingAndKeepsTheOldOutput) {
    TempDir dir;
    Fixture f;
    const std::string out = dir.write("atlas.gpkg", "previous");
    WriteOptions o;
    o.overwrite = true;
    o.finish = [](GDALDataset&) { throw Error(ErrorKind::Io, "disk full (simulated)"); };
    EXPECT_THROW(write_geopackage(out, {&f.points}, o), Error);
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"atlas.gpkg"});
    std::ifstream in(out);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "previous");
}

// SIGKILL leaves no chance to clean up: the guard's child process removes the
// temporary (and its SQLite journal) once the writing process is gone.
TEST(Write, TempGuardRemovesTheTemporaryOfAKilledProcess) {
    TempDir dir;
    const std::string temp = dir.file("out.gpkg.tmp");
    const pid_t writer = ::fork();
    ASSERT_GE(writer, 0);
    if (writer == 0) {
        const detail::TempGuard guard(temp);
        dir.write("out.gpkg.tmp", "partial");
        dir.write("out.gpkg.tmp-journal", "partial");
        ::raise(SIGKILL);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(writer, &status, 0), writer);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    // The guard runs on its own; give it up to 10 s.
    for (int k = 0;
         k < 1000 && (std::filesystem::exists(temp) || std::filesystem::exists(temp + "-journal"));
         ++k) {
        ::usleep(10000);
    }
    EXPECT_FALSE(std::filesystem::exists(temp));
    EXPECT_FALSE(std::filesystem::exists(temp + "-journal"));
}

// A guard destroyed normally (the writer renamed its temporary into place)
// removes only the temporary's names, never the output.
TEST(Write, TempGuardTouchesNothingElse) {
    TempDir dir;
    const std::string kept = dir.write("out.gpkg", "finished");
    { const detail::TempGuard guard(dir.file("out.gpkg.tmp")); }
    EXPECT_TRUE(std::filesystem::exists(kept));
    EXPECT_EQ(dir.entries(), std::vector<std::string>{"out.gpkg"});
}

// --- the background flush (file_flush.hpp) ---------------------------------------------

TEST(Write, BackgroundFlushServesEveryRequestAndLeavesTheFileAsItIs) {
    TempDir dir;
    const std::string file = dir.write("out.gpkg.tmp", "rows");
    detail::BackgroundFlush flush(file, "out.gpkg");
    flush.request();
    flush.request();
    {
        std::ofstream more(file, std::ios::app | std::ios::binary);
        more << " and more rows";
    }
    flush.finish(); // returns only once a flush begun after this call has completed
    EXPECT_EQ(flush.served(), 3U);
    flush.finish();
    EXPECT_EQ(flush.served(), 4U);
    std::ifstream in(file, std::ios::binary);
    std::string text;
    std::getline(in, text);
    EXPECT_EQ(text, "rows and more rows");
}

TEST(Write, BackgroundFlushErrorsNameTheOutput) {
    try {
        detail::BackgroundFlush flush("/nonexistent-creatlas/out.gpkg.tmp", "/data/atlas.gpkg");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_EQ(e.context().file, "/data/atlas.gpkg");
        EXPECT_THAT(e.what(), HasSubstr("cannot open the GeoPackage to flush it"));
    }
    // A character device cannot be synchronised: fdatasync fails with EINVAL, and
    // finish() says so rather than let the file be renamed into place.
    detail::BackgroundFlush flush("/dev/null", "/data/atlas.gpkg");
    flush.request();
    try {
        flush.finish();
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Io);
        EXPECT_EQ(e.context().file, "/data/atlas.gpkg");
        EXPECT_THAT(e.what(), HasSubstr("cannot write the GeoPackage to disk"));
    }
}

// --- spatial indexes (issue 14) ----------------------------------------------------------
//
// The write stage packs each layer's R-tree itself. The oracle is GDAL 3.6: a copy of
// the output whose indexes GDAL drops and builds again (DisableSpatialIndex,
// CreateSpatialIndex: one rtree INSERT per row from ST_MinX… of the stored blobs) must
// hold exactly the same rows, and SQLite's rtreecheck() must accept every index.

namespace {

struct SqliteCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Sqlite = std::unique_ptr<sqlite3, SqliteCloser>;

Sqlite open_sqlite(const std::string& path) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    return Sqlite(db);
}

/// Every row of `sql` as text, columns joined by '|'.
std::vector<std::string> sql_rows(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    std::vector<std::string> out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
        return {std::string("error: ") + sqlite3_errmsg(db)};
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        std::string row;
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
            const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
            row += (i > 0 ? "|" : "") + std::string(t != nullptr ? t : "NULL");
        }
        out.push_back(row);
    }
    sqlite3_finalize(s);
    return out;
}

std::string sql_one(sqlite3* db, const std::string& sql) {
    const auto r = sql_rows(db, sql);
    return r.empty() ? std::string("<no row>") : r.front();
}

/// The rtree rows of `table` with full float precision (hex of the stored doubles).
std::vector<std::string> rtree_rows(sqlite3* db, const std::string& table) {
    return sql_rows(db, "SELECT id, printf('%!.17g|%!.17g|%!.17g|%!.17g', minx, maxx, miny, "
                        "maxy) FROM \"rtree_" +
                            table + "_geom\" ORDER BY id");
}

/// A copy of `path` whose layers' indexes GDAL has dropped and built again.
std::string rebuilt_by_gdal(const std::string& path, const std::vector<std::string>& layers) {
    const std::string copy = path + ".gdal.gpkg";
    std::filesystem::copy_file(path, copy, std::filesystem::copy_options::overwrite_existing);
    GDALDatasetUniquePtr ds(GDALDataset::Open(copy.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE,
                                              nullptr, nullptr, nullptr));
    for (const auto& l : layers) {
        for (const std::string fn : {"DisableSpatialIndex", "CreateSpatialIndex"}) {
            const std::string sql = "SELECT " + fn + "('" + l + "', 'geom')";
            ds->ReleaseResultSet(ds->ExecuteSQL(sql.c_str(), nullptr, nullptr));
        }
    }
    return copy;
}

} // namespace

TEST(Write, EveryGeometryLayerGetsAPackedIndexLikeGdals) {
    TempDir dir;
    Fixture f;
    // Null and empty geometries get no rtree row (GDAL's triggers say NOT NULL AND NOT
    // ST_IsEmpty); 3,000 points need three levels (51 cells a node: 59 leaves).
    auto row = [](std::int64_t fid, std::vector<Value> values, GeomPtr geom) {
        Row r;
        r.fid = fid;
        r.values = std::move(values);
        r.geom = std::move(geom);
        return r;
    };
    f.points.rows.push_back(row(3, {std::string("no geometry"), std::int64_t{1}}, {}));
    f.points.rows.push_back(
        row(4, {std::string("empty"), std::int64_t{2}}, f.geos.from_wkt("POINT EMPTY")));
    Table many = table_from_wkt(f.geos, "heritage_sites", {"heritage_id"}, {});
    for (int i = 0; i < 3000; ++i) {
        const std::string wkt = "POINT(" + std::to_string(60.0 + (i % 60) * 0.01) + " " +
                                std::to_string(56.0 + (i / 60) * 0.01) + ")";
        many.rows.push_back(row(i + 1, {std::to_string(i)}, f.geos.from_wkt(wkt)));
    }
    Table empty_points = table_from_wkt(f.geos, "hex_grid", {"hex_id"}, {});
    empty_points.empty_geometry = GeometryHint::Point;
    Table attributes = table_from_wkt(f.geos, "city_years", {"city_id"}, {{"", {"c1"}}});
    const std::string out = dir.file("atlas.gpkg");
    write_geopackage(out, {&f.points, &f.zones, &many, &empty_points, &attributes}, {});

    const std::vector<std::string> indexed = {"clusters", "programmes", "heritage_sites",
                                              "hex_grid"};
    const std::string gdal = rebuilt_by_gdal(out, indexed);
    Sqlite db = open_sqlite(out);
    Sqlite ref = open_sqlite(gdal);
    for (const auto& l : indexed) {
        SCOPED_TRACE(l);
        EXPECT_EQ(sql_one(db.get(), "SELECT rtreecheck('rtree_" + l + "_geom')"), "ok");
        EXPECT_EQ(rtree_rows(db.get(), l), rtree_rows(ref.get(), l));
        EXPECT_EQ(sql_one(db.get(), "SELECT count(*) FROM gpkg_extensions WHERE table_name = '" +
                                        l + "' AND extension_name = 'gpkg_rtree_index'"),
                  "1");
        EXPECT_EQ(sql_one(db.get(), "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                                    "AND name LIKE 'rtree_" +
                                        l + "_geom_%'"),
                  "6");
    }
    EXPECT_EQ(sql_one(db.get(), "SELECT count(*) FROM rtree_clusters_geom"), "2");
    EXPECT_EQ(sql_one(db.get(), "SELECT count(*) FROM rtree_heritage_sites_geom"), "3000");
    EXPECT_EQ(sql_one(db.get(), "SELECT count(*) FROM rtree_hex_grid_geom"), "0");
    // Three levels: the root's depth (first two bytes, big-endian) is 2.
    EXPECT_EQ(sql_one(db.get(), "SELECT hex(substr(data, 1, 2)) FROM "
                                "rtree_heritage_sites_geom_node WHERE nodeno = 1"),
              "0002");
    // A table without geometry has no index at all.
    EXPECT_EQ(sql_one(db.get(), "SELECT count(*) FROM sqlite_master WHERE name LIKE "
                                "'rtree_city_years%'"),
              "0");
    // GDAL sees the index and answers a filter from it.
    auto ds = open_gpkg(out);
    OGRLayer* sites = ds->GetLayerByName("heritage_sites");
    EXPECT_TRUE(sites->TestCapability(OLCFastSpatialFilter));
    sites->SetSpatialFilterRect(60.095, 56.095, 60.105, 56.105); // 60.10 56.10: one point
    EXPECT_EQ(sites->GetFeatureCount(), 1);
}

// The direct path writes each layer's index (and WriteOptions::layer_sql) on the rows'
// connection, before the next layer's rows; GDAL's path (ogr_rows) writes them all at
// the end on a connection of their own. The shadow tables must be the same, node for
// node, and the statements run in both.
TEST(Write, IndexesWrittenBetweenLayersEqualThoseWrittenAtTheEnd) {
    TempDir dir;
    Fixture f;
    Table many = table_from_wkt(f.geos, "heritage_sites", {"heritage_id"}, {});
    for (int i = 0; i < 3000; ++i) {
        Row r;
        r.fid = i + 1;
        r.values = {std::to_string(i)};
        r.geom = f.geos.point(60.0 + (i % 60) * 0.01, 56.0 + (i / 60) * 0.01);
        many.rows.push_back(std::move(r));
    }
    const std::vector<const Table*> layers = {&f.points, &many, &f.zones};
    WriteOptions o;
    o.layer_sql = {{"heritage_sites", "CREATE INDEX ix_heritage ON heritage_sites(heritage_id)"},
                   {"clusters", "CREATE INDEX ix_clusters ON clusters(cluster_id)"},
                   {"absent", "CREATE TABLE never_made(x)"}};
    const std::string direct = dir.file("direct.gpkg");
    write_geopackage(direct, layers, o);
    o.ogr_rows = true;
    const std::string at_end = dir.file("at_end.gpkg");
    write_geopackage(at_end, layers, o);
    Sqlite a = open_sqlite(direct);
    Sqlite b = open_sqlite(at_end);
    for (const std::string l : {"clusters", "heritage_sites", "programmes"}) {
        SCOPED_TRACE(l);
        const std::string t = "rtree_" + l + "_geom";
        EXPECT_EQ(sql_one(a.get(), "SELECT rtreecheck('" + t + "')"), "ok");
        for (const std::string& q :
             {"SELECT nodeno, hex(data) FROM " + t + "_node ORDER BY nodeno",
              "SELECT nodeno, parentnode FROM " + t + "_parent ORDER BY nodeno",
              "SELECT rowid, nodeno FROM " + t + "_rowid ORDER BY rowid"}) {
            const auto rows = sql_rows(a.get(), q);
            EXPECT_FALSE(rows.empty() && q.find("_parent") == std::string::npos) << q;
            EXPECT_EQ(rows, sql_rows(b.get(), q)) << q;
        }
    }
    // 3,000 points, 51 cells a node: 59 leaves, 2 nodes above them, the root.
    EXPECT_EQ(sql_one(a.get(), "SELECT count(*) FROM rtree_heritage_sites_geom_node"), "62");
    for (Sqlite* db : {&a, &b}) {
        EXPECT_EQ(sql_rows(db->get(), "SELECT name, tbl_name FROM sqlite_master WHERE name "
                                      "LIKE 'ix_%' OR name = 'never_made' ORDER BY name"),
                  (std::vector<std::string>{"ix_clusters|clusters", "ix_heritage|heritage_sites"}));
        EXPECT_EQ(sql_one(db->get(), "PRAGMA integrity_check"), "ok");
    }
}

TEST(Write, FailingLayerSqlLeavesNothingAndNamesTheLayer) {
    TempDir dir;
    Fixture f;
    const std::string out = dir.write("atlas.gpkg", "previous");
    for (const bool ogr_rows : {false, true}) {
        SCOPED_TRACE(ogr_rows);
        WriteOptions o;
        o.overwrite = true;
        o.ogr_rows = ogr_rows;
        o.layer_sql = {{"programmes", "CREATE INDEX bad ON programmes(no_such_column)"}};
        try {
            write_geopackage(out, {&f.points, &f.zones}, o);
            FAIL();
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::Io);
            EXPECT_EQ(e.context().file, out);
            EXPECT_EQ(e.context().layer, "programmes");
            EXPECT_THAT(e.what(), HasSubstr("no_such_column"));
        }
        EXPECT_EQ(dir.entries(), std::vector<std::string>{"atlas.gpkg"});
        std::ifstream in(out);
        std::string text;
        std::getline(in, text);
        EXPECT_EQ(text, "previous");
    }
}

TEST(Write, IndexIsInTheOutputCrs) {
    // EPSG:3857 of (60.6, 56.8) as above; the rtree stores float32 bounds around it.
    TempDir dir;
    Fixture f;
    WriteOptions o;
    o.crs = "EPSG:3857";
    const std::string out = dir.file("m.gpkg");
    write_geopackage(out, {&f.points}, o);
    const std::string gdal = rebuilt_by_gdal(out, {"clusters"});
    Sqlite db = open_sqlite(out);
    Sqlite ref = open_sqlite(gdal);
    EXPECT_EQ(rtree_rows(db.get(), "clusters"), rtree_rows(ref.get(), "clusters"));
    const auto box = sql_rows(db.get(), "SELECT minx, maxx FROM rtree_clusters_geom WHERE id = 1");
    ASSERT_EQ(box.size(), 1U);
    const double minx = std::stod(box[0].substr(0, box[0].find('|')));
    const double maxx = std::stod(box[0].substr(box[0].find('|') + 1));
    EXPECT_LE(minx, 6745961.142072);
    EXPECT_GE(maxx, 6745961.142072);
    // Float32 steps are 0.5 m at 6.7e6; SQLite rounds outward by scaling with 1 ∓ 2⁻²³
    // (0.8 m here), which can take two steps: the box is at most 1.5 m wide.
    EXPECT_LE(maxx - minx, 1.5);
}
