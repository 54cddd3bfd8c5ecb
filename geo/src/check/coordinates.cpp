// The check stage: coordinates inside the valid range of their source's CRS.
//
// A latitude of 156 or UTM metres read as degrees are not small errors to be
// carried along: they put a feature on no map at all, or in the wrong country.
// Such a feature is unreadable, reported with the value that gave it away.
#include "check_internal.hpp"
#include "creatlas/error.hpp"

#include <cmath>
#include <sstream>

namespace creatlas::detail {

namespace {

/// How far (degrees) a projected CRS's features may stray beyond its declared area
/// of use before they are taken as wrong: about 1,000 km, wide enough for data that
/// spills into the neighbouring UTM zone, narrow enough to catch swapped axes or
/// coordinates in another CRS.
constexpr double kAreaMarginDeg = 10.0;

std::string number(double v) {
    std::ostringstream s;
    s.precision(10);
    s << v;
    return s.str();
}

/// Why the envelope is out of range for `crs`, or "" when it is not.
std::string out_of_range(const Envelope& e, const SourceCrs& crs) {
    for (const double v : {e.minx, e.miny, e.maxx, e.maxy}) {
        if (!std::isfinite(v)) {
            return "coordinate is not a finite number";
        }
    }
    if (crs.geographic) {
        for (const double lon : {e.minx, e.maxx}) {
            if (lon < -180.0 || lon > 180.0) {
                return "longitude " + number(lon) + " is beyond ±180 (projected coordinates " +
                       "read as degrees? check the source's crs)";
            }
        }
        for (const double lat : {e.miny, e.maxy}) {
            if (lat < -90.0 || lat > 90.0) {
                return "latitude " + number(lat) + " is beyond ±90 (swapped or projected " +
                       "coordinates? check x_field/y_field and the source's crs)";
            }
        }
        return {};
    }
    if (!crs.has_area) {
        return {};
    }
    const bool lon_ok =
        crs.west > crs.east // the area crosses the antimeridian
            ? true
            : e.minx >= crs.west - kAreaMarginDeg && e.maxx <= crs.east + kAreaMarginDeg;
    const bool lat_ok =
        e.miny >= crs.south - kAreaMarginDeg && e.maxy <= crs.north + kAreaMarginDeg;
    if (lon_ok && lat_ok) {
        return {};
    }
    return "at lon " + number(e.minx) + ", lat " + number(e.miny) + ": more than " +
           number(kAreaMarginDeg) + "° outside the area of use of " + crs.name + " (" +
           number(crs.west) + " to " + number(crs.east) + " E, " + number(crs.south) + " to " +
           number(crs.north) + " N)";
}

} // namespace

void check_coordinates(const GeosContext& geos, Table& t, GeometryPolicy policy,
                       SourceReport& report) {
    if (!t.crs.known) {
        return;
    }
    GEOSContextHandle_t h = geos.handle();
    std::vector<Row> kept;
    kept.reserve(t.rows.size());
    for (Row& r : t.rows) {
        if (r.geom) {
            Envelope e;
            GEOSGeom_getXMin_r(h, r.geom.get(), &e.minx);
            GEOSGeom_getYMin_r(h, r.geom.get(), &e.miny);
            GEOSGeom_getXMax_r(h, r.geom.get(), &e.maxx);
            GEOSGeom_getYMax_r(h, r.geom.get(), &e.maxy);
            const std::string why = out_of_range(e, t.crs);
            if (!why.empty()) {
                if (policy == GeometryPolicy::Fail) {
                    throw_bad_input(why, {t.source, t.layer, r.fid, ""});
                }
                report.unreadable.push_back({r.fid, why});
                continue;
            }
        }
        kept.push_back(std::move(r));
    }
    t.rows = std::move(kept);
    report.loaded = static_cast<std::int64_t>(t.rows.size());
}

} // namespace creatlas::detail
