#include "creatlas/geos.hpp"

#include "creatlas/error.hpp"

#include <cstdarg>
#include <cstdio>
#include <vector>

namespace creatlas {

GeosContext::GeosContext() : ctx_(GEOS_init_r()) {
    if (ctx_ == nullptr) {
        throw Error(ErrorKind::Internal, "could not create a GEOS context");
    }
    GEOSContext_setErrorMessageHandler_r(ctx_, &GeosContext::on_error, this);
}

GeosContext::~GeosContext() {
    GEOS_finish_r(ctx_);
}

void GeosContext::on_error(const char* message, void* self) {
    static_cast<GeosContext*>(self)->last_error_ = message != nullptr ? message : "";
}

GeomPtr GeosContext::own(GEOSGeometry* g) const {
    if (g == nullptr) {
        throw Error(ErrorKind::Internal, "GEOS operation failed: " + last_error_);
    }
    return GeomPtr(g, GeomDeleter{ctx_});
}

GeomPtr GeosContext::clone(const GEOSGeometry& g) const {
    return own(GEOSGeom_clone_r(ctx_, &g));
}

PreparedPtr GeosContext::prepare(const GEOSGeometry& g) const {
    const GEOSPreparedGeometry* p = GEOSPrepare_r(ctx_, &g);
    if (p == nullptr) {
        throw Error(ErrorKind::Internal, "GEOS could not prepare a geometry: " + last_error_);
    }
    return PreparedPtr(p, PreparedDeleter{ctx_});
}

TreePtr GeosContext::make_tree(std::size_t node_capacity) const {
    GEOSSTRtree* t = GEOSSTRtree_create_r(ctx_, node_capacity);
    if (t == nullptr) {
        throw Error(ErrorKind::Internal, "GEOS could not create an STRtree: " + last_error_);
    }
    return TreePtr(t, TreeDeleter{ctx_});
}

GeomPtr GeosContext::point(double x, double y) const {
    return own(GEOSGeom_createPointFromXY_r(ctx_, x, y));
}

GeomPtr GeosContext::from_wkt(const std::string& wkt) const {
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx_);
    GEOSGeometry* g = GEOSWKTReader_read_r(ctx_, reader, wkt.c_str());
    GEOSWKTReader_destroy_r(ctx_, reader);
    if (g == nullptr) {
        throw Error(ErrorKind::BadInput, "not a valid WKT geometry: " + last_error_);
    }
    return GeomPtr(g, GeomDeleter{ctx_});
}

std::string GeosContext::to_wkt(const GEOSGeometry& g, int precision) const {
    GEOSWKTWriter* writer = GEOSWKTWriter_create_r(ctx_);
    if (precision >= 0) {
        GEOSWKTWriter_setRoundingPrecision_r(ctx_, writer, precision);
        GEOSWKTWriter_setTrim_r(ctx_, writer, 1);
    }
    char* text = GEOSWKTWriter_write_r(ctx_, writer, &g);
    GEOSWKTWriter_destroy_r(ctx_, writer);
    std::string out = text != nullptr ? text : "";
    GEOSFree_r(ctx_, text);
    return out;
}

Envelope envelope_of(const GeosContext& geos, const GEOSGeometry& g) {
    Envelope e;
    if (GEOSGeom_getXMin_r(geos.handle(), &g, &e.minx) == 0 ||
        GEOSGeom_getYMin_r(geos.handle(), &g, &e.miny) == 0 ||
        GEOSGeom_getXMax_r(geos.handle(), &g, &e.maxx) == 0 ||
        GEOSGeom_getYMax_r(geos.handle(), &g, &e.maxy) == 0) {
        throw Error(ErrorKind::Internal, "envelope of an empty geometry");
    }
    return e;
}

bool is_areal(const GeosContext& geos, const GEOSGeometry* g) {
    if (g == nullptr) {
        return false;
    }
    const int t = GEOSGeomTypeId_r(geos.handle(), g);
    return t == GEOS_POLYGON || t == GEOS_MULTIPOLYGON;
}

GeomPtr polygonal_part(const GeosContext& geos, GeomPtr g) {
    GEOSContextHandle_t h = geos.handle();
    if (is_areal(geos, g.get())) {
        return g;
    }
    if (!g || GEOSGeomTypeId_r(h, g.get()) != GEOS_GEOMETRYCOLLECTION) {
        return GeomPtr(nullptr, GeomDeleter{h});
    }
    std::vector<GEOSGeometry*> parts;
    const int n = GEOSGetNumGeometries_r(h, g.get());
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(h, g.get(), i);
        const int t = GEOSGeomTypeId_r(h, part);
        if (t == GEOS_POLYGON) {
            parts.push_back(GEOSGeom_clone_r(h, part));
        } else if (t == GEOS_MULTIPOLYGON) {
            for (int k = 0; k < GEOSGetNumGeometries_r(h, part); ++k) {
                parts.push_back(GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, part, k)));
            }
        }
    }
    if (parts.empty()) {
        return GeomPtr(nullptr, GeomDeleter{h});
    }
    return geos.own(GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts.data(),
                                                static_cast<unsigned int>(parts.size())));
}

} // namespace creatlas
