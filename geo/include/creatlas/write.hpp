// creatlas — the write stage.
//
// Writes tables as layers of one GeoPackage. The file is built under a
// temporary name in the target folder and renamed into place only when it is
// complete, so a failed or cancelled run leaves no output (and no temporary)
// behind. The target is never one of the inputs, and an existing target is
// replaced only when asked to.
#pragma once

#include "creatlas/progress.hpp"
#include "creatlas/table.hpp"

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

class GDALDataset;

namespace creatlas {

struct WriteOptions {
    std::string crs = "EPSG:4326"; ///< output CRS (any definition GDAL/PROJ accept)
    bool overwrite = false;
    std::vector<std::string> inputs; ///< input files: the target must not be one of them
    /// Dataset metadata items (stored in gpkg_metadata by GDAL).
    std::map<std::string, std::string> metadata;
    /// Called on the complete dataset before it is closed and renamed (styles,
    /// embedded project). May throw; the run is then abandoned cleanly.
    std::function<void(GDALDataset&)> finish;
    /// Called with each layer right before its rows are written, once every layer's
    /// table exists: a caller may complete a layer's rows there (their geometry
    /// type and fields must be those the table had when write_geopackage was called,
    /// 2-D and no collections). May throw; the run is then abandoned cleanly.
    std::function<void(const Table&)> before_rows;
    /// Layers (by name) whose rows go in after every other layer's: those that
    /// `before_rows` may still have to wait for. The GeoPackage is the same, its
    /// tables in the order of `layers`; only the order of the work changes. (With
    /// `ogr_rows` the layers go in their own order.)
    std::vector<std::string> rows_last;
    /// Called with each layer once its rows are in the GeoPackage, from which point
    /// the writer reads no more than its name: a caller may release the rows there
    /// (while the next layers are written). May throw; the run is then abandoned
    /// cleanly.
    std::function<void(const Table&)> after_rows;
    /// Write the rows through GDAL's OGRLayer::CreateFeature, as before issue 14,
    /// instead of straight into SQLite. The output is the same (same rows, values
    /// and geometry blobs, byte for byte); kept as the reference the direct path is
    /// tested and measured against.
    bool ogr_rows = false;
    /// SQL statements to run once the named layer's rows and spatial index are in
    /// (e.g. the attribute indexes a reader's lookups need), as (layer name,
    /// statement), in order. They run inside the write stage's transaction, as soon
    /// as the layer is complete, and before `finish`. A statement naming a layer
    /// that is not written does not run; one that fails fails the write.
    std::vector<std::pair<std::string, std::string>> layer_sql;
};

/// Check that `path` may be written: not an input, a writable folder, and either
/// absent or `overwrite` set. Throws Error(BadInput/Io) otherwise. Called before
/// any work starts so that a run fails early.
void check_output_path(const std::string& path, const WriteOptions& options);

/// Write `layers` (in order, each named by its Table::name) to `path`.
void write_geopackage(const std::string& path, const std::vector<const Table*>& layers,
                      const WriteOptions& options, const Progress& progress = {});

} // namespace creatlas
