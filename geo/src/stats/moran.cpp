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

// Conditional permutations of one feature: `perms` times, its k neighbours'
// values are drawn without replacement from the n - 1 other features, with the
// feature's own stream of the seed. This is the hot loop of LISA (999 × k draws
// per feature), so it allocates nothing and keeps one draw's work small; the
// arithmetic and the order of the draws are fixed, since p_sim must not change.
class LisaDraws {
public:
    explicit LisaDraws(std::size_t n) : n_(n) {}

    PermutationTally run(std::uint64_t seed, std::size_t i, const double* wi, std::size_t k,
                         const std::vector<double>& z, double zi_scaled, double observed,
                         int perms) {
        detail::Rng rng(seed, i);
        const auto n_others = static_cast<std::uint32_t>(n_ - 1);
        const auto self = static_cast<std::uint32_t>(i);
        const double* zv = z.data();
        // Sparse rows draw by rejection; dense ones (a neighbour set that is a large
        // share of the features) take a partial Fisher–Yates shuffle of a pool.
        const bool sparse = k <= 32 && 4 * k < n_;
        std::size_t larger = 0;
        double sum = 0;
        double sumsq = 0;
        auto tally = [&](double rl) {
            larger += rl >= observed ? 1 : 0;
            sum += rl;
            sumsq += rl * rl;
        };
        if (sparse) {
            // A draw is new when its mark is not this permutation's stamp: one look-up
            // instead of a scan of the draws so far.
            if (mark_.size() != n_ - 1) {
                mark_.assign(n_ - 1, 0);
                stamp_ = 0;
            }
            std::uint32_t* mark = mark_.data();
            std::uint32_t stamp = stamp_; // kept in a register, stored back below
            const double* const wend = wi + k;
            for (int p = 0; p < perms; ++p) {
                if (++stamp == 0) { // wrapped: old marks could collide with new stamps
                    std::fill(mark_.begin(), mark_.end(), 0U);
                    stamp = 1;
                }
                double s = 0;
                for (const double* wm = wi; wm != wend; ++wm) {
                    std::uint32_t t = rng.below(n_others);
                    while (mark[t] == stamp) {
                        t = rng.below(n_others);
                    }
                    mark[t] = stamp;
                    // Index t among the others is feature t, or t + 1 past i itself.
                    s += *wm * zv[t + (t >= self ? 1U : 0U)];
                }
                tally(zi_scaled * s);
            }
            stamp_ = stamp;
            return {larger, sum, sumsq};
        }
        if (pool_.size() != n_ - 1) {
            pool_.resize(n_ - 1);
            std::iota(pool_.begin(), pool_.end(), 0U);
        }
        drawn_.resize(k);
        swaps_.resize(k);
        for (int p = 0; p < perms; ++p) {
            for (std::size_t m = 0; m < k; ++m) {
                const std::size_t j = m + rng.below(static_cast<std::uint32_t>(n_ - 1 - m));
                std::swap(pool_[m], pool_[j]);
                drawn_[m] = pool_[m];
                swaps_[m] = j;
            }
            // Undo the swaps so the pool is the identity again: the draws of a
            // feature must not depend on the features before it.
            for (std::size_t m = k; m-- > 0;) {
                std::swap(pool_[m], pool_[swaps_[m]]);
            }
            double s = 0;
            for (std::size_t m = 0; m < k; ++m) {
                const std::uint32_t t = drawn_[m];
                s += wi[m] * zv[t + (t >= self ? 1U : 0U)];
            }
            tally(zi_scaled * s);
        }
        return {larger, sum, sumsq};
    }

private:
    std::size_t n_;
    std::vector<std::uint32_t> mark_; // per other feature: the stamp of its last draw
    std::uint32_t stamp_ = 0;
    std::vector<std::uint32_t> drawn_;
    std::vector<std::uint32_t> pool_;
    std::vector<std::size_t> swaps_;
};

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
    if (perms > 0) {
        detail::parallel_blocks(
            n, options.perm.threads, [&](unsigned, std::size_t begin, std::size_t end) {
                LisaDraws draws(n);
                for (std::size_t i = begin; i < end; ++i) {
                    const std::size_t k = w.cardinality(i);
                    if (k == 0) {
                        continue; // an island has no neighbours to permute
                    }
                    if (k > n - 1) {
                        throw Error(ErrorKind::Internal,
                                    "local Moran: more neighbours than features");
                    }
                    const PermutationTally tally =
                        draws.run(options.perm.seed, i, w.values.data() + w.offsets[i], k, z,
                                  scaling * z[i], r.Is[i], perms);
                    std::size_t larger = tally.larger;
                    const auto pc = static_cast<std::size_t>(perms);
                    if (pc - larger < larger) {
                        larger = pc - larger;
                    }
                    const auto pd = static_cast<double>(perms);
                    r.p_sim[i] = (static_cast<double>(larger) + 1.0) / (pd + 1.0);
                    r.EI_sim[i] = tally.sum / pd;
                    r.seI_sim[i] =
                        std::sqrt(std::max(0.0, tally.sumsq / pd - r.EI_sim[i] * r.EI_sim[i]));
                    r.z_sim[i] = (r.Is[i] - r.EI_sim[i]) / r.seI_sim[i];
                    r.p_z_sim[i] = normal_sf(std::fabs(r.z_sim[i]));
                }
            });
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
