// creatlas — spatial statistics: weights, Clark–Evans, Moran's I, LISA, Getis-Ord Gi*.
//
// Spatial statistics ask whether values (or points) are arranged at random in
// space. Every statistic here takes plain data — lon/lat degrees, values and GEOS
// geometries in lon/lat — so the pipeline, the CLI and the plugin call the same
// code. Names and definitions follow PySAL's esda (I, EI, VI_norm, z_norm,
// p_norm, VI_rand, z_rand, p_rand, p_sim, Is, q, Gs, EGs, VGs, Zs); docs/statistics.md
// gives every formula.
//
// Distances are geodesic on WGS 84 (never degrees); areas are in m². Permutation
// inference uses a seeded generator with one stream per permutation (global) or
// per feature (local), so results depend on the seed only, not on the number of
// threads.
#pragma once

#include "creatlas/geos.hpp"
#include "creatlas/table.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace creatlas::stats {

// ---------------------------------------------------------------------------
// Spatial weights
// ---------------------------------------------------------------------------

/// How weights are scaled: row-standardised (each row sums to 1; esda's "r") or
/// binary (every neighbour weighs 1; esda's "b").
enum class Transform { Row, Binary };

/// A sparse spatial weights matrix in compressed-row form. Row i lists the
/// neighbours of feature i (ascending, never i itself unless a statistic adds it)
/// and their weights. Features without neighbours are islands.
struct Weights {
    std::vector<std::size_t> offsets{
        0}; ///< size() + 1 entries; row i is [offsets[i], offsets[i+1])
    std::vector<std::int32_t> neighbours;
    std::vector<double> values;
    Transform transform = Transform::Binary;

    std::size_t size() const { return offsets.size() - 1; }
    std::size_t cardinality(std::size_t i) const { return offsets[i + 1] - offsets[i]; }
    /// Features with no neighbour, ascending.
    std::vector<std::size_t> islands() const;
    /// S0: the sum of all weights.
    double s0() const;
    /// The spatial lag Σ_j w_ij x_j of every feature (0 for islands).
    std::vector<double> lag(const std::vector<double>& x) const;
};

/// Binary weights from neighbour lists (each list need not be sorted; duplicates
/// and self-references are dropped). Neighbour ids must lie in [0, lists.size()).
Weights weights_from_neighbours(const std::vector<std::vector<std::int32_t>>& lists);

/// The same neighbours scaled as asked: Binary sets every weight to 1; Row divides
/// the binary weights of each row by its cardinality. Islands stay empty.
Weights transformed(const Weights& w, Transform transform);

enum class Contiguity {
    Queen, ///< neighbours share at least one boundary point (a vertex is enough)
    Rook,  ///< neighbours share a stretch of boundary (an edge), not just a point
};

/// Contiguity weights (binary) for polygons in lon/lat degrees. Candidate pairs
/// come from a GEOS STRtree over envelopes widened by the tolerance. Two polygons
/// that come within `snap_m` metres of each other count as touching, so slivers
/// and gaps from digitising narrower than that do not break contiguity; for rook,
/// the boundaries are snapped to each other within that tolerance and must then
/// share a line of positive length longer than the tolerance. Null or empty
/// geometries become islands. Pointers are borrowed.
Weights contiguity_weights(const GeosContext& geos,
                           const std::vector<const GEOSGeometry*>& polygons, Contiguity rule,
                           double snap_m = 0.01);

/// A point in WGS 84 longitude and latitude, degrees.
struct LonLat {
    double lon = 0;
    double lat = 0;
};

/// Binary weights of the k nearest neighbours of every point by geodesic distance
/// (ties broken by the lower index). Requires 1 <= k < points.size().
Weights knn_weights(const GeosContext& geos, const std::vector<LonLat>& points, int k);

/// Binary weights joining every pair of points within `band_m` metres (geodesic,
/// inclusive), as libpysal's DistanceBand(binary=True). Points alone are islands.
Weights distance_band_weights(const GeosContext& geos, const std::vector<LonLat>& points,
                              double band_m);

/// Geodesic distance in metres from every point to its nearest other point
/// (0 for coincident points). Requires at least 2 points.
std::vector<double> nearest_neighbour_distances_m(const GeosContext& geos,
                                                  const std::vector<LonLat>& points);

/// What the command line's `--weights` and `--transform` ask for.
struct WeightsSpec {
    enum class Kind { Queen, Rook, Knn, Band } kind = Kind::Queen;
    int k = 8;            ///< for Knn
    double band_m = 0;    ///< for Band, metres
    double snap_m = 0.01; ///< for Queen and Rook: the sliver tolerance, metres
    Transform transform = Transform::Row;
    /// "queen", "rook", "knn:K" or "band:METRES" (transform "r" or "b"); throws
    /// Error(Usage) on anything else.
    static WeightsSpec parse(const std::string& weights, const std::string& transform);
    std::string describe() const; ///< e.g. "knn:8 (r)"
};

