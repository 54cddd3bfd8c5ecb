#include "write/gpkg_rows.hpp"

#include "creatlas/error.hpp"
#include "creatlas/geos.hpp"
#include "gdal_util.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <future>
#include <limits>
#include <memory>
#include <ogrsf_frmts.h>
#include <sqlite3.h>
#include <tuple>
#include <utility>
#include <variant>

namespace creatlas::detail {

// The blobs are written little-endian, as GDAL writes them on this (little-endian)
// machine: GDAL uses the native byte order, and so do the memcpy's below.
static_assert(std::endian::native == std::endian::little,
              "the GeoPackage row writer assumes a little-endian machine");

namespace {

constexpr std::uint8_t kLittleEndian = 1;
constexpr std::uint8_t kEmptyFlag = 1U << 4U;

void put_u8(std::vector<std::uint8_t>& out, std::uint8_t v) {
    out.push_back(v);
}

template <typename T> void put(std::vector<std::uint8_t>& out, T v) {
    const std::size_t at = out.size();
    out.resize(at + sizeof(T));
    std::memcpy(out.data() + at, &v, sizeof(T));
}

template <typename T> void put_at(std::vector<std::uint8_t>& out, std::size_t at, T v) {
    std::memcpy(out.data() + at, &v, sizeof(T));
}

/// "GP", version 0, flags, srs_id.
void put_header(std::vector<std::uint8_t>& out, std::uint8_t flags, std::int32_t srs_id) {
    put_u8(out, 'G');
    put_u8(out, 'P');
    put_u8(out, 0);
    put_u8(out, flags);
    put(out, srs_id);
}

/// Writes ISO WKB (2-D, little-endian) from GEOS coordinates, keeping the
/// envelope; any case it does not handle makes it fail, and the caller goes
/// through OGR.
class GeosWkb {
public:
    GeosWkb(GEOSContextHandle_t ctx, std::vector<std::uint8_t>& out) : ctx_(ctx), out_(out) {}

    const RtreeEntry& envelope() const { return env_; }

    /// One Point, LineString or Polygon with its WKB header.
    bool simple(const GEOSGeometry* g, int type) {
        switch (type) {
        case GEOS_POINT: {
            put_u8(out_, kLittleEndian);
            put<std::uint32_t>(out_, 1);
            return coords(GEOSGeom_getCoordSeq_r(ctx_, g), false);
        }
        case GEOS_LINESTRING: {
            put_u8(out_, kLittleEndian);
            put<std::uint32_t>(out_, 2);
            return coords(GEOSGeom_getCoordSeq_r(ctx_, g), true);
        }
        case GEOS_POLYGON: {
            const int holes = GEOSGetNumInteriorRings_r(ctx_, g);
            if (holes < 0) {
                return false;
            }
            put_u8(out_, kLittleEndian);
            put<std::uint32_t>(out_, 3);
            put<std::uint32_t>(out_, static_cast<std::uint32_t>(holes) + 1);
            if (!ring(GEOSGetExteriorRing_r(ctx_, g))) {
                return false;
            }
            for (int i = 0; i < holes; ++i) {
                if (!ring(GEOSGetInteriorRingN_r(ctx_, g, i))) {
                    return false;
                }
            }
            return true;
        }
        default:
            return false;
        }
    }

    /// A multi-geometry of `part_type` parts: `g` itself when `wrap` is false,
    /// else `g` as its only part (OGR's forceToMulti… of a single geometry).
    bool multi(const GEOSGeometry* g, std::uint32_t wkb_type, int part_type, bool wrap) {
        const int parts = wrap ? 1 : GEOSGetNumGeometries_r(ctx_, g);
        if (parts <= 0) {
            return false; // empty: OGR's way
        }
        put_u8(out_, kLittleEndian);
        put<std::uint32_t>(out_, wkb_type);
        put<std::uint32_t>(out_, static_cast<std::uint32_t>(parts));
        for (int i = 0; i < parts; ++i) {
            const GEOSGeometry* part = wrap ? g : GEOSGetGeometryN_r(ctx_, g, i);
            if (part == nullptr || GEOSGeomTypeId_r(ctx_, part) != part_type ||
                !simple(part, part_type)) {
                return false;
            }
        }
        return true;
    }

private:
    bool ring(const GEOSGeometry* r) {
        return r != nullptr && coords(GEOSGeom_getCoordSeq_r(ctx_, r), true);
    }

