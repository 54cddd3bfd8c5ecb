#include "creatlas/table.hpp"

#include "creatlas/error.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace creatlas {

std::optional<double> as_number(const Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        return static_cast<double>(*i);
    }
    if (const auto* d = std::get_if<double>(&v)) {
        return *d;
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        const char* begin = s->c_str();
        while (*begin == ' ' || *begin == '\t') {
            ++begin;
        }
        if (*begin == '\0') {
            return std::nullopt;
        }
        char* end = nullptr;
        const double d = std::strtod(begin, &end);
        while (end != nullptr && (*end == ' ' || *end == '\t')) {
            ++end;
        }
        if (end == nullptr || *end != '\0' || !std::isfinite(d)) {
            return std::nullopt;
        }
        return d;
    }
    return std::nullopt;
}

std::string as_text(const Value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) {
        return std::to_string(*i);
    }
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *d);
        return ec == std::errc() ? std::string(buf, end) : std::string();
    }
    if (const auto* s = std::get_if<std::string>(&v)) {
        return *s;
    }
    return {};
}

int Table::field_index(const std::string& field) const {
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (fields[i].name == field) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

int Table::require_field(const std::string& field, const std::string& role) const {
    const int i = field_index(field);
    if (i < 0) {
        std::string known;
        for (const auto& f : fields) {
            known += (known.empty() ? "" : ", ") + f.name;
        }
        throw_bad_input("no such field (wanted as " + role + "); the layer has: " + known,
                        {source, layer, std::nullopt, field});
    }
    return i;
}

} // namespace creatlas
