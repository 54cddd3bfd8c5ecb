// The load stage: one feature's geometry, read and, under the repair policy, repaired.
//
// Real municipal files break the rules in a few recurring ways: rings that are not
// closed (GDAL reads them with a warning, GEOS refuses them), repeated vertices,
// rings with too few distinct vertices to enclose anything, self-intersections.
// Repair mends them in that order, at the vertex level first (closing a ring
// changes nothing a planner would see), and leaves GEOS MakeValid only what is
// left. A geometry without any of these defects is never touched.
#include "creatlas/error.hpp"
#include "load_internal.hpp"

#include <cpl_string.h>
#include <ogr_spatialref.h>
#include <utility>
#include <vector>

namespace creatlas::detail {

namespace {

using Ring = std::vector<std::pair<double, double>>;

/// What mending the rings of one geometry did (or, under skip and fail, would do).
struct RingCounts {
    int unclosed = 0;   ///< rings whose last vertex is not their first
    int repeated = 0;   ///< repeated consecutive vertices removed from defective rings
    int degenerate = 0; ///< rings left with fewer than 4 vertices (3 distinct): dropped
    int polygons_dropped = 0;
    bool defective() const { return unclosed > 0 || degenerate > 0; }
};

Ring ring_points(const OGRLinearRing& r) {
    Ring pts;
    pts.reserve(static_cast<std::size_t>(r.getNumPoints()));
    for (int i = 0; i < r.getNumPoints(); ++i) {
        pts.emplace_back(r.getX(i), r.getY(i));
    }
    return pts;
}

/// Mend one ring: drop repeated consecutive vertices, close it. Returns false when it
/// cannot bound an area (fewer than 4 vertices once closed). Rings without a defect
/// are left exactly as they were.
bool mend_ring(Ring& pts, RingCounts& counts) {
    Ring clean;
    clean.reserve(pts.size() + 1);
    int repeated = 0;
    for (const auto& p : pts) {
        if (!clean.empty() && clean.back() == p) {
            ++repeated;
            continue;
        }
        clean.push_back(p);
    }
    const bool unclosed = clean.size() >= 2 && clean.front() != clean.back();
    if (unclosed) {
        clean.push_back(clean.front());
    }
    const bool degenerate = clean.size() < 4;
    if (!unclosed && !degenerate) {
        return true; // sound: keep the ring as it came, repeated vertices and all
    }
    counts.unclosed += unclosed ? 1 : 0;
    counts.degenerate += degenerate ? 1 : 0;
    counts.repeated += repeated;
    pts = std::move(clean);
    return !degenerate;
}

OGRLinearRing make_ring(const Ring& pts) {
    OGRLinearRing r;
    r.setNumPoints(static_cast<int>(pts.size()), FALSE);
    for (std::size_t i = 0; i < pts.size(); ++i) {
        r.setPoint(static_cast<int>(i), pts[i].first, pts[i].second);
    }
    return r;
}

/// The polygon mended; null when its exterior ring cannot bound an area.
std::unique_ptr<OGRPolygon> mend_polygon(const OGRPolygon& poly, RingCounts& counts) {
    auto out = std::make_unique<OGRPolygon>();
    for (int i = 0; i <= poly.getNumInteriorRings(); ++i) {
        const OGRLinearRing* r = i == 0 ? poly.getExteriorRing() : poly.getInteriorRing(i - 1);
        if (r == nullptr) {
            return nullptr;
        }
        Ring pts = ring_points(*r);
        if (!mend_ring(pts, counts)) {
            if (i == 0) {
                ++counts.polygons_dropped;
                return nullptr; // without its shell the holes mean nothing
            }
            continue;
        }
        OGRLinearRing ring = make_ring(pts);
        out->addRing(&ring);
    }
    return out;
}

/// Mend every ring of a polygonal geometry in place; returns the mended geometry
/// (null when no polygon is left) and fills `counts`.
std::unique_ptr<OGRGeometry> mend_rings(const OGRGeometry& g, RingCounts& counts) {
    const OGRwkbGeometryType type = wkbFlatten(g.getGeometryType());
    if (type == wkbPolygon) {
        return mend_polygon(*g.toPolygon(), counts);
    }
    auto multi = std::make_unique<OGRMultiPolygon>();
    for (const OGRPolygon* part : *g.toMultiPolygon()) {
        if (auto p = mend_polygon(*part, counts)) {
            multi->addGeometryDirectly(p.release());
        }
    }
    if (multi->IsEmpty() != FALSE) {
        return nullptr;
    }
    return multi;
}

std::string plural(int n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// "ring not closed (2 rings); …" — the defects, for skip and fail.
std::string describe_defects(const RingCounts& c) {
    std::string out;
    if (c.unclosed > 0) {
        out += "ring not closed (" + plural(c.unclosed, "ring", "rings") + ")";
    }
    if (c.degenerate > 0) {
        out += std::string(out.empty() ? "" : "; ") + "ring with fewer than 3 distinct vertices (" +
               plural(c.degenerate, "ring", "rings") + ")";
    }
    return out;
}

/// "closed 2 unclosed rings; removed 3 repeated points; …" — what repair did.
std::string describe_repair(const RingCounts& c) {
    std::vector<std::string> parts;
    if (c.unclosed > 0) {
        parts.push_back("closed " + plural(c.unclosed, "unclosed ring", "unclosed rings"));
    }
    if (c.repeated > 0) {
        parts.push_back("removed " + plural(c.repeated, "repeated point", "repeated points"));
    }
    if (c.degenerate > 0) {
        parts.push_back("dropped " + plural(c.degenerate, "ring", "rings") +
                        " with fewer than 3 distinct vertices");
    }
    std::string out;
    for (const auto& p : parts) {
        out += (out.empty() ? "" : "; ") + p;
    }
    return out;
}

/// Convert what GEOS and the atlas cannot use as it is: Z/M values and curves.
void convert_to_2d_linear(std::unique_ptr<OGRGeometry>& g, std::string& converted) {
    if (g->Is3D() != FALSE || g->IsMeasured() != FALSE) {
        converted = g->Is3D() != FALSE ? "Z values dropped" : "M values dropped";
        g->flattenTo2D();
    }
    if (OGR_GT_IsNonLinear(g->getGeometryType()) != FALSE) {
        g.reset(g->getLinearGeometry());
        converted +=
            std::string(converted.empty() ? "" : "; ") + "curves approximated by straight segments";
    }
}

bool is_polygonal(const OGRGeometry& g) {
    const OGRwkbGeometryType t = wkbFlatten(g.getGeometryType());
    return t == wkbPolygon || t == wkbMultiPolygon;
}

std::string validity_reason(const GeosContext& geos, const GEOSGeometry& g) {
    char* why = GEOSisValidReason_r(geos.handle(), &g);
    std::string reason = why != nullptr ? why : "invalid geometry";
    GEOSFree_r(geos.handle(), why);
    return reason;
}

/// GEOS MakeValid; for a polygonal input only the polygonal part of the result is
/// kept (collapsed slivers become lines, which a polygon layer cannot hold).
GeomPtr make_valid(const GeosContext& geos, const GEOSGeometry& g) {
    GeomPtr fixed(GEOSMakeValid_r(geos.handle(), &g), GeomDeleter{geos.handle()});
    if (!fixed || !is_areal(geos, &g)) {
        return fixed;
    }
    return polygonal_part(geos, std::move(fixed));
}

} // namespace

GeometryResult prepare_geometry(const GeosContext& geos, std::unique_ptr<OGRGeometry> g,
                                OGRCoordinateTransformation* to_wgs84, GeometryPolicy policy,
                                const ErrorContext& where) {
    GeometryResult out;
    out.geom = GeomPtr(nullptr, GeomDeleter{geos.handle()});
    if (!g) {
        out.unreadable = "no geometry";
        return out;
    }
    if (g->IsEmpty() != FALSE) {
        out.unreadable = "empty geometry";
        return out;
    }
    convert_to_2d_linear(g, out.converted);
    RingCounts rings;
    if (is_polygonal(*g)) {
        std::unique_ptr<OGRGeometry> mended = mend_rings(*g, rings);
        if (rings.defective()) {
            if (policy == GeometryPolicy::Fail) {
                throw_bad_input(describe_defects(rings) + " (geometry_policy = \"fail\")", where);
            }
            if (policy == GeometryPolicy::Skip) {
                out.defect = describe_defects(rings);
                return out;
            }
            if (!mended) {
                out.unreadable = "no ring with 3 or more distinct vertices: nothing to repair";
                return out;
            }
            out.repaired = describe_repair(rings);
            g = std::move(mended);
        }
    }
    if (to_wgs84 != nullptr && g->transform(to_wgs84) != OGRERR_NONE) {
        out.unreadable = "cannot transform to WGS 84 (coordinates outside the CRS's range?)";
        return out;
    }
    GEOSGeometry* raw = g->exportToGEOS(geos.handle());
    if (raw == nullptr) {
        out.unreadable = "GEOS cannot read the geometry" +
                         (geos.last_error().empty() ? "" : ": " + geos.last_error());
        return out;
    }
    out.geom = GeomPtr(raw, GeomDeleter{geos.handle()});
    if (GEOSisValid_r(geos.handle(), raw) == 1) {
        return out;
    }
    const std::string reason = validity_reason(geos, *raw);
    if (policy == GeometryPolicy::Fail) {
        throw_bad_input("invalid geometry: " + reason + " (geometry_policy = \"fail\")", where);
    }
    if (policy == GeometryPolicy::Skip) {
        out.geom.reset();
        out.defect = reason;
        return out;
    }
    GeomPtr fixed = make_valid(geos, *raw);
    if (!fixed || GEOSisEmpty_r(geos.handle(), fixed.get()) != 0) {
        out.geom.reset();
        out.unreadable = "invalid (" + reason + ") and MakeValid left nothing of it";
        return out;
    }
    out.repaired += std::string(out.repaired.empty() ? "" : "; ") + "made valid: " + reason;
    out.geom = std::move(fixed);
    return out;
}

Recoder::Recoder(std::string encoding, const ErrorContext& where) : encoding_(std::move(encoding)) {
    if (encoding_.empty()) {
        return;
    }
    // CPLRecode reports an unknown encoding only as a warning; try it once here.
    if (CPLCanRecode("test", encoding_.c_str(), CPL_ENC_UTF8) == 0) {
        throw_bad_input("encoding '" + encoding_ +
                            R"(' is not one iconv knows (try "CP1251", "KOI8-R", "ISO-8859-1"))",
                        where);
    }
}

std::string Recoder::operator()(const char* text) const {
    if (encoding_.empty()) {
        return text;
    }
    char* recoded = CPLRecode(text, encoding_.c_str(), CPL_ENC_UTF8);
    std::string out = recoded != nullptr ? recoded : "";
    CPLFree(recoded);
    return out;
}

} // namespace creatlas::detail
