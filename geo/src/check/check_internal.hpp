// Private to the check stage: its parts, one per kind of check.
#pragma once

#include "creatlas/check.hpp"
#include "creatlas/table.hpp"

#include <optional>
#include <string>

namespace creatlas::detail {

/// Throws BadInput at the first string of `t` (a value or a field name) that is not
/// UTF-8, naming the file, layer, feature and field; `encoding` is what the source
/// declared ("" = none), for the hint.
void check_text(const Table& t, const std::string& encoding);

/// Drop rows whose geometry lies outside the valid range of the source's CRS,
/// recording each as unreadable (with the value) in `report`; under the fail
/// policy, throw at the first. `geos` is the calling thread's context.
void check_coordinates(const GeosContext& geos, Table& t, GeometryPolicy policy,
                       SourceReport& report);

/// Enterprises: the creative sector of each activity code, employees, and the national
/// reference counts; says in the report how many enterprises fell outside the mapping.
void check_enterprises(const Project& p, const Inputs& in, CheckedInputs& out, RunReport& report);

/// check_inputs with at most `workers` workers (check_inputs takes them from the
/// machine, one for small inputs): the same result, report and error for any number.
CheckedInputs check_inputs_on(Inputs in, const Project& project, RunReport& report,
                              unsigned workers);

/// Reads one field of a table's rows into checked values, recording every value
/// outside its domain in the run report (it becomes nullopt).
class ValueChecker {
public:
    ValueChecker(const Table& table, RunReport& report) : table_(table), report_(report) {}

    /// A number in [lo, hi] (either bound may be absent); `what` names the domain.
    std::vector<std::optional<double>> numbers(const std::string& field, std::optional<double> lo,
                                               std::optional<double> hi, const std::string& what);
    /// A whole year in [first, last].
    std::vector<std::optional<int>> years(const std::string& field, int first, int last);
    /// One of `values` (compared trimmed and case-folded), mapped to its index.
    std::vector<std::optional<std::size_t>>
    choices(const std::string& field, const std::vector<std::vector<std::string>>& values,
            const std::string& what);

    /// Record a value outside its domain.
    void reject(const Row& row, const std::string& field, const Value& value,
                const std::string& problem);

private:
    const Table& table_;
    RunReport& report_;
};

} // namespace creatlas::detail
