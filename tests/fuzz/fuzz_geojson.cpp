// libFuzzer target: GeoJSON bytes → load stage (geometry policy repair or skip)
// → check stage, as the [programmes] source of a one-source project.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const creatlas::fuzz::MemFile file("/vsimem/fuzz/programmes.geojson", data, size);
    // Repair exercises ring mending and MakeValid; skip the defect reports.
    const std::string policy = size % 2 == 0 ? "repair" : "skip";
    creatlas::fuzz::load_and_check("[project]\ngeometry_policy = \"" + policy +
                                   "\"\n[programmes]\npath = \"" + file.path() +
                                   "\"\nid_field = \"programme_id\"\n");
    return 0;
}
