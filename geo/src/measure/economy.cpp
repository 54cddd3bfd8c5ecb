// The measure stage: the creative economy in numbers — enterprises by creative sector
// per city (counts, density, employees, location quotients, leading sector, Krugman's
// specialisation index) and each cluster's creative neighbourhood.
#include "creatlas/sectors.hpp"
#include "levels.hpp"

#include <algorithm>
#include <cmath>

namespace creatlas::detail {

namespace {

/// An enterprise's sector as the indicators use it: its creative sector, or
/// kUnsectored when the project names no sector_field (every enterprise then counts as
/// creative, without a sector); kOther when its code is outside the mapping.
constexpr int kOther = -1;
constexpr int kUnsectored = -2;

int sector_of(const CheckedInputs& in, std::size_t e) {
    if (in.enterprise_sector.empty()) {
        return kUnsectored;
    }
    const auto& s = in.enterprise_sector[e];
    return s ? static_cast<int>(*s) : kOther;
}

/// Enterprise counts of every city: by sector, other, employees.
struct CityCounts {
    std::vector<std::vector<std::int64_t>> by_sector; ///< [city][sector]
    std::vector<std::int64_t> creative, other;
    std::vector<double> employees;
};

/// An enterprise belongs to the city whose polygon contains it (those linked only as the
/// nearest city within city_max_distance_m lie outside every city and are not part of
/// its economy); a city given as a point takes its nearest enterprises.
CityCounts count_by_city(const GeosContext& geos, const CheckedInputs& in, const Links& links) {
    const std::size_t ncity = in.tables.cities.rows.size();
    const std::size_t nsec = creative_sectors().size();
    CityCounts out{std::vector<std::vector<std::int64_t>>(ncity,
                                                          std::vector<std::int64_t>(nsec, 0)),
                   std::vector<std::int64_t>(ncity, 0), std::vector<std::int64_t>(ncity, 0),
                   std::vector<double>(ncity, 0.0)};
    for (std::size_t e = 0; e < links.enterprise_city.size(); ++e) {
        const CityLink& l = links.enterprise_city[e];
        if (l.city < 0) {
            continue;
        }
        const auto c = static_cast<std::size_t>(l.city);
        if (l.nearest && is_areal(geos, in.tables.cities.rows[c].geom.get())) {
            continue;
        }
        const int s = sector_of(in, e);
        if (s == kOther) {
            ++out.other[c];
            continue;
        }
        ++out.creative[c];
        if (s >= 0) {
            ++out.by_sector[c][static_cast<std::size_t>(s)];
        }
        if (e < in.employees.size() && in.employees[e]) {
            out.employees[c] += *in.employees[e];
        }
    }
    return out;
}

/// The comparison base of the location quotients: national counts by sector from the
/// reference table, else the sum over the run's cities. nullopt where unknown.
std::vector<std::optional<double>> base_counts(const CheckedInputs& in, const CityCounts& n) {
    if (!in.reference_count.empty()) {
        return in.reference_count;
    }
    std::vector<std::optional<double>> out(creative_sectors().size(), 0.0);
    for (const auto& city : n.by_sector) {
        for (std::size_t s = 0; s < city.size(); ++s) {
            *out[s] += static_cast<double>(city[s]);
        }
    }
    return out;
}

/// lq_<s>, leading_sector and krugman_index of city c (which has e_c > 0 creative
/// enterprises).
void specialisation(std::size_t c, const std::vector<std::int64_t>& e,
                    const std::vector<std::optional<double>>& base, Columns& ctc) {
    const auto& sectors = creative_sectors();
    double e_c = 0;
    for (auto v : e) {
        e_c += static_cast<double>(v);
    }
    double total = 0; // E: the base over the creative sectors
    bool complete = true;
    for (const auto& b : base) {
        complete = complete && b.has_value();
        total += b.value_or(0.0);
    }
    double krugman = 0;
    std::size_t leading = 0;
    for (std::size_t s = 0; s < sectors.size(); ++s) {
        const double share = static_cast<double>(e[s]) / e_c;
        if (base[s] && *base[s] > 0 && total > 0) {
            ctc["lq_" + sectors[s].id][c] = share / (*base[s] / total);
        }
        if (complete && total > 0) {
            krugman += std::abs(share - *base[s] / total);
        }
        if (e[s] > e[leading]) {
            leading = s; // ties: the sector listed first
        }
    }
    ctc["leading_sector"][c] = sectors[leading].id;
    if (complete && total > 0) {
        ctc["krugman_index"][c] = krugman;
    }
}

} // namespace

void economy_city_columns(const GeosContext& geos, const Project& project, const CheckedInputs& in,
                          const Links& links, Columns& ctc) {
    if (!project.enterprises.present()) {
        return; // nothing is known of the creative economy: null, not zero
    }
    const std::size_t ncity = in.tables.cities.rows.size();
    const bool sectored = !in.enterprise_sector.empty();
    const bool staffed = !project.enterprises.field("employees_field").empty();
    const CityCounts n = count_by_city(geos, in, links);
    const std::vector<std::optional<double>> base = base_counts(in, n);
    const auto& sectors = creative_sectors();
    for (std::size_t c = 0; c < ncity; ++c) {
        ctc["ent_total"][c] = n.creative[c];
        if (const auto& pop = in.population[c]; pop && *pop > 0) {
            ctc["ent_per_1000"][c] = static_cast<double>(n.creative[c]) / *pop * 1000.0;
        }
        if (staffed) {
            ctc["ent_employees"][c] = n.employees[c];
        }
        if (!sectored) {
            continue;
        }
        ctc["ent_other"][c] = n.other[c];
        for (std::size_t s = 0; s < sectors.size(); ++s) {
            ctc["ent_" + sectors[s].id][c] = n.by_sector[c][s];
        }
        if (n.creative[c] > 0) {
            specialisation(c, n.by_sector[c], base, ctc);
        }
    }
}

void economy_cluster_columns(const Project& project, const CheckedInputs& in, const Links& links,
                             Columns& cc) {
    if (!project.enterprises.present()) {
        return;
    }
    const auto& sectors = creative_sectors();
    for (std::size_t i = 0; i < links.cluster_enterprises.size(); ++i) {
        std::vector<std::int64_t> mix(sectors.size(), 0);
        std::int64_t near = 0;
        for (int e : links.cluster_enterprises[i]) {
            const int s = sector_of(in, static_cast<std::size_t>(e));
            if (s == kOther) {
                continue;
            }
            ++near;
            if (s >= 0) {
                ++mix[static_cast<std::size_t>(s)];
            }
        }
        cc["ent_near"][i] = near;
        if (in.enterprise_sector.empty() || near == 0) {
            continue;
        }
        // "software_it 3, design 2": the sectors present, most enterprises first (ties in
        // the sectors' order).
        std::vector<std::size_t> order(sectors.size());
        for (std::size_t s = 0; s < order.size(); ++s) {
            order[s] = s;
        }
        std::stable_sort(order.begin(), order.end(),
                         [&mix](std::size_t a, std::size_t b) { return mix[a] > mix[b]; });
        std::string text;
        for (std::size_t s : order) {
            if (mix[s] > 0) {
                text += (text.empty() ? "" : ", ") + sectors[s].id + " " + std::to_string(mix[s]);
            }
        }
        cc["ent_near_mix"][i] = text;
        cc["ent_near_leading"][i] = sectors[order.front()].id;
    }
}

} // namespace creatlas::detail
