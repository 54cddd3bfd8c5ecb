// Hexagonal grids per city, counted and tested for hot and cold spots.
//
// At national scale the atlas lays out some 186,000 cells in 1,100 cities, so
// the grid is built arithmetically: cells are numbered row by row, a point's cell
// and a cell's neighbours are found by index arithmetic, the six corners are
// computed in the city's metric frame and inverse-projected in one PROJ call per
// city (each corner shared by up to three cells projected once), and GEOS is
// asked only to wrap the finished coordinates. Cities are independent, so they
// are split over threads, each with its own PROJ and GEOS context.
#include "creatlas/error.hpp"
#include "creatlas/stats.hpp"
#include "stats_internal.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <numeric>
#include <proj.h>
#include <sstream>
#include <thread>

namespace creatlas::stats {

namespace {

const char* const kFarSide = "a point cannot be placed in the city's metric frame "
                             "(is it on the far side of the globe?)";

// One PROJ context per thread: a PJ and its context must stay on one thread.
class ProjContext {
public:
    ProjContext() : ctx_(proj_context_create()) {
        if (ctx_ == nullptr) {
            throw Error(ErrorKind::Internal, "PROJ could not create a context");
        }
    }
    ~ProjContext() { proj_context_destroy(ctx_); }
    ProjContext(const ProjContext&) = delete;
    ProjContext& operator=(const ProjContext&) = delete;
    ProjContext(ProjContext&&) = delete;
    ProjContext& operator=(ProjContext&&) = delete;
    PJ_CONTEXT* get() const { return ctx_; }

private:
    PJ_CONTEXT* ctx_;
};

// The value of `+key=` in a PROJ string ("0" when absent, PROJ's default).
std::string proj_param(const std::string& def, const std::string& key) {
    const std::string tag = "+" + key + "=";
    const std::size_t at = def.find(tag);
    if (at == std::string::npos) {
        return "0";
    }
    const std::size_t begin = at + tag.size();
    return def.substr(begin, def.find(' ', begin) - begin);
}

// The city's Lambert azimuthal equal-area frame on WGS 84, lon/lat degrees in,
// metres out, both ways. It is the operation that
// proj_create_crs_to_crs("EPSG:4326", "+proj=laea …") resolves to after
// proj_normalize_for_visualization — a pipeline of unitconvert and laea — built
// here without the proj.db queries that cost milliseconds per city. PROJ writes
// lat_0 and lon_0 into that pipeline with 15 significant digits, in its own
// formatting (which differs from printf's %.15g in the last digit now and then),
// so the centre is passed through PROJ's own writer (proj_as_proj_string, tens of
// microseconds) to give bit-identical results. The pipeline's first step, degrees
// to radians (× π/180 forward, ÷ π/180 back), is done here: PROJ builds the bare
// laea step in a quarter of the pipeline's time, and the results are the same to
// the last bit (as LocalFrame's, tests/unit/geodesy_test.cpp).
class LaeaFrame {
public:
    LaeaFrame(PJ_CONTEXT* ctx, LonLat centre) {
        std::ostringstream crs;
        crs.precision(17);
        crs << "+proj=laea +lat_0=" << centre.lat << " +lon_0=" << centre.lon
            << " +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs";
        std::string written;
        if (PJ* laea = proj_create(ctx, crs.str().c_str()); laea != nullptr) {
            const char* text = proj_as_proj_string(ctx, laea, PJ_PROJ_5, nullptr);
            written = text != nullptr ? text : "";
            proj_destroy(laea);
        }
        if (written.empty()) {
            throw Error(ErrorKind::Internal, "PROJ could not build the hexagonal grid's frame");
        }
        const std::string def = "+proj=laea +lat_0=" + proj_param(written, "lat_0") +
                                " +lon_0=" + proj_param(written, "lon_0") +
                                " +x_0=0 +y_0=0 +ellps=WGS84";
        pj_ = proj_create(ctx, def.c_str());
        if (pj_ == nullptr) {
            throw Error(ErrorKind::Internal, "PROJ could not build the hexagonal grid's frame");
        }
    }
    ~LaeaFrame() { proj_destroy(pj_); }
    LaeaFrame(const LaeaFrame&) = delete;
    LaeaFrame& operator=(const LaeaFrame&) = delete;
    LaeaFrame(LaeaFrame&&) = delete;
    LaeaFrame& operator=(LaeaFrame&&) = delete;

