// The hexagonal grid against independent constructions: its corners against
// PROJ's own EPSG:4326 → LAEA operation (proj_create_crs_to_crs), its neighbours
// against GEOS (cells that share an edge), its coverage of a city polygon, and
// the atlas layer against itself on 1, 2 and 3 threads.
#include "creatlas/error.hpp"
#include "creatlas/stats.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <memory>
#include <proj.h>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace creatlas::stats {
namespace {

// PROJ's transformation from lon/lat to the LAEA frame centred on `centre`, as
// an application would build it from the two CRS definitions.
class ProjFrame {
public:
    explicit ProjFrame(LonLat centre) : ctx_(proj_context_create()) {
        std::ostringstream laea;
        laea.precision(17);
        laea << "+proj=laea +lat_0=" << centre.lat << " +lon_0=" << centre.lon
             << " +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs";
        PJ* raw = proj_create_crs_to_crs(ctx_, "EPSG:4326", laea.str().c_str(), nullptr);
        pj_ = proj_normalize_for_visualization(ctx_, raw);
        proj_destroy(raw);
    }
    ~ProjFrame() {
        proj_destroy(pj_);
        proj_context_destroy(ctx_);
    }
    ProjFrame(const ProjFrame&) = delete;
    ProjFrame& operator=(const ProjFrame&) = delete;
    bool ok() const { return pj_ != nullptr; }
    std::pair<double, double> inverse(double x, double y) const {
        const PJ_COORD c = proj_trans(pj_, PJ_INV, proj_coord(x, y, 0, 0));
        return {c.xy.x, c.xy.y};
    }

private:
    PJ_CONTEXT* ctx_;
    PJ* pj_ = nullptr;
};

std::vector<std::pair<double, double>> ring_of(const GeosContext& geos, const GEOSGeometry& g) {
    GEOSContextHandle_t h = geos.handle();
    const GEOSGeometry* shell = GEOSGetExteriorRing_r(h, &g);
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, shell);
    unsigned size = 0;
    GEOSCoordSeq_getSize_r(h, seq, &size);
    std::vector<std::pair<double, double>> out(size);
    for (unsigned v = 0; v < size; ++v) {
        GEOSCoordSeq_getXY_r(h, seq, v, &out[v].first, &out[v].second);
    }
    return out;
}

std::vector<LonLat> scatter(LonLat centre, int n, double dlon, double dlat) {
    std::vector<LonLat> pts;
    for (int i = 0; i < n; ++i) {
        pts.push_back(
            {centre.lon + dlon * std::sin(i * 1.3), centre.lat + dlat * std::cos(i * 0.7)});
    }
    return pts;
}

TEST(StatsHexGrid, CornersAreThoseOfPROJsOwnFrame) {
    // Corner v of cell (q, r): the centre (d (q + r/2), d √3/2 r) plus the
    // circumradius d/√3 at 30° + 60° v, rounded to the micrometre, mapped back to
    // lon/lat by PROJ. The centres include two whose lat_0/lon_0 PROJ writes
    // differently from printf's %.15g, which an imitation of PROJ would miss.
    GeosContext geos;
    const double d = 1000.0;
    for (const LonLat centre :
         {LonLat{60.6057, 56.8389}, LonLat{54.704019098203744, 67.51648764649525},
          LonLat{77.890413877989346, 42.200858702902551}}) {
        const ProjFrame proj(centre);
        ASSERT_TRUE(proj.ok());
        const HexGrid g = hex_grid(geos, centre, scatter(centre, 25, 0.03, 0.02), nullptr, d);
        ASSERT_GT(g.cells.size(), 10U);
        for (const HexCell& c : g.cells) {
            const double cx = d * (static_cast<double>(c.col) + 0.5 * static_cast<double>(c.row));
            const double cy = d * std::sqrt(3.0) / 2.0 * static_cast<double>(c.row);
            const auto ring = ring_of(geos, *c.polygon);
            ASSERT_EQ(ring.size(), 7U);
            EXPECT_EQ(ring.front(), ring.back());
            for (unsigned v = 0; v < 6; ++v) {
                const double angle = (30.0 + 60.0 * v) * M_PI / 180.0;
                const double x =
                    std::round((cx + d / std::sqrt(3.0) * std::cos(angle)) * 1e6) / 1e6;
                const double y =
                    std::round((cy + d / std::sqrt(3.0) * std::sin(angle)) * 1e6) / 1e6;
                const auto expected = proj.inverse(x, y);
                // Bit for bit: the grid must not move when its code is rearranged.
                EXPECT_EQ(ring[v].first, expected.first) << centre.lon << " " << c.col << " " << v;
                EXPECT_EQ(ring[v].second, expected.second)
                    << centre.lat << " " << c.row << " " << v;
            }
        }
    }
}

