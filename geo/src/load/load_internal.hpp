// Private to the load stage: reading one feature's geometry under the geometry
// policy, and recoding text.
#pragma once

#include "creatlas/error.hpp"
#include "creatlas/geos.hpp"
#include "creatlas/load.hpp"
#include "creatlas/progress.hpp"
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"
#include "creatlas/table.hpp"

#include <gdal_priv.h>
#include <memory>
#include <ogr_geometry.h>
#include <string>
#include <vector>

class OGRCoordinateTransformation;
class OGRSpatialReference;

namespace creatlas::detail {

/// Open a vector source read-only with GDAL open options ("KEY=VALUE"); null on failure
/// (the reason is in the thread's GDAL error state).
GDALDatasetUniquePtr open_vector(const std::string& path, const std::vector<std::string>& options);

/// The outcome of reading one feature's geometry. Exactly one of these holds:
/// `geom` is set (possibly after a repair or a conversion, described in
/// `repaired` and `converted`); or `unreadable` says why nothing could be
/// recovered; or `defect` names what is wrong with a geometry that the skip
/// policy leaves out. (The fail policy throws instead, naming the defect.)
struct GeometryResult {
    GeomPtr geom{nullptr, GeomDeleter{}};
    std::string unreadable;
    std::string defect;
    std::string repaired;
    std::string converted;
};

/// Turn a geometry GDAL read (in the source CRS) into a valid GEOS geometry in
/// WGS 84 under `policy`. `where` names the feature in a fail-policy error.
/// `to_wgs84` may be null (the source is WGS 84 already).
GeometryResult prepare_geometry(const GeosContext& geos, std::unique_ptr<OGRGeometry> geometry,
                                OGRCoordinateTransformation* to_wgs84, GeometryPolicy policy,
                                const ErrorContext& where);

/// load_source with the CRS the project declares for the source (spec.crs) parsed
/// already: `declared` is used when the source has no CRS of its own; null means
/// "parse spec.crs here if it is needed" (what load_source does).
Table load_source_declared(const GeosContext& geos, const SourceSpec& spec,
                           const OGRSpatialReference* declared, GeometryPolicy policy,
                           GeometryNeed need, SourceReport& report, const Progress& progress);

/// Recodes text from one encoding to UTF-8 (iconv through GDAL's CPLRecode).
class Recoder {
public:
    /// `encoding` "" means the text is UTF-8 already and is passed through.
    /// Throws BadInput naming `where` when iconv does not know the encoding.
    Recoder(std::string encoding, const ErrorContext& where);
    bool active() const { return !encoding_.empty(); }
    std::string operator()(const char* text) const;

private:
    std::string encoding_;
};

} // namespace creatlas::detail
