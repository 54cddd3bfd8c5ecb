#include "creatlas/link.hpp"

#include "creatlas/error.hpp"
#include "creatlas/geodesy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>
#include <utf8proc.h>

namespace creatlas {

std::string normalise_key(std::string_view key) {
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t n = utf8proc_map(
        reinterpret_cast<const utf8proc_uint8_t*>(key.data()),
        static_cast<utf8proc_ssize_t>(key.size()), &mapped,
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
    if (n < 0) {
        throw_bad_input("key '" + std::string(key) + "' is not valid UTF-8 (" + utf8proc_errmsg(n) +
                        ")");
    }
    std::string out(reinterpret_cast<char*>(mapped), static_cast<std::size_t>(n));
    std::free(mapped); // NOLINT(cppcoreguidelines-no-malloc): utf8proc allocates with malloc
    // Trim ASCII white space and no-break spaces (common in spreadsheet exports).
    auto is_space_at = [&out](std::size_t i, bool from_end) -> std::size_t {
        const auto c = static_cast<unsigned char>(out[i]);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            return 1;
        }
        if (!from_end && i + 1 < out.size() && c == 0xC2 &&
            static_cast<unsigned char>(out[i + 1]) == 0xA0) {
            return 2;
        }
        if (from_end && i >= 1 && c == 0xA0 && static_cast<unsigned char>(out[i - 1]) == 0xC2) {
            return 2;
        }
        return 0;
    };
    std::size_t begin = 0;
    while (begin < out.size()) {
        const std::size_t w = is_space_at(begin, false);
        if (w == 0) {
            break;
        }
        begin += w;
    }
    std::size_t end = out.size();
    while (end > begin) {
        const std::size_t w = is_space_at(end - 1, true);
        if (w == 0) {
            break;
        }
        end -= w;
    }
    return out.substr(begin, end - begin);
}

namespace {

std::string key_of(const Row& r, int field) {
    return field < 0 ? std::to_string(r.fid) : as_text(r.values[static_cast<std::size_t>(field)]);
}

} // namespace

void require_unique_keys(const Table& table, const std::string& field) {
    const int idx = table.require_field(field, "key");
    std::map<std::string, std::vector<std::int64_t>> seen;
    for (const auto& r : table.rows) {
        const std::string raw = key_of(r, idx);
        std::string k;
        try {
            k = normalise_key(raw);
        } catch (const Error& e) {
            throw_bad_input(e.message(), {table.source, table.layer, r.fid, field});
        }
        seen[k].push_back(r.fid);
    }
    std::string dups;
    std::size_t count = 0;
    for (const auto& [k, fids] : seen) {
        if (fids.size() < 2) {
            continue;
        }
        ++count;
        std::string list;
        for (auto fid : fids) {
            list += (list.empty() ? "" : ", ") + std::to_string(fid);
        }
        dups += (dups.empty() ? "" : "; ") + ("'" + k + "' (features " + list + ")");
    }
    if (count > 0) {
        throw_bad_input(std::to_string(count) +
                            " duplicate key(s) where keys must be unique: " + dups,
                        {table.source, table.layer, std::nullopt, field});
    }
}

KeyLinkReport join_by_key(Table& left, const std::string& left_key, const Table& right,
                          const std::string& right_key) {
    require_unique_keys(right, right_key);
    const int li = left_key.empty() ? -1 : left.require_field(left_key, "key");
    const int ri = right.require_field(right_key, "key");
    std::unordered_map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < right.rows.size(); ++i) {
        index.emplace(normalise_key(key_of(right.rows[i], ri)), i);
    }
    // Fields to append: all of right's but its key; clashing names get a prefix.
    std::vector<std::size_t> take;
    for (std::size_t f = 0; f < right.fields.size(); ++f) {
        if (static_cast<int>(f) == ri) {
            continue;
        }
        take.push_back(f);
        FieldDef def = right.fields[f];
        while (left.field_index(def.name) >= 0) {
            def.name = right.name + "_" + def.name;
        }
        left.fields.push_back(def);
    }
    KeyLinkReport rep;
    rep.left = left.name;
    rep.right = right.name;
    std::vector<bool> used(right.rows.size(), false);
    for (auto& row : left.rows) {
        std::string k;
        try {
            k = normalise_key(key_of(row, li));
        } catch (const Error& e) {
            throw_bad_input(e.message(), {left.source, left.layer, row.fid, left_key});
        }
        auto it = index.find(k);
        if (it == index.end()) {
            rep.unmatched_left.push_back(key_of(row, li));
            row.values.resize(left.fields.size());
            continue;
        }
        ++rep.matched;
        used[it->second] = true;
        const Row& r = right.rows[it->second];
        for (std::size_t f : take) {
            row.values.push_back(r.values[f]);
        }
    }
    for (std::size_t i = 0; i < right.rows.size(); ++i) {
        if (!used[i]) {
            rep.unmatched_right.push_back(key_of(right.rows[i], ri));
        }
    }
    return rep;
}

