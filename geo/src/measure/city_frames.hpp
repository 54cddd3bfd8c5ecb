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

    /// The GEOS context and frames worker `w` of parallel_rows measures with: for
    /// worker 0 (the calling thread) the caller's context and these frames; for the
    /// others a context and frames of their own (the same centres and areas, frames
    /// made on first use: a frame's PROJ object must not be used by two threads at
    /// once), kept from one parallel_rows call to the next so that each frame is
    /// made once per worker. Results are the same whichever worker measures.
    struct Worker {
        const GeosContext& geos;
        CityFrames& frames;
    };
    Worker for_worker(unsigned w);
    ~CityFrames();
    CityFrames(const CityFrames&) = delete;
    CityFrames(CityFrames&&) = delete;
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
    struct Helper;
    CityFrames(const GeosContext& geos, const CityFrames& other);
    const LocalFrame& frame(int city);

    const GeosContext& geos_;
    std::vector<Anchor> centres_;
    std::vector<std::optional<double>> areas_;
    std::vector<std::unique_ptr<LocalFrame>> frames_;
    std::vector<std::unique_ptr<Helper>> helpers_; ///< per worker ≥ 1, made on first use
};

} // namespace creatlas::detail
