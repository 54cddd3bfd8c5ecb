// `creatlas init`: a commented project file drafted from the input files. Every
// source is inspected with GDAL, its fields are guessed from the common names
// declared beside the schema (field_guesses()), and every other key is written at
// its declared default, so that the draft runs as it is.
#include "creatlas/draft.hpp"

#include "creatlas/error.hpp"
#include "creatlas/load.hpp"
#include "creatlas/project.hpp"
#include "creatlas/version.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <toml++/toml.h>

namespace creatlas {

namespace {

namespace fs = std::filesystem;

struct Inspected {
    DraftSource source;
    LayerInfo layer;
    std::vector<std::string> fields;
    bool has_geometry = false;
    std::size_t layer_count = 0;
};

/// The declared default is TOML text (not a phrase such as "the current year").
bool is_toml_value(const std::string& text) {
    if (text.empty()) {
        return false;
    }
    try {
        (void)toml::parse("v = " + text);
        return true;
    } catch (const toml::parse_error&) {
        return false;
    }
}

/// The declared default of a string key ("" when it has none or is not a string).
std::string default_string(const KeyDecl& k) {
    if (!is_toml_value(k.default_text)) {
        return "";
    }
    const toml::table parsed = toml::parse("v = " + k.default_text);
    return parsed["v"].value_or(std::string());
}

std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + "\"";
}

/// "# "-prefixed lines of at most about 88 characters.
void comment(std::ostream& out, const std::string& text) {
    std::istringstream words(text);
    std::string word;
    std::string line = "#";
    while (words >> word) {
        if (line.size() + 1 + word.size() > 88 && line.size() > 1) {
            out << line << "\n";
            line = "#";
        }
        line += " " + word;
    }
    out << line << "\n";
}

std::string relative_path(const std::string& path, const fs::path& project_dir) {
    if (!is_local_path(path)) {
        return path;
    }
    return fs::proximate(fs::absolute(path), project_dir).generic_string();
}

Inspected inspect(const GeosContext& geos, const DraftSource& source) {
    Inspected in{source, {}, {}, false, 0};
    std::vector<LayerInfo> layers = inspect_source(geos, source.path, {}, source.layer);
    if (layers.empty()) {
        throw_bad_input("the source holds no layer", {source.path, "", std::nullopt, ""});
    }
    in.layer = layers.front();
    in.layer_count = layers.size();
    for (const auto& [name, type] : in.layer.fields) {
        in.fields.push_back(name);
    }
    in.has_geometry = in.layer.geometry_type != "None";
    return in;
}

const Inspected* find(const std::vector<Inspected>& inputs, const std::string& section) {
    for (const Inspected& in : inputs) {
        if (in.source.section == section) {
            return &in;
        }
    }
    return nullptr;
}

bool has_field(const Inspected& in, const std::string& name) {
    return std::find(in.fields.begin(), in.fields.end(), name) != in.fields.end();
}

/// One key of a given source: a guess, the default, or a commented line.
void write_source_key(std::ostream& out, const Inspected& in, const KeyDecl& k) {
    const FieldGuess* declared = nullptr;
    for (const FieldGuess& g : field_guesses()) {
        if (g.section == k.section && g.key == k.key) {
            declared = &g;
        }
    }
    std::string guess;
    if (declared != nullptr && !(declared->needs_no_geometry && in.has_geometry)) {
        guess = guess_field(k.section, k.key, in.fields);
    }
    comment(out, k.meaning);
    if (!guess.empty()) {
        out << k.key << " = " << quoted(guess) << "  # guessed from the field names\n";
        return;
    }
    if (k.key == "crs" && in.layer.crs.empty()) {
        // A source without a CRS is an error unless the project declares one; a
        // table whose lon/lat columns were found is read as WGS 84 longitude/latitude.
        const bool lonlat =
            !in.has_geometry && !guess_field(k.section, "x_field", in.fields).empty();
        out << (lonlat ? "" : "# ") << "crs = \"EPSG:4326\""
            << (lonlat ? "  # longitude/latitude columns: WGS 84\n"
                       : "  # this source declares no CRS: set it\n");
        return;
    }
    if (k.required) {
        std::string fields;
        for (const std::string& f : in.fields) {
            fields += (fields.empty() ? "" : ", ") + f;
        }
        comment(out, "Required, and no field name gave a guess: one of " + fields + ".");
        out << "# " << k.key << " = \"\"\n";
        return;
    }
    // A field named by a default may be missing from the source; written out it
    // becomes explicit and must exist, so it is written only when it does.
    const bool is_field = k.key.size() > 6 && k.key.ends_with("_field");
    const bool usable =
        is_toml_value(k.default_text) && (!is_field || has_field(in, default_string(k)));
    out << (usable ? "" : "# ") << k.key << " = "
        << (k.default_text.empty() ? "\"\"" : k.default_text) << "\n";
}

/// One key of a settings section at its default; [formation]'s fields guessed
/// from the cluster attributes (or the clusters) when they hold such a field.
void write_setting_key(std::ostream& out, const std::vector<Inspected>& inputs, const KeyDecl& k) {
    comment(out, k.meaning);
    for (const char* section : {"cluster_attributes", "clusters"}) {
        const Inspected* in = find(inputs, section);
        if (in == nullptr) {
            continue;
        }
        const std::string guess = guess_field(k.section, k.key, in->fields);
        if (!guess.empty()) {
            out << k.key << " = " << quoted(guess) << "  # guessed from the fields of [" << section
                << "]\n";
            return;
        }
    }
    // [project] output's default is the project file's own name: left to the core.
    const bool usable = is_toml_value(k.default_text) && k.key != "output";
    out << (usable ? "" : "# ") << k.key << " = "
        << (k.default_text.empty() ? "\"\"" : k.default_text) << "\n";
}

void write_header(std::ostream& out, const std::vector<Inspected>& inputs,
                  const fs::path& project_dir) {
    out << "# creatlas project drafted by `creatlas init` (creatlas " << kVersion << ").\n";
    comment(out, "Fields marked \"guessed\" were matched by their names: check them. Every "
                 "other key is at its default; a commented key is off or has no fixed "
                 "default. Every key is explained in docs/project-file.md (`creatlas schema "
                 "--markdown`). Run it with: creatlas run <this file>");
    out << "#\n# Inputs, as GDAL reads them:\n";
    for (const Inspected& in : inputs) {
        std::string fields;
        for (const std::string& f : in.fields) {
            fields += (fields.empty() ? "" : ", ") + f;
        }
        comment(out, "  [" + in.source.section + "] " + relative_path(in.source.path, project_dir) +
                         ", layer " + in.layer.name + ": " + std::to_string(in.layer.features) +
                         " features, geometry " + in.layer.geometry_type + ", CRS " +
                         (in.layer.crs.empty() ? "none" : in.layer.crs) +
                         "; fields: " + (fields.empty() ? "none" : fields));
    }
}

} // namespace

