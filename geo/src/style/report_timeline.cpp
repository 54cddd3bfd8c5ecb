// The transformation over time in report.html, from the city_years layer: one
// figure per city with clusters (clusters open, and the share of its industrial
// heritage re-used, year by year: two panels over one time axis rather than two
// value axes on one plot) and one chart comparing the cities' rates, as inline SVG.
//
// Lines follow the report's conventions (docs/report.md): a zero baseline, units in
// the axis titles, direct labels at the lines' ends instead of a legend, at most a
// readable number of lines, and a caption naming the layer and fields drawn.
#include "report_parts.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

namespace creatlas::style_detail::report {

namespace {

constexpr double kWidth = 760;
constexpr double kLeft = 64;        // plot's left edge (value ticks before it)
constexpr double kRight = 600;      // plot's right edge (line labels after it)
constexpr std::size_t kCities = 20; // city figures, most clusters first
constexpr std::size_t kLines = 8;   // lines of the comparison chart
// Okabe–Ito, colour-blind safe, for the compared cities (black last).
const char* const kPalette[kLines] = {"#E69F00", "#56B4E9", "#009E73", "#0072B2",
                                      "#D55E00", "#CC79A7", "#F0E442", "#000000"};

std::string px(double value) {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 1);
    return {buffer, result.ptr};
}

/// One value axis from 0, the years along the bottom, and one polyline per series.
struct Panel {
    std::string axis_title; ///< the value axis, with its unit
    double top = 0;         ///< the panel's top in the SVG
    double height = 110;
    bool percent = false; ///< 0–100 % whatever the data
    bool whole = false;   ///< counts: ticks at whole numbers
    struct Line {
        std::string label; ///< written at the line's end ("" = none)
        std::string colour;
        std::vector<std::optional<double>> values; ///< one per year
    };
    std::vector<Line> lines;
};

std::string tick_text(double value, double step) {
    return step >= 1 ? format_whole(value) : format_real(value);
}

/// Years shown on the time axis: every k-th, at most 12, always the last.
std::vector<std::size_t> year_ticks(std::size_t n) {
    const std::size_t every = std::max<std::size_t>(1, (n + 11) / 12);
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < n; i += every) {
        out.push_back(i);
    }
    if (n > 0 && out.back() != n - 1) {
        out.push_back(n - 1);
    }
    return out;
}

void panel_svg(std::ostringstream& svg, const Panel& p, const std::vector<int>& years,
               bool show_years) {
    double max_value = 0;
    for (const auto& line : p.lines) {
        for (const auto& v : line.values) {
            max_value = std::max(max_value, v.value_or(0.0));
        }
    }
    // Plain doubles, not a structured binding: the lambdas below capture them.
    const auto axis = p.percent ? std::pair{25.0, 100.0} : nice_axis(max_value);
    double step = axis.first;
    double top_value = axis.second;
    if (p.whole && step < 1) { // counts: whole ticks
        step = 1;
        top_value = std::max(1.0, std::ceil(max_value));
    }
    const double bottom = p.top + p.height;
    const std::size_t n = years.size();
    const auto x_of = [n](std::size_t i) {
        return n <= 1
                   ? (kLeft + kRight) / 2
                   : kLeft + (kRight - kLeft) * static_cast<double>(i) / static_cast<double>(n - 1);
    };
    const auto y_of = [&](double v) { return bottom - p.height * v / top_value; };
    for (double v = 0; v <= top_value + step / 2; v += step) {
        svg << R"(<line x1=")" << px(kLeft) << R"(" y1=")" << px(y_of(v)) << R"(" x2=")"
            << px(kRight) << R"(" y2=")" << px(y_of(v)) << R"(" class=")"
            << (v == 0 ? "baseline" : "grid") << R"("/><text x=")" << px(kLeft - 6) << R"(" y=")"
            << px(y_of(v) + 4) << R"(" class="vtick">)" << esc(tick_text(v, step)) << "</text>\n";
    }
    svg << R"(<text x=")" << px(kLeft) << R"(" y=")" << px(p.top - 8) << R"(" class="ptitle">)"
        << esc(p.axis_title) << "</text>\n";
    if (show_years) {
        for (std::size_t i : year_ticks(n)) {
            svg << R"(<text x=")" << px(x_of(i)) << R"(" y=")" << px(bottom + 14)
                << R"(" class="tick">)" << years[i] << "</text>\n";
        }
    }
    // Line-end labels, nudged apart so that they never overlap (12 px a line).
    std::vector<std::pair<double, std::size_t>> ends;
    for (std::size_t l = 0; l < p.lines.size(); ++l) {
        const auto& line = p.lines[l];
        std::string points;
        std::optional<double> last;
        for (std::size_t i = 0; i < line.values.size() && i < n; ++i) {
            if (!line.values[i]) {
                continue;
            }
            // A step line: a value holds from its year's end until the next year's
            // changes it, so the line runs level to the next year and then rises or
            // falls there (a slope would show values no year had).
            const double v = p.percent ? 100.0 * *line.values[i] : *line.values[i];
            if (last) {
                points += " " + px(x_of(i)) + "," + px(y_of(*last));
            }
            points += (points.empty() ? "" : " ") + px(x_of(i)) + "," + px(y_of(v));
            last = v;
        }
        if (points.empty()) {
            continue;
        }
        svg << R"(<polyline fill="none" stroke-width="2" stroke=")" << esc(line.colour)
            << R"(" points=")" << points << R"("><title>)" << esc(line.label)
            << "</title></polyline>\n";
        if (!line.label.empty() && last && p.lines.size() > 1) { // one line: the title says it
            ends.emplace_back(y_of(*last), l);
        }
    }
    std::sort(ends.begin(), ends.end());
    for (std::size_t k = 1; k < ends.size(); ++k) {
        ends[k].first = std::max(ends[k].first, ends[k - 1].first + 12);
    }
    for (const auto& [y, l] : ends) {
        svg << R"(<text x=")" << px(kRight + 6) << R"(" y=")" << px(y + 4)
            << R"(" class="end" fill=")" << esc(p.lines[l].colour) << R"(">)"
            << esc(p.lines[l].label) << "</text>\n";
    }
}

