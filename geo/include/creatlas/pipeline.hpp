// creatlas — the whole run: project file → load → link → measure → style → write.
#pragma once

#include "creatlas/progress.hpp"
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"

#include <string>

namespace creatlas {

struct RunOptions {
    std::string output; ///< overrides the project's output when set
    bool overwrite = false;
    /// Write report.html (with QGIS-rendered city maps) beside the GeoPackage.
    bool report = true;
};

/// Run a project end to end and return its report. Throws Error on bad input,
/// I/O failure or cancellation; no output file exists after a throw.
RunReport run_project(const Project& project, const RunOptions& options,
                      const Progress& progress = {});

} // namespace creatlas
