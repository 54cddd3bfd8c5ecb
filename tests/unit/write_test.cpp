#include "creatlas/error.hpp"
#include "creatlas/write.hpp"
#include "test_util.hpp"
#include "write/temp_guard.hpp"

#include <csignal>
#include <filesystem>
#include <gdal_priv.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>
#include <unistd.h>

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