TEST(StatsHexGrid, NeighboursAreTheCellsSharingAnEdge) {
    GeosContext geos;
    GEOSContextHandle_t h = geos.handle();
    const LonLat centre{56.2294, 58.0105};
    const HexGrid g = hex_grid(geos, centre, scatter(centre, 30, 0.04, 0.02), nullptr, 800.0);
    const std::size_t n = g.cells.size();
    ASSERT_GT(n, 30U);
    ASSERT_EQ(g.neighbours.size(), n);
    std::size_t pairs = 0;
    for (std::size_t i = 0; i < n; ++i) {
        std::set<std::int32_t> expected;
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i) {
                continue;
            }
            GeomPtr shared =
                geos.own(GEOSIntersection_r(h, g.cells[i].polygon.get(), g.cells[j].polygon.get()));
            double len = 0;
            GEOSLength_r(h, shared.get(), &len);
            if (len > 1e-4) { // a shared edge (about 0.005° long), not a shared corner
                expected.insert(static_cast<std::int32_t>(j));
            }
        }
        const std::vector<std::int32_t> got(
            g.neighbours.neighbours.begin() + static_cast<std::ptrdiff_t>(g.neighbours.offsets[i]),
            g.neighbours.neighbours.begin() +
                static_cast<std::ptrdiff_t>(g.neighbours.offsets[i + 1]));
        // Rows of the weights are ascending, as weights_from_neighbours makes them.
        EXPECT_EQ(got, std::vector<std::int32_t>(expected.begin(), expected.end())) << i;
        pairs += got.size();
        for (std::size_t e = g.neighbours.offsets[i]; e < g.neighbours.offsets[i + 1]; ++e) {
            EXPECT_EQ(g.neighbours.values[e], 1.0);
        }
    }
    EXPECT_GT(pairs, 4 * n); // most cells are inside the grid, with six neighbours
}

TEST(StatsHexGrid, CoversTheCityPolygonAndItsHoles) {
    // A 0.2° × 0.1° city with a hole, and points only in one corner: the grid
    // must still reach every vertex of the polygon (the spare ring included).
    GeosContext geos;
    GEOSContextHandle_t h = geos.handle();
    const GeomPtr city =
        geos.from_wkt("MULTIPOLYGON (((60.5 56.8, 60.7 56.8, 60.7 56.9, 60.5 56.9, "
                      "60.5 56.8), (60.55 56.82, 60.6 56.82, 60.6 56.85, "
                      "60.55 56.82)), ((60.75 56.95, 60.8 56.95, 60.8 57.0, "
                      "60.75 56.95)))");
    const std::vector<LonLat> pts{{60.51, 56.81}, {60.52, 56.81}};
    const HexGrid g = hex_grid(geos, {60.6, 56.85}, pts, city.get(), 1000.0);
    std::vector<const GEOSGeometry*> cells;
    std::int64_t total = 0;
    for (const HexCell& c : g.cells) {
        cells.push_back(c.polygon.get());
        total += c.count;
    }
    EXPECT_EQ(total, 2);
    GeomPtr cover;
    {
        std::vector<GEOSGeometry*> clones;
        for (const GEOSGeometry* c : cells) {
            clones.push_back(GEOSGeom_clone_r(h, c));
        }
        GeomPtr coll = geos.own(GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, clones.data(),
                                                            static_cast<unsigned>(clones.size())));
        cover = geos.own(GEOSUnaryUnion_r(h, coll.get()));
    }
    EXPECT_EQ(GEOSCovers_r(h, cover.get(), city.get()), 1);
}

// The atlas layer of three cities: a polygon city, a point city and one whose
// row has no geometry (its centre is the mean of its points).
Table three_cities(const GeosContext& geos) {
    Table cities;
    cities.name = "cities";
    cities.fields = {{"city_id", FieldType::String}};
    auto add = [&](const char* id, GeomPtr g) {
        Row r;
        r.fid = static_cast<std::int64_t>(cities.rows.size() + 1);
        r.values = {std::string(id)};
        r.geom = std::move(g);
        cities.rows.push_back(std::move(r));
    };
    add("ekb", geos.from_wkt("POLYGON ((60.45 56.75, 60.75 56.75, 60.75 56.95, 60.45 56.95, "
                             "60.45 56.75))"));
    add("perm", geos.point(56.2294, 58.0105));
    add("none", GeomPtr(nullptr, GeomDeleter{geos.handle()}));
    return cities;
}

