// creatlas — the run report.
//
// Nothing is dropped silently: every feature that was repaired, skipped or could
// not be read is listed by source and feature id, every unmatched key on both
// sides of a join is listed, and the links made are counted. The CLI prints the
// report as a summary or (with --json) as one JSON document; the GeoPackage
// keeps it as provenance metadata.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace creatlas {

/// One feature that needed attention during load.
struct FeatureNote {
    std::int64_t fid = 0;
    std::string reason;
};

struct SourceReport {
    std::string role;
    std::string path;
    std::string layer;
    std::string crs;           ///< the CRS the source was read in (declared or its own)
    bool crs_declared = false; ///< taken from the project file
    std::int64_t read = 0;     ///< features read
    std::int64_t loaded = 0;   ///< features kept
    std::vector<FeatureNote> repaired;
    std::vector<FeatureNote> skipped;       ///< invalid geometry skipped by policy
    std::vector<FeatureNote> unreadable;    ///< no usable geometry (GDAL could not read it)
    std::vector<std::string> gdal_messages; ///< warnings and errors GDAL emitted
};

struct KeyLinkReport {
    std::string left;  ///< e.g. "clusters"
    std::string right; ///< e.g. "cluster_attributes"
    std::int64_t matched = 0;
    std::vector<std::string> unmatched_left;  ///< keys of left rows with no partner
    std::vector<std::string> unmatched_right; ///< keys of right rows with no partner
};

struct RunReport {
    std::string project;
    std::string output;
    std::string version;
    std::string started; ///< ISO 8601 UTC
    double seconds = 0;
    std::vector<SourceReport> sources;
    std::vector<KeyLinkReport> key_links;
    std::map<std::string, std::int64_t> layers; ///< features written per layer
    std::map<std::string, std::int64_t> links;  ///< counts of spatial links by kind
    std::vector<std::string> notes;             ///< everything else worth saying
    /// Wall time of each stage in seconds, in the order the stages ran.
    std::vector<std::pair<std::string, double>> timings;

    /// Record the time since the previous mark (or since `start`) under `stage`.
    void mark(const std::string& stage);

    std::chrono::steady_clock::time_point last_mark = std::chrono::steady_clock::now();

    nlohmann::json to_json() const;
    /// The human-readable summary the CLI prints.
    std::string summary() const;
};

} // namespace creatlas
