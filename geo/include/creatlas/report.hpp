// creatlas — the run report.
//
// Nothing is dropped silently: every feature that was repaired, skipped,
// converted or could not be read is listed by source and feature id, every value
// the check stage set to null is listed by source, feature and field, every
// unmatched key on both sides of a join is listed, and the links made are
// counted. The CLI prints the report as a summary or (with --json) as one JSON
// document; the GeoPackage keeps it as provenance metadata. The summary reads on
// real data: repeated notes collapse into one line with a count and the first
// few feature ids, and identical GDAL messages are counted, not repeated.
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

/// A message and how many times it was raised.
struct MessageCount {
    std::string message;
    std::int64_t count = 0;
};

struct SourceReport {
    std::string role;
    std::string path;
    std::string layer;
    std::string crs;                   ///< the CRS the source was read in (declared or its own)
    bool crs_declared = false;         ///< taken from the project file
    std::int64_t read = 0;             ///< features read
    std::int64_t loaded = 0;           ///< features kept
    std::string encoding;              ///< the declared encoding text was recoded from ("" = UTF-8)
    std::vector<FeatureNote> repaired; ///< defective geometry repaired (reason: what was done)
    std::vector<FeatureNote> skipped;  ///< defective geometry skipped by policy
    std::vector<FeatureNote> unreadable;     ///< nothing usable (no geometry, or out of range)
    std::vector<FeatureNote> converted;      ///< read with a change: Z dropped, curves linearised
    std::vector<MessageCount> gdal_messages; ///< distinct GDAL warnings and errors, counted
};

/// A value the check stage found outside its domain (it became null).
struct ValueNote {
    std::string role; ///< source section: "clusters", …
    std::int64_t fid = 0;
    std::string field;
    std::string value;   ///< the value as read
    std::string problem; ///< e.g. "outside 0–1"
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
    std::vector<ValueNote> values;              ///< out-of-domain values set to null
    std::vector<std::string> notes;             ///< everything else worth saying
    /// Wall time of each stage in seconds, in the order the stages ran.
    std::vector<std::pair<std::string, double>> timings;

    /// Record the time since the previous mark (or since `start`) under `stage`.
    void mark(const std::string& stage);

    std::chrono::steady_clock::time_point last_mark = std::chrono::steady_clock::now();

    /// Find the report of the source in role `role` (null when there is none).
    SourceReport* source(const std::string& role);

    nlohmann::json to_json() const;
    /// The human-readable summary the CLI prints.
    std::string summary() const;
};

} // namespace creatlas
