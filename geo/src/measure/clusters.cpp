// The measure stage: the clusters layer (one row per creative cluster).
#include "levels.hpp"

#include <cmath>

namespace creatlas::detail {

namespace {

/// The attribute table's fields (all but its key) become fields of the clusters
/// layer, after the clusters' own; names that clash get the prefix
/// "cluster_attributes_".
void append_attributes(Table& clusters, const Table& attributes, const std::string& key_field,
                       const std::vector<int>& rows) {
    const int key = attributes.field_index(key_field);
    std::vector<std::size_t> take;
    for (std::size_t f = 0; f < attributes.fields.size(); ++f) {
        if (static_cast<int>(f) == key) {
            continue;
        }
        take.push_back(f);
        FieldDef def = attributes.fields[f];
        while (clusters.field_index(def.name) >= 0) {
            def.name = attributes.name + "_" + def.name;
        }
        clusters.fields.push_back(def);
    }
    for (std::size_t i = 0; i < clusters.rows.size(); ++i) {
        Row& row = clusters.rows[i];
        if (rows[i] < 0) {
            row.values.resize(clusters.fields.size());
            continue;
        }
        const Row& r = attributes.rows[static_cast<std::size_t>(rows[i])];
        for (std::size_t f : take) {
            row.values.push_back(r.values[f]);
        }
    }
}

void note_missing_fields(const Project& project, const CheckedInputs& in, RunReport& report) {
    if (in.tables.clusters.rows.empty()) {
        return;
    }
    using From = ClusterField<double>::From;
    if (in.initiator.from == ClusterField<Initiator>::From::Missing ||
        in.public_share.from == From::Missing) {
        report.notes.push_back("formation types are unknown: the clusters have no field '" +
                               (in.initiator.from == ClusterField<Initiator>::From::Missing
                                    ? project.formation.initiator_field
                                    : project.formation.public_share_field) +
                               "' ([formation] in the project file)");
    }
    if (in.opened.from == ClusterField<int>::From::Missing) {
        report.notes.push_back("age_years is null: the clusters have no field '" +
                               project.opened_field + "'");
    }
}

/// Programme zones, instruments and grant money of cluster i.
void programme_columns(std::size_t i, const CheckedInputs& in, const Links& links, const Ids& ids,
                       Columns& cc, ClusterFacts& facts) {
    const auto& zones = links.cluster_zones[i];
    cc["programme_count"][i] = static_cast<std::int64_t>(zones.size());
    cc["programme_ids"][i] = join_ids(zones, ids.programmes);
    bool used[4] = {false, false, false, false};
    double grant = 0;
    for (int z : zones) {
        if (const auto& inst = in.instrument[static_cast<std::size_t>(z)]) {
            used[static_cast<int>(*inst)] = true;
        }
        grant += in.zone_grant[static_cast<std::size_t>(z)].value_or(0.0);
    }
    std::string text;
    for (int k = 0; k < 4; ++k) {
        if (used[k]) {
            text += (text.empty() ? "" : ",") + std::string(to_string(static_cast<Instrument>(k)));
        }
    }
    cc["instruments"][i] = text;
    // Grants by key: summed first, as a cluster's own money, then added to the zones'.
    if (!links.cluster_grants[i].empty()) {
        double own = 0;
        for (int g : links.cluster_grants[i]) {
            own += in.grant_amount[static_cast<std::size_t>(g)].value_or(0.0);
        }
        grant += own;
    }
    facts.grant[i] = grant;
    cc["grant_total"][i] = grant;
}

/// City, centrality and heritage columns of cluster i.
void place_columns(const GeosContext& geos, std::size_t i, const CheckedInputs& in,
                   const Links& links, const Ids& ids, CityFrames& frames, Columns& cc,
                   ClusterFacts& facts) {
    const Row& r = in.tables.clusters.rows[i];
    facts.anchor[i] = anchor_of(geos, *r.geom);
    const CityLink& cl = links.cluster_city[i];
    if (cl.city >= 0) {
        cc["city_id"][i] = ids.cities[static_cast<std::size_t>(cl.city)];
        cc["city_link"][i] = std::string(cl.nearest ? "nearest" : "contains");
        cc["city_distance_m"][i] = cl.distance_m;
        const CityFrames::FromCentre d = frames.from_centre(cl.city, facts.anchor[i]);
        cc["dist_center_m"][i] = d.metres;
        facts.centrality[i] = d.radii;
        cc["centrality"][i] = opt_real(d.radii);
    }
    const HeritageLink& hl = links.cluster_heritage[i];
    cc["on_heritage"][i] = static_cast<std::int64_t>(hl.site >= 0 ? 1 : 0);
    cc["heritage_id"][i] = id_or_null(hl.site, ids.heritage);
    if (hl.nearest >= 0) {
        cc["nearest_heritage_m"][i] = hl.nearest_m;
    }
    if (is_areal(geos, r.geom.get())) {
        double overlap = 0;
        for (int s : links.cluster_footprints[i]) {
            overlap += frames.overlap_m2(
                cl.city, *r.geom, *in.tables.heritage.rows[static_cast<std::size_t>(s)].geom);
        }
        cc["heritage_overlap_m2"][i] = overlap;
    }
}

} // namespace

ClusterLevel measure_clusters(const GeosContext& geos, const Project& project, CheckedInputs& in,
                              const Links& links, const Ids& ids, CityFrames& frames,
                              RunReport& report) {
    Table& clusters = in.tables.clusters;
    const std::size_t nc = clusters.rows.size();
    ClusterLevel out;
    ClusterFacts& facts = out.facts;
    facts.anchor.resize(nc);
    facts.centrality.resize(nc);
    facts.type.assign(nc, 0);
    facts.grant.assign(nc, 0.0);
    Columns cc = columns_for(Level::Cluster, nc);
    note_missing_fields(project, in, report);
    const bool typed = in.initiator.from != ClusterField<Initiator>::From::Missing &&
                       in.public_share.from != ClusterField<double>::From::Missing;
    std::int64_t unknown = 0;
    for (std::size_t i = 0; i < nc; ++i) {
        cc["cluster_id"][i] = ids.clusters[i];
        place_columns(geos, i, in, links, ids, frames, cc, facts);
        programme_columns(i, in, links, ids, cc, facts);
        if (const auto y = value_of(in.opened, i, links)) {
            cc["age_years"][i] = static_cast<std::int64_t>(project.reference_year) - *y;
            cc["opened_year"][i] = static_cast<std::int64_t>(*y);
        }
        if (const auto y = value_of(in.closed, i, links)) {
            cc["closed_year"][i] = static_cast<std::int64_t>(*y);
        }
        Formation f;
        if (typed) {
            f = classify_formation(value_of(in.initiator, i, links),
                                   value_of(in.public_share, i, links), project.formation);
        }
        facts.type[i] = f.type;
        if (f.type > 0) {
            cc["formation_type"][i] = static_cast<std::int64_t>(f.type);
        } else {
            ++unknown;
        }
        cc["formation_label"][i] = std::string(f.label);
    }
    economy_cluster_columns(project, in, links, cc);
    if (unknown > 0) {
        report.notes.push_back(std::to_string(unknown) +
                               " cluster(s) have an unknown formation type (missing or "
                               "unrecognised initiator or public share)");
    }
    if (project.cluster_attributes.present()) {
        append_attributes(clusters, in.tables.cluster_attributes,
                          project.cluster_attributes.field("key_field"), links.cluster_attributes);
    }
    out.table = assemble(Level::Cluster, cc, std::move(clusters), {project.clusters.id_field});
    return out;
}

} // namespace creatlas::detail
