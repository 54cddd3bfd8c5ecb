// The measure stage: the city_years layer (one row per city and year) and the summary
// of each city's trajectory on the cities layer.
//
// Time in the inputs is checked years (check.hpp): a cluster's opened and closed
// years, a programme zone's start and end years, a grant's year. A cluster is open
// at the end of year y when it opened in or before y and has not closed by then
// (closed_year > y); a zone runs from its start year through its end year; an
// industrial site counts as re-used from the earliest opening of the clusters on it
// on, and stays re-used after they close (re-used *so far*). Things without a year
// are left out of the series (and noted), since they cannot be placed in time.
#include "levels.hpp"

#include <algorithm>

namespace creatlas::detail {

namespace {

using Series = Trajectories::Series;

template <class T> std::optional<T> at_or_null(const std::vector<std::optional<T>>& v, int i) {
    return i >= 0 && static_cast<std::size_t>(i) < v.size() ? v[static_cast<std::size_t>(i)]
                                                            : std::nullopt;
}

/// The first year of any dated activity linked to a city; nullopt when nothing is dated.
std::optional<int> first_year(const CheckedInputs& in, const Links& links) {
    std::optional<int> first;
    auto take = [&first](std::optional<int> y) {
        if (y && (!first || *y < *first)) {
            first = y;
        }
    };
    for (std::size_t i = 0; i < links.cluster_city.size(); ++i) {
        if (links.cluster_city[i].city < 0) {
            continue;
        }
        take(value_of(in.opened, i, links));
        if (i < links.cluster_grants.size()) {
            for (int g : links.cluster_grants[i]) {
                take(at_or_null(in.grant_year, g));
            }
        }
    }
    for (const auto& zones : links.city_zones) {
        for (int z : zones) {
            take(at_or_null(in.zone_start, z));
        }
    }
    return first;
}

/// Is any zone reaching cluster i running in `year`?
bool covered(const CheckedInputs& in, const Links& links, std::size_t i, int year) {
    return std::ranges::any_of(links.cluster_zones[i], [&in, year](int z) {
        const auto start = at_or_null(in.zone_start, z);
        const auto end = at_or_null(in.zone_end, z);
        return start && *start <= year && (!end || year <= *end);
    });
}

/// Clusters open, opened and closed, by type, and those reached by a running programme.
void trace_clusters(const Project& project, const CheckedInputs& in, const Links& links,
                    const ClusterFacts& cf, Trajectories& t, RunReport& report) {
    std::int64_t undated = 0;
    for (std::size_t i = 0; i < links.cluster_city.size(); ++i) {
        const int c = links.cluster_city[i].city;
        const auto opened = value_of(in.opened, i, links);
        if (c < 0) {
            continue;
        }
        if (!opened) {
            ++undated;
            continue;
        }
        const auto ci = static_cast<std::size_t>(c);
        if (!t.first_opened[ci] || *opened < *t.first_opened[ci]) {
            t.first_opened[ci] = opened;
        }
        if (*opened > project.reference_year - 5) {
            ++t.opened_last5[ci];
        }
        Series& s = t.city[ci];
        const int o = *opened - t.first;
        ++s.opened[static_cast<std::size_t>(o)];
        const auto closed = value_of(in.closed, i, links);
        if (closed && *closed >= t.first) {
            ++s.closed[static_cast<std::size_t>(*closed - t.first)];
        }
        const int end = closed ? std::min(*closed - t.first, t.years) : t.years; // exclusive
        const auto type = static_cast<std::size_t>(i < cf.type.size() ? cf.type[i] : 0);
        for (int y = o; y < end; ++y) {
            const auto k = static_cast<std::size_t>(y);
            ++s.open[k];
            ++s.types[type][k];
            if (covered(in, links, i, t.first + y)) {
                ++s.covered[k];
            }
        }
    }
    if (undated > 0) {
        report.notes.push_back("city_years: " + std::to_string(undated) +
                               " cluster(s) without an opening year ('" + project.opened_field +
                               "') are left out of the series");
    }
}

/// Industrial sites re-used so far: each from the earliest opening of the clusters on it.
void trace_heritage(const CheckedInputs& in, const Links& links, const HeritageFacts& h,
                    Trajectories& t) {
    std::vector<std::optional<int>> since(h.industrial.size());
    for (std::size_t i = 0; i < links.cluster_heritage.size(); ++i) {
        const int site = links.cluster_heritage[i].site;
        const auto opened = value_of(in.opened, i, links);
        if (site < 0 || !opened) {
            continue;
        }
        auto& y = since[static_cast<std::size_t>(site)];
        if (!y || *opened < *y) {
            y = opened;
        }
    }
    for (std::size_t s = 0; s < h.industrial.size(); ++s) {
        const int c = links.heritage_city[s].city;
        if (c < 0 || !h.industrial[s]) {
            continue;
        }
        ++t.ih_count[static_cast<std::size_t>(c)];
        if (since[s] && t.years > 0) {
            // A cluster outside every city may predate the span: the site counts from its start.
            const int y = std::max(*since[s] - t.first, 0);
            ++t.city[static_cast<std::size_t>(c)].reused[static_cast<std::size_t>(y)];
        }
    }
    for (Series& s : t.city) {
        for (std::size_t y = 1; y < s.reused.size(); ++y) {
            s.reused[y] += s.reused[y - 1];
        }
    }
}

/// Programme zones running in each city, and the grants to its clusters, by year.
void trace_zones_and_grants(const Project& project, const CheckedInputs& in, const Links& links,
                            Trajectories& t, RunReport& report) {
    std::int64_t undated = 0;
    for (std::size_t c = 0; c < links.city_zones.size() && c < t.city.size(); ++c) {
        for (int z : links.city_zones[c]) {
            const auto start = at_or_null(in.zone_start, z);
            if (!start) {
                ++undated;
                continue;
            }
            const int last = std::min(at_or_null(in.zone_end, z).value_or(project.reference_year),
                                      project.reference_year);
            for (int y = *start; y <= last; ++y) {
                ++t.city[c].zones[static_cast<std::size_t>(y - t.first)];
            }
        }
    }
    if (t.zones_known && undated > 0) {
        report.notes.push_back("city_years: " + std::to_string(undated) +
                               " programme zone(s) of a city without a start year are left out "
                               "of programmes_active");
    }
    for (std::size_t i = 0; i < links.cluster_city.size() && i < links.cluster_grants.size(); ++i) {
        const int c = links.cluster_city[i].city;
        if (c < 0) {
            continue;
        }
        for (int g : links.cluster_grants[i]) {
            if (const auto year = at_or_null(in.grant_year, g)) {
                const auto k = static_cast<std::size_t>(*year - t.first);
                Series& s = t.city[static_cast<std::size_t>(c)];
                ++s.grants[k];
                s.grant_rub[k] += at_or_null(in.grant_amount, g).value_or(0.0);
            }
        }
    }
}

} // namespace

Trajectories trace_cities(const Project& project, const CheckedInputs& in, const Links& links,
                          const ClusterFacts& clusters, const HeritageFacts& heritage,
                          RunReport& report) {
    const std::size_t ncity = in.tables.cities.rows.size();
    Trajectories t;
    t.clusters_known =
        project.clusters.present() && in.opened.from != ClusterField<int>::From::Missing;
    t.zones_known = in.zone_years_known;
    t.grants_known = in.grant_years_known;
    t.ih_count.assign(ncity, 0);
    t.first_opened.resize(ncity);
    t.opened_last5.assign(ncity, 0);
    if (const auto first = first_year(in, links)) {
        t.first = *first;
        t.years = project.reference_year - *first + 1;
    }
    const auto ny = static_cast<std::size_t>(t.years);
    Series empty;
    for (auto* v : {&empty.open, &empty.opened, &empty.closed, &empty.reused, &empty.zones,
                    &empty.covered, &empty.grants}) {
        v->assign(ny, 0);
    }
    empty.grant_rub.assign(ny, 0.0);
    for (auto& v : empty.types) {
        v.assign(ny, 0);
    }
    t.city.assign(ncity, empty);
    if (t.years > 0) {
        trace_clusters(project, in, links, clusters, t, report);
        trace_zones_and_grants(project, in, links, t, report);
    } else if (ncity > 0) {
        report.notes.emplace_back("city_years is empty: no cluster, programme or grant of a "
                                  "city has a year");
    }
    trace_heritage(in, links, heritage, t);
    return t;
}

void trajectory_columns(std::size_t c, const Project& project, const Trajectories& t,
                        Columns& ctc) {
    if (!t.clusters_known) {
        return;
    }
    if (const auto first = t.first_opened[c]) {
        ctc["first_cluster_year"][c] = static_cast<std::int64_t>(*first);
        ctc["years_since_first"][c] = static_cast<std::int64_t>(project.reference_year - *first);
    }
    ctc["opened_per_year_5y"][c] = static_cast<double>(t.opened_last5[c]) / 5.0;
    const std::int64_t count = t.ih_count[c];
    if (count == 0) {
        return;
    }
    const auto& reused = t.city[c].reused;
    // Integer comparisons: rate ≥ 1/4 ⇔ 4·reused ≥ count, exactly.
    for (std::size_t y = 0; y < reused.size(); ++y) {
        const auto year = static_cast<std::int64_t>(t.first) + static_cast<std::int64_t>(y);
        if (is_null(ctc["year_rate_25"][c]) && 4 * reused[y] >= count) {
            ctc["year_rate_25"][c] = year;
        }
        if (is_null(ctc["year_rate_50"][c]) && 2 * reused[y] >= count) {
            ctc["year_rate_50"][c] = year;
        }
    }
}

namespace {

/// Row r (city c, year index y) of the city_years columns.
void city_year_row(std::size_t r, std::size_t c, std::size_t y, const Trajectories& t,
                   const Ids& ids, std::vector<std::int64_t>& grants_cum,
                   std::vector<double>& rub_cum, Columns& cols) {
    const Series& s = t.city[c];
    cols["city_id"][r] = ids.cities[c];
    cols["year"][r] = static_cast<std::int64_t>(t.first) + static_cast<std::int64_t>(y);
    cols["ih_count"][r] = t.ih_count[c];
    if (t.clusters_known) {
        cols["clusters_open"][r] = s.open[y];
        cols["clusters_opened"][r] = s.opened[y];
        cols["clusters_closed"][r] = s.closed[y];
        cols["ih_reused"][r] = s.reused[y];
        if (t.ih_count[c] > 0) {
            cols["ih_transformation_rate"][r] =
                static_cast<double>(s.reused[y]) / static_cast<double>(t.ih_count[c]);
        }
        if (t.zones_known && s.open[y] > 0) {
            cols["programme_coverage"][r] =
                static_cast<double>(s.covered[y]) / static_cast<double>(s.open[y]);
        }
        std::array<std::int64_t, 6> types{};
        for (std::size_t k = 0; k < types.size(); ++k) {
            types[k] = s.types[k][y];
        }
        type_columns(r, types, cols);
    }
    if (t.zones_known) {
        cols["programmes_active"][r] = s.zones[y];
    }
    if (t.grants_known) {
        grants_cum[c] += s.grants[y];
        rub_cum[c] += s.grant_rub[y];
        cols["grants_year"][r] = s.grants[y];
        cols["grants_cum"][r] = grants_cum[c];
        cols["grant_rub_year"][r] = s.grant_rub[y];
        cols["grant_rub_cum"][r] = rub_cum[c];
    }
}

} // namespace

Table measure_city_years(const GeosContext& geos, const Trajectories& t, const Ids& ids,
                         const Table& cities) {
    const std::size_t ncity = t.city.size();
    const auto ny = static_cast<std::size_t>(t.years);
    Columns cols = columns_for(Level::CityYear, ncity * ny);
    Table rows;
    rows.name = layer_name(Level::CityYear);
    rows.source = cities.source;
    rows.layer = cities.layer;
    rows.rows.reserve(ncity * ny);
    std::vector<std::int64_t> grants_cum(ncity, 0);
    std::vector<double> rub_cum(ncity, 0.0);
    for (std::size_t c = 0; c < ncity; ++c) {
        const GEOSGeometry* g = c < cities.rows.size() ? cities.rows[c].geom.get() : nullptr;
        for (std::size_t y = 0; y < ny; ++y) {
            const std::size_t r = c * ny + y;
            city_year_row(r, c, y, t, ids, grants_cum, rub_cum, cols);
            Row row;
            row.fid = static_cast<std::int64_t>(r + 1);
            if (g != nullptr) {
                row.geom = geos.clone(*g);
            }
            rows.rows.push_back(std::move(row));
        }
    }
    return assemble(Level::CityYear, cols, std::move(rows));
}

} // namespace creatlas::detail
