// Prepared predicates: point-in-polygon against one city or zone polygon, the
// inner loop of every polygon link. The unprepared call is measured beside it to
// show what preparation buys for polygons of a given vertex count.
#include "bench_data.hpp"

#include <benchmark/benchmark.h>

namespace {

using namespace creatlas;

struct Fixture {
    GeosContext geos;
    GeomPtr polygon;
    std::vector<GeomPtr> points;

    explicit Fixture(int vertices) {
        std::mt19937_64 rng(5);
        polygon = bench::star_polygon(geos, bench::kCentreLon, bench::kCentreLat,
                                      bench::kSpreadDeg / 2.0, vertices, rng);
        for (const auto& p : bench::random_points(10'000, 6)) {
            points.push_back(geos.point(p.lon, p.lat));
        }
    }
};

void BM_PreparedContains(benchmark::State& state) {
    Fixture f(static_cast<int>(state.range(0)));
    const PreparedPtr prepared = f.geos.prepare(*f.polygon);
    for (auto _ : state) {
        int inside = 0;
        for (const auto& p : f.points) {
            inside += GEOSPreparedContains_r(f.geos.handle(), prepared.get(), p.get()) == 1;
        }
        benchmark::DoNotOptimize(inside);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.points.size()));
}
BENCHMARK(BM_PreparedContains)->Arg(64)->Arg(1024)->Arg(8192);

void BM_PreparedIntersects(benchmark::State& state) {
    Fixture f(static_cast<int>(state.range(0)));
    const PreparedPtr prepared = f.geos.prepare(*f.polygon);
    for (auto _ : state) {
        int hit = 0;
        for (const auto& p : f.points) {
            hit += GEOSPreparedIntersects_r(f.geos.handle(), prepared.get(), p.get()) == 1;
        }
        benchmark::DoNotOptimize(hit);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.points.size()));
}
BENCHMARK(BM_PreparedIntersects)->Arg(64)->Arg(1024)->Arg(8192);

void BM_UnpreparedContains(benchmark::State& state) {
    Fixture f(static_cast<int>(state.range(0)));
    for (auto _ : state) {
        int inside = 0;
        for (const auto& p : f.points) {
            inside += GEOSContains_r(f.geos.handle(), f.polygon.get(), p.get()) == 1;
        }
        benchmark::DoNotOptimize(inside);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(f.points.size()));
}
// An unprepared test builds a full topology graph of the polygon per call (about
// 0.06 ms per point at 1,024 vertices), so the series stops there.
BENCHMARK(BM_UnpreparedContains)->Arg(64)->Arg(1024);

// Preparation itself is paid once per polygon; with thousands of zones it counts.
void BM_Prepare(benchmark::State& state) {
    Fixture f(static_cast<int>(state.range(0)));
    const GeomPtr probe = f.geos.point(bench::kCentreLon, bench::kCentreLat);
    for (auto _ : state) {
        const PreparedPtr prepared = f.geos.prepare(*f.polygon);
        // The index is built on first use; include it.
        benchmark::DoNotOptimize(
            GEOSPreparedContains_r(f.geos.handle(), prepared.get(), probe.get()));
    }
}
BENCHMARK(BM_Prepare)->Arg(64)->Arg(1024)->Arg(8192);

} // namespace