    bool coords(const GEOSCoordSequence* seq, bool counted) {
        unsigned int n = 0;
        if (seq == nullptr || GEOSCoordSeq_getSize_r(ctx_, seq, &n) == 0 || n == 0) {
            return false; // empty parts and rings: OGR's way
        }
        buffer_.resize(2 * static_cast<std::size_t>(n));
        if (GEOSCoordSeq_copyToBuffer_r(ctx_, seq, buffer_.data(), 0, 0) == 0) {
            return false;
        }
        for (std::size_t i = 0; i < buffer_.size(); i += 2) {
            const double x = buffer_[i];
            const double y = buffer_[i + 1];
            if (!std::isfinite(x) || !std::isfinite(y)) {
                return false; // OGR's envelope rules for NaN differ from min/max
            }
            env_.minx = std::min(env_.minx, x);
            env_.maxx = std::max(env_.maxx, x);
            env_.miny = std::min(env_.miny, y);
            env_.maxy = std::max(env_.maxy, y);
        }
        if (counted) {
            put<std::uint32_t>(out_, n);
        }
        const std::size_t at = out_.size();
        out_.resize(at + buffer_.size() * sizeof(double));
        std::memcpy(out_.data() + at, buffer_.data(), buffer_.size() * sizeof(double));
        return true;
    }

