// Spatial statistics at national scale: LISA with 999 conditional permutations
// on 100,000 features (the target: seconds on 2 cores), global Moran's I
// permutations, and the geodesic k-nearest-neighbour weights they run on.
#include "bench_data.hpp"
#include "creatlas/stats.hpp"

#include <benchmark/benchmark.h>
#include <cmath>
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

} // namespace
