// The link stage as a whole: every relation between the inputs (link.hpp).
#include "creatlas/link.hpp"

#include "creatlas/check.hpp"
#include "creatlas/project.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <future>
#include <memory>

namespace creatlas {

namespace {

/// The key joins: clusters ← attributes and grants, heritage sites ← overrides.
void link_by_key(const CheckedInputs& in, const Project& project, Links& links, RunReport& report) {
    const Inputs& t = in.tables;
    std::string cluster_key = project.clusters.field("key_field");
    if (cluster_key.empty()) {
        cluster_key = project.clusters.id_field;
    }
    links.cluster_attributes.assign(t.clusters.rows.size(), -1);
    links.cluster_grants.resize(t.clusters.rows.size());
    links.heritage_override.assign(t.heritage.rows.size(), -1);
    if (project.cluster_attributes.present()) {
        KeyMatch m = match_keys(t.clusters, cluster_key, t.cluster_attributes,
                                project.cluster_attributes.field("key_field"));
        for (std::size_t i = 0; i < m.rows.size(); ++i) {
            if (!m.rows[i].empty()) {
                links.cluster_attributes[i] = m.rows[i].front(); // keys there are unique
            }
        }
        report.key_links.push_back(std::move(m.report));
    }
    if (project.grants.present()) {
        KeyMatch m =
            match_keys(t.clusters, cluster_key, t.grants, project.grants.field("key_field"),
                       {.list_unmatched_left = false, .count_right = true});
        links.cluster_grants = std::move(m.rows);
        report.key_links.push_back(std::move(m.report));
    }
    if (project.heritage_overrides.present()) {
        KeyMatch m = match_keys(t.heritage, project.heritage.id_field, t.heritage_overrides,
                                project.heritage_overrides.field("key_field"),
                                {.list_unmatched_left = false, .count_right = true});
        for (std::size_t i = 0; i < m.rows.size(); ++i) {
            if (!m.rows[i].empty()) {
                links.heritage_override[i] = m.rows[i].front(); // keys there are unique
            }
        }
        report.key_links.push_back(std::move(m.report));
    }
}

/// Per polygon cluster, the heritage footprints it overlaps.
std::vector<std::vector<int>> footprints_under(const GeosContext& geos, const Table& clusters,
                                               const SpatialIndex& heritage) {
    std::vector<std::vector<int>> out(clusters.rows.size());
    for (std::size_t i = 0; i < clusters.rows.size(); ++i) {
        const GEOSGeometry* g = clusters.rows[i].geom.get();
        if (!is_areal(geos, g)) {
            continue;
        }
        for (int s : heritage.query(*g)) {
            const GEOSGeometry* sg = heritage.table().rows[static_cast<std::size_t>(s)].geom.get();
            if (is_areal(geos, sg) && GEOSIntersects_r(geos.handle(), g, sg) == 1) {
                out[i].push_back(s);
            }
        }
    }
    return out;
}

template <class T, class Pred> std::int64_t count(const std::vector<T>& v, Pred pred) {
    return static_cast<std::int64_t>(std::count_if(v.begin(), v.end(), pred));
}

void count_links(const Links& l, RunReport& report) {
    auto in_city = [](const CityLink& c) { return c.city >= 0 && !c.nearest; };
    auto nearest_city = [](const CityLink& c) { return c.city >= 0 && c.nearest; };
    auto any_city = [](const CityLink& c) { return c.city >= 0; };
    auto some = [](const std::vector<int>& z) { return !z.empty(); };
    report.links["clusters_in_city"] = count(l.cluster_city, in_city);
    report.links["clusters_nearest_city"] = count(l.cluster_city, nearest_city);
    report.links["clusters_without_city"] =
        count(l.cluster_city, [](const CityLink& c) { return c.city < 0; });
    report.links["clusters_on_heritage"] =
        count(l.cluster_heritage, [](const HeritageLink& h) { return h.site >= 0; });
    report.links["clusters_in_programmes"] = count(l.cluster_zones, some);
    report.links["heritage_in_city"] = count(l.heritage_city, any_city);
    report.links["heritage_in_programmes"] = count(l.heritage_zones, some);
    if (!l.enterprise_city.empty()) {
        report.links["enterprises_in_city"] = count(l.enterprise_city, in_city);
        report.links["clusters_with_enterprises_near"] = count(l.cluster_enterprises, some);
    }
}

} // namespace

Links link_inputs(const GeosContext& geos, CheckedInputs& in, const Project& project,
                  RunReport& report, const Progress& progress) {
    Inputs& t = in.tables;
    Links links;
    if (project.city_areas.present()) {
        report.links["cities_with_area"] =
            assign_city_areas(geos, t.cities, t.city_areas, in.population, report.notes);
    }
    link_by_key(in, project, links, report);
    report.mark("link: keys");

    progress.update(0.0, "link");
    // The enterprises' index, the largest, is built on a thread of its own, in a GEOS
    // context of its own (which its queries then use, on this thread), while this
    // thread builds the others; it is waited for before any link reads the
    // enterprises (building it caches their envelopes).
    const GeosContext enterprise_geos;
    std::future<std::unique_ptr<SpatialIndex>> enterprise_build;
    if (!t.enterprises.rows.empty()) {
        enterprise_build = std::async(std::launch::async, [&enterprise_geos, &t] {
            return std::make_unique<SpatialIndex>(enterprise_geos, t.enterprises);
        });
    }
    const SpatialIndex city_index(geos, t.cities);
    const SpatialIndex heritage_index(geos, t.heritage);
    const SpatialIndex zone_index(geos, t.programmes);
    const SpatialIndex cluster_index(geos, t.clusters);
    const std::unique_ptr<SpatialIndex> enterprise_index =
        enterprise_build.valid() ? enterprise_build.get() : nullptr;
    report.mark("link: indexes");
    // The per-feature links split across cores (parallel.hpp); each worker indexes its
    // own copy of the cities or zones.
    const double max_d = project.city_max_distance_m;
    auto cities_of = [max_d](const Table& features) {
        return [&features, max_d](const GeosContext& g, const SpatialIndex& idx, RowRange r) {
            return link_to_cities(g, features, idx, max_d, r);
        };
    };
    auto zones_of = [](const Table& features) {
        return [&features](const GeosContext& g, const SpatialIndex& idx, RowRange r) {
            return link_to_zones(g, features, idx, r);
        };
    };
    links.cluster_city =
        detail::parallel_link<CityLink>(geos, t.clusters, city_index, cities_of(t.clusters));
    progress.update(0.15, "link clusters to cities");
    links.heritage_city =
        detail::parallel_link<CityLink>(geos, t.heritage, city_index, cities_of(t.heritage));
    progress.update(0.35, "link heritage to cities");
    report.mark("link: heritage to cities");
    // Each cluster's nearest site looks at every site within a few kilometres (hundreds
    // where sites are dense): costly rows, split from a few on.
    const double snap_m = project.heritage_snap_m;
    links.cluster_heritage = detail::parallel_link<HeritageLink>(
        geos, t.clusters, heritage_index,
        [&t, snap_m](const GeosContext& g, const SpatialIndex& idx, RowRange r) {
            return link_to_heritage(g, t.clusters, idx, snap_m, r);
        },
        detail::kParallelCostlyRows);
    links.cluster_footprints = footprints_under(geos, t.clusters, heritage_index);
    progress.update(0.45, "link clusters to heritage");
    links.cluster_zones =
        detail::parallel_link<std::vector<int>>(geos, t.clusters, zone_index, zones_of(t.clusters));
    links.heritage_zones =
        detail::parallel_link<std::vector<int>>(geos, t.heritage, zone_index, zones_of(t.heritage));
    // Cities are polygons: each one's zones cost a prepared polygon test per zone near it.
    links.city_zones = detail::parallel_link<std::vector<int>>(
        geos, t.cities, zone_index, zones_of(t.cities), detail::kParallelCostlyRows);
    progress.update(0.6, "link to programme zones");
    report.mark("link: zones");
    links.enterprise_city =
        detail::parallel_link<CityLink>(geos, t.enterprises, city_index, cities_of(t.enterprises));
    progress.update(0.8, "link enterprises to cities");
    links.site_nearest_cluster = detail::parallel_link<Nearest>(
        geos, t.heritage, cluster_index,
        [&t](const GeosContext& g, const SpatialIndex& idx, RowRange r) {
            return nearest_each(g, t.heritage, idx, r);
        });
    if (enterprise_index) {
        links.cluster_enterprises =
            link_within(geos, t.clusters, *enterprise_index, project.enterprise_radius_m);
    } else {
        links.cluster_enterprises.resize(t.clusters.rows.size());
    }
    report.mark("link: enterprises to cities and clusters, sites to nearest clusters");
    count_links(links, report);
    progress.update(1.0, "link");
    return links;
}

} // namespace creatlas
