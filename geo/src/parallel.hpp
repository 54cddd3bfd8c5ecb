// Private: splitting per-feature work across the machine's cores.
//
// GEOS objects are not safe to share between threads where they build caches
// lazily (prepared geometries, some envelopes). So each worker gets its own
// GeosContext and its own copy of whatever geometries it indexes; the features a
// worker reads are its own slice of rows, read by no other thread.
#pragma once

#include "creatlas/geos.hpp"
#include "creatlas/link.hpp"
#include "creatlas/table.hpp"

#include <cstddef>
#include <functional>
#include <iterator>
#include <vector>

namespace creatlas::detail {

/// The most workers worker_count gives for any `n`.
unsigned max_workers();

/// Number of workers for `n` items: the hardware threads, 1 for small inputs.
unsigned worker_count(std::size_t n);

/// Run fn(worker_geos, range) on consecutive slices of [0, n), one per worker, and
/// wait. The first exception thrown by a worker is rethrown here.
void parallel_ranges(std::size_t n, const std::function<void(const GeosContext&, RowRange)>& fn);

/// Run fn(worker, range) on consecutive slices of [0, n), one per worker, and wait.
/// Worker 0 runs on the calling thread, so it can go on using the caller's GEOS
/// context and anything else bound to this thread; the others run on threads of
/// their own and must make their own. Every slice runs even when another throws;
/// the exception of the lowest-numbered failing worker is rethrown here, so which
/// error a caller sees does not depend on the timing of the threads. One worker
/// (everything on the calling thread) when `n` is small (worker_count).
void parallel_rows(std::size_t n, const std::function<void(unsigned, RowRange)>& fn);

/// A copy of `t`'s geometries (and fids) made in `geos`, without attributes:
/// what a worker indexes.
Table clone_geometries(const GeosContext& geos, const Table& t);

/// Results of a per-row function, computed in parallel and concatenated in row order.
/// fn(geos, index, range) returns one result per row of `range`. With one worker it
/// runs here on `shared` (built over the table `shared.table()` in `geos`); with more,
/// each worker indexes its own copy of that table's geometries.
template <class Result, class Fn>
std::vector<Result> parallel_link(const GeosContext& geos, const Table& features,
                                  const SpatialIndex& shared, Fn fn) {
    const std::size_t n = features.rows.size();
    const unsigned workers = worker_count(n);
    if (workers <= 1) {
        return fn(geos, shared, RowRange{0, n});
    }
    std::vector<std::vector<Result>> parts(workers);
    parallel_ranges(workers, [&](const GeosContext& local_geos, RowRange which) {
        for (std::size_t w = which.begin; w < which.end; ++w) {
            const Table local = clone_geometries(local_geos, shared.table());
            const SpatialIndex index(local_geos, local);
            parts[w] = fn(local_geos, index, RowRange{n * w / workers, n * (w + 1) / workers});
        }
    });
    std::vector<Result> out;
    out.reserve(n);
    for (auto& part : parts) {
        std::move(part.begin(), part.end(), std::back_inserter(out));
    }
    return out;
}

} // namespace creatlas::detail
