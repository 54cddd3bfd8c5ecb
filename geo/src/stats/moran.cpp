// Moran's I, global (Moran 1950; moments from Cliff and Ord 1981) and local
// (Anselin 1995), with esda's definitions and inference.
#include "creatlas/error.hpp"
#include "creatlas/stats.hpp"
#include "stats_internal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace creatlas::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_inputs(const std::vector<double>& y, const Weights& w, std::size_t min_n,
                  const char* what) {
    if (y.size() != w.size()) {
        throw Error(ErrorKind::Internal, std::string(what) + ": values and weights differ in size");
    }
    if (y.size() < min_n) {
        throw_bad_input(std::string(what) + " needs at least " + std::to_string(min_n) +
                        " features (got " + std::to_string(y.size()) + ")");
    }
    for (double v : y) {
        if (!std::isfinite(v)) {
            throw_bad_input(std::string(what) + ": every value must be a finite number");
        }
    }
}

// Σ_i z_i Σ_j w_ij z_j.
double cross_product(const Weights& w, const std::vector<double>& z) {
    double s = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
        double lag = 0;
        for (std::size_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) {
            lag += w.values[e] * z[static_cast<std::size_t>(w.neighbours[e])];
        }
        s += z[i] * lag;
    }
    return s;
}

// Weight w_ji, 0 when j does not list i (rows are sorted).
double weight_at(const Weights& w, std::size_t j, std::int32_t i) {
    const auto begin = w.neighbours.begin() + static_cast<std::ptrdiff_t>(w.offsets[j]);
    const auto end = w.neighbours.begin() + static_cast<std::ptrdiff_t>(w.offsets[j + 1]);
    const auto it = std::lower_bound(begin, end, i);
    if (it == end || *it != i) {
        return 0.0;
    }
    return w.values[static_cast<std::size_t>(it - w.neighbours.begin())];
}

// What the permutations of one feature add up to.
struct PermutationTally {
    std::size_t larger = 0; ///< permutations whose local I is >= the observed one
    double sum = 0;         ///< Σ of the permuted local I
    double sumsq = 0;       ///< Σ of their squares
};

// The draws of esda's conditional randomisation (esda.crand): permutation p is
// `width` distinct indices among the n - 1 "others", drawn without replacement
// from stream p of the seed, and every feature uses the same permutations: the
// first k_i indices of each, where index t stands for feature t, or t + 1 at or
// past i itself. Drawing them once instead of once per feature is what makes LISA
// cheap (999 × max k draws per call, not 999 × Σ k). Each feature's draws are
// still uniform without replacement among its others.
class SharedDraws {
public:
    SharedDraws(std::size_t n_others, std::size_t width) : n_others_(n_others), width_(width) {}

    /// Permutations [first, first + count) into out (count × width, row by row).
    void draw(std::uint64_t seed, std::size_t first, std::size_t count, std::uint32_t* out) {
        // Narrow draws reject repeats with a stamp per index; wide ones (a large share of
        // the others) take a partial Fisher–Yates shuffle of a pool, undone afterwards.
        const bool sparse = width_ <= 32 && 4 * width_ < n_others_;
        const auto bound = static_cast<std::uint32_t>(n_others_);
        for (std::size_t p = first; p < first + count; ++p) {
            detail::Rng rng(seed, p);
            std::uint32_t* row = out + (p - first) * width_;
            if (sparse) {
                if (mark_.size() != n_others_) {
                    mark_.assign(n_others_, 0);
                    stamp_ = 0;
                }
                if (++stamp_ == 0) { // wrapped: old marks could collide with new stamps
                    std::fill(mark_.begin(), mark_.end(), 0U);
                    stamp_ = 1;
                }
                for (std::size_t m = 0; m < width_; ++m) {
                    std::uint32_t t = rng.below(bound);
                    while (mark_[t] == stamp_) {
                        t = rng.below(bound);
                    }
                    mark_[t] = stamp_;
                    row[m] = t;
                }
                continue;
            }
            if (pool_.size() != n_others_) {
                pool_.resize(n_others_);
                std::iota(pool_.begin(), pool_.end(), 0U);
            }
            swaps_.resize(width_);
            for (std::size_t m = 0; m < width_; ++m) {
                const std::size_t j = m + rng.below(static_cast<std::uint32_t>(n_others_ - m));
                std::swap(pool_[m], pool_[j]);
                row[m] = pool_[m];
                swaps_[m] = j;
            }
            for (std::size_t m = width_; m-- > 0;) {
                std::swap(pool_[m], pool_[swaps_[m]]);
            }
        }
    }

private:
    std::size_t n_others_;
    std::size_t width_;
    std::vector<std::uint32_t> mark_; // per other: the stamp of the permutation that drew it
    std::uint32_t stamp_ = 0;
    std::vector<std::uint32_t> pool_;
    std::vector<std::size_t> swaps_;
};

