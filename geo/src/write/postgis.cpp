// The PostGIS output: the atlas GeoPackage copied into one schema with libpq, in
// one transaction (COPY for the rows: GDAL's PG driver would commit its DDL on its
// own), with QGIS's layer_styles rows and its PostgreSQL project storage.
#include "creatlas/postgis.hpp"

#include "creatlas/error.hpp"
#include "gdal_util.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <libpq-fe.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <optional>
#include <set>

namespace creatlas {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// The connection string without GDAL's "PG:" prefix.
std::string strip_prefix(const std::string& connection) {
    return is_postgis(connection) ? connection.substr(3) : connection;
}

struct ConnCloser {
    void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnCloser>;

struct ResultCloser {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultCloser>;

/// libpq's message, trimmed, the password taken out (libpq does not echo it, but a
/// server or a proxy in between might).
std::string pg_message(PGconn* conn) {
    std::string text = conn != nullptr ? PQerrorMessage(conn) : "out of memory";
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
        text.pop_back();
    }
    for (char& c : text) {
        if (c == '\n') {
            c = ' ';
        }
    }
    return redact_password(text);
}

/// One open connection to the target database.
class Db {
public:
    explicit Db(const std::string& connection) : where_(redact_password(connection)) {
        const std::string conninfo = strip_prefix(connection);
        const char* keys[] = {"dbname", "fallback_application_name", nullptr};
        const char* values[] = {conninfo.c_str(), "creatlas", nullptr};
        conn_.reset(PQconnectdbParams(keys, values, 1));
        if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
            throw Error(ErrorKind::Io,
                        "cannot connect to the PostgreSQL server: " + pg_message(conn_.get()),
                        {where_, "", std::nullopt, ""});
        }
    }
    PGconn* get() const { return conn_.get(); }
    const std::string& where() const { return where_; }

    /// Run `sql` (no parameters); throw with `what` and `table` on failure.
    ResultPtr exec(const std::string& sql, const std::string& what,
                   const std::string& table = "") const {
        ResultPtr r(PQexec(conn_.get(), sql.c_str()));
        check(r.get(), what, table);
        return r;
    }

    /// Run `sql` with text parameters ($1…); nullopt is SQL NULL.
    ResultPtr exec_params(const std::string& sql,
                          const std::vector<std::optional<std::string>>& params,
                          const std::string& what, const std::string& table = "") const {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) {
            values.push_back(p ? p->c_str() : nullptr);
        }
        ResultPtr r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                                 values.data(), nullptr, nullptr, 0));
        check(r.get(), what, table);
        return r;
    }

    std::string literal(const std::string& text) const {
        char* quoted = PQescapeLiteral(conn_.get(), text.c_str(), text.size());
        if (quoted == nullptr) {
            throw Error(ErrorKind::Internal, "cannot quote a literal: " + pg_message(conn_.get()),
                        {where_, "", std::nullopt, ""});
        }
        std::string out(quoted);
        PQfreemem(quoted);
        return out;
    }

    void check(PGresult* r, const std::string& what, const std::string& table) const {
        const ExecStatusType status = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN) {
            throw Error(ErrorKind::Io, "cannot " + what + ": " + pg_message(conn_.get()),
                        {where_, table, std::nullopt, ""});
        }
    }

private:
    std::string where_;
    ConnPtr conn_;
};

/// "name" → "\"name\"" (an SQL identifier).
std::string ident(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + "\"";
}

std::string qualified(const std::string& schema, const std::string& table) {
    return ident(schema) + "." + ident(table);
}

