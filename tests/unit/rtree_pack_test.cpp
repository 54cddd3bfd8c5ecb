// The packed R-tree writer (geo/src/write/rtree_pack.*), checked against SQLite and GDAL
// themselves: SQLite's rtreecheck(), an ordinary rtree filled with plain INSERTs (SQLite's
// own rounding and tree), a brute-force filter over the exact envelopes, the schema text
// GDAL 3.6 writes for an index it builds, GDAL's spatial filter and validate_gpkg.
#include "creatlas/error.hpp"
#include "test_util.hpp"
#include "write/rtree_pack.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <ogrsf_frmts.h>
#include <random>
#include <set>
#include <sqlite3.h>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using creatlas::test::TempDir;
using namespace creatlas;
using namespace creatlas::detail;

namespace {

// --- SQLite helpers ------------------------------------------------------------------

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

Db open_db(const std::string& path) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    Db out(db);
    if (rc != SQLITE_OK) {
        throw std::runtime_error("cannot open " + path);
    }
    return out;
}

Stmt prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
        throw std::runtime_error(sql + ": " + sqlite3_errmsg(db));
    }
    return Stmt(s);
}

void exec(sqlite3* db, const std::string& sql) {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        const std::string text = message != nullptr ? message : "?";
        sqlite3_free(message);
        throw std::runtime_error(sql + ": " + text);
    }
}

/// Every row of `sql`, each column as text ("NULL" for null), columns joined by '|'.
std::vector<std::string> rows(sqlite3* db, const std::string& sql) {
    Stmt s = prepare(db, sql);
    std::vector<std::string> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
        std::string row;
        for (int i = 0; i < sqlite3_column_count(s.get()); ++i) {
            const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), i));
            row += (i > 0 ? "|" : "") + std::string(t != nullptr ? t : "NULL");
        }
        out.push_back(row);
    }
    return out;
}

std::string one(sqlite3* db, const std::string& sql) {
    const auto r = rows(db, sql);
    return r.empty() ? std::string("<no row>") : r.front();
}

struct Window {
    double minx, maxx, miny, maxy;
};

std::set<std::int64_t> rtree_ids(sqlite3* db, const std::string& rtree, const Window& w) {
    Stmt s = prepare(db, "SELECT id FROM \"" + rtree +
                             "\" WHERE maxx >= ?1 AND minx <= ?2 AND maxy >= ?3 AND miny <= ?4");
    sqlite3_bind_double(s.get(), 1, w.minx);
    sqlite3_bind_double(s.get(), 2, w.maxx);
    sqlite3_bind_double(s.get(), 3, w.miny);
    sqlite3_bind_double(s.get(), 4, w.maxy);
    std::set<std::int64_t> ids;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
        ids.insert(sqlite3_column_int64(s.get(), 0));
    }
    return ids;
}

/// (id, minx, maxx, miny, maxy) of every row of an rtree, as SQLite returns them.
std::vector<RtreeEntry> stored_boxes(sqlite3* db, const std::string& rtree) {
    Stmt s = prepare(db, "SELECT id, minx, maxx, miny, maxy FROM \"" + rtree + "\" ORDER BY id");
    std::vector<RtreeEntry> out;
    while (sqlite3_step(s.get()) == SQLITE_ROW) {
        out.push_back({sqlite3_column_int64(s.get(), 0), sqlite3_column_double(s.get(), 1),
                       sqlite3_column_double(s.get(), 2), sqlite3_column_double(s.get(), 3),
                       sqlite3_column_double(s.get(), 4)});
    }
    return out;
}

bool meets(const RtreeEntry& e, const Window& w) {
    return e.maxx >= w.minx && e.minx <= w.maxx && e.maxy >= w.miny && e.miny <= w.maxy;
}

bool same_box(const RtreeEntry& a, const RtreeEntry& b) {
    return a.id == b.id && a.minx == b.minx && a.maxx == b.maxx && a.miny == b.miny &&
           a.maxy == b.maxy;
}

// --- fixtures ------------------------------------------------------------------------------

void gdal_once() {
    static const bool done = [] {
        GDALAllRegister();
        return true;
    }();
    (void)done;
}

/// A GeoPackage with one empty point layer `t` (geometry column "geom", FID "fid"),
/// written by GDAL with or without its spatial index.
void make_gpkg(const std::string& path, bool spatial_index, const std::string& layer = "t") {
    gdal_once();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    const std::string index = spatial_index ? "SPATIAL_INDEX=YES" : "SPATIAL_INDEX=NO";
    const char* options[] = {"GEOMETRY_NAME=geom", "FID=fid", index.c_str(), nullptr};
    ASSERT_NE(ds->CreateLayer(layer.c_str(), &srs, wkbPoint, const_cast<char**>(options)), nullptr);
}

