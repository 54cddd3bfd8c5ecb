// creatlas — private helpers of the spatial statistics: the seeded random
// streams and the thread split. Not installed; used only by geo/src/stats/.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace creatlas::stats::detail {

/// SplitMix64's finaliser (Steele, Lea and Flood 2014): turns (seed, stream) into
/// well-mixed starting states, so stream i of seed s never depends on how the work
/// was split among threads.
inline std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// xoshiro256** (Blackman and Vigna 2018): fast, 256-bit state, passes BigCrush.
/// One generator per permutation stream.
class Rng {
public:
    Rng(std::uint64_t seed, std::uint64_t stream) {
        std::uint64_t x = mix64(seed) ^ mix64(stream + 0x632be59bd9b4e019ULL);
        for (auto& s : s_) {
            x = mix64(x);
            s = x;
        }
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// Uniform integer in [0, bound) without bias (Lemire 2019, multiply and reject).
    std::uint32_t below(std::uint32_t bound) {
        std::uint64_t m =
            static_cast<std::uint64_t>(static_cast<std::uint32_t>(next() >> 32)) * bound;
        auto low = static_cast<std::uint32_t>(m);
        if (low < bound) {
            const std::uint32_t threshold = static_cast<std::uint32_t>(-bound) % bound;
            while (low < threshold) {
                m = static_cast<std::uint64_t>(static_cast<std::uint32_t>(next() >> 32)) * bound;
                low = static_cast<std::uint32_t>(m);
            }
        }
        return static_cast<std::uint32_t>(m >> 32);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4]{};
};

inline unsigned thread_count(unsigned requested, std::size_t work) {
    unsigned t = requested != 0 ? requested : std::max(1U, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(t, work)));
}

/// Run fn(thread, begin, end) over [0, n) in contiguous blocks, one per thread.
/// The first exception thrown by any block is rethrown here.
template <typename Fn> void parallel_blocks(std::size_t n, unsigned threads, Fn&& fn) {
    threads = thread_count(threads, n);
    if (threads <= 1) {
        fn(0U, std::size_t{0}, n);
        return;
    }
    std::vector<std::thread> pool;
    std::exception_ptr error;
    std::mutex error_mutex;
    const std::size_t chunk = (n + threads - 1) / threads;
    for (unsigned t = 0; t < threads; ++t) {
        const std::size_t begin = std::min(n, t * chunk);
        const std::size_t end = std::min(n, begin + chunk);
        pool.emplace_back([&, t, begin, end] {
            try {
                fn(t, begin, end);
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) {
                    error = std::current_exception();
                }
            }
        });
    }
    for (auto& th : pool) {
        th.join();
    }
    if (error) {
        std::rethrow_exception(error);
    }
}

/// Run fn(thread, item) for every item of [0, n), handing items out one at a time
/// to whichever thread is free: for work whose items differ widely in cost (one
/// city's grid against another's). Items are taken in ascending order, so give
/// the costly ones low numbers. Every item runs even when another throws; the
/// exception of the lowest-numbered failing item is rethrown here, so which
/// error a caller sees does not depend on the timing of the threads.
template <typename Fn> void parallel_items(std::size_t n, unsigned threads, Fn&& fn) {
    threads = thread_count(threads, n);
    std::vector<std::exception_ptr> errors(n);
    std::atomic<std::size_t> next{0};
    auto drain = [&](unsigned t) {
        for (std::size_t item = next++; item < n; item = next++) {
            try {
                fn(t, item);
            } catch (...) {
                errors[item] = std::current_exception();
            }
        }
    };
    if (threads <= 1) {
        drain(0U);
    } else {
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back(drain, t);
        }
        for (auto& th : pool) {
            th.join();
        }
    }
    for (const std::exception_ptr& e : errors) {
        if (e) {
            std::rethrow_exception(e);
        }
    }
}

} // namespace creatlas::stats::detail
