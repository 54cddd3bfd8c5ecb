// creatlas — the load stage.
//
// Reads any GDAL vector source (GeoPackage, GeoJSON, Shapefile with its .cpg,
// FlatGeobuf, CSV/XLSX/ODS with lon/lat or WKT columns) into a Table in WGS 84
// lon/lat. A source without a CRS must have one declared in the project file.
// Invalid geometries follow the geometry policy (repair with GEOS MakeValid,
// skip, or fail); every repaired, skipped or unreadable feature is recorded in
// the SourceReport by its feature id.
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
