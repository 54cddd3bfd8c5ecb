// Getis-Ord Gi* (Getis and Ord 1992; Ord and Getis 1995) with esda's moments.
#include "creatlas/error.hpp"
#include "creatlas/stats.hpp"

#include <cmath>
#include <numeric>

namespace creatlas::stats {

std::string gi_label(double z) {
    if (!std::isfinite(z)) {
        return "not significant";
    }
    // Two-sided critical values of the standard normal at 99, 95 and 90 %.
    const char* side = z > 0 ? "hot" : "cold";
    const double a = std::fabs(z);
    if (a > 2.5758293035489) {
        return std::string(side) + " 99%";
    }
    if (a > 1.9599639845401) {
        return std::string(side) + " 95%";
    }
    if (a > 1.6448536269515) {
        return std::string(side) + " 90%";
    }
    return "not significant";
}

GiStarResult getis_ord_gi_star(const std::vector<double>& y, const Weights& w,
                               Transform transform) {
    const std::size_t n = y.size();
    if (n != w.size()) {
        throw Error(ErrorKind::Internal, "Gi*: values and weights differ in size");
    }
    if (n < 2) {
        throw_bad_input("Gi* needs at least 2 features");
    }
    double sum = 0;
    double sumsq = 0;
    for (double v : y) {
        if (!std::isfinite(v)) {
            throw_bad_input("Gi*: every value must be a finite number");
        }
        sum += v;
        sumsq += v * v;
    }
    const auto nd = static_cast<double>(n);
    const double mean = sum / nd;
    const double variance = sumsq / nd - mean * mean; // population variance, as esda
    if (!(sum != 0) || !(variance > 0)) {
        throw_bad_input("Gi*: the values need a non-zero sum and some variation");
    }
    GiStarResult r;
    r.Gs.resize(n);
    r.EGs.resize(n);
    r.VGs.resize(n);
    r.Zs.resize(n);
    r.p_norm.resize(n);
    r.p.resize(n);
    r.labels.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        // The star: the feature itself joins its neighbours with binary weight 1,
        // then the row is scaled as asked.
        const double k = static_cast<double>(w.cardinality(i)) + 1.0;
        const double wij = transform == Transform::Row ? 1.0 / k : 1.0;
        double lag = wij * y[i];
        for (std::size_t e = w.offsets[i]; e < w.offsets[i + 1]; ++e) {
            lag += wij * y[static_cast<std::size_t>(w.neighbours[e])];
        }
        const double wi = wij * k; // W_i, the row sum
        r.Gs[i] = lag / sum;
        r.EGs[i] = wi / nd;
        r.VGs[i] = wi * (nd - wi) / (nd - 1.0) / (nd * nd) * (variance / (mean * mean));
        r.Zs[i] = (r.Gs[i] - r.EGs[i]) / std::sqrt(r.VGs[i]);
        r.p_norm[i] = normal_sf(std::fabs(r.Zs[i]));
        r.p[i] = 2.0 * r.p_norm[i];
        r.labels[i] = gi_label(r.Zs[i]);
    }
    return r;
}

} // namespace creatlas::stats
