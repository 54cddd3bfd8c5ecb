// Private helpers around GDAL: error capture and CRS handling.
#pragma once

#include "creatlas/report.hpp"

#include <cpl_error.h>
#include <gdal_priv.h>
#include <memory>
#include <ogr_spatialref.h>
#include <string>
#include <unordered_map>
#include <vector>

namespace creatlas::detail {

/// While alive, GDAL errors and warnings raised on this thread are collected here
/// instead of being printed; identical messages are counted, not repeated (a
/// malformed file can raise one warning for each of its features). Restores the
/// previous handler on destruction.
class GdalErrorCapture {
public:
    GdalErrorCapture();
    ~GdalErrorCapture();
    GdalErrorCapture(const GdalErrorCapture&) = delete;
    GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
    GdalErrorCapture(GdalErrorCapture&&) = delete;
    GdalErrorCapture& operator=(GdalErrorCapture&&) = delete;

    /// Distinct messages in the order first seen, each with how often it came.
    const std::vector<MessageCount>& messages() const { return messages_; }
    /// The last error (not warning) message, or "".
    std::string last_error() const { return last_error_; }
    /// Move the collected messages out (and clear them).
    std::vector<MessageCount> take();

private:
    static void CPL_STDCALL handler(CPLErr level, CPLErrorNum num, const char* message);
    std::vector<MessageCount> messages_;
    std::unordered_map<std::string, std::size_t> seen_; ///< message → index in messages_
    std::string last_error_;
};

/// While alive, GDAL's errors and warnings raised on this thread are dropped
/// instead of printed (CPL error handlers are per thread): for worker threads
/// whose failures are thrown as Error with their context.
class QuietGdalErrors {
public:
    QuietGdalErrors() { CPLPushErrorHandler(CPLQuietErrorHandler); }
    ~QuietGdalErrors() { CPLPopErrorHandler(); }
    QuietGdalErrors(const QuietGdalErrors&) = delete;
    QuietGdalErrors& operator=(const QuietGdalErrors&) = delete;
    QuietGdalErrors(QuietGdalErrors&&) = delete;
    QuietGdalErrors& operator=(QuietGdalErrors&&) = delete;
};

/// Register GDAL's drivers once (thread-safe).
void ensure_gdal_registered();

/// An OGRSpatialReference from any definition GDAL accepts ("EPSG:4326", WKT,
/// PROJ string), longitude-first; throws BadInput naming `what` when it is not one.
std::unique_ptr<OGRSpatialReference> make_srs(const std::string& definition,
                                              const std::string& what);

/// "EPSG:4326" when the CRS has an authority code, else its name.
std::string describe_srs(const OGRSpatialReference& srs);

/// The name of an OGR geometry type as PostGIS and QGIS both spell it ("Point",
/// "MultiPolygon", …; Z/M flags ignored), or `fallback` for any other type (PostGIS
/// says "Geometry", QGIS "Unknown").
std::string wkb_type_name(OGRwkbGeometryType type, const char* fallback);

struct CtDeleter {
    void operator()(OGRCoordinateTransformation* ct) const noexcept {
        OGRCoordinateTransformation::DestroyCT(ct);
    }
};
using CtPtr = std::unique_ptr<OGRCoordinateTransformation, CtDeleter>;

} // namespace creatlas::detail
