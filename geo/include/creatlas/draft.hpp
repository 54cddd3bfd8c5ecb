// creatlas — a project file drafted from its inputs.
//
// Field names are guessed from one list of common names (Russian ones included),
// declared beside the project schema (geo/src/project/field_guesses.cpp): the
// QGIS plugin's dialog pre-selects the guesses and `creatlas init` writes them
// into a drafted project file. A guess is only ever a starting value.
#pragma once

#include <string>
#include <vector>

namespace creatlas {

/// Common names of one key's field, for guessing it from a layer's fields: the
/// QGIS dialog pre-selects the guess and `creatlas init` writes it. Russian names
/// are included («название», «население», «год»).
struct FieldGuess {
    std::string section;            ///< "cities", …; "formation" for the cluster attribute keys
    std::string key;                ///< "name_field", …
    std::vector<std::string> names; ///< in order of preference
    /// Only for a layer without geometry (x_field/y_field: lon/lat columns of a table).
    bool needs_no_geometry = false;
};

/// Every declared guess (project_schema() declares each of their keys).
const std::vector<FieldGuess>& field_guesses();
/// The first name of the guess for section/key that `fields` holds, compared
/// trimmed, Unicode NFC, case-folded, with spaces and hyphens read as '_';
/// returned as spelt in `fields`. "" when nothing matches or no guess is declared.
std::string guess_field(const std::string& section, const std::string& key,
                        const std::vector<std::string>& fields);

/// The guesses as a section of docs/project-file.md (project_schema_markdown()).
std::string field_guesses_markdown();

/// One input of a drafted project: the source section it fills and its file.
struct DraftSource {
    std::string section; ///< "clusters", "heritage", …
    std::string path;    ///< as given (relative to the working folder)
    std::string layer;   ///< "" = the first layer
};

/// `creatlas init`: a commented project file for these sources, to be saved at
/// `project_path` (paths are written relative to its folder). Each source is
/// inspected with GDAL; its fields are guessed (field_guesses()), and every other
/// key is written at its declared default or, without a usable default,
/// commented. Needs at least one of clusters, heritage or programmes.
std::string draft_project(const std::vector<DraftSource>& sources, const std::string& project_path);

} // namespace creatlas