TEST(StatsHexGrid, AtlasLayerIsTheSameOnAnyThreadCount) {
    GeosContext geos;
    GEOSContextHandle_t h = geos.handle();
    const Table cities = three_cities(geos);
    std::vector<LonLat> pts;
    std::vector<int> city;
    for (const LonLat& p : scatter({60.6, 56.85}, 400, 0.12, 0.08)) {
        pts.push_back(p);
        city.push_back(0);
    }
    for (const LonLat& p : scatter({56.2294, 58.0105}, 120, 0.05, 0.03)) {
        pts.push_back(p);
        city.push_back(1);
    }
    for (const LonLat& p : scatter({61.4, 55.16}, 60, 0.03, 0.02)) {
        pts.push_back(p);
        city.push_back(2);
    }
    HexGridOptions o;
    o.cell_m = 700;
    o.perm.permutations = 199;
    o.perm.threads = 1;
    const Table one = make_hex_grid(geos, cities, pts, city, o);
    ASSERT_GT(one.rows.size(), 200U);
    for (unsigned threads : {2U, 3U}) {
        o.perm.threads = threads;
        const Table t = make_hex_grid(geos, cities, pts, city, o);
        ASSERT_EQ(t.rows.size(), one.rows.size());
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            EXPECT_EQ(t.rows[i].fid, static_cast<std::int64_t>(i + 1));
            EXPECT_EQ(t.rows[i].values, one.rows[i].values) << threads << " threads, row " << i;
            EXPECT_EQ(GEOSEqualsExact_r(h, t.rows[i].geom.get(), one.rows[i].geom.get(), 0.0), 1);
        }
    }
    // Rows come city by city in the order of the cities table.
    std::vector<std::string> order;
    for (const Row& r : one.rows) {
        const std::string& id = std::get<std::string>(r.values[0]);
        if (order.empty() || order.back() != id) {
            order.push_back(id);
        }
    }
    EXPECT_EQ(order, (std::vector<std::string>{"ekb", "perm", "none"}));
}

TEST(StatsHexGrid, AJobJoinedLateByTheCallerGivesTheWholeCallsTable) {
    // The atlas starts the grid on a thread of its own and the caller joins in later
    // (HexGridJob); the cities table may meanwhile change, since the job holds copies.
    GeosContext geos;
    GEOSContextHandle_t h = geos.handle();
    std::vector<LonLat> pts;
    std::vector<int> city;
    for (const LonLat& p : scatter({60.6, 56.85}, 300, 0.12, 0.08)) {
        pts.push_back(p);
        city.push_back(0);
    }
    for (const LonLat& p : scatter({56.2294, 58.0105}, 90, 0.05, 0.03)) {
        pts.push_back(p);
        city.push_back(1);
    }
    HexGridOptions o;
    o.cell_m = 700;
    o.perm.permutations = 99;
    o.perm.threads = 1;
    const Table whole = make_hex_grid(geos, three_cities(geos), pts, city, o);
    ASSERT_GT(whole.rows.size(), 100U);
    o.perm.threads = 2;
    for (const bool caller_first : {false, true}) {
        Table cities = three_cities(geos);
        std::vector<Value> ids;
        for (const Row& r : cities.rows) {
            ids.push_back(r.values[static_cast<std::size_t>(cities.field_index("city_id"))]);
        }
        HexGridJob job(cities, ids, FieldType::String, pts, city, o);
        ASSERT_EQ(job.workers(), 2U);
        cities.rows.clear(); // the job no longer needs them
        std::thread helper;
        if (caller_first) {
            job.work(0);
            helper = std::thread([&job] { job.work(1); });
        } else {
            helper = std::thread([&job] { job.work(1); });
            job.work(0);
        }
        helper.join();
        const Table t = job.finish(geos);
        ASSERT_EQ(t.rows.size(), whole.rows.size());
        EXPECT_EQ(t.fields.size(), whole.fields.size());
        for (std::size_t i = 0; i < t.rows.size(); ++i) {
            EXPECT_EQ(t.rows[i].fid, whole.rows[i].fid);
            EXPECT_EQ(t.rows[i].values, whole.rows[i].values) << "row " << i;
            EXPECT_EQ(GEOSEqualsExact_r(h, t.rows[i].geom.get(), whole.rows[i].geom.get(), 0.0), 1);
        }
    }
    // Stopped before any work: no city is laid out.
    const Table cities = three_cities(geos);
    HexGridJob stopped(cities,
                       {Value{std::string("a")}, Value{std::string("b")}, Value{std::string("c")}},
                       FieldType::String, pts, city, o);
    stopped.stop();
    stopped.work(0);
    EXPECT_TRUE(stopped.finish(geos).rows.empty());
}

TEST(StatsHexGrid, AnErrorOnOneCityIsReportedWhateverTheThreads) {
    // Cells of 10 m over the 0.3° × 0.2° polygon city would be far too many.
    GeosContext geos;
    const Table cities = three_cities(geos);
    HexGridOptions o;
    o.cell_m = 10;
    for (unsigned threads : {1U, 2U}) {
        o.perm.threads = threads;
        try {
            make_hex_grid(geos, cities, {{60.6, 56.85}, {56.23, 58.01}}, {0, 1}, o);
            ADD_FAILURE() << "no error on " << threads << " threads";
        } catch (const Error& e) {
            EXPECT_EQ(e.kind(), ErrorKind::BadInput);
            EXPECT_NE(std::string(e.what()).find("choose larger cells"), std::string::npos);
        }
    }
}

} // namespace
} // namespace creatlas::stats