    GEOSContextHandle_t ctx_;
    std::vector<std::uint8_t>& out_;
    std::vector<double> buffer_;
    RtreeEntry env_{
        0, std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
};

} // namespace

bool append_gpkg_blob(const OGRGeometry& g, std::int32_t srs_id, std::vector<std::uint8_t>& out,
                      RtreeEntry& env) {
    // GDAL 3.6's choices: no envelope for points (wkbFlatten, so 3-D points too)
    // nor for empty geometries; an XYZ envelope when the coordinate dimension is 3.
    const bool point = wkbFlatten(g.getGeometryType()) == wkbPoint;
    const bool empty = g.IsEmpty() != FALSE;
    const int dims = g.getCoordinateDimension();
    const std::uint8_t kind = (point || empty) ? 0 : (dims == 3 ? 2 : 1);
    const auto flags =
        static_cast<std::uint8_t>(kLittleEndian | (kind << 1U) | (empty ? kEmptyFlag : 0U));
    put_header(out, flags, srs_id);
    if (kind == 2) {
        OGREnvelope3D e;
        g.getEnvelope(&e);
        for (const double d : {e.MinX, e.MaxX, e.MinY, e.MaxY, e.MinZ, e.MaxZ}) {
            put(out, d);
        }
    } else if (kind == 1) {
        OGREnvelope e;
        g.getEnvelope(&e);
        for (const double d : {e.MinX, e.MaxX, e.MinY, e.MaxY}) {
            put(out, d);
        }
    }
    const std::size_t at = out.size();
    out.resize(at + g.WkbSize());
    if (g.exportToWkb(wkbNDR, out.data() + at, wkbVariantIso) != OGRERR_NONE) {
        throw Error(ErrorKind::Internal, "OGR cannot encode a geometry as WKB");
    }
    if (empty) {
        return false;
    }
    OGREnvelope e;
    g.getEnvelope(&e);
    env.minx = e.MinX;
    env.maxx = e.MaxX;
    env.miny = e.MinY;
    env.maxy = e.MaxY;
    return true;
}

bool append_gpkg_blob_geos(GEOSContextHandle_t ctx, const GEOSGeometry* g,
                           OGRwkbGeometryType layer_type, std::int32_t srs_id,
                           std::vector<std::uint8_t>& out, RtreeEntry& env) {
    if (g == nullptr || GEOSGeom_getCoordinateDimension_r(ctx, g) != 2) {
        return false;
    }
    const int type = GEOSGeomTypeId_r(ctx, g);
    // What the geometry becomes in this layer: as it is, or wrapped in its multi-type.
    bool wrap = false;
    switch (layer_type) {
    case wkbPoint:
        if (type != GEOS_POINT) {
            return false;
        }
        break;
    case wkbMultiPoint:
        wrap = type == GEOS_POINT;
        if (!wrap && type != GEOS_MULTIPOINT) {
            return false;
        }
        break;
    case wkbMultiLineString:
        wrap = type == GEOS_LINESTRING;
        if (!wrap && type != GEOS_MULTILINESTRING) {
            return false;
        }
        break;
    case wkbMultiPolygon:
        wrap = type == GEOS_POLYGON;
        if (!wrap && type != GEOS_MULTIPOLYGON) {
            return false;
        }
        break;
    case wkbUnknown:
        break;
    default:
        return false;
    }
    const std::size_t start = out.size();
    const bool point = type == GEOS_POINT && !wrap;
    put_header(out, point ? kLittleEndian : static_cast<std::uint8_t>(kLittleEndian | (1U << 1U)),
               srs_id);
    const std::size_t envelope_at = out.size();
    if (!point) {
        out.resize(envelope_at + 4 * sizeof(double));
    }
    GeosWkb wkb(ctx, out);
    bool ok = false;
    switch (type) {
    case GEOS_POINT:
        ok = wrap ? wkb.multi(g, 4, GEOS_POINT, true) : wkb.simple(g, GEOS_POINT);
        break;
    case GEOS_LINESTRING:
        ok = wrap ? wkb.multi(g, 5, GEOS_LINESTRING, true) : wkb.simple(g, GEOS_LINESTRING);
        break;
    case GEOS_POLYGON:
        ok = wrap ? wkb.multi(g, 6, GEOS_POLYGON, true) : wkb.simple(g, GEOS_POLYGON);
        break;
    case GEOS_MULTIPOINT:
        ok = wkb.multi(g, 4, GEOS_POINT, false);
        break;
    case GEOS_MULTILINESTRING:
        ok = wkb.multi(g, 5, GEOS_LINESTRING, false);
        break;
    case GEOS_MULTIPOLYGON:
        ok = wkb.multi(g, 6, GEOS_POLYGON, false);
        break;
    default:
        ok = false;
    }
    if (!ok) {
        out.resize(start);
        return false;
    }
    const RtreeEntry& e = wkb.envelope();
    if (!point) {
        put_at(out, envelope_at, e.minx);
        put_at(out, envelope_at + 8, e.maxx);
        put_at(out, envelope_at + 16, e.miny);
        put_at(out, envelope_at + 24, e.maxy);
    }
    env.minx = e.minx;
    env.maxx = e.maxx;
    env.miny = e.miny;
    env.maxy = e.maxy;
    return true;
}

namespace {

/// Rows per batch encoded on the worker thread while this one inserts.
constexpr std::size_t kBatch = 4096;

/// Rows per INSERT statement: a power of two up to 64 that divides kBatch and keeps
/// the statement's parameters within SQLite's limit (32,766 by default).
std::size_t rows_per_insert(sqlite3* db, std::size_t columns) {
    const auto limit =
        static_cast<std::size_t>(std::max(1, sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1)));
    std::size_t group = 64;
    while (group > 1 && group * std::max<std::size_t>(columns, 1) > limit) {
        group /= 2;
    }
    return columns == 0 ? 1 : group;
}

bool matches(const Value& v, OGRFieldType t) {
    return std::holds_alternative<std::monostate>(v) ||
           (std::holds_alternative<std::int64_t>(v) && t == OFTInteger64) ||
           (std::holds_alternative<double>(v) && t == OFTReal) ||
           (std::holds_alternative<std::string>(v) && t == OFTString);
}

/// A value of another type than its field's, converted as the OGR path did:
/// OGRFeature::SetField with the value's own type, then read back by the field's
/// type, as GDAL binds it.
class Converter {
public:
    explicit Converter(const std::vector<OGRFieldType>& types) : defn_(new OGRFeatureDefn("")) {
        defn_->Reference();
        for (std::size_t i = 0; i < types.size(); ++i) {
            OGRFieldDefn fd(("f" + std::to_string(i)).c_str(), types[i]);
            defn_->AddFieldDefn(&fd);
        }
        feature_ = std::make_unique<OGRFeature>(defn_);
    }
    ~Converter() {
        feature_.reset();
        defn_->Release();
    }
    Converter(const Converter&) = delete;
    Converter& operator=(const Converter&) = delete;
    Converter(Converter&&) = delete;
    Converter& operator=(Converter&&) = delete;

