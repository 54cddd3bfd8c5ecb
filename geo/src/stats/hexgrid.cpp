// Hexagonal grids per city, counted and tested for hot and cold spots.
#include "creatlas/error.hpp"
#include "creatlas/stats.hpp"
#include "stats_internal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <proj.h>
#include <sstream>
#include <unordered_map>

namespace creatlas::stats {

namespace {

// The city's Lambert azimuthal equal-area frame both ways. geodesy.hpp's
// LocalFrame only goes forward; the grid is laid out in metres and its cells are
// returned in lon/lat, so this frame (same definition) also goes back.
class LaeaFrame {
public:
    explicit LaeaFrame(LonLat centre) : ctx_(proj_context_create()) {
        std::ostringstream laea;
        laea.precision(17);
        laea << "+proj=laea +lat_0=" << centre.lat << " +lon_0=" << centre.lon
             << " +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs +type=crs";
        PJ* raw = proj_create_crs_to_crs(ctx_, "EPSG:4326", laea.str().c_str(), nullptr);
        if (raw != nullptr) {
            pj_ = proj_normalize_for_visualization(ctx_, raw);
            proj_destroy(raw);
        }
        if (pj_ == nullptr) {
            proj_context_destroy(ctx_);
            throw Error(ErrorKind::Internal, "PROJ could not build the hexagonal grid's frame");
        }
    }
    ~LaeaFrame() {
        proj_destroy(pj_);
        proj_context_destroy(ctx_);
    }
    LaeaFrame(const LaeaFrame&) = delete;
    LaeaFrame& operator=(const LaeaFrame&) = delete;

