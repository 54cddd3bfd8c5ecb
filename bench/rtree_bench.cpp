// The spatial index of one GeoPackage layer of 150,000 heritage objects (points, a
// fifth of them building footprints), built two ways on the same table:
//  - BM_RtreeGdal: GDAL's own, `SELECT CreateSpatialIndex('sites', 'geom')` through
//    GDAL's SQL: one rtree INSERT per row (what SPATIAL_INDEX=YES costs in GDAL 3.6);
//  - BM_RtreePacked: the packed writer (geo/src/write/rtree_pack.*) on its own SQLite
//    connection: sort, encode the nodes, write the shadow tables and the triggers;
//  - BM_RtreePackOnly: pack_rtree alone, the part that needs no file and can run on
//    another thread while GDAL writes the next layer.
// Each iteration of the first two starts from a fresh copy (not timed) of one file
// written with SPATIAL_INDEX=NO, and ends with the file closed (committed).
#include "bench_data.hpp"
#include "write/rtree_pack.hpp"

#include <benchmark/benchmark.h>
#include <filesystem>
#include <gdal_priv.h>
#include <memory>
#include <ogrsf_frmts.h>
#include <sqlite3.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace creatlas;
namespace fs = std::filesystem;

constexpr std::size_t kFeatures = 150'000;

/// The layer without an index, written once, and the envelopes the write stage
/// would hand to the packed writer.
struct Template {
    fs::path dir;
    std::string path;
    std::vector<detail::RtreeEntry> entries;

    Template() {
        GDALAllRegister();
        dir = fs::temp_directory_path() / "creatlas_rtree_bench";
        fs::create_directories(dir);
        path = (dir / "template.gpkg").string();
        fs::remove(path);
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
        GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRSpatialReference srs;
        srs.importFromEPSG(4326);
        srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        const char* options[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=NO", nullptr};
        OGRLayer* layer = ds->CreateLayer("sites", &srs, wkbUnknown, const_cast<char**>(options));
        const auto pts = bench::random_points(kFeatures, 17);
        ds->StartTransaction();
        for (std::size_t i = 0; i < pts.size(); ++i) {
            OGRFeature f(layer->GetLayerDefn());
            std::ostringstream wkt;
            wkt.precision(12);
            const double x = pts[i].lon;
            const double y = pts[i].lat;
            if (i % 5 == 0) { // a footprint of about 30 × 40 m
                wkt << "POLYGON((" << x << ' ' << y << ',' << x + 5e-4 << ' ' << y << ','
                    << x + 5e-4 << ' ' << y + 3.6e-4 << ',' << x << ' ' << y + 3.6e-4 << ',' << x
                    << ' ' << y << "))";
            } else {
                wkt << "POINT(" << x << ' ' << y << ')';
            }
            OGRGeometry* g = nullptr;
            const std::string text = wkt.str();
            OGRGeometryFactory::createFromWkt(text.c_str(), &srs, &g);
            f.SetGeometryDirectly(g);
            if (layer->CreateFeature(&f) != OGRERR_NONE) {
                throw std::runtime_error("cannot write the benchmark layer");
            }
            OGREnvelope env;
            f.GetGeometryRef()->getEnvelope(&env);
            entries.push_back({f.GetFID(), env.MinX, env.MaxX, env.MinY, env.MaxY});
        }
        ds->CommitTransaction();
    }
    ~Template() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    Template(const Template&) = delete;
    Template& operator=(const Template&) = delete;
    Template(Template&&) = delete;
    Template& operator=(Template&&) = delete;

    /// A fresh copy of the template to build an index in.
    std::string fresh_copy() const {
        std::string copy = (dir / "work.gpkg").string();
        fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
        return copy;
    }
};

const Template& the_template() {
    static const Template t;
    return t;
}

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};

void BM_RtreeGdal(benchmark::State& state) {
    const Template& t = the_template();
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = t.fresh_copy();
        state.ResumeTiming();
        GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE,
                                                  nullptr, nullptr, nullptr));
        OGRLayer* result =
            ds->ExecuteSQL("SELECT CreateSpatialIndex('sites', 'geom')", nullptr, nullptr);
        ds->ReleaseResultSet(result);
        ds.reset();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kFeatures));
}
BENCHMARK(BM_RtreeGdal)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RtreePacked(benchmark::State& state) {
    const Template& t = the_template();
    detail::PackedRtree shape;
    for (auto _ : state) {
        state.PauseTiming();
        const std::string path = t.fresh_copy();
        auto entries = t.entries; // the write stage hands over its own vector
        state.ResumeTiming();
        sqlite3* raw = nullptr;
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
        const std::unique_ptr<sqlite3, DbCloser> db(raw);
        shape = detail::pack_rtree(std::move(entries), detail::rtree_node_size(db.get()));
        detail::write_packed_rtree(db.get(), "sites", "geom", shape);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kFeatures));
    state.counters["node_size"] = shape.node_size;
    state.counters["depth"] = shape.depth;
    state.counters["nodes"] = static_cast<double>(shape.node_count());
}
BENCHMARK(BM_RtreePacked)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RtreePackOnly(benchmark::State& state) {
    const Template& t = the_template();
    for (auto _ : state) {
        state.PauseTiming();
        auto entries = t.entries;
        state.ResumeTiming();
        benchmark::DoNotOptimize(detail::pack_rtree(std::move(entries), 1228));
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kFeatures));
}
BENCHMARK(BM_RtreePackOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace
