// The inline SVG charts of report.html and the number formats they share with
// its tables.
//
// Charts follow the field's conventions (docs/report.md): horizontal bars,
// sorted, from a zero baseline, the value written at each bar's end rather
// than read off an axis, units in the axis title, and the colours of the map
// styles (styles/classes.json) for the same classes.
#include "creatlas/style.hpp"
#include "creatlas/text.hpp"
#include "report_parts.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace creatlas::style_detail::report {

int Rows::index(const std::string& name) const {
    auto it = std::find(fields.begin(), fields.end(), name);
    return it == fields.end() ? -1 : static_cast<int>(it - fields.begin());
}

std::string format_real(double value) {
    char buffer[64];
    const int decimals = std::fabs(value) >= 1000 ? 0 : 3;
    auto result =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, decimals);
    std::string text(buffer, result.ptr);
    if (text.find('.') != std::string::npos) {
        text.erase(text.find_last_not_of('0') + 1);
        if (text.back() == '.') {
            text.pop_back();
        }
    }
    return text == "-0" ? "0" : text;
}

std::string format_whole(double value) {
    const long long n = std::llround(value);
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += "\u202F"; // narrow no-break space: the SI thousands separator, in any language
        }
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string cell_text(const Cell& cell) {
    if (const auto* i = std::get_if<std::int64_t>(&cell)) {
        return std::to_string(*i);
    }
    if (const auto* d = std::get_if<double>(&cell)) {
        return format_real(*d);
    }
    if (const auto* s = std::get_if<std::string>(&cell)) {
        return *s;
    }
    return "";
}

std::optional<double> cell_number(const Cell& cell) {
    if (const auto* i = std::get_if<std::int64_t>(&cell)) {
        return static_cast<double>(*i);
    }
    if (const auto* d = std::get_if<double>(&cell)) {
        return *d;
    }
    return std::nullopt;
}

std::pair<double, double> nice_axis(double max_value) {
    if (!(max_value > 0) || !std::isfinite(max_value)) {
        return {1.0, 1.0};
    }
    const double magnitude = std::pow(10.0, std::floor(std::log10(max_value / 5.0)));
    for (double factor : {1.0, 2.0, 5.0, 10.0, 20.0}) {
        const double step = factor * magnitude;
        const double top = std::ceil(max_value / step - 1e-9) * step;
        if (top / step <= 5.0 + 1e-9) {
            return {step, top};
        }
    }
    return {max_value, max_value};
}

namespace {

std::string px(double value) {
    char buffer[32];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed, 1);
    return {buffer, result.ptr};
}

// The first `limit` characters of UTF-8 text, ending in "…" when it was longer.
std::string utf8_prefix(const std::string& text, std::size_t limit) {
    if (code_points(text) <= limit || limit == 0) {
        return text;
    }
    std::size_t kept = 0;
    std::size_t end = 0;
    for (; end < text.size(); ++end) {
        if ((static_cast<unsigned char>(text[end]) & 0xC0U) != 0x80U && ++kept == limit) {
            break; // `end` starts the limit-th character: keep limit − 1 and the ellipsis
        }
    }
    return text.substr(0, end) + "…";
}

// Tick text: whole numbers with separators, small steps with their decimals.
std::string tick_text(double value, double step) {
    if (step >= 1) {
        return format_whole(value);
    }
    return format_real(value);
}

} // namespace

