// The print layout of the embedded QGIS project: a cover page and an Atlas over
// the cities with clusters (styles/partials/qgs_layout.xml).
//
// The layout's XML was drawn once in QGIS's own layout API and is kept as a
// template; what changes with a run — texts in the planner's language, the
// fields that name cities, clusters and sites, the extents of the maps, the
// credits — is filled in here. The figures on the pages are QGIS expressions
// (aggregates over the layers on the cover, the atlas feature's fields on a
// city page), so the layout stays right when a planner edits the data.
#pragma once

#include "i18n.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace creatlas::style_detail {

/// A rectangle in the project's map CRS.
struct Box {
    double xmin = 0, ymin = 0, xmax = 0, ymax = 0;
};

struct LayoutInputs {
    std::string provider = "ogr"; ///< QGIS's data provider of the layers ("ogr", "postgres")
    /// The layer source of each table the layout names (clusters, heritage_sites,
    /// programmes, cities), as the project's layers have it.
    std::map<std::string, std::string> sources;
    std::string title;               ///< the project's title: the cover's heading
    std::string city_name_field;     ///< cities: the field holding names ("" = city_id)
    std::string cluster_name_field;  ///< clusters: the same ("" = cluster_id)
    std::string heritage_name_field; ///< heritage_sites: the same ("" = heritage_id)
    Box cover;                       ///< the cover's overview map: the clusters, padded
    Box locator;                     ///< the locator inset: every city, padded
    Box city;                        ///< the city map before the atlas moves it
    std::string credits;             ///< sources, map CRS, creatlas version and date
};

/// The name of the layout in the project (export_atlas.py looks it up by it).
inline constexpr const char* kLayoutName = "creatlas atlas";

/// The values of qgs_layout.xml for `in`, its texts in `msgs`'s language.
nlohmann::json layout_context(const LayoutInputs& in, const Messages& msgs);

/// `name` as a QGIS expression field reference ("name" → "\"name\"").
std::string field_ref(const std::string& name);
/// A QGIS expression giving `expression`'s text cut to `max_chars` characters, the
/// last of them "…", when it is longer.
std::string clipped(const std::string& expression, int max_chars);

} // namespace creatlas::style_detail
