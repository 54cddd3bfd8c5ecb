// libFuzzer target: CSV bytes → load stage (points from lon/lat, or a WKT column)
// → check stage, as the [clusters] source of a one-source project.
#include "fuzz_common.hpp"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const creatlas::fuzz::MemFile file("/vsimem/fuzz/clusters.csv", data, size);
    // The two ways a CSV carries geometry: a header naming a "wkt" column picks a WKT
    // geometry, any other lon/lat columns.
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string header = text.substr(0, text.find('\n'));
    const std::string geometry = header.find("wkt") != std::string::npos
                                     ? "wkt_field = \"wkt\"\n"
                                     : "x_field = \"lon\"\ny_field = \"lat\"\n";
    creatlas::fuzz::load_and_check("[clusters]\npath = \"" + file.path() + "\"\n" + geometry +
                                   "crs = \"EPSG:4326\"\nid_field = \"id\"\n");
    return 0;
}