std::string bar_chart_svg(const BarChart& chart) {
    // Layout in viewBox units (px at 100 %): labels right-aligned before the
    // plot, values after each bar, legend above, axis below.
    constexpr double kWidth = 760;
    constexpr double kPlotRight = 660;
    // The label column fits the longest label (≈7 units per character at 12 px
    // DejaVu Sans), at least 200 and at most 330 units wide; a longer label is
    // cut with "…" and kept whole in the bar's tooltip.
    constexpr double kCharWidth = 7.0;
    constexpr double kMinLabelRight = 200;
    constexpr double kMaxLabelRight = 330;
    const auto max_chars = static_cast<std::size_t>((kMaxLabelRight - 8) / kCharWidth);
    std::size_t longest = 0;
    for (const auto& bar : chart.bars) {
        longest = std::max(longest, std::min(code_points(bar.label), max_chars));
    }
    const double label_right =
        std::clamp(8 + kCharWidth * static_cast<double>(longest), kMinLabelRight, kMaxLabelRight);
    const double plot_left = label_right + 6;
    constexpr double kRow = 20;
    constexpr double kBar = 13;
    const bool stacked = chart.part_labels.size() > 1;
    // Legend entries of the stacked parts, left to right in stacking order,
    // wrapped into rows (≈6.2 units per character at the legend's font size).
    std::vector<std::pair<double, double>> legend_at;
    double legend_x = 10;
    double legend_y = 8;
    for (const auto& text : chart.part_labels) {
        const double width = 22 + 6.2 * static_cast<double>(text.size());
        if (legend_x + width > kWidth - 10 && legend_x > 10) {
            legend_x = 10;
            legend_y += 18;
        }
        legend_at.emplace_back(legend_x, legend_y);
        legend_x += width;
    }
    const double top = stacked ? legend_y + 26 : 10;
    const double plot_height = kRow * static_cast<double>(chart.bars.size());
    const double height = top + plot_height + 46;

    double max_total = 0;
    for (const auto& bar : chart.bars) {
        double total = 0;
        for (double part : bar.parts) {
            total += std::max(0.0, part);
        }
        max_total = std::max(max_total, total);
    }
    const auto [step, axis_top] = nice_axis(max_total);
    const double scale = (kPlotRight - plot_left) / axis_top;

    std::ostringstream svg;
    svg << R"(<svg id=")" << esc(chart.id) << R"(" class="chart" viewBox="0 0 )" << px(kWidth)
        << " " << px(height) << R"(" role="img" aria-label=")" << esc(chart.title)
        << "\" xmlns=\"http://www.w3.org/2000/svg\">\n<title>" << esc(chart.title) << "</title>\n";
    // Legend of the stacked parts, left to right in stacking order.
    if (stacked) {
        for (std::size_t i = 0; i < chart.part_labels.size(); ++i) {
            const auto [x, y] = legend_at[i];
            svg << R"(<rect x=")" << px(x) << R"(" y=")" << px(y)
                << R"(" width="11" height="11" fill=")" << esc(chart.part_colours.at(i))
                << R"("/><text x=")" << px(x + 15) << R"(" y=")" << px(y + 10)
                << R"(" class="legend">)" << esc(chart.part_labels[i]) << "</text>\n";
        }
    }
    // Gridlines and ticks.
    for (double value = 0; value <= axis_top + step / 2; value += step) {
        const double x = plot_left + value * scale;
        svg << R"(<line x1=")" << px(x) << R"(" y1=")" << px(top - 4) << R"(" x2=")" << px(x)
            << R"(" y2=")" << px(top + plot_height) << R"(" class=")"
            << (value == 0 ? "baseline" : "grid") << R"("/><text x=")" << px(x) << R"(" y=")"
            << px(top + plot_height + 14) << R"(" class="tick">)" << esc(tick_text(value, step))
            << "</text>\n";
    }
    svg << R"(<text x=")" << px((plot_left + kPlotRight) / 2) << R"(" y=")"
        << px(top + plot_height + 34) << R"(" class="axis">)" << esc(chart.axis_title)
        << "</text>\n";
    // Bars.
    for (std::size_t r = 0; r < chart.bars.size(); ++r) {
        const auto& bar = chart.bars[r];
        const double y = top + kRow * static_cast<double>(r);
        const std::string label = utf8_prefix(bar.label, max_chars);
        svg << R"(<g><text x=")" << px(label_right) << R"(" y=")" << px(y + kBar - 2)
            << R"(" class="label">)" << esc(label) << "</text>";
        double x = plot_left;
        for (std::size_t p = 0; p < bar.parts.size(); ++p) {
            const double w = std::max(0.0, bar.parts[p]) * scale;
            if (w <= 0) {
                continue;
            }
            svg << R"(<rect x=")" << px(x) << R"(" y=")" << px(y + (kRow - kBar) / 2 - 2)
                << R"(" width=")" << px(w) << R"(" height=")" << px(kBar) << R"(" fill=")"
                << esc(chart.part_colours.at(std::min(p, chart.part_colours.size() - 1)))
                << R"("><title>)" << esc(bar.label)
                << (stacked ? " — " + chart.part_labels.at(p) : std::string()) << ": "
                << esc(format_real(bar.parts[p])) << "</title></rect>";
            x += w;
        }
        svg << R"(<text x=")" << px(x + 4) << R"(" y=")" << px(y + kBar - 2)
            << R"(" class="value">)" << esc(bar.value_text) << "</text></g>\n";
    }
    svg << "</svg>\n";
    return svg.str();
}

} // namespace creatlas::style_detail::report
