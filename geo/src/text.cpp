// Text as every stage compares it (text.hpp).
#include "creatlas/text.hpp"

#include "creatlas/error.hpp"

#include <cstdlib>
#include <utf8proc.h>

namespace creatlas {

std::string normalise_key(std::string_view key) {
    utf8proc_uint8_t* mapped = nullptr;
    const utf8proc_ssize_t n = utf8proc_map(
        reinterpret_cast<const utf8proc_uint8_t*>(key.data()),
        static_cast<utf8proc_ssize_t>(key.size()), &mapped,
        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
    if (n < 0) {
        throw_bad_input("key '" + std::string(key) + "' is not valid UTF-8 (" + utf8proc_errmsg(n) +
                        ")");
    }
    std::string out(reinterpret_cast<char*>(mapped), static_cast<std::size_t>(n));
    std::free(mapped); // NOLINT(cppcoreguidelines-no-malloc): utf8proc allocates with malloc
    // Trim ASCII white space and no-break spaces (common in spreadsheet exports).
    auto is_space_at = [&out](std::size_t i, bool from_end) -> std::size_t {
        const auto c = static_cast<unsigned char>(out[i]);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
            return 1;
        }
        if (!from_end && i + 1 < out.size() && c == 0xC2 &&
            static_cast<unsigned char>(out[i + 1]) == 0xA0) {
            return 2;
        }
        if (from_end && i >= 1 && c == 0xA0 && static_cast<unsigned char>(out[i - 1]) == 0xC2) {
            return 2;
        }
        return 0;
    };
    std::size_t begin = 0;
    while (begin < out.size()) {
        const std::size_t w = is_space_at(begin, false);
        if (w == 0) {
            break;
        }
        begin += w;
    }
    std::size_t end = out.size();
    while (end > begin) {
        const std::size_t w = is_space_at(end - 1, true);
        if (w == 0) {
            break;
        }
        end -= w;
    }
    return out.substr(begin, end - begin);
}

bool is_valid_utf8(std::string_view text) {
    // RFC 3629, section 4: the well-formed byte sequences.
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = p + text.size();
    while (p < end) {
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int more = 0;
        unsigned char lo = 0x80;
        unsigned char hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            more = 2;
            lo = c == 0xE0 ? 0xA0 : 0x80; // no overlong forms
            hi = c == 0xED ? 0x9F : 0xBF; // no UTF-16 surrogates
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF; // nothing beyond U+10FFFF
        } else {
            return false;
        }
        if (end - p <= more) {
            return false;
        }
        if (p[1] < lo || p[1] > hi) {
            return false;
        }
        for (int k = 2; k <= more; ++k) {
            if (p[k] < 0x80 || p[k] > 0xBF) {
                return false;
            }
        }
        p += more + 1;
    }
    return true;
}

std::size_t code_points(std::string_view text) {
    std::size_t n = 0;
    for (const char c : text) {
        n += (static_cast<unsigned char>(c) & 0xC0U) != 0x80U ? 1 : 0;
    }
    return n;
}

} // namespace creatlas
