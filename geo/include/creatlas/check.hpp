// creatlas — the check stage: every value is checked once, here.
//
// In:  Inputs, the tables as loaded (load.hpp).
// Out: CheckedInputs — the same tables, and the values later stages compute
//      with, parsed into typed columns that hold only values inside their
//      domain.
//
// Between load and link, in one place:
//  * text: every string (values and field names) must be valid UTF-8; a source
//    that is not is an error naming the file, feature and field, and suggests
//    the source's `encoding` key. Nothing invalid goes any further.
//  * coordinates: a feature outside the valid range of its source's CRS
//    (longitude beyond ±180 or latitude beyond ±90 for a geographic CRS; far
//    outside the CRS's area of use for a projected one) is unreadable, reported
//    by feature id with the value (the fail policy makes it an error).
//  * identifiers that name features in the output, and keys that joins match
//    on, must be unique.
//  * domains: public shares in 0–1, plausible years (a cluster's closing year not
//    before its opening year, a programme's end not before its start), non-negative
//    populations,
//    counts and money, known initiators, instruments and override values. A
//    value outside its domain is reported by source, feature and field
//    (RunReport::values) and becomes null: later stages never guess from it and
//    never throw on it.
#pragma once

#include "creatlas/load.hpp"
#include "creatlas/project.hpp"
#include "creatlas/report.hpp"

#include <optional>
#include <string>
#include <vector>

namespace creatlas {

/// Who initiated a cluster (DESIGN.md's formation typology).
enum class Initiator { Private, Joint, Public };

/// The four instruments of support policy a programme zone can carry.
enum class Instrument { Space, Cluster, Grant, Export };
const char* to_string(Instrument instrument);

/// A checked cluster attribute. It is read from the clusters' own field when they
/// have one of that name, else from [cluster_attributes] (whose rows the link
/// stage matches to clusters by key); `values` has one entry per row of that table.
template <class T> struct ClusterField {
    enum class From { Missing, Clusters, Attributes };
    From from = From::Missing;
    std::string field; ///< the field's name in the table it is read from
    std::vector<std::optional<T>> values;
};

struct CheckedInputs {
    Inputs tables;

    // cities: one per row of tables.cities
    std::vector<std::optional<double>> population; ///< persons, ≥ 0
    std::vector<bool> capital;                     ///< a regional capital ([tier])
    /// Declared centre (centre_x_field, centre_y_field), lon/lat degrees, in range.
    std::vector<std::optional<std::pair<double, double>>> centre;

    // clusters
    ClusterField<Initiator> initiator;
    ClusterField<double> public_share; ///< in [0, 1]
    ClusterField<int> opened;          ///< year, in [earliest_year, reference_year]
    /// Year the cluster closed, in [earliest_year, reference_year] and not before `opened`
    /// (compared when both are read from the same table).
    ClusterField<int> closed;

    // programmes: one per row of tables.programmes
    std::vector<std::optional<Instrument>> instrument;
    std::vector<std::optional<double>> zone_grant; ///< roubles per cluster, ≥ 0
    /// First year the zone is active, in [earliest_year, reference_year].
    std::vector<std::optional<int>> zone_start;
    /// Last year the zone is active, in [earliest_year, reference_year + 100], not before
    /// zone_start.
    std::vector<std::optional<int>> zone_end;
    bool zone_years_known = false; ///< the programmes have a start-year field

    // grants: one per row of tables.grants
    std::vector<std::optional<double>> grant_amount; ///< roubles, ≥ 0
    std::vector<std::optional<int>> grant_year;      ///< in [earliest_year, reference_year]
    bool grant_years_known = false;                  ///< the grants have a year field

    // enterprises: one per row of tables.enterprises
    /// The creative sector (index in creative_sectors()) of the activity code; nullopt =
    /// other (a code outside the mapping, or none). Empty without [enterprises] sector_field.
    std::vector<std::optional<std::size_t>> enterprise_sector;
    std::vector<std::optional<double>> employees; ///< persons, ≥ 0
    /// National enterprise count per creative sector ([enterprises] reference), one per
    /// sector; empty when the project declares no reference.
    std::vector<std::optional<double>> reference_count;

    // heritage overrides: one per row of tables.heritage_overrides
    std::vector<std::optional<bool>> override_industrial;
    std::vector<std::string> override_note;
};

/// Check every input; consumes the tables and returns them with the typed values.
/// Throws Error(BadInput) for text that is not UTF-8, duplicate identifiers and,
/// under the fail policy, coordinates out of range.
CheckedInputs check_inputs(Inputs inputs, const Project& project, RunReport& report);

} // namespace creatlas
