// The check stage: values inside their domain, or null and reported.
#include "check_internal.hpp"
#include "creatlas/text.hpp"

#include <cmath>
#include <sstream>

namespace creatlas::detail {

namespace {

std::string bound(double v) {
    std::ostringstream s;
    s << v;
    return s.str();
}

} // namespace

void ValueChecker::reject(const Row& row, const std::string& field, const Value& value,
                          const std::string& problem) {
    report_.values.push_back({table_.name, row.fid, field, as_text(value), problem});
}

std::vector<std::optional<double>> ValueChecker::numbers(const std::string& field,
                                                         std::optional<double> lo,
                                                         std::optional<double> hi,
                                                         const std::string& what) {
    std::vector<std::optional<double>> out(table_.rows.size());
    const int k = field.empty() ? -1 : table_.field_index(field);
    if (k < 0) {
        return out;
    }
    for (std::size_t i = 0; i < table_.rows.size(); ++i) {
        const Row& r = table_.rows[i];
        const Value& v = r.values[static_cast<std::size_t>(k)];
        if (is_null(v) || (std::holds_alternative<std::string>(v) &&
                           normalise_key(std::get<std::string>(v)).empty())) {
            continue; // missing is not wrong
        }
        const std::optional<double> x = as_number(v);
        if (!x) {
            reject(r, field, v, "is not a number");
            continue;
        }
        if ((lo && *x < *lo) || (hi && *x > *hi)) {
            reject(r, field, v, what);
            continue;
        }
        out[i] = x;
    }
    return out;
}

std::vector<std::optional<int>> ValueChecker::years(const std::string& field, int first, int last) {
    const std::string what = "is not a plausible year (" + bound(first) + "–" + bound(last) + ")";
    const auto raw = numbers(field, first, last, what);
    std::vector<std::optional<int>> out(raw.size());
    const int k = table_.field_index(field);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (!raw[i]) {
            continue;
        }
        const double y = *raw[i];
        if (std::abs(y - std::round(y)) > 1e-9) {
            const Row& r = table_.rows[i];
            reject(r, field, r.values[static_cast<std::size_t>(k)], "is not a whole year");
            continue;
        }
        out[i] = static_cast<int>(std::lround(y));
    }
    return out;
}

std::vector<std::optional<std::size_t>>
ValueChecker::choices(const std::string& field, const std::vector<std::vector<std::string>>& values,
                      const std::string& what) {
    std::vector<std::vector<std::string>> normalised(values.size());
    for (std::size_t c = 0; c < values.size(); ++c) {
        for (const auto& v : values[c]) {
            normalised[c].push_back(normalise_key(v));
        }
    }
    std::vector<std::optional<std::size_t>> out(table_.rows.size());
    const int k = field.empty() ? -1 : table_.field_index(field);
    if (k < 0) {
        return out;
    }
    for (std::size_t i = 0; i < table_.rows.size(); ++i) {
        const Row& r = table_.rows[i];
        const Value& v = r.values[static_cast<std::size_t>(k)];
        const std::string text = normalise_key(as_text(v));
        if (text.empty()) {
            continue;
        }
        for (std::size_t c = 0; c < normalised.size() && !out[i]; ++c) {
            for (const auto& n : normalised[c]) {
                if (n == text) {
                    out[i] = c;
                    break;
                }
            }
        }
        if (!out[i]) {
            reject(r, field, v, what);
        }
    }
    return out;
}

} // namespace creatlas::detail
