// Spatial statistics at national scale: LISA with 999 conditional permutations
// on 100,000 features (the target: seconds on 2 cores), global Moran's I
// permutations, the geodesic k-nearest-neighbour weights they run on, and the
// atlas's hexagonal grid (cells, counts, Gi* and LISA per city).
#include "bench_data.hpp"
#include "creatlas/stats.hpp"

#include <benchmark/benchmark.h>
#include <cmath>
#include <random>
#include <vector>

namespace {

using namespace creatlas;

std::vector<stats::LonLat> points(std::size_t n) {
    std::vector<stats::LonLat> out;
    for (const auto& p : bench::random_points(n, 42)) {
        out.push_back({p.lon, p.lat});
    }
    return out;
}

// A smooth trend plus noise, so that both clusters and outliers occur.
std::vector<double> values(const std::vector<stats::LonLat>& pts) {
    std::vector<double> y;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        y.push_back(std::sin(pts[i].lon * 20.0) + std::cos(pts[i].lat * 15.0) +
                    0.5 * std::sin(static_cast<double>(i) * 12.9898));
    }
    return y;
}

const stats::Weights& knn6_100k() {
    static const stats::Weights w = [] {
        GeosContext geos;
        return stats::transformed(stats::knn_weights(geos, points(100'000), 6),
                                  stats::Transform::Row);
    }();
    return w;
}

void BM_KnnWeights(benchmark::State& state) {
    const GeosContext geos;
    const auto pts = points(static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        benchmark::DoNotOptimize(stats::knn_weights(geos, pts, 6));
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_KnnWeights)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

// range(0): threads. 999 permutations on 100,000 features, knn:6 row-standardised.
void BM_Lisa999(benchmark::State& state) {
    const stats::Weights& w = knn6_100k();
    const auto y = values(points(100'000));
    stats::LisaOptions o;
    o.perm.permutations = 999;
    o.perm.threads = static_cast<unsigned>(state.range(0));
    for (auto _ : state) {
        benchmark::DoNotOptimize(stats::local_moran(y, w, o));
    }
    state.SetItemsProcessed(state.iterations() * 100'000);
}
BENCHMARK(BM_Lisa999)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Moran999(benchmark::State& state) {
    const stats::Weights& w = knn6_100k();
    const auto y = values(points(100'000));
    stats::Permutations p;
    p.permutations = 999;
    p.threads = static_cast<unsigned>(state.range(0));
    for (auto _ : state) {
        benchmark::DoNotOptimize(stats::moran(y, w, p));
    }
}
BENCHMARK(BM_Moran999)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The atlas's hex_grid over 200 point cities along a parallel, 1,000 points
// each (normal around the centre, σ ≈ 4.5 km), 1 km cells: about 230,000 cells
// (each grid spans its points' extent), counted, with Gi* and LISA. range(0):
// threads; range(1): 0 for the grid and Gi* alone, 1 with LISA's 999
// permutations.
void BM_HexGridAtlas(benchmark::State& state) {
    const GeosContext geos;
    Table cities;
    cities.name = "cities";
    cities.fields = {{"city_id", FieldType::Integer}};
    std::vector<stats::LonLat> pts;
    std::vector<int> city;
    std::mt19937_64 rng(7);
    std::normal_distribution<double> d(0.0, 0.04);
    for (int c = 0; c < 200; ++c) {
        const double lon = 30.0 + 0.5 * c;
        const double lat = 55.0 + 0.1 * (c % 7);
        Row r;
        r.fid = c + 1;
        r.values = {std::int64_t{c + 1}};
        r.geom = geos.point(lon, lat);
        cities.rows.push_back(std::move(r));
        for (int i = 0; i < 1000; ++i) {
            pts.push_back({lon + d(rng) / std::cos(lat * M_PI / 180.0), lat + d(rng)});
            city.push_back(c);
        }
    }
    stats::HexGridOptions o;
    o.perm.threads = static_cast<unsigned>(state.range(0));
    o.perm.permutations = state.range(1) != 0 ? 999 : 0;
    std::size_t cells = 0;
    for (auto _ : state) {
        const Table t = stats::make_hex_grid(geos, cities, pts, city, o);
        cells = t.rows.size();
        benchmark::DoNotOptimize(t.rows.data());
    }
    state.counters["cells"] = static_cast<double>(cells);
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(cells));
}
BENCHMARK(BM_HexGridAtlas)
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({1, 1})
    ->Args({2, 1})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace
