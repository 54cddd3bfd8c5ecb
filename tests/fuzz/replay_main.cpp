// Plain driver for a fuzz target: runs LLVMFuzzerTestOneInput once on each file
// named on the command line (or each file of a named folder), without libFuzzer.
// The normal test suite (dev and ASan+UBSan builds) replays the seed and
// regression corpus (tests/fuzz/corpus/<target>/) through it.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

int replay(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::cerr << "replay: cannot read " << file << "\n";
        return 1;
    }
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
    std::cout << "replay: " << file.string() << " (" << bytes.size() << " bytes)" << std::endl;
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    int failed = 0;
    int count = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg(argv[i]);
        if (std::filesystem::is_directory(arg)) {
            for (const auto& entry : std::filesystem::directory_iterator(arg)) {
                if (entry.is_regular_file()) {
                    failed += replay(entry.path());
                    ++count;
                }
            }
        } else {
            failed += replay(arg);
            ++count;
        }
    }
    std::cout << "replay: " << count << " inputs" << std::endl;
    return failed == 0 && count > 0 ? 0 : 1;
}