/// The schema rows of a layer's index (virtual table, shadow tables, triggers),
/// the gpkg_extensions definition and the layer's extension rows.
std::vector<std::string> index_schema(sqlite3* db, const std::string& table) {
    auto out = rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name LIKE "
                        "'rtree_' || '" +
                            table + "' || '_%' ORDER BY name");
    for (const auto& r : rows(db, "SELECT sql FROM sqlite_master WHERE name = 'gpkg_extensions'")) {
        out.push_back(r);
    }
    for (const auto& r : rows(db, "SELECT * FROM gpkg_extensions WHERE table_name = '" + table +
                                      "' ORDER BY extension_name")) {
        out.push_back(r);
    }
    return out;
}

/// What GDAL 3.6 writes for the spatial index of a layer `t` (geom, fid): taken from a
/// GeoPackage GDAL makes with SPATIAL_INDEX=YES.
const std::vector<std::string>& gdal_schema() {
    static const std::vector<std::string> schema = [] {
        TempDir dir;
        make_gpkg(dir.file("gdal.gpkg"), true);
        Db db = open_db(dir.file("gdal.gpkg"));
        return index_schema(db.get(), "t");
    }();
    return schema;
}

/// Random envelopes in [x0, x0 + span] × [y0, y0 + span]; `size` is the largest side as
/// a share of span (0: points). Ids are 1, 2, … with gaps of `id_step`.
std::vector<RtreeEntry> random_entries(std::size_t n, double x0, double y0, double span,
                                       double size, std::uint64_t seed, std::int64_t id_step = 1) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<RtreeEntry> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double x = x0 + span * u(rng);
        const double y = y0 + span * u(rng);
        const double w = span * size * u(rng) * u(rng);
        const double h = span * size * u(rng) * u(rng);
        out.push_back({1 + static_cast<std::int64_t>(i) * id_step, x, x + w, y, y + h});
    }
    return out;
}

/// 1,000 windows: random ones of all sizes over the data's extent, and windows whose
/// edges are exactly an entry's edges (the boundary cases of "no feature missed").
std::vector<Window> windows_for(const std::vector<RtreeEntry>& all, std::uint64_t seed) {
    std::vector<RtreeEntry> entries; // the non-empty envelopes
    std::copy_if(all.begin(), all.end(), std::back_inserter(entries),
                 [](const RtreeEntry& e) { return e.minx <= e.maxx && e.miny <= e.maxy; });
    double x0 = 0;
    double x1 = 1;
    double y0 = 0;
    double y1 = 1;
    if (!entries.empty()) {
        x0 = y0 = std::numeric_limits<double>::max();
        x1 = y1 = std::numeric_limits<double>::lowest();
        for (const auto& e : entries) {
            x0 = std::min(x0, e.minx);
            x1 = std::max(x1, e.maxx);
            y0 = std::min(y0, e.miny);
            y1 = std::max(y1, e.maxy);
        }
    }
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::uniform_int_distribution<std::size_t> pick(0, entries.empty() ? 0 : entries.size() - 1);
    std::vector<Window> out;
    for (int i = 0; i < 1000; ++i) {
        if (i % 4 == 3 && !entries.empty()) {
            // Touch an entry's box from outside: its max edges are the window's min edges.
            const auto& e = entries[pick(rng)];
            const double d = (x1 - x0) * 1e-3 * u(rng);
            out.push_back({e.maxx, e.maxx + d, e.maxy, e.maxy + d});
            continue;
        }
        const double s = std::pow(10.0, -4.0 * u(rng)); // from the whole extent to 1e-4 of it
        const double w = (x1 - x0) * s;
        const double h = (y1 - y0) * s;
        const double x = x0 - w / 2 + (x1 - x0 + w) * u(rng);
        const double y = y0 - h / 2 + (y1 - y0 + h) * u(rng);
        out.push_back({x, x + w, y, y + h});
    }
    return out;
}

