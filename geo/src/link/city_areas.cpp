// The link stage: point cities take the polygon of the urban area that contains them.
#include "creatlas/link.hpp"

#include <algorithm>
#include <map>

namespace creatlas {

std::int64_t assign_city_areas(const GeosContext& geos, Table& cities, const Table& areas,
                               const std::vector<std::optional<double>>& population,
                               std::vector<std::string>& notes) {
    GEOSContextHandle_t h = geos.handle();
    const SpatialIndex index(geos, areas);
    // For each area polygon, the cities whose point it contains.
    std::map<int, std::vector<std::size_t>> takers;
    for (std::size_t c = 0; c < cities.rows.size(); ++c) {
        const GEOSGeometry* g = cities.rows[c].geom.get();
        if (g == nullptr || GEOSGeomTypeId_r(h, g) != GEOS_POINT) {
            continue;
        }
        for (int a : index.query(*g)) {
            if (GEOSPreparedIntersects_r(h, &index.prepared(a), g) == 1) {
                takers[a].push_back(c);
                break;
            }
        }
    }
    auto people = [&population](std::size_t c) {
        return c < population.size() ? population[c].value_or(0.0) : 0.0;
    };
    std::int64_t assigned = 0;
    std::vector<std::string> shared; // "feature 12 (3 cities)"
    std::size_t shared_count = 0;
    for (auto& [a, list] : takers) {
        std::sort(list.begin(), list.end(), [&](std::size_t x, std::size_t y) {
            if (people(x) != people(y)) {
                return people(x) > people(y);
            }
            return cities.rows[x].fid < cities.rows[y].fid;
        });
        cities.rows[list.front()].geom = geos.clone(*areas.rows[static_cast<std::size_t>(a)].geom);
        ++assigned;
        if (list.size() > 1) {
            ++shared_count;
            if (shared.size() < 5) {
                shared.push_back("feature " +
                                 std::to_string(areas.rows[static_cast<std::size_t>(a)].fid) +
                                 " (" + std::to_string(list.size()) + " cities)");
            }
        }
    }
    if (shared_count > 0) {
        std::string list;
        for (const auto& s : shared) {
            list += (list.empty() ? "" : ", ") + s;
        }
        notes.push_back(std::to_string(shared_count) + " city_areas polygon" +
                        (shared_count == 1 ? " contains" : "s contain") +
                        " several cities; each went to its most populous city, the others keep "
                        "their points: " +
                        list + (shared_count > shared.size() ? ", …" : ""));
    }
    return assigned;
}

} // namespace creatlas
