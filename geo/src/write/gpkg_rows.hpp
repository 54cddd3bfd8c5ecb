// creatlas — a layer's rows written straight into SQLite (issue 14).
//
// GDAL 3.6 spends most of the write stage on its way from an OGRFeature to a
// row: building the feature, converting its geometry from GEOS, encoding the
// GeoPackage blob, binding and stepping one INSERT per feature, and updating
// the layer's extent and count. The write stage now lets GDAL create the file
// and every layer's table as before (schema, gpkg_contents,
// gpkg_geometry_columns, gpkg_spatial_ref_sys, gpkg_ogr_contents and its
// triggers), closes it, and inserts the rows on a connection of its own:
//
//  - the geometry blob is encoded on a worker thread, batch by batch, while
//    this thread inserts the previous batch; straight from the GEOS
//    coordinates for the common cases (2-D, finite, non-empty points, lines,
//    polygons and their multi-types, forced to the layer's multi-type as GDAL
//    would), and through OGR (createFromGEOS, forceTo…, transform,
//    exportToWkb) for everything else, including every row when the output CRS
//    is not WGS 84;
//  - the blob is the one GDAL 3.6 writes (GPkgGeometryFromOGR): "GP", version
//    0, flags = little-endian | envelope kind << 1 | empty << 4, srs_id, the
//    envelope (none for points and for empty geometries; XY, or XYZ for 3-D
//    data), then ISO WKB, little-endian. An empty point is written by OGR as
//    POINT(NaN NaN);
//  - values are bound as GDAL binds them (sqlite3_bind_int64 / _double / _text
//    by the field's type, text up to its first NUL byte); a value of another
//    type than its field's goes through an OGRFeature first, as before, so
//    that it is converted exactly as GDAL converts it;
//  - the table's triggers (GDAL's feature-count triggers) are set aside while
//    the rows go in and put back, character for character, afterwards; then
//    gpkg_ogr_contents.feature_count, gpkg_contents' extent ("%.18g", as GDAL
//    writes it) and last_change (OGR_CURRENT_DATE when set) are updated as
//    GDAL updates them when it closes a layer it has written.
//
// tests/unit/write_rows_test.cpp writes the same tables through GDAL's
// CreateFeature (WriteOptions::ogr_rows) and through this path and compares
// every row, blob and value, byte for byte.
#pragma once

#include "creatlas/progress.hpp"
#include "creatlas/table.hpp"
#include "write/rtree_pack.hpp"

#include <cstdint>
#include <ogr_core.h>
#include <string>
#include <vector>

class OGRGeometry;
class OGRCoordinateTransformation;
struct sqlite3;

namespace creatlas::detail {

/// Append to `out` the GeoPackage geometry blob GDAL 3.6 writes for `g` with
/// this srs_id. Returns true, and sets `env` to its 2-D envelope, when the
/// geometry is not empty (it then belongs in the spatial index).
bool append_gpkg_blob(const OGRGeometry& g, std::int32_t srs_id, std::vector<std::uint8_t>& out,
                      RtreeEntry& env);

/// The same blob straight from a GEOS geometry, as GDAL would write it once
/// converted to OGR and forced to `layer_type` (wkbPoint, wkbMultiPoint,
/// wkbMultiLineString, wkbMultiPolygon, or wkbUnknown: as it is). Handles 2-D,
/// finite, non-empty points, lines, polygons and their multi-types, and returns
/// false, leaving `out` as it was, for anything else (the caller then goes
/// through OGR). On success `env` is its 2-D envelope.
bool append_gpkg_blob_geos(GEOSContextHandle_t ctx, const GEOSGeometry* g,
                           OGRwkbGeometryType layer_type, std::int32_t srs_id,
                           std::vector<std::uint8_t>& out, RtreeEntry& env);

/// A layer GDAL has created (table and metadata) and closed, empty, to be
/// filled by insert_rows.
struct DirectLayer {
    const Table* table = nullptr;
    std::string name;                           ///< the table's name in the GeoPackage
    OGRwkbGeometryType geometry_type = wkbNone; ///< wkbNone: no geometry column
    std::vector<std::string> columns;           ///< column of each field of `table`, in order
    std::vector<OGRFieldType> types;            ///< OFTInteger64, OFTReal or OFTString
};

/// Insert the rows of `layer` into its table on `db` (open read-write on the
/// closed GeoPackage, inside the caller's transaction), with geometries
/// transformed by `ct` when not null; then update the layer's count, extent and
/// last change as GDAL does. Returns the envelopes of the indexed rows (neither
/// null nor empty) by the FID each row got, for its packed R-tree. Throws
/// Error(Io) naming `target`, the layer, the feature and the field on failure,
/// Error(BadInput) for a geometry that cannot be transformed, and
/// Error(Cancelled) through `progress`.
std::vector<RtreeEntry> insert_rows(sqlite3* db, const DirectLayer& layer,
                                    OGRCoordinateTransformation* ct, const Progress& progress,
                                    const std::string& target);

} // namespace creatlas::detail
