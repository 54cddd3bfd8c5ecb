#include "creatlas/error.hpp"
#include "creatlas/geos.hpp"
#include "creatlas/write.hpp"
#include "gdal_util.hpp"
#include "temp_guard.hpp"
#include "write/file_flush.hpp"
#include "write/gpkg_rows.hpp"
#include "write/rtree_pack.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cpl_conv.h>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <ogrsf_frmts.h>
#include <optional>
#include <sqlite3.h>
#include <system_error>
#include <unistd.h>

namespace fs = std::filesystem;

namespace creatlas {

namespace {

using detail::GdalErrorCapture;

OGRFieldType ogr_type(FieldType t) {
    switch (t) {
    case FieldType::Integer:
        return OFTInteger64;
    case FieldType::Real:
        return OFTReal;
    case FieldType::String:
        return OFTString;
    }
    return OFTString;
}

/// The layer's geometry type: one GeoPackage type for all its rows. Polygons and
/// multipolygons become MultiPolygon (likewise lines); a mix of kinds is Geometry.
OGRwkbGeometryType layer_type(const Table& t) {
    bool any = false;
    int kind = -1; // 0 point, 1 line, 2 polygon
    bool multi = false;
    for (const auto& r : t.rows) {
        if (!r.geom) {
            continue;
        }
        any = true;
        const int id = GEOSGeomTypeId_r(r.geom.get_deleter().ctx, r.geom.get());
        int k = -1;
        switch (id) {
        case GEOS_POINT:
            k = 0;
            break;
        case GEOS_MULTIPOINT:
            k = 0;
            multi = true;
            break;
        case GEOS_LINESTRING:
        case GEOS_LINEARRING:
            k = 1;
            break;
        case GEOS_MULTILINESTRING:
            k = 1;
            multi = true;
            break;
        case GEOS_POLYGON:
        case GEOS_MULTIPOLYGON:
            k = 2;
            break;
        default:
            return wkbUnknown;
        }
        if (kind >= 0 && k != kind) {
            return wkbUnknown;
        }
        kind = k;
    }
    if (!any) {
        switch (t.empty_geometry) {
        case GeometryHint::Point:
            return wkbPoint;
        case GeometryHint::Polygon:
            return wkbMultiPolygon;
        case GeometryHint::None:
            return wkbNone;
        }
    }
    switch (kind) {
    case 0:
        return multi ? wkbMultiPoint : wkbPoint;
    case 1:
        return wkbMultiLineString;
    default:
        return wkbMultiPolygon;
    }
}

std::string canonical(const std::string& p) {
    std::error_code ec;
    fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
    return ec ? fs::absolute(p).lexically_normal().string() : c.string();
}

class TempFile {
public:
    explicit TempFile(std::string path) : path_(std::move(path)) {}
    ~TempFile() {
        if (!path_.empty()) {
            std::error_code ec;
            fs::remove(path_, ec);
            fs::remove(path_ + "-journal", ec);
            fs::remove(path_ + "-wal", ec);
            fs::remove(path_ + "-shm", ec);
        }
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    TempFile(TempFile&&) = delete;
    TempFile& operator=(TempFile&&) = delete;
    const std::string& path() const { return path_; }
    void release() { path_.clear(); }

private:
    std::string path_;
};

/// A layer's spatial index, packed on a worker thread while the next layer is
/// written (issue 14): GDAL 3.6 would build it with one rtree INSERT per feature.
struct PendingIndex {
    std::string table;
    std::future<detail::PackedRtree> tree;
};

/// The page size of the GeoPackage GDAL has just created (SQLite's default,
/// 4,096 bytes, unless OGR_SQLITE_PRAGMA says otherwise): the rtree node size
/// follows from it, and write_packed_rtree refuses a tree packed for another.
int page_size_of(GDALDataset& ds) {
    int size = 4096;
    if (OGRLayer* r = ds.ExecuteSQL("PRAGMA page_size", nullptr, nullptr); r != nullptr) {
        if (OGRFeatureUniquePtr f(r->GetNextFeature()); f && f->GetFieldCount() > 0) {
            size = f->GetFieldAsInteger(0);
        }
        ds.ReleaseResultSet(r);
    }
    return size;
}

/// Rows per batch handed from the worker that prepares features to GDAL.
constexpr std::size_t kBatch = 4096;

/// Rows [first, last) of `table` as features ready for CreateFeature: fields set,
/// geometry converted from GEOS, forced to the layer's type and transformed by `ct`
/// (when not null). Runs on a worker thread with a GEOS context of its own; `ct` and
/// the rows are used by no other thread meanwhile.
std::vector<OGRFeatureUniquePtr> prepare_features(const Table& table, std::size_t first,
                                                  std::size_t last, OGRFeatureDefn* defn,
                                                  OGRwkbGeometryType gtype,
                                                  OGRCoordinateTransformation* ct,
                                                  const std::string& target) {
    const detail::QuietGdalErrors quiet;
    const GeosContext geos;
    std::vector<OGRFeatureUniquePtr> out;
    out.reserve(last - first);
    for (std::size_t r = first; r < last; ++r) {
        const Row& row = table.rows[r];
        OGRFeatureUniquePtr feature(OGRFeature::CreateFeature(defn));
        for (std::size_t i = 0; i < table.fields.size() && i < row.values.size(); ++i) {
            const Value& v = row.values[i];
            const int fi = static_cast<int>(i);
            if (const auto* iv = std::get_if<std::int64_t>(&v)) {
                feature->SetField(fi, static_cast<GIntBig>(*iv));
            } else if (const auto* dv = std::get_if<double>(&v)) {
                feature->SetField(fi, *dv);
            } else if (const auto* sv = std::get_if<std::string>(&v)) {
                feature->SetField(fi, sv->c_str());
            } else {
                feature->SetFieldNull(fi);
            }
        }
        if (row.geom && gtype != wkbNone) {
            OGRGeometry* g = OGRGeometryFactory::createFromGEOS(geos.handle(), row.geom.get());
            if (g == nullptr) {
                throw Error(ErrorKind::Internal, "cannot convert a geometry for writing",
                            {target, table.name, row.fid, ""});
            }
            if (gtype == wkbMultiPolygon) {
                g = OGRGeometryFactory::forceToMultiPolygon(g);
            } else if (gtype == wkbMultiLineString) {
                g = OGRGeometryFactory::forceToMultiLineString(g);
            } else if (gtype == wkbMultiPoint) {
                g = OGRGeometryFactory::forceToMultiPoint(g);
            }
            if (ct != nullptr && g->transform(ct) != OGRERR_NONE) {
                OGRGeometryFactory::destroyGeometry(g);
                throw_bad_input("cannot transform the geometry to the output CRS",
                                {target, table.name, row.fid, ""});
            }
            feature->SetGeometryDirectly(g);
        }
        out.push_back(std::move(feature));
    }
    return out;
}

/// Create one layer (SPATIAL_INDEX=NO) and its fields; GDAL writes the table
/// and its metadata when the dataset is closed, or with the first feature.
OGRLayer* create_layer(GDALDataset& ds, const Table& table, OGRwkbGeometryType gtype,
                       OGRSpatialReference& out_srs, GdalErrorCapture& errors,
                       const std::string& target) {
    const char* options[] = {"GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=NO", nullptr};
    OGRLayer* layer = ds.CreateLayer(table.name.c_str(), gtype == wkbNone ? nullptr : &out_srs,
                                     gtype, const_cast<char**>(options));
    if (layer == nullptr) {
        throw Error(ErrorKind::Io, "cannot create layer: " + errors.last_error(),
                    {target, table.name, std::nullopt, ""});
    }
    for (const auto& f : table.fields) {
        OGRFieldDefn fd(f.name.c_str(), ogr_type(f.type));
        if (layer->CreateField(&fd) != OGRERR_NONE) {
            throw Error(ErrorKind::Io, "cannot create field: " + errors.last_error(),
                        {target, table.name, std::nullopt, f.name});
        }
    }
    return layer;
}

/// The first row whose geometry insert_rows does not take (3-D, or a geometry
/// collection), or null.
const Row* first_not_direct(const Table& table) {
    for (const Row& r : table.rows) {
        if (r.geom &&
            (GEOSGeom_getCoordinateDimension_r(r.geom.get_deleter().ctx, r.geom.get()) != 2 ||
             GEOSGeomTypeId_r(r.geom.get_deleter().ctx, r.geom.get()) == GEOS_GEOMETRYCOLLECTION)) {
            return &r;
        }
    }
    return nullptr;
}

/// The layer as insert_rows fills it, or nullopt when its rows must go through
/// GDAL: a field that GDAL took as the FID column (its values would become the
/// FIDs), a field GDAL did not create as asked, a 3-D geometry (GDAL then marks
/// the layer's Z in gpkg_geometry_columns) or a geometry collection (left to
/// GDAL's rules for extensions).
std::optional<detail::DirectLayer> direct_layer(OGRLayer& layer, const Table& table,
                                                OGRwkbGeometryType gtype) {
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    if (defn->GetFieldCount() != static_cast<int>(table.fields.size())) {
        return std::nullopt;
    }
    detail::DirectLayer out;
    out.table = &table;
    out.name = layer.GetName();
    out.geometry_type = gtype;
    const char* fid = layer.GetFIDColumn();
    for (std::size_t i = 0; i < table.fields.size(); ++i) {
        const OGRFieldDefn* fd = defn->GetFieldDefn(static_cast<int>(i));
        if (fd->GetType() != ogr_type(table.fields[i].type) ||
            (fid != nullptr && EQUAL(fd->GetNameRef(), fid))) {
            return std::nullopt;
        }
        out.columns.emplace_back(fd->GetNameRef());
        out.types.push_back(fd->GetType());
    }
    if (gtype != wkbNone && first_not_direct(table) != nullptr) {
        return std::nullopt;
    }
    return out;
}

/// Let the caller complete a layer's rows (WriteOptions::before_rows). Rows added
/// then must still suit the table made for the layer and the direct path chosen
/// for it: the same geometry type, 2-D, no geometry collections.
void complete_rows(const std::function<void(const Table&)>& before_rows, const Table& table,
                   OGRwkbGeometryType gtype, const std::string& target) {
    if (!before_rows) {
        return;
    }
    const std::size_t rows = table.rows.size();
    before_rows(table);
    if (table.rows.size() == rows) {
        return;
    }
    if (layer_type(table) != gtype) {
        throw Error(ErrorKind::Internal,
                    "rows completed late must have the geometry type the layer was made with",
                    {target, table.name, std::nullopt, ""});
    }
    if (const Row* r = first_not_direct(table)) {
        throw Error(ErrorKind::Internal,
                    "rows completed late must be 2-D and no geometry collections",
                    {target, table.name, r->fid, ""});
    }
}

/// Write a layer's features through GDAL (CreateFeature); when it has a geometry
/// column, return its index being packed (from the envelopes of the geometries as
/// written: after the transformation to the output CRS and the forcing to
/// multi-types).
std::optional<PendingIndex>
write_features_ogr(GDALDataset& ds, OGRLayer* layer, const Table& table, OGRwkbGeometryType gtype,
                   OGRSpatialReference& out_srs, OGRCoordinateTransformation* ct, int node_size,
                   const Progress& progress, GdalErrorCapture& errors, const std::string& target) {
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    if (ds.StartTransaction() != OGRERR_NONE) {
        throw Error(ErrorKind::Io, "cannot start a transaction: " + errors.last_error(),
                    {target, table.name, std::nullopt, ""});
    }
    std::vector<detail::RtreeEntry> envelopes;
    envelopes.reserve(gtype != wkbNone ? table.rows.size() : 0);
    // Batches are made ready on a worker thread while this one hands the previous
    // batch to GDAL (which encodes and inserts the rows): the two halves of the
    // work take about as long as each other.
    const std::size_t rows = table.rows.size();
    auto launch = [&](std::size_t first) {
        return std::async(std::launch::async, [&, first] {
            return prepare_features(table, first, std::min(first + kBatch, rows), defn, gtype, ct,
                                    target);
        });
    };
    std::future<std::vector<OGRFeatureUniquePtr>> next;
    if (rows > 0) {
        next = launch(0);
    }
    for (std::size_t first = 0; first < rows; first += kBatch) {
        std::vector<OGRFeatureUniquePtr> batch = next.get();
        if (first + kBatch < rows) {
            next = launch(first + kBatch);
        }
        progress.update(static_cast<double>(first) / static_cast<double>(rows),
                        "write " + table.name);
        for (std::size_t k = 0; k < batch.size(); ++k) {
            OGRFeature& feature = *batch[k];
            OGRGeometry* g = feature.GetGeometryRef();
            if (g != nullptr) {
                g->assignSpatialReference(&out_srs);
            }
            if (layer->CreateFeature(&feature) != OGRERR_NONE) {
                throw Error(ErrorKind::Io, "cannot write a feature: " + errors.last_error(),
                            {target, table.name, table.rows[first + k].fid, ""});
            }
            // As GDAL indexes: every geometry neither null nor empty, by its FID.
            if (g != nullptr && g->IsEmpty() == FALSE) {
                OGREnvelope e;
                g->getEnvelope(&e);
                envelopes.push_back({feature.GetFID(), e.MinX, e.MaxX, e.MinY, e.MaxY});
            }
        }
    }
    if (ds.CommitTransaction() != OGRERR_NONE) {
        throw Error(ErrorKind::Io, "cannot commit: " + errors.last_error(),
                    {target, table.name, std::nullopt, ""});
    }
    if (gtype == wkbNone) {
        return std::nullopt;
    }
    return PendingIndex{
        table.name, std::async(std::launch::async, [e = std::move(envelopes), node_size]() mutable {
            return detail::pack_rtree(std::move(e), node_size);
        })};
}

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};

/// What completes the layers once their rows are in: each one's packed index
/// (when it has a geometry column) and then the caller's statements for it
/// (WriteOptions::layer_sql), written layer after layer in the order their rows
/// went in.
struct LayerEnds {
    const std::vector<const Table*>& layers;
    std::vector<std::optional<PendingIndex>>& pending; ///< one per layer
    const std::vector<std::pair<std::string, std::string>>& sql;
    const std::string& target;
    std::vector<std::size_t> order; ///< every layer, in the order its rows go in
    std::size_t next = 0;           ///< order[0, next) are complete