/// Build the weights a spec asks for. Contiguity needs polygons; knn and band use
/// `points` (the features' own points or centroids). Returns transformed weights.
Weights build_weights(const GeosContext& geos, const WeightsSpec& spec,
                      const std::vector<const GEOSGeometry*>& polygons,
                      const std::vector<LonLat>& points);

// ---------------------------------------------------------------------------
// Clark–Evans nearest-neighbour index
// ---------------------------------------------------------------------------

/// The Clark–Evans (1954) ratio of observed to expected mean nearest-neighbour
/// distance under complete spatial randomness in a study area of `area_m2`.
/// Values are absent (with a reason) when there are fewer than 3 points or the
/// area is not positive.
struct NniResult {
    std::size_t n = 0;
    double area_m2 = 0;
    std::optional<double> observed_mean_m; ///< mean geodesic nearest-neighbour distance
    std::optional<double> expected_mean_m; ///< 0.5 / sqrt(n / A)
    std::optional<double> nni;             ///< observed / expected
    std::optional<double> z;               ///< (observed - expected) / (0.26136 / sqrt(n² / A))
    std::optional<double> p;               ///< two-sided normal p of z
    std::string reason;                    ///< why the values are absent ("" when present)
};

/// Clark–Evans index of `points` in a study area of `area_m2` square metres.
NniResult clark_evans(const GeosContext& geos, const std::vector<LonLat>& points, double area_m2);

/// Geodesic area (m²) of the convex hull of the points; 0 when they are fewer than
/// 3 or collinear.
double convex_hull_area_m2(const GeosContext& geos, const std::vector<LonLat>& points);

// ---------------------------------------------------------------------------
// Moran's I, global and local
// ---------------------------------------------------------------------------

/// Permutation settings shared by the statistics that use them.
struct Permutations {
    int permutations = 999;     ///< 0 disables permutation inference
    std::uint64_t seed = 12345; ///< the same seed gives the same p-values on any machine
    unsigned threads = 0;       ///< 0 = std::thread::hardware_concurrency()
};

/// Global Moran's I with esda's fields. p values are two-sided for the normal
/// approximations and folded one-sided pseudo p for permutations (esda's p_sim).
struct MoranResult {
    std::size_t n = 0;
    double I = 0, EI = 0;
    double VI_norm = 0, seI_norm = 0, z_norm = 0, p_norm = 0;
    double VI_rand = 0, seI_rand = 0, z_rand = 0, p_rand = 0;
    int permutations = 0;
    // Present only when permutations > 0.
    double p_sim = 0, EI_sim = 0, VI_sim = 0, seI_sim = 0, z_sim = 0, p_z_sim = 0;
};

/// Global Moran's I of `y` under `w` (used as given: transform it first).
/// Requires y.size() == w.size() >= 4, finite values that are not all equal.
MoranResult moran(const std::vector<double>& y, const Weights& w, const Permutations& perm = {});

/// LISA quadrants as esda numbers them (geoda_quads=False).
enum class Quadrant { HH = 1, LH = 2, LL = 3, HL = 4 };

struct LisaOptions {
    Permutations perm;
    double alpha = 0.05; ///< significant when p_sim < alpha (or the FDR threshold)
    bool fdr = false;    ///< Benjamini–Hochberg threshold at alpha instead of alpha
};

/// Local Moran's I (Anselin 1995) per feature with conditional permutation
/// inference: for each feature its own value stays and its neighbours' values are
/// drawn without replacement from the other n - 1 features.
struct LisaResult {
    std::vector<double> Is; ///< local I: (n - 1) z_i Σ_j w_ij z_j / Σ z²
    std::vector<int> q;     ///< quadrant 1 HH, 2 LH, 3 LL, 4 HL
    std::vector<double> p_sim, EI_sim, seI_sim, z_sim, p_z_sim; ///< NaN for islands
    std::vector<bool> significant;
    double threshold = 0;            ///< the p threshold applied (alpha, or the FDR one)
    std::vector<std::string> labels; ///< "HH", "LH", "LL", "HL" or "not significant"
};

LisaResult local_moran(const std::vector<double>& y, const Weights& w,
                       const LisaOptions& options = {});

/// esda.fdr: the Benjamini–Hochberg threshold for p values at alpha — the largest
/// k·alpha/n with p_(k) < k·alpha/n; 0 when no p value passes (nothing significant).
double fdr_threshold(const std::vector<double>& p, double alpha);

// ---------------------------------------------------------------------------
// Getis-Ord Gi*
// ---------------------------------------------------------------------------

/// Getis-Ord Gi* (each feature is its own neighbour), esda's G_Local(star=True)
/// moments: Gs = Σ_j w_ij y_j / Σ y, EGs = W_i / n, VGs = W_i (n - W_i) / (n - 1) /
/// n² · s² / ȳ², Zs = (Gs - EGs) / sqrt(VGs), with W_i = Σ_j w_ij. With binary
/// weights (the default in creatlas) this is Getis and Ord's (1995) z.
struct GiStarResult {
    std::vector<double> Gs, EGs, VGs, Zs;
    std::vector<double> p_norm; ///< esda's one-sided p: 1 - Φ(|Zs|)
    std::vector<double> p;      ///< two-sided p: 2 (1 - Φ(|Zs|)), used for the labels
    std::vector<std::string>
        labels; ///< "hot 99%", "hot 95%", "hot 90%", "cold …", "not significant"
};

