// The measure stage: the cities layer (one row per city).
#include "creatlas/stats.hpp"
#include "levels.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace creatlas::detail {

namespace {

/// Industrial heritage of each city: sites, sites re-used, and their footprint areas.
struct CityHeritage {
    std::vector<std::int64_t> count, reused;
    std::vector<std::optional<double>> area, reused_area;
};

CityHeritage city_heritage(const Links& links, const HeritageFacts& h, std::size_t ncity) {
    CityHeritage out{std::vector<std::int64_t>(ncity, 0), std::vector<std::int64_t>(ncity, 0),
                     std::vector<std::optional<double>>(ncity),
                     std::vector<std::optional<double>>(ncity)};
    for (std::size_t s = 0; s < h.industrial.size(); ++s) {
        const int c = links.heritage_city[s].city;
        if (c < 0 || !h.industrial[s]) {
            continue;
        }
        const auto ci = static_cast<std::size_t>(c);
        ++out.count[ci];
        const bool reused = h.site_cluster[s] >= 0;
        if (reused) {
            ++out.reused[ci];
        }
        if (h.footprint[s]) {
            out.area[ci] = out.area[ci].value_or(0.0) + *h.footprint[s];
            if (reused) {
                out.reused_area[ci] = out.reused_area[ci].value_or(0.0) + *h.footprint[s];
            }
        }
    }
    return out;
}

std::string tier_of(const Project& project, bool capital, std::optional<double> pop) {
    if (capital) {
        return "capital";
    }
    if (pop && *pop >= project.second_tier_min_population &&
        *pop < project.second_tier_max_population) {
        return "second";
    }
    return "other";
}

/// Cities for which Clark–Evans could not be computed, by reason (for one note each).
struct NniGaps {
    std::vector<std::string> few, no_area;
};

/// Indicators of city c from its clusters (`members`, rows of the clusters table).
void cluster_columns(const GeosContext& geos, std::size_t c, const std::vector<std::size_t>& m,
                     const Links& links, const ClusterFacts& cf, const CityFrames& frames,
                     const Ids& ids, Columns& ctc, NniGaps& gaps) {
    const auto n = static_cast<std::int64_t>(m.size());
    double csum = 0;
    int ccount = 0;
    int covered = 0;
    double grant = 0;
    std::array<std::int64_t, 6> types{};
    std::vector<stats::LonLat> pts;
    for (std::size_t i : m) {
        if (cf.centrality[i]) {
            csum += *cf.centrality[i];
            ++ccount;
        }
        if (!links.cluster_zones[i].empty()) {
            ++covered;
        }
        grant += cf.grant[i];
        ++types[static_cast<std::size_t>(cf.type[i])];
        pts.push_back({cf.anchor[i].lon, cf.anchor[i].lat});
    }
    if (ccount > 0) {
        ctc["mean_centrality"][c] = csum / ccount;
    }
    ctc["grant_total"][c] = grant;
    if (n > 0) {
        ctc["programme_coverage"][c] = static_cast<double>(covered) / static_cast<double>(n);
        ctc["grant_per_cluster"][c] = grant / static_cast<double>(n);
    }
    type_columns(c, types, ctc);
    const auto area = frames.area(static_cast<int>(c));
    // The same Clark–Evans code as `creatlas stats nni` (stats.hpp).
    const stats::NniResult ce = stats::clark_evans(geos, pts, area.value_or(0.0));
    if (ce.nni) {
        ctc["nni"][c] = *ce.nni;
        ctc["nni_z"][c] = *ce.z;
        ctc["nni_p"][c] = *ce.p;
    } else if (n > 0) {
        (n < 3 ? gaps.few : gaps.no_area).push_back(ids.cities[c]);
    }
}

/// One note per reason, naming the cities (the first 20).
void note_nni_gaps(const NniGaps& gaps, RunReport& report) {
    for (const auto& [list, why] :
         {std::pair{&gaps.few, "with 1 or 2 clusters (Clark–Evans needs 3)"},
          std::pair{&gaps.no_area, "without a polygon area"}}) {
        if (list->empty()) {
            continue;
        }
        std::string names;
        for (std::size_t k = 0; k < list->size() && k < 20; ++k) {
            names += (k == 0 ? "" : ", ") + (*list)[k];
        }
        report.notes.push_back("nni is null for " + std::to_string(list->size()) + " cit" +
                               (list->size() == 1 ? "y " : "ies ") + why + ": " + names +
                               (list->size() > 20 ? ", …" : ""));
    }
}

/// Creative index: components min–max normalised across the run's cities, weighted,
/// averaged over the components a city has; ranked with competition ranking.
void creative_index(const Project& project, std::size_t ncity, Columns& ctc, RunReport& report) {
    const auto& comps = project.creative_components;
    std::vector<double> sum(ncity, 0.0);
    std::vector<double> wsum(ncity, 0.0);
    for (std::size_t k = 0; k < comps.size(); ++k) {
        const Column& col = ctc.at(comps[k]); // the project parser admits city indicators only
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (const auto& v : col) {
            if (auto x = as_number(v)) {
                lo = std::min(lo, *x);
                hi = std::max(hi, *x);
            }
        }
        if (!(hi > lo)) {
            if (ncity > 0) {
                report.notes.push_back("creative_index: component " + comps[k] +
                                       " has no spread across the cities and is left out");
            }
            continue;
        }
        for (std::size_t c = 0; c < ncity; ++c) {
            if (auto x = as_number(col[c])) {
                sum[c] += project.creative_weights[k] * (*x - lo) / (hi - lo);
                wsum[c] += project.creative_weights[k];
            }
        }
    }
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t c = 0; c < ncity; ++c) {
        if (wsum[c] > 0) {
            const double idx = 100.0 * sum[c] / wsum[c];
            ctc["creative_index"][c] = idx;
            ranked.emplace_back(idx, c);
        }
    }
    std::sort(ranked.begin(), ranked.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t k = 0; k < ranked.size(); ++k) {
        // Competition ranking: equal indices share the better rank.
        std::size_t rank = k + 1;
        if (k > 0 && ranked[k].first == ranked[k - 1].first) {
            rank = static_cast<std::size_t>(
                std::get<std::int64_t>(ctc["creative_rank"][ranked[k - 1].second]));
        }
        ctc["creative_rank"][ranked[k].second] = static_cast<std::int64_t>(rank);
    }
}

} // namespace