    /// In place, n coordinates at once; throws when one cannot be placed.
    void forward(double* x, double* y, std::size_t n) const {
        for (std::size_t i = 0; i < n; ++i) {
            x[i] *= kRadiansPerDegree;
            y[i] *= kRadiansPerDegree;
        }
        apply(PJ_FWD, x, y, n);
    }
    void inverse(double* x, double* y, std::size_t n) const {
        apply(PJ_INV, x, y, n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] /= kRadiansPerDegree;
            y[i] /= kRadiansPerDegree;
        }
    }

private:
    /// PROJ's unitconvert factor from degrees to radians.
    static constexpr double kRadiansPerDegree = M_PI / 180.0;

    void apply(PJ_DIRECTION dir, double* x, double* y, std::size_t n) const {
        if (n == 0) {
            return;
        }
        proj_trans_generic(pj_, dir, x, sizeof(double), n, y, sizeof(double), n, nullptr, 0, 0,
                           nullptr, 0, 0);
        for (std::size_t i = 0; i < n; ++i) {
            if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
                throw_bad_input(kFarSide);
            }
        }
    }
    PJ* pj_ = nullptr;
};

// Appends the vertices of a polygon or multipolygon (every ring) to xs, ys.
void append_vertices(GEOSContextHandle_t h, const GEOSGeometry* g, std::vector<double>& xs,
                     std::vector<double>& ys) {
    auto ring = [&](const GEOSGeometry* r) {
        const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, r);
        unsigned size = 0;
        if (seq == nullptr || GEOSCoordSeq_getSize_r(h, seq, &size) == 0 || size == 0) {
            return;
        }
        const std::size_t at = xs.size();
        xs.resize(at + size);
        ys.resize(at + size);
        GEOSCoordSeq_copyToArrays_r(h, seq, xs.data() + at, ys.data() + at, nullptr, nullptr);
    };
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        ring(GEOSGetExteriorRing_r(h, g));
        const int holes = GEOSGetNumInteriorRings_r(h, g);
        for (int k = 0; k < holes; ++k) {
            ring(GEOSGetInteriorRingN_r(h, g, k));
        }
    } else if (type == GEOS_MULTIPOLYGON) {
        const int parts = GEOSGetNumGeometries_r(h, g);
        for (int k = 0; k < parts; ++k) {
            append_vertices(h, GEOSGetGeometryN_r(h, g, k), xs, ys);
        }
    }
}

// Pointy-top hexagons in axial coordinates (q, r): centre x = d (q + r/2),
// y = d·√3/2 · r; the circumradius is d/√3. Row r holds the cells q0..q1 whose
// centres lie within one spacing of the extent (a spare ring around the data);
// cells are numbered row by row, rows upwards, q ascending within a row.
class Layout {
public:
    Layout(double cell_m, double xmin, double ymin, double xmax, double ymax)
        : d_(cell_m), rh_(cell_m * std::sqrt(3.0) / 2.0), xmin_(xmin), xmax_(xmax),
          rmin_(static_cast<std::int64_t>(std::floor((ymin - cell_m) / rh_))),
          rmax_(static_cast<std::int64_t>(std::ceil((ymax + cell_m) / rh_))) {}

    double spacing() const { return d_; }
    double row_height() const { return rh_; }
    std::int64_t rmin() const { return rmin_; }
    std::int64_t rmax() const { return rmax_; }

    /// The q range of row r (empty when first > second).
    std::pair<std::int64_t, std::int64_t> q_range(std::int64_t r) const {
        const double half = 0.5 * static_cast<double>(r);
        return {static_cast<std::int64_t>(std::ceil((xmin_ - d_) / d_ - half)),
                static_cast<std::int64_t>(std::floor((xmax_ + d_) / d_ - half))};
    }

    /// The number of cells, counted without allocating (it may be huge).
    double count_cells() const {
        double total = 0;
        for (std::int64_t r = rmin_; r <= rmax_; ++r) {
            const auto [q0, q1] = q_range(r);
            total += static_cast<double>(std::max<std::int64_t>(0, q1 - q0 + 1));
        }
        return total;
    }

