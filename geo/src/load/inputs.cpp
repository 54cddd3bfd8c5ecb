// The load stage: every source the project names (load.hpp).
#include "creatlas/load.hpp"

namespace creatlas {

std::vector<std::pair<const SourceSpec*, Table*>> source_tables(const Project& project,
                                                                Inputs& in) {
    return {
        {&project.cities, &in.cities},
        {&project.city_areas, &in.city_areas},
        {&project.clusters, &in.clusters},
        {&project.cluster_attributes, &in.cluster_attributes},
        {&project.grants, &in.grants},
        {&project.heritage, &in.heritage},
        {&project.heritage_overrides, &in.heritage_overrides},
        {&project.programmes, &in.programmes},
        {&project.enterprises, &in.enterprises},
    };
}

Inputs load_inputs(const GeosContext& geos, const Project& project, RunReport& report,
                   const Progress& progress) {
    Inputs in;
    const std::vector<const SourceSpec*> sources = project.sources();
    std::size_t k = 0;
    for (const auto& [spec, table] : source_tables(project, in)) {
        if (!spec->present()) {
            continue;
        }
        const double share = 1.0 / static_cast<double>(sources.size());
        const bool attributes = spec == &project.cluster_attributes || spec == &project.grants ||
                                spec == &project.heritage_overrides;
        SourceReport sr;
        *table = load_source(geos, *spec, project.geometry_policy,
                             attributes ? GeometryNeed::None : GeometryNeed::Required, sr,
                             progress.sub(share * static_cast<double>(k), share));
        report.sources.push_back(std::move(sr));
        ++k;
    }
    if (!project.enterprise_reference.empty()) {
        SourceSpec ref;
        ref.role = "enterprises.reference";
        ref.path = project.enterprise_reference;
        SourceReport sr;
        in.enterprise_reference =
            load_source(geos, ref, project.geometry_policy, GeometryNeed::None, sr);
        report.sources.push_back(std::move(sr));
    }
    // Tables of roles the project does not use still carry their role's name.
    in.cities.name = "cities";
    in.city_areas.name = "city_areas";
    in.clusters.name = "clusters";
    in.heritage.name = "heritage";
    in.programmes.name = "programmes";
    in.cluster_attributes.name = "cluster_attributes";
    in.grants.name = "grants";
    in.enterprises.name = "enterprises";
    in.heritage_overrides.name = "heritage_overrides";
    in.enterprise_reference.name = "enterprise_reference";
    return in;
}

} // namespace creatlas