// Feature i's local I under each of `count` shared permutations (ids: count × width),
// added to its tally: its k weights times the values its first k indices stand for.
void tally_permutations(const std::uint32_t* ids, std::size_t count, std::size_t width,
                        std::size_t i, const double* wi, std::size_t k, const double* z,
                        double zi_scaled, double observed, PermutationTally& tally) {
    const auto self = static_cast<std::uint32_t>(i);
    std::size_t larger = tally.larger;
    double sum = tally.sum;
    double sumsq = tally.sumsq;
    for (std::size_t p = 0; p < count; ++p) {
        const std::uint32_t* row = ids + p * width;
        double s = 0;
        for (std::size_t m = 0; m < k; ++m) {
            const std::uint32_t t = row[m];
            s += wi[m] * z[t + (t >= self ? 1U : 0U)];
        }
        const double rl = zi_scaled * s;
        larger += rl >= observed ? 1 : 0;
        sum += rl;
        sumsq += rl * rl;
    }
    tally = {larger, sum, sumsq};
}

} // namespace

MoranResult moran(const std::vector<double>& y, const Weights& w, const Permutations& perm) {
    check_inputs(y, w, 4, "Moran's I");
    const std::size_t n = y.size();
    const auto nd = static_cast<double>(n);
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / nd;
    std::vector<double> z(n);
    double z2ss = 0;
    double z4ss = 0;
    for (std::size_t i = 0; i < n; ++i) {
        z[i] = y[i] - mean;
        z2ss += z[i] * z[i];
        z4ss += z[i] * z[i] * z[i] * z[i];
    }
    if (!(z2ss > 0)) {
        throw_bad_input("Moran's I: all values are equal, so there is no variation to test");
    }
    const double s0 = w.s0();
    if (!(s0 > 0)) {
        throw_bad_input("Moran's I: the weights have no neighbours at all");
    }
    // S1 = ½ Σ_ij (w_ij + w_ji)², over the union of both patterns; S2 = Σ_i (w_i. + w_.i)².
    double s1 = 0;
    std::vector<double> row_sum(n, 0.0);
    std::vector<double> col_sum(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) {
            const auto j = static_cast<std::size_t>(w.neighbours[e]);
            const double wij = w.values[e];
            const double wji = weight_at(w, j, static_cast<std::int32_t>(i));
            // Pairs present in both rows are counted from each side; a pair present
            // only here stands for (i, j) and the missing (j, i), both (w_ij)².
            s1 += wji != 0.0 ? (wij + wji) * (wij + wji) : 2.0 * wij * wij;
            row_sum[i] += wij;
            col_sum[j] += wij;
        }
    }
    s1 *= 0.5;
    double s2 = 0;
    for (std::size_t i = 0; i < n; ++i) {
        s2 += (row_sum[i] + col_sum[i]) * (row_sum[i] + col_sum[i]);
    }

    MoranResult r;
    r.n = n;
    r.I = nd / s0 * cross_product(w, z) / z2ss;
    r.EI = -1.0 / (nd - 1.0);
    const double n2 = nd * nd;
    const double s02 = s0 * s0;
    r.VI_norm = (n2 * s1 - nd * s2 + 3.0 * s02) / ((nd - 1.0) * (nd + 1.0) * s02) - r.EI * r.EI;
    r.seI_norm = std::sqrt(r.VI_norm);
    r.z_norm = (r.I - r.EI) / r.seI_norm;
    r.p_norm = 2.0 * normal_sf(std::fabs(r.z_norm));
    // Randomisation: the kurtosis of the values enters the variance.
    const double k = (z4ss / nd) / ((z2ss / nd) * (z2ss / nd));
    const double a = nd * ((n2 - 3.0 * nd + 3.0) * s1 - nd * s2 + 3.0 * s02);
    const double b = k * ((n2 - nd) * s1 - 2.0 * nd * s2 + 6.0 * s02);
    r.VI_rand = (a - b) / ((nd - 1.0) * (nd - 2.0) * (nd - 3.0) * s02) - r.EI * r.EI;
    r.seI_rand = std::sqrt(r.VI_rand);
    r.z_rand = (r.I - r.EI) / r.seI_rand;
    r.p_rand = 2.0 * normal_sf(std::fabs(r.z_rand));

    r.permutations = std::max(0, perm.permutations);
    if (r.permutations == 0) {
        return r;
    }
    // Permutation p: I of the values shuffled over the features. Permutation p uses
    // stream p of the seed, whichever thread runs it.
    const auto count = static_cast<std::size_t>(r.permutations);
    std::vector<double> sim(count);
    detail::parallel_blocks(count, perm.threads, [&](unsigned, std::size_t begin, std::size_t end) {
        std::vector<double> zp(n);
        for (std::size_t p = begin; p < end; ++p) {
            detail::Rng rng(perm.seed, p);
            zp = z;
            for (std::size_t i = n - 1; i > 0; --i) {
                const std::size_t j = rng.below(static_cast<std::uint32_t>(i + 1));
                std::swap(zp[i], zp[j]);
            }
            sim[p] = nd / s0 * cross_product(w, zp) / z2ss;
        }
    });
    std::size_t larger = 0;
    double sum = 0;
    for (double s : sim) {
        larger += s >= r.I ? 1 : 0;
        sum += s;
    }
    if (count - larger < larger) {
        larger = count - larger;
    }
    const auto pd = static_cast<double>(count);
    r.p_sim = (static_cast<double>(larger) + 1.0) / (pd + 1.0);
    r.EI_sim = sum / pd;
    double ss = 0;
    for (double s : sim) {
        ss += (s - r.EI_sim) * (s - r.EI_sim);
    }
    r.VI_sim = ss / pd;
    r.seI_sim = std::sqrt(r.VI_sim);
    r.z_sim = (r.I - r.EI_sim) / r.seI_sim;
    r.p_z_sim = r.z_sim > 0 ? normal_sf(r.z_sim) : 1.0 - normal_sf(r.z_sim);
    return r;
}