    /// Number the cells; call once, after count_cells() has been checked.
    void index_rows() {
        const auto rows = static_cast<std::size_t>(rmax_ - rmin_ + 1);
        q0_.resize(rows);
        start_.assign(rows + 1, 0);
        for (std::size_t k = 0; k < rows; ++k) {
            const auto [q0, q1] = q_range(rmin_ + static_cast<std::int64_t>(k));
            q0_[k] = q0;
            start_[k + 1] =
                start_[k] + static_cast<std::size_t>(std::max<std::int64_t>(0, q1 - q0 + 1));
        }
    }

    std::size_t size() const { return start_.empty() ? 0 : start_.back(); }

    static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

    /// The number of cell (q, r), or npos when the grid has no such cell.
    std::size_t find(std::int64_t q, std::int64_t r) const {
        if (r < rmin_ || r > rmax_) {
            return npos;
        }
        const auto k = static_cast<std::size_t>(r - rmin_);
        if (q < q0_[k]) {
            return npos;
        }
        const auto off = static_cast<std::size_t>(q - q0_[k]);
        return off < start_[k + 1] - start_[k] ? start_[k] + off : npos;
    }

    /// Calls fn(cell, q, r) for every cell in number order.
    template <typename Fn> void each(Fn&& fn) const {
        for (std::size_t k = 0; k + 1 < start_.size(); ++k) {
            const std::int64_t r = rmin_ + static_cast<std::int64_t>(k);
            for (std::size_t c = start_[k]; c < start_[k + 1]; ++c) {
                fn(c, q0_[k] + static_cast<std::int64_t>(c - start_[k]), r);
            }
        }
    }

private:
    double d_, rh_, xmin_, xmax_;
    std::int64_t rmin_, rmax_;
    std::vector<std::int64_t> q0_;
    std::vector<std::size_t> start_;
};

// Buffers a thread reuses from city to city.
struct Scratch {
    std::vector<double> px, py;           // points in the frame
    std::vector<double> ux, uy;           // distinct corners: frame, then lon/lat
    std::vector<std::uint32_t> corner;    // 6 per cell: index into ux, uy
    std::vector<std::int32_t> first_seen; // per lattice corner: index into ux, uy, or -1
};

// A city's grid before its cells become polygons.
struct Core {
    std::unique_ptr<Layout> layout; // null: nothing to cover
    std::vector<std::int64_t> count;
    Weights neighbours;
};

