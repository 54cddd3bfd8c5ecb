// libFuzzer target: project-file text → parse_project.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        // Relative source paths resolve against a folder that does not exist, so the
        // existence checks run too (and fail with our Error).
        (void)creatlas::parse_project(text, "/nonexistent", "fuzz.toml");
    } catch (const creatlas::Error&) {
        // Bad project text, reported with context: the expected answer.
    }
    return 0;
}
