// creatlas — the in-memory feature table that flows between stages.
//
// A Table is what load produces and write consumes: named, typed fields, and
// rows that hold one value per field, the source feature id and an owned GEOS
// geometry in WGS 84 longitude/latitude degrees (null for attribute tables).
// Source field types are kept as far as GeoPackage needs them: integers,
// reals and strings; dates and other types are carried as ISO text.
#pragma once

#include "creatlas/geos.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace creatlas {

enum class FieldType { Integer, Real, String };

/// A value: null, integer, real or string (UTF-8).
using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

inline bool is_null(const Value& v) {
    return std::holds_alternative<std::monostate>(v);
}
/// The value as a number; nullopt for null or text that is not a number.
std::optional<double> as_number(const Value& v);
/// The value as text ("" for null); reals in shortest round-trip form.
std::string as_text(const Value& v);

struct FieldDef {
    std::string name;
    FieldType type = FieldType::String;
};

struct Row {
    std::int64_t fid = 0; ///< the source's feature id
    std::vector<Value> values;
    GeomPtr geom; ///< lon/lat degrees; may be null
};

/// The geometry a layer is declared with when it has no rows to tell (empty layers).
enum class GeometryHint { None, Point, Polygon };

/// What the load stage knew of a source's coordinates before it transformed them to
/// WGS 84: the check stage judges coordinate ranges by it.
struct SourceCrs {
    bool known = false;     ///< geometries were read in a CRS (own or declared)
    bool geographic = true; ///< that CRS is geographic (degrees)
    std::string name;       ///< "EPSG:4326", or the CRS's name
    bool has_area = false;  ///< the CRS declares an area of use:
    double west = -180, south = -90, east = 180, north = 90; ///< its bounds, degrees
};

struct Table {
    std::string name;   ///< role in the project: "cities", "clusters", …
    std::string source; ///< file or connection it was read from
    std::string layer;  ///< layer name in the source
    std::vector<FieldDef> fields;
    std::vector<Row> rows;
    GeometryHint empty_geometry = GeometryHint::None;
    SourceCrs crs; ///< of the source, as read (geometries are WGS 84 lon/lat)

    /// Index of the field with this exact name, or -1.
    int field_index(const std::string& field) const;
    /// Index of a field that must exist: throws a BadInput error naming the file,
    /// layer and field (`role` says what the field was wanted for).
    int require_field(const std::string& field, const std::string& role) const;
};

} // namespace creatlas