/// A text array literal for a $n parameter: {"a","b"}.
std::string text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        out += i > 0 ? ",\"" : "\"";
        for (char c : items[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    return out + "}";
}

bool relation_exists(const Db& db, const std::string& schema, const std::string& table) {
    const ResultPtr r =
        db.exec_params("SELECT to_regclass($1) IS NOT NULL", {qualified(schema, table)},
                       "look up " + schema + "." + table);
    return std::string(PQgetvalue(r.get(), 0, 0)) == "t";
}

/// What of an atlas the schema holds already: its tables among `tables`, the
/// tables a previous run recorded in creatlas_metadata, and the project.
struct Existing {
    std::vector<std::string> tables; ///< present now
    bool metadata = false;           ///< creatlas_metadata is present
    /// Its projects in qgis_projects: the one of this title, and the one a previous
    /// run recorded (CREATLAS_QGIS_PROJECT) when the atlas has been renamed since.
    std::vector<std::string> projects;
    bool any() const { return !tables.empty() || metadata || !projects.empty(); }
};

Existing find_existing(const Db& db, const PostgisTarget& target,
                       const std::vector<std::string>& tables) {
    Existing e;
    std::vector<std::string> wanted = tables;
    std::vector<std::string> projects{target.project_title};
    e.metadata = relation_exists(db, target.schema, "creatlas_metadata");
    if (e.metadata) {
        const ResultPtr p =
            db.exec("SELECT value FROM " + qualified(target.schema, "creatlas_metadata") +
                        " WHERE key = 'CREATLAS_QGIS_PROJECT'",
                    "read creatlas_metadata", "creatlas_metadata");
        if (PQntuples(p.get()) == 1) {
            projects.emplace_back(PQgetvalue(p.get(), 0, 0));
        }
        const ResultPtr r =
            db.exec("SELECT value FROM " + qualified(target.schema, "creatlas_metadata") +
                        " WHERE key = 'CREATLAS_TABLES'",
                    "read creatlas_metadata", "creatlas_metadata");
        if (PQntuples(r.get()) == 1) {
            const json recorded = json::parse(PQgetvalue(r.get(), 0, 0), nullptr, false);
            if (recorded.is_array()) {
                for (const json& t : recorded) {
                    if (t.is_string()) {
                        wanted.push_back(t.get<std::string>());
                    }
                }
            }
        }
    }
    const ResultPtr r = db.exec_params(
        "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
        "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND "
        "c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname",
        {target.schema, text_array(wanted)}, "look up the atlas's tables");
    for (int i = 0; i < PQntuples(r.get()); ++i) {
        e.tables.emplace_back(PQgetvalue(r.get(), i, 0));
    }
    if (relation_exists(db, target.schema, "qgis_projects")) {
        const ResultPtr p =
            db.exec_params("SELECT name FROM " + qualified(target.schema, "qgis_projects") +
                               " WHERE name = ANY($1::text[]) ORDER BY name",
                           {text_array(projects)}, "look up the QGIS project", "qgis_projects");
        for (int i = 0; i < PQntuples(p.get()); ++i) {
            e.projects.emplace_back(PQgetvalue(p.get(), i, 0));
        }
    }
    return e;
}

[[noreturn]] void refuse_existing(const Existing& e, const PostgisTarget& target,
                                  const std::string& where) {
    std::string what;
    if (!e.tables.empty()) {
        what = "table" + std::string(e.tables.size() > 1 ? "s " : " ");
        for (std::size_t i = 0; i < e.tables.size(); ++i) {
            what += (i > 0 ? ", " : "") + e.tables[i];
        }
    }
    if (e.metadata && e.tables.empty()) {
        what = "creatlas_metadata";
    }
    for (const std::string& project : e.projects) {
        what += (what.empty() ? "" : " and ") + std::string("the QGIS project '") + project + "'";
    }
    throw_bad_input("schema '" + target.schema + "' already holds an atlas (" + what +
                        "); pass --overwrite to replace it",
                    {where, "", std::nullopt, ""});
}

void require_postgis(const Db& db) {
    const ResultPtr r = db.exec("SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'postgis'",
                                "look up the PostGIS extension");
    if (PQntuples(r.get()) == 0) {
        const ResultPtr name = db.exec("SELECT current_database()", "name the database");
        throw_bad_input("PostGIS is not installed in database '" +
                            std::string(PQgetvalue(name.get(), 0, 0)) +
                            "' (a superuser or the database owner runs CREATE EXTENSION postgis)",
                        {db.where(), "", std::nullopt, ""});
    }
}

/// The keywords QGIS's layer sources carry: the service (when one is used) and
/// always the database name, so that QGIS's look-up in layer_styles (by
/// f_table_catalog) finds the styles; host and port only without a service.
std::map<std::string, std::string> source_keywords(const Db& db, const std::string& connection) {
    const std::map<std::string, std::string> given = parse_connection(connection, db.where());
    std::map<std::string, std::string> out;
    if (auto s = given.find("service"); s != given.end()) {
        out["service"] = s->second;
    } else {
        out["host"] = PQhost(db.get()) != nullptr ? PQhost(db.get()) : "";
        out["port"] = PQport(db.get()) != nullptr ? PQport(db.get()) : "";
    }
    out["dbname"] = PQdb(db.get()) != nullptr ? PQdb(db.get()) : "";
    if (auto s = given.find("sslmode"); s != given.end()) {
        out["sslmode"] = s->second;
    }
    return out;
}

std::string pg_type(const OGRFieldDefn& field) {
    switch (field.GetType()) {
    case OFTInteger:
        return field.GetSubType() == OFSTBoolean ? "boolean" : "integer";
    case OFTInteger64:
        return "bigint";
    case OFTReal:
        return "double precision";
    default:
        return "text";
    }
}

/// COPY's text format: backslash, tab, newline and carriage return escaped.
void append_copy_text(std::string& out, const char* text) {
    for (const char* p = text; *p != '\0'; ++p) {
        switch (*p) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            out += *p;
        }
    }
}