double fdr_threshold(const std::vector<double>& p, double alpha) {
    std::vector<double> sorted;
    sorted.reserve(p.size());
    for (double v : p) {
        if (!std::isnan(v)) {
            sorted.push_back(v);
        }
    }
    std::sort(sorted.begin(), sorted.end());
    const auto n = static_cast<double>(sorted.size());
    for (std::size_t k = sorted.size(); k >= 1; --k) {
        const double bound = static_cast<double>(k) * alpha / n;
        if (sorted[k - 1] < bound) {
            return bound;
        }
    }
    return 0.0;
}

LisaResult local_moran(const std::vector<double>& y, const Weights& w, const LisaOptions& options) {
    check_inputs(y, w, 3, "local Moran's I");
    const std::size_t n = y.size();
    const auto nd = static_cast<double>(n);
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / nd;
    double var = 0;
    for (double v : y) {
        var += (v - mean) * (v - mean);
    }
    const double sd = std::sqrt(var / nd);
    if (!(sd > 0)) {
        throw_bad_input("local Moran's I: all values are equal, so there is no variation to test");
    }
    // esda standardises the values (population standard deviation) before the sums.
    std::vector<double> z(n);
    double den = 0;
    for (std::size_t i = 0; i < n; ++i) {
        z[i] = (y[i] - mean) / sd;
        den += z[i] * z[i];
    }
    const double scaling = (nd - 1.0) / den;
    const std::vector<double> lag = w.lag(z);

    LisaResult r;
    r.Is.resize(n);
    r.q.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        r.Is[i] = scaling * z[i] * lag[i];
        const bool zp = z[i] > 0;
        const bool lp = lag[i] > 0;
        r.q[i] = zp && lp ? 1 : (!zp && lp ? 2 : (!zp && !lp ? 3 : 4));
    }
    r.p_sim.assign(n, kNaN);
    r.EI_sim.assign(n, kNaN);
    r.seI_sim.assign(n, kNaN);
    r.z_sim.assign(n, kNaN);
    r.p_z_sim.assign(n, kNaN);
    const int perms = std::max(0, options.perm.permutations);
    std::size_t width = 0; // the most neighbours of any feature
    for (std::size_t i = 0; i < n; ++i) {
        width = std::max(width, w.cardinality(i));
    }
    if (width > n - 1) {
        throw Error(ErrorKind::Internal, "local Moran: more neighbours than features");
    }
    if (perms > 0 && width > 0) {
        // The permutations go in blocks of at most 4 Mi indices (16 MiB), drawn on all
        // threads, then every feature takes its part of the block. A feature sums its
        // permutations in order whatever the block size or thread count.
        const auto pc = static_cast<std::size_t>(perms);
        const std::size_t block = std::clamp<std::size_t>((std::size_t{1} << 22) / width, 1, pc);
        std::vector<std::uint32_t> ids(block * width);
        std::vector<PermutationTally> tallies(n);
        for (std::size_t first = 0; first < pc; first += block) {
            const std::size_t count = std::min(block, pc - first);
            detail::parallel_blocks(count, options.perm.threads,
                                    [&](unsigned, std::size_t begin, std::size_t end) {
                                        SharedDraws draws(n - 1, width);
                                        draws.draw(options.perm.seed, first + begin, end - begin,
                                                   ids.data() + begin * width);
                                    });
            detail::parallel_blocks(
                n, options.perm.threads, [&](unsigned, std::size_t begin, std::size_t end) {
                    for (std::size_t i = begin; i < end; ++i) {
                        const std::size_t k = w.cardinality(i);
                        if (k == 0) {
                            continue; // an island has no neighbours to permute
                        }
                        tally_permutations(ids.data(), count, width, i,
                                           w.values.data() + w.offsets[i], k, z.data(),
                                           scaling * z[i], r.Is[i], tallies[i]);
                    }
                });
        }
        const auto pd = static_cast<double>(perms);
        for (std::size_t i = 0; i < n; ++i) {
            if (w.cardinality(i) == 0) {
                continue;
            }
            const PermutationTally& tally = tallies[i];
            std::size_t larger = tally.larger;
            if (pc - larger < larger) {
                larger = pc - larger;
            }
            r.p_sim[i] = (static_cast<double>(larger) + 1.0) / (pd + 1.0);
            r.EI_sim[i] = tally.sum / pd;
            r.seI_sim[i] = std::sqrt(std::max(0.0, tally.sumsq / pd - r.EI_sim[i] * r.EI_sim[i]));
            r.z_sim[i] = (r.Is[i] - r.EI_sim[i]) / r.seI_sim[i];
            r.p_z_sim[i] = normal_sf(std::fabs(r.z_sim[i]));
        }
    }
    r.threshold = options.fdr ? fdr_threshold(r.p_sim, options.alpha) : options.alpha;
    static const char* const names[] = {"", "HH", "LH", "LL", "HL"};
    r.significant.resize(n);
    r.labels.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        r.significant[i] = !std::isnan(r.p_sim[i]) && r.p_sim[i] < r.threshold;
        r.labels[i] = r.significant[i] ? names[r.q[i]] : "not significant";
    }
    return r;
}

} // namespace creatlas::stats
