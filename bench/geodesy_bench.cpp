// Geodesic measurement: point–point distance (Karney, via PROJ) for every
// nearest-neighbour and centre distance, point–polygon distance in the point's
// azimuthal equidistant frame, and local equal-area frames for overlap areas.
#include "bench_data.hpp"
#include "creatlas/geodesy.hpp"

#include <benchmark/benchmark.h>
#include <proj.h>
#include <sstream>
#include <string>

namespace {

using namespace creatlas;

void BM_GeodesicDistance(benchmark::State& state) {
    const auto a = bench::random_points(10'000, 7);
    const auto b = bench::random_points(10'000, 8);
    for (auto _ : state) {
        double sum = 0;
        for (std::size_t i = 0; i < a.size(); ++i) {
            sum += geodesic_distance_m(a[i].lon, a[i].lat, b[i].lon, b[i].lat);
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(a.size()));
}
BENCHMARK(BM_GeodesicDistance);

void BM_DistancePointPolygon(benchmark::State& state) {
    const GeosContext geos;
    std::mt19937_64 rng(9);
    const GeomPtr polygon = bench::star_polygon(geos, bench::kCentreLon, bench::kCentreLat, 0.01,
                                                static_cast<int>(state.range(0)), rng);
    const auto pts = bench::random_points(1'000, 10);
    for (auto _ : state) {
        double sum = 0;
        for (const auto& p : pts) {
            sum += distance_point_geometry_m(geos, p.lon, p.lat, *polygon);
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(pts.size()));
}
BENCHMARK(BM_DistancePointPolygon)->Arg(4)->Arg(64);

void BM_LocalFrameArea(benchmark::State& state) {
    const GeosContext geos;
    std::mt19937_64 rng(11);
    std::vector<GeomPtr> footprints;
    for (const auto& c : bench::random_points(1'000, 12)) {
        footprints.push_back(bench::star_polygon(geos, c.lon, c.lat, 0.0005, 8, rng));
    }
    const LocalFrame frame(bench::kCentreLon, bench::kCentreLat);
    for (auto _ : state) {
        double sum = 0;
        for (const auto& f : footprints) {
            sum += frame.area_m2(geos, *f);
        }
        benchmark::DoNotOptimize(sum);
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(footprints.size()));
}
BENCHMARK(BM_LocalFrameArea);

// A local frame is made once per city (1,117 at national scale) and once per
// feature that lies in no city; its construction is part of the per-city cost.
void BM_LocalFrameConstruct(benchmark::State& state) {
    double lon = bench::kCentreLon;
    for (auto _ : state) {
        const LocalFrame frame(lon, bench::kCentreLat);
        benchmark::DoNotOptimize(&frame);
        lon += 1e-3; // a new centre each time, as for a new city
    }
}
BENCHMARK(BM_LocalFrameConstruct)->Unit(benchmark::kMicrosecond);

// The same Lambert azimuthal equal-area frame as a PROJ pipeline in one shared
// context: no CRS database lookup and no new context per frame. This is the
// floor for BM_LocalFrameConstruct (what a frame needs to cost).
void BM_ProjPipelineConstruct(benchmark::State& state) {
    PJ_CONTEXT* ctx = proj_context_create();
    double lon = bench::kCentreLon;
    for (auto _ : state) {
        std::ostringstream def;
        def.precision(17);
        def << "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
               "+step +proj=laea +lat_0="
            << bench::kCentreLat << " +lon_0=" << lon << " +ellps=WGS84";
        PJ* pj = proj_create(ctx, def.str().c_str());
        benchmark::DoNotOptimize(pj);
        proj_destroy(pj);
        lon += 1e-3;
    }
    proj_context_destroy(ctx);
}
BENCHMARK(BM_ProjPipelineConstruct)->Unit(benchmark::kMicrosecond);

} // namespace