    /// Complete the layers order[next, upto), whose rows are all in, on `db` (open
    /// read-write on the GeoPackage, inside the caller's transaction). With `wait`,
    /// waits for their indexes to be packed; without, stops at the first layer whose
    /// index is still being packed (a later call completes it).
    void complete(sqlite3* db, std::size_t upto, bool wait = true) {
        for (; next < upto; ++next) {
            const std::size_t layer = order[next];
            std::optional<PendingIndex>& o = pending[layer];
            if (o && !wait &&
                o->tree.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
                return;
            }
            if (o) {
                try {
                    detail::write_packed_rtree(db, o->table, "geom", o->tree.get());
                } catch (const Error& e) {
                    throw Error(e.kind(), "cannot write the spatial index: " + e.message(),
                                {target, o->table, std::nullopt, ""});
                }
                o.reset();
            }
            const std::string& name = layers[layer]->name;
            for (const auto& [table, statement] : sql) {
                if (table == name &&
                    sqlite3_exec(db, statement.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
                    throw Error(ErrorKind::Io,
                                "cannot complete the layer: " + std::string(sqlite3_errmsg(db)),
                                {target, name, std::nullopt, ""});
                }
            }
        }
    }
    bool done() const { return next == order.size(); }
};

/// The order the layers' rows go in (LayerEnds::order): those written through GDAL
/// first (their rows are in already), then the `direct` ones, reordered so that the
/// layers named in `rows_last` (WriteOptions::rows_last) come after the others, which
/// are then written while those are being made.
std::vector<std::size_t>
insert_order(std::size_t layers, std::vector<std::pair<std::size_t, detail::DirectLayer>>& direct,
             const std::vector<std::string>& rows_last) {
    std::stable_partition(direct.begin(), direct.end(), [&rows_last](const auto& d) {
        return std::find(rows_last.begin(), rows_last.end(), d.second.table->name) ==
               rows_last.end();
    });
    std::vector<std::size_t> order;
    order.reserve(layers);
    for (std::size_t i = 0; i < layers; ++i) {
        if (std::none_of(direct.begin(), direct.end(),
                         [i](const auto& d) { return d.first == i; })) {
            order.push_back(i);
        }
    }
    for (const auto& d : direct) {
        order.push_back(d.first);
    }
    return order;
}

/// Complete the layers still incomplete (LayerEnds) in the closed GeoPackage at
/// `path`, on a connection of our own (rtree_pack.hpp says why not GDAL's), all in
/// one transaction.
void write_indexes(const std::string& path, LayerEnds& ends, const std::string& target) {
    if (ends.done()) {
        return;
    }
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    std::unique_ptr<sqlite3, DbCloser> db(raw);
    auto fail = [&](const std::string& what) {
        throw Error(ErrorKind::Io,
                    what + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"),
                    {target, "", std::nullopt, ""});
    };
    if (rc != SQLITE_OK) {
        fail("cannot open the GeoPackage to write its spatial indexes");
    }
    // The caller flushes the file to disk before it renames it (file_flush.hpp).
    if (sqlite3_exec(raw, "PRAGMA synchronous = OFF", nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail("cannot set up the connection");
    }
    if (sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail("cannot start a transaction");
    }
    ends.complete(raw, ends.order.size());
    if (sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail("cannot commit the spatial indexes");
    }
    if (sqlite3_close(db.release()) != SQLITE_OK) {
        throw Error(ErrorKind::Io, "cannot close the GeoPackage after writing its indexes",
                    {target, "", std::nullopt, ""});
    }
}

/// Insert the rows of the layers GDAL has created empty (rtree_pack.hpp and
/// gpkg_rows.hpp say why on a connection of our own), all in one transaction,
/// and start packing each one's index. Before a layer's rows (when `before_rows`
/// may wait for them to be made), the layers before it are completed (`ends`):
/// the main thread writes their indexes then rather than after `finish`, with the
/// other core busy; the last ones are completed before the COMMIT.
void insert_direct(const std::string& path,
                   std::vector<std::pair<std::size_t, detail::DirectLayer>>& direct,
                   OGRCoordinateTransformation* ct, int node_size,
                   std::vector<std::optional<PendingIndex>>& pending, LayerEnds& ends,
                   const std::function<Progress(std::size_t)>& layer_progress,
                   const WriteOptions& options, detail::BackgroundFlush& flush,
                   const std::string& target) {
    sqlite3* raw = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<sqlite3, DbCloser> db(raw);
    auto fail = [&](const std::string& what) {
        throw Error(ErrorKind::Io,
                    what + ": " + (raw != nullptr ? sqlite3_errmsg(raw) : "out of memory"),
                    {target, "", std::nullopt, ""});
    };
    if (rc != SQLITE_OK) {
        fail("cannot open the GeoPackage to write its rows");
    }
    // One thread uses the connection (no mutex needed: SQLITE_OPEN_NOMUTEX). The
    // file is a temporary, renamed into place only when complete: a journal in
    // memory is enough, no fdatasync at COMMIT (`flush` writes the file out on a
    // thread of its own meanwhile, and completely before the rename), and a page
    // cache large enough for the layers' last pages and their tables' upper levels.
    if (sqlite3_exec(raw,
                     "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; "
                     "PRAGMA cache_size = -65536",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail("cannot set up the connection");
    }
    if (sqlite3_exec(raw, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail("cannot start a transaction");
    }
    // Before each layer's rows, the layers before it whose indexes are packed by now
    // are completed; one still being packed waits for a later layer, or the end.
    for (std::size_t position = 0; position < direct.size(); ++position) {
        auto& [index, layer] = direct[position];
        ends.complete(raw, ends.order.size() - direct.size() + position, false);
        complete_rows(options.before_rows, *layer.table, layer.geometry_type, target);
        std::vector<detail::RtreeEntry> envelopes =
            detail::insert_rows(raw, layer, ct, layer_progress(index), target);
        if (options.after_rows) {
            options.after_rows(*layer.table);
        }
        if (layer.geometry_type != wkbNone) {
            pending[index] = PendingIndex{
                layer.name,
                std::async(std::launch::async, [e = std::move(envelopes), node_size]() mutable {
                    return detail::pack_rtree(std::move(e), node_size);
                })};
        }
        // The pages SQLite has written out so far (its cache spills) go to disk
        // while the next layer is encoded and inserted.
        flush.request();
    }
    ends.complete(raw, ends.order.size());
    if (sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        fail("cannot commit the rows");
    }
    if (sqlite3_close(db.release()) != SQLITE_OK) {
        throw Error(ErrorKind::Io, "cannot close the GeoPackage after writing its rows",
                    {target, "", std::nullopt, ""});
    }
    flush.request();
}

} // namespace

void check_output_path(const std::string& path, const WriteOptions& options) {
    const ErrorContext where{path, "", std::nullopt, ""};
    if (path.empty()) {
        throw_bad_input("no output path");
    }
    const std::string target = canonical(path);
    for (const auto& in : options.inputs) {
        if (!in.empty() && canonical(in) == target) {
            throw_bad_input("the output would overwrite an input; choose another output path",
                            where);
        }
    }
    const fs::path parent = fs::absolute(path).parent_path();
    if (!fs::is_directory(parent)) {
        throw Error(ErrorKind::Io, "the output folder does not exist: " + parent.string(), where);
    }
    // Try it: permission bits alone do not tell (root, read-only mounts, ACLs).
    const fs::path probe = parent / (".creatlas-probe-" + std::to_string(::getpid()));
    const int fd = ::open(probe.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0600);
    if (fd < 0) {
        throw Error(ErrorKind::Io,
                    "the output folder is not writable: " + parent.string() + " (" +
                        std::strerror(errno) + ")",
                    where);
    }
    ::close(fd);
    ::unlink(probe.c_str());
    if (fs::exists(path)) {
        if (!options.overwrite) {
            throw_bad_input("the output exists; pass --overwrite to replace it", where);
        }
        if (fs::is_directory(path)) {
            throw_bad_input("the output is a folder", where);
        }
    }
}

void write_geopackage(const std::string& path, const std::vector<const Table*>& layers,
                      const WriteOptions& options, const Progress& progress) {
    detail::ensure_gdal_registered();
    check_output_path(path, options);
    GdalErrorCapture errors;
    const fs::path target = fs::absolute(path);
    // ".<name>.tmp-<pid>.gpkg" beside the target, so that the final rename stays on one
    // file system. (Built by appending: GCC 12 at -O3 warns falsely on "." + string&&.)
    std::string temp_name = ".";
    temp_name.append(target.filename().string())
        .append(".tmp-")
        .append(std::to_string(::getpid()))
        .append(".gpkg");
    TempFile temp((target.parent_path() / temp_name).string());
    {
        std::error_code ec;
        fs::remove(temp.path(), ec);
    }
    // Removes the temporary even if this process is killed outright (SIGKILL).
    const detail::TempGuard guard(temp.path());
    auto out_srs = detail::make_srs(options.crs, "output crs");
    OGRSpatialReference wgs84;
    wgs84.importFromEPSG(4326);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    detail::CtPtr ct;
    if (out_srs->IsSame(&wgs84) == FALSE) {
        ct.reset(OGRCreateCoordinateTransformation(&wgs84, out_srs.get()));
        if (!ct) {
            throw_bad_input("cannot transform from WGS 84 to the output CRS '" + options.crs + "'");
        }
    }
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GPKG");
    if (driver == nullptr) {
        throw Error(ErrorKind::Internal, "GDAL has no GeoPackage driver");
    }
    // One per layer with a geometry column, in the order of the layers.
    std::vector<std::optional<PendingIndex>> pending(layers.size());
    std::vector<std::pair<std::size_t, detail::DirectLayer>> direct; // rows still to insert
    int node_size = 0;
    auto layer_progress = [&](std::size_t i) {
        return progress.sub(static_cast<double>(i) / static_cast<double>(layers.size()),
                            1.0 / static_cast<double>(layers.size()));
    };
    // The end of GDAL's part: metadata, the caller's `finish`, close.
    auto finish_and_close = [&](GDALDatasetUniquePtr ds) {
        for (const auto& [key, value] : options.metadata) {
            ds->SetMetadataItem(key.c_str(), value.c_str());
        }
        if (options.finish) {
            options.finish(*ds);
        }
        progress.check();
        ds.reset(); // close: everything is on disk
        if (!errors.last_error().empty()) {
            throw Error(ErrorKind::Io,
                        "GDAL reported an error while writing: " + errors.last_error(),
                        {path, "", std::nullopt, ""});
        }
    };
    {
        GDALDatasetUniquePtr ds(driver->Create(temp.path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!ds) {
            throw Error(ErrorKind::Io, "cannot create the GeoPackage: " + errors.last_error(),
                        {path, "", std::nullopt, ""});
        }
        node_size = detail::rtree_node_size(page_size_of(*ds));
        for (std::size_t i = 0; i < layers.size(); ++i) {
            const Table& t = *layers[i];
            const OGRwkbGeometryType gtype = layer_type(t);
            OGRLayer* layer = create_layer(*ds, t, gtype, *out_srs, errors, path);
            std::optional<detail::DirectLayer> d;
            if (!options.ogr_rows) {
                d = direct_layer(*layer, t, gtype);
            }
            if (d) {
                direct.emplace_back(i, std::move(*d));
            } else {
                complete_rows(options.before_rows, t, gtype, path);
                pending[i] = write_features_ogr(*ds, layer, t, gtype, *out_srs, ct.get(), node_size,
                                                layer_progress(i), errors, path);
                if (options.after_rows) {
                    options.after_rows(t);
                }
            }
        }
        // GDAL writes the tables and their metadata of the layers still empty.
        ds.reset();
        if (!errors.last_error().empty()) {
            throw Error(ErrorKind::Io,
                        "GDAL reported an error while writing: " + errors.last_error(),
                        {path, "", std::nullopt, ""});
        }
    }
    // The rename below replaces an earlier output, and the kernel then drops its
    // pages from the page cache before rename() returns (0.1 s for 150 MB). Asked
    // now (the file's content stays as it is, on disk), it does that while the
    // rows are written.
    std::future<void> forget_old;
    if (fs::is_regular_file(target)) {
        forget_old = std::async(std::launch::async, [old = target.string()] {
            const int fd = ::open(old.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
                ::close(fd);
            }
        });
    }
    LayerEnds ends{layers, pending, options.layer_sql, path,
                   insert_order(layers.size(), direct, options.rows_last)};
    // Writes the file out to disk on a thread of its own from here on, and
    // completely before the rename (file_flush.hpp).
    detail::BackgroundFlush flush(temp.path(), path);
    if (!direct.empty()) {
        insert_direct(temp.path(), direct, ct.get(), node_size, pending, ends, layer_progress,
                      options, flush, path);
    }
    // The layers GDAL wrote, when all of them: their indexes and statements.
    write_indexes(temp.path(), ends, path);
    {
        // GDAL again, on the complete layers, for what reads them (styles) or follows;
        // its COMMITs without fdatasync, which would wait for the flush under way.
        const CPLConfigOptionSetter no_sync("OGR_SQLITE_SYNCHRONOUS", "OFF", false);
        const char* const drivers[] = {"GPKG", nullptr};
        GDALDatasetUniquePtr ds(GDALDataset::Open(
            temp.path().c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE, drivers, nullptr, nullptr));
        if (!ds) {
            throw Error(ErrorKind::Io, "cannot reopen the GeoPackage: " + errors.last_error(),
                        {path, "", std::nullopt, ""});
        }
        finish_and_close(std::move(ds));
    }
    flush.finish();
    if (forget_old.valid()) {
        forget_old.get();
    }
    std::error_code ec;
    fs::rename(temp.path(), target, ec);
    if (ec) {
        throw Error(ErrorKind::Io,
                    "cannot move the finished GeoPackage into place: " + ec.message(),
                    {path, "", std::nullopt, ""});
    }
    temp.release();
}

} // namespace creatlas
