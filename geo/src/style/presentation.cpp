// The planner-facing side of a run: its language, basemap and credits, the
// formation labels in that language, and the atlas PDF exported by QGIS.
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"
#include "creatlas/style.hpp"
#include "creatlas/table.hpp"
#include "i18n.hpp"
#include "print_layout.hpp"
#include "qgis_child.hpp"

#include <filesystem>

namespace creatlas {

namespace fs = std::filesystem;

Presentation presentation(const Project& project, const RunReport& report) {
    Presentation look;
    look.language = project.language;
    look.basemap_url = project.basemap_url;
    // The credits name each input by its role and file (not its full path: the
    // atlas is handed on, the folders of the machine that made it are not).
    for (const SourceReport& source : report.sources) {
        std::string text = source.role + " — " + fs::path(source.path).filename().string();
        if (!source.layer.empty() && source.layer != fs::path(source.path).stem().string()) {
            text += " (" + source.layer + ")";
        }
        look.sources.push_back(std::move(text));
    }
    return look;
}

void localise_formation_labels(Table& clusters, const std::string& language) {
    if (language == "en") {
        return;
    }
    const int type = clusters.field_index("formation_type");
    const int label = clusters.field_index("formation_label");
    if (label < 0) {
        return;
    }
    const style_detail::Messages msgs(language);
    for (Row& row : clusters.rows) {
        const auto value =
            type >= 0 ? as_number(row.values[static_cast<std::size_t>(type)]) : std::nullopt;
        const int t = value ? static_cast<int>(*value) : 0;
        row.values[static_cast<std::size_t>(label)] = msgs.tr(style_detail::formation_label_en(t));
    }
}

std::string export_atlas_pdf(const std::string& gpkg_path, const std::string& pdf_path,
                             const std::string& project_title) {
    const fs::path pdf(pdf_path);
    // A hidden name beside the PDF for the child's output. (Built with +=:
    // GCC 12 at -O3 warns falsely, -Wrestrict, about "." + std::string&&.)
    std::string hidden = ".";
    hidden += pdf.filename().string();
    const std::string scratch = (pdf.parent_path() / hidden).string();
    const style_detail::ChildResult child = style_detail::run_styles_script(
        "export_atlas.py", {gpkg_path, pdf_path, project_title, style_detail::kLayoutName},
        scratch);
    const auto& out = child.output;
    if (!child.started) {
        return "atlas.pdf not written: QGIS could not be run: " + child.log;
    }
    if (child.exit_code == 3 && out.is_object() && out.contains("error")) {
        // No QGIS on this machine: the GeoPackage and its project stand without it.
        std::string note = "atlas.pdf not written: ";
        note += out["error"].get<std::string>();
        return note;
    }
    if (child.exit_code != 0 || !out.is_object() || !out.contains("pages")) {
        std::string why = out.is_object() && out.contains("error") && out["error"].is_string()
                              ? out["error"].get<std::string>()
                              : "QGIS could not export the atlas (" + child.python +
                                    " export_atlas.py, exit " + std::to_string(child.exit_code) +
                                    ")";
        if (!child.log.empty()) {
            why += ": " + child.log;
        }
        // The GeoPackage is complete and in place: the run reports the failure
        // rather than failing after the fact.
        return "atlas.pdf not written: " + why;
    }
    const int pages = out["pages"].get<int>();
    if (pages == 0) {
        return "atlas.pdf not written: no city has a cluster";
    }
    return "atlas: " + pdf_path + " (" + std::to_string(pages) + " pages: a cover and " +
           std::to_string(pages - 1) + (pages == 2 ? " city)" : " cities)");
}

} // namespace creatlas
