// Private to the measure stage: per-city centres, areas and local frames.
//
// Metric work is never done in degrees. Each city has a centre (the declared one,
// else its polygon's point on surface) and, when it is a polygon, an area taken
// in a Lambert azimuthal equal-area frame centred on it; areas and overlaps of
// the features that belong to a city are taken in that city's frame, made on
// first use.
#pragma once

#include "creatlas/check.hpp"
#include "creatlas/geodesy.hpp"
#include "creatlas/geos.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace creatlas::detail {

struct Anchor {
    double lon = 0;
    double lat = 0;
};

/// A point's own coordinates, or a polygon's or line's point on surface.
Anchor anchor_of(const GeosContext& geos, const GEOSGeometry& g);

class CityFrames {
public:
    /// `inputs.tables.cities` must outlive the frames and keep its geometries.
    CityFrames(const GeosContext& geos, const CheckedInputs& inputs);

    /// The same centres and areas for another thread, measuring in `geos` (that
    /// thread's context) with frames of its own, made on first use: a frame's PROJ
    /// object must stay on one thread. Results are the same as this object's.
    CityFrames for_thread(const GeosContext& geos) const;
    ~CityFrames();
    CityFrames(CityFrames&&) noexcept;
    CityFrames(const CityFrames&) = delete;
    CityFrames& operator=(const CityFrames&) = delete;
    CityFrames& operator=(CityFrames&&) = delete;

    const Anchor& centre(int city) const { return centres_[static_cast<std::size_t>(city)]; }
    /// City area in m² (nullopt for point cities).
    std::optional<double> area(int city) const { return areas_[static_cast<std::size_t>(city)]; }
    /// Geodesic distance (m) from `a` to the city's centre, and that distance in city
    /// radii, sqrt(A / π) (nullopt for cities without an area): the centrality of
    /// clusters and sites.
    struct FromCentre {
        double metres = 0;
        std::optional<double> radii;
    };
    FromCentre from_centre(int city, const Anchor& a) const;
    /// Area in m² of a feature of `city` (-1: none; then a frame centred on the feature).
    double area_m2(int city, const GEOSGeometry& g);
    /// Area in m² of the intersection of two polygons of `city` (-1 as above).
    double overlap_m2(int city, const GEOSGeometry& a, const GEOSGeometry& b);

private:
    CityFrames(const GeosContext& geos, const CityFrames& other);
    const LocalFrame& frame(int city);

    const GeosContext& geos_;
    std::vector<Anchor> centres_;
    std::vector<std::optional<double>> areas_;
    std::vector<std::unique_ptr<LocalFrame>> frames_;
};

} // namespace creatlas::detail