// Lay the grid over the points and the area, count the points per cell and link
// each cell to the (up to six) cells sharing an edge with it.
Core layout_and_count(GEOSContextHandle_t h, const LaeaFrame& frame, const LonLat* points,
                      std::size_t npoints, const GEOSGeometry* area, double cell_m,
                      std::size_t max_cells, Scratch& s) {
    s.px.resize(npoints);
    s.py.resize(npoints);
    for (std::size_t i = 0; i < npoints; ++i) {
        s.px[i] = points[i].lon;
        s.py[i] = points[i].lat;
    }
    frame.forward(s.px.data(), s.py.data(), npoints);
    double xmin = std::numeric_limits<double>::infinity();
    double ymin = xmin;
    double xmax = -xmin;
    double ymax = -xmin;
    for (std::size_t i = 0; i < npoints; ++i) {
        xmin = std::min(xmin, s.px[i]);
        xmax = std::max(xmax, s.px[i]);
        ymin = std::min(ymin, s.py[i]);
        ymax = std::max(ymax, s.py[i]);
    }
    if (area != nullptr && GEOSisEmpty_r(h, area) == 0) {
        // The area's envelope in the frame: the extremes of its projected vertices.
        s.ux.clear();
        s.uy.clear();
        append_vertices(h, area, s.ux, s.uy);
        frame.forward(s.ux.data(), s.uy.data(), s.ux.size());
        for (std::size_t i = 0; i < s.ux.size(); ++i) {
            xmin = std::min(xmin, s.ux[i]);
            xmax = std::max(xmax, s.ux[i]);
            ymin = std::min(ymin, s.uy[i]);
            ymax = std::max(ymax, s.uy[i]);
        }
    }
    Core core;
    if (!std::isfinite(xmin)) {
        core.neighbours = weights_from_neighbours({});
        return core;
    }
    core.layout = std::make_unique<Layout>(cell_m, xmin, ymin, xmax, ymax);
    Layout& grid = *core.layout;
    const double total = grid.count_cells();
    if (total > static_cast<double>(max_cells)) {
        std::ostringstream msg;
        msg << "a hexagonal grid of " << cell_m << " m cells over this extent would have "
            << static_cast<std::int64_t>(total) << " cells (more than " << max_cells
            << "): choose larger cells";
        throw_bad_input(msg.str());
    }
    grid.index_rows();
    const std::size_t n = grid.size();
    const double d = grid.spacing();
    const double rh = grid.row_height();
    core.count.assign(n, 0);
    for (std::size_t i = 0; i < npoints; ++i) {
        // Fractional axial coordinates, rounded in cube coordinates (x + y + z = 0).
        const double rf = s.py[i] / rh;
        const double qf = s.px[i] / d - 0.5 * rf;
        const double sf = -qf - rf;
        double qr = std::round(qf);
        double rr = std::round(rf);
        const double sr = std::round(sf);
        const double dq = std::fabs(qr - qf);
        const double dr = std::fabs(rr - rf);
        const double ds = std::fabs(sr - sf);
        if (dq > dr && dq > ds) {
            qr = -rr - sr;
        } else if (dr > ds) {
            rr = -qr - sr;
        }
        const std::size_t c =
            grid.find(static_cast<std::int64_t>(qr), static_cast<std::int64_t>(rr));
        if (c == Layout::npos) {
            throw Error(ErrorKind::Internal, "hexagonal grid: a point fell outside the grid");
        }
        ++core.count[c];
    }
    // Edge neighbours in ascending cell number: the row below, the same row, the
    // row above (rows are numbered upwards, q ascending within a row).
    static const int dirs[6][2] = {{0, -1}, {1, -1}, {-1, 0}, {1, 0}, {-1, 1}, {0, 1}};
    Weights& w = core.neighbours;
    w.offsets.assign(1, 0);
    w.offsets.reserve(n + 1);
    w.neighbours.reserve(6 * n);
    grid.each([&](std::size_t, std::int64_t q, std::int64_t r) {
        for (const auto& dir : dirs) {
            const std::size_t j = grid.find(q + dir[0], r + dir[1]);
            if (j != Layout::npos) {
                w.neighbours.push_back(static_cast<std::int32_t>(j));
            }
        }
        w.offsets.push_back(w.neighbours.size());
    });
    w.values.assign(w.neighbours.size(), 1.0);
    w.transform = Transform::Binary;
    return core;
}

