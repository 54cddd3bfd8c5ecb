// The measure stage: spatial links and every indicator of the catalogue.
#include "creatlas/measure.hpp"

#include "creatlas/error.hpp"
#include "creatlas/geodesy.hpp"
#include "creatlas/industrial.hpp"
#include "creatlas/stats.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <unordered_map>

namespace creatlas {

Formation classify_formation(const std::string& initiator, std::optional<double> share,
                             const FormationParams& p) {
    auto in = [](const std::string& v, const std::vector<std::string>& list) {
        return std::any_of(list.begin(), list.end(),
                           [&v](const std::string& s) { return normalise_key(s) == v; });
    };
    const std::string who = normalise_key(initiator);
    if (share && (*share < 0.0 || *share > 1.0 || std::isnan(*share))) {
        return {};
    }
    if (in(who, p.joint_values)) {
        return {3, "partnership"};
    }
    if (!share) {
        return {};
    }
    if (in(who, p.private_values)) {
        if (*share <= 0.0) {
            return {1, "initiative"};
        }
        if (*share < p.support_share) {
            return {2, "initiative, supported"};
        }
        return {3, "partnership"};
    }
    if (in(who, p.public_values)) {
        if (*share >= p.dependent_share) {
            return {5, "dependent"};
        }
        return {4, "public-led"};
    }
    return {};
}

bool has_industrial_keyword(const std::string& name, const std::vector<std::string>& keywords) {
    const std::string text = normalise_key(name);
    for (const auto& kw : keywords) {
        const std::string k = normalise_key(kw);
        if (k.empty()) {
            continue;
        }
        // Russian names compound their words («хлебозавод», «гидроэлектростанция»), so
        // Cyrillic keywords match anywhere; Latin ones only at the start of a word, so
        // that "works" does not match "fireworks".
        const bool anywhere = static_cast<unsigned char>(k[0]) >= 0x80;
        for (std::size_t pos = text.find(k); pos != std::string::npos;
             pos = text.find(k, pos + 1)) {
            if (anywhere || pos == 0) {
                return true;
            }
            const auto prev = static_cast<unsigned char>(text[pos - 1]);
            if (prev < 0x80 && std::isalnum(prev) == 0) {
                return true;
            }
        }
    }
    return false;
}

namespace {

using Column = std::vector<Value>;
using Columns = std::map<std::string, Column>;

struct Anchor {
    double lon = 0;
    double lat = 0;
};

Anchor anchor_of(const GeosContext& geos, const GEOSGeometry& g) {
    GEOSContextHandle_t h = geos.handle();
    GeomPtr p = GEOSGeomTypeId_r(h, &g) == GEOS_POINT ? geos.clone(g)
                                                      : geos.own(GEOSPointOnSurface_r(h, &g));
    Anchor a;
    GEOSGeomGetX_r(h, p.get(), &a.lon);
    GEOSGeomGetY_r(h, p.get(), &a.lat);
    return a;
}

bool is_areal(const GeosContext& geos, const GEOSGeometry* g) {
    if (g == nullptr) {
        return false;
    }
    const int t = GEOSGeomTypeId_r(geos.handle(), g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

std::vector<std::string> ids_of(const Table& t, const std::string& id_field) {
    std::vector<std::string> out;
    out.reserve(t.rows.size());
    const int idx = id_field.empty() ? -1 : t.field_index(id_field);
    for (const auto& r : t.rows) {
        out.push_back(idx < 0 ? std::to_string(r.fid)
                              : as_text(r.values[static_cast<std::size_t>(idx)]));
    }
    return out;
}

Value opt_real(std::optional<double> v) {
    return v ? Value(*v) : Value(std::monostate{});
}

Value id_or_null(int row, const std::vector<std::string>& ids) {
    return row < 0 ? Value(std::monostate{}) : Value(ids[static_cast<std::size_t>(row)]);
}

bool truthy(const Value& v) {
    if (auto n = as_number(v)) {
        return *n != 0.0;
    }
    const std::string s = normalise_key(as_text(v));
    return s == "yes" || s == "true" || s == "y" || s == "да" || s == "t";
}

/// Per-city geometry facts, and local equal-area frames made on demand.
class CityFrames {
public:
    CityFrames(const GeosContext& geos, const Table& cities, const Project& project)
        : geos_(geos), frames_(cities.rows.size()) {
        const int cx = cities.field_index(project.cities.field("centre_x_field"));
        const int cy = cities.field_index(project.cities.field("centre_y_field"));
        centres_.resize(cities.rows.size());
        areas_.resize(cities.rows.size());
        for (std::size_t i = 0; i < cities.rows.size(); ++i) {
            const Row& r = cities.rows[i];
            std::optional<double> x;
            std::optional<double> y;
            if (cx >= 0 && cy >= 0) {
                x = as_number(r.values[static_cast<std::size_t>(cx)]);
                y = as_number(r.values[static_cast<std::size_t>(cy)]);
            }
            if (x && y) {
                centres_[i] = {*x, *y};
            } else if (r.geom) {
                centres_[i] = anchor_of(geos, *r.geom);
            }
            if (is_areal(geos, r.geom.get())) {
                areas_[i] = frame(static_cast<int>(i)).area_m2(geos, *r.geom);
            }
        }
    }
    const Anchor& centre(int city) const { return centres_[static_cast<std::size_t>(city)]; }
    /// City area in m² (nullopt for point cities).
    std::optional<double> area(int city) const { return areas_[static_cast<std::size_t>(city)]; }
    /// The city's frame, centred on its centre.
    const LocalFrame& frame(int city) {
        auto& f = frames_[static_cast<std::size_t>(city)];
        if (!f) {
            const Anchor& c = centres_[static_cast<std::size_t>(city)];
            f = std::make_unique<LocalFrame>(c.lon, c.lat);
        }
        return *f;
    }
    /// Frame for a feature: its city's, or one centred on the feature itself.
    double area_m2(int city, const GEOSGeometry& g) {
        if (city >= 0) {
            return frame(city).area_m2(geos_, g);
        }
        const Anchor a = anchor_of(geos_, g);
        return LocalFrame(a.lon, a.lat).area_m2(geos_, g);
    }
    double overlap_m2(int city, const GEOSGeometry& a, const GEOSGeometry& b) {
        std::unique_ptr<LocalFrame> own;
        const LocalFrame* f = nullptr;
        if (city >= 0) {
            f = &frame(city);
        } else {
            const Anchor c = anchor_of(geos_, a);
            own = std::make_unique<LocalFrame>(c.lon, c.lat);
            f = own.get();
        }
        GeomPtr la = f->forward(geos_, a);
        GeomPtr lb = f->forward(geos_, b);
        GeomPtr x = geos_.own(GEOSIntersection_r(geos_.handle(), la.get(), lb.get()));
        double area = 0;
        GEOSArea_r(geos_.handle(), x.get(), &area);
        return area;
    }

private:
    const GeosContext& geos_;
    std::vector<Anchor> centres_;
    std::vector<std::optional<double>> areas_;
    std::vector<std::unique_ptr<LocalFrame>> frames_;
};

/// Output table of one level: catalogue fields first, then the input's own fields.
/// `absorbed`: input fields that are the source of a catalogue field of the same name
/// (e.g. id_field "cluster_id"): they are not written twice.
Table assemble(Level level, Columns& cols, Table&& input,
               const std::set<std::string>& absorbed = {}) {
    Table out;
    out.name = layer_name(level);
    out.source = input.source;
    out.layer = input.layer;
    std::vector<Column*> order;
    std::set<std::string> names;
    for (const auto& ind : indicator_catalogue()) {
        if (ind.level != level) {
            continue;
        }
        auto it = cols.find(ind.id);
        if (it == cols.end()) {
            throw Error(ErrorKind::Internal,
                        "indicator '" + ind.id + "' of " + out.name + " was not computed");
        }
        out.fields.push_back({ind.id, ind.type});
        names.insert(ind.id);
        order.push_back(&it->second);
    }
    if (order.size() != cols.size()) {
        throw Error(ErrorKind::Internal,
                    "a computed field of " + out.name + " is missing from the indicator catalogue");
    }
    std::vector<bool> keep(input.fields.size(), true);
    for (std::size_t k = 0; k < input.fields.size(); ++k) {
        const FieldDef& f = input.fields[k];
        if (absorbed.contains(f.name) && names.contains(f.name)) {
            keep[k] = false;
            continue;
        }
        FieldDef def = f;
        while (names.contains(def.name)) {
            def.name = "src_" + def.name;
        }
        names.insert(def.name);
        out.fields.push_back(def);
    }
    out.rows.reserve(input.rows.size());
    for (std::size_t i = 0; i < input.rows.size(); ++i) {
        Row& in = input.rows[i];
        Row row;
        row.fid = in.fid;
        row.geom = std::move(in.geom);
        row.values.reserve(out.fields.size());
        for (Column* c : order) {
            row.values.push_back(std::move((*c)[i]));
        }
        for (std::size_t k = 0; k < in.values.size() && k < keep.size(); ++k) {
            if (keep[k]) {
                row.values.push_back(std::move(in.values[k]));
            }
        }
        row.values.resize(out.fields.size());
        out.rows.push_back(std::move(row));
    }
    return out;
}

/// The polygons of an intersection result (which may hold lines or points where two
/// shapes only touch); null when it has no area.
GeomPtr polygonal_part(const GeosContext& geos, GeomPtr g) {
    GEOSContextHandle_t h = geos.handle();
    if (is_areal(geos, g.get())) {
        return g;
    }
    if (GEOSGeomTypeId_r(h, g.get()) != GEOS_GEOMETRYCOLLECTION) {
        return GeomPtr(nullptr, GeomDeleter{h});
    }
    std::vector<GEOSGeometry*> parts;
    const int n = GEOSGetNumGeometries_r(h, g.get());
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(h, g.get(), i);
        if (GEOSGeomTypeId_r(h, part) == GEOS_POLYGON) {
            parts.push_back(GEOSGeom_clone_r(h, part));
        }
    }
    if (parts.empty()) {
        return GeomPtr(nullptr, GeomDeleter{h});
    }
    return geos.own(GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(),
                                                static_cast<unsigned int>(parts.size())));
}

/// When `t` mixes point and polygon geometries, move its polygons to a companion
/// footprint table (first field: the layer's id field) and leave points on their surface.
std::optional<Table> split_mixed(const GeosContext& geos, Table& t) {
    bool points = false;
    bool areas = false;
    for (const auto& r : t.rows) {
        if (r.geom) {
            (is_areal(geos, r.geom.get()) ? areas : points) = true;
        }
    }
    if (!points || !areas) {
        return std::nullopt;
    }
    Table f;
    f.name = t.name + "_footprints";
    f.source = t.source;
    f.layer = t.layer;
    f.fields.push_back(t.fields.front());
    for (auto& r : t.rows) {
        if (!is_areal(geos, r.geom.get())) {
            continue;
        }
        Row fr;
        fr.fid = r.fid;
        fr.values.push_back(r.values.front());
        GeomPtr anchor = geos.own(GEOSPointOnSurface_r(geos.handle(), r.geom.get()));
        fr.geom = std::move(r.geom);
        r.geom = std::move(anchor);
        f.rows.push_back(std::move(fr));
    }
    return f;
}

std::string join_ids(const std::vector<int>& rows, const std::vector<std::string>& ids) {
    std::string out;
    for (int r : rows) {
        out += (out.empty() ? "" : ",") + ids[static_cast<std::size_t>(r)];
    }
    return out;
}

} // namespace

AtlasLayers measure_atlas(const GeosContext& geos, const Project& project, AtlasInputs in,
                          RunReport& report, const Progress& progress) {
    GEOSContextHandle_t h = geos.handle();
    Table& cities = in.cities;
    Table& clusters = in.clusters;
    Table& heritage = in.heritage;
    Table& programmes = in.programmes;
    const std::size_t nc = clusters.rows.size();
    const std::size_t nh = heritage.rows.size();
    const std::size_t ncity = cities.rows.size();
    const std::size_t np = programmes.rows.size();

    const auto city_ids = ids_of(cities, project.cities.id_field);
    const auto cluster_ids = ids_of(clusters, project.clusters.id_field);
    const auto heritage_ids = ids_of(heritage, project.heritage.id_field);
    const auto programme_ids = ids_of(programmes, project.programmes.id_field);

    // --- link by location -------------------------------------------------
    progress.update(0.0, "link");
    SpatialIndex city_index(geos, cities);
    SpatialIndex heritage_index(geos, heritage);
    SpatialIndex zone_index(geos, programmes);
    SpatialIndex cluster_index(geos, clusters);
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
    const auto cluster_city =
        detail::parallel_link<CityLink>(geos, clusters, city_index, cities_of(clusters));
    progress.update(0.1, "link clusters to cities");
    const auto heritage_city =
        detail::parallel_link<CityLink>(geos, heritage, city_index, cities_of(heritage));
    progress.update(0.2, "link heritage to cities");
    report.mark("link: heritage to cities");
    const auto cluster_heritage =
        link_to_heritage(geos, clusters, heritage_index, project.heritage_snap_m);
    progress.update(0.3, "link clusters to heritage");
    const auto cluster_zones =
        detail::parallel_link<std::vector<int>>(geos, clusters, zone_index, zones_of(clusters));
    const auto heritage_zones =
        detail::parallel_link<std::vector<int>>(geos, heritage, zone_index, zones_of(heritage));
    report.mark("link: zones");
    // Enterprises are linked now, while the city index's table is intact.
    const auto enterprise_city = detail::parallel_link<CityLink>(geos, in.enterprises, city_index,
                                                                 cities_of(in.enterprises));
    // Every heritage site's nearest cluster, at any distance.
    const auto site_nearest_cluster = detail::parallel_link<Nearest>(
        geos, heritage, cluster_index,
        [&heritage](const GeosContext& g, const SpatialIndex& idx, RowRange r) {
            return nearest_each(g, heritage, idx, r);
        });
    progress.update(0.4, "link to programme zones");
    report.mark("link: enterprises to cities, sites to nearest clusters");

    CityFrames frames(geos, cities, project);

    // --- programmes ---------------------------------------------------------
    std::vector<std::string> instrument(np);
    std::vector<std::optional<double>> zone_grant(np);
    {
        const std::string ifield = project.programmes.field("instrument_field");
        const int ii =
            np > 0 ? programmes.require_field(ifield, "instrument_field of [programmes]") : -1;
        const std::string gfield = project.programmes.field("grant_field");
        const int gi = gfield.empty() ? -1 : programmes.field_index(gfield);
        static const std::set<std::string> known{"space", "cluster", "grant", "export"};
        for (std::size_t z = 0; z < np; ++z) {
            const Row& r = programmes.rows[z];
            const std::string v = normalise_key(as_text(r.values[static_cast<std::size_t>(ii)]));
            if (!known.contains(v)) {
                throw_bad_input("instrument '" + as_text(r.values[static_cast<std::size_t>(ii)]) +
                                    "' is not one of space, cluster, grant, export",
                                {programmes.source, programmes.layer, r.fid, ifield});
            }
            instrument[z] = v;
            if (gi >= 0) {
                const Value& gv = r.values[static_cast<std::size_t>(gi)];
                if (!is_null(gv)) {
                    auto n = as_number(gv);
                    if (!n) {
                        throw_bad_input("grant amount is not a number: '" + as_text(gv) + "'",
                                        {programmes.source, programmes.layer, r.fid, gfield});
                    }
                    zone_grant[z] = *n;
                }
            }
        }
    }

    // --- grants by key ------------------------------------------------------
    std::unordered_map<std::string, double> grants_by_key;
    std::string cluster_key_field = project.clusters.field("key_field");
    if (cluster_key_field.empty()) {
        cluster_key_field = project.clusters.id_field;
    }
    const auto cluster_keys_raw = ids_of(clusters, cluster_key_field);
    if (in.grants != nullptr) {
        const Table& g = *in.grants;
        const std::string kf = project.grants.field("key_field");
        const std::string af = project.grants.field("amount_field");
        const int ki = g.require_field(kf, "key_field of [grants]");
        const int ai = g.require_field(af, "amount_field of [grants]");
        for (const auto& r : g.rows) {
            const Value& av = r.values[static_cast<std::size_t>(ai)];
            auto amount = as_number(av);
            if (!amount) {
                throw_bad_input("grant amount is not a number: '" + as_text(av) + "'",
                                {g.source, g.layer, r.fid, af});
            }
            grants_by_key[normalise_key(as_text(r.values[static_cast<std::size_t>(ki)]))] +=
                *amount;
        }
        KeyLinkReport kl;
        kl.left = "clusters";
        kl.right = "grants";
        std::set<std::string> cluster_keys;
        for (const auto& k : cluster_keys_raw) {
            cluster_keys.insert(normalise_key(k));
        }
        for (const auto& r : g.rows) {
            const std::string raw = as_text(r.values[static_cast<std::size_t>(ki)]);
            if (!cluster_keys.contains(normalise_key(raw))) {
                kl.unmatched_right.push_back(raw);
            } else {
                ++kl.matched;
            }
        }
        report.key_links.push_back(kl);
    }

    // --- clusters -------------------------------------------------------------
    Columns cc;
    for (const auto& ind : indicator_catalogue()) {
        if (ind.level == Level::Cluster) {
            cc[ind.id].resize(nc);
        }
    }
    std::vector<Anchor> cluster_anchor(nc);
    std::vector<std::optional<double>> cluster_centrality(nc);
    std::vector<int> cluster_type(nc, 0);
    std::vector<double> cluster_grant(nc, 0.0);
    {
        const int ini = clusters.field_index(project.formation.initiator_field);
        const int shi = clusters.field_index(project.formation.public_share_field);
        const int opi = clusters.field_index(project.opened_field);
        if (nc > 0 && (ini < 0 || shi < 0)) {
            report.notes.push_back("formation types are unknown: the clusters have no field '" +
                                   (ini < 0 ? project.formation.initiator_field
                                            : project.formation.public_share_field) +
                                   "' ([formation] in the project file)");
        }
        if (nc > 0 && opi < 0) {
            report.notes.push_back("age_years is null: the clusters have no field '" +
                                   project.opened_field + "'");
        }
        std::int64_t unknown = 0;
        for (std::size_t i = 0; i < nc; ++i) {
            const Row& r = clusters.rows[i];
            cluster_anchor[i] = anchor_of(geos, *r.geom);
            cc["cluster_id"][i] = cluster_ids[i];
            const CityLink& cl = cluster_city[i];
            if (cl.city >= 0) {
                cc["city_id"][i] = city_ids[static_cast<std::size_t>(cl.city)];
                cc["city_link"][i] = std::string(cl.nearest ? "nearest" : "contains");
                cc["city_distance_m"][i] = cl.distance_m;
                const Anchor& c = frames.centre(cl.city);
                const double d =
                    geodesic_distance_m(cluster_anchor[i].lon, cluster_anchor[i].lat, c.lon, c.lat);
                cc["dist_center_m"][i] = d;
                if (auto a = frames.area(cl.city); a && *a > 0) {
                    cluster_centrality[i] = d / std::sqrt(*a / M_PI);
                    cc["centrality"][i] = *cluster_centrality[i];
                }
            }
            const HeritageLink& hl = cluster_heritage[i];
            cc["on_heritage"][i] = static_cast<std::int64_t>(hl.site >= 0 ? 1 : 0);
            cc["heritage_id"][i] = id_or_null(hl.site, heritage_ids);
            if (hl.nearest >= 0) {
                cc["nearest_heritage_m"][i] = hl.nearest_m;
            }
            if (is_areal(geos, r.geom.get())) {
                double overlap = 0;
                for (int s : heritage_index.query(*r.geom)) {
                    const GEOSGeometry* sg = heritage.rows[static_cast<std::size_t>(s)].geom.get();
                    if (is_areal(geos, sg) && GEOSIntersects_r(h, r.geom.get(), sg) == 1) {
                        overlap += frames.overlap_m2(cl.city, *r.geom, *sg);
                    }
                }
                cc["heritage_overlap_m2"][i] = overlap;
            }
            const auto& zones = cluster_zones[i];
            cc["programme_count"][i] = static_cast<std::int64_t>(zones.size());
            cc["programme_ids"][i] = join_ids(zones, programme_ids);
            std::set<std::string> inst;
            double grant = 0;
            for (int z : zones) {
                inst.insert(instrument[static_cast<std::size_t>(z)]);
                grant += zone_grant[static_cast<std::size_t>(z)].value_or(0.0);
            }
            std::string inst_text;
            for (const char* name : {"space", "cluster", "grant", "export"}) {
                if (inst.contains(name)) {
                    inst_text += (inst_text.empty() ? "" : ",") + std::string(name);
                }
            }
            cc["instruments"][i] = inst_text;
            if (auto it = grants_by_key.find(normalise_key(cluster_keys_raw[i]));
                it != grants_by_key.end()) {
                grant += it->second;
            }
            cluster_grant[i] = grant;
            cc["grant_total"][i] = grant;
            if (opi >= 0) {
                if (auto y = as_number(r.values[static_cast<std::size_t>(opi)])) {
                    cc["age_years"][i] = static_cast<std::int64_t>(project.reference_year) -
                                         static_cast<std::int64_t>(std::llround(*y));
                }
            }
            Formation f;
            if (ini >= 0 && shi >= 0) {
                f = classify_formation(as_text(r.values[static_cast<std::size_t>(ini)]),
                                       as_number(r.values[static_cast<std::size_t>(shi)]),
                                       project.formation);
            }
            cluster_type[i] = f.type;
            if (f.type > 0) {
                cc["formation_type"][i] = static_cast<std::int64_t>(f.type);
            } else {
                ++unknown;
            }
            cc["formation_label"][i] = std::string(f.label);
        }
        if (unknown > 0) {
            report.notes.push_back(std::to_string(unknown) +
                                   " cluster(s) have an unknown formation type (missing or "
                                   "unrecognised initiator or public share)");
        }
        report.links["clusters_in_city"] =
            std::count_if(cluster_city.begin(), cluster_city.end(),
                          [](const CityLink& l) { return l.city >= 0 && !l.nearest; });
        report.links["clusters_nearest_city"] =
            std::count_if(cluster_city.begin(), cluster_city.end(),
                          [](const CityLink& l) { return l.city >= 0 && l.nearest; });
        report.links["clusters_without_city"] = std::count_if(
            cluster_city.begin(), cluster_city.end(), [](const CityLink& l) { return l.city < 0; });
        report.links["clusters_on_heritage"] =
            std::count_if(cluster_heritage.begin(), cluster_heritage.end(),
                          [](const HeritageLink& l) { return l.site >= 0; });
        report.links["clusters_in_programmes"] =
            std::count_if(cluster_zones.begin(), cluster_zones.end(),
                          [](const std::vector<int>& z) { return !z.empty(); });
    }
    progress.update(0.55, "measure clusters");
    report.mark("clusters");

    // --- heritage sites --------------------------------------------------------
    Columns hc;
    for (const auto& ind : indicator_catalogue()) {
        if (ind.level == Level::Heritage) {
            hc[ind.id].resize(nh);
        }
    }
    std::vector<bool> industrial(nh, false);
    std::vector<int> site_cluster(nh, -1);
    std::vector<double> site_cluster_d(nh, 0.0);
    std::vector<std::optional<double>> footprint(nh);
    std::vector<std::optional<double>> site_centrality(nh);
    std::vector<std::optional<double>> nearest_cluster(nh);
    {
        for (std::size_t i = 0; i < nc; ++i) {
            const HeritageLink& hl = cluster_heritage[i];
            if (hl.site < 0) {
                continue;
            }
            auto s = static_cast<std::size_t>(hl.site);
            if (site_cluster[s] < 0 || hl.distance_m < site_cluster_d[s]) {
                site_cluster[s] = static_cast<int>(i);
                site_cluster_d[s] = hl.distance_m;
            }
        }
        const int cat = heritage.field_index(project.industrial_category_field);
        const int namei = heritage.field_index(project.heritage.field("name_field"));
        std::set<std::string> cat_values;
        for (const auto& v : project.industrial_category_values) {
            cat_values.insert(normalise_key(v));
        }
        const IndustrialRules industrial_rules(project.industrial_vocabulary);
        // Which rule decided, per site: not written yet (the industrial_reason field and
        // the overrides come with the measure restructuring).
        [[maybe_unused]] std::vector<std::string> industrial_reason(nh);
        for (std::size_t i = 0; i < nh; ++i) {
            const Row& r = heritage.rows[i];
            hc["heritage_id"][i] = heritage_ids[i];
            const CityLink& cl = heritage_city[i];
            hc["city_id"][i] = id_or_null(cl.city, city_ids);
            bool ind = false;
            const std::string category =
                cat >= 0 ? as_text(r.values[static_cast<std::size_t>(cat)]) : std::string();
            if (cat >= 0 && !cat_values.empty() && !normalise_key(category).empty()) {
                ind = cat_values.contains(normalise_key(category));
                industrial_reason[i] = industrial_category_reason(category);
            } else if (namei >= 0) {
                IndustrialVerdict v = classify_industrial_name(
                    as_text(r.values[static_cast<std::size_t>(namei)]), industrial_rules);
                ind = v.industrial;
                industrial_reason[i] = std::move(v.reason);
            }
            industrial[i] = ind;
            hc["is_industrial"][i] = static_cast<std::int64_t>(ind ? 1 : 0);
            hc["reused"][i] = static_cast<std::int64_t>(site_cluster[i] >= 0 ? 1 : 0);
            hc["cluster_id"][i] = id_or_null(site_cluster[i], cluster_ids);
            if (const Nearest& n = site_nearest_cluster[i]; n.row >= 0) {
                nearest_cluster[i] = n.distance_m;
                hc["nearest_cluster_m"][i] = n.distance_m;
            }
            if (cl.city >= 0) {
                const Anchor a = anchor_of(geos, *r.geom);
                const Anchor& c = frames.centre(cl.city);
                const double d = geodesic_distance_m(a.lon, a.lat, c.lon, c.lat);
                hc["dist_center_m"][i] = d;
                if (auto area = frames.area(cl.city); area && *area > 0) {
                    site_centrality[i] = d / std::sqrt(*area / M_PI);
                    hc["centrality"][i] = *site_centrality[i];
                }
            }
            if (is_areal(geos, r.geom.get())) {
                footprint[i] = frames.area_m2(cl.city, *r.geom);
                hc["footprint_m2"][i] = *footprint[i];
            }
            hc["programme_count"][i] = static_cast<std::int64_t>(heritage_zones[i].size());
            hc["programme_ids"][i] = join_ids(heritage_zones[i], programme_ids);
        }
        // Conversion candidates: industrial and not yet re-used, scored within their city.
        std::map<int, std::vector<std::size_t>> by_city;
        for (std::size_t i = 0; i < nh; ++i) {
            if (industrial[i] && site_cluster[i] < 0) {
                by_city[heritage_city[i].city].push_back(i);
            }
        }
        for (auto& [city, sites] : by_city) {
            double cmax = 0;
            double pmax = 0;
            double dmax = 0;
            double amax = 0;
            for (std::size_t s : sites) {
                cmax = std::max(cmax, site_centrality[s].value_or(0.0));
                pmax = std::max(pmax, static_cast<double>(heritage_zones[s].size()));
                dmax = std::max(dmax, nearest_cluster[s].value_or(0.0));
                amax = std::max(amax, footprint[s].value_or(0.0));
            }
            std::vector<std::pair<double, std::size_t>> scored;
            for (std::size_t s : sites) {
                double sum = 0;
                double wsum = 0;
                auto add = [&](double w, double c) {
                    sum += w * c;
                    wsum += w;
                };
                if (site_centrality[s]) {
                    add(project.candidate_weight_centrality,
                        cmax > 0 ? 1.0 - *site_centrality[s] / cmax : 1.0);
                }
                add(project.candidate_weight_programmes,
                    pmax > 0 ? static_cast<double>(heritage_zones[s].size()) / pmax : 0.0);
                if (nearest_cluster[s]) {
                    add(project.candidate_weight_clusters,
                        dmax > 0 ? 1.0 - *nearest_cluster[s] / dmax : 1.0);
                }
                if (footprint[s] && amax > 0) {
                    add(project.candidate_weight_footprint, *footprint[s] / amax);
                }
                const double score = wsum > 0 ? sum / wsum : 0.0;
                hc["candidate_score"][s] = score;
                scored.emplace_back(score, s);
            }
            std::sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
                if (a.first != b.first) {
                    return a.first > b.first;
                }
                return heritage_ids[a.second] < heritage_ids[b.second];
            });
            for (std::size_t k = 0; k < scored.size(); ++k) {
                hc["candidate_rank"][scored[k].second] = static_cast<std::int64_t>(k + 1);
            }
            (void)city;
        }
        report.links["heritage_in_city"] =
            std::count_if(heritage_city.begin(), heritage_city.end(),
                          [](const CityLink& l) { return l.city >= 0; });
        report.links["heritage_reused"] =
            std::count_if(site_cluster.begin(), site_cluster.end(), [](int c) { return c >= 0; });
        report.links["heritage_industrial"] =
            std::count(industrial.begin(), industrial.end(), true);
        report.links["heritage_in_programmes"] =
            std::count_if(heritage_zones.begin(), heritage_zones.end(),
                          [](const std::vector<int>& z) { return !z.empty(); });
    }
    progress.update(0.7, "measure heritage sites");
    report.mark("heritage sites");

    // --- heritage × programme overlaps ------------------------------------------
    Table overlaps;
    Columns oc;
    {
        overlaps.name = layer_name(Level::Overlap);
        for (std::size_t i = 0; i < nh; ++i) {
            const GEOSGeometry* sg = heritage.rows[i].geom.get();
            for (int z : heritage_zones[i]) {
                const GEOSGeometry* zg = programmes.rows[static_cast<std::size_t>(z)].geom.get();
                Row row;
                row.fid = static_cast<std::int64_t>(overlaps.rows.size() + 1);
                // Overlaps are areas: a point site's overlap has no geometry (and no area),
                // which keeps the layer one geometry type (MultiPolygon).
                if (is_areal(geos, sg)) {
                    row.geom = polygonal_part(geos, geos.own(GEOSIntersection_r(h, sg, zg)));
                }
                oc["heritage_id"].emplace_back(heritage_ids[i]);
                oc["programme_id"].emplace_back(programme_ids[static_cast<std::size_t>(z)]);
                if (is_areal(geos, sg)) {
                    oc["overlap_m2"].emplace_back(
                        frames.overlap_m2(heritage_city[i].city, *sg, *zg));
                } else {
                    oc["overlap_m2"].emplace_back(std::monostate{});
                }
                overlaps.rows.push_back(std::move(row));
            }
        }
        for (const char* f : {"heritage_id", "programme_id", "overlap_m2"}) {
            oc[f].resize(overlaps.rows.size());
        }
    }

    // --- programmes -----------------------------------------------------------
    Columns pc;
    {
        std::vector<std::int64_t> ccount(np, 0);
        std::vector<std::int64_t> hcount(np, 0);
        for (const auto& zs : cluster_zones) {
            for (int z : zs) {
                ++ccount[static_cast<std::size_t>(z)];
            }
        }
        for (const auto& zs : heritage_zones) {
            for (int z : zs) {
                ++hcount[static_cast<std::size_t>(z)];
            }
        }
        for (std::size_t z = 0; z < np; ++z) {
            pc["programme_id"].emplace_back(programme_ids[z]);
            pc["instrument"].emplace_back(instrument[z]);
            pc["clusters_covered"].emplace_back(ccount[z]);
            pc["heritage_covered"].emplace_back(hcount[z]);
        }
        for (const char* f :
             {"programme_id", "instrument", "clusters_covered", "heritage_covered"}) {
            pc[f].resize(np);
        }
    }

    // --- cities ----------------------------------------------------------------
    Columns ctc;
    for (const auto& ind : indicator_catalogue()) {
        if (ind.level == Level::City) {
            ctc[ind.id].resize(ncity);
        }
    }
    {
        const int popi = cities.field_index(project.cities.field("population_field"));
        const int capi = cities.field_index(project.capital_field);
        std::vector<std::vector<std::size_t>> members(ncity);
        std::vector<std::string> nni_few;
        std::vector<std::string> nni_no_area;
        for (std::size_t i = 0; i < nc; ++i) {
            if (cluster_city[i].city >= 0) {
                members[static_cast<std::size_t>(cluster_city[i].city)].push_back(i);
            }
        }
        std::vector<std::int64_t> ih(ncity, 0);
        std::vector<std::int64_t> ihr(ncity, 0);
        std::vector<std::optional<double>> iha(ncity);
        std::vector<std::optional<double>> ihra(ncity);
        for (std::size_t s = 0; s < nh; ++s) {
            const int c = heritage_city[s].city;
            if (c < 0 || !industrial[s]) {
                continue;
            }
            const auto ci = static_cast<std::size_t>(c);
            ++ih[ci];
            const bool reused = site_cluster[s] >= 0;
            if (reused) {
                ++ihr[ci];
            }
            if (footprint[s]) {
                iha[ci] = iha[ci].value_or(0.0) + *footprint[s];
                if (reused) {
                    ihra[ci] = ihra[ci].value_or(0.0) + *footprint[s];
                }
            }
        }
        for (std::size_t c = 0; c < ncity; ++c) {
            const Row& r = cities.rows[c];
            ctc["city_id"][c] = city_ids[c];
            std::optional<double> pop;
            if (popi >= 0) {
                pop = as_number(r.values[static_cast<std::size_t>(popi)]);
            }
            ctc["population"][c] = opt_real(pop);
            bool capital = false;
            if (capi >= 0) {
                const Value& cv = r.values[static_cast<std::size_t>(capi)];
                capital =
                    project.capital_values.empty()
                        ? truthy(cv)
                        : std::any_of(project.capital_values.begin(), project.capital_values.end(),
                                      [&cv](const std::string& v) {
                                          return normalise_key(v) == normalise_key(as_text(cv));
                                      });
            }
            std::string tier = "other";
            if (capital) {
                tier = "capital";
            } else if (pop && *pop >= project.second_tier_min_population &&
                       *pop < project.second_tier_max_population) {
                tier = "second";
            }
            ctc["tier"][c] = tier;
            const auto& m = members[c];
            const auto n = static_cast<std::int64_t>(m.size());
            ctc["n_clusters"][c] = n;
            if (pop && *pop > 0) {
                ctc["clusters_per_100k"][c] = static_cast<double>(n) / *pop * 100000.0;
            }
            ctc["ih_count"][c] = ih[c];
            ctc["ih_reused"][c] = ihr[c];
            if (ih[c] > 0) {
                ctc["ih_transformation_rate"][c] =
                    static_cast<double>(ihr[c]) / static_cast<double>(ih[c]);
            }
            ctc["ih_area_m2"][c] = opt_real(iha[c]);
            ctc["ih_reused_area_m2"][c] = opt_real(ihra[c]);
            double csum = 0;
            int ccount = 0;
            int covered = 0;
            double grant = 0;
            std::array<std::int64_t, 6> types{};
            std::vector<stats::LonLat> pts;
            for (std::size_t i : m) {
                if (cluster_centrality[i]) {
                    csum += *cluster_centrality[i];
                    ++ccount;
                }
                if (!cluster_zones[i].empty()) {
                    ++covered;
                }
                grant += cluster_grant[i];
                ++types[static_cast<std::size_t>(cluster_type[i])];
                pts.push_back({cluster_anchor[i].lon, cluster_anchor[i].lat});
            }
            if (ccount > 0) {
                ctc["mean_centrality"][c] = csum / ccount;
            }
            ctc["grant_total"][c] = grant;
            if (n > 0) {
                ctc["programme_coverage"][c] =
                    static_cast<double>(covered) / static_cast<double>(n);
                ctc["grant_per_cluster"][c] = grant / static_cast<double>(n);
            }
            std::int64_t known = 0;
            int dominant = 0;
            for (int t = 1; t <= 5; ++t) {
                ctc["type_" + std::to_string(t)][c] = types[static_cast<std::size_t>(t)];
                known += types[static_cast<std::size_t>(t)];
                if (types[static_cast<std::size_t>(t)] > 0 &&
                    (dominant == 0 || types[static_cast<std::size_t>(t)] >
                                          types[static_cast<std::size_t>(dominant)])) {
                    dominant = t;
                }
            }
            if (known > 0) {
                ctc["dominant_type"][c] = static_cast<std::int64_t>(dominant);
                double hsum = 0;
                for (int t = 1; t <= 5; ++t) {
                    const double p = static_cast<double>(types[static_cast<std::size_t>(t)]) /
                                     static_cast<double>(known);
                    if (p > 0) {
                        hsum -= p * std::log(p);
                    }
                }
                ctc["type_diversity"][c] = hsum / std::log(5.0);
            }
            const auto area = frames.area(static_cast<int>(c));
            // The same Clark–Evans code as `creatlas stats nni` (stats.hpp).
            const stats::NniResult ce = stats::clark_evans(geos, pts, area.value_or(0.0));
            if (ce.nni) {
                ctc["nni"][c] = *ce.nni;
                ctc["nni_z"][c] = *ce.z;
                ctc["nni_p"][c] = *ce.p;
            } else if (n > 0) {
                (n < 3 ? nni_few : nni_no_area).push_back(city_ids[c]);
            }
        }
        // One note per reason, naming the cities (the first 20).
        for (const auto& [list, why] :
             {std::pair{&nni_few, "with 1 or 2 clusters (Clark–Evans needs 3)"},
              std::pair{&nni_no_area, "without a polygon area"}}) {
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
        // Creative index: components min–max normalised across the run's cities.
        const auto& comps = project.creative_components;
        std::vector<double> sum(ncity, 0.0);
        std::vector<double> wsum(ncity, 0.0);
        for (std::size_t k = 0; k < comps.size(); ++k) {
            auto it = ctc.find(comps[k]);
            if (it == ctc.end()) {
                throw_bad_input("[creative_index] components: '" + comps[k] +
                                    "' is not a city indicator",
                                {project.file, "", std::nullopt, ""});
            }
            double lo = std::numeric_limits<double>::infinity();
            double hi = -lo;
            for (const auto& v : it->second) {
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
                if (auto x = as_number(it->second[c])) {
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
    progress.update(0.9, "measure cities");
    report.mark("cities");

    AtlasLayers out;
    out.clusters = assemble(Level::Cluster, cc, std::move(clusters), {project.clusters.id_field});
    out.heritage_sites =
        assemble(Level::Heritage, hc, std::move(heritage), {project.heritage.id_field});
    out.cities = assemble(Level::City, ctc, std::move(cities),
                          {project.cities.id_field, project.cities.field("population_field")});
    out.programmes =
        assemble(Level::Programme, pc, std::move(programmes),
                 {project.programmes.id_field, project.programmes.field("instrument_field")});
    out.heritage_programmes = assemble(Level::Overlap, oc, std::move(overlaps));
    // The hexagonal grid of creative enterprises (or clusters when there are none).
    {
        std::vector<stats::LonLat> pts;
        std::vector<int> point_city;
        if (!in.enterprises.rows.empty()) {
            pts = stats::representative_points(geos, in.enterprises);
            for (const CityLink& l : enterprise_city) {
                point_city.push_back(l.city);
            }
        } else {
            for (std::size_t i = 0; i < nc; ++i) {
                pts.push_back({cluster_anchor[i].lon, cluster_anchor[i].lat});
                point_city.push_back(cluster_city[i].city);
            }
        }
        stats::HexGridOptions ho;
        ho.cell_m = project.hex_cell_m;
        ho.city_id_field = "city_id";
        if (ncity > 0) {
            out.hex_grid = stats::make_hex_grid(geos, out.cities, pts, point_city, ho);
        }
        out.hex_grid.name = "hex_grid";
        out.hex_grid.empty_geometry = GeometryHint::Polygon;
        report.links["hex_grid_points"] = static_cast<std::int64_t>(
            std::count_if(point_city.begin(), point_city.end(), [](int c) { return c >= 0; }));
    }
    report.mark("hex grid");
    // Layers keep a declared geometry type even when a run leaves them empty.
    out.clusters.empty_geometry = GeometryHint::Point;
    out.heritage_sites.empty_geometry = GeometryHint::Point;
    out.cities.empty_geometry = GeometryHint::Polygon;
    out.programmes.empty_geometry = GeometryHint::Polygon;
    out.heritage_programmes.empty_geometry = GeometryHint::Polygon;
    for (Table* t : {&out.cities, &out.clusters, &out.heritage_sites}) {
        if (auto f = split_mixed(geos, *t)) {
            f->empty_geometry = GeometryHint::Polygon;
            report.notes.push_back(t->name + " mixes points and polygons: written as points, " +
                                   "with the polygons in layer " + f->name);
            out.footprints.push_back(std::move(*f));
        }
    }
    progress.update(1.0, "measure");
    return out;
}

} // namespace creatlas