void append_double(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "Infinity" : "-Infinity";
    } else {
        char buffer[64];
        // The shortest text that reads back as the same double.
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, v);
        out.append(buffer, r.ptr);
    }
}

/// The geometry as hexadecimal EWKB (little-endian WKB with the SRID flag and value).
void append_ewkb(std::string& out, const OGRGeometry& g, int srid,
                 std::vector<unsigned char>& buf) {
    const std::size_t size = g.WkbSize();
    buf.resize(size);
    g.exportToWkb(wkbNDR, buf.data(), wkbVariantOldOgc);
    std::uint32_t type = 0;
    std::memcpy(&type, buf.data() + 1, 4);
    type |= 0x20000000U; // EWKB: an SRID follows the type
    const auto srid_u = static_cast<std::uint32_t>(srid);
    static const char* hex = "0123456789ABCDEF";
    auto put = [&out](unsigned char b) {
        out += hex[b >> 4];
        out += hex[b & 0x0F];
    };
    put(buf[0]);
    for (int i = 0; i < 4; ++i) {
        put(static_cast<unsigned char>((type >> (8 * i)) & 0xFF));
    }
    for (int i = 0; i < 4; ++i) {
        put(static_cast<unsigned char>((srid_u >> (8 * i)) & 0xFF));
    }
    for (std::size_t i = 5; i < size; ++i) {
        put(buf[i]);
    }
}

