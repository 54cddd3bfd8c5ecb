// The measure stage: the heritage_sites layer (one row per heritage object).
#include "creatlas/industrial.hpp"
#include "creatlas/text.hpp"
#include "levels.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

namespace creatlas::detail {

namespace {

/// The cluster re-using each site: of the clusters on it, the nearest.
std::vector<int> reusing_clusters(const Links& links, std::size_t nh) {
    std::vector<int> site_cluster(nh, -1);
    std::vector<double> best(nh, 0.0);
    for (std::size_t i = 0; i < links.cluster_heritage.size(); ++i) {
        const HeritageLink& hl = links.cluster_heritage[i];
        if (hl.site < 0) {
            continue;
        }
        const auto s = static_cast<std::size_t>(hl.site);
        if (site_cluster[s] < 0 || hl.distance_m < best[s]) {
            site_cluster[s] = static_cast<int>(i);
            best[s] = hl.distance_m;
        }
    }
    return site_cluster;
}

/// Industrial status of every site and why. A planner's override decides first; then a
/// category field, where the source has one and the project names its industrial
/// values; else the head word of the name (industrial.hpp). Parts of one ensemble
/// (ensemble_field) that their names leave undecided follow the ensemble.
std::vector<IndustrialVerdict> industrial_status(const Project& project, const CheckedInputs& in,
                                                 const Links& links) {
    const Table& heritage = in.tables.heritage;
    std::vector<IndustrialVerdict> out(heritage.rows.size());
    const int cat = heritage.field_index(project.industrial_category_field);
    const int namei = heritage.field_index(project.heritage.field("name_field"));
    const int ensemble = heritage.field_index(project.heritage.field("ensemble_field"));
    std::set<std::string> cat_values;
    for (const auto& v : project.industrial_category_values) {
        cat_values.insert(normalise_key(v));
    }
    const IndustrialRules rules(project.industrial_vocabulary);
    // A register repeats a few categories over thousands of rows: each is normalised
    // (Unicode case folding) once.
    std::unordered_map<std::string, std::string> category_keys;
    auto category_key = [&category_keys](const std::string& category) -> const std::string& {
        auto it = category_keys.find(category);
        if (it == category_keys.end()) {
            it = category_keys.emplace(category, normalise_key(category)).first;
        }
        return it->second;
    };
    std::vector<std::string> ensembles(heritage.rows.size());
    for (std::size_t i = 0; i < heritage.rows.size(); ++i) {
        const Row& r = heritage.rows[i];
        const int o = links.heritage_override[i];
        const auto field = [&r](int k) {
            return k < 0 ? std::string() : as_text(r.values[static_cast<std::size_t>(k)]);
        };
        if (ensemble >= 0) {
            ensembles[i] = field(ensemble);
        }
        const std::string category = field(cat);
        if (o >= 0 && in.override_industrial[static_cast<std::size_t>(o)]) {
            out[i] = {*in.override_industrial[static_cast<std::size_t>(o)],
                      industrial_override_reason(in.override_note[static_cast<std::size_t>(o)]),
                      IndustrialBasis::Head};
        } else if (cat >= 0 && !cat_values.empty() && !category_key(category).empty()) {
            out[i] = {cat_values.contains(category_key(category)),
                      industrial_category_reason(category), IndustrialBasis::Head};
        } else if (namei >= 0) {
            out[i] = classify_industrial_name(field(namei), rules);
        } else {
            out[i].reason = "no name and no category";
        }
    }
    if (ensemble >= 0) {
        apply_industrial_ensembles(out, ensembles);
    }
    return out;
}

/// Inputs of the conversion-candidate score of each site.
struct SiteMeasures {
    std::vector<std::optional<double>> centrality;
    std::vector<std::optional<double>> nearest_cluster;
};

/// Conversion candidates: industrial and not yet re-used, scored within their city
/// (components normalised by their maximum there) and ranked.
void rank_candidates(const Project& project, const Links& links, const Ids& ids,
                     const HeritageFacts& facts, const SiteMeasures& m, Columns& hc) {
    std::map<int, std::vector<std::size_t>> by_city;
    for (std::size_t i = 0; i < facts.industrial.size(); ++i) {
        if (facts.industrial[i] && facts.site_cluster[i] < 0) {
            by_city[links.heritage_city[i].city].push_back(i);
        }
    }
    for (auto& [city, sites] : by_city) {
        double cmax = 0;
        double pmax = 0;
        double dmax = 0;
        double amax = 0;
        for (std::size_t s : sites) {
            cmax = std::max(cmax, m.centrality[s].value_or(0.0));
            pmax = std::max(pmax, static_cast<double>(links.heritage_zones[s].size()));
            dmax = std::max(dmax, m.nearest_cluster[s].value_or(0.0));
            amax = std::max(amax, facts.footprint[s].value_or(0.0));
        }
        std::vector<std::pair<double, std::size_t>> scored;
        for (std::size_t s : sites) {
            double sum = 0;
            double wsum = 0;
            auto add = [&](double w, double c) {
                sum += w * c;
                wsum += w;
            };
            if (m.centrality[s]) {
                add(project.candidate_weight_centrality,
                    cmax > 0 ? 1.0 - *m.centrality[s] / cmax : 1.0);
            }
            add(project.candidate_weight_programmes,
                pmax > 0 ? static_cast<double>(links.heritage_zones[s].size()) / pmax : 0.0);
            if (m.nearest_cluster[s]) {
                add(project.candidate_weight_clusters,
                    dmax > 0 ? 1.0 - *m.nearest_cluster[s] / dmax : 1.0);
            }
            if (facts.footprint[s] && amax > 0) {
                add(project.candidate_weight_footprint, *facts.footprint[s] / amax);
            }
            const double score = wsum > 0 ? sum / wsum : 0.0;
            hc["candidate_score"][s] = score;
            scored.emplace_back(score, s);
        }
        std::sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
            if (a.first != b.first) {
                return a.first > b.first;
            }
            return ids.heritage[a.second] < ids.heritage[b.second];
        });
        for (std::size_t k = 0; k < scored.size(); ++k) {
            hc["candidate_rank"][scored[k].second] = static_cast<std::int64_t>(k + 1);
        }
        (void)city;
    }
}

} // namespace