SpatialIndex::SpatialIndex(const GeosContext& geos, const Table& table)
    : geos_(geos), table_(table), tree_(geos.make_tree()), prepared_(table.rows.size()) {
    ids_.reserve(table.rows.size());
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        ids_.push_back(static_cast<int>(i));
    }
    for (std::size_t i = 0; i < table.rows.size(); ++i) {
        const GEOSGeometry* g = table.rows[i].geom.get();
        if (g == nullptr || GEOSisEmpty_r(geos.handle(), g) != 0) {
            continue;
        }
        GEOSSTRtree_insert_r(geos.handle(), tree_.get(), g, &ids_[i]);
        ++size_;
    }
    // The first query builds the tree; do it now so that later queries only read it.
    (void)query(0, 0, 0, 0);
}

std::vector<int> SpatialIndex::query(double minx, double miny, double maxx, double maxy) const {
    std::vector<int> out;
    if (size_ == 0) {
        return out;
    }
    GeomPtr box = geos_.own(GEOSGeom_createRectangle_r(geos_.handle(), minx, miny, maxx, maxy));
    GEOSSTRtree_query_r(
        geos_.handle(), tree_.get(), box.get(),
        [](void* item, void* userdata) {
            static_cast<std::vector<int>*>(userdata)->push_back(*static_cast<int*>(item));
        },
        &out);
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<int> SpatialIndex::query(const GEOSGeometry& g) const {
    const Envelope e = envelope_of(geos_, g);
    return query(e.minx, e.miny, e.maxx, e.maxy);
}

const GEOSPreparedGeometry& SpatialIndex::prepared(int row) const {
    auto& slot = prepared_[static_cast<std::size_t>(row)];
    if (!slot) {
        slot = geos_.prepare(*table_.rows[static_cast<std::size_t>(row)].geom);
    }
    return *slot;
}

namespace {

bool is_point(GEOSContextHandle_t h, const GEOSGeometry& g) {
    return GEOSGeomTypeId_r(h, &g) == GEOS_POINT;
}

std::pair<double, double> xy(GEOSContextHandle_t h, const GEOSGeometry& g) {
    double x = 0;
    double y = 0;
    GEOSGeomGetX_r(h, &g, &x);
    GEOSGeomGetY_r(h, &g, &y);
    return {x, y};
}

} // namespace

double distance_m(const GeosContext& geos, const GEOSGeometry& a, const GEOSGeometry& b) {
    GEOSContextHandle_t h = geos.handle();
    if (is_point(h, a)) {
        auto [x, y] = xy(h, a);
        return distance_point_geometry_m(geos, x, y, b);
    }
    if (is_point(h, b)) {
        auto [x, y] = xy(h, b);
        return distance_point_geometry_m(geos, x, y, a);
    }
    if (GEOSIntersects_r(h, &a, &b) == 1) {
        return 0.0;
    }
    // Nearest points found in lon/lat, then the exact distance from a's nearest point
    // to b in that point's azimuthal equidistant frame.
    GEOSCoordSequence* seq = GEOSNearestPoints_r(h, &a, &b);
    if (seq == nullptr) {
        throw Error(ErrorKind::Internal, "GEOS nearest points failed: " + geos.last_error());
    }
    double x = 0;
    double y = 0;
    GEOSCoordSeq_getXY_r(h, seq, 0, &x, &y);
    GEOSCoordSeq_destroy_r(h, seq);
    return distance_point_geometry_m(geos, x, y, b);
}

Nearest nearest_within(const GeosContext& geos, const SpatialIndex& index, const GEOSGeometry& g,
                       double max_m) {
    Nearest best;
    if (index.empty()) {
        return best;
    }
    const Envelope e = envelope_of(geos, g);
    // Half the Earth's meridian: nothing on the ellipsoid is farther than this.
    constexpr double kFarthest = 20004000.0;
    double radius = std::min(max_m, 2000.0);
    for (;;) {
        const DegreeBuffer b = degree_buffer(radius, e.miny, e.maxy);
        best = Nearest{};
        for (int row :
             index.query(e.minx - b.dlon, e.miny - b.dlat, e.maxx + b.dlon, e.maxy + b.dlat)) {
            const double d =
                distance_m(geos, g, *index.table().rows[static_cast<std::size_t>(row)].geom);
            if (best.row < 0 || d < best.distance_m) {
                best = {row, d};
            }
        }
        if (best.row >= 0 && best.distance_m <= radius) {
            break; // everything outside the searched envelope is farther than radius
        }
        if (radius >= max_m || radius >= kFarthest) {
            break;
        }
        // Either nothing was found (widen) or the best lies beyond the radius: search
        // once more out to it, which is then complete.
        radius = std::min({max_m, kFarthest, best.row >= 0 ? best.distance_m : radius * 4.0});
    }
    if (best.row >= 0 && best.distance_m > max_m) {
        return {};
    }
    return best;
}

namespace {
std::pair<std::size_t, std::size_t> clamp(RowRange r, std::size_t n) {
    const std::size_t end = std::min(r.end, n);
    return {std::min(r.begin, end), end};
}
} // namespace

std::vector<CityLink> link_to_cities(const GeosContext& geos, const Table& features,
                                     const SpatialIndex& cities, double max_distance_m,
                                     RowRange range) {
    GEOSContextHandle_t h = geos.handle();
    const auto [first, last] = clamp(range, features.rows.size());
    std::vector<CityLink> out(last - first);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const std::size_t i = first + k;
        const GEOSGeometry* g = features.rows[i].geom.get();
        if (g == nullptr) {
            continue;
        }
        // Polygons and lines are placed by a point on their surface.
        GeomPtr anchor = is_point(h, *g) ? geos.clone(*g) : geos.own(GEOSPointOnSurface_r(h, g));
        for (int c : cities.query(*anchor)) {
            if (GEOSPreparedIntersects_r(h, &cities.prepared(c), anchor.get()) == 1) {
                out[k] = {c, false, 0.0};
                break;
            }
        }
        if (out[k].city < 0 && max_distance_m > 0) {
            const Nearest n = nearest_within(geos, cities, *g, max_distance_m);
            if (n.row >= 0) {
                out[k] = {n.row, true, n.distance_m};
            }
        }
    }
    return out;
}

