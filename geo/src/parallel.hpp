// Private: splitting per-feature work across the machine's cores.
//
// GEOS objects are not safe to share between threads where they build caches
// lazily (prepared geometries, some envelopes). So each worker gets its own
// GeosContext and its own copy of whatever geometries it indexes; the features a
// worker reads are its own rows, read by no other thread. Worker 0 is the calling
// thread and uses the caller's index itself while the others copy its geometries:
// a SpatialIndex computes every envelope of its geometries when it is built, so the
// owner's reads write nothing to them that a copy reads.
#pragma once

#include "creatlas/geos.hpp"
#include "creatlas/link.hpp"
#include "creatlas/table.hpp"

#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <vector>

namespace creatlas::detail {

/// The most workers worker_count gives for any `n`.
unsigned max_workers();

/// Rows below which the per-feature links stay on one thread: starting a thread and
/// copying an index cost more than the rows.
constexpr std::size_t kParallelLinkRows = 4096;
/// The same for links that cost much more per row (a nearest feature, a polygon's
/// zones): worth a second worker from a few rows on, since that worker gives up its
/// copy as soon as worker 0 has taken every chunk (IndexCopy::make).
constexpr std::size_t kParallelCostlyRows = 64;

/// Number of workers for `n` items: the hardware threads, 1 below `min_rows` items.
unsigned worker_count(std::size_t n, std::size_t min_rows = kParallelLinkRows);

/// Run fn(worker_geos, range) on consecutive slices of [0, n), one per worker, and
/// wait. The first exception thrown by a worker is rethrown here.
void parallel_ranges(std::size_t n, const std::function<void(const GeosContext&, RowRange)>& fn);

/// Run fn(worker, range) on consecutive slices of [0, n), one per worker, and wait.
/// Worker 0 runs on the calling thread, so it can go on using the caller's GEOS
/// context and anything else bound to this thread; the others run on threads of
/// their own and must make their own. Every slice runs even when another throws;
/// the exception of the lowest-numbered failing worker is rethrown here, so which
/// error a caller sees does not depend on the timing of the threads. One worker
/// (everything on the calling thread) below `min_rows` rows (worker_count; fewer for
/// rows that each cost much more than a link's: a city's frame and area, say).
void parallel_rows(std::size_t n, const std::function<void(unsigned, RowRange)>& fn,
                   std::size_t min_rows = kParallelLinkRows);

/// Run fn(worker) for workers 0 … workers - 1 and wait: worker 0 on the calling thread
/// (with the caller's GEOS context), the others on threads of their own. Every worker
/// runs even when another throws; the exception of the lowest-numbered failing worker
/// is rethrown here.
void parallel_workers(unsigned workers, const std::function<void(unsigned)>& fn);

/// Lower the calling thread's priority (nice 10, where the system lets a thread set
/// its own; else it runs as it is): for work no stage waits for yet, which should
/// take a core only when the stages under way leave it idle.
void yield_to_other_threads();

/// [0, n) cut into chunks of consecutive rows that workers take one at a time, in
/// ascending order, each as soon as it is free: a worker whose rows go quicker (or
/// that starts earlier) takes more of them, so no core waits for another's slice.
/// Several chunks per worker; which worker takes which chunk depends on timing, so
/// each chunk's results must go to the chunk's own place.
class ChunkQueue {
public:
    ChunkQueue(std::size_t n, unsigned workers);
    std::size_t chunks() const { return chunks_; }
    /// The next chunk not yet taken: false when none is left.
    bool take(std::size_t& chunk, RowRange& range);
    /// True once every chunk has been taken.
    bool taken() const { return next_.load(std::memory_order_relaxed) >= chunks_; }

private:
    std::size_t n_;
    std::size_t size_;
    std::size_t chunks_;
    std::atomic<std::size_t> next_{0};
};

/// A copy of `t`'s geometries (and fids) made in `geos`, without attributes:
/// what a worker indexes. With `stop`, asked every few thousand rows: the copy stops
/// there when it says true (the rows not copied are left empty).
Table clone_geometries(const GeosContext& geos, const Table& t,
                       const std::function<bool()>& stop = {});

/// One worker's own copy of an index's table and the index over it, in its own GEOS
/// context (parallel.hpp's first comment): what a worker other than worker 0 queries.
struct IndexCopy {
    /// Null when `stop` said true before the copy was complete.
    static std::unique_ptr<const IndexCopy> make(const SpatialIndex& shared,
                                                 const std::function<bool()>& stop = {});
    GeosContext geos;
    Table table;
    std::unique_ptr<SpatialIndex> index;
};

/// Results of a per-row function, computed in parallel and concatenated in row order.
/// fn(geos, index, range) returns one result per row of `range`. Worker 0 works here
/// on `shared` (built over the table `shared.table()` in `geos`); each other worker
/// first makes its own copy of that table's geometries and its index (IndexCopy) and
/// then takes chunks (ChunkQueue) like worker 0. The rows of a chunk are read by the
/// one worker that took it. One worker when `features` has fewer than `min_rows` rows.
/// An error is that of the first failing chunk, as one worker would have met it.
template <class Result, class Fn>
std::vector<Result> parallel_link(const GeosContext& geos, const Table& features,
                                  const SpatialIndex& shared, Fn fn,
                                  std::size_t min_rows = kParallelLinkRows) {
    const std::size_t n = features.rows.size();
    const unsigned workers = worker_count(n, min_rows);
    if (workers <= 1) {
        return fn(geos, shared, RowRange{0, n});
    }
    ChunkQueue queue(n, workers);
    std::vector<std::vector<Result>> parts(queue.chunks());
    std::vector<std::exception_ptr> failures(queue.chunks());
    parallel_workers(workers, [&](unsigned worker) {
        auto run = [&](const GeosContext& g, const SpatialIndex& index) {
            std::size_t chunk = 0;
            RowRange range;
            while (queue.take(chunk, range)) {
                try {
                    parts[chunk] = fn(g, index, range);
                } catch (...) {
                    // Stop: every chunk before this one was taken before it, and is
                    // finished by the worker that took it.
                    failures[chunk] = std::current_exception();
                    return;
                }
            }
        };
        if (worker == 0) {
            run(geos, shared);
            return;
        }
        // A worker that would finish its copy after worker 0 has taken every chunk
        // would only make the others wait for it.
        const auto copy = IndexCopy::make(shared, [&queue] { return queue.taken(); });
        if (copy) {
            run(copy->geos, *copy->index);
        }
    });
    for (const std::exception_ptr& e : failures) {
        if (e) {
            std::rethrow_exception(e);
        }
    }
    std::vector<Result> out;
    out.reserve(n);
    for (auto& part : parts) {
        std::move(part.begin(), part.end(), std::back_inserter(out));
    }
    return out;
}

} // namespace creatlas::detail
