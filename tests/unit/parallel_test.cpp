#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "parallel.hpp"
#include "test_util.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <random>
#include <string>
#include <thread>

using namespace creatlas;

namespace {

// 20,000 points scattered over four square "cities" and the land between them.
struct Scatter {
    GeosContext geos;
    Table cities = test::table_from_wkt(
        geos, "cities", {},
        {{"POLYGON((60 56,60.2 56,60.2 56.2,60 56.2,60 56))", {}},
         {"POLYGON((60.3 56,60.5 56,60.5 56.2,60.3 56.2,60.3 56))", {}},
         {"POLYGON((60 56.3,60.2 56.3,60.2 56.5,60 56.5,60 56.3))", {}},
         {"POLYGON((60.3 56.3,60.5 56.3,60.5 56.5,60.3 56.5,60.3 56.3))", {}}});
    Table points;
    Scatter() {
        std::mt19937_64 rng(7);
        std::uniform_real_distribution<double> lon(59.95, 60.55);
        std::uniform_real_distribution<double> lat(55.95, 56.55);
        for (int i = 0; i < 20000; ++i) {
            Row r;
            r.fid = i;
            r.geom = geos.point(lon(rng), lat(rng));
            points.rows.push_back(std::move(r));
        }
    }
};

} // namespace

TEST(Parallel, LinksEqualTheSingleThreadedResultInRowOrder) {
    Scatter s;
    SpatialIndex index(s.geos, s.cities);
    const auto serial = link_to_cities(s.geos, s.points, index, 3000.0);
    const auto parallel = detail::parallel_link<CityLink>(
        s.geos, s.points, index, [&s](const GeosContext& g, const SpatialIndex& idx, RowRange r) {
            return link_to_cities(g, s.points, idx, 3000.0, r);
        });
    ASSERT_EQ(parallel.size(), serial.size());
    int nearest = 0;
    for (std::size_t i = 0; i < serial.size(); ++i) {
        EXPECT_EQ(parallel[i].city, serial[i].city) << i;
        EXPECT_EQ(parallel[i].nearest, serial[i].nearest) << i;
        EXPECT_DOUBLE_EQ(parallel[i].distance_m, serial[i].distance_m) << i;
        nearest += serial[i].nearest ? 1 : 0;
    }
    // The fixture exercises both kinds of link.
    EXPECT_GT(nearest, 100);
}

TEST(Parallel, RangesCoverEveryItemOnceAndRethrow) {
    std::vector<std::atomic<int>> seen(10007);
    detail::parallel_ranges(seen.size(), [&seen](const GeosContext&, RowRange r) {
        for (std::size_t i = r.begin; i < r.end; ++i) {
            ++seen[i];
        }
    });
    for (const auto& s : seen) {
        EXPECT_EQ(s.load(), 1);
    }
    EXPECT_THROW(detail::parallel_ranges(100,
                                         [](const GeosContext&, RowRange r) {
                                             if (r.begin == 0) {
                                                 throw_bad_input("boom");
                                             }
                                         }),
                 Error);
}

TEST(Parallel, RowsRunWorkerZeroHereAndRethrowTheLowestWorkersError) {
    // Below worker_count's threshold everything is worker 0, on this thread.
    std::vector<unsigned> workers;
    std::vector<std::thread::id> where;
    detail::parallel_rows(100, [&](unsigned w, RowRange r) {
        workers.push_back(w);
        where.push_back(std::this_thread::get_id());
        EXPECT_EQ(r.begin, 0U);
        EXPECT_EQ(r.end, 100U);
    });
    ASSERT_EQ(workers.size(), 1U);
    EXPECT_EQ(workers[0], 0U);
    EXPECT_EQ(where[0], std::this_thread::get_id());

    // Above it: consecutive slices covering every row once; worker 0's is here.
    const std::size_t n = 10007;
    const unsigned count = detail::worker_count(n);
    std::vector<std::atomic<int>> seen(n);
    std::vector<RowRange> slices(count);
    std::vector<std::thread::id> threads(count);
    detail::parallel_rows(n, [&](unsigned w, RowRange r) {
        slices[w] = r;
        threads[w] = std::this_thread::get_id();
        for (std::size_t i = r.begin; i < r.end; ++i) {
            ++seen[i];
        }
    });
    for (const auto& s : seen) {
        EXPECT_EQ(s.load(), 1);
    }
    EXPECT_EQ(slices[0].begin, 0U);
    EXPECT_EQ(slices[count - 1].end, n);
    for (unsigned w = 1; w < count; ++w) {
        EXPECT_EQ(slices[w].begin, slices[w - 1].end);
        EXPECT_NE(threads[w], std::this_thread::get_id());
    }
    EXPECT_EQ(threads[0], std::this_thread::get_id());

    // Every worker fails: the error is worker 0's whatever the timing; with one
    // worker failing, its own.
    for (int round = 0; round < 20; ++round) {
        try {
            detail::parallel_rows(n, [](unsigned w, RowRange) {
                if (w != 0) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                }
                throw_bad_input("worker " + std::to_string(w));
            });
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.message(), "worker 0");
        }
    }
    if (count > 1) {
        EXPECT_THROW(detail::parallel_rows(n,
                                           [](unsigned w, RowRange) {
                                               if (w == 1) {
                                                   throw_bad_input("worker 1");
                                               }
                                           }),
                     Error);
    }
}

