// libFuzzer target: CSV bytes → load stage (points from lon/lat, or a WKT column)
// → check stage, as the [clusters] source of a one-source project.
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const creatlas::fuzz::MemFile file("/vsimem/fuzz/clusters.csv", data, size);
    // The two ways a CSV carries geometry; the input's length picks one, so that
    // both are reached from the same corpus.
    const std::string geometry = size % 2 == 0 ? "x_field = \"lon\"\ny_field = \"lat\"\n"
                                               : "wkt_field = \"wkt\"\n";
    creatlas::fuzz::load_and_check("[clusters]\npath = \"" + file.path() + "\"\n" + geometry +
                                   "crs = \"EPSG:4326\"\nid_field = \"id\"\n");
    return 0;
}