std::string svg_open(const std::string& id, const std::string& title, double height) {
    std::ostringstream svg;
    svg << R"(<svg id=")" << esc(id) << R"(" class="chart" viewBox="0 0 )" << px(kWidth) << " "
        << px(height) << R"(" role="img" aria-label=")" << esc(title)
        << "\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>" << esc(title) << "</title>\n";
    return svg.str();
}

std::string cities_name(const Rows& cities, const std::vector<Cell>& row) {
    for (const char* field : {"name", "city", "city_name", "name_en", "city_id"}) {
        const int i = cities.index(field);
        if (i >= 0 && !cell_text(row[static_cast<std::size_t>(i)]).empty()) {
            return cell_text(row[static_cast<std::size_t>(i)]);
        }
    }
    return "";
}

/// A city's series from city_years: its years and the values of `field` by year.
struct CitySeries {
    std::vector<int> years;
    std::map<std::string, std::vector<std::optional<double>>> values;
};

std::map<std::string, CitySeries> by_city(const Rows& city_years,
                                          const std::vector<std::string>& fields) {
    std::map<std::string, CitySeries> out;
    const int id = city_years.index("city_id");
    const int year = city_years.index("year");
    if (id < 0 || year < 0) {
        return out;
    }
    for (const auto& row : city_years.rows) {
        const auto y = cell_number(row[static_cast<std::size_t>(year)]);
        if (!y) {
            continue;
        }
        CitySeries& s = out[cell_text(row[static_cast<std::size_t>(id)])];
        s.years.push_back(static_cast<int>(*y));
        for (const auto& f : fields) {
            const int k = city_years.index(f);
            s.values[f].push_back(k < 0 ? std::nullopt
                                        : cell_number(row[static_cast<std::size_t>(k)]));
        }
    }
    return out;
}

} // namespace

std::string city_trajectory_svg(const std::string& id, const std::string& title,
                                const std::vector<int>& years,
                                const std::vector<std::optional<double>>& open,
                                const std::vector<std::optional<double>>& rate,
                                const Messages& msgs) {
    std::ostringstream svg;
    svg << svg_open(id, title, 268);
    Panel clusters{msgs.tr("clusters open (count)"),
                   22,
                   90,
                   false,
                   true,
                   {{msgs.tr("clusters open"), "#0072B2", open}}};
    Panel share{msgs.tr("heritage re-used (%)"),
                150,
                90,
                true,
                false,
                {{msgs.tr("industrial heritage re-used"), "#44AA99", rate}}};
    panel_svg(svg, clusters, years, false);
    panel_svg(svg, share, years, true);
    svg << "</svg>\n";
    return svg.str();
}