    Value convert(std::size_t field, const Value& v, OGRFieldType type) {
        const int fi = static_cast<int>(field);
        feature_->UnsetField(fi);
        if (const auto* iv = std::get_if<std::int64_t>(&v)) {
            feature_->SetField(fi, static_cast<GIntBig>(*iv));
        } else if (const auto* dv = std::get_if<double>(&v)) {
            feature_->SetField(fi, *dv);
        } else if (const auto* sv = std::get_if<std::string>(&v)) {
            feature_->SetField(fi, sv->c_str());
        }
        if (!feature_->IsFieldSetAndNotNull(fi)) {
            return std::monostate{};
        }
        switch (type) {
        case OFTInteger64:
            return static_cast<std::int64_t>(feature_->GetFieldAsInteger64(fi));
        case OFTReal:
            return feature_->GetFieldAsDouble(fi);
        default:
            return std::string(feature_->GetFieldAsString(fi));
        }
    }

private:
    OGRFeatureDefn* defn_;
    std::unique_ptr<OGRFeature> feature_;
};

struct EncodedRow {
    std::size_t offset = 0; ///< of the blob in EncodedBatch::bytes
    std::size_t size = 0;
    bool has_geometry = false; ///< false: NULL
    bool indexed = false;      ///< neither null nor empty
    RtreeEntry envelope;
};

/// A value converted for its field (see Converter), by row (in the batch) and field.
struct Fix {
    std::size_t row = 0;
    std::size_t field = 0;
    Value value;
};

struct EncodedBatch {
    std::vector<std::uint8_t> bytes;
    std::vector<EncodedRow> rows;
    std::vector<Fix> fixes;
};

/// Rows [first, last) of the layer, encoded: runs on the worker thread with a GEOS
/// context of its own; `ct` and the rows are used by no other thread meanwhile
/// (this thread only reads the rows' values).
EncodedBatch encode_batch(const DirectLayer& layer, std::size_t first, std::size_t last,
                          std::int32_t srs_id, OGRCoordinateTransformation* ct,
                          const std::string& target) {
    const QuietGdalErrors quiet;
    const GeosContext geos;
    const Table& table = *layer.table;
    const OGRwkbGeometryType gtype = layer.geometry_type;
    EncodedBatch batch;
    batch.rows.resize(last - first);
    std::unique_ptr<Converter> converter;
    for (std::size_t r = first; r < last; ++r) {
        const Row& row = table.rows[r];
        EncodedRow& out = batch.rows[r - first];
        for (std::size_t i = 0; i < layer.types.size() && i < row.values.size(); ++i) {
            if (!matches(row.values[i], layer.types[i])) {
                if (!converter) {
                    converter = std::make_unique<Converter>(layer.types);
                }
                batch.fixes.push_back(
                    {r - first, i, converter->convert(i, row.values[i], layer.types[i])});
            }
        }
        if (!row.geom || gtype == wkbNone) {
            continue;
        }
        out.offset = batch.bytes.size();
        out.has_geometry = true;
        if (ct == nullptr && append_gpkg_blob_geos(geos.handle(), row.geom.get(), gtype, srs_id,
                                                   batch.bytes, out.envelope)) {
            out.indexed = true;
        } else {
            // OGR's way, as the OGR path did it: convert, force to the layer's type,
            // transform.
            OGRGeometry* raw = OGRGeometryFactory::createFromGEOS(geos.handle(), row.geom.get());
            if (raw == nullptr) {
                throw Error(ErrorKind::Internal, "cannot convert a geometry for writing",
                            {target, table.name, row.fid, ""});
            }
            if (gtype == wkbMultiPolygon) {
                raw = OGRGeometryFactory::forceToMultiPolygon(raw);
            } else if (gtype == wkbMultiLineString) {
                raw = OGRGeometryFactory::forceToMultiLineString(raw);
            } else if (gtype == wkbMultiPoint) {
                raw = OGRGeometryFactory::forceToMultiPoint(raw);
            }
            const std::unique_ptr<OGRGeometry> g(raw);
            if (ct != nullptr && g->transform(ct) != OGRERR_NONE) {
                throw_bad_input("cannot transform the geometry to the output CRS",
                                {target, table.name, row.fid, ""});
            }
            out.indexed = append_gpkg_blob(*g, srs_id, batch.bytes, out.envelope);
        }
        out.size = batch.bytes.size() - out.offset;
    }
    return batch;
}

struct StmtCloser {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

std::string quoted(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

class Db {
public:
    Db(sqlite3* db, const std::string& target, const std::string& layer)
        : db_(db), target_(target), layer_(layer) {}

    [[noreturn]] void fail(const std::string& what, std::optional<std::int64_t> fid = {},
                           const std::string& field = "") const {
        throw Error(ErrorKind::Io, what + ": " + sqlite3_errmsg(db_),
                    {target_, layer_, fid, field});
    }

    Stmt prepare(const std::string& sql) const {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
            SQLITE_OK) {
            fail("cannot prepare \"" + sql + "\"");
        }
        return Stmt(raw);
    }

    void exec(const std::string& sql) const {
        if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
            fail("cannot run \"" + sql + "\"");
        }
    }

