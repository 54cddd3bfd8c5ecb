// The check stage: creative enterprises — activity codes mapped to creative sectors,
// employees, and the national reference counts by sector.
#include "check_internal.hpp"
#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "creatlas/sectors.hpp"
#include "creatlas/text.hpp"

namespace creatlas::detail {

namespace {

/// Sector of every enterprise; one note (and two counts) on those that are "other".
void classify_enterprises(const Project& p, const Table& t, CheckedInputs& out, RunReport& report) {
    const std::string field = p.enterprises.field("sector_field");
    const int k = field.empty() ? -1 : t.field_index(field);
    if (k < 0) {
        return;
    }
    out.enterprise_sector.resize(t.rows.size());
    std::int64_t other = 0;
    std::int64_t uncoded = 0;
    std::vector<std::string> examples;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const Value& v = t.rows[i].values[static_cast<std::size_t>(k)];
        const std::string code = is_null(v) ? std::string() : normalise_code(as_text(v));
        out.enterprise_sector[i] = p.sector_map.classify(code);
        if (out.enterprise_sector[i]) {
            continue;
        }
        ++other;
        if (code.empty()) {
            ++uncoded;
        } else if (examples.size() < 5) {
            examples.push_back(code);
        }
    }
    report.links["enterprises_creative"] = static_cast<std::int64_t>(t.rows.size()) - other;
    report.links["enterprises_other"] = other;
    if (other > 0) {
        std::string list;
        for (const auto& e : examples) {
            list += (list.empty() ? "" : ", ") + e;
        }
        report.notes.push_back(
            "enterprises: " + std::to_string(other) + " of " + std::to_string(t.rows.size()) +
            " are other (outside the creative sectors' mapping" +
            (uncoded > 0 ? ", " + std::to_string(uncoded) + " of them without a code" : "") + ")" +
            (list.empty() ? "" : "; codes such as " + list) +
            ": counted in ent_other, left out of the creative-economy indicators");
    }
}

/// The national reference: one count per sector, a known sector on each row.
void check_reference(const Table& t, CheckedInputs& out, RunReport& report) {
    const int ks = t.require_field("sector", "the sector column of [enterprises] reference");
    t.require_field("count", "the count column of [enterprises] reference");
    require_unique_keys(t, "sector");
    ValueChecker check(t, report);
    const auto count = check.numbers("count", 0.0, std::nullopt, "is negative");
    out.reference_count.assign(creative_sectors().size(), std::nullopt);
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
        const Value& v = t.rows[i].values[static_cast<std::size_t>(ks)];
        const std::string id = normalise_key(as_text(v));
        if (id == "other") {
            continue; // the reference may say how many are other; LQs leave them out
        }
        const auto s = sector_index(id);
        if (!s) {
            check.reject(t.rows[i], "sector", v, "is not a creative sector");
            continue;
        }
        out.reference_count[*s] = count[i];
    }
    std::string missing;
    for (std::size_t s = 0; s < creative_sectors().size(); ++s) {
        if (!out.reference_count[s]) {
            missing += (missing.empty() ? "" : ", ") + creative_sectors()[s].id;
        }
    }
    if (!missing.empty()) {
        report.notes.push_back("[enterprises] reference has no count for " + missing +
                               ": their location quotients are null");
    }
}

} // namespace

void check_enterprises(const Project& p, const Inputs& in, CheckedInputs& out, RunReport& report) {
    classify_enterprises(p, in.enterprises, out, report);
    out.employees =
        ValueChecker(in.enterprises, report)
            .numbers(p.enterprises.field("employees_field"), 0.0, std::nullopt, "is negative");
    if (!p.enterprise_reference.empty()) {
        check_reference(in.enterprise_reference, out, report);
    }
}

} // namespace creatlas::detail
