// creatlas — the style stage: default layer styles, an embedded QGIS project,
// and the HTML report.
//
// The output GeoPackage opens in QGIS already styled. Each output layer has one
// QML (QGIS) and one SLD (GeoServer, MapServer) template under styles/; the
// classes they need — the five formation types, the re-use status of heritage
// sites, programme instruments, graduated class breaks of creative_index — are
// declared once in styles/classes.json and filled in from the run's data. The
// filled styles go into the GeoPackage's `layer_styles` table exactly as QGIS
// writes it, so QGIS applies them by itself when a layer is opened, and a QGIS
// project with every layer, styled and zoomed to the data, goes into the
// `qgis_projects` table the way QGIS 3.22 stores one.
//
// The report (report.html beside the GeoPackage) summarises the run and shows
// one map per city, rendered by QGIS headless (styles/render_maps.py) from the
// same styled layers.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

class GDALDataset;

namespace creatlas {

struct Project;
struct RunReport;
struct Table;

/// How the products a planner reads (styles, the project's print layout,
/// report.html, atlas.pdf) are presented: in which language, over which
/// basemap, crediting which sources.
struct Presentation {
    std::string language = "en"; ///< "en" or "ru" ([project] language)
    std::string basemap_url;     ///< XYZ tile URL drawn under the maps; "" = none
    /// The credits line of the atlas: one entry per input ("clusters: clusters.csv").
    std::vector<std::string> sources;
};

/// The presentation a project asks for, crediting the sources `report` read.
Presentation presentation(const Project& project, const RunReport& report);

/// Put the `formation_label` values of the clusters table into `language`
/// (formation_type is unchanged; the field keeps its name). "en" leaves them.
void localise_formation_labels(Table& clusters, const std::string& language);

/// The folder holding the style templates: $CREATLAS_STYLES_DIR when set, else
/// the compile-time CREATLAS_STYLES_DIR (the source tree's styles/).
std::string styles_dir();

/// Where the layers of the atlas's QGIS project read their data from.
struct ProjectSources {
    /// QGIS's data provider of the layers: "ogr" (a GeoPackage) or "postgres".
    std::string provider = "ogr";
    /// The layer source (QGIS's datasource text for `provider`) of the output table
    /// `table`, whose geometry type has QGIS's name `wkb_type` ("MultiPolygon").
    std::function<std::string(const std::string& table, const std::string& wkb_type)> source;
};

/// The sources of a GeoPackage's own project: "./<file name of final_path>|layername=<table>".
ProjectSources geopackage_sources(const std::string& final_path);

/// One style of an output table, as it goes into a layer_styles table.
struct LayerStyle {
    std::string table;           ///< the output table (layer) it styles
    std::string geometry_column; ///< that table's geometry column
    std::string name;            ///< styleName: the table's name, or "<table>_<variant>"
    std::string qml;             ///< the QGIS style (a complete QML document)
    std::string sld;             ///< the same as an SLD document
    std::string description;     ///< the layer's title in the planner's language
    bool use_as_default = true;  ///< false for a second style (a variant) of a table
};

/// The styles of an atlas and its QGIS project, ready to be stored.
struct AtlasStyles {
    std::vector<LayerStyle> styles;
    std::string project_qgs; ///< the project document (.qgs XML)
    std::string project_qgz; ///< the same as a .qgz archive (bytes), as QGIS stores it
};

/// Fill the default style of every output layer found in `ds` (an open atlas
/// GeoPackage, not owned; read only) and build the QGIS project (named
/// `project_title`, see write_layer_styles) whose layers read from `sources`.
/// Throws Error on a missing or bad template.
AtlasStyles build_atlas_styles(GDALDataset& ds, const std::string& project_title,
                               const ProjectSources& sources, const Presentation& look = {});

/// Write the default style of every output layer found in `ds` to its
/// `layer_styles` table and a QGIS project named after `project_title` to its
/// `qgis_projects` table (both replaced if present). `ds` must be an open,
/// writable GeoPackage (not owned). The project's layer sources name the
/// GeoPackage by `final_path`'s file name, relative to the project (which QGIS
/// resolves against the GeoPackage's own folder), so the project keeps working
/// when the file is moved to another folder. Throws Error on a missing or bad
/// template, or when GDAL cannot write a table.
///
/// The project also holds the print layout "creatlas atlas": a cover page
/// (overview map, headline figures) and an Atlas over the cities with clusters,
/// heaviest first, one page each (map, legend, scale bar, north arrow, locator,
/// the city's clusters, top conversion candidates, key indicators, credits);
/// its texts, the legends and class labels are in `look.language`, and an XYZ
/// layer of `look.basemap_url` lies under every map when it is set.
void write_layer_styles(GDALDataset& ds, const std::string& project_title,
                        const std::string& final_path, const Presentation& look = {});

/// The attribute indexes write_layer_styles creates for the project's lookups (the
/// print layout's relations and get_feature calls), as (layer, statement): one
/// CREATE INDEX IF NOT EXISTS for each key field that `has_field(layer, field)`
/// says the layer has. A writer may run them earlier, once each layer's rows
/// are in (WriteOptions::layer_sql); write_layer_styles then finds them made.
std::vector<std::pair<std::string, std::string>> lookup_index_statements(
    const std::function<bool(const std::string&, const std::string&)>& has_field);

/// As above, the final path taken from `ds`'s own path; a temporary name of the
/// write stage (".atlas.gpkg.tmp-XXXX", see write.hpp) is read as the name it
/// will be renamed to ("atlas.gpkg"). Prefer the three-argument form when the
/// final path is at hand.
void write_layer_styles(GDALDataset& ds, const std::string& project_title);

/// Write report.html to `html_path` for the GeoPackage at `gpkg_path` (closed,
/// in place). `report` is RunReport::to_json(). City maps are PNG files in a
/// folder beside the HTML file named after it (report.html → report_maps/),
/// rendered by styles/render_maps.py under Debian's /usr/bin/python3 (override
/// with $CREATLAS_PYTHON); when QGIS is not available the report says why and
/// has no maps. Throws Error(Io) when the GeoPackage cannot be read or the
/// HTML file cannot be written.
///
/// The page leads with findings (headline figures, inline SVG charts), then the
/// maps with legends and an interactive Leaflet map (inlined from Debian's
/// libjs-leaflet, so the file works offline), the conversion candidates, the
/// cities, the indicator definitions, and the run's provenance last; it is in
/// `look.language`.
void write_report(const nlohmann::json& report, const std::string& gpkg_path,
                  const std::string& html_path, const Presentation& look = {});

/// Export the print layout of the project stored in the GeoPackage at
/// `gpkg_path` (named `project_title`) to `pdf_path`, through QGIS headless
/// (styles/export_atlas.py under the same Python as the maps). Returns a note
/// for the run report: the pages written, or why there is no PDF (QGIS not
/// installed or failing, no city with clusters). It does not throw: the
/// GeoPackage is already complete when the PDF is made.
std::string export_atlas_pdf(const std::string& gpkg_path, const std::string& pdf_path,
                             const std::string& project_title);

/// Building blocks, public so that tests can check them against hand values.
namespace style_detail {

/// Render a template with a tiny subset of Mustache: {{name}} (value, escaped
/// for XML/HTML), {{&name}} (raw), {{#name}}…{{/name}} (repeated for each
/// element of an array, once for true or an object, skipped for false, null,
/// an empty array or a missing name), {{^name}}…{{/name}} (the inverse) and
/// {{>name}} (the partial styles_dir()/partials/name, rendered in place). Names
/// resolve from the innermost section outwards; a {{name}} found nowhere is an
/// error, so that a typo in a template cannot pass unnoticed. `origin` names
/// the template in errors.
std::string render_template(const std::string& text, const nlohmann::json& context,
                            const std::string& origin);

/// Class breaks of `values` (nulls already removed) into `classes` classes of
/// equal count: classes+1 bounds, from the minimum to the maximum, the inner
/// ones linear-interpolated quantiles (the definition of numpy.percentile's
/// default and of QGIS's "Equal Count (Quantile)"). Repeated bounds (many
/// equal values) are merged, so fewer classes may result. Empty input gives
/// no bounds.
std::vector<double> quantile_breaks(std::vector<double> values, int classes);

/// "&<>\"'" → entities.
std::string escape_xml(const std::string& text);

/// "#RRGGBB" → "r,g,b,alpha" (QGIS's colour text); alpha 0–255.
std::string qgis_colour(const std::string& hex, int alpha = 255);

/// Bytes → lowercase hexadecimal text (how QGIS 3.22 stores project content).
std::string to_hex(const std::string& bytes);

} // namespace style_detail

} // namespace creatlas