std::string timeline_section_html(const Rows& city_years, const Rows& cities_in,
                                  const Messages& msgs) {
    std::ostringstream html;
    html << R"(<section id="timeline"><h2>)" << esc(msgs.tr("Transformation over time"))
         << "</h2>\n";
    const auto series = by_city(city_years, {"clusters_open", "ih_transformation_rate"});
    if (series.empty()) {
        html << "<p>" << esc(msgs.tr("Nothing in the atlas has a year.")) << "</p></section>\n";
        return html.str();
    }
    Rows cities = cities_in;
    const int n = cities.index("n_clusters");
    const int id = cities.index("city_id");
    std::stable_sort(cities.rows.begin(), cities.rows.end(), [n](const auto& a, const auto& b) {
        return n >= 0 && cell_number(a[n]).value_or(0) > cell_number(b[n]).value_or(0);
    });
    // The comparison: the cities with industrial heritage and clusters, the highest
    // rate in the last year first.
    std::vector<std::pair<double, std::size_t>> ranked;
    std::size_t with_clusters = 0;
    for (std::size_t r = 0; r < cities.rows.size(); ++r) {
        const auto& row = cities.rows[r];
        if (n < 0 || id < 0 || cell_number(row[n]).value_or(0) <= 0) {
            continue;
        }
        ++with_clusters;
        auto it = series.find(cell_text(row[id]));
        if (it != series.end() && !it->second.years.empty() &&
            it->second.values.at("ih_transformation_rate").back()) {
            ranked.emplace_back(*it->second.values.at("ih_transformation_rate").back(), r);
        }
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    if (!ranked.empty()) {
        const std::string title = msgs.tr("Industrial heritage re-used over the years, by city");
        Panel share{msgs.tr("heritage re-used (%)"), 22, 210, true, false, {}};
        const std::vector<int>* years = nullptr;
        for (std::size_t k = 0; k < ranked.size() && k < kLines; ++k) {
            const auto& row = cities.rows[ranked[k].second];
            const CitySeries& s = series.at(cell_text(row[id]));
            years = &s.years;
            share.lines.push_back(
                {cities_name(cities, row), kPalette[k], s.values.at("ih_transformation_rate")});
        }
        html << R"(<figure class="chart"><figcaption><b>)" << esc(title) << "</b></figcaption>\n"
             << svg_open("chart-timeline-cities", title, 256);
        std::ostringstream panel;
        panel_svg(panel, share, *years, true);
        html << panel.str() << "</svg>\n<p class=\"source\">"
             << esc(msgs.tr("city_years: ih_transformation_rate = ih_reused / ih_count, a site "
                            "counting from the opening of the first cluster on it; the cities "
                            "with the highest share in the last year."));
        if (ranked.size() > kLines) {
            html << " " << esc(msgs.tr("Shown: the first")) << " " << kLines << " "
                 << esc(msgs.tr("of")) << " " << ranked.size() << ".";
        }
        html << "</p></figure>\n";
    }
    std::size_t shown = 0;
    for (const auto& row : cities.rows) {
        if (shown >= kCities || n < 0 || id < 0 || cell_number(row[n]).value_or(0) <= 0) {
            continue;
        }
        auto it = series.find(cell_text(row[id]));
        if (it == series.end()) {
            continue;
        }
        const std::string name = cities_name(cities, row);
        const std::string title = name + ": " + msgs.tr("clusters open and heritage re-used");
        html << R"(<figure class="chart city-timeline"><figcaption><b>)" << esc(title)
             << "</b></figcaption>\n"
             << city_trajectory_svg("chart-timeline-" + cell_text(row[id]), title, it->second.years,
                                    it->second.values.at("clusters_open"),
                                    it->second.values.at("ih_transformation_rate"), msgs)
             << R"(<p class="source">)"
             << esc(msgs.tr("city_years: clusters_open (open at the end of the year) and "
                            "ih_transformation_rate."))
             << "</p></figure>\n";
        ++shown;
    }
    if (shown < with_clusters) {
        html << "<p class=\"source\">" << esc(msgs.tr("Shown: the first")) << " " << shown << " "
             << esc(msgs.tr("of")) << " " << with_clusters << ".</p>\n";
    }
    html << "</section>\n";
    return html.str();
}

} // namespace creatlas::style_detail::report
