// The measure stage as a whole: the per-level functions composed (measure.hpp).
#include "creatlas/measure.hpp"

#include "creatlas/stats.hpp"
#include "creatlas/text.hpp"
#include "levels.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>

namespace creatlas {

Formation classify_formation(std::optional<Initiator> initiator, std::optional<double> public_share,
                             const FormationParams& params) {
    const auto& share = public_share;
    if (share && (*share < 0.0 || *share > 1.0 || std::isnan(*share))) {
        return {};
    }
    if (!initiator) {
        return {};
    }
    if (*initiator == Initiator::Joint) {
        return {3, "partnership"};
    }
    if (!share) {
        return {};
    }
    if (*initiator == Initiator::Private) {
        if (*share <= 0.0) {
            return {1, "initiative"};
        }
        if (*share < params.support_share) {
            return {2, "initiative, supported"};
        }
        return {3, "partnership"};
    }
    // Public initiator.
    if (*share >= params.dependent_share) {
        return {5, "dependent"};
    }
    return {4, "public-led"};
}

namespace detail {

/// The hexagonal grid of creative enterprises (or of clusters when there are none).
/// It needs only the cities' outlines and ids and the points' cities, so it is laid
/// out on a thread of its own while the caller measures the other levels; the caller
/// joins in when it is done with them (join), so both cores finish it together.
class PendingHexGrid {
public:
    PendingHexGrid(const GeosContext& geos, const Project& project, const CheckedInputs& in,
                   const Links& links, const ClusterFacts& clusters, const Ids& ids,
                   RunReport& report) {
        std::vector<stats::LonLat> pts;
        std::vector<int> point_city;
        if (!in.tables.enterprises.rows.empty()) {
            pts = stats::representative_points(geos, in.tables.enterprises);
            for (const CityLink& l : links.enterprise_city) {
                point_city.push_back(l.city);
            }
        } else {
            for (std::size_t i = 0; i < clusters.anchor.size(); ++i) {
                pts.push_back({clusters.anchor[i].lon, clusters.anchor[i].lat});
                point_city.push_back(links.cluster_city[i].city);
            }
        }
        report.links["hex_grid_points"] = static_cast<std::int64_t>(
            std::count_if(point_city.begin(), point_city.end(), [](int c) { return c >= 0; }));
        if (in.tables.cities.rows.empty()) {
            return;
        }
        stats::HexGridOptions ho;
        ho.cell_m = project.hex_cell_m;
        // The city_id the cities layer writes (measure_cities).
        const std::vector<Value> city_ids(ids.cities.begin(), ids.cities.end());
        job_ = std::make_unique<stats::HexGridJob>(in.tables.cities, city_ids, FieldType::String,
                                                   pts, point_city, ho);
        if (job_->workers() > 1) {
            // The grid is not needed before its turn in the write stage: its thread
            // gives way to the stages that are.
            helper_ = std::thread([this] {
                yield_to_other_threads();
                job_->work(1);
            });
        }
    }
    ~PendingHexGrid() {
        if (helper_.joinable()) { // leaving early, on an error: stop, then wait
            job_->stop();
            helper_.join();
        }
    }
    PendingHexGrid(const PendingHexGrid&) = delete;
    PendingHexGrid& operator=(const PendingHexGrid&) = delete;
    PendingHexGrid(PendingHexGrid&&) = delete;
    PendingHexGrid& operator=(PendingHexGrid&&) = delete;

    /// The layer as it will be, without its rows: name, fields, geometry type.
    Table placeholder() const {
        Table grid;
        if (job_) {
            grid.fields = job_->fields();
        }
        grid.name = "hex_grid";
        grid.empty_geometry = GeometryHint::Polygon;
        return grid;
    }

    /// Lay out the cities left on this thread too, wait for the other, and return
    /// the layer.
    Table join(const GeosContext& geos) {
        Table grid;
        if (job_) {
            job_->work(0);
            if (helper_.joinable()) {
                helper_.join();
            }
            grid = job_->finish(geos);
        }
        grid.name = "hex_grid";
        grid.empty_geometry = GeometryHint::Polygon;
        return grid;
    }

private:
    std::unique_ptr<stats::HexGridJob> job_;
    std::thread helper_;
};

} // namespace detail

void AtlasLayers::complete_hex_grid(const GeosContext& geos) {
    if (pending_hex_grid) {
        hex_grid = pending_hex_grid->join(geos);
        pending_hex_grid.reset();
    }
}

AtlasLayers measure_atlas(const GeosContext& geos, const Project& project, CheckedInputs in,
                          const Links& links, RunReport& report, const Progress& progress,
                          const MeasureOptions& options) {
    const detail::Ids ids = detail::ids_of(in, project);
    detail::CityFrames frames(geos, in);
    AtlasLayers out;
    progress.update(0.0, "measure clusters");
    detail::ClusterLevel clusters =
        detail::measure_clusters(geos, project, in, links, ids, frames, report);
    auto hex = std::make_shared<detail::PendingHexGrid>(geos, project, in, links, clusters.facts,
                                                        ids, report);
    out.clusters = std::move(clusters.table);
    report.mark("clusters");
    out.heritage_programmes = detail::measure_overlaps(geos, in, links, ids, frames);
    progress.update(0.3, "measure heritage sites");
    detail::HeritageLevel heritage =
        detail::measure_heritage(geos, project, in, links, ids, frames, report);
    out.heritage_sites = std::move(heritage.table);
    report.mark("heritage sites");
    out.programmes = detail::measure_programmes(project, in, links, ids);
    progress.update(0.6, "measure cities");
    const detail::Trajectories trajectories =
        detail::trace_cities(project, in, links, clusters.facts, heritage.facts, report);
    out.cities = detail::measure_cities(geos, project, in, links, ids, frames, clusters.facts,
                                        heritage.facts, trajectories, report);
    report.mark("cities");
    if (options.defer_hex_grid) {
        out.hex_grid = hex->placeholder();
        out.pending_hex_grid = std::move(hex);
    } else {
        progress.update(0.8, "hexagonal grid");
        out.hex_grid = hex->join(geos);
        report.mark("hex grid");
    }
    // Layers keep a declared geometry type even when a run leaves them empty.
    out.clusters.empty_geometry = GeometryHint::Point;
    out.heritage_sites.empty_geometry = GeometryHint::Point;
    out.cities.empty_geometry = GeometryHint::Polygon;
    out.programmes.empty_geometry = GeometryHint::Polygon;
    out.heritage_programmes.empty_geometry = GeometryHint::Polygon;
    for (Table* t : {&out.cities, &out.clusters, &out.heritage_sites}) {
        if (auto f = detail::split_mixed(geos, *t)) {
            f->empty_geometry = GeometryHint::Polygon;
            report.notes.push_back(t->name + " mixes points and polygons: written as points, " +
                                   "with the polygons in layer " + f->name);
            out.footprints.push_back(std::move(*f));
        }
    }
    // After the split: a city's rows take its geometry as the cities layer has it.
    out.city_years = detail::measure_city_years(geos, trajectories, ids, out.cities);
    out.city_years.empty_geometry = out.cities.empty_geometry;
    report.mark("city years");
    progress.update(1.0, "measure");
    return out;
}

} // namespace creatlas
