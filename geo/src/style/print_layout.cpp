// Texts and expressions of the print layout (see print_layout.hpp).
#include "print_layout.hpp"

#include "creatlas/style.hpp"

#include <charconv>

namespace creatlas::style_detail {

using nlohmann::json;

namespace {

std::string number_text(double value) {
    char buffer[64];
    auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return {buffer, result.ptr};
}

// `b` grown around its centre to the width:height of a map item (mm), so that
// QGIS shows the whole box in the item without stretching it.
Box fit_to(const Box& b, double width_mm, double height_mm) {
    const double cx = (b.xmin + b.xmax) / 2;
    const double cy = (b.ymin + b.ymax) / 2;
    double w = b.xmax - b.xmin;
    double h = b.ymax - b.ymin;
    const double aspect = width_mm / height_mm;
    if (w <= 0 || h <= 0) {
        return b;
    }
    if (w / h < aspect) {
        w = h * aspect;
    } else {
        h = w / aspect;
    }
    return Box{cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2};
}

json box_json(const Box& b) {
    return json{{"xmin", number_text(b.xmin)},
                {"ymin", number_text(b.ymin)},
                {"xmax", number_text(b.xmax)},
                {"ymax", number_text(b.ymax)}};
}

std::string quote_text(const std::string& text) {
    std::string out = "'";
    for (char c : text) {
        out += c;
        if (c == '\'') {
            out += '\'';
        }
    }
    return out + "'";
}

// An aggregate over a layer of the project, by its id (ids do not change when a
// planner renames a layer in the legend).
std::string aggregate(const std::string& layer, const std::string& function,
                      const std::string& expression, const std::string& filter = "") {
    std::string text = "aggregate(";
    text += quote_text(layer + "_creatlas") + ", " + quote_text(function) + ", " + expression;
    if (!filter.empty()) {
        text += ", " + filter;
    }
    return text + ")";
}

// "[% expression %]": a QGIS label evaluates it on the page (the atlas feature's
// fields on a city page).
std::string shown(const std::string& expression) {
    return "[% " + expression + " %]";
}

// A whole number with QGIS's locale-aware thousands separators; "–" for NULL.
std::string whole(const std::string& expression) {
    return shown("coalesce(format_number(" + expression + ", 0), '–')");
}

std::string decimal(const std::string& expression, int places) {
    return shown("coalesce(format_number(" + expression + ", " + std::to_string(places) +
                 "), '–')");
}

// A share 0–1 as a percentage; "–" where there is nothing to divide by.
std::string percent(const std::string& numerator, const std::string& denominator) {
    return shown("coalesce(format_number(100.0 * (" + numerator + ") / nullif(" + denominator +
                 ", 0), 0) || ' %', '–')");
}

// A label's text for an XML attribute ({{&…}} in the template): escaped, and
// line breaks as character references, which attribute-value normalisation
// would otherwise turn into spaces.
std::string multiline_xml(const std::string& text) {
    std::string out;
    for (char ch : escape_xml(text)) {
        if (ch == '\n') {
            out += "&#10;";
        } else {
            out += ch;
        }
    }
    return out;
}

} // namespace

std::string clipped(const std::string& expression, int max_chars) {
    const std::string n = std::to_string(max_chars);
    const std::string keep = std::to_string(max_chars - 1);
    return "with_variable('clip', " + expression + ", if(length(@clip) > " + n + ", left(@clip, " +
           keep + ") || '…', @clip))";
}

std::string field_ref(const std::string& name) {
    std::string out = R"(")";
    for (char c : name) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    return out + R"(")";
}

