// creatlas — the measure stage and its indicator catalogue.
//
// In:  CheckedInputs (check.hpp), Links (link.hpp) and the project.
// Out: AtlasLayers — one table per output layer of the contract (DESIGN.md).
//
// One function and one file per output level (src/measure/clusters.cpp,
// heritage.cpp, cities.cpp, programmes.cpp, city_years.cpp), composed by
// measure_atlas. Measure
// does arithmetic on checked values: it never throws on bad input, which the
// check stage has already reported and set to null.
//
// Every field the atlas writes besides the inputs' own is declared once in the
// catalogue: id (= output field name), level (cluster, heritage site, city,
// programme, overlap), unit, formula, parameters and a one-line meaning for
// planners. The catalogue drives the computation's output fields and their
// order, docs/indicators.md (`creatlas indicators --markdown`), `creatlas
// indicators --json` and the plugin's help.
//
// Metric work is in metres: distances are geodesic on WGS 84; areas and overlaps
// are taken in a Lambert azimuthal equal-area frame centred on the feature's city.
#pragma once

#include "creatlas/check.hpp"
#include "creatlas/geos.hpp"
#include "creatlas/link.hpp"
#include "creatlas/progress.hpp"
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"
#include "creatlas/table.hpp"

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace creatlas {

/// Output levels (= layers).
enum class Level { Cluster, Heritage, City, Programme, Overlap, CityYear };
const char* layer_name(Level level);

struct Indicator {
    std::string id; ///< output field name
    Level level;
    FieldType type;
    std::string unit;       ///< "m", "m²", "1", "count", "year", "RUB", "id", "text", …
    std::string formula;    ///< how it is computed
    std::string parameters; ///< project-file keys it depends on ("" = none)
    std::string meaning;    ///< one line for planners
};

const std::vector<Indicator>& indicator_catalogue();
nlohmann::json indicator_catalogue_json();
std::string indicator_catalogue_markdown();

/// The five formation types (DESIGN.md). 0 = unknown.
struct Formation {
    int type = 0;
    const char* label = "unknown";
};
/// Classify from a checked initiator and public share (nullopt when missing or out of
/// their domain).
Formation classify_formation(std::optional<Initiator> initiator, std::optional<double> public_share,
                             const FormationParams& params);

namespace detail {
class PendingHexGrid;
}

/// The five output layers of the contract, and companion footprint layers.
///
/// A GeoPackage layer has one geometry type. When an input mixes points and
/// polygons (heritage objects with and without footprints, cities with and without
/// areas), its layer is written as points (a polygon's point on its surface) and
/// the polygons go to a companion layer "<layer>_footprints" (id and geometry).
struct AtlasLayers {
    Table clusters, heritage_sites, cities, programmes, heritage_programmes;
    Table hex_grid;   ///< enterprise (or cluster) counts and hot spots per city (stats.hpp)
    Table city_years; ///< one row per city and year: the transformation over time
    std::vector<Table> footprints;
    /// Every layer, in the order they are written.
    std::vector<const Table*> all() const { return tables_of(*this); }
    std::vector<Table*> all_mutable() { return tables_of(*this); }
    /// With MeasureOptions::defer_hex_grid, the hexagonal grid is still being laid
    /// out on a thread of its own when measure_atlas returns: hex_grid then has its
    /// name, fields and geometry type but no rows, until complete_hex_grid() (which
    /// waits for that thread, helping it on the calling thread) fills them in. Null
    /// otherwise, and once completed. Destroying the layers before then stops the
    /// thread and waits for it.
    std::shared_ptr<detail::PendingHexGrid> pending_hex_grid;
    void complete_hex_grid(const GeosContext& geos);

private:
    /// Pointers to every layer of `l`: const for a const `l`.
    template <class Layers>
    static std::vector<decltype(&std::declval<Layers&>().cities)> tables_of(Layers& l) {
        std::vector<decltype(&l.cities)> out{
            &l.cities,   &l.clusters,  &l.heritage_sites, &l.programmes, &l.heritage_programmes,
            &l.hex_grid, &l.city_years};
        for (auto& t : l.footprints) {
            out.push_back(&t);
        }
        return out;
    }
};

struct MeasureOptions {
    /// Return before the hexagonal grid is complete (AtlasLayers::pending_hex_grid),
    /// so that a caller can write the other layers meanwhile.
    bool defer_hex_grid = false;
};

/// Compute every indicator of every level. Consumes the inputs' rows (their
/// geometries move into the layers).
AtlasLayers measure_atlas(const GeosContext& geos, const Project& project, CheckedInputs inputs,
                          const Links& links, RunReport& report, const Progress& progress = {},
                          const MeasureOptions& options = {});

} // namespace creatlas
