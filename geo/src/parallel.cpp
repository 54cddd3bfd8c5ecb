#include "parallel.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>

#ifdef __linux__
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace creatlas::detail {

unsigned max_workers() {
    return std::max(1U, std::min(std::thread::hardware_concurrency(), 8U));
}

unsigned worker_count(std::size_t n, std::size_t min_rows) {
    // Below a few thousand rows (by default), starting threads and copying indexes
    // costs more than it saves.
    if (n < min_rows) {
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

void parallel_workers(unsigned workers, const std::function<void(unsigned)>& fn) {
    workers = std::max(workers, 1U);
    std::vector<std::exception_ptr> failures(workers);
    auto run = [&fn, &failures](unsigned w) {
        try {
            fn(w);
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

void yield_to_other_threads() {
#ifdef __linux__
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
#endif
}

void parallel_rows(std::size_t n, const std::function<void(unsigned, RowRange)>& fn,
                   std::size_t min_rows) {
    const unsigned workers = worker_count(n, min_rows);
    parallel_workers(workers, [&fn, n, workers](unsigned w) {
        fn(w, RowRange{n * w / workers, n * (w + 1) / workers});
    });
}

namespace {

// About 16 chunks per worker: small enough that the workers finish together, large
// enough that taking one costs nothing beside its rows.
std::size_t chunk_size(std::size_t n, unsigned workers) {
    const std::size_t wanted = static_cast<std::size_t>(std::max(workers, 1U)) * 16;
    return std::max<std::size_t>(1, (n + wanted - 1) / wanted);
}

} // namespace

ChunkQueue::ChunkQueue(std::size_t n, unsigned workers)
    : n_(n), size_(chunk_size(n, workers)), chunks_((n + size_ - 1) / size_) {}

bool ChunkQueue::take(std::size_t& chunk, RowRange& range) {
    const std::size_t c = next_.fetch_add(1, std::memory_order_relaxed);
    if (c >= chunks_) {
        return false;
    }
    chunk = c;
    range = RowRange{c * size_, std::min(n_, (c + 1) * size_)};
    return true;
}

Table clone_geometries(const GeosContext& geos, const Table& t, const std::function<bool()>& stop) {
    Table out;
    out.name = t.name;
    out.source = t.source;
    out.layer = t.layer;
    out.rows.resize(t.rows.size());
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        if (stop && i % 4096 == 0 && stop()) {
            return out;
        }
        out.rows[i].fid = t.rows[i].fid;
        if (t.rows[i].geom) {
            out.rows[i].geom = geos.clone(*t.rows[i].geom);
        } else {
            out.rows[i].geom = GeomPtr(nullptr, GeomDeleter{geos.handle()});
        }
    }
    return out;
}

std::unique_ptr<const IndexCopy> IndexCopy::make(const SpatialIndex& shared,
                                                 const std::function<bool()>& stop) {
    auto copy = std::make_unique<IndexCopy>();
    copy->table = clone_geometries(copy->geos, shared.table(), stop);
    if (stop && stop()) {
        return nullptr;
    }
    copy->index = std::make_unique<SpatialIndex>(copy->geos, copy->table);
    return copy;
}

} // namespace creatlas::detail