/// Pack `entries` into layer t of a fresh GeoPackage, and check the index every way:
/// rtreecheck, GDAL's schema text, the boxes SQLite itself would store, and 1,000
/// window queries against an ordinary rtree and a brute-force filter.
/// Returns the packed tree's depth read back from the root node.
/// `like_sqlite`: every coordinate is 0 or a normal float, so SQLite's own rounding is
/// outward and the ordinary index must match the packed one exactly.
int check_packed(const std::vector<RtreeEntry>& entries, std::size_t expect_indexed,
                 int page_size = 0, bool like_sqlite = true) {
    TempDir dir;
    const std::string path = dir.file("packed.gpkg");
    if (page_size > 0) {
        // GDAL 3.6 has no page-size option: the bare table of a GDAL layer, in SQLite.
        Db pre = open_db(path);
        exec(pre.get(), "PRAGMA page_size = " + std::to_string(page_size) +
                            "; CREATE TABLE \"t\" ( \"fid\" INTEGER PRIMARY KEY AUTOINCREMENT "
                            "NOT NULL, \"geom\" POINT)");
    } else {
        make_gpkg(path, false);
    }
    Db db = open_db(path);
    write_packed_rtree(db.get(), "t", "geom", entries);

    EXPECT_EQ(one(db.get(), "SELECT rtreecheck('rtree_t_geom')"), "ok");
    EXPECT_EQ(index_schema(db.get(), "t"), gdal_schema());
    EXPECT_EQ(one(db.get(), "SELECT count(*) FROM rtree_t_geom"), std::to_string(expect_indexed));
    EXPECT_EQ(one(db.get(), "SELECT count(*) FROM rtree_t_geom_rowid"),
              std::to_string(expect_indexed));

    // The ordinary way: one INSERT per entry into a second rtree, same rounding rule.
    exec(db.get(), "CREATE VIRTUAL TABLE ordinary USING rtree(id, minx, maxx, miny, maxy)");
    exec(db.get(), "BEGIN");
    {
        Stmt ins = prepare(db.get(), "INSERT INTO ordinary VALUES (?1, ?2, ?3, ?4, ?5)");
        for (const auto& e : entries) {
            if (!(e.minx <= e.maxx && e.miny <= e.maxy)) {
                continue; // an empty envelope: GDAL indexes no empty geometry
            }
            sqlite3_bind_int64(ins.get(), 1, e.id);
            sqlite3_bind_double(ins.get(), 2, e.minx);
            sqlite3_bind_double(ins.get(), 3, e.maxx);
            sqlite3_bind_double(ins.get(), 4, e.miny);
            sqlite3_bind_double(ins.get(), 5, e.maxy);
            EXPECT_EQ(sqlite3_step(ins.get()), SQLITE_DONE);
            sqlite3_reset(ins.get());
        }
    }
    exec(db.get(), "COMMIT");
    // Every box bit for bit as SQLite rounds it (float32, outward).
    const auto packed = stored_boxes(db.get(), "rtree_t_geom");
    const auto ordinary = stored_boxes(db.get(), "ordinary");
    EXPECT_EQ(packed.size(), ordinary.size());
    if (like_sqlite) {
        EXPECT_TRUE(
            std::equal(packed.begin(), packed.end(), ordinary.begin(), ordinary.end(), same_box));
    }

    std::size_t hits = 0;
    for (const Window& w : windows_for(entries, 7)) {
        const auto got = rtree_ids(db.get(), "rtree_t_geom", w);
        if (like_sqlite) {
            EXPECT_EQ(got, rtree_ids(db.get(), "ordinary", w));
        }
        std::set<std::int64_t> exact;   // brute force over the exact doubles
        std::set<std::int64_t> rounded; // brute force over the float boxes stored
        for (const auto& e : entries) {
            if (e.minx <= e.maxx && e.miny <= e.maxy && meets(e, w)) {
                exact.insert(e.id);
            }
        }
        for (const auto& e : like_sqlite ? ordinary : packed) {
            if (meets(e, w)) {
                rounded.insert(e.id);
            }
        }
        EXPECT_EQ(got, rounded);
        // No feature missed; the float boxes may add a candidate within a float ulp.
        EXPECT_TRUE(std::includes(got.begin(), got.end(), exact.begin(), exact.end()));
        hits += got.size();
    }
    if (expect_indexed > 0) {
        EXPECT_GT(hits, 0U); // the windows did find something
    }
    const std::string depth = one(db.get(), "SELECT hex(substr(data, 1, 2)) FROM "
                                            "rtree_t_geom_node WHERE nodeno = 1");
    return static_cast<int>(std::stoi(depth, nullptr, 16));
}

} // namespace