std::vector<HeritageLink> link_to_heritage(const GeosContext& geos, const Table& clusters,
                                           const SpatialIndex& heritage, double snap_m) {
    const std::vector<Nearest> nearest = nearest_each(geos, clusters, heritage);
    std::vector<HeritageLink> out(nearest.size());
    for (std::size_t i = 0; i < nearest.size(); ++i) {
        const Nearest& n = nearest[i];
        out[i].nearest = n.row;
        out[i].nearest_m = n.distance_m;
        if (n.row >= 0 && n.distance_m <= snap_m) {
            out[i].site = n.row;
            out[i].distance_m = n.distance_m;
        }
    }
    return out;
}

std::vector<std::vector<int>> link_to_zones(const GeosContext& geos, const Table& features,
                                            const SpatialIndex& zones, RowRange range) {
    GEOSContextHandle_t h = geos.handle();
    const auto [first, last] = clamp(range, features.rows.size());
    std::vector<std::vector<int>> out(last - first);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const std::size_t i = first + k;
        const GEOSGeometry* g = features.rows[i].geom.get();
        if (g == nullptr) {
            continue;
        }
        for (int z : zones.query(*g)) {
            if (GEOSPreparedIntersects_r(h, &zones.prepared(z), g) == 1) {
                out[k].push_back(z);
            }
        }
    }
    return out;
}

std::vector<Nearest> nearest_each(const GeosContext& geos, const Table& features,
                                  const SpatialIndex& index, RowRange range) {
    const auto [first, last] = clamp(range, features.rows.size());
    std::vector<Nearest> out(last - first);
    for (std::size_t k = 0; k < out.size(); ++k) {
        const GEOSGeometry* g = features.rows[first + k].geom.get();
        if (g != nullptr) {
            out[k] = nearest_within(geos, index, *g, std::numeric_limits<double>::infinity());
        }
    }
    return out;
}

std::int64_t assign_city_areas(const GeosContext& geos, Table& cities, const Table& areas,
                               const std::string& population_field,
                               std::vector<std::string>& notes) {
    GEOSContextHandle_t h = geos.handle();
    const SpatialIndex index(geos, areas);
    const int pop = population_field.empty() ? -1 : cities.field_index(population_field);
    // For each area polygon, the cities whose point it contains.
    std::map<int, std::vector<std::size_t>> takers;
    for (std::size_t c = 0; c < cities.rows.size(); ++c) {
        const GEOSGeometry* g = cities.rows[c].geom.get();
        if (g == nullptr || !is_point(h, *g)) {
            continue;
        }
        for (int a : index.query(*g)) {
            if (GEOSPreparedIntersects_r(h, &index.prepared(a), g) == 1) {
                takers[a].push_back(c);
                break;
            }
        }
    }
    std::int64_t assigned = 0;
    for (auto& [a, list] : takers) {
        auto population = [&](std::size_t c) {
            return pop < 0 ? 0.0
                           : as_number(cities.rows[c].values[static_cast<std::size_t>(pop)])
                                 .value_or(0.0);
        };
        std::sort(list.begin(), list.end(), [&](std::size_t x, std::size_t y) {
            if (population(x) != population(y)) {
                return population(x) > population(y);
            }
            return cities.rows[x].fid < cities.rows[y].fid;
        });
        cities.rows[list.front()].geom = geos.clone(*areas.rows[static_cast<std::size_t>(a)].geom);
        ++assigned;
        if (list.size() > 1) {
            notes.push_back(
                "city_areas feature " +
                std::to_string(areas.rows[static_cast<std::size_t>(a)].fid) + " contains " +
                std::to_string(list.size()) + " cities; it went to the most populous (feature " +
                std::to_string(cities.rows[list.front()].fid) + "), the others keep their points");
        }
    }
    return assigned;
}

} // namespace creatlas
