// Spatial weights on tiny hand-drawn layouts: every expected neighbour list below
// is read off the drawing in the comment, and every distance is worked by hand.
#include "creatlas/error.hpp"
#include "creatlas/stats.hpp"

#include <cmath>
#include <gtest/gtest.h>
#include <vector>

namespace creatlas::stats {
namespace {

std::vector<std::int32_t> row(const Weights& w, std::size_t i) {
    return {w.neighbours.begin() + static_cast<std::ptrdiff_t>(w.offsets[i]),
            w.neighbours.begin() + static_cast<std::ptrdiff_t>(w.offsets[i + 1])};
}

// Five squares in degrees near the equator:
//   A = [0,1] x [0,1] and B = [1,2] x [0,1] share the edge x = 1;
//   C = [2,3] x [1,2] touches B only at the corner (2, 1);
//   D = [5,6] x [5,6] is an island;
//   E = [0,1] x [1 + 1e-9, 2] sits on A across a sliver gap of 1e-9 degrees
//       (0.1 mm, inside the default 1 cm tolerance) and meets B's corner (1, 1).
class Squares : public ::testing::Test {
protected:
    GeosContext geos;
    std::vector<GeomPtr> owned;
    std::vector<const GEOSGeometry*> polys;
    void SetUp() override {
        for (const char* wkt : {"POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((1 0,2 0,2 1,1 1,1 0))",
                                "POLYGON((2 1,3 1,3 2,2 2,2 1))", "POLYGON((5 5,6 5,6 6,5 6,5 5))",
                                "POLYGON((0 1.000000001,1 1.000000001,1 2,0 2,0 1.000000001))"}) {
            owned.push_back(geos.from_wkt(wkt));
            polys.push_back(owned.back().get());
        }
    }
};

TEST_F(Squares, QueenJoinsCornersAndBridgesTheSliver) {
    const Weights w = contiguity_weights(geos, polys, Contiguity::Queen);
    ASSERT_EQ(w.size(), 5U);
    EXPECT_EQ(row(w, 0), (std::vector<std::int32_t>{1, 4}));    // A: B, E (across the sliver)
    EXPECT_EQ(row(w, 1), (std::vector<std::int32_t>{0, 2, 4})); // B: A, C (corner), E (corner)
    EXPECT_EQ(row(w, 2), (std::vector<std::int32_t>{1}));
    EXPECT_EQ(row(w, 3), (std::vector<std::int32_t>{}));
    EXPECT_EQ(row(w, 4), (std::vector<std::int32_t>{0, 1}));
    EXPECT_EQ(w.islands(), (std::vector<std::size_t>{3}));
    EXPECT_DOUBLE_EQ(w.s0(), 8.0); // 4 pairs, both directions
}

TEST_F(Squares, RookNeedsASharedEdge) {
    const Weights w = contiguity_weights(geos, polys, Contiguity::Rook);
    EXPECT_EQ(row(w, 0), (std::vector<std::int32_t>{1, 4}));
    EXPECT_EQ(row(w, 1), (std::vector<std::int32_t>{0}));
    EXPECT_EQ(row(w, 2), (std::vector<std::int32_t>{}));
    EXPECT_EQ(row(w, 4), (std::vector<std::int32_t>{0}));
    EXPECT_EQ(w.islands(), (std::vector<std::size_t>{2, 3}));
}

TEST_F(Squares, WithoutToleranceTheSliverSeparates) {
    const Weights w = contiguity_weights(geos, polys, Contiguity::Queen, 0.0);
    EXPECT_EQ(row(w, 0), (std::vector<std::int32_t>{1}));
    EXPECT_EQ(row(w, 4), (std::vector<std::int32_t>{}));
}

TEST_F(Squares, RowStandardisedRowsSumToOne) {
    const Weights w =
        transformed(contiguity_weights(geos, polys, Contiguity::Queen), Transform::Row);
    // B has three neighbours: each weighs 1/3.
    for (std::size_t e = w.offsets[1]; e < w.offsets[2]; ++e) {
        EXPECT_DOUBLE_EQ(w.values[e], 1.0 / 3.0);
    }
    EXPECT_DOUBLE_EQ(w.s0(), 4.0); // four non-island rows
    EXPECT_EQ(w.transform, Transform::Row);
}

// Points on the equator at longitudes 0, 0.01, 0.03 and 0.06 degrees. Along the
// equator the geodesic is the equator itself, so a gap of Δλ degrees is
// a·Δλ·π/180 metres with a = 6378137 m: 0.01° = 1113.1949079 m.
const double kStep = 6378137.0 * 0.01 * M_PI / 180.0;

std::vector<LonLat> equator_points() {
    return {{0, 0}, {0.01, 0}, {0.03, 0}, {0.06, 0}};
}

TEST(StatsKnn, NearestOnTheEquator) {
    GeosContext geos;
    const Weights w1 = knn_weights(geos, equator_points(), 1);
    EXPECT_EQ(row(w1, 0), (std::vector<std::int32_t>{1}));
    EXPECT_EQ(row(w1, 1), (std::vector<std::int32_t>{0})); // 1 step vs 2
    EXPECT_EQ(row(w1, 2), (std::vector<std::int32_t>{1})); // 2 steps vs 3
    EXPECT_EQ(row(w1, 3), (std::vector<std::int32_t>{2}));
    const Weights w2 = knn_weights(geos, equator_points(), 2);
    EXPECT_EQ(row(w2, 0), (std::vector<std::int32_t>{1, 2}));
    EXPECT_EQ(row(w2, 3), (std::vector<std::int32_t>{1, 2})); // 3 and 5 steps
}

TEST(StatsKnn, RejectsImpossibleK) {
    GeosContext geos;
    EXPECT_THROW(knn_weights(geos, equator_points(), 4), Error);
    EXPECT_THROW(knn_weights(geos, equator_points(), 0), Error);
}

TEST(StatsBand, InclusiveGeodesicBand) {
    GeosContext geos;
    // 2.5 steps: 0-1 (1 step) and 1-2 (2 steps) join; 0-2 and 2-3 (3 steps each) do not.
    const Weights w = distance_band_weights(geos, equator_points(), 2.5 * kStep);
    EXPECT_EQ(row(w, 0), (std::vector<std::int32_t>{1}));
    EXPECT_EQ(row(w, 1), (std::vector<std::int32_t>{0, 2}));
    EXPECT_EQ(row(w, 2), (std::vector<std::int32_t>{1}));
    EXPECT_EQ(w.islands(), (std::vector<std::size_t>{3}));
    // 3 steps exactly (inclusive, up to rounding of a·Δλ): 0-2 and 2-3 join too.
    const Weights w3 = distance_band_weights(geos, equator_points(), 3 * kStep + 1e-6);
    EXPECT_EQ(row(w3, 2), (std::vector<std::int32_t>{0, 1, 3}));
}

TEST(StatsNearest, DistancesAlongTheEquator) {
    GeosContext geos;
    const std::vector<double> d = nearest_neighbour_distances_m(geos, equator_points());
    EXPECT_NEAR(d[0], kStep, 1e-6);
    EXPECT_NEAR(d[1], kStep, 1e-6);
    EXPECT_NEAR(d[2], 2 * kStep, 1e-6);
    EXPECT_NEAR(d[3], 3 * kStep, 1e-6);
}

TEST(StatsNearest, AcrossTheAntimeridian) {
    GeosContext geos;
    // 179.99°E and 179.99°W are 0.02° apart across the antimeridian, much closer
    // than 179.99°E and 179.95°E (0.04°).
    const std::vector<LonLat> p{{179.99, 0}, {-179.99, 0}, {179.95, 0}};
    const Weights w = knn_weights(geos, p, 1);
    EXPECT_EQ(row(w, 0), (std::vector<std::int32_t>{1}));
    EXPECT_EQ(row(w, 1), (std::vector<std::int32_t>{0}));
}

TEST(StatsWeightsSpec, ParsesTheCommandLineForms) {
    const WeightsSpec knn = WeightsSpec::parse("knn:6", "b");
    EXPECT_EQ(knn.kind, WeightsSpec::Kind::Knn);
    EXPECT_EQ(knn.k, 6);
    EXPECT_EQ(knn.transform, Transform::Binary);
    const WeightsSpec band = WeightsSpec::parse("band:2500.5", "r");
    EXPECT_EQ(band.kind, WeightsSpec::Kind::Band);
    EXPECT_DOUBLE_EQ(band.band_m, 2500.5);
    EXPECT_EQ(WeightsSpec::parse("rook", "r").kind, WeightsSpec::Kind::Rook);
    for (const char* bad : {"knn:", "knn:2.5", "band:-3", "band:x", "delaunay", "knn:0"}) {
        EXPECT_THROW(WeightsSpec::parse(bad, "r"), Error) << bad;
    }
    EXPECT_THROW(WeightsSpec::parse("queen", "v"), Error);
}

} // namespace
} // namespace creatlas::stats