// SQLite's own rounding is the oracle: store values in an ordinary rtree, read them back.
TEST(RtreePack, RoundingIsSqlites) {
    Db db = open_db(":memory:");
    exec(db.get(), "CREATE VIRTUAL TABLE r USING rtree(id, minx, maxx, miny, maxy)");
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> mant(1.0, 2.0);
    std::uniform_int_distribution<int> expo(-155, 135); // float subnormals to beyond FLT_MAX
    std::vector<double> values = {0.0,
                                  -0.0,
                                  1.0,
                                  -1.0,
                                  0.1,
                                  -0.1,
                                  56.8,
                                  60.6,
                                  -179.99999999,
                                  1e-45,
                                  -1e-45,
                                  3.4028234e38,
                                  3.4028235e38,
                                  -3.4028235e38,
                                  1e39,
                                  -1e39,
                                  static_cast<double>(std::numeric_limits<float>::max()),
                                  static_cast<double>(std::numeric_limits<float>::denorm_min())};
    for (int i = 0; i < 20000; ++i) {
        const double v = std::ldexp(mant(rng), expo(rng));
        values.push_back(i % 2 == 0 ? v : -v);
    }
    Stmt ins = prepare(db.get(), "INSERT INTO r VALUES (?1, ?2, ?2, 0, 0)");
    for (std::size_t i = 0; i < values.size(); ++i) {
        sqlite3_bind_int64(ins.get(), 1, static_cast<std::int64_t>(i));
        sqlite3_bind_double(ins.get(), 2, values[i]);
        ASSERT_EQ(sqlite3_step(ins.get()), SQLITE_DONE) << values[i];
        sqlite3_reset(ins.get());
    }
    Stmt sel = prepare(db.get(), "SELECT minx, maxx FROM r WHERE id = ?1");
    int inward = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        sqlite3_bind_int64(sel.get(), 1, static_cast<std::int64_t>(i));
        ASSERT_EQ(sqlite3_step(sel.get()), SQLITE_ROW);
        const auto lo = static_cast<float>(sqlite3_column_double(sel.get(), 0));
        const auto hi = static_cast<float>(sqlite3_column_double(sel.get(), 1));
        sqlite3_reset(sel.get());
        const double v = values[i];
        const float down = rtree_round_down(v);
        const float up = rtree_round_up(v);
        // Outward, always: a spatial filter can never miss the value.
        EXPECT_LE(static_cast<double>(down), v);
        EXPECT_GE(static_cast<double>(up), v);
        // SQLite's float wherever SQLite rounds outward too; one float further out
        // where it does not, which happens only below the smallest normal float and
        // beyond FLT_MAX.
        const bool tiny_or_huge = std::fabs(v) < std::numeric_limits<float>::min() ||
                                  std::fabs(v) > std::numeric_limits<float>::max();
        const float inf = std::numeric_limits<float>::infinity();
        if (static_cast<double>(lo) <= v) {
            EXPECT_EQ(std::bit_cast<std::uint32_t>(down), std::bit_cast<std::uint32_t>(lo)) << v;
        } else {
            ++inward;
            EXPECT_TRUE(tiny_or_huge) << v;
            EXPECT_EQ(down, std::nextafter(lo, -inf)) << v;
        }
        if (static_cast<double>(hi) >= v) {
            EXPECT_EQ(std::bit_cast<std::uint32_t>(up), std::bit_cast<std::uint32_t>(hi)) << v;
        } else {
            ++inward;
            EXPECT_TRUE(tiny_or_huge) << v;
            EXPECT_EQ(up, std::nextafter(hi, inf)) << v;
        }
    }
    // SQLite does round inward there (which is why the fix-up is needed at all).
    EXPECT_GT(inward, 100);
}

TEST(RtreePack, NodeSizeAsSqliteChoosesIt) {
    // SQLite: page size − 64, at most 51 cells of 24 bytes plus the 4-byte header.
    EXPECT_EQ(rtree_node_size(4096), 1228);
    EXPECT_EQ(rtree_node_size(65536), 1228);
    EXPECT_EQ(rtree_node_size(1024), 960);
    EXPECT_EQ(rtree_node_size(512), 448);
    // And what SQLite actually wrote for GDAL's 4,096-byte pages.
    TempDir dir;
    make_gpkg(dir.file("g.gpkg"), true);
    Db db = open_db(dir.file("g.gpkg"));
    EXPECT_EQ(one(db.get(), "SELECT length(data) FROM rtree_t_geom_node WHERE nodeno = 1"), "1228");
    EXPECT_EQ(rtree_node_size(db.get()), 1228);
}

TEST(RtreePack, EmptyLayer) {
    EXPECT_EQ(check_packed({}, 0), 0);
    const PackedRtree tree = pack_rtree({}, 1228);
    EXPECT_EQ(tree.node_count(), 1U);
    EXPECT_EQ(tree.depth, 0);
    EXPECT_EQ(tree.nodes, std::vector<std::uint8_t>(1228, 0)); // what SQLite creates
}

