// creatlas — ownership of GEOS objects (reentrant C API only).
//
// A GeosContext owns one GEOSContextHandle_t. Every geometry, prepared geometry
// and STRtree made in that context is held by a unique_ptr whose deleter carries
// the handle, so nothing is destroyed by hand and nothing outlives its context
// unnoticed. A context is used by one thread at a time; work split across
// threads gives each thread its own context.
#pragma once

#ifndef GEOS_USE_ONLY_R_API
#define GEOS_USE_ONLY_R_API
#endif
#include <geos_c.h>
#include <memory>
#include <string>
#include <vector>

namespace creatlas {

struct GeomDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const noexcept { GEOSGeom_destroy_r(ctx, g); }
};
struct PreparedDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const noexcept {
        GEOSPreparedGeom_destroy_r(ctx, g);
    }
};
struct TreeDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSSTRtree* t) const noexcept { GEOSSTRtree_destroy_r(ctx, t); }
};

/// An owned GEOS geometry.
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;
/// An owned prepared geometry. The geometry it was prepared from must outlive it.
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;
using TreePtr = std::unique_ptr<GEOSSTRtree, TreeDeleter>;

/// Owns a GEOS context handle; GEOS notices and errors are collected, not printed.
class GeosContext {
public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;
    GeosContext(GeosContext&&) = delete;
    GeosContext& operator=(GeosContext&&) = delete;

    GEOSContextHandle_t handle() const noexcept { return ctx_; }

    /// Take ownership of a geometry returned by a GEOS call; throws Error(Internal)
    /// with GEOS's last message when the call failed (null).
    GeomPtr own(GEOSGeometry* g) const;
    GeomPtr clone(const GEOSGeometry& g) const;
    PreparedPtr prepare(const GEOSGeometry& g) const;
    TreePtr make_tree(std::size_t node_capacity = 10) const;

    GeomPtr point(double x, double y) const;
    GeomPtr from_wkt(const std::string& wkt) const;
    std::string to_wkt(const GEOSGeometry& g, int precision = -1) const;

    /// The last error message GEOS reported in this context ("" if none).
    const std::string& last_error() const noexcept { return last_error_; }

private:
    static void on_error(const char* message, void* self);
    GEOSContextHandle_t ctx_ = nullptr;
    std::string last_error_;
};

/// Envelope of a geometry in its own coordinates.
struct Envelope {
    double minx = 0, miny = 0, maxx = 0, maxy = 0;
};
Envelope envelope_of(const GeosContext& geos, const GEOSGeometry& g);

/// True for polygons and multipolygons (false for null).
bool is_areal(const GeosContext& geos, const GEOSGeometry* g);

/// The polygons of `g`, which may also hold lines or points (as intersections where
/// two shapes only touch, and MakeValid results of collapsed slivers do); null when
/// it has no polygon.
GeomPtr polygonal_part(const GeosContext& geos, GeomPtr g);

} // namespace creatlas
