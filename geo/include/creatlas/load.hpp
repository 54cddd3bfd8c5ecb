// creatlas — the load stage.
//
// In:  the project file's source sections (SourceSpec).
// Out: Inputs — one Table per source role, geometries in WGS 84 lon/lat.
//
// Reads any GDAL vector source (GeoPackage, GeoJSON, Shapefile with its .cpg,
// FlatGeobuf, CSV/XLSX/ODS with lon/lat or WKT columns, PostGIS tables). A
// source without a CRS must have one declared in the project file. Text is
// recoded to UTF-8 when the source declares an `encoding`. Geometries follow
// the geometry policy: `repair` closes unclosed rings, drops repeated points
// and rings that cannot be polygons, then applies GEOS MakeValid; `skip` drops a
// defective feature; `fail` stops at the first one, naming it. Every repaired,
// skipped, converted or unreadable feature is recorded by its feature id in
// the run report (SourceReport). Values are not judged here: that is the check
// stage's work (check.hpp).
#pragma once

#include "creatlas/geos.hpp"
#include "creatlas/progress.hpp"
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"
#include "creatlas/table.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace creatlas {

/// Whether a source must carry geometries (layers) or is an attribute table.
enum class GeometryNeed { Required, None };

/// Load one source. `policy` applies when the source does not override it.
/// Throws Error(BadInput) naming the file, layer, feature and field on bad input.
Table load_source(const GeosContext& geos, const SourceSpec& spec, GeometryPolicy policy,
                  GeometryNeed need, SourceReport& report, const Progress& progress = {});

/// Everything the project names, as loaded: one table per source role. A role the
/// project does not use is an empty table carrying the role's name.
struct Inputs {
    Table cities;
    Table city_areas;
    Table clusters;
    Table heritage;
    Table programmes;
    Table cluster_attributes; ///< attribute table (no geometry), joined to clusters by key
    Table grants;             ///< attribute table, joined to clusters by key
    Table enterprises;
    Table heritage_overrides; ///< attribute table, joined to heritage sites by id
    /// [enterprises] reference: national enterprise counts by sector (columns sector,
    /// count); empty when the project declares none.
    Table enterprise_reference;
};

/// Each source section of the project with the table it loads into, in load order.
std::vector<std::pair<const SourceSpec*, Table*>> source_tables(const Project& project,
                                                                Inputs& inputs);

/// Load every source of the project, appending one SourceReport per source to
/// `report.sources`.
Inputs load_inputs(const GeosContext& geos, const Project& project, RunReport& report,
                   const Progress& progress = {});

/// What `creatlas info` shows of one layer.
struct LayerInfo {
    std::string name;
    std::int64_t features = 0;
    std::string geometry_type;
    std::string crs; ///< "AUTHORITY:CODE" or the CRS name; "" when none
    std::vector<std::pair<std::string, std::string>> fields; ///< name, OGR type name
    std::int64_t invalid_geometries = 0;
    std::int64_t null_geometries = 0;
};

/// Describe every layer of a source (or only `layer` when given).
std::vector<LayerInfo> inspect_source(const GeosContext& geos, const std::string& path,
                                      const std::vector<std::string>& open_options = {},
                                      const std::string& layer = "");

} // namespace creatlas
