// The check stage: text is UTF-8, or the run stops and says which encoding to declare.
#include "creatlas/text.hpp"

#include "check_internal.hpp"
#include "creatlas/error.hpp"

namespace creatlas::detail {

namespace {

[[noreturn]] void not_utf8(const Table& t, std::optional<std::int64_t> fid,
                           const std::string& field, const std::string& what,
                           const std::string& encoding) {
    std::string hint =
        encoding.empty()
            ? "; if the file is in another encoding, declare it in its project section, e.g. "
              "encoding = \"CP1251\" (what Excel writes on a Russian Windows)"
            : "; it was recoded from " + encoding + ", which may not be the file's encoding";
    throw_bad_input(what + " is not valid UTF-8" + hint, {t.source, t.layer, fid, field});
}

/// A field name that is itself not UTF-8 cannot be quoted safely: name it by position.
std::string printable_field(const Table& t, std::size_t k) {
    return is_valid_utf8(t.fields[k].name) ? t.fields[k].name
                                           : "#" + std::to_string(k + 1) + " (by position)";
}

} // namespace

void check_text(const Table& t, const std::string& encoding) {
    for (std::size_t k = 0; k < t.fields.size(); ++k) {
        if (!is_valid_utf8(t.fields[k].name)) {
            not_utf8(t, std::nullopt, printable_field(t, k), "the field's name", encoding);
        }
    }
    for (const Row& r : t.rows) {
        for (std::size_t k = 0; k < r.values.size(); ++k) {
            const auto* s = std::get_if<std::string>(&r.values[k]);
            if (s != nullptr && !is_valid_utf8(*s)) {
                not_utf8(t, r.fid, printable_field(t, k), "the text", encoding);
            }
        }
    }
}

} // namespace creatlas::detail
