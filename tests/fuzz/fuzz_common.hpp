// Shared by the libFuzzer targets (tests/fuzz/fuzz_*.cpp) and their plain replay
// driver (replay_main.cpp).
//
// A target takes arbitrary bytes and pushes them through one entry point of the
// core. creatlas::Error is the core's answer to bad input and is expected; any
// other exception escaping, a crash, or undefined behaviour (ASan/UBSan) is a
// finding.
#pragma once

#include "creatlas/check.hpp"
#include "creatlas/error.hpp"
#include "creatlas/geos.hpp"
#include "creatlas/load.hpp"
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"

#include <cpl_error.h>
#include <cpl_vsi.h>
#include <cstddef>
#include <cstdint>
#include <string>

namespace creatlas::fuzz {

/// A GDAL in-memory file holding the fuzz input for the lifetime of the object.
class MemFile {
public:
    MemFile(std::string path, const std::uint8_t* data, std::size_t size) : path_(std::move(path)) {
        // GDAL copies nothing: it reads the buffer in place (bTakeOwnership = FALSE).
        VSIFCloseL(VSIFileFromMemBuffer(path_.c_str(), const_cast<GByte*>(data),
                                        static_cast<vsi_l_offset>(size), FALSE));
    }
    ~MemFile() { VSIUnlink(path_.c_str()); }
    MemFile(const MemFile&) = delete;
    MemFile& operator=(const MemFile&) = delete;
    MemFile(MemFile&&) = delete;
    MemFile& operator=(MemFile&&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

/// Load and check a one-source project whose source is the in-memory file:
/// `project_text` names it as "@PATH@". Our Error is the expected outcome of bad
/// input; everything else propagates to the fuzzer.
inline void load_and_check(const std::string& project_text) {
    CPLSetErrorHandler(CPLQuietErrorHandler);
    try {
        const Project project = parse_project(project_text, "/nonexistent", "fuzz.toml");
        const GeosContext geos;
        RunReport report;
        Inputs inputs = load_inputs(geos, project, report);
        (void)check_inputs(std::move(inputs), project, report);
    } catch (const Error&) {
        // Bad input, reported with context: the expected answer.
    }
}

} // namespace creatlas::fuzz
