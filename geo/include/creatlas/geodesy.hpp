// creatlas — metric measurement on the WGS 84 ellipsoid.
//
// The core keeps geometries in geographic coordinates (WGS 84, longitude then
// latitude, in degrees). Nothing metric is ever computed in degrees:
//  * distances are geodesic, from PROJ's geodesic routines (Karney's algorithm,
//    geodesic.h), exact to a few nanometres;
//  * the distance from a point to a line or polygon is taken in the ellipsoidal
//    azimuthal equidistant frame centred on the point, where every distance
//    from the centre is exactly the geodesic distance;
//  * areas and overlaps are taken in a local Lambert azimuthal equal-area frame
//    (LocalFrame, built with PROJ) centred on the city they belong to, or as
//    geodesic polygon areas.
#pragma once

#include "creatlas/geos.hpp"

#include <memory>

struct PJconsts;
struct projCtx_t;

namespace creatlas {

/// Geodesic distance in metres between two points given as (lon, lat) degrees.
double geodesic_distance_m(double lon1, double lat1, double lon2, double lat2);

/// Forward azimuth (degrees clockwise from north) and distance in metres.
struct GeodesicInverse {
    double distance_m;
    double azimuth_deg;
};
GeodesicInverse geodesic_inverse(double lon1, double lat1, double lon2, double lat2);

/// Shortest distance in metres from the point (lon, lat) to a geometry in lon/lat
/// degrees: 0 when the geometry covers the point. For points the geodesic distance;
/// for lines and polygons the planar distance in the azimuthal equidistant frame of
/// the point (exact along the geodesic to each vertex, within millimetres along
/// edges of city-sized features).
double distance_point_geometry_m(const GeosContext& geos, double lon, double lat,
                                 const GEOSGeometry& geometry);
/// The same, with `prepared`, a prepared form of `geometry`, telling whether the
/// geometry covers the point (an indexed point-in-polygon test instead of GEOS's
/// full intersection matrix; the same answer on valid geometries).
double distance_point_geometry_m(const GeosContext& geos, double lon, double lat,
                                 const GEOSGeometry& geometry,
                                 const GEOSPreparedGeometry& prepared);

/// A lower bound (metres) of distance_point_geometry_m from (lon, lat) to any
/// geometry inside the lon/lat box `box` (degrees), at the cost of a few
/// trigonometric calls instead of one geodesic inverse per vertex: the great-circle
/// distance to the box on a sphere of radius a(1 − e²) = 6,335,439 m (WGS 84's
/// smallest radius of curvature, so no path on the ellipsoid is shorter), less a
/// margin for edges that bow beyond the box (the sagitta of the box's width) and
/// 0.1 % for the local frame's straight edges. 0 when the point is inside the box,
/// within 10° of a pole, or 90° of longitude or more away from it.
double distance_lower_bound_m(double lon, double lat, const Envelope& box);

/// Geodesic area in square metres of a (multi)polygon in lon/lat degrees
/// (absolute value; holes subtracted). 0 for points and lines.
double geodesic_area_m2(const GeosContext& geos, const GEOSGeometry& geometry);

/// Conservative lon/lat envelope half-widths (degrees) that contain every point within
/// `distance_m` metres of any point of a feature whose latitudes span [lat_min, lat_max].
struct DegreeBuffer {
    double dlon;
    double dlat;
};
DegreeBuffer degree_buffer(double distance_m, double lat_min, double lat_max);

/// A local Lambert azimuthal equal-area frame on WGS 84 centred on (lon0, lat0):
/// coordinates in metres, areas exact. Owns its PROJ context and transformation;
/// use from one thread at a time.
class LocalFrame {
public:
    LocalFrame(double lon0, double lat0);
    ~LocalFrame();
    LocalFrame(const LocalFrame&) = delete;
    LocalFrame& operator=(const LocalFrame&) = delete;
    LocalFrame(LocalFrame&& other) noexcept;
    LocalFrame& operator=(LocalFrame&& other) noexcept;

    /// A copy of `geometry` (lon/lat degrees) in this frame's metres.
    GeomPtr forward(const GeosContext& geos, const GEOSGeometry& geometry) const;
    /// Area in m² of a lon/lat geometry, measured in this frame.
    double area_m2(const GeosContext& geos, const GEOSGeometry& geometry) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace creatlas