std::string draft_project(const std::vector<DraftSource>& sources,
                          const std::string& project_path) {
    const fs::path project_dir = fs::absolute(project_path).parent_path();
    bool has_input = false;
    for (const DraftSource& s : sources) {
        has_input = has_input || s.section == "clusters" || s.section == "heritage" ||
                    s.section == "programmes";
    }
    if (!has_input) {
        throw Error(ErrorKind::Usage,
                    "creatlas init needs at least one of --clusters, --heritage or --programmes");
    }
    GeosContext geos;
    std::vector<Inspected> inputs;
    inputs.reserve(sources.size());
    for (const DraftSource& s : sources) {
        inputs.push_back(inspect(geos, s));
    }
    std::ostringstream out;
    write_header(out, inputs, project_dir);
    for (const SectionDecl& section : project_sections()) {
        const Inspected* in = nullptr;
        for (const Inspected& candidate : inputs) {
            in = candidate.source.section == section.name ? &candidate : in;
        }
        out << "\n";
        if (section.is_source && in == nullptr) {
            comment(out, "[" + section.name + "] (not given): " + section.meaning);
            continue;
        }
        out << "[" << section.name << "]\n";
        comment(out, section.meaning);
        for (const KeyDecl& k : project_schema()) {
            if (k.section != section.name) {
                continue;
            }
            if (in == nullptr) {
                write_setting_key(out, inputs, k);
            } else if (k.key == "path") {
                out << "path = " << quoted(relative_path(in->source.path, project_dir)) << "\n";
            } else if (k.key == "layer") {
                // Named only where the source holds several layers (the first is read).
                out << (in->layer_count > 1 ? "" : "# ") << "layer = " << quoted(in->layer.name)
                    << "\n";
            } else {
                write_source_key(out, *in, k);
            }
        }
    }
    return out.str();
}

} // namespace creatlas