// The cells as lon/lat polygons made in `geos`, in cell number order.
std::vector<GeomPtr> cell_polygons(const GeosContext& geos, const LaeaFrame& frame,
                                   const Layout& grid, Scratch& s) {
    GEOSContextHandle_t h = geos.handle();
    const std::size_t n = grid.size();
    const double d = grid.spacing();
    const double rh = grid.row_height();
    const double radius = d / std::sqrt(3.0);
    double cosv[6];
    double sinv[6];
    for (unsigned v = 0; v < 6; ++v) {
        const double angle = (30.0 + 60.0 * v) * M_PI / 180.0;
        cosv[v] = std::cos(angle);
        sinv[v] = std::sin(angle);
    }
    // Corner v of cell (q, r) is, on the lattice, corner 0 (30°) or 1 (90°) of
    // one cell: v 0 → (q, r, 0), 1 → (q, r, 1), 2 → (q-1, r, 0), 3 → (q, r-1, 1),
    // 4 → (q, r-1, 0), 5 → (q+1, r-1, 1). Lattice corners are numbered over rows
    // rmin-1 … rmax, q from the row's q0-1 to q1+1. A corner is projected once
    // when its neighbours compute the same rounded coordinates (they do: the
    // rounding to the micrometre is there for that); should one ever differ in
    // the last bit, it is simply projected on its own.
    static const int owner[6][3] = {{0, 0, 0},  {0, 0, 1},  {-1, 0, 0},
                                    {0, -1, 1}, {0, -1, 0}, {1, -1, 1}};
    const std::int64_t rlo = grid.rmin() - 1;
    const auto lattice_rows = static_cast<std::size_t>(grid.rmax() - rlo + 1);
    std::vector<std::int64_t> lq0(lattice_rows);
    std::vector<std::size_t> lstart(lattice_rows + 1, 0);
    for (std::size_t k = 0; k < lattice_rows; ++k) {
        const auto [q0, q1] = grid.q_range(rlo + static_cast<std::int64_t>(k));
        lq0[k] = q0 - 1;
        lstart[k + 1] =
            lstart[k] + 2 * static_cast<std::size_t>(std::max<std::int64_t>(0, q1 - q0 + 3));
    }
    auto lattice = [&](std::int64_t q, std::int64_t r, int t) -> std::size_t {
        if (r < rlo || r > grid.rmax()) {
            return Layout::npos;
        }
        const auto k = static_cast<std::size_t>(r - rlo);
        if (q < lq0[k]) {
            return Layout::npos;
        }
        const std::size_t at =
            lstart[k] + 2 * static_cast<std::size_t>(q - lq0[k]) + static_cast<std::size_t>(t);
        return at < lstart[k + 1] ? at : Layout::npos;
    };
    s.first_seen.assign(lstart.back(), -1);
    s.ux.clear();
    s.uy.clear();
    s.ux.reserve(2 * n + 64);
    s.uy.reserve(2 * n + 64);
    s.corner.resize(6 * n);
    grid.each([&](std::size_t c, std::int64_t q, std::int64_t r) {
        const double cx = d * (static_cast<double>(q) + 0.5 * static_cast<double>(r));
        const double cy = rh * static_cast<double>(r);
        for (unsigned v = 0; v < 6; ++v) {
            // Rounded to the micrometre so neighbours compute bit-identical shared
            // vertices (no slivers between cells after the inverse projection).
            const double x = std::round((cx + radius * cosv[v]) * 1e6) / 1e6;
            const double y = std::round((cy + radius * sinv[v]) * 1e6) / 1e6;
            const std::size_t at = lattice(q + owner[v][0], r + owner[v][1], owner[v][2]);
            std::int32_t u = at == Layout::npos ? -1 : s.first_seen[at];
            // Bitwise, on purpose: a shared corner is reused only when its rounded
            // coordinates are the very same bits.
            // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
            if (u < 0 || std::memcmp(&s.ux[static_cast<std::size_t>(u)], &x, sizeof x) != 0 ||
                // NOLINTNEXTLINE(bugprone-suspicious-memory-comparison)
                std::memcmp(&s.uy[static_cast<std::size_t>(u)], &y, sizeof y) != 0) {
                u = static_cast<std::int32_t>(s.ux.size());
                s.ux.push_back(x);
                s.uy.push_back(y);
                if (at != Layout::npos && s.first_seen[at] < 0) {
                    s.first_seen[at] = u;
                }
            }
            s.corner[6 * c + v] = static_cast<std::uint32_t>(u);
        }
    });
    frame.inverse(s.ux.data(), s.uy.data(), s.ux.size());
    std::vector<GeomPtr> out;
    out.reserve(n);
    double ring[14];
    for (std::size_t c = 0; c < n; ++c) {
        for (unsigned v = 0; v < 6; ++v) {
            const std::uint32_t u = s.corner[6 * c + v];
            ring[2 * std::size_t{v}] = s.ux[u];
            ring[2 * std::size_t{v} + 1] = s.uy[u];
        }
        ring[12] = ring[0];
        ring[13] = ring[1];
        GEOSCoordSequence* seq = GEOSCoordSeq_copyFromBuffer_r(h, ring, 7, 0, 0);
        if (seq == nullptr) {
            throw Error(ErrorKind::Internal, "GEOS could not make a hexagon: " + geos.last_error());
        }
        GeomPtr shell = geos.own(GEOSGeom_createLinearRing_r(h, seq));
        out.push_back(geos.own(GEOSGeom_createPolygon_r(h, shell.release(), nullptr, 0)));
    }
    return out;
}