void type_columns(std::size_t c, const std::array<std::int64_t, 6>& types, Columns& ctc) {
    std::int64_t known = 0;
    int dominant = 0;
    for (int t = 1; t <= 5; ++t) {
        const auto n = types[static_cast<std::size_t>(t)];
        ctc["type_" + std::to_string(t)][c] = n;
        known += n;
        if (n > 0 && (dominant == 0 || n > types[static_cast<std::size_t>(dominant)])) {
            dominant = t;
        }
    }
    if (known == 0) {
        return;
    }
    ctc["dominant_type"][c] = static_cast<std::int64_t>(dominant);
    double hsum = 0;
    for (int t = 1; t <= 5; ++t) {
        const double p =
            static_cast<double>(types[static_cast<std::size_t>(t)]) / static_cast<double>(known);
        if (p > 0) {
            hsum -= p * std::log(p);
        }
    }
    ctc["type_diversity"][c] = hsum / std::log(5.0);
}

Table measure_cities(const GeosContext& geos, const Project& project, CheckedInputs& in,
                     const Links& links, const Ids& ids, const CityFrames& frames,
                     const ClusterFacts& clusters, const HeritageFacts& heritage,
                     const Trajectories& trajectories, RunReport& report) {
    const std::size_t ncity = in.tables.cities.rows.size();
    Columns ctc = columns_for(Level::City, ncity);
    std::vector<std::vector<std::size_t>> members(ncity);
    for (std::size_t i = 0; i < links.cluster_city.size(); ++i) {
        if (links.cluster_city[i].city >= 0) {
            members[static_cast<std::size_t>(links.cluster_city[i].city)].push_back(i);
        }
    }
    const CityHeritage ih = city_heritage(links, heritage, ncity);
    // Without a [clusters] source nothing about clusters is known: those indicators
    // stay null rather than read as zero.
    const bool clusters_known = project.clusters.present();
    NniGaps gaps;
    for (std::size_t c = 0; c < ncity; ++c) {
        const std::optional<double> pop = in.population[c];
        ctc["city_id"][c] = ids.cities[c];
        ctc["population"][c] = opt_real(pop);
        ctc["tier"][c] = tier_of(project, in.capital[c], pop);
        ctc["ih_count"][c] = ih.count[c];
        ctc["ih_area_m2"][c] = opt_real(ih.area[c]);
        if (!clusters_known) {
            continue;
        }
        const auto n = static_cast<std::int64_t>(members[c].size());
        ctc["n_clusters"][c] = n;
        if (pop && *pop > 0) {
            ctc["clusters_per_100k"][c] = static_cast<double>(n) / *pop * 100000.0;
        }
        ctc["ih_reused"][c] = ih.reused[c];
        if (ih.count[c] > 0) {
            ctc["ih_transformation_rate"][c] =
                static_cast<double>(ih.reused[c]) / static_cast<double>(ih.count[c]);
        }
        ctc["ih_reused_area_m2"][c] = opt_real(ih.reused_area[c]);
        cluster_columns(geos, c, members[c], links, clusters, frames, ids, ctc, gaps);
        trajectory_columns(c, project, trajectories, ctc);
    }
    note_nni_gaps(gaps, report);
    economy_city_columns(geos, project, in, links, ctc);
    creative_index(project, ncity, ctc, report);
    return assemble(Level::City, ctc, std::move(in.tables.cities),
                    {project.cities.id_field, project.cities.field("population_field")});
}

} // namespace creatlas::detail