TEST(Parallel, ChunksCoverEveryRowOnceInAscendingOrder) {
    // 10,007 rows for two workers: 32 chunks wanted, so ⌈10007 / 32⌉ = 313 rows a chunk
    // and ⌈10007 / 313⌉ = 32 chunks, the last one rows 9703–10006.
    detail::ChunkQueue q(10007, 2);
    EXPECT_EQ(q.chunks(), 32U);
    std::size_t chunk = 99;
    RowRange range;
    for (std::size_t c = 0; c < 32; ++c) {
        EXPECT_FALSE(q.taken());
        ASSERT_TRUE(q.take(chunk, range));
        EXPECT_EQ(chunk, c);
        EXPECT_EQ(range.begin, 313 * c);
        EXPECT_EQ(range.end, c == 31 ? 10007U : 313 * (c + 1));
    }
    EXPECT_TRUE(q.taken());
    EXPECT_FALSE(q.take(chunk, range));
    // Fewer rows than chunks wanted: one row a chunk; none: no chunk.
    EXPECT_EQ(detail::ChunkQueue(5, 2).chunks(), 5U);
    detail::ChunkQueue none(0, 2);
    EXPECT_EQ(none.chunks(), 0U);
    EXPECT_FALSE(none.take(chunk, range));
}

namespace {

// 300 heritage points 0.01° apart along 56° N, in reverse order (row j at lon
// 62.99 - 0.01 j), and 300 clusters 0.001° north of them in ascending order (cluster i
// at lon 60 + 0.01 i): cluster i's nearest site is row 299 - i, at pyproj
// Geod.inv(x, 56.001, x, 56) = 111.34183754871849 m; the next one is ~624 m away.
struct Row300 {
    GeosContext geos;
    Table heritage;
    Table clusters;
    Row300() {
        for (int k = 0; k < 300; ++k) {
            Row h;
            h.fid = k + 1;
            h.geom = geos.point(60.0 + 0.01 * (299 - k), 56.0);
            heritage.rows.push_back(std::move(h));
            Row c;
            c.fid = k + 1;
            c.geom = geos.point(60.0 + 0.01 * k, 56.001);
            clusters.rows.push_back(std::move(c));
        }
    }
};

} // namespace

TEST(Parallel, CostlyLinksOnTwoWorkersGiveEachRowItsOwnResult) {
    Row300 s;
    const SpatialIndex index(s.geos, s.heritage);
    auto heritage_of = [&s](const GeosContext& g, const SpatialIndex& idx, RowRange r) {
        return link_to_heritage(g, s.clusters, idx, 200.0, r);
    };
    // kParallelCostlyRows splits 300 rows in chunks over every worker; the default
    // threshold keeps them on this thread. Both give the same links, in row order.
    ASSERT_LT(detail::kParallelCostlyRows, 300U);
    for (const std::size_t min_rows : {detail::kParallelCostlyRows, detail::kParallelLinkRows}) {
        const auto links =
            detail::parallel_link<HeritageLink>(s.geos, s.clusters, index, heritage_of, min_rows);
        ASSERT_EQ(links.size(), 300U);
        for (int i = 0; i < 300; ++i) {
            const HeritageLink& l = links[static_cast<std::size_t>(i)];
            EXPECT_EQ(l.site, 299 - i) << i;
            EXPECT_EQ(l.nearest, 299 - i) << i;
            EXPECT_NEAR(l.distance_m, 111.34183754871849, 1e-6) << i;
            EXPECT_NEAR(l.nearest_m, 111.34183754871849, 1e-6) << i;
        }
    }
}

TEST(Parallel, LinkErrorIsTheFirstFailingRowsWhateverTheTiming) {
    Row300 s;
    const SpatialIndex index(s.geos, s.heritage);
    Table many;
    for (int i = 0; i < 10000; ++i) {
        Row r;
        r.fid = i;
        many.rows.push_back(std::move(r));
    }
    for (int round = 0; round < 20; ++round) {
        try {
            detail::parallel_link<int>(
                s.geos, many, index, [round](const GeosContext&, const SpatialIndex&, RowRange r) {
                    std::vector<int> out;
                    for (std::size_t i = r.begin; i < r.end; ++i) {
                        if (i >= 7000) {
                            throw_bad_input("row " + std::to_string(i));
                        }
                        if (i == 3000) {
                            if (round % 2 == 0) {
                                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                            }
                            throw_bad_input("row 3000");
                        }
                        out.push_back(static_cast<int>(i));
                    }
                    return out;
                });
            ADD_FAILURE() << "no error";
        } catch (const Error& e) {
            EXPECT_EQ(e.message(), "row 3000");
        }
    }
}

TEST(Parallel, IndexCopyIsGivenUpWhenAskedToStop) {
    Row300 s;
    const SpatialIndex index(s.geos, s.heritage);
    EXPECT_EQ(detail::IndexCopy::make(index, [] { return true; }), nullptr);
    const auto copy = detail::IndexCopy::make(index, [] { return false; });
    ASSERT_NE(copy, nullptr);
    ASSERT_EQ(copy->table.rows.size(), 300U);
    EXPECT_EQ(copy->table.rows[5].fid, 6);
    // Row 5 lies at lon 62.94: the copy's index finds it there.
    EXPECT_THAT(copy->index->query(62.935, 55.99, 62.945, 56.01), ::testing::ElementsAre(5));
}