/// One layer of the GeoPackage as a table of the schema: created, filled by COPY,
/// indexed. Returns the table's name.
void copy_layer(const Db& db, OGRLayer& layer, const PostgisTarget& target, int srid,
                const std::string& comment, const Progress& progress) {
    const std::string name = layer.GetName();
    const std::string table = qualified(target.schema, name);
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    const bool has_geometry = defn->GetGeomFieldCount() > 0;
    std::string create = "CREATE TABLE " + table + " (fid bigint PRIMARY KEY";
    std::string columns = "fid";
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const OGRFieldDefn* field = defn->GetFieldDefn(i);
        create += ", " + ident(field->GetNameRef()) + " " + pg_type(*field);
        columns += ", " + ident(field->GetNameRef());
    }
    if (has_geometry) {
        create += ", geom geometry(" + detail::wkb_type_name(layer.GetGeomType(), "Geometry") +
                  ", " + std::to_string(srid) + ")";
        columns += ", geom";
    }
    create += ")";
    db.exec(create, "create the table", name);
    db.exec("COMMENT ON TABLE " + table + " IS " + db.literal(comment), "comment the table", name);
    db.exec("COPY " + table + " (" + columns + ") FROM STDIN", "copy rows into the table", name);

    const GIntBig total = layer.GetFeatureCount(TRUE);
    std::string chunk;
    std::vector<unsigned char> wkb;
    GIntBig done = 0;
    auto flush = [&] {
        if (!chunk.empty() &&
            PQputCopyData(db.get(), chunk.data(), static_cast<int>(chunk.size())) != 1) {
            throw Error(ErrorKind::Io, "cannot copy rows: " + pg_message(db.get()),
                        {db.where(), name, std::nullopt, ""});
        }
        chunk.clear();
    };
    layer.ResetReading();
    for (auto& feature : layer) {
        chunk += std::to_string(feature->GetFID());
        for (int i = 0; i < defn->GetFieldCount(); ++i) {
            chunk += '\t';
            if (!feature->IsFieldSetAndNotNull(i)) {
                chunk += "\\N";
                continue;
            }
            switch (defn->GetFieldDefn(i)->GetType()) {
            case OFTInteger:
            case OFTInteger64:
                chunk += std::to_string(feature->GetFieldAsInteger64(i));
                break;
            case OFTReal:
                append_double(chunk, feature->GetFieldAsDouble(i));
                break;
            default:
                append_copy_text(chunk, feature->GetFieldAsString(i));
            }
        }
        if (has_geometry) {
            chunk += '\t';
            if (const OGRGeometry* g = feature->GetGeometryRef(); g != nullptr) {
                append_ewkb(chunk, *g, srid, wkb);
            } else {
                chunk += "\\N";
            }
        }
        chunk += '\n';
        if (chunk.size() > (1U << 20)) {
            flush();
        }
        if (++done % 4096 == 0) {
            progress.update(total > 0 ? static_cast<double>(done) / static_cast<double>(total)
                                      : 0.0,
                            "write " + name);
        }
    }
    flush();
    if (PQputCopyEnd(db.get(), nullptr) != 1) {
        throw Error(ErrorKind::Io, "cannot finish copying rows: " + pg_message(db.get()),
                    {db.where(), name, std::nullopt, ""});
    }
    ResultPtr end(PQgetResult(db.get()));
    db.check(end.get(), "copy rows into the table", name);
    while (PGresult* more = PQgetResult(db.get())) {
        PQclear(more);
    }
    if (has_geometry) {
        db.exec("CREATE INDEX " + ident(name + "_geom_idx") + " ON " + table + " USING GIST (geom)",
                "index the geometries", name);
    }
    db.exec("ANALYZE " + table, "analyze the table", name);
}

/// public.layer_styles as QGIS 3.22's PostgreSQL provider creates it on the first
/// style saved to the database (QgsPostgresUtils::createStylesTable), and the
/// `type` column it adds to an older one.
void ensure_layer_styles(const Db& db) {
    if (!relation_exists(db, "public", "layer_styles")) {
        db.exec("CREATE TABLE public.layer_styles("
                "id SERIAL PRIMARY KEY"
                ",f_table_catalog varchar"
                ",f_table_schema varchar"
                ",f_table_name varchar"
                ",f_geometry_column varchar"
                ",styleName text"
                ",styleQML xml"
                ",styleSLD xml"
                ",useAsDefault boolean"
                ",description text"
                ",owner varchar(63) DEFAULT CURRENT_USER"
                ",ui xml"
                ",update_time timestamp DEFAULT CURRENT_TIMESTAMP"
                ",type varchar"
                ")",
                "create public.layer_styles", "layer_styles");
        return;
    }
    const ResultPtr r = db.exec("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                                "'public' AND table_name = 'layer_styles' AND column_name = 'type'",
                                "look up public.layer_styles", "layer_styles");
    if (PQntuples(r.get()) == 0) {
        db.exec("ALTER TABLE public.layer_styles ADD COLUMN type varchar NULL",
                "add the type column to public.layer_styles", "layer_styles");
    }
}

std::string local_time(const char* format) {
    const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buffer[64];
    std::strftime(buffer, sizeof buffer, format, &tm);
    return buffer;
}

} // namespace

bool is_postgis(const std::string& path) {
    return path.size() >= 3 && lower(path.substr(0, 3)) == "pg:";
}

