// STRtree build and query: the spatial index behind every spatial link
// (cluster → city, site → programme zone, point → hexagon).
#include "bench_data.hpp"

#include <benchmark/benchmark.h>
#include <cstdint>

namespace {

using namespace creatlas;

// Build: insert n point envelopes and force the build with one query (GEOS 3.11
// builds the tree lazily on the first query).
void BM_StrtreeBuild(benchmark::State& state) {
    const GeosContext geos;
    const auto pts = bench::random_points(static_cast<std::size_t>(state.range(0)), 1);
    std::vector<GeomPtr> geoms;
    geoms.reserve(pts.size());
    for (const auto& p : pts) {
        geoms.push_back(geos.point(p.lon, p.lat));
    }
    const GeomPtr probe = geos.point(bench::kCentreLon, bench::kCentreLat);
    for (auto _ : state) {
        TreePtr tree = geos.make_tree();
        for (std::size_t i = 0; i < geoms.size(); ++i) {
            GEOSSTRtree_insert_r(geos.handle(), tree.get(), geoms[i].get(),
                                 reinterpret_cast<void*>(i));
        }
        std::size_t hits = 0;
        GEOSSTRtree_query_r(
            geos.handle(), tree.get(), probe.get(),
            [](void*, void* count) { ++*static_cast<std::size_t*>(count); }, &hits);
        benchmark::DoNotOptimize(hits);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_StrtreeBuild)->Arg(1'000)->Arg(10'000)->Arg(150'000)->Unit(benchmark::kMillisecond);

// Query: n points in the tree, one query per programme-zone-sized polygon
// envelope (radius about 0.01°, roughly 1 km); counts candidates.
void BM_StrtreeQuery(benchmark::State& state) {
    const GeosContext geos;
    const auto pts = bench::random_points(static_cast<std::size_t>(state.range(0)), 2);
    std::vector<GeomPtr> geoms;
    geoms.reserve(pts.size());
    TreePtr tree = geos.make_tree();
    for (std::size_t i = 0; i < pts.size(); ++i) {
        geoms.push_back(geos.point(pts[i].lon, pts[i].lat));
        GEOSSTRtree_insert_r(geos.handle(), tree.get(), geoms.back().get(),
                             reinterpret_cast<void*>(i));
    }
    std::mt19937_64 rng(3);
    const auto centres = bench::random_points(1000, 4);
    std::vector<GeomPtr> zones;
    for (const auto& c : centres) {
        zones.push_back(bench::star_polygon(geos, c.lon, c.lat, 0.01, 10, rng));
    }
    std::size_t hits = 0;
    for (auto _ : state) {
        hits = 0;
        for (const auto& z : zones) {
            GEOSSTRtree_query_r(
                geos.handle(), tree.get(), z.get(),
                [](void*, void* count) { ++*static_cast<std::size_t*>(count); }, &hits);
        }
        benchmark::DoNotOptimize(hits);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(zones.size()));
    state.counters["candidates_per_query"] =
        static_cast<double>(hits) / static_cast<double>(zones.size());
}
BENCHMARK(BM_StrtreeQuery)->Arg(10'000)->Arg(150'000)->Unit(benchmark::kMillisecond);

} // namespace
