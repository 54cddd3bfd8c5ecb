// The measure stage: the programmes layer (one row per support programme zone) and the
// heritage_programmes layer (one row per heritage site × zone that meet).
#include "levels.hpp"
#include "parallel.hpp"

namespace creatlas::detail {

Table measure_programmes(const Project& project, CheckedInputs& in, const Links& links,
                         const Ids& ids) {
    const std::size_t np = in.tables.programmes.rows.size();
    std::vector<std::int64_t> clusters(np, 0);
    std::vector<std::int64_t> sites(np, 0);
    for (const auto& zones : links.cluster_zones) {
        for (int z : zones) {
            ++clusters[static_cast<std::size_t>(z)];
        }
    }
    for (const auto& zones : links.heritage_zones) {
        for (int z : zones) {
            ++sites[static_cast<std::size_t>(z)];
        }
    }
    Columns pc = columns_for(Level::Programme, np);
    for (std::size_t z = 0; z < np; ++z) {
        pc["programme_id"][z] = ids.programmes[z];
        if (in.instrument[z]) {
            pc["instrument"][z] = std::string(to_string(*in.instrument[z]));
        }
        pc["clusters_covered"][z] = clusters[z];
        pc["heritage_covered"][z] = sites[z];
        for (const auto& [field, years] :
             {std::pair{"start_year", &in.zone_start}, std::pair{"end_year", &in.zone_end}}) {
            if (z < years->size() && (*years)[z]) {
                pc[field][z] = static_cast<std::int64_t>(*(*years)[z]);
            }
        }
    }
    return assemble(Level::Programme, pc, std::move(in.tables.programmes),
                    {project.programmes.id_field, project.programmes.field("instrument_field"),
                     project.programmes.field("start_year_field"),
                     project.programmes.field("end_year_field")});
}

Table measure_overlaps(const GeosContext& geos, const CheckedInputs& in, const Links& links,
                       const Ids& ids, CityFrames& frames) {
    const Table& heritage = in.tables.heritage;
    const std::size_t nh = heritage.rows.size();
    // Row k of the layer is known before anything is measured: site i's pairs start
    // at first[i], in the order of its zones. So rows split across cores and each
    // thread fills its own rows, and the layer is the same as a serial run's.
    std::vector<std::size_t> first(nh + 1, 0);
    for (std::size_t i = 0; i < nh; ++i) {
        first[i + 1] = first[i] + links.heritage_zones[i].size();
    }
    const std::size_t total = first[nh];
    Table overlaps;
    overlaps.name = layer_name(Level::Overlap);
    overlaps.rows.resize(total);
    Columns oc = columns_for(Level::Overlap, total);
    Column& c_heritage = oc["heritage_id"];
    Column& c_programme = oc["programme_id"];
    Column& c_overlap = oc["overlap_m2"];
    auto measure_rows = [&](const GeosContext& g, const Table& zones, CityFrames& f,
                            RowRange range) {
        GEOSContextHandle_t h = g.handle();
        for (std::size_t i = range.begin; i < range.end; ++i) {
            const GEOSGeometry* sg = heritage.rows[i].geom.get();
            const bool areal = is_areal(g, sg);
            std::size_t k = first[i];
            for (int z : links.heritage_zones[i]) {
                const GEOSGeometry* zg = zones.rows[static_cast<std::size_t>(z)].geom.get();
                Row& row = overlaps.rows[k];
                row.fid = static_cast<std::int64_t>(k + 1);
                // Overlaps are areas: a point site's overlap has no geometry (and no
                // area), which keeps the layer one geometry type (MultiPolygon).
                // The caller's context takes the geometry over (GEOS ties a geometry to
                // its factory, which every context shares, not to the handle).
                if (areal) {
                    row.geom =
                        GeomPtr(polygonal_part(g, g.own(GEOSIntersection_r(h, sg, zg))).release(),
                                GeomDeleter{geos.handle()});
                }
                c_heritage[k] = ids.heritage[i];
                c_programme[k] = ids.programmes[static_cast<std::size_t>(z)];
                if (areal) {
                    c_overlap[k] = f.overlap_m2(links.heritage_city[i].city, *sg, *zg);
                }
                ++k;
            }
        }
    };
    parallel_rows(nh, [&](unsigned worker, RowRange range) {
        const CityFrames::Worker w = frames.for_worker(worker);
        if (worker == 0) {
            measure_rows(w.geos, in.tables.programmes, w.frames, range);
            return;
        }
        // Another thread reads its own sites and its own copy of the zones (GEOS
        // builds some caches lazily).
        const Table zones = clone_geometries(w.geos, in.tables.programmes);
        measure_rows(w.geos, zones, w.frames, range);
    });
    return assemble(Level::Overlap, oc, std::move(overlaps));
}

} // namespace creatlas::detail