TEST(RtreePack, SingleFeature) {
    EXPECT_EQ(check_packed({{42, 60.6, 60.7, 56.8, 56.85}}, 1), 0);
    const PackedRtree tree = pack_rtree({{42, 1.0, 2.0, -3.0, 4.0}}, 1228);
    // Node 1: depth 0, one cell: rowid 42 and the floats 1, 2, −3, 4 (IEEE 754, big-endian).
    const std::vector<std::uint8_t> head = {
        0x00, 0x00, 0x00, 0x01, 0,    0,    0,    0,    0,    0,    0,    42,   0x3f, 0x80,
        0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0xc0, 0x40, 0x00, 0x00, 0x40, 0x80, 0x00, 0x00};
    EXPECT_TRUE(std::equal(head.begin(), head.end(), tree.nodes.begin()));
    EXPECT_EQ(tree.rowid_leaf, (std::vector<std::pair<std::int64_t, std::int64_t>>{{42, 1}}));
}

TEST(RtreePack, EmptyAndNullGeometriesGetNoEntry) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    // OGREnvelope of an empty geometry: min = +inf, max = −inf; NaN from a broken one.
    std::vector<RtreeEntry> entries = {{1, 0.0, 1.0, 0.0, 1.0},
                                       {2, inf, -inf, inf, -inf},
                                       {3, nan, nan, nan, nan},
                                       {4, 2.0, 3.0, 2.0, 3.0}};
    EXPECT_EQ(check_packed(entries, 2), 0);
}

TEST(RtreePack, Points) {
    // 5,000 points around Yekaterinburg: minx = maxx, miny = maxy; ids with gaps.
    EXPECT_EQ(check_packed(random_entries(5000, 60.3, 56.5, 0.6, 0.0, 11, 3), 5000), 2);
}

TEST(RtreePack, Polygons) {
    // 20,000 envelopes of all sizes up to a tenth of the extent, overlapping.
    EXPECT_EQ(check_packed(random_entries(20000, 20.0, 41.0, 160.0, 0.1, 12), 20000), 2);
}

TEST(RtreePack, ThreeLevels) {
    // 100,000 entries, 51 per node: ⌈100000/51⌉ = 1,961 leaves, ⌈1961/51⌉ = 39 nodes
    // above them, one root: depth 2 (three levels), 2,001 nodes.
    const auto entries = random_entries(100000, 30.0, 50.0, 40.0, 0.001, 13);
    EXPECT_EQ(check_packed(entries, 100000), 2);
    const PackedRtree tree = pack_rtree(entries, 1228);
    EXPECT_EQ(tree.depth, 2);
    EXPECT_EQ(tree.node_count(), 2001U);
    EXPECT_EQ(tree.parent_of.size(), 2000U);
    // Every node holds 50 or 51 cells but the root (39): the cells are spread evenly.
    for (std::size_t k = 1; k < tree.node_count(); ++k) {
        const std::uint8_t* node = tree.nodes.data() + k * 1228;
        const int cells = node[2] * 256 + node[3];
        EXPECT_TRUE(cells == 50 || cells == 51) << "node " << k + 1 << ": " << cells;
    }
    EXPECT_EQ(tree.nodes[3], 39);
}

TEST(RtreePack, SmallPages) {
    // 1,024-byte pages: 960-byte nodes of 39 cells; 3,000 entries → 77 leaves, 2 levels up.
    EXPECT_EQ(check_packed(random_entries(3000, -10.0, -10.0, 20.0, 0.01, 14), 3000, 1024), 2);
}

TEST(RtreePack, LargeSmallAndNegativeCoordinates) {
    std::vector<RtreeEntry> entries;
    const auto add = [&entries](const std::vector<RtreeEntry>& more) {
        for (auto e : more) {
            e.id = static_cast<std::int64_t>(entries.size()) + 1;
            entries.push_back(e);
        }
    };
    add(random_entries(1500, 2.0e7, 6.0e6, 3.0e5, 0.01, 21));    // projected metres
    add(random_entries(1500, -2.0e7, -9.0e6, 1.0e3, 0.01, 22));  // large and negative
    add(random_entries(1500, 1.0e-9, -3.0e-9, 2.0e-9, 0.1, 23)); // tiny, around zero
    add(random_entries(1500, -180.0, -90.0, 360.0, 1e-7, 24));   // sub-ulp boxes in degrees
    add(random_entries(1500, 1.0e30, -1.0e30, 1.0e29, 0.5, 25)); // near the float range
    EXPECT_EQ(check_packed(entries, entries.size()), 2);
}

