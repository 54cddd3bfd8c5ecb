// Per-city centres, areas and local equal-area frames (city_frames.hpp).
#include "city_frames.hpp"

#include "parallel.hpp"

#include <cmath>
#include <optional>

namespace creatlas::detail {

Anchor anchor_of(const GeosContext& geos, const GEOSGeometry& g) {
    GEOSContextHandle_t h = geos.handle();
    GeomPtr p = GEOSGeomTypeId_r(h, &g) == GEOS_POINT ? geos.clone(g)
                                                      : geos.own(GEOSPointOnSurface_r(h, &g));
    Anchor a;
    GEOSGeomGetX_r(h, p.get(), &a.lon);
    GEOSGeomGetY_r(h, p.get(), &a.lat);
    return a;
}

CityFrames::CityFrames(const GeosContext& geos, const CheckedInputs& in)
    : geos_(geos), frames_(in.tables.cities.rows.size()), helpers_(max_workers()) {
    const Table& cities = in.tables.cities;
    centres_.resize(cities.rows.size());
    areas_.resize(cities.rows.size());
    // Cities split across cores from a few on (each costs a frame and an area in it):
    // a worker fills only its cities' slots, in a GEOS context of its own (the first
    // worker runs here, in the caller's). A frame made on a worker is used later by
    // one thread at a time, as every frame is.
    parallel_rows(
        cities.rows.size(),
        [&](unsigned worker, RowRange range) {
            std::optional<GeosContext> own;
            const GeosContext& g = worker == 0 ? geos : own.emplace();
            for (std::size_t i = range.begin; i < range.end; ++i) {
                const Row& r = cities.rows[i];
                if (i < in.centre.size() && in.centre[i]) {
                    centres_[i] = {in.centre[i]->first, in.centre[i]->second};
                } else if (r.geom) {
                    centres_[i] = anchor_of(g, *r.geom);
                }
                if (is_areal(g, r.geom.get())) {
                    areas_[i] = frame(static_cast<int>(i)).area_m2(g, *r.geom);
                }
            }
        },
        kParallelCostlyRows);
}

struct CityFrames::Helper {
    GeosContext geos;
    std::unique_ptr<CityFrames> frames;
};

CityFrames::CityFrames(const GeosContext& geos, const CityFrames& other)
    : geos_(geos), centres_(other.centres_), areas_(other.areas_), frames_(other.frames_.size()) {}

CityFrames::Worker CityFrames::for_worker(unsigned w) {
    if (w == 0) {
        return {geos_, *this};
    }
    // Each worker touches only its own slot; the slots exist before any worker runs.
    auto& helper = helpers_.at(w);
    if (!helper) {
        helper = std::make_unique<Helper>();
        helper->frames.reset(new CityFrames(helper->geos, *this));
    }
    return {helper->geos, *helper->frames};
}

CityFrames::~CityFrames() = default;

CityFrames::FromCentre CityFrames::from_centre(int city, const Anchor& a) const {
    const Anchor& c = centre(city);
    FromCentre out;
    out.metres = geodesic_distance_m(a.lon, a.lat, c.lon, c.lat);
    if (auto area = this->area(city); area && *area > 0) {
        out.radii = out.metres / std::sqrt(*area / M_PI);
    }
    return out;
}

const LocalFrame& CityFrames::frame(int city) {
    auto& f = frames_[static_cast<std::size_t>(city)];
    if (!f) {
        const Anchor& c = centres_[static_cast<std::size_t>(city)];
        f = std::make_unique<LocalFrame>(c.lon, c.lat);
    }
    return *f;
}

double CityFrames::area_m2(int city, const GEOSGeometry& g) {
    if (city >= 0) {
        return frame(city).area_m2(geos_, g);
    }
    const Anchor a = anchor_of(geos_, g);
    return LocalFrame(a.lon, a.lat).area_m2(geos_, g);
}

double CityFrames::overlap_m2(int city, const GEOSGeometry& a, const GEOSGeometry& b) {
    std::unique_ptr<LocalFrame> own;
    const LocalFrame* f = nullptr;
    if (city >= 0) {
        f = &frame(city);
    } else {
        const Anchor c = anchor_of(geos_, a);
        own = std::make_unique<LocalFrame>(c.lon, c.lat);
        f = own.get();
    }
    GeomPtr la = f->forward(geos_, a);
    GeomPtr lb = f->forward(geos_, b);
    GeomPtr x = geos_.own(GEOSIntersection_r(geos_.handle(), la.get(), lb.get()));
    double area = 0;
    GEOSArea_r(geos_.handle(), x.get(), &area);
    return area;
}

} // namespace creatlas::detail