    void forward(double& x, double& y) const { apply(PJ_FWD, x, y); }
    void inverse(double& x, double& y) const { apply(PJ_INV, x, y); }
    PJ* pj() const { return pj_; }

private:
    void apply(PJ_DIRECTION dir, double& x, double& y) const {
        PJ_COORD c = proj_trans(pj_, dir, proj_coord(x, y, 0, 0));
        if (!std::isfinite(c.xy.x) || !std::isfinite(c.xy.y)) {
            throw_bad_input("a point cannot be placed in the city's metric frame "
                            "(is it on the far side of the globe?)");
        }
        x = c.xy.x;
        y = c.xy.y;
    }
    PJ_CONTEXT* ctx_;
    PJ* pj_ = nullptr;
};

int to_frame(double* x, double* y, void* userdata) {
    PJ_COORD c = proj_trans(static_cast<PJ*>(userdata), PJ_FWD, proj_coord(*x, *y, 0, 0));
    if (!std::isfinite(c.xy.x) || !std::isfinite(c.xy.y)) {
        return 0;
    }
    *x = c.xy.x;
    *y = c.xy.y;
    return 1;
}

std::int64_t key(std::int64_t q, std::int64_t r) {
    return (q << 32) ^ (r & 0xffffffffLL);
}

} // namespace

HexGrid hex_grid(const GeosContext& geos, LonLat centre, const std::vector<LonLat>& points,
                 const GEOSGeometry* area, double cell_m, std::size_t max_cells) {
    if (!(cell_m > 0) || !std::isfinite(cell_m)) {
        throw_bad_input("the hexagon size must be a positive number of metres");
    }
    GEOSContextHandle_t h = geos.handle();
    const LaeaFrame frame(centre);
    double xmin = std::numeric_limits<double>::infinity();
    double ymin = xmin;
    double xmax = -xmin;
    double ymax = -xmin;
    std::vector<std::pair<double, double>> xy(points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        double x = points[i].lon;
        double y = points[i].lat;
        frame.forward(x, y);
        xy[i] = {x, y};
        xmin = std::min(xmin, x);
        xmax = std::max(xmax, x);
        ymin = std::min(ymin, y);
        ymax = std::max(ymax, y);
    }
    if (area != nullptr && GEOSisEmpty_r(h, area) == 0) {
        GeomPtr local = geos.own(GEOSGeom_transformXY_r(h, area, &to_frame, frame.pj()));
        const Envelope e = envelope_of(geos, *local);
        xmin = std::min(xmin, e.minx);
        xmax = std::max(xmax, e.maxx);
        ymin = std::min(ymin, e.miny);
        ymax = std::max(ymax, e.maxy);
    }
    HexGrid grid;
    if (!std::isfinite(xmin)) {
        grid.neighbours = weights_from_neighbours({});
        return grid;
    }
    // Pointy-top hexagons in axial coordinates (q, r): centre x = d (q + r/2),
    // y = d·√3/2 · r; the circumradius is d/√3. Every cell whose centre lies
    // within one spacing of the extent is kept: a spare ring around the data.
    const double d = cell_m;
    const double rh = d * std::sqrt(3.0) / 2.0;
    const double radius = d / std::sqrt(3.0);
    const auto rmin = static_cast<std::int64_t>(std::floor((ymin - d) / rh));
    const auto rmax = static_cast<std::int64_t>(std::ceil((ymax + d) / rh));
    auto q_range = [&](std::int64_t r) {
        const double half = 0.5 * static_cast<double>(r);
        return std::pair<std::int64_t, std::int64_t>{
            static_cast<std::int64_t>(std::ceil((xmin - d) / d - half)),
            static_cast<std::int64_t>(std::floor((xmax + d) / d - half))};
    };
    double total = 0;
    for (std::int64_t r = rmin; r <= rmax; ++r) {
        const auto [q0, q1] = q_range(r);
        total += static_cast<double>(std::max<std::int64_t>(0, q1 - q0 + 1));
    }
    if (total > static_cast<double>(max_cells)) {
        std::ostringstream msg;
        msg << "a hexagonal grid of " << cell_m << " m cells over this extent would have "
            << static_cast<std::int64_t>(total) << " cells (more than " << max_cells
            << "): choose larger cells";
        throw_bad_input(msg.str());
    }
    std::unordered_map<std::int64_t, std::size_t> index;
    for (std::int64_t r = rmin; r <= rmax; ++r) {
        const auto [q0, q1] = q_range(r);
        for (std::int64_t q = q0; q <= q1; ++q) {
            index.emplace(key(q, r), grid.cells.size());
            HexCell cell;
            cell.col = q;
            cell.row = r;
            grid.cells.push_back(std::move(cell));
        }
    }
    for (const auto& [x, y] : xy) {
        // Fractional axial coordinates, rounded in cube coordinates (x + y + z = 0).
        const double rf = y / rh;
        const double qf = x / d - 0.5 * rf;
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
        const auto it =
            index.find(key(static_cast<std::int64_t>(qr), static_cast<std::int64_t>(rr)));
        if (it == index.end()) {
            throw Error(ErrorKind::Internal, "hexagonal grid: a point fell outside the grid");
        }
        ++grid.cells[it->second].count;
    }
    static const int dirs[6][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, -1}, {-1, 1}};
    std::vector<std::vector<std::int32_t>> lists(grid.cells.size());
    for (std::size_t c = 0; c < grid.cells.size(); ++c) {
        HexCell& cell = grid.cells[c];
        for (const auto& dir : dirs) {
            const auto it = index.find(key(cell.col + dir[0], cell.row + dir[1]));
            if (it != index.end()) {
                lists[c].push_back(static_cast<std::int32_t>(it->second));
            }
        }
        const double cx = d * (static_cast<double>(cell.col) + 0.5 * static_cast<double>(cell.row));
        const double cy = rh * static_cast<double>(cell.row);
        GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, 7, 2);
        for (unsigned v = 0; v < 6; ++v) {
            const double angle = (30.0 + 60.0 * v) * M_PI / 180.0;
            // Rounded to the micrometre so neighbours compute bit-identical shared
            // vertices (no slivers between cells after the inverse projection).
            double x = std::round((cx + radius * std::cos(angle)) * 1e6) / 1e6;
            double y = std::round((cy + radius * std::sin(angle)) * 1e6) / 1e6;
            frame.inverse(x, y);
            GEOSCoordSeq_setXY_r(h, seq, v, x, y);
            if (v == 0) {
                GEOSCoordSeq_setXY_r(h, seq, 6, x, y);
            }
        }
        GeomPtr shell = geos.own(GEOSGeom_createLinearRing_r(h, seq));
        cell.polygon = geos.own(GEOSGeom_createPolygon_r(h, shell.release(), nullptr, 0));
    }
    grid.neighbours = weights_from_neighbours(lists);
    return grid;
}