TEST(RtreePack, NoFeatureMissedWhereSqliteRoundsInward) {
    // Float subnormals (|d| < 2⁻¹²⁶) and beyond FLT_MAX: SQLite's own rounding can land
    // inside the box there, so an ordinary index misses features that the packed one,
    // rounding one float further out, still finds.
    const auto tiny = random_entries(3000, -1.0e-40, -1.0e-40, 2.0e-40, 0.5, 26);
    EXPECT_EQ(check_packed(tiny, tiny.size(), 0, false), 2);
    // Beyond the float range, mixed with ordinary boxes and boxes over the whole plane
    // (−inf to +inf once rounded: no centre to sort by), over more than one node.
    std::vector<RtreeEntry> huge = random_entries(100, 0.0, 0.0, 1.0, 0.1, 27);
    for (std::int64_t id = 101; id <= 150; ++id) {
        huge.push_back({id, 1.0e39, 2.0e39, 0.0, 1.0});
        huge.push_back({id + 50, -2.0e39, -1.0e39, 0.0, 1.0});
        huge.push_back({id + 100, -1.0e39, 1.0e39, -1.0e39, 1.0e39});
    }
    EXPECT_EQ(check_packed(huge, huge.size(), 0, false), 1);

    Db db = open_db(":memory:");
    exec(db.get(), "CREATE VIRTUAL TABLE ordinary USING rtree(id, minx, maxx, miny, maxy)");
    Stmt ins = prepare(db.get(), "INSERT INTO ordinary VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const auto& e : tiny) {
        sqlite3_bind_int64(ins.get(), 1, e.id);
        sqlite3_bind_double(ins.get(), 2, e.minx);
        sqlite3_bind_double(ins.get(), 3, e.maxx);
        sqlite3_bind_double(ins.get(), 4, e.miny);
        sqlite3_bind_double(ins.get(), 5, e.maxy);
        ASSERT_EQ(sqlite3_step(ins.get()), SQLITE_DONE);
        sqlite3_reset(ins.get());
    }
    std::size_t missed = 0;
    for (const Window& w : windows_for(tiny, 7)) {
        const auto got = rtree_ids(db.get(), "ordinary", w);
        for (const auto& e : tiny) {
            missed += meets(e, w) && !got.contains(e.id) ? 1 : 0;
        }
    }
    EXPECT_GT(missed, 0U); // the reason for the deviation from SQLite's rule
    // SQLite stores [inf, inf] for the box from 1e39 to 2e39, which no finite window meets.
    exec(db.get(), "INSERT INTO ordinary VALUES (1000000, 1.0e39, 2.0e39, 0, 1)");
    EXPECT_TRUE(rtree_ids(db.get(), "ordinary", {1.5e39, 1.6e39, 0.5, 0.6}).empty());
}

TEST(RtreePack, RefusesDuplicateIdsAndAnExistingIndex) {
    EXPECT_THROW(pack_rtree({{1, 0, 1, 0, 1}, {1, 2, 3, 2, 3}}, 1228), Error);
    EXPECT_THROW(pack_rtree({}, 400), Error);
    TempDir dir;
    make_gpkg(dir.file("g.gpkg"), true);
    Db db = open_db(dir.file("g.gpkg"));
    try {
        write_packed_rtree(db.get(), "t", "geom", std::vector<RtreeEntry>{});
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Internal);
        EXPECT_NE(std::string(e.what()).find("'rtree_t_geom' exists already"), std::string::npos);
    }
    // Nothing was left behind by the failed call: still GDAL's one index.
    EXPECT_EQ(index_schema(db.get(), "t"), gdal_schema());
    // A node size from another page size would be misread by SQLite.
    make_gpkg(dir.file("h.gpkg"), false);
    Db other = open_db(dir.file("h.gpkg"));
    EXPECT_THROW(write_packed_rtree(other.get(), "t", "geom", pack_rtree({}, 960)), Error);
    EXPECT_EQ(one(other.get(), "SELECT count(*) FROM sqlite_master WHERE name LIKE 'rtree%'"), "0");
}

