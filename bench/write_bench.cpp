// The writer: n point rows with a few typed fields written to a GeoPackage with
// its spatial index, temporary file and rename included — the cost every output
// layer pays. The second argument: 0 writes the rows straight into SQLite (the
// write stage's way since issue 14), 1 through GDAL's CreateFeature
// (WriteOptions::ogr_rows, the way before). Writes into the system temporary folder.
#include "bench_data.hpp"
#include "creatlas/write.hpp"

#include <benchmark/benchmark.h>
#include <filesystem>
#include <string>

namespace {

using namespace creatlas;

void BM_WriteGeoPackage(benchmark::State& state) {
    const GeosContext geos;
    Table table;
    table.name = "points";
    table.fields = {
        {"site_id", FieldType::Integer}, {"score", FieldType::Real}, {"name", FieldType::String}};
    const auto pts = bench::random_points(static_cast<std::size_t>(state.range(0)), 13);
    table.rows.reserve(pts.size());
    for (std::size_t i = 0; i < pts.size(); ++i) {
        Row row;
        row.fid = static_cast<std::int64_t>(i) + 1;
        row.values = {Value{static_cast<std::int64_t>(i) + 1}, Value{0.5 * static_cast<double>(i)},
                      Value{std::string("Объект культурного наследия №") + std::to_string(i)}};
        row.geom = geos.point(pts[i].lon, pts[i].lat);
        table.rows.push_back(std::move(row));
    }
    const auto dir = std::filesystem::temp_directory_path() / "creatlas_write_bench";
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "points.gpkg").string();
    WriteOptions options;
    options.overwrite = true;
    options.ogr_rows = state.range(1) != 0;
    for (auto _ : state) {
        write_geopackage(path, {&table}, options);
    }
    std::filesystem::remove_all(dir);
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_WriteGeoPackage)
    ->ArgNames({"rows", "ogr"})
    ->Args({10'000, 0})
    ->Args({10'000, 1})
    ->Args({150'000, 0})
    ->Args({150'000, 1})
    ->Unit(benchmark::kMillisecond);

} // namespace
