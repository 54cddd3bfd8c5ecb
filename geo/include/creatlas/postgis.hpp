// creatlas — PostgreSQL/PostGIS connections and the PostGIS output.
//
// A PostGIS source or target is named the way GDAL names it: "PG:" followed by
// a libpq connection string ("PG:service=atlas", "PG:dbname=gis host=db"). What
// the string leaves out comes from libpq's usual places: the pg_service file
// (PGSERVICEFILE, ~/.pg_service.conf), the PG* environment variables and the
// password file (~/.pgpass). A password never belongs in a project file, and
// none is ever printed: every message and provenance record that could hold a
// connection string goes through redact_password first.
//
// The PostGIS output is one schema holding the atlas: a table per layer (primary
// key fid, a GiST index on geom, the GeoPackage's field names and types), the
// default styles in QGIS's public.layer_styles, the QGIS project in the schema's
// qgis_projects table (QGIS's PostgreSQL project storage) and the provenance in
// <schema>.creatlas_metadata. All of it is written in one transaction: a failed,
// cancelled or killed run leaves the database as it was.
#pragma once

#include "creatlas/progress.hpp"
#include "creatlas/style.hpp"

#include <map>
#include <string>
#include <vector>

namespace creatlas {

/// True when `path` names a PostgreSQL database for GDAL ("PG:…", any case).
bool is_postgis(const std::string& path);

/// `text` with the value of every `password=…` (libpq key/value syntax, quoted
/// or not) and the password of every postgres:// or postgresql:// URI replaced
/// by "***". Everything else is unchanged.
std::string redact_password(const std::string& text);

/// True when the connection string (with or without "PG:") sets a password.
bool has_password(const std::string& connection);

/// The libpq keywords and values set by a connection string ("PG:" prefix
/// allowed). Throws Error(BadInput) naming `where` when it cannot be parsed; the
/// message never holds the password.
std::map<std::string, std::string> parse_connection(const std::string& connection,
                                                    const std::string& where = "");

/// QGIS's data source text for a PostGIS table: the connection's service or
/// dbname/host/port (never user or password, so that each planner connects as
/// themselves), then key, srid, type and table ("dbname='gis' host=db port=5432
/// key='fid' srid=4326 type=MultiPolygon checkPrimaryKeyUnicity='1'
/// table=\"atlas\".\"clusters\" (geom)"). `connection` holds the keywords to write.
std::string qgis_postgres_source(const std::map<std::string, std::string>& connection,
                                 const std::string& schema, const std::string& table,
                                 const std::string& wkb_type, int srid);

/// The output CRS's EPSG code, which PostGIS needs as the geometry columns' SRID.
/// Throws Error(BadInput) when `crs` has none.
int postgis_srid(const std::string& crs);

struct PostgisTarget {
    std::string connection; ///< "PG:…" as the user gave it (may hold a password)
    std::string schema = "atlas";
    std::string project_title; ///< the QGIS project's name in <schema>.qgis_projects
    bool overwrite = false;
};

/// Connect, and check that PostGIS is installed and that the schema does not yet
/// hold an atlas (unless overwrite): none of `tables`, no creatlas_metadata (or
/// the tables it records) and no QGIS project of that title. Returns the keywords QGIS's layer
/// sources need (service, or dbname/host/port as the live connection has them). Throws Error(Io)
/// when the server cannot be reached or refuses the login, and Error(BadInput) for an existing
/// atlas; the messages never hold the password.
std::map<std::string, std::string> check_postgis_output(const PostgisTarget& target,
                                                        const std::vector<std::string>& tables);

/// Copy the atlas GeoPackage at `gpkg_path` (closed, complete: every layer but
/// layer_styles and qgis_projects) into the target schema, with `styles` and the
/// provenance `metadata` (key → value, as in the GeoPackage's metadata), in one
/// transaction; `srid` is the geometry columns' SRID (postgis_srid). With overwrite, the atlas's
/// own tables (the layers written now and those a previous run recorded in creatlas_metadata),
/// their layer_styles rows and the project of that name are replaced; nothing else in the schema.
/// The GeoPackage file is removed once it is open (the atlas is then read through
/// the open handle), so that a run killed meanwhile leaves no file behind.
void write_postgis(const PostgisTarget& target, const std::string& gpkg_path,
                   const AtlasStyles& styles, const std::map<std::string, std::string>& metadata,
                   int srid, const Progress& progress = {});

} // namespace creatlas