    /// Run a statement with text parameters ?1, ?2, … and no result.
    void run(const std::string& sql, const std::vector<std::string>& params) const {
        Stmt s = prepare(sql);
        for (std::size_t i = 0; i < params.size(); ++i) {
            sqlite3_bind_text(s.get(), static_cast<int>(i) + 1, params[i].c_str(),
                              static_cast<int>(params[i].size()), SQLITE_TRANSIENT);
        }
        if (sqlite3_step(s.get()) != SQLITE_DONE) {
            fail("cannot run \"" + sql + "\"");
        }
    }

    bool has_table(const std::string& name) const {
        Stmt s = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
        sqlite3_bind_text(s.get(), 1, name.c_str(), static_cast<int>(name.size()),
                          SQLITE_TRANSIENT);
        return sqlite3_step(s.get()) == SQLITE_ROW;
    }

    sqlite3* handle() const { return db_; }
    const std::string& target() const { return target_; }
    const std::string& layer() const { return layer_; }

private:
    sqlite3* db_;
    const std::string& target_;
    const std::string& layer_;
};

std::string g18(double d) {
    // "%.18g" through SQLite's own printf, as GDAL formats gpkg_contents' extent
    // (SQLite's printf rounds otherwise than the C library's, and SQLite then
    // parses the text back: the bits stored are those of this round trip).
    char* text = sqlite3_mprintf("%.18g", d);
    std::string out = text != nullptr ? text : "NULL";
    sqlite3_free(text);
    return out;
}

void bind_value(const Db& db, sqlite3_stmt* stmt, int param, const Value& v, OGRFieldType type,
                std::int64_t fid, const std::string& field) {
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(v)) {
        rc = sqlite3_bind_null(stmt, param);
    } else if (const auto* iv = std::get_if<std::int64_t>(&v);
               iv != nullptr && type == OFTInteger64) {
        rc = sqlite3_bind_int64(stmt, param, *iv);
    } else if (const auto* dv = std::get_if<double>(&v); dv != nullptr && type == OFTReal) {
        rc = sqlite3_bind_double(stmt, param, *dv);
    } else if (const auto* sv = std::get_if<std::string>(&v); sv != nullptr && type == OFTString) {
        // Up to the first NUL byte, as OGRFeature::SetField(const char*) keeps it.
        const std::size_t n = std::strlen(sv->c_str());
        if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
            throw Error(ErrorKind::Io, "cannot write a feature: the text is too long",
                        {db.target(), db.layer(), fid, field});
        }
        rc = sqlite3_bind_text(stmt, param, sv->c_str(), static_cast<int>(n), SQLITE_STATIC);
    } else {
        throw Error(ErrorKind::Internal, "a value of another type than its field reached SQLite",
                    {db.target(), db.layer(), fid, field});
    }
    if (rc != SQLITE_OK) {
        db.fail("cannot write a feature", fid, field);
    }
}

/// The geometry column and SRS id GDAL registered for `layer`.
std::pair<std::string, std::int32_t> geometry_column_of(const Db& db, const std::string& layer) {
    const Stmt s = db.prepare("SELECT column_name, srs_id FROM gpkg_geometry_columns "
                              "WHERE lower(table_name) = lower(?1)");
    sqlite3_bind_text(s.get(), 1, layer.c_str(), static_cast<int>(layer.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(s.get()) != SQLITE_ROW) {
        throw Error(ErrorKind::Internal, "the layer has no row in gpkg_geometry_columns",
                    {db.target(), layer, std::nullopt, ""});
    }
    return {reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)),
            sqlite3_column_int(s.get(), 1)};
}

