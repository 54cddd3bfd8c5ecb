// Shared helpers of the unit tests: temporary folders, small files, tables from WKT.
#pragma once

#include "creatlas/check.hpp"
#include "creatlas/error.hpp"
#include "creatlas/geos.hpp"
#include "creatlas/link.hpp"
#include "creatlas/load.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/report.hpp"
#include "creatlas/table.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace creatlas::test {

/// A fresh folder under the system temp folder, removed with its contents at the end.
class TempDir {
public:
    TempDir() {
        std::string tmpl =
            (std::filesystem::temp_directory_path() / "creatlas-test-XXXXXX").string();
        char* made = ::mkdtemp(tmpl.data());
        if (made == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = made;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    TempDir(TempDir&&) = delete;
    TempDir& operator=(TempDir&&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream out(file(name), std::ios::binary);
        out << text;
        return file(name);
    }
    const std::filesystem::path& path() const { return path_; }
    std::vector<std::string> entries() const {
        std::vector<std::string> out;
        for (const auto& e : std::filesystem::directory_iterator(path_)) {
            out.push_back(e.path().filename().string());
        }
        return out;
    }

private:
    std::filesystem::path path_;
};

/// A table with the given text fields, one row per (WKT, values) pair; fids 1, 2, …
inline Table table_from_wkt(const GeosContext& geos, const std::string& name,
                            const std::vector<std::string>& fields,
                            const std::vector<std::pair<std::string, std::vector<Value>>>& rows) {
    Table t;
    t.name = name;
    t.source = name + ".inline";
    t.layer = name;
    for (const auto& f : fields) {
        t.fields.push_back({f, FieldType::String});
    }
    std::int64_t fid = 1;
    for (const auto& [wkt, values] : rows) {
        Row r;
        r.fid = fid++;
        r.values = values;
        r.values.resize(fields.size());
        if (!wkt.empty()) {
            r.geom = geos.from_wkt(wkt);
        }
        t.rows.push_back(std::move(r));
    }
    return t;
}

/// Run a shell command; returns its exit status.
inline int sh(const std::string& command) {
    return std::system(command.c_str());
}

/// A source spec for `path` in `role` with every other key at its default.
inline SourceSpec spec_for(const std::string& path, const std::string& role = "clusters") {
    SourceSpec s;
    s.role = role;
    s.path = path;
    return s;
}

inline std::string load_error(const SourceSpec& s, GeometryPolicy policy = GeometryPolicy::Repair) {
    GeosContext geos;
    SourceReport r;
    try {
        load_source(geos, s, policy, GeometryNeed::Required, r);
    } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::BadInput);
        return e.what();
    }
    ADD_FAILURE() << "no error loading " << s.path;
    return {};
}

inline std::vector<std::int64_t> fids(const std::vector<FeatureNote>& notes) {
    std::vector<std::int64_t> out;
    for (const auto& n : notes) {
        out.push_back(n.fid);
    }
    return out;
}

/// The stages after load, as the pipeline runs them: check, link, measure.
inline AtlasLayers run_stages(const GeosContext& geos, const Project& project, Inputs in,
                              RunReport& report) {
    CheckedInputs checked = check_inputs(std::move(in), project, report);
    const Links links = link_inputs(geos, checked, project, report);
    return measure_atlas(geos, project, std::move(checked), links, report);
}

} // namespace creatlas::test