/// Gi* of `y` with the neighbours of `w` plus each feature itself (self weight 1),
/// then transformed as asked. Requires finite y with a positive sum and variance.
GiStarResult getis_ord_gi_star(const std::vector<double>& y, const Weights& w, Transform transform);

/// The label for a Gi* z at the 90/95/99 % two-sided confidence levels
/// (|z| > 1.645, 1.960, 2.576).
std::string gi_label(double z);

// ---------------------------------------------------------------------------
// Hexagonal grid
// ---------------------------------------------------------------------------

/// One city's hexagonal grid: pointy-top hexagons whose centres are `cell_m`
/// metres apart, laid out in the city's Lambert azimuthal equal-area frame
/// (centred on `centre`) and covering `extent` (lon/lat geometries of the city
/// and its points) with one spare ring. Polygons are returned in lon/lat degrees.
struct HexCell {
    std::int64_t col = 0, row = 0; ///< axial coordinates in the grid
    GeomPtr polygon;
    std::int64_t count = 0;
};

struct HexGrid {
    std::vector<HexCell> cells;
    Weights neighbours; ///< binary: cells sharing an edge (six inside the grid)
};

/// Grid over the points (and the optional area geometry), counting the points per
/// cell. Throws Error(BadInput) when the grid would exceed `max_cells`.
HexGrid hex_grid(const GeosContext& geos, LonLat centre, const std::vector<LonLat>& points,
                 const GEOSGeometry* area, double cell_m, std::size_t max_cells = 2'000'000);

struct HexGridOptions {
    double cell_m = 1000.0; ///< centre to centre, metres
    std::string city_id_field = "city_id";
    /// LISA permutations; perm.threads is also the number of threads the cities
    /// are shared among (0 = hardware concurrency). Results do not depend on it.
    Permutations perm;
    double alpha = 0.05;
};

/// The atlas's `hex_grid` layer: for every city with at least one point, a grid
/// of hexagons with fields city_id (as the cities table has it), count, gi_z,
/// gi_p (two-sided), gi_label, lisa_q (1–4, or null), lisa_p, lisa_label. Gi* uses
/// binary edge-contiguity weights with the cell itself; LISA row-standardised
/// edge contiguity. `point_city[i]` is the row in `cities` of point i (-1: none);
/// points without a city are not counted. The city's centre is the centroid of
/// its geometry; a polygon city's area is covered by the grid as well. Cities are
/// computed in parallel; rows come city by city in the order of `cities` (fids
/// 1, 2, …), the same on any number of threads. The cells' geometries are owned
/// through `geos`. `cities` is only read, and must not change during the call.
Table make_hex_grid(const GeosContext& geos, const Table& cities, const std::vector<LonLat>& points,
                    const std::vector<int>& point_city, const HexGridOptions& options);

/// make_hex_grid in steps, for a caller with other work to do meanwhile. The
/// cities are laid out by whoever calls work(): each call takes the next city no
/// one has taken yet until none is left, so a background thread can start on them
/// and the caller can join in when it is free. finish() then returns exactly the
/// table make_hex_grid returns. The job keeps its own copies of the cities'
/// geometries and ids, so the caller's cities may change once it is constructed.
class HexGridJob {
public:
    /// `city_ids[c]` is the value written as city_id for row c of `cities`, a field
    /// of type `id_type`. Throws what make_hex_grid throws for bad arguments.
    HexGridJob(const Table& cities, const std::vector<Value>& city_ids, FieldType id_type,
               const std::vector<LonLat>& points, const std::vector<int>& point_city,
               const HexGridOptions& options);
    ~HexGridJob();
    HexGridJob(const HexGridJob&) = delete;
    HexGridJob& operator=(const HexGridJob&) = delete;
    HexGridJob(HexGridJob&&) = delete;
    HexGridJob& operator=(HexGridJob&&) = delete;

    /// How many threads may call work() at once (worker numbers 0 … workers() - 1).
    unsigned workers() const;
    /// The fields of the table finish() returns.
    const std::vector<FieldDef>& fields() const;
    /// Lay out cities until none is left. Each concurrent caller passes its own
    /// worker number. Errors are kept per city and rethrown by finish().
    void work(unsigned worker);
    /// Take no new city (the caller is leaving early, on an error); work() returns
    /// once its current city is done.
    void stop();
    /// After every work() call has returned: the table (cells owned through
    /// `geos`), or the error of the first failing city in table order.
    Table finish(const GeosContext& geos);

private:
    struct State;
    std::unique_ptr<State> state_;
};

/// A point per row for statistics: the row's point, or its geometry's centroid
/// (planar in degrees, adequate for city-sized features). Rows without geometry
/// throw Error(BadInput) naming the table and feature.
std::vector<LonLat> representative_points(const GeosContext& geos, const Table& table);

/// Two-sided and one-sided normal tail helpers (exposed for tests).
double normal_sf(double z); ///< 1 - Φ(z)

} // namespace creatlas::stats