json layout_context(const LayoutInputs& in, const Messages& msgs) {
    const auto tr = [&msgs](const char* english) { return msgs.tr(english); };
    json c;
    c["layout_name"] = kLayoutName;
    c["provider"] = in.provider;
    for (const char* table : {"clusters", "heritage_sites", "programmes", "cities"}) {
        const auto found = in.sources.find(table);
        c[std::string("src_") + table] = found != in.sources.end() ? found->second : "";
    }
    // The sizes of the map items in qgs_layout.xml, in millimetres.
    c["cover_extent"] = box_json(fit_to(in.cover, 190, 164));
    c["locator_extent"] = box_json(fit_to(in.locator, 87, 40));
    c["city_extent"] = box_json(fit_to(in.city, 185, 121));
    c["credits"] = in.credits;

    const std::string city_name =
        field_ref(in.city_name_field.empty() ? "city_id" : in.city_name_field);
    c["name_expression"] = city_name;
    // Names in the page tables are cut to what their column holds (the widths of
    // qgs_layout.xml, about 0.65 characters per mm at the tables' font) and end in
    // "…" when cut, rather than stopping mid-letter at the column's edge.
    c["cluster_name_expression"] = clipped(
        field_ref(in.cluster_name_field.empty() ? "cluster_id" : in.cluster_name_field), 28);
    c["heritage_name_expression"] = clipped(
        "coalesce(" +
            field_ref(in.heritage_name_field.empty() ? "heritage_id" : in.heritage_name_field) +
            R"(, "heritage_id"))",
        66);
    c["formation_expression"] = clipped(R"("formation_label")", 20);
    // The heritage site a cluster is on, by name (the cluster holds its id).
    c["heritage_expression"] =
        in.heritage_name_field.empty()
            ? std::string(R"("heritage_id")")
            : clipped("coalesce(attribute(get_feature('heritage_sites_creatlas', 'heritage_id', "
                      R"("heritage_id"), )" +
                          quote_text(in.heritage_name_field) + R"(), "heritage_id", ''))",
                      24);

    // --- the cover ------------------------------------------------------------------
    c["cover_title"] = in.title;
    const std::string with_clusters =
        aggregate("cities", "count", R"("city_id")", R"("n_clusters" > 0)");
    c["cover_subtitle"] = tr("Atlas of creative clusters, industrial heritage and support "
                             "programmes") +
                          " · " + tr("cities with clusters") + ": " + whole(with_clusters) + ", " +
                          tr("one page each, the most clusters first");
    c["cover_figures_heading"] = tr("Headline figures");
    const std::string clusters = aggregate("clusters", "count", R"("cluster_id")");
    std::string figures = tr("Creative clusters") + ": " + whole(clusters) + "\n";
    for (int type = 1; type <= 5; ++type) {
        figures += "   ";
        figures += std::to_string(type) + " – " + msgs.tr(formation_label_en(type)) + ": " +
                   whole(aggregate("clusters", "count", R"("cluster_id")",
                                   std::string(R"("formation_type" = )") + std::to_string(type))) +
                   "\n";
    }
    const std::string industrial =
        aggregate("heritage_sites", "count", R"("heritage_id")", R"("is_industrial" = 1)");
    const std::string reused = aggregate("heritage_sites", "count", R"("heritage_id")",
                                         R"("is_industrial" = 1 AND "reused" = 1)");
    figures += "\n";
    figures += tr("Industrial heritage re-used by clusters") + ": " + percent(reused, industrial) +
               " (" + whole(reused) + " " + tr("of") + " " + whole(industrial) + ")\n";
    const std::string reached =
        aggregate("clusters", "count", R"("cluster_id")", R"("programme_count" > 0)");
    figures += tr("Clusters inside support programme zones") + ": " + percent(reached, clusters) +
               " (" + whole(reached) + ")\n";
    figures += tr("Grants to clusters") + ": " +
               whole(aggregate("clusters", "sum", R"("grant_total")")) + " " + tr("RUB");
    c["cover_figures"] = multiline_xml(figures);

    // --- a city page ----------------------------------------------------------------
    c["city_indicators"] = multiline_xml(
        tr("Population") + ": " + whole(R"("population")") + " · " + tr("clusters") + ": " +
        whole(R"("n_clusters")") + " (" + decimal(R"("clusters_per_100k")", 2) + " " +
        tr("per 100,000 people") + ") · " + tr("creative index") + ": " +
        decimal(R"("creative_index")", 1) + " (" + tr("rank") + " " + whole(R"("creative_rank")") +
        ")\n" + tr("industrial heritage re-used") + ": " +
        percent(R"("ih_reused")", R"("ih_count")") + " (" + whole(R"("ih_reused")") + " " +
        tr("of") + " " + whole(R"("ih_count")") + ") · " + tr("programme coverage") + ": " +
        percent(R"("programme_coverage")", "1") + " · " + tr("grants") + ": " +
        whole(R"("grant_total")") + " " + tr("RUB"));
    c["t_locator"] = tr("Where the city lies: all cities of the atlas");
    c["t_clusters_heading"] = tr("Creative clusters of the city") + " (" +
                              whole(R"("n_clusters")") + "; " + tr("at most 8 shown") + ")";
    c["t_candidates_heading"] = tr("Top conversion candidates");
    c["t_col_cluster"] = tr("Cluster");
    c["t_col_formation"] = tr("Formation type");
    c["t_col_heritage"] = tr("Heritage site");
    c["t_col_programmes"] = tr("Programmes");
    c["t_col_site"] = tr("Industrial site");
    c["t_col_score"] = tr("Score");
    c["t_none"] = tr("none");
    c["t_km"] = tr("km");
    c["t_legend_clusters"] = tr("Creative clusters by formation type");
    c["t_legend_heritage_sites"] = tr("Heritage sites by re-use status");
    c["t_legend_programmes"] = tr("Support programme zones by instrument");
    c["t_legend_cities"] = tr("Cities by creative index");
    return c;
}

} // namespace creatlas::style_detail
