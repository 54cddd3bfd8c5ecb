// Pieces of report.html shared by its source files: the rows read back from
// the GeoPackage, number formatting, the inline SVG charts and the interactive
// map. Internal to the style stage.
#pragma once

#include "creatlas/style.hpp"
#include "i18n.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

class GDALDataset;

namespace creatlas::style_detail::report {

using Cell = std::variant<std::monostate, std::int64_t, double, std::string>;

/// The attribute rows of one layer.
struct Rows {
    std::vector<std::string> fields;
    std::vector<bool> numeric;
    std::vector<std::vector<Cell>> rows;
    int index(const std::string& name) const;
};

std::string cell_text(const Cell& cell);
std::optional<double> cell_number(const Cell& cell);
/// Numbers as a planner reads them: integers whole, reals with at most three
/// decimals and no trailing zeros, thousands unseparated (as in the CSV).
std::string format_real(double value);
/// A whole number with thin-space thousands separators ("1 234 567").
std::string format_whole(double value);
/// Text and attribute values of the report's HTML and SVG (escape_xml).
inline std::string esc(const std::string& text) {
    return escape_xml(text);
}

/// A horizontal bar chart, sorted as given (the caller sorts), with a zero
/// baseline, ticks in the unit of `axis_title`, and each bar's value written at
/// its end. A bar of several parts is stacked, the parts in `part_colours`
/// with a legend of `part_labels` above the bars.
struct BarChart {
    std::string id;         ///< the <svg>'s id
    std::string title;      ///< what it counts (the <title> and aria-label)
    std::string axis_title; ///< the value axis, with its unit
    std::vector<std::string> part_labels;
    std::vector<std::string> part_colours; ///< "#RRGGBB", one per part
    struct Bar {
        std::string label;
        std::vector<double> parts; ///< one value per part (≥ 0)
        std::string value_text;    ///< written at the bar's end
    };
    std::vector<Bar> bars;
};

/// The chart as an inline <svg> element (760 px wide in its viewBox, scaled to
/// the page).
std::string bar_chart_svg(const BarChart& chart);

/// A value axis from 0 to a round maximum ≥ `max_value` in 1-2-5 steps, at most
/// five steps: {step, top}. (0, 1) for nothing to show.
std::pair<double, double> nice_axis(double max_value);

/// A city's trajectory (report_timeline.cpp): clusters open (count) above the share
/// of its industrial heritage re-used (0–1, drawn in %), over one time axis, as an
/// inline <svg>; one value per year, nullopt where undefined.
std::string city_trajectory_svg(const std::string& id, const std::string& title,
                                const std::vector<int>& years,
                                const std::vector<std::optional<double>>& open,
                                const std::vector<std::optional<double>>& rate,
                                const Messages& msgs);

/// The "Transformation over time" section of report.html from the city_years
/// rows: one chart comparing the cities' re-use shares over the years, then one
/// trajectory per city with clusters (most clusters first).
std::string timeline_section_html(const Rows& city_years, const Rows& cities, const Messages& msgs);

/// The interactive map of report.html: Leaflet (and its marker clustering)
/// from Debian's libjs-leaflet inlined, the GeoPackage's clusters, industrial
/// heritage sites, programme zones and city outlines as GeoJSON, symbolised
/// as in styles/classes.json. "" with a note when Leaflet is not installed.
std::string leaflet_map_html(GDALDataset& ds, const Messages& msgs, const std::string& basemap_url);

} // namespace creatlas::style_detail::report
