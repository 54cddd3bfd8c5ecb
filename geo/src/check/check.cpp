// The check stage as a whole (check.hpp): text, coordinates, keys, then domains.
#include "check_internal.hpp"
#include "creatlas/error.hpp"
#include "creatlas/link.hpp"
#include "creatlas/measure.hpp"
#include "creatlas/text.hpp"
#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>

namespace creatlas {

const char* to_string(Instrument instrument) {
    switch (instrument) {
    case Instrument::Space:
        return "space";
    case Instrument::Cluster:
        return "cluster";
    case Instrument::Grant:
        return "grant";
    case Instrument::Export:
        return "export";
    }
    return "?";
}

namespace {

using detail::ValueChecker;

std::string list_text(const std::vector<std::string>& values) {
    std::string out;
    for (const auto& v : values) {
        out += (out.empty() ? "" : ", ") + v;
    }
    return out;
}

/// Cities: population, capital status, declared centre.
void check_cities(const Project& p, const Table& cities, CheckedInputs& out, RunReport& report) {
    ValueChecker check(cities, report);
    out.population =
        check.numbers(p.cities.field("population_field"), 0.0, std::nullopt, "is negative");
    const auto x = check.numbers(p.cities.field("centre_x_field"), -180.0, 180.0,
                                 "is not a longitude (beyond ±180)");
    const auto y = check.numbers(p.cities.field("centre_y_field"), -90.0, 90.0,
                                 "is not a latitude (beyond ±90)");
    out.centre.resize(cities.rows.size());
    for (std::size_t i = 0; i < cities.rows.size(); ++i) {
        if (x[i] && y[i]) {
            out.centre[i] = std::make_pair(*x[i], *y[i]);
        }
    }
    out.capital.assign(cities.rows.size(), false);
    const int k = cities.field_index(p.capital_field);
    if (k < 0) {
        return;
    }
    std::vector<std::string> wanted;
    for (const auto& v : p.capital_values) {
        wanted.push_back(normalise_key(v));
    }
    for (std::size_t i = 0; i < cities.rows.size(); ++i) {
        const Value& v = cities.rows[i].values[static_cast<std::size_t>(k)];
        if (wanted.empty()) {
            // Any true value: a non-zero number, or yes/true/да.
            if (auto n = as_number(v)) {
                out.capital[i] = *n != 0.0;
                continue;
            }
            const std::string s = normalise_key(as_text(v));
            out.capital[i] = s == "yes" || s == "true" || s == "y" || s == "да" || s == "t";
        } else {
            out.capital[i] =
                std::find(wanted.begin(), wanted.end(), normalise_key(as_text(v))) != wanted.end();
        }
    }
}

/// Reject each `later` value that is smaller than its row's `earlier` value.
void not_before(ValueChecker& check, const Table& t, const std::string& field,
                std::vector<std::optional<int>>& later,
                const std::vector<std::optional<int>>& earlier, const std::string& what) {
    const int k = t.field_index(field);
    for (std::size_t i = 0; i < later.size() && i < earlier.size(); ++i) {
        if (later[i] && earlier[i] && *later[i] < *earlier[i]) {
            check.reject(t.rows[i], field, t.rows[i].values[static_cast<std::size_t>(k)],
                         what + " (" + std::to_string(*earlier[i]) + ")");
            later[i].reset();
        }
    }
}

/// Which table a cluster field is read from: the clusters' own, else the attributes'.
template <class T>
const Table* locate(const std::string& field, const Inputs& in, ClusterField<T>& out) {
    out.field = field;
    if (field.empty()) {
        return nullptr;
    }
    if (in.clusters.field_index(field) >= 0) {
        out.from = ClusterField<T>::From::Clusters;
        return &in.clusters;
    }
    if (in.cluster_attributes.field_index(field) >= 0) {
        out.from = ClusterField<T>::From::Attributes;
        return &in.cluster_attributes;
    }
    return nullptr;
}

/// Clusters: initiator, public share and opening year (the formation typology's inputs).
void check_clusters(const Project& p, const Inputs& in, CheckedInputs& out, RunReport& report) {
    const FormationParams& f = p.formation;
    if (const Table* t = locate(f.initiator_field, in, out.initiator)) {
        ValueChecker check(*t, report);
        const auto idx =
            check.choices(f.initiator_field, {f.private_values, f.joint_values, f.public_values},
                          "is not a known initiator (private: " + list_text(f.private_values) +
                              "; joint: " + list_text(f.joint_values) +
                              "; public: " + list_text(f.public_values) + ")");
        for (const auto& i : idx) {
            out.initiator.values.push_back(i ? std::optional(static_cast<Initiator>(*i))
                                             : std::nullopt);
        }
    }
    if (const Table* t = locate(f.public_share_field, in, out.public_share)) {
        out.public_share.values =
            ValueChecker(*t, report).numbers(f.public_share_field, 0.0, 1.0, "is outside 0–1");
    }
    if (const Table* t = locate(p.opened_field, in, out.opened)) {
        out.opened.values =
            ValueChecker(*t, report).years(p.opened_field, p.earliest_year, p.reference_year);
    }
    if (const Table* t = locate(p.closed_field, in, out.closed)) {
        ValueChecker check(*t, report);
        out.closed.values = check.years(p.closed_field, p.earliest_year, p.reference_year);
        // Opened and closed side by side in one table: a cluster cannot close before it
        // opened. (Read from two tables they meet only in the link stage; measure then
        // treats such a cluster as never open.)
        if (out.closed.from == out.opened.from) {
            not_before(check, *t, p.closed_field, out.closed.values, out.opened.values,
                       "is before the opening year");
        }
    }
}

/// The years of programme zones (start, end) and of grants.
void check_years(const Project& p, const Inputs& in, CheckedInputs& out, RunReport& report) {
    ValueChecker zones(in.programmes, report);
    const std::string start = p.programmes.field("start_year_field");
    const std::string end = p.programmes.field("end_year_field");
    out.zone_start = zones.years(start, p.earliest_year, p.reference_year);
    // A programme may be planned to run past the reference year.
    out.zone_end = zones.years(end, p.earliest_year, p.reference_year + 100);
    if (in.programmes.field_index(end) >= 0) {
        not_before(zones, in.programmes, end, out.zone_end, out.zone_start,
                   "is before the start year");
    }
    out.zone_years_known = !start.empty() && in.programmes.field_index(start) >= 0;
    const std::string year = p.grants.field("year_field");
    out.grant_year = ValueChecker(in.grants, report).years(year, p.earliest_year, p.reference_year);
    out.grant_years_known = !year.empty() && in.grants.field_index(year) >= 0;
}

/// Programme zones (instrument, grant per cluster), grants and heritage overrides.
void check_money_and_overrides(const Project& p, const Inputs& in, CheckedInputs& out,
                               RunReport& report) {
    ValueChecker zones(in.programmes, report);
    for (const auto& i :
         zones.choices(p.programmes.field("instrument_field"),
                       {{"space"}, {"cluster"}, {"grant"}, {"export"}},
                       "is not one of the instruments space, cluster, grant, export")) {
        out.instrument.push_back(i ? std::optional(static_cast<Instrument>(*i)) : std::nullopt);
    }
    out.zone_grant =
        zones.numbers(p.programmes.field("grant_field"), 0.0, std::nullopt, "is negative");
    out.grant_amount =
        ValueChecker(in.grants, report)
            .numbers(p.grants.field("amount_field"), 0.0, std::nullopt, "is negative");
    check_years(p, in, out, report);
    ValueChecker overrides(in.heritage_overrides, report);
    for (const auto& i :
         overrides.choices(p.heritage_overrides.field("industrial_field"),
                           {{"0", "no", "false", "нет"}, {"1", "yes", "true", "да"}},
                           "is neither 1 (industrial) nor 0 (not industrial)")) {
        out.override_industrial.push_back(i ? std::optional(*i == 1) : std::nullopt);
    }
    const int note = in.heritage_overrides.field_index(p.heritage_overrides.field("note_field"));
    for (const Row& r : in.heritage_overrides.rows) {
        out.override_note.push_back(note < 0 ? std::string()
                                             : as_text(r.values[static_cast<std::size_t>(note)]));
    }
}

/// The creative index combines city indicators; anything else is a mistake in the project.
void check_creative_components(const Project& p) {
    for (const auto& c : p.creative_components) {
        const auto& cat = indicator_catalogue();
        if (std::none_of(cat.begin(), cat.end(), [&c](const Indicator& i) {
                return i.level == Level::City && i.id == c;
            })) {
            throw_bad_input("[creative_index] components: '" + c + "' is not a city indicator",
                            {p.file, "", std::nullopt, ""});
        }
    }
}

/// A field named only by a key's default that the source does not have: its values are
/// null, and the report says so once.
void note_defaulted_fields(const Project& p, const Inputs& in, RunReport& report) {
    const std::pair<const SourceSpec*, const Table*> sources[] = {
        {&p.programmes, &in.programmes},
        {&p.grants, &in.grants},
        {&p.heritage_overrides, &in.heritage_overrides}};
    for (const auto& [spec, table] : sources) {
        if (!spec->present()) {
            continue;
        }
        for (const auto& [key, field] : spec->fields) {
            // Years are optional: without them the zones and grants are only left out
            // of the time series (city_years), which says so in its nulls.
            const bool optional_year =
                key == "start_year_field" || key == "end_year_field" || key == "year_field";
            if (!field.empty() && !optional_year && !spec->explicit_keys.contains(key) &&
                table->field_index(field) < 0) {
                report.notes.push_back("[" + spec->role + "] has no field '" + field + "' (" + key +
                                       "'s default): its values are null; name the field " +
                                       "with " + key + " in the project file");
            }
        }
    }
}

/// The chains of the check stage: the tables one value check reads together.
std::vector<std::vector<const Table*>> table_groups(const Inputs& in) {
    return {{&in.cities},
            {&in.city_areas},
            {&in.clusters, &in.cluster_attributes},
            {&in.programmes, &in.grants, &in.heritage_overrides},
            {&in.heritage},
            {&in.enterprises, &in.enterprise_reference}};
}

/// One step of the check stage, in the order a serial check takes them (`plan`). A
/// step's work may run on any worker; what it reports it keeps (`log`, `source`) until
/// `commit` hands it to the run report on the calling thread, in that order. So the
/// report, and which error stops the run, are a serial check's.
struct Step {
    std::size_t chain = 0; ///< the steps of a chain run in order on one worker
    std::function<void(const GeosContext&, Step&)> run;
    std::function<void(Step&)> commit;
    RunReport log;       ///< the value notes, notes and link counts the step makes
    SourceReport source; ///< a copy of the source's report, for the coordinates check
    std::exception_ptr error;
    bool ran = false;
};

/// A step's values, notes and counts, after those of the steps before it.
void append_log(const RunReport& log, RunReport& report) {
    report.values.insert(report.values.end(), log.values.begin(), log.values.end());
    report.notes.insert(report.notes.end(), log.notes.begin(), log.notes.end());
    for (const auto& [key, count] : log.links) {
        report.links[key] = count;
    }
}

/// The steps of check_inputs, in a serial check's order. Each source's checks, its key
/// check and the value checks that read it are one chain (`group`): they touch no
/// other chain's table, so the chains can run side by side.
std::vector<Step> plan(const Project& p, Inputs& in, CheckedInputs& out, RunReport& report) {
    const std::vector<std::vector<const Table*>> groups = table_groups(in);
    auto group = [&groups](const Table* t) {
        for (std::size_t g = 0; g < groups.size(); ++g) {
            if (std::find(groups[g].begin(), groups[g].end(), t) != groups[g].end()) {
                return g;
            }
        }
        return groups.size(); // not reached: every table is in a group
    };
    std::vector<Step> steps;
    auto add = [&steps](std::size_t chain, std::function<void(const GeosContext&, Step&)> run,
                        std::function<void(Step&)> commit) {
        Step& s = steps.emplace_back();
        s.chain = chain;
        s.run = std::move(run);
        s.commit = std::move(commit);
        return &s;
    };
    auto log_only = [&report](Step& s) { append_log(s.log, report); };
    // Text, then coordinates, source by source.
    for (const auto& entry : source_tables(p, in)) {
        // Named copies: clang 14 cannot yet capture a structured binding in a lambda.
        const auto* spec = entry.first;
        auto* table = entry.second;
        if (!spec->present()) {
            continue;
        }
        SourceReport* sr = report.source(spec->role);
        const GeometryPolicy policy = spec->geometry_policy.value_or(p.geometry_policy);
        Step* s = add(
            group(table),
            [table, spec, sr, policy](const GeosContext& geos, Step& step) {
                detail::check_text(*table, spec->encoding);
                if (sr != nullptr) {
                    detail::check_coordinates(geos, *table, policy, step.source);
                }
            },
            [sr](Step& step) {
                if (sr != nullptr) {
                    *sr = std::move(step.source);
                }
            });
        if (sr != nullptr) {
            s->source = *sr;
        }
    }
    if (!in.enterprise_reference.rows.empty()) {
        add(
            group(&in.enterprise_reference),
            [&in](const GeosContext&, Step&) { detail::check_text(in.enterprise_reference, ""); },
            [](Step&) {});
    }
    // Identifiers that name features in the output and keys joins look up must be
    // unique (in the rows the coordinates check kept).
    const std::pair<const Table*, std::string> unique[] = {
        {&in.cities, p.cities.id_field},
        {&in.clusters, p.clusters.id_field},
        {&in.heritage, p.heritage.id_field},
        {&in.programmes, p.programmes.id_field},
        {&in.cluster_attributes, p.cluster_attributes.field("key_field")},
        {&in.heritage_overrides, p.heritage_overrides.field("key_field")},
    };
    for (const auto& [table, field] : unique) {
        add(
            group(table),
            [table = table, field = field](const GeosContext&, Step&) {
                if (!table->rows.empty() && !field.empty()) {
                    require_unique_keys(*table, field);
                }
            },
            [](Step&) {});
    }
    // The project's own checks and notes: on the calling thread, in their turn.
    add(groups.size(), nullptr, [&p, &in, &report](Step&) {
        check_creative_components(p);
        note_defaulted_fields(p, in, report);
    });
    // The values, each check filling its own members of `out`.
    add(
        group(&in.cities),
        [&p, &in, &out](const GeosContext&, Step& s) { check_cities(p, in.cities, out, s.log); },
        log_only);
    add(
        group(&in.clusters),
        [&p, &in, &out](const GeosContext&, Step& s) { check_clusters(p, in, out, s.log); },
        log_only);
    add(
        group(&in.programmes),
        [&p, &in, &out](const GeosContext&, Step& s) {
            check_money_and_overrides(p, in, out, s.log);
        },
        log_only);
    add(
        group(&in.enterprises),
        [&p, &in, &out](const GeosContext&, Step& s) {
            detail::check_enterprises(p, in, out, s.log);
        },
        log_only);
    return steps;
}

} // namespace

namespace detail {

CheckedInputs check_inputs_on(Inputs in, const Project& project, RunReport& report,
                              unsigned workers) {
    CheckedInputs out;
    std::vector<Step> steps = plan(project, in, out, report);
    // The chains, those with the most rows first, so that the workers finish together.
    std::vector<std::size_t> chains;
    for (const Step& s : steps) {
        if (s.run && std::find(chains.begin(), chains.end(), s.chain) == chains.end()) {
            chains.push_back(s.chain);
        }
    }
    const std::vector<std::vector<const Table*>> groups = table_groups(in);
    auto rows_of = [&groups](std::size_t chain) {
        std::size_t n = 0;
        for (const Table* t : groups[chain]) {
            n += t->rows.size();
        }
        return n;
    };
    std::stable_sort(chains.begin(), chains.end(),
                     [&](std::size_t a, std::size_t b) { return rows_of(a) > rows_of(b); });
    std::atomic<std::size_t> next{0};
    parallel_workers(
        std::min<unsigned>(std::max(workers, 1U), static_cast<unsigned>(chains.size())),
        [&](unsigned) {
            const GeosContext geos;
            for (std::size_t c = next++; c < chains.size(); c = next++) {
                for (Step& s : steps) {
                    if (s.chain != chains[c] || !s.run) {
                        continue;
                    }
                    try {
                        s.run(geos, s);
                        s.ran = true;
                    } catch (...) {
                        // A serial check stops here; the chain's later steps
                        // would read what this one left half done.
                        s.error = std::current_exception();
                        break;
                    }
                }
            }
        });
    for (Step& s : steps) {
        if (s.error) {
            std::rethrow_exception(s.error);
        }
        if (s.run && !s.ran) {
            throw Error(ErrorKind::Internal, "check: a step did not run");
        }
        s.commit(s);
    }
    out.tables = std::move(in);
    return out;
}

} // namespace detail

CheckedInputs check_inputs(Inputs in, const Project& project, RunReport& report) {
    std::size_t rows = 0;
    for (const auto& [spec, table] : source_tables(project, in)) {
        rows += spec->present() ? table->rows.size() : 0;
    }
    // Small inputs stay on this thread (worker_count).
    return detail::check_inputs_on(std::move(in), project, report, detail::worker_count(rows));
}

} // namespace creatlas