HeritageLevel measure_heritage(const GeosContext& /*geos: frames carry it*/, const Project& project,
                               CheckedInputs& in, const Links& links, const Ids& ids,
                               CityFrames& frames, RunReport& report) {
    Table& heritage = in.tables.heritage;
    const std::size_t nh = heritage.rows.size();
    HeritageLevel out;
    HeritageFacts& facts = out.facts;
    facts.site_cluster = reusing_clusters(links, nh);
    const std::vector<IndustrialVerdict> verdicts = industrial_status(project, in, links);
    facts.industrial.resize(nh);
    for (std::size_t i = 0; i < nh; ++i) {
        facts.industrial[i] = verdicts[i].industrial;
    }
    facts.footprint.resize(nh);
    SiteMeasures m{std::vector<std::optional<double>>(nh), std::vector<std::optional<double>>(nh)};
    Columns hc = columns_for(Level::Heritage, nh);
    Column& c_id = hc["heritage_id"];
    Column& c_city = hc["city_id"];
    Column& c_industrial = hc["is_industrial"];
    Column& c_reason = hc["industrial_reason"];
    Column& c_reused = hc["reused"];
    Column& c_cluster = hc["cluster_id"];
    Column& c_nearest = hc["nearest_cluster_m"];
    Column& c_dist = hc["dist_center_m"];
    Column& c_centrality = hc["centrality"];
    Column& c_footprint = hc["footprint_m2"];
    Column& c_count = hc["programme_count"];
    Column& c_programmes = hc["programme_ids"];
    // Each row is measured on its own: rows split across cores (a thread writes only
    // its rows' cells of the columns, sized above), each worker with its own GEOS
    // context and city frames.
    auto measure_rows = [&](const GeosContext& g, CityFrames& f, RowRange range) {
        for (std::size_t i = range.begin; i < range.end; ++i) {
            const Row& r = heritage.rows[i];
            c_id[i] = ids.heritage[i];
            const CityLink& cl = links.heritage_city[i];
            c_city[i] = id_or_null(cl.city, ids.cities);
            c_industrial[i] = static_cast<std::int64_t>(facts.industrial[i] ? 1 : 0);
            c_reason[i] = verdicts[i].reason;
            if (project.clusters.present()) { // else re-use is unknown, not "no"
                c_reused[i] = static_cast<std::int64_t>(facts.site_cluster[i] >= 0 ? 1 : 0);
            }
            c_cluster[i] = id_or_null(facts.site_cluster[i], ids.clusters);
            if (const Nearest& n = links.site_nearest_cluster[i]; n.row >= 0) {
                m.nearest_cluster[i] = n.distance_m;
                c_nearest[i] = n.distance_m;
            }
            if (cl.city >= 0) {
                const CityFrames::FromCentre d = f.from_centre(cl.city, anchor_of(g, *r.geom));
                c_dist[i] = d.metres;
                m.centrality[i] = d.radii;
                c_centrality[i] = opt_real(d.radii);
            }
            if (is_areal(g, r.geom.get())) {
                facts.footprint[i] = f.area_m2(cl.city, *r.geom);
                c_footprint[i] = *facts.footprint[i];
            }
            c_count[i] = static_cast<std::int64_t>(links.heritage_zones[i].size());
            c_programmes[i] = join_ids(links.heritage_zones[i], ids.programmes);
        }
    };
    parallel_rows(nh, [&](unsigned worker, RowRange range) {
        const CityFrames::Worker w = frames.for_worker(worker);
        measure_rows(w.geos, w.frames, range);
    });
    rank_candidates(project, links, ids, facts, m, hc);
    report.links["heritage_reused"] = std::count_if(
        facts.site_cluster.begin(), facts.site_cluster.end(), [](int c) { return c >= 0; });
    report.links["heritage_industrial"] =
        std::count(facts.industrial.begin(), facts.industrial.end(), true);
    out.table = assemble(Level::Heritage, hc, std::move(heritage), {project.heritage.id_field});
    return out;
}

} // namespace creatlas::detail
