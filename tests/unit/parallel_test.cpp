#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "parallel.hpp"
#include "test_util.hpp"

#include <atomic>
#include <chrono>
#include <cmath>
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
