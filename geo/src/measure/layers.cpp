// Shared by the measure stage's levels: output tables and identifiers (levels.hpp).
#include "creatlas/error.hpp"
#include "levels.hpp"
#include "parallel.hpp"

namespace creatlas::detail {

namespace {

std::vector<std::string> ids_of(const Table& t, const std::string& id_field) {
    std::vector<std::string> out;
    out.reserve(t.rows.size());
    const int idx = id_field.empty() ? -1 : t.field_index(id_field);
    for (const auto& r : t.rows) {
        out.push_back(idx < 0 ? std::to_string(r.fid)
                              : as_text(r.values[static_cast<std::size_t>(idx)]));
    }
    return out;
}

} // namespace

Ids ids_of(const CheckedInputs& in, const Project& project) {
    return {ids_of(in.tables.cities, project.cities.id_field),
            ids_of(in.tables.clusters, project.clusters.id_field),
            ids_of(in.tables.heritage, project.heritage.id_field),
            ids_of(in.tables.programmes, project.programmes.id_field)};
}

Columns columns_for(Level level, std::size_t n) {
    Columns out;
    for (const auto& ind : indicator_catalogue()) {
        if (ind.level == level) {
            out[ind.id].resize(n);
        }
    }
    return out;
}

Value opt_real(std::optional<double> v) {
    return v ? Value(*v) : Value(std::monostate{});
}

Value id_or_null(int row, const std::vector<std::string>& ids) {
    return row < 0 ? Value(std::monostate{}) : Value(ids[static_cast<std::size_t>(row)]);
}

std::string join_ids(const std::vector<int>& rows, const std::vector<std::string>& ids) {
    std::string out;
    for (int r : rows) {
        out += (out.empty() ? "" : ",") + ids[static_cast<std::size_t>(r)];
    }
    return out;
}

Table assemble(Level level, Columns& columns, Table&& input,
               const std::set<std::string>& absorbed) {
    Table out;
    out.name = layer_name(level);
    out.source = input.source;
    out.layer = input.layer;
    std::vector<Column*> order;
    std::set<std::string> names;
    for (const auto& ind : indicator_catalogue()) {
        if (ind.level != level) {
            continue;
        }
        auto it = columns.find(ind.id);
        if (it == columns.end()) {
            throw Error(ErrorKind::Internal,
                        "indicator '" + ind.id + "' of " + out.name + " was not computed");
        }
        out.fields.push_back({ind.id, ind.type});
        names.insert(ind.id);
        order.push_back(&it->second);
    }
    if (order.size() != columns.size()) {
        throw Error(ErrorKind::Internal,
                    "a computed field of " + out.name + " is missing from the indicator catalogue");
    }
    std::vector<bool> keep(input.fields.size(), true);
    for (std::size_t k = 0; k < input.fields.size(); ++k) {
        const FieldDef& f = input.fields[k];
        if (absorbed.contains(f.name) && names.contains(f.name)) {
            keep[k] = false;
            continue;
        }
        FieldDef def = f;
        while (names.contains(def.name)) {
            def.name = "src_" + def.name;
        }
        names.insert(def.name);
        out.fields.push_back(def);
    }
    // Rows split across cores: each worker moves only its rows' cells, and frees
    // what is left of its input rows.
    out.rows.resize(input.rows.size());
    parallel_rows(input.rows.size(), [&](unsigned, RowRange range) {
        for (std::size_t i = range.begin; i < range.end; ++i) {
            Row& in = input.rows[i];
            Row& row = out.rows[i];
            row.fid = in.fid;
            row.geom = std::move(in.geom);
            row.values.reserve(out.fields.size());
            for (Column* c : order) {
                row.values.push_back(std::move((*c)[i]));
            }
            for (std::size_t k = 0; k < in.values.size() && k < keep.size(); ++k) {
                if (keep[k]) {
                    row.values.push_back(std::move(in.values[k]));
                }
            }
            row.values.resize(out.fields.size());
            in.values = {};
        }
    });
    return out;
}

std::optional<Table> split_mixed(const GeosContext& geos, Table& t) {
    bool points = false;
    bool areas = false;
    for (const auto& r : t.rows) {
        if (r.geom) {
            (is_areal(geos, r.geom.get()) ? areas : points) = true;
        }
    }
    if (!points || !areas) {
        return std::nullopt;
    }
    Table f;
    f.name = t.name + "_footprints";
    f.source = t.source;
    f.layer = t.layer;
    f.fields.push_back(t.fields.front());
    for (auto& r : t.rows) {
        if (!is_areal(geos, r.geom.get())) {
            continue;
        }
        Row fr;
        fr.fid = r.fid;
        fr.values.push_back(r.values.front());
        GeomPtr anchor = geos.own(GEOSPointOnSurface_r(geos.handle(), r.geom.get()));
        fr.geom = std::move(r.geom);
        r.geom = std::move(anchor);
        f.rows.push_back(std::move(fr));
    }
    return f;
}

} // namespace creatlas::detail