void check_cell_size(double cell_m) {
    if (!(cell_m > 0) || !std::isfinite(cell_m)) {
        throw_bad_input("the hexagon size must be a positive number of metres");
    }
}

} // namespace

HexGrid hex_grid(const GeosContext& geos, LonLat centre, const std::vector<LonLat>& points,
                 const GEOSGeometry* area, double cell_m, std::size_t max_cells) {
    check_cell_size(cell_m);
    const ProjContext proj;
    const LaeaFrame frame(proj.get(), centre);
    Scratch scratch;
    Core core = layout_and_count(geos.handle(), frame, points.data(), points.size(), area, cell_m,
                                 max_cells, scratch);
    HexGrid grid;
    grid.neighbours = std::move(core.neighbours);
    if (!core.layout) {
        return grid;
    }
    std::vector<GeomPtr> polygons = cell_polygons(geos, frame, *core.layout, scratch);
    grid.cells.resize(core.count.size());
    core.layout->each([&](std::size_t c, std::int64_t q, std::int64_t r) {
        grid.cells[c].col = q;
        grid.cells[c].row = r;
        grid.cells[c].count = core.count[c];
        grid.cells[c].polygon = std::move(polygons[c]);
    });
    return grid;
}

namespace {

/// The points grouped by city: city c's points are grouped[first[c] .. first[c + 1]),
/// in input order (a counting sort); `order` lists the cities with points, those
/// with most points first, so that threads taking cities as they come free finish
/// together.
struct PointsByCity {
    std::vector<std::size_t> first;
    std::vector<LonLat> grouped;
    std::vector<std::size_t> order;
};

PointsByCity group_by_city(const std::vector<LonLat>& points, const std::vector<int>& point_city,
                           std::size_t ncities) {
    PointsByCity g;
    g.first.assign(ncities + 1, 0);
    for (int c : point_city) {
        if (c >= 0 && static_cast<std::size_t>(c) < ncities) {
            ++g.first[static_cast<std::size_t>(c) + 1];
        }
    }
    std::partial_sum(g.first.begin(), g.first.end(), g.first.begin());
    g.grouped.resize(g.first.back());
    std::vector<std::size_t> cursor(g.first.begin(), g.first.end() - 1);
    for (std::size_t i = 0; i < points.size(); ++i) {
        const int c = point_city[i];
        if (c >= 0 && static_cast<std::size_t>(c) < ncities) {
            g.grouped[cursor[static_cast<std::size_t>(c)]++] = points[i];
        }
    }
    for (std::size_t c = 0; c < ncities; ++c) {
        if (g.first[c + 1] > g.first[c]) {
            g.order.push_back(c);
        }
    }
    std::stable_sort(g.order.begin(), g.order.end(), [&g](std::size_t a, std::size_t b) {
        return g.first[a + 1] - g.first[a] > g.first[b + 1] - g.first[b];
    });
    return g;
}

/// The grid's frame centre: the city's centroid, or the mean of its points when it
/// has no geometry; and its polygon, when it is one (the grid is clipped to it).
void city_frame(const GeosContext& geos, const Row& city, const LonLat* pts, std::size_t npts,
                LonLat& centre, const GEOSGeometry*& area) {
    GEOSContextHandle_t h = geos.handle();
    centre = {0, 0};
    area = nullptr;
    if (city.geom && GEOSisEmpty_r(h, city.geom.get()) == 0) {
        GeomPtr centroid = geos.own(GEOSGetCentroid_r(h, city.geom.get()));
        GEOSGeomGetX_r(h, centroid.get(), &centre.lon);
        GEOSGeomGetY_r(h, centroid.get(), &centre.lat);
        const int type = GEOSGeomTypeId_r(h, city.geom.get());
        if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
            area = city.geom.get();
        }
        return;
    }
    for (std::size_t i = 0; i < npts; ++i) {
        centre.lon += pts[i].lon / static_cast<double>(npts);
        centre.lat += pts[i].lat / static_cast<double>(npts);
    }
}