TEST(RtreePack, QuotesInNamesAsGdalWritesThem) {
    // GDAL doubles the double quotes of table, column and FID names in its SQL.
    TempDir dir;
    const std::string name = "we\"ird't";
    auto make = [&](const std::string& path, bool index) {
        gdal_once();
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
        GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRSpatialReference srs;
        srs.importFromEPSG(4326);
        const char* options[] = {"GEOMETRY_NAME=g\"c", "FID=f\"id",
                                 index ? "SPATIAL_INDEX=YES" : "SPATIAL_INDEX=NO", nullptr};
        ASSERT_NE(ds->CreateLayer(name.c_str(), &srs, wkbPoint, const_cast<char**>(options)),
                  nullptr);
    };
    make(dir.file("gdal.gpkg"), true);
    make(dir.file("packed.gpkg"), false);
    Db gdal = open_db(dir.file("gdal.gpkg"));
    Db packed = open_db(dir.file("packed.gpkg"));
    write_packed_rtree(packed.get(), name, "g\"c", {{1, 0, 1, 0, 1}});
    const auto schema = [](sqlite3* db) {
        return rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name LIKE "
                        "'rtree%' ORDER BY name");
    };
    EXPECT_EQ(schema(packed.get()), schema(gdal.get()));
    EXPECT_EQ(rows(packed.get(), "SELECT * FROM gpkg_extensions"),
              rows(gdal.get(), "SELECT * FROM gpkg_extensions"));
    EXPECT_EQ(one(packed.get(), "SELECT rtreecheck('rtree_we\"ird''t_g\"c')"), "ok");
}

// --- through GDAL ------------------------------------------------------------------------

namespace {

/// Write the same features to a layer `sites` of `path` through GDAL: points and
/// polygons mixed (a Geometry layer), plus one null and one empty geometry.
/// Returns their envelopes as the write stage would collect them (OGR's, after the
/// feature is written and has its FID), empty and null geometries left out.
std::vector<RtreeEntry> write_features(const std::string& path, bool spatial_index,
                                       bool with_empty = true) {
    gdal_once();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const char* options[] = {"GEOMETRY_NAME=geom", "FID=fid",
                             spatial_index ? "SPATIAL_INDEX=YES" : "SPATIAL_INDEX=NO", nullptr};
    OGRLayer* layer = ds->CreateLayer("sites", &srs, wkbUnknown, const_cast<char**>(options));
    OGRFieldDefn name("name", OFTString);
    layer->CreateField(&name);
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    std::vector<RtreeEntry> entries;
    ds->StartTransaction();
    for (int i = 0; i < 30000; ++i) {
        OGRFeature f(layer->GetLayerDefn());
        f.SetField(0, ("site " + std::to_string(i)).c_str());
        const double x = 60.3 + 0.6 * u(rng);
        const double y = 56.5 + 0.6 * u(rng);
        std::ostringstream wkt;
        wkt.precision(17);
        if (i == 100 && with_empty) {
            wkt << "POLYGON EMPTY";
        } else if (i % 3 == 0) {
            const double w = 0.002 * u(rng);
            const double h = 0.002 * u(rng);
            wkt << "POLYGON((" << x << ' ' << y << ',' << x + w << ' ' << y << ',' << x + w << ' '
                << y + h << ',' << x << ' ' << y << "))";
        } else {
            wkt << "POINT(" << x << ' ' << y << ')';
        }
        if (i != 200) { // feature 200 has no geometry at all
            OGRGeometry* g = nullptr;
            const std::string text = wkt.str();
            OGRGeometryFactory::createFromWkt(text.c_str(), &srs, &g);
            f.SetGeometryDirectly(g);
        }
        EXPECT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
        const OGRGeometry* g = f.GetGeometryRef();
        if (g != nullptr && g->IsEmpty() == FALSE) {
            OGREnvelope env;
            g->getEnvelope(&env);
            entries.push_back({f.GetFID(), env.MinX, env.MaxX, env.MinY, env.MaxY});
        }
    }
    ds->CommitTransaction();
    return entries;
}

std::set<GIntBig> gdal_filter(OGRLayer* layer, const Window& w) {
    layer->SetSpatialFilterRect(w.minx, w.miny, w.maxx, w.maxy);
    layer->ResetReading();
    std::set<GIntBig> fids;
    for (auto& f : *layer) {
        fids.insert(f->GetFID());
    }
    return fids;
}

GDALDatasetUniquePtr gdal_open(const std::string& path, bool update = false) {
    return GDALDatasetUniquePtr(GDALDataset::Open(
        path.c_str(), GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY), nullptr,
        nullptr, nullptr));
}

} // namespace

