#include "parallel.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

namespace creatlas::detail {

unsigned max_workers() {
    return std::max(1U, std::min(std::thread::hardware_concurrency(), 8U));
}

unsigned worker_count(std::size_t n) {
    // Below a few thousand rows, starting threads and copying indexes costs more
    // than it saves.
    if (n < 4096) {
        return 1;
    }
    return max_workers();
}

void parallel_ranges(std::size_t n, const std::function<void(const GeosContext&, RowRange)>& fn) {
    const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(
        std::max(1U, std::thread::hardware_concurrency()), std::max<std::size_t>(n, 1)));
    if (workers <= 1) {
        GeosContext geos;
        fn(geos, {0, n});
        return;
    }
    std::exception_ptr failure;
    std::mutex lock;
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (unsigned w = 0; w < workers; ++w) {
        const RowRange range{n * w / workers, n * (w + 1) / workers};
        threads.emplace_back([&fn, &failure, &lock, range] {
            try {
                GeosContext geos;
                fn(geos, range);
            } catch (...) {
                const std::lock_guard<std::mutex> guard(lock);
                if (!failure) {
                    failure = std::current_exception();
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
}

void parallel_rows(std::size_t n, const std::function<void(unsigned, RowRange)>& fn) {
    const unsigned workers = worker_count(n);
    std::vector<std::exception_ptr> failures(workers);
    auto run = [&fn, &failures, n, workers](unsigned w) {
        try {
            fn(w, RowRange{n * w / workers, n * (w + 1) / workers});
        } catch (...) {
            failures[w] = std::current_exception();
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(workers);
    for (unsigned w = 1; w < workers; ++w) {
        threads.emplace_back(run, w);
    }
    run(0);
    for (auto& t : threads) {
        t.join();
    }
    for (const std::exception_ptr& e : failures) {
        if (e) {
            std::rethrow_exception(e);
        }
    }
}

Table clone_geometries(const GeosContext& geos, const Table& t) {
    Table out;
    out.name = t.name;
    out.source = t.source;
    out.layer = t.layer;
    out.rows.resize(t.rows.size());
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        out.rows[i].fid = t.rows[i].fid;
        if (t.rows[i].geom) {
            out.rows[i].geom = geos.clone(*t.rows[i].geom);
        } else {
            out.rows[i].geom = GeomPtr(nullptr, GeomDeleter{geos.handle()});
        }
    }
    return out;
}

} // namespace creatlas::detail