/// The hex_grid rows of one city (the fields of make_hex_grid's table), made in
/// `geos` (the thread's context). `city_index` seeds the city's own permutations.
std::vector<Row> city_cells(const GeosContext& geos, PJ_CONTEXT* proj, const Row& city,
                            const Value& city_id, const LonLat* pts, std::size_t npts,
                            std::size_t city_index, const HexGridOptions& options,
                            std::size_t nfields, Scratch& scratch) {
    check_cell_size(options.cell_m);
    LonLat centre{0, 0};
    const GEOSGeometry* area = nullptr;
    city_frame(geos, city, pts, npts, centre, area);
    const LaeaFrame frame(proj, centre);
    Core core =
        layout_and_count(geos.handle(), frame, pts, npts, area, options.cell_m, 2'000'000, scratch);
    if (!core.layout) {
        return {};
    }
    std::vector<GeomPtr> polygons = cell_polygons(geos, frame, *core.layout, scratch);
    const std::size_t n = core.count.size();
    std::vector<double> counts(n);
    for (std::size_t i = 0; i < n; ++i) {
        counts[i] = static_cast<double>(core.count[i]);
    }
    // Gi* with binary weights (Getis and Ord's form); LISA row-standardised.
    GiStarResult gi;
    LisaResult lisa;
    const bool stats = n >= 3;
    if (stats) {
        gi = getis_ord_gi_star(counts, core.neighbours, Transform::Binary);
        LisaOptions lo;
        lo.perm = options.perm;
        // Cities are already spread over the threads. The permutations come from
        // streams of the seed, so the thread count changes nothing.
        lo.perm.threads = 1;
        // One seed per city, so a city's result does not depend on the others.
        lo.perm.seed = detail::mix64(options.perm.seed ^ detail::mix64(city_index));
        lo.alpha = options.alpha;
        lisa = local_moran(counts, transformed(core.neighbours, Transform::Row), lo);
    }
    std::vector<Row> rows(n);
    for (std::size_t i = 0; i < n; ++i) {
        Row& row = rows[i];
        row.values.resize(nfields);
        row.values[0] = city_id;
        row.values[1] = core.count[i];
        if (stats) {
            row.values[2] = gi.Zs[i];
            row.values[3] = gi.p[i];
            row.values[4] = std::move(gi.labels[i]);
        }
        if (stats && !std::isnan(lisa.p_sim[i])) {
            row.values[5] = static_cast<std::int64_t>(lisa.q[i]);
            row.values[6] = lisa.p_sim[i];
            row.values[7] = std::move(lisa.labels[i]);
        }
        row.geom = std::move(polygons[i]);
    }
    return rows;
}

} // namespace

struct HexGridJob::State {
    HexGridOptions options;
    std::vector<FieldDef> fields;
    std::size_t ncities = 0;
    PointsByCity grouped;
    // Copies of the cities' geometries (only those with points) and ids, owned here.
    GeosContext owner;
    std::vector<Row> cities;
    std::vector<Value> ids;
    unsigned threads = 1;
    std::vector<std::unique_ptr<GeosContext>> contexts;
    std::vector<std::unique_ptr<ProjContext>> projs;
    std::vector<Scratch> scratch;
    std::vector<std::vector<Row>> rows;
    std::vector<std::exception_ptr> errors;
    std::atomic<std::size_t> next{0};
};