TEST(RtreePack, GdalUsesThePackedIndexAndFindsWhatItsOwnFinds) {
    TempDir dir;
    const std::string packed_path = dir.file("packed.gpkg");
    const std::string gdal_path = dir.file("gdal.gpkg");
    const auto entries = write_features(packed_path, false);
    write_features(gdal_path, true);
    ASSERT_EQ(entries.size(), 29998U);
    {
        Db db = open_db(packed_path);
        write_packed_rtree(db.get(), "sites", "geom", entries);
        Db gdal_db = open_db(gdal_path);
        EXPECT_EQ(one(db.get(), "SELECT rtreecheck('rtree_sites_geom')"), "ok");
        EXPECT_EQ(index_schema(db.get(), "sites"), index_schema(gdal_db.get(), "sites"));
        // GDAL filled its index from ST_MinX… over the stored geometries; the packed
        // one from OGR's envelopes at write time. The boxes are the same.
        const auto a = stored_boxes(db.get(), "rtree_sites_geom");
        const auto b = stored_boxes(gdal_db.get(), "rtree_sites_geom");
        EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end(), same_box));
    }

    auto packed = gdal_open(packed_path);
    auto gdal = gdal_open(gdal_path);
    ASSERT_TRUE(packed && gdal);
    OGRLayer* pl = packed->GetLayerByName("sites");
    OGRLayer* gl = gdal->GetLayerByName("sites");
    EXPECT_TRUE(pl->TestCapability(OLCFastSpatialFilter)); // GDAL sees the index
    std::size_t found = 0;
    for (const Window& w : windows_for(entries, 9)) {
        const auto got = gdal_filter(pl, w);
        EXPECT_EQ(got, gdal_filter(gl, w));
        found += got.size();
    }
    EXPECT_GT(found, 1000U);
    packed.reset();

    // GDAL answers from the index: take feature 7's entry out of the packed rtree
    // behind GDAL's back, and its spatial filter no longer sees the feature.
    {
        const std::string probe = dir.file("probe.gpkg");
        std::filesystem::copy_file(packed_path, probe);
        Db db = open_db(probe);
        exec(db.get(), "DELETE FROM rtree_sites_geom WHERE id = 7");
        db.reset();
        auto ds = gdal_open(probe);
        OGRLayer* l = ds->GetLayerByName("sites");
        const auto& e7 = *std::find_if(entries.begin(), entries.end(),
                                       [](const RtreeEntry& e) { return e.id == 7; });
        const Window around{e7.minx - 1e-4, e7.maxx + 1e-4, e7.miny - 1e-4, e7.maxy + 1e-4};
        EXPECT_EQ(gdal_filter(l, around).count(7), 0U);
        EXPECT_EQ(gdal_filter(gl, around).count(7), 1U);
    }

    // The packed tree is an ordinary R*Tree afterwards: GDAL's triggers insert and
    // delete through SQLite's own algorithm, and the tree stays consistent.
    {
        auto ds = gdal_open(packed_path, true);
        OGRLayer* l = ds->GetLayerByName("sites");
        OGRFeature f(l->GetLayerDefn());
        OGRGeometry* g = nullptr;
        OGRGeometryFactory::createFromWkt("POINT(10 10)", nullptr, &g);
        f.SetGeometryDirectly(g);
        ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
        const GIntBig added = f.GetFID();
        ASSERT_EQ(ds->StartTransaction(), OGRERR_NONE);
        for (GIntBig fid = 1; fid <= 3000; ++fid) {
            ASSERT_EQ(l->DeleteFeature(fid), OGRERR_NONE);
        }
        ASSERT_EQ(ds->CommitTransaction(), OGRERR_NONE);
        ds.reset();
        Db db = open_db(packed_path);
        EXPECT_EQ(one(db.get(), "SELECT rtreecheck('rtree_sites_geom')"), "ok");
        EXPECT_EQ(one(db.get(), "SELECT count(*) FROM rtree_sites_geom"),
                  std::to_string(29998 + 1 - 2998)); // fids 101 and 201 had no entry
        db.reset();
        ds = gdal_open(packed_path);
        EXPECT_EQ(gdal_filter(ds->GetLayerByName("sites"), {9.9, 10.1, 9.9, 10.1}),
                  std::set<GIntBig>{added});
    }
}

TEST(RtreePack, ValidateGpkgIsClean) {
    TempDir dir;
    const std::string path = dir.file("packed.gpkg");
    // No POLYGON EMPTY here: validate_gpkg 3.6 rejects how GDAL 3.6 itself encodes
    // one (Req 152), with or without an index.
    const auto entries = write_features(path, false, false);
    {
        Db db = open_db(path);
        write_packed_rtree(db.get(), "sites", "geom", entries);
    }
    const std::string log = dir.file("validate.log");
    const int rc = creatlas::test::sh("/usr/bin/python3 -m osgeo_utils.samples.validate_gpkg '" +
                                      path + "' > '" + log + "' 2>&1");
    std::ifstream in(log);
    const std::string output((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
    EXPECT_EQ(rc, 0) << output;
    EXPECT_EQ(output, "");
}
