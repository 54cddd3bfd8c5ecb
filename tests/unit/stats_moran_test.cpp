// Moran's I, LISA, Gi* and the FDR threshold on a 3×3 lattice worked by hand.
//
//   values        z = y - 5          rook neighbours (binary), ids row-major
//   1 2 3         -4 -3 -2           0: 1 3      3: 0 4 6      6: 3 7
//   4 5 6         -1  0  1           1: 0 2 4    4: 1 3 5 7    7: 4 6 8
//   7 8 9          2  3  4           2: 1 5      5: 2 4 8      8: 5 7
//
// Σz² = 60, Σz⁴ = 708. The 12 rook edges give Σ_edges z_a z_b = 36 (rows) + 4
// (columns) = 40, so Σ_ij w_ij z_i z_j = 80 and S0 = 24, S1 = 48,
// S2 = 4·4² + 4·6² + 8² = 272 (degrees 2, 3 and 4 doubled).
#include "creatlas/error.hpp"
#include "creatlas/stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <gtest/gtest.h>
#include <numeric>
#include <vector>

namespace creatlas::stats {
namespace {

const std::vector<double> kValues{1, 2, 3, 4, 5, 6, 7, 8, 9};

Weights lattice() {
    return weights_from_neighbours(
        {{1, 3}, {0, 2, 4}, {1, 5}, {0, 4, 6}, {1, 3, 5, 7}, {2, 4, 8}, {3, 7}, {4, 6, 8}, {5, 7}});
}

TEST(StatsMoran, BinaryLatticeByHand) {
    Permutations none;
    none.permutations = 0;
    const MoranResult r = moran(kValues, lattice(), none);
    // I = n/S0 · 80/60 = 9/24 · 4/3
    EXPECT_NEAR(r.I, 0.5, 1e-12);
    EXPECT_NEAR(r.EI, -0.125, 1e-12);
    // VI_norm = (81·48 - 9·272 + 3·576) / (80·576) - 1/64 = 3168/46080 - 1/64
    const double vi_norm = 3168.0 / 46080.0 - 1.0 / 64.0;
    EXPECT_NEAR(r.VI_norm, vi_norm, 1e-12);
    EXPECT_NEAR(r.z_norm, 0.625 / std::sqrt(vi_norm), 1e-10);
    // kurtosis k = (708/9) / (60/9)² = 1.77; A = 9·(57·48 - 9·272 + 1728) = 18144;
    // B = 1.77·(72·48 - 18·272 + 3456) = 1.77·2016
    const double vi_rand = (18144.0 - 1.77 * 2016.0) / (8.0 * 7.0 * 6.0 * 576.0) - 1.0 / 64.0;
    EXPECT_NEAR(r.VI_rand, vi_rand, 1e-12);
    EXPECT_NEAR(r.z_rand, 0.625 / std::sqrt(vi_rand), 1e-10);
    // two-sided normal p of z = 2.7116: 2·(1 - Φ(2.7116)) ≈ 0.00670
    EXPECT_NEAR(r.p_norm, std::erfc(r.z_norm / std::sqrt(2.0)), 1e-14);
    EXPECT_NEAR(r.p_norm, 0.006695, 5e-6);
    EXPECT_EQ(r.permutations, 0);
}

TEST(StatsMoran, RowStandardisedLatticeByHand) {
    Permutations none;
    none.permutations = 0;
    // Σ_i z_i · mean(z of neighbours) = 8 + 6 + 2 + 2/3 + 0 + 2/3 + 2 + 6 + 8 = 100/3;
    // S0 = 9, so I = 9/9 · (100/3) / 60 = 5/9.
    const MoranResult r = moran(kValues, transformed(lattice(), Transform::Row), none);
    EXPECT_NEAR(r.I, 5.0 / 9.0, 1e-12);
}

// The exact permutation distribution of the binary lattice's I over all 9!
// arrangements of the deviations z: the share with Σ_edges z_a z_b at least the
// observed sum (I is that sum times a constant).
double exact_upper_tail(const std::vector<double>& values) {
    const int edges[12][2] = {{0, 1}, {1, 2}, {3, 4}, {4, 5}, {6, 7}, {7, 8},
                              {0, 3}, {1, 4}, {2, 5}, {3, 6}, {4, 7}, {5, 8}};
    std::array<int, 9> z{};
    for (std::size_t i = 0; i < 9; ++i) {
        z[i] = static_cast<int>(values[i]) - 5;
    }
    auto edge_sum = [&](const std::array<int, 9>& v) {
        int s = 0;
        for (const auto& e : edges) {
            s += v[static_cast<std::size_t>(e[0])] * v[static_cast<std::size_t>(e[1])];
        }
        return s;
    };
    const int observed = edge_sum(z);
    long above = 0;
    long total = 0;
    std::sort(z.begin(), z.end());
    do {
        above += edge_sum(z) >= observed ? 1 : 0;
        ++total;
    } while (std::next_permutation(z.begin(), z.end()));
    return static_cast<double>(above) / static_cast<double>(total);
}

TEST(StatsMoran, PseudoPMatchesTheExactPermutationDistribution) {
    // A milder pattern than 1..9 in reading order (whose tail is 0.0007):
    //   1 3 2 / 5 4 6 / 8 9 7
    const std::vector<double> y{1, 3, 2, 5, 4, 6, 8, 9, 7};
    Permutations perm;
    perm.permutations = 19999;
    perm.seed = 99;
    const MoranResult r = moran(y, lattice(), perm);
    const double exact = exact_upper_tail(y);
    ASSERT_GT(exact, 0.005);
    ASSERT_LT(exact, 0.5);
    const double se = std::sqrt(exact * (1 - exact) / perm.permutations);
    EXPECT_NEAR(r.p_sim, exact, 4 * se + 1.0 / (perm.permutations + 1));
    // and the permutation mean is near E[I] = -1/8
    EXPECT_NEAR(r.EI_sim, -0.125, 0.01);
}

TEST(StatsMoran, PermutationsAreReproducibleAndThreadIndependent) {
    Permutations one;
    one.permutations = 999;
    one.seed = 5;
    one.threads = 1;
    Permutations two = one;
    two.threads = 2;
    const MoranResult a = moran(kValues, lattice(), one);
    const MoranResult b = moran(kValues, lattice(), two);
    EXPECT_EQ(a.p_sim, b.p_sim);
    EXPECT_EQ(a.EI_sim, b.EI_sim);
    EXPECT_EQ(a.seI_sim, b.seI_sim);
}

TEST(StatsMoran, RejectsConstantValuesAndTooFewFeatures) {
    EXPECT_THROW(moran(std::vector<double>(9, 3.0), lattice()), Error);
    const Weights three = weights_from_neighbours({{1}, {0, 2}, {1}});
    EXPECT_THROW(moran({1, 2, 3}, three), Error);
}

TEST(StatsLisa, LocalIAndQuadrantsByHand) {
    LisaOptions o;
    o.perm.permutations = 0;
    const LisaResult r = local_moran(kValues, transformed(lattice(), Transform::Row), o);
    // z standardised by the population sd sqrt(60/9), Σz² = 9, so
    // Is_i = 8 z_i lag_i / 60 in raw deviations.
    EXPECT_NEAR(r.Is[0], 8.0 * (-4) * (-2) / 60.0, 1e-12);         // lag of 0: (-3 - 1)/2
    EXPECT_NEAR(r.Is[3], 8.0 * (-1) * (-2.0 / 3.0) / 60.0, 1e-12); // (-4 + 0 + 2)/3
    EXPECT_NEAR(r.Is[4], 0.0, 1e-12);
    EXPECT_NEAR(r.Is[8], 8.0 * 4 * 2 / 60.0, 1e-12);
    // esda's quadrants: 1 HH, 2 LH, 3 LL, 4 HL, with z = 0 counted as low.
    EXPECT_EQ(r.q, (std::vector<int>{3, 3, 3, 3, 3, 1, 1, 1, 1}));
    // Without permutations nothing is significant.
    EXPECT_EQ(r.labels[0], "not significant");
    EXPECT_TRUE(std::isnan(r.p_sim[0]));
}

TEST(StatsLisa, ConditionalPermutationMatchesTheExactCount) {
    // Feature 0 (z = -4) keeps its value; its two neighbours are drawn from the
    // other eight z values {-3, ..., 4}. A draw is at least as extreme as the
    // observed Is ⇔ their sum ≤ -4: only {-3, -2} and {-3, -1}, 2 of C(8, 2) = 28.
    LisaOptions o;
    o.perm.permutations = 99999;
    o.perm.seed = 3;
    const LisaResult r = local_moran(kValues, transformed(lattice(), Transform::Row), o);
    const double exact = 2.0 / 28.0;
    const double se = std::sqrt(exact * (1 - exact) / o.perm.permutations);
    EXPECT_NEAR(r.p_sim[0], exact, 4 * se + 1e-5);
    // Feature 8 (z = 4) is the mirror image.
    EXPECT_NEAR(r.p_sim[8], exact, 4 * se + 1e-5);
}

// The folded pseudo p of feature i when its k neighbours are a uniform draw
// without replacement from the other features, by enumerating every k-subset:
// the share of subsets whose local I is at least the observed one (for a feature
// below the mean: whose sum of values is at most the observed sum), folded.
double exact_folded_p(const std::vector<double>& y, std::size_t i,
                      const std::vector<std::size_t>& nbrs) {
    std::vector<double> others;
    for (std::size_t j = 0; j < y.size(); ++j) {
        if (j != i) {
            others.push_back(y[j]);
        }
    }
    double observed = 0;
    for (std::size_t j : nbrs) {
        observed += y[j];
    }
    const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
    const bool below = y[i] < mean;
    const std::size_t k = nbrs.size();
    std::vector<std::size_t> pick(k);
    std::iota(pick.begin(), pick.end(), 0);
    double total = 0;
    double extreme = 0;
    for (;;) {
        double s = 0;
        for (std::size_t m : pick) {
            s += others[m];
        }
        total += 1;
        extreme += (below ? s <= observed : s >= observed) ? 1 : 0;
        // Next k-subset in lexicographic order.
        std::size_t m = k;
        while (m > 0 && pick[m - 1] == others.size() - k + m - 1) {
            --m;
        }
        if (m == 0) {
            break;
        }
        ++pick[m - 1];
        for (std::size_t q = m; q < k; ++q) {
            pick[q] = pick[q - 1] + 1;
        }
    }
    const double p = extreme / total;
    return std::min(p, 1.0 - p);
}

TEST(StatsLisa, DrawsAreUniformWithoutReplacementSparseAndDense) {
    // Values without ties (so no subset sum equals the observed one by accident).
    // Feature 0 has 3 neighbours: among 41 features they are drawn by rejection
    // (the sparse path), among 9 from a shuffled pool (the dense path).
    for (std::size_t n : {41U, 9U}) {
        std::vector<double> y(n);
        std::vector<std::vector<std::int32_t>> lists(n);
        for (std::size_t i = 0; i < n; ++i) {
            y[i] = static_cast<double>(i) + 0.37 * std::sqrt(static_cast<double>(i) + 2.0);
            lists[i] = {0};
        }
        const std::vector<std::size_t> nbrs =
            n == 41 ? std::vector<std::size_t>{6, 13, 19} : std::vector<std::size_t>{2, 3, 5};
        lists[0].clear();
        for (std::size_t j : nbrs) {
            lists[0].push_back(static_cast<std::int32_t>(j));
        }
        LisaOptions o;
        o.perm.permutations = 99999;
        o.perm.seed = 5;
        const LisaResult r =
            local_moran(y, transformed(weights_from_neighbours(lists), Transform::Row), o);
        const double exact = exact_folded_p(y, 0, nbrs);
        ASSERT_GT(exact, 0.01) << n; // a probability the test can resolve
        const double se = std::sqrt(exact * (1 - exact) / o.perm.permutations);
        EXPECT_NEAR(r.p_sim[0], exact, 4 * se + 1e-5) << n << " features";
    }
}

TEST(StatsLisa, SameSeedSameResultOnAnyThreadCount) {
    // 400 features on a ring, each with its two ring neighbours.
    std::vector<std::vector<std::int32_t>> lists(400);
    std::vector<double> y(400);
    for (int i = 0; i < 400; ++i) {
        lists[static_cast<std::size_t>(i)] = {(i + 399) % 400, (i + 1) % 400};
        y[static_cast<std::size_t>(i)] = std::sin(i * 0.05) + 0.1 * (i % 7);
    }
    const Weights w = transformed(weights_from_neighbours(lists), Transform::Row);
    LisaOptions a;
    a.perm.seed = 11;
    a.perm.threads = 1;
    LisaOptions b = a;
    b.perm.threads = 2;
    LisaOptions c = a;
    c.perm.seed = 12;
    const LisaResult ra = local_moran(y, w, a);
    const LisaResult rb = local_moran(y, w, b);
    const LisaResult rc = local_moran(y, w, c);
    EXPECT_EQ(ra.p_sim, rb.p_sim);
    EXPECT_EQ(ra.labels, rb.labels);
    EXPECT_NE(ra.p_sim, rc.p_sim);
}

TEST(StatsLisa, SharedPermutationsInManyBlocksKeepEachFeaturesExactCount) {
    // Feature 0 neighbours all 4,299 others, so every permutation is 4,299 indices
    // wide and 9,999 of them go in several blocks. Feature 1 (y = 1) has three
    // neighbours with y = 1, the largest lag it can have: a permutation is at least
    // as extreme only when it draws three ones (an exact tie). Its others are
    // feature 0 (y = 0.5), M = 2,900 ones and 1,398 zeros, N = 4,299 in all, so
    // p = M (M - 1) (M - 2) / (N (N - 1) (N - 2)) = 0.30687…, below one half.
    constexpr std::size_t n = 4300;
    constexpr std::size_t ones = 2900;
    std::vector<double> y(n, 0.0);
    std::vector<std::vector<std::int32_t>> lists(n, std::vector<std::int32_t>{0});
    y[0] = 0.5;
    y[1] = 1.0;
    lists[0].clear();
    for (std::size_t j = 1; j < n; ++j) {
        lists[0].push_back(static_cast<std::int32_t>(j));
    }
    for (std::size_t j = 2; j < 2 + ones; ++j) {
        y[j] = 1.0;
    }
    lists[1] = {2, 3, 4};
    const Weights w = transformed(weights_from_neighbours(lists), Transform::Row);
    LisaOptions a;
    a.perm.permutations = 9999;
    a.perm.seed = 21;
    a.perm.threads = 1;
    LisaOptions b = a;
    b.perm.threads = 2;
    const LisaResult ra = local_moran(y, w, a);
    const LisaResult rb = local_moran(y, w, b);
    const double m = ones;
    const double big_n = n - 1;
    const double exact = m * (m - 1) * (m - 2) / (big_n * (big_n - 1) * (big_n - 2));
    const double se = std::sqrt(exact * (1 - exact) / a.perm.permutations);
    EXPECT_NEAR(ra.p_sim[1], exact, 4 * se + 1e-4);
    EXPECT_EQ(ra.p_sim, rb.p_sim);
    EXPECT_EQ(ra.EI_sim, rb.EI_sim);
}

TEST(StatsLisa, IslandsHaveNoPseudoP) {
    const Weights w = transformed(weights_from_neighbours({{1}, {0, 2}, {1}, {}}), Transform::Row);
    const LisaResult r = local_moran({1, 2, 4, 8}, w, {});
    EXPECT_TRUE(std::isnan(r.p_sim[3]));
    EXPECT_EQ(r.labels[3], "not significant");
    EXPECT_FALSE(std::isnan(r.p_sim[0]));
}

TEST(StatsFdr, BenjaminiHochbergByHand) {
    // Sorted p against k·0.05/10: 0.001 < 0.005, 0.008 < 0.010, 0.039 ≥ 0.015, and
    // no later p falls under its bound, so the threshold is 0.010.
    const std::vector<double> p{0.216, 0.001, 0.039, 0.041, 0.042,
                                0.06,  0.074, 0.205, 0.212, 0.008};
    EXPECT_DOUBLE_EQ(fdr_threshold(p, 0.05), 0.010);
    EXPECT_DOUBLE_EQ(fdr_threshold({0.5, 0.6}, 0.05), 0.0);
}

TEST(StatsGiStar, BinaryLatticeByHand) {
    // Gi* with binary weights and the feature itself (Getis and Ord 1995):
    // z = (Σ_j w_ij y_j - ȳ W_i) / (s · sqrt((n W_i - W_i²) / (n - 1))),
    // ȳ = 5, s² = 285/9 - 25 = 20/3.
    const GiStarResult r = getis_ord_gi_star(kValues, lattice(), Transform::Binary);
    const double s = std::sqrt(20.0 / 3.0);
    // Feature 0: {0, 1, 3} → 1 + 2 + 4 = 7, W = 3: z = (7 - 15) / (s · sqrt(18/8))
    EXPECT_NEAR(r.Zs[0], -8.0 / (s * 1.5), 1e-12);
    EXPECT_NEAR(r.Gs[0], 7.0 / 45.0, 1e-14);
    EXPECT_NEAR(r.EGs[0], 3.0 / 9.0, 1e-14);
    // Feature 4: {1, 3, 4, 5, 7} → 25 = ȳ·5: z = 0.
    EXPECT_NEAR(r.Zs[4], 0.0, 1e-12);
    // Feature 8: {5, 7, 8} → 6 + 8 + 9 = 23: z = (23 - 15) / (s · 1.5)
    EXPECT_NEAR(r.Zs[8], 8.0 / (s * 1.5), 1e-12);
    // |z| = 2.0656: beyond 1.960, not 2.576
    EXPECT_EQ(r.labels[0], "cold 95%");
    EXPECT_EQ(r.labels[8], "hot 95%");
    EXPECT_EQ(r.labels[4], "not significant");
    EXPECT_NEAR(r.p[8], 2 * r.p_norm[8], 1e-15);
    EXPECT_NEAR(r.p[8], 0.038867, 2e-6); // 2·(1 - Φ(2.0656))
}

TEST(StatsGiStar, LabelsAtTheThreeLevels) {
    EXPECT_EQ(gi_label(1.60), "not significant");
    EXPECT_EQ(gi_label(1.70), "hot 90%");
    EXPECT_EQ(gi_label(-2.00), "cold 95%");
    EXPECT_EQ(gi_label(2.60), "hot 99%");
    EXPECT_EQ(gi_label(std::nan("")), "not significant");
}

} // namespace
} // namespace creatlas::stats