/// Drops the triggers on `layer` and returns their names and SQL, in creation order.
std::vector<std::pair<std::string, std::string>> take_triggers(const Db& db,
                                                               const std::string& layer) {
    std::vector<std::pair<std::string, std::string>> triggers;
    {
        const Stmt s = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                  "AND lower(tbl_name) = lower(?1) ORDER BY rowid");
        sqlite3_bind_text(s.get(), 1, layer.c_str(), static_cast<int>(layer.size()),
                          SQLITE_TRANSIENT);
        while (sqlite3_step(s.get()) == SQLITE_ROW) {
            triggers.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0)),
                                  reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1)));
        }
    }
    for (const auto& [name, sql] : triggers) {
        db.exec("DROP TRIGGER " + quoted(name));
    }
    return triggers;
}

/// INSERT of `nrows` rows into `table`'s `columns` (DEFAULT VALUES when there is none).
std::string insert_statement(const std::string& table, const std::vector<std::string>& columns,
                             std::size_t nrows) {
    if (columns.empty()) {
        return "INSERT INTO " + quoted(table) + " DEFAULT VALUES";
    }
    std::string names;
    std::string params;
    for (const auto& c : columns) {
        names += (names.empty() ? "" : ", ") + quoted(c);
        params += params.empty() ? "?" : ", ?";
    }
    std::string sql = "INSERT INTO " + quoted(table) + " (" + names + ") VALUES ";
    for (std::size_t r = 0; r < nrows; ++r) {
        sql += (r == 0 ? "(" : ", (") + params + ")";
    }
    return sql;
}

/// What GDAL writes when it closes a layer it has added `rows` features to: the
/// feature count, the extent of the indexed geometries' `envelopes` (when there is
/// one) and the change date.
void close_layer(const Db& db, const std::string& layer, std::size_t rows,
                 const std::vector<RtreeEntry>& envelopes) {
    if (db.has_table("gpkg_ogr_contents")) {
        db.run("UPDATE gpkg_ogr_contents SET feature_count = " + std::to_string(rows) +
                   " WHERE lower(table_name) = lower(?1)",
               {layer});
    }
    if (!envelopes.empty()) {
        RtreeEntry extent = envelopes.front();
        for (const RtreeEntry& e : envelopes) {
            extent.minx = std::min(extent.minx, e.minx);
            extent.maxx = std::max(extent.maxx, e.maxx);
            extent.miny = std::min(extent.miny, e.miny);
            extent.maxy = std::max(extent.maxy, e.maxy);
        }
        db.run("UPDATE gpkg_contents SET min_x = " + g18(extent.minx) +
                   ", min_y = " + g18(extent.miny) + ", max_x = " + g18(extent.maxx) +
                   ", max_y = " + g18(extent.maxy) +
                   " WHERE lower(table_name) = lower(?1) AND lower(data_type) = 'features'",
               {layer});
    }
    const char* date = CPLGetConfigOption("OGR_CURRENT_DATE", nullptr);
    if (date != nullptr) {
        db.run("UPDATE gpkg_contents SET last_change = ?2 WHERE lower(table_name) = lower(?1)",
               {layer, date});
    } else {
        db.run("UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
               "WHERE lower(table_name) = lower(?1)",
               {layer});
    }
}

} // namespace