HexGridJob::HexGridJob(const Table& cities, const std::vector<Value>& city_ids, FieldType id_type,
                       const std::vector<LonLat>& points, const std::vector<int>& point_city,
                       const HexGridOptions& options)
    : state_(std::make_unique<State>()) {
    if (points.size() != point_city.size()) {
        throw Error(ErrorKind::Internal, "hex grid: points and their cities differ in size");
    }
    if (city_ids.size() != cities.rows.size()) {
        throw Error(ErrorKind::Internal, "hex grid: cities and their ids differ in size");
    }
    State& s = *state_;
    s.options = options;
    s.fields = {{"city_id", id_type},
                {"count", FieldType::Integer},
                {"gi_z", FieldType::Real},
                {"gi_p", FieldType::Real},
                {"gi_label", FieldType::String},
                {"lisa_q", FieldType::Integer},
                {"lisa_p", FieldType::Real},
                {"lisa_label", FieldType::String}};
    s.ncities = cities.rows.size();
    s.grouped = group_by_city(points, point_city, s.ncities);
    s.cities.resize(s.ncities);
    s.ids.resize(s.ncities);
    for (const std::size_t c : s.grouped.order) {
        if (const GEOSGeometry* g = cities.rows[c].geom.get()) {
            s.cities[c].geom = s.owner.clone(*g);
        }
        s.ids[c] = city_ids[c];
    }
    // Each thread makes its cells in its own GEOS context. GEOS ties a geometry to
    // its factory, not to the context handle (every context uses the default
    // factory; the handle only routes messages), so once the threads are done the
    // caller's context takes the cells over.
    s.threads = detail::thread_count(options.perm.threads, s.grouped.order.size());
    for (unsigned t = 0; t < s.threads; ++t) {
        s.contexts.push_back(std::make_unique<GeosContext>());
        s.projs.push_back(std::make_unique<ProjContext>());
    }
    s.scratch.resize(s.threads);
    s.rows.resize(s.ncities);
    s.errors.resize(s.ncities);
}

HexGridJob::~HexGridJob() {
    // Cells a worker's context still holds are freed while the contexts live.
    if (state_) {
        state_->rows.clear();
        state_->cities.clear();
    }
}

unsigned HexGridJob::workers() const {
    return state_->threads;
}

const std::vector<FieldDef>& HexGridJob::fields() const {
    return state_->fields;
}

void HexGridJob::work(unsigned worker) {
    State& s = *state_;
    if (worker >= s.threads) {
        throw Error(ErrorKind::Internal, "hex grid: no such worker");
    }
    const std::size_t n = s.grouped.order.size();
    for (std::size_t item = s.next++; item < n; item = s.next++) {
        const std::size_t c = s.grouped.order[item];
        try {
            // The city's geometry is only read here (no other thread touches it).
            s.rows[c] = city_cells(*s.contexts[worker], s.projs[worker]->get(), s.cities[c],
                                   s.ids[c], s.grouped.grouped.data() + s.grouped.first[c],
                                   s.grouped.first[c + 1] - s.grouped.first[c], c, s.options,
                                   s.fields.size(), s.scratch[worker]);
        } catch (...) {
            s.errors[c] = std::current_exception();
        }
    }
}

void HexGridJob::stop() {
    state_->next = state_->grouped.order.size();
}

Table HexGridJob::finish(const GeosContext& geos) {
    State& s = *state_;
    // The first city in table order that failed, as a serial run would report.
    for (const std::exception_ptr& e : s.errors) {
        if (e) {
            std::rethrow_exception(e);
        }
    }
    Table out;
    out.name = "hex_grid";
    out.fields = s.fields;
    std::size_t total = 0;
    for (const auto& r : s.rows) {
        total += r.size();
    }
    out.rows.reserve(total);
    std::int64_t fid = 0;
    for (auto& city_rows : s.rows) {
        for (Row& row : city_rows) {
            row.fid = ++fid;
            row.geom = GeomPtr(row.geom.release(), GeomDeleter{geos.handle()});
            out.rows.push_back(std::move(row));
        }
        city_rows.clear();
    }
    return out;
}

Table make_hex_grid(const GeosContext& geos, const Table& cities, const std::vector<LonLat>& points,
                    const std::vector<int>& point_city, const HexGridOptions& options) {
    const int id_field =
        cities.require_field(options.city_id_field, "the hexagonal grid's city id");
    const auto k = static_cast<std::size_t>(id_field);
    std::vector<Value> ids;
    ids.reserve(cities.rows.size());
    for (const Row& r : cities.rows) {
        ids.push_back(r.values[k]);
    }
    HexGridJob job(cities, ids, cities.fields[k].type, points, point_city, options);
    const unsigned threads = job.workers();
    if (threads <= 1) {
        job.work(0);
    } else {
        std::vector<std::thread> pool;
        pool.reserve(threads);
        for (unsigned t = 0; t < threads; ++t) {
            pool.emplace_back([&job, t] { job.work(t); });
        }
        for (auto& th : pool) {
            th.join();
        }
    }
    return job.finish(geos);
}

} // namespace creatlas::stats
