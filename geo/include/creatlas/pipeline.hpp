// creatlas — the whole run, one stage after another, each handing its output to the
// next: project file → load (Inputs) → check (CheckedInputs) → link (Links) →
// measure (AtlasLayers) → style and write (the GeoPackage, its styles and
// project, report.html). docs/architecture.md draws it.
#pragma once

#include "creatlas/progress.hpp"
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"

#include <string>

namespace creatlas {

struct RunOptions {
    std::string output; ///< overrides the project's output when set
    /// The schema of a PostGIS output ("PG:…"); overrides [project] output_schema when set.
    std::string schema;
    bool overwrite = false;
    /// Write report.html (with QGIS-rendered city maps) beside the GeoPackage (not
    /// for a PostGIS output: its report would have no folder to go to).
    bool report = true;
};

/// Run a project end to end and return its report. Throws Error on bad input,
/// I/O failure or cancellation; no output file exists after a throw.
RunReport run_project(const Project& project, const RunOptions& options,
                      const Progress& progress = {});

} // namespace creatlas