std::string redact_password(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    const std::string low = lower(text);
    std::size_t i = 0;
    while (i < text.size()) {
        // URI form: scheme://user:password@host
        if (low.compare(i, 13, "postgresql://") == 0 || low.compare(i, 11, "postgres://") == 0) {
            const std::size_t start = low.find("://", i) + 3;
            std::size_t end = start;
            while (end < text.size() && text[end] != '/' && text[end] != '?' &&
                   std::isspace(static_cast<unsigned char>(text[end])) == 0) {
                ++end;
            }
            const std::size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
            out.append(text, i, start - i);
            if (at != std::string::npos && at >= start && at < end) {
                const std::size_t colon = text.find(':', start);
                if (colon != std::string::npos && colon < at) {
                    out.append(text, start, colon - start + 1).append("***");
                    out.append(text, at, end - at);
                    i = end;
                    continue;
                }
            }
            i = start;
            continue;
        }
        // key/value form: password = value, the value quoted ('…' with \ escapes) or not
        if (low.compare(i, 8, "password") == 0) {
            std::size_t j = i + 8;
            while (j < text.size() && text[j] == ' ') {
                ++j;
            }
            if (j < text.size() && text[j] == '=') {
                ++j;
                while (j < text.size() && text[j] == ' ') {
                    ++j;
                }
                out.append(text, i, j - i).append("***");
                if (j < text.size() && text[j] == '\'') {
                    ++j;
                    while (j < text.size() && text[j] != '\'') {
                        j += text[j] == '\\' && j + 1 < text.size() ? 2 : 1;
                    }
                    j = std::min(text.size(), j + 1);
                } else {
                    // Up to a blank, or a quote that closes a quotation around the whole
                    // connection string ("… password=x'"); a quote inside goes too.
                    auto ends = [&text](std::size_t k) {
                        const char c = text[k];
                        if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == '&' ||
                            c == '"') {
                            return true;
                        }
                        return c == '\'' &&
                               (k + 1 == text.size() ||
                                std::isspace(static_cast<unsigned char>(text[k + 1])) != 0);
                    };
                    while (j < text.size() && !ends(j)) {
                        ++j;
                    }
                }
                i = j;
                continue;
            }
        }
        out += text[i++];
    }
    return out;
}

bool has_password(const std::string& connection) {
    return redact_password(connection) != connection;
}

std::map<std::string, std::string> parse_connection(const std::string& connection,
                                                    const std::string& where) {
    char* error = nullptr;
    PQconninfoOption* options = PQconninfoParse(strip_prefix(connection).c_str(), &error);
    if (options == nullptr) {
        std::string message = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())) != 0) {
            message.pop_back();
        }
        throw_bad_input(
            "not a PostgreSQL connection string: " + redact_password(message),
            {where.empty() ? redact_password(connection) : where, "", std::nullopt, ""});
    }
    std::map<std::string, std::string> out;
    for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
        if (o->val != nullptr) {
            out[o->keyword] = o->val;
        }
    }
    PQconninfoFree(options);
    return out;
}

