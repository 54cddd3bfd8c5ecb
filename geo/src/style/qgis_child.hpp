// Running a script of styles/ under QGIS's Python, headless, as a child process.
//
// QGIS draws the report's maps and exports the atlas PDF (styles/render_maps.py,
// styles/export_atlas.py). It runs in a child process rather than in creatlas:
// QGIS is a large optional dependency of Debian's python3-qgis, and a crash or
// a missing package there must cost the run its maps, not its GeoPackage.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace creatlas::style_detail {

// bugprone-exception-escape: nlohmann::json's destructor is noexcept in fact;
// the check cannot see through its invariant assertions.
struct ChildResult {       // NOLINT(bugprone-exception-escape)
    bool started = false;  ///< false: the interpreter could not be started (see log)
    int exit_code = -1;    ///< the script's exit status (-1 when it did not exit normally)
    nlohmann::json output; ///< the JSON document it printed on stdout (null if none)
    std::string log;       ///< the end of what it printed on stderr
    std::string python;    ///< the interpreter that ran it
};

/// Run styles_dir()/`script` with `args` under $CREATLAS_PYTHON (default
/// Debian's /usr/bin/python3) and QT_QPA_PLATFORM=offscreen; its stdout and
/// stderr go through files named after `scratch` (a path prefix in a writable
/// folder; the files are removed). Blocks until the child exits.
ChildResult run_styles_script(const std::string& script, const std::vector<std::string>& args,
                              const std::string& scratch);

} // namespace creatlas::style_detail