Table make_hex_grid(const GeosContext& geos, const Table& cities, const std::vector<LonLat>& points,
                    const std::vector<int>& point_city, const HexGridOptions& options) {
    if (points.size() != point_city.size()) {
        throw Error(ErrorKind::Internal, "hex grid: points and their cities differ in size");
    }
    GEOSContextHandle_t h = geos.handle();
    const int id_field =
        cities.require_field(options.city_id_field, "the hexagonal grid's city id");
    Table out;
    out.name = "hex_grid";
    out.fields = {{"city_id", cities.fields[static_cast<std::size_t>(id_field)].type},
                  {"count", FieldType::Integer},
                  {"gi_z", FieldType::Real},
                  {"gi_p", FieldType::Real},
                  {"gi_label", FieldType::String},
                  {"lisa_q", FieldType::Integer},
                  {"lisa_p", FieldType::Real},
                  {"lisa_label", FieldType::String}};
    std::vector<std::vector<LonLat>> by_city(cities.rows.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        const int c = point_city[i];
        if (c >= 0 && static_cast<std::size_t>(c) < cities.rows.size()) {
            by_city[static_cast<std::size_t>(c)].push_back(points[i]);
        }
    }
    std::int64_t fid = 0;
    for (std::size_t c = 0; c < cities.rows.size(); ++c) {
        const std::vector<LonLat>& pts = by_city[c];
        if (pts.empty()) {
            continue;
        }
        const Row& city = cities.rows[c];
        LonLat centre{0, 0};
        const GEOSGeometry* area = nullptr;
        if (city.geom && GEOSisEmpty_r(h, city.geom.get()) == 0) {
            GeomPtr centroid = geos.own(GEOSGetCentroid_r(h, city.geom.get()));
            GEOSGeomGetX_r(h, centroid.get(), &centre.lon);
            GEOSGeomGetY_r(h, centroid.get(), &centre.lat);
            const int type = GEOSGeomTypeId_r(h, city.geom.get());
            if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
                area = city.geom.get();
            }
        } else {
            for (const LonLat& p : pts) {
                centre.lon += p.lon / static_cast<double>(pts.size());
                centre.lat += p.lat / static_cast<double>(pts.size());
            }
        }
        HexGrid grid = hex_grid(geos, centre, pts, area, options.cell_m);
        const std::size_t n = grid.cells.size();
        std::vector<double> counts(n);
        for (std::size_t i = 0; i < n; ++i) {
            counts[i] = static_cast<double>(grid.cells[i].count);
        }
        // Gi* with binary weights (Getis and Ord's form); LISA row-standardised.
        GiStarResult gi;
        bool have_gi = false;
        LisaResult lisa;
        bool have_lisa = false;
        if (n >= 3) {
            gi = getis_ord_gi_star(counts, grid.neighbours, Transform::Binary);
            have_gi = true;
            LisaOptions lo;
            lo.perm = options.perm;
            // One seed per city, so a city's result does not depend on the others.
            lo.perm.seed = detail::mix64(options.perm.seed ^ detail::mix64(c));
            lo.alpha = options.alpha;
            lisa = local_moran(counts, transformed(grid.neighbours, Transform::Row), lo);
            have_lisa = true;
        }
        for (std::size_t i = 0; i < n; ++i) {
            Row row;
            row.fid = ++fid;
            row.values.resize(out.fields.size());
            row.values[0] = city.values[static_cast<std::size_t>(id_field)];
            row.values[1] = grid.cells[i].count;
            if (have_gi) {
                row.values[2] = gi.Zs[i];
                row.values[3] = gi.p[i];
                row.values[4] = gi.labels[i];
            }
            if (have_lisa && !std::isnan(lisa.p_sim[i])) {
                row.values[5] = static_cast<std::int64_t>(lisa.q[i]);
                row.values[6] = lisa.p_sim[i];
                row.values[7] = lisa.labels[i];
            }
            row.geom = std::move(grid.cells[i].polygon);
            out.rows.push_back(std::move(row));
        }
    }
    return out;
}

} // namespace creatlas::stats