std::string qgis_postgres_source(const std::map<std::string, std::string>& connection,
                                 const std::string& schema, const std::string& table,
                                 const std::string& wkb_type, int srid) {
    // QgsDataSourceUri's text: values in single quotes, ' and \ escaped by \.
    auto quoted = [](const std::string& v) {
        std::string out = "'";
        for (char c : v) {
            if (c == '\'' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        return out + "'";
    };
    std::string out;
    for (const char* key : {"service", "dbname", "host", "port", "sslmode"}) {
        if (auto v = connection.find(key); v != connection.end() && !v->second.empty()) {
            out += std::string(key) + "=" + quoted(v->second) + " ";
        }
    }
    out += "key='fid' ";
    const bool geometry = !wkb_type.empty() && wkb_type != "NoGeometry";
    if (geometry) {
        out += "srid=" + std::to_string(srid) + " type=" + wkb_type + " ";
    }
    out += "checkPrimaryKeyUnicity='1' table=" + ident(schema) + "." + ident(table);
    if (geometry) {
        out += " (geom)";
    }
    return out;
}

int postgis_srid(const std::string& crs) {
    const auto srs = detail::make_srs(crs, "output crs");
    const char* authority = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (authority == nullptr || code == nullptr || std::string(authority) != "EPSG") {
        srs->AutoIdentifyEPSG();
        authority = srs->GetAuthorityName(nullptr);
        code = srs->GetAuthorityCode(nullptr);
    }
    if (authority == nullptr || code == nullptr || std::string(authority) != "EPSG") {
        throw_bad_input("a PostGIS output needs an output CRS with an EPSG code (the SRID of "
                        "its geometry columns); '" +
                        crs + "' has none");
    }
    return std::atoi(code);
}

std::map<std::string, std::string> check_postgis_output(const PostgisTarget& target,
                                                        const std::vector<std::string>& tables) {
    if (target.schema.empty()) {
        throw_bad_input("no schema for the PostGIS output",
                        {redact_password(target.connection), "", std::nullopt, ""});
    }
    const Db db(target.connection);
    require_postgis(db);
    if (!target.overwrite) {
        const Existing e = find_existing(db, target, tables);
        if (e.any()) {
            refuse_existing(e, target, db.where());
        }
    }
    return source_keywords(db, target.connection);
}

void write_postgis(const PostgisTarget& target, const std::string& gpkg_path,
                   const AtlasStyles& styles, const std::map<std::string, std::string>& metadata,
                   int srid, const Progress& progress) {
    detail::ensure_gdal_registered();
    GDALDatasetUniquePtr gpkg(
        GDALDataset::Open(gpkg_path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!gpkg) {
        throw Error(ErrorKind::Io, "cannot reopen the atlas written for PostGIS",
                    {gpkg_path, "", std::nullopt, ""});
    }
    std::vector<OGRLayer*> layers;
    std::vector<std::string> tables;
    for (int i = 0; i < gpkg->GetLayerCount(); ++i) {
        OGRLayer* layer = gpkg->GetLayer(i);
        const std::string name = layer->GetName();
        if (name == "layer_styles" || name == "qgis_projects") {
            continue;
        }
        layers.push_back(layer);
        tables.push_back(name);
    }

    // The GeoPackage is read through the open handle from here on: removed now, it
    // cannot outlive a run killed while the rows go to the server.
    {
        std::error_code ec;
        std::filesystem::remove(gpkg_path, ec);
    }
    const Db db(target.connection);
    // Everything below is one transaction: nothing is visible to others, and
    // nothing stays, until COMMIT. A failure, a cancellation or a killed process
    // before it leaves the database exactly as it was.
    db.exec("BEGIN", "start a transaction");
    db.exec("SET LOCAL client_min_messages = warning", "quiet notices");
    // Two runs into one schema wait for each other rather than interleave.
    db.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", {"creatlas:" + target.schema},
                   "lock the schema");
    require_postgis(db);
    db.exec("CREATE SCHEMA IF NOT EXISTS " + ident(target.schema), "create the schema");
    const Existing e = find_existing(db, target, tables);
    if (e.any() && !target.overwrite) {
        refuse_existing(e, target, db.where());
    }
    // With --overwrite only the atlas's own tables, their styles and its project go.
    std::set<std::string> replaced(e.tables.begin(), e.tables.end());
    for (const std::string& t : e.tables) {
        db.exec("DROP TABLE " + qualified(target.schema, t), "drop the previous atlas's table", t);
    }
    if (e.metadata) {
        db.exec("DROP TABLE " + qualified(target.schema, "creatlas_metadata"),
                "drop the previous creatlas_metadata", "creatlas_metadata");
    }
    if (!e.projects.empty()) {
        db.exec_params("DELETE FROM " + qualified(target.schema, "qgis_projects") +
                           " WHERE name = ANY($1::text[])",
                       {text_array(e.projects)}, "remove the previous QGIS project",
                       "qgis_projects");
    }

    const std::string written = local_time("%Y-%m-%dT%H:%M:%SZ");
    auto item = [&metadata](const char* key) {
        const auto found = metadata.find(key);
        return found != metadata.end() ? found->second : std::string();
    };
    const std::string comment = "creatlas " + item("CREATLAS_VERSION") + " atlas '" +
                                target.project_title + "', written " + written +
                                "; provenance in " + target.schema + ".creatlas_metadata";
    for (std::size_t i = 0; i < layers.size(); ++i) {
        progress.check();
        copy_layer(db, *layers[i], target, srid, comment,
                   progress.sub(0.9 * static_cast<double>(i) / static_cast<double>(layers.size()),
                                0.9 / static_cast<double>(layers.size())));
    }
    // The print layout looks up each city's clusters and sites by key (as in the
    // GeoPackage, layer_styles.cpp).
    for (const auto& [table, field] :
         {std::pair{"clusters", "city_id"}, std::pair{"heritage_sites", "city_id"},
          std::pair{"heritage_sites", "heritage_id"}}) {
        OGRLayer* layer = gpkg->GetLayerByName(table);
        if (layer != nullptr && layer->GetLayerDefn()->GetFieldIndex(field) >= 0) {
            db.exec("CREATE INDEX " + ident(std::string(table) + "_" + field + "_idx") + " ON " +
                        qualified(target.schema, table) + " (" + ident(field) + ")",
                    "index " + std::string(table) + "." + field, table);
        }
    }
    progress.check();

    db.exec("CREATE TABLE " + qualified(target.schema, "creatlas_metadata") +
                " (key text PRIMARY KEY, value text)",
            "create creatlas_metadata", "creatlas_metadata");
    db.exec("COMMENT ON TABLE " + qualified(target.schema, "creatlas_metadata") + " IS " +
                db.literal("creatlas: the provenance of the atlas in this schema (inputs, "
                           "parameters, version, time) and the tables it wrote"),
            "comment creatlas_metadata", "creatlas_metadata");
    std::map<std::string, std::string> items = metadata;
    items["CREATLAS_TABLES"] = json(tables).dump();
    items["CREATLAS_WRITTEN"] = written;
    items["CREATLAS_QGIS_PROJECT"] = target.project_title;
    for (const auto& [key, value] : items) {
        db.exec_params("INSERT INTO " + qualified(target.schema, "creatlas_metadata") +
                           " VALUES ($1, $2)",
                       {key, redact_password(value)}, "record the provenance", "creatlas_metadata");
    }

    ensure_layer_styles(db);
    {
        std::vector<std::string> styled(replaced.begin(), replaced.end());
        styled.insert(styled.end(), tables.begin(), tables.end());
        db.exec_params(
            "DELETE FROM public.layer_styles WHERE f_table_catalog = current_database() AND "
            "f_table_schema = $1 AND f_table_name = ANY($2::text[])",
            {target.schema, text_array(styled)}, "remove the previous atlas's styles",
            "layer_styles");
    }
    // type stays NULL: QGIS 3.22 writes there the geometry type its layer's URI
    // names ("Point", or "Unknown geometry" when the URI names none) and, loading,
    // takes a row whose type is that of the layer being opened or NULL — NULL
    // matches every way a planner may add the table.
    for (const LayerStyle& s : styles.styles) {
        db.exec_params(
            "INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
            "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
            "type) VALUES (current_database(), $1, $2, $3, $4, XMLPARSE(DOCUMENT $5), "
            "XMLPARSE(DOCUMENT $6), $7, $8, NULL)",
            {target.schema, s.table, s.geometry_column, s.name, s.qml, s.sld,
             std::string(s.use_as_default ? "true" : "false"), s.description},
            "store the default style", s.table);
    }

    // QgsPostgresProjectStorage (QGIS 3.22): the table it creates on the first save,
    // its metadata object, and the .qgz archive as bytea.
    db.exec("CREATE TABLE IF NOT EXISTS " + qualified(target.schema, "qgis_projects") +
                " (name TEXT PRIMARY KEY, metadata JSONB, content BYTEA)",
            "create the qgis_projects table", "qgis_projects");
    const json project_meta{{"last_modified_time", local_time("%Y-%m-%dT%H:%M:%S")},
                            {"last_modified_user", "creatlas"}};
    {
        const std::string sql = "INSERT INTO " + qualified(target.schema, "qgis_projects") +
                                " VALUES ($1, $2::jsonb, $3)";
        const std::string meta = project_meta.dump();
        const char* values[] = {target.project_title.c_str(), meta.c_str(),
                                styles.project_qgz.data()};
        const int lengths[] = {0, 0, static_cast<int>(styles.project_qgz.size())};
        const int formats[] = {0, 0, 1};
        ResultPtr r(PQexecParams(db.get(), sql.c_str(), 3, nullptr, values, lengths, formats, 0));
        db.check(r.get(), "store the QGIS project", "qgis_projects");
    }
    progress.check();
    db.exec("COMMIT", "commit the atlas");
}

} // namespace creatlas
