// creatlas benchmarks — seeded synthetic geometries shared by the *_bench.cpp files.
//
// Coordinates are WGS 84 longitude/latitude degrees around a city-like centre
// (Yekaterinburg, 60.6 E 56.8 N), spread over about ±0.3° — the extent of one
// large city — so that tree depths and candidate counts resemble the real run.
#pragma once

#include "creatlas/geos.hpp"

#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <vector>

namespace creatlas::bench {

inline constexpr double kCentreLon = 60.6;
inline constexpr double kCentreLat = 56.8;
inline constexpr double kSpreadDeg = 0.3;

struct LonLat {
    double lon;
    double lat;
};

/// `n` points, normally distributed around the centre (σ = kSpreadDeg / 2).
inline std::vector<LonLat> random_points(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> d(0.0, kSpreadDeg / 2.0);
    std::vector<LonLat> pts(n);
    for (auto& p : pts) {
        p = {kCentreLon + d(rng), kCentreLat + d(rng)};
    }
    return pts;
}

/// A star-shaped simple polygon of `vertices` vertices and about `radius_deg`
/// around (lon, lat): evenly spaced angles with jitter, so the ring never crosses
/// itself.
inline GeomPtr star_polygon(const GeosContext& geos, double lon, double lat, double radius_deg,
                            int vertices, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> jitter(-0.3, 0.3);
    std::uniform_real_distribution<double> scale(0.7, 1.0);
    const double step = 2.0 * std::acos(-1.0) / vertices;
    std::ostringstream wkt;
    wkt.precision(10);
    wkt << "POLYGON((";
    double x0 = 0, y0 = 0;
    for (int i = 0; i < vertices; ++i) {
        const double a = (i + jitter(rng)) * step;
        const double r = radius_deg * scale(rng);
        const double x = lon + r * std::cos(a);
        const double y = lat + r * std::sin(a);
        if (i == 0) {
            x0 = x;
            y0 = y;
        }
        wkt << x << ' ' << y << ", ";
    }
    wkt << x0 << ' ' << y0 << "))";
    return geos.from_wkt(wkt.str());
}

} // namespace creatlas::bench