std::vector<RtreeEntry> insert_rows(sqlite3* db_handle, const DirectLayer& layer,
                                    OGRCoordinateTransformation* ct, const Progress& progress,
                                    const std::string& target) {
    const Table& table = *layer.table;
    const Db db(db_handle, target, layer.name);
    const std::size_t rows = table.rows.size();
    std::vector<RtreeEntry> envelopes;
    if (rows == 0) {
        return envelopes; // GDAL leaves an empty layer's count, extent and date alone
    }
    const bool has_geometry = layer.geometry_type != wkbNone;
    std::string geometry_column;
    std::int32_t srs_id = 0;
    if (has_geometry) {
        std::tie(geometry_column, srs_id) = geometry_column_of(db, layer.name);
    }
    // GDAL's feature-count triggers would update gpkg_ogr_contents once per row:
    // set them aside and put them back as they were.
    const auto triggers = take_triggers(db, layer.name);
    std::vector<std::string> names;
    if (has_geometry) {
        names.push_back(geometry_column);
    }
    names.insert(names.end(), layer.columns.begin(), layer.columns.end());
    // Rows go in groups of up to kGroup per INSERT … VALUES (…), (…), …: SQLite then
    // runs its statement set-up and the table's AUTOINCREMENT bookkeeping once per
    // group instead of once per row. The rows of a group take consecutive rowids, in
    // order. A group that fails is undone by SQLite (the statement is atomic) and
    // tried again row by row, so that the error names the feature.
    const std::size_t ncolumns = names.size();
    const std::size_t group = rows_per_insert(db.handle(), ncolumns);
    auto prepare_insert = [&](std::size_t nrows) {
        return db.prepare(insert_statement(layer.name, names, nrows));
    };
    const Stmt insert_one = prepare_insert(1);
    const Stmt insert_group = group > 1 ? prepare_insert(group) : Stmt(nullptr);
    envelopes.reserve(has_geometry ? rows : 0);
    const Value null_value;
    auto launch = [&](std::size_t first) {
        return std::async(std::launch::async, [&, first] {
            return encode_batch(layer, first, std::min(first + kBatch, rows), srs_id, ct, target);
        });
    };
    // Declared after everything its task uses: if this thread throws, the task is
    // waited for before those go.
    std::future<EncodedBatch> next = launch(0);
    for (std::size_t first = 0; first < rows; first += kBatch) {
        const EncodedBatch batch = next.get();
        if (first + kBatch < rows) {
            next = launch(first + kBatch);
        }
        progress.update(static_cast<double>(first) / static_cast<double>(rows),
                        "write " + table.name);
        std::size_t fix = 0;
        // Bind row k of the batch from parameter `param` on.
        auto bind_row = [&](sqlite3_stmt* stmt, int param, std::size_t k) {
            const Row& row = table.rows[first + k];
            const EncodedRow& g = batch.rows[k];
            if (has_geometry) {
                const int rc = g.has_geometry
                                   ? sqlite3_bind_blob(stmt, param, batch.bytes.data() + g.offset,
                                                       static_cast<int>(g.size), SQLITE_STATIC)
                                   : sqlite3_bind_null(stmt, param);
                if (rc != SQLITE_OK) {
                    db.fail("cannot write a feature", row.fid);
                }
                ++param;
            }
            for (std::size_t i = 0; i < layer.types.size(); ++i, ++param) {
                const Value* v = i < row.values.size() ? &row.values[i] : &null_value;
                if (fix < batch.fixes.size() && batch.fixes[fix].row == k &&
                    batch.fixes[fix].field == i) {
                    v = &batch.fixes[fix++].value;
                }
                bind_value(db, stmt, param, *v, layer.types[i], row.fid, table.fields[i].name);
            }
        };
        // Row k of the batch was given rowid `id`.
        auto inserted = [&](std::size_t k, sqlite3_int64 id) {
            const EncodedRow& g = batch.rows[k];
            if (g.indexed) {
                RtreeEntry e = g.envelope;
                e.id = id;
                envelopes.push_back(e);
            }
        };
        auto insert_single = [&](std::size_t k) {
            sqlite3_stmt* stmt = insert_one.get();
            sqlite3_reset(stmt);
            bind_row(stmt, 1, k);
            if (sqlite3_step(stmt) != SQLITE_DONE) {
                db.fail("cannot write a feature", table.rows[first + k].fid);
            }
            inserted(k, sqlite3_last_insert_rowid(db.handle()));
        };
        const std::size_t n = batch.rows.size();
        std::size_t k = 0;
        for (; group > 1 && k + group <= n; k += group) {
            const std::size_t fix_before = fix;
            sqlite3_stmt* stmt = insert_group.get();
            sqlite3_reset(stmt);
            for (std::size_t r = 0; r < group; ++r) {
                bind_row(stmt, static_cast<int>(r * ncolumns) + 1, k + r);
            }
            if (sqlite3_step(stmt) != SQLITE_DONE) {
                sqlite3_reset(stmt);
                fix = fix_before;
                for (std::size_t r = 0; r < group; ++r) {
                    insert_single(k + r);
                }
                continue;
            }
            const sqlite3_int64 last = sqlite3_last_insert_rowid(db.handle());
            for (std::size_t r = 0; r < group; ++r) {
                inserted(k + r, last - static_cast<sqlite3_int64>(group - 1 - r));
            }
        }
        for (; k < n; ++k) {
            insert_single(k);
        }
    }
    sqlite3_reset(insert_one.get());
    if (insert_group) {
        sqlite3_reset(insert_group.get());
    }
    for (const auto& [name, sql] : triggers) {
        db.exec(sql);
    }
    close_layer(db, layer.name, rows, envelopes);
    return envelopes;
}

} // namespace creatlas::detail
