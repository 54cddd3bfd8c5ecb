// The measure stage: the programmes layer (one row per support programme zone) and the
// heritage_programmes layer (one row per heritage site × zone that meet).
#include "levels.hpp"

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
    GEOSContextHandle_t h = geos.handle();
    Table overlaps;
    overlaps.name = layer_name(Level::Overlap);
    Columns oc = columns_for(Level::Overlap, 0);
    for (std::size_t i = 0; i < in.tables.heritage.rows.size(); ++i) {
        const GEOSGeometry* sg = in.tables.heritage.rows[i].geom.get();
        const bool areal = is_areal(geos, sg);
        for (int z : links.heritage_zones[i]) {
            const GEOSGeometry* zg =
                in.tables.programmes.rows[static_cast<std::size_t>(z)].geom.get();
            Row row;
            row.fid = static_cast<std::int64_t>(overlaps.rows.size() + 1);
            // Overlaps are areas: a point site's overlap has no geometry (and no area),
            // which keeps the layer one geometry type (MultiPolygon).
            if (areal) {
                row.geom = polygonal_part(geos, geos.own(GEOSIntersection_r(h, sg, zg)));
            }
            oc["heritage_id"].emplace_back(ids.heritage[i]);
            oc["programme_id"].emplace_back(ids.programmes[static_cast<std::size_t>(z)]);
            if (areal) {
                oc["overlap_m2"].emplace_back(
                    frames.overlap_m2(links.heritage_city[i].city, *sg, *zg));
            } else {
                oc["overlap_m2"].emplace_back(std::monostate{});
            }
            overlaps.rows.push_back(std::move(row));
        }
    }
    return assemble(Level::Overlap, oc, std::move(overlaps));
}

} // namespace creatlas::detail
