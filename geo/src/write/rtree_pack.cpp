#include "write/rtree_pack.hpp"

#include "creatlas/error.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <sqlite3.h>
#include <string_view>

namespace creatlas::detail {

namespace {

// --- the node format -------------------------------------------------------------

constexpr int kMaxCells = 51;      // SQLite's cap on cells per node
constexpr int kCellBytes = 8 + 16; // rowid + 4 float32 (2 dimensions)
constexpr int kHeaderBytes = 4;    // depth + cell count
constexpr int kMinNodeSize = 448;  // SQLite refuses smaller nodes (512 − 64)

/// A box in the float32 coordinates the rtree stores.
struct Box {
    float minx = 0;
    float maxx = 0;
    float miny = 0;
    float maxy = 0;

    void expand(const Box& o) {
        minx = std::min(minx, o.minx);
        maxx = std::max(maxx, o.maxx);
        miny = std::min(miny, o.miny);
        maxy = std::max(maxy, o.maxy);
    }
    // Sort keys (twice the centre) in double, where the sum of two floats near
    // FLT_MAX does not overflow. A box from −inf to +inf has no centre (NaN,
    // which would break the sort's ordering): it sorts as if centred on 0.
    double cx() const { return centre(minx, maxx); }
    double cy() const { return centre(miny, maxy); }
    static double centre(float lo, float hi) {
        const double c = static_cast<double>(lo) + static_cast<double>(hi);
        return std::isnan(c) ? 0.0 : c;
    }
};

/// One cell while packing a level: its box and what it points to (an entry id
/// on the leaf level, the index of a node of the level below otherwise).
struct Item {
    Box box;
    std::int64_t ref = 0;
};

void put_u16(std::uint8_t* p, unsigned v) {
    p[0] = static_cast<std::uint8_t>(v >> 8U);
    p[1] = static_cast<std::uint8_t>(v);
}

void put_u32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) {
        p[i] = static_cast<std::uint8_t>(v);
        v >>= 8U;
    }
}

void put_i64(std::uint8_t* p, std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    for (int i = 7; i >= 0; --i) {
        p[i] = static_cast<std::uint8_t>(u);
        u >>= 8U;
    }
}

void put_cell(std::uint8_t* p, std::int64_t ref, const Box& b) {
    put_i64(p, ref);
    put_u32(p + 8, std::bit_cast<std::uint32_t>(b.minx));
    put_u32(p + 12, std::bit_cast<std::uint32_t>(b.maxx));
    put_u32(p + 16, std::bit_cast<std::uint32_t>(b.miny));
    put_u32(p + 20, std::bit_cast<std::uint32_t>(b.maxy));
}

/// Round to the nearest float32 as the FPU does, without the undefined
/// behaviour of converting a double beyond the float range: from FLT_MAX plus
/// half a float ulp on, the nearest float is infinity.
float nearest_float(double d) {
    constexpr double kMax = std::numeric_limits<float>::max();
    constexpr double kToInfinity = 0x1.ffffffp127; // FLT_MAX + 2^103 (ties go to even: inf)
    if (std::fabs(d) <= kMax || std::isnan(d)) {
        return static_cast<float>(d);
    }
    const float big = std::fabs(d) >= kToInfinity ? std::numeric_limits<float>::infinity()
                                                  : std::numeric_limits<float>::max();
    return d < 0 ? -big : big;
}

// --- Sort-Tile-Recursive --------------------------------------------------------

/// Reorder `items` so that consecutive runs form the nodes of one level, and
/// return where the runs start (plus items.size() at the end).
///
/// STR (Leutenegger, Lopez & Edgington, 1997): with P = ⌈n / capacity⌉ nodes,
/// sort by x centre, cut into ⌈√P⌉ vertical slices, sort each slice by y
/// centre and cut it into nodes. Node j takes items [j·n/P, (j+1)·n/P), so
/// every node holds ⌊n/P⌋ or ⌈n/P⌉ items: never more than capacity, and never
/// so few that SQLite's delete (which dissolves nodes under a third full)
/// would have to dissolve a node as soon as one entry goes.
std::vector<std::size_t> str_level(std::vector<Item>& items, std::size_t capacity) {
    const std::size_t n = items.size();
    const std::size_t nodes = (n + capacity - 1) / capacity;
    const auto slices = static_cast<std::size_t>(std::ceil(std::sqrt(static_cast<double>(nodes))));
    auto node_start = [&](std::size_t j) { return j * n / nodes; };
    // Ties broken by ref so that the tree depends on the data alone.
    auto by_x = [](const Item& a, const Item& b) {
        return a.box.cx() < b.box.cx() || (a.box.cx() == b.box.cx() && a.ref < b.ref);
    };
    auto by_y = [](const Item& a, const Item& b) {
        return a.box.cy() < b.box.cy() || (a.box.cy() == b.box.cy() && a.ref < b.ref);
    };
    std::sort(items.begin(), items.end(), by_x);
    for (std::size_t s = 0; s < slices; ++s) {
        const auto first = static_cast<std::ptrdiff_t>(node_start(s * nodes / slices));
        const auto last = static_cast<std::ptrdiff_t>(node_start((s + 1) * nodes / slices));
        std::sort(items.begin() + first, items.begin() + last, by_y);
    }
    std::vector<std::size_t> starts(nodes + 1);
    for (std::size_t j = 0; j <= nodes; ++j) {
        starts[j] = node_start(j);
    }
    return starts;
}

/// One level of the tree under construction: its cells in node order, and
/// where each node's cells start.
struct Level {
    std::vector<Item> cells;
    std::vector<std::size_t> starts;
    std::size_t node_count() const { return starts.size() - 1; }
};

// --- SQLite, in RAII ----------------------------------------------------------------

struct StmtDeleter {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtDeleter>;

[[noreturn]] void throw_sqlite(sqlite3* db, const std::string& what) {
    throw Error(ErrorKind::Io, what + ": " + sqlite3_errmsg(db));
}

Stmt prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr) !=
        SQLITE_OK) {
        throw_sqlite(db, "cannot prepare '" + sql + "'");
    }
    return Stmt(s);
}

void exec(sqlite3* db, const std::string& sql) {
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
        throw_sqlite(db, "cannot run '" + sql.substr(0, 80) + "'");
    }
}

/// Step a statement that returns no rows, then reset it for the next bindings.
void step_done(sqlite3* db, sqlite3_stmt* s, const char* what) {
    if (sqlite3_step(s) != SQLITE_DONE) {
        throw_sqlite(db, what);
    }
    sqlite3_reset(s);
}

/// INSERT INTO `into` (two integer columns) the `count` pairs that pair(k) gives,
/// 256 to a statement (multi-row VALUES): the shadow tables take one row per entry,
/// and SQLite's per-statement work would otherwise be paid as often.
template <typename Pair>
void insert_pairs(sqlite3* db, const std::string& into, std::size_t count, Pair&& pair,
                  const char* what) {
    constexpr std::size_t kGroup = 256;
    auto statement = [&](std::size_t rows) {
        std::string sql = "INSERT INTO " + into + " VALUES ";
        for (std::size_t r = 0; r < rows; ++r) {
            sql += r == 0 ? "(?, ?)" : ", (?, ?)";
        }
        return prepare(db, sql);
    };
    const Stmt group = count >= kGroup ? statement(kGroup) : Stmt(nullptr);
    const Stmt one = statement(1);
    std::size_t k = 0;
    for (; k + kGroup <= count; k += kGroup) {
        for (std::size_t r = 0; r < kGroup; ++r) {
            const auto [a, b] = pair(k + r);
            sqlite3_bind_int64(group.get(), static_cast<int>(2 * r) + 1, a);
            sqlite3_bind_int64(group.get(), static_cast<int>(2 * r) + 2, b);
        }
        step_done(db, group.get(), what);
    }
    for (; k < count; ++k) {
        const auto [a, b] = pair(k);
        sqlite3_bind_int64(one.get(), 1, a);
        sqlite3_bind_int64(one.get(), 2, b);
        step_done(db, one.get(), what);
    }
}

/// All of write_packed_rtree or nothing: a savepoint nests inside a caller's
/// transaction and opens one when there is none.
class Savepoint {
public:
    explicit Savepoint(sqlite3* db) : db_(db) { exec(db_, "SAVEPOINT creatlas_rtree_pack"); }
    ~Savepoint() {
        if (db_ != nullptr) {
            sqlite3_exec(db_, "ROLLBACK TO creatlas_rtree_pack", nullptr, nullptr, nullptr);
            sqlite3_exec(db_, "RELEASE creatlas_rtree_pack", nullptr, nullptr, nullptr);
        }
    }
    Savepoint(const Savepoint&) = delete;
    Savepoint& operator=(const Savepoint&) = delete;
    Savepoint(Savepoint&&) = delete;
    Savepoint& operator=(Savepoint&&) = delete;
    void release() {
        exec(db_, "RELEASE creatlas_rtree_pack");
        db_ = nullptr;
    }

private:
    sqlite3* db_;
};

/// SQLite's defensive mode makes shadow tables read-only to ordinary SQL.
/// Writing them is the point here, so lift it for the duration and put back
/// whatever the connection had.
class DefensiveOff {
public:
    explicit DefensiveOff(sqlite3* db) : db_(db) {
        sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, -1, &was_);
        if (was_ != 0) {
            sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 0, nullptr);
        }
    }
    ~DefensiveOff() {
        if (was_ != 0) {
            sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, was_, nullptr);
        }
    }
    DefensiveOff(const DefensiveOff&) = delete;
    DefensiveOff& operator=(const DefensiveOff&) = delete;
    DefensiveOff(DefensiveOff&&) = delete;
    DefensiveOff& operator=(DefensiveOff&&) = delete;

private:
    sqlite3* db_;
    int was_ = 0;
};

/// "name" with embedded double quotes doubled: an SQL identifier. GDAL quotes
/// every name this way, so its trigger text does too.
std::string quoted(std::string_view name) {
    std::string out = "\"";
    for (const char c : name) {
        out += c;
        if (c == '"') {
            out += '"';
        }
    }
    out += '"';
    return out;
}

// The SQL GDAL 3.6 runs for a layer's spatial index (read from the
// sqlite_master of GeoPackages GDAL 3.6.2 wrote; the tests compare with it).
// {R} stands for the rtree name, {T} the table, {C} the geometry column, {I}
// the primary key (each a bare name with its double quotes doubled) and {V}
// for kInsertValues. The odd spacing and the lower-case new./old. are GDAL's,
// kept so that the schema text is identical.
constexpr std::string_view kExtensionsTable =
    "CREATE TABLE gpkg_extensions (table_name TEXT,column_name TEXT,extension_name TEXT NOT "
    "NULL,definition TEXT NOT NULL,scope TEXT NOT NULL,CONSTRAINT ge_tce UNIQUE (table_name, "
    "column_name, extension_name))";
constexpr std::string_view kExtensionRow =
    "INSERT INTO gpkg_extensions (table_name,column_name,extension_name,definition,scope) "
    "VALUES (?1, ?2, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', "
    "'write-only')";
constexpr std::string_view kVirtualTable =
    "CREATE VIRTUAL TABLE \"{R}\" USING rtree(id, minx, maxx, miny, maxy)";
constexpr std::string_view kInsertValues =
    "INSERT OR REPLACE INTO \"{R}\" VALUES (NEW.\"{I}\",ST_MinX(NEW.\"{C}\"), "
    "ST_MaxX(NEW.\"{C}\"),ST_MinY(NEW.\"{C}\"), ST_MaxY(NEW.\"{C}\")); ";
constexpr std::string_view kTriggerInsert =
    "CREATE TRIGGER \"{R}_insert\" AFTER INSERT ON \"{T}\" WHEN (new.\"{C}\" NOT NULL AND NOT "
    "ST_IsEmpty(NEW.\"{C}\")) BEGIN {V}END";
constexpr std::string_view kTriggerUpdate1 =
    "CREATE TRIGGER \"{R}_update1\" AFTER UPDATE OF \"{C}\" ON \"{T}\" WHEN OLD.\"{I}\" = "
    "NEW.\"{I}\" AND (NEW.\"{C}\" NOTNULL AND NOT ST_IsEmpty(NEW.\"{C}\")) BEGIN {V}END";
constexpr std::string_view kTriggerUpdate2 =
    "CREATE TRIGGER \"{R}_update2\" AFTER UPDATE OF \"{C}\" ON \"{T}\" WHEN OLD.\"{I}\" = "
    "NEW.\"{I}\" AND (NEW.\"{C}\" ISNULL OR ST_IsEmpty(NEW.\"{C}\")) BEGIN DELETE FROM \"{R}\" "
    "WHERE id = OLD.\"{I}\"; END";
constexpr std::string_view kTriggerUpdate3 =
    "CREATE TRIGGER \"{R}_update3\" AFTER UPDATE ON \"{T}\" WHEN OLD.\"{I}\" != NEW.\"{I}\" AND "
    "(NEW.\"{C}\" NOTNULL AND NOT ST_IsEmpty(NEW.\"{C}\")) BEGIN DELETE FROM \"{R}\" WHERE id = "
    "OLD.\"{I}\"; {V}END";
constexpr std::string_view kTriggerUpdate4 =
    "CREATE TRIGGER \"{R}_update4\" AFTER UPDATE ON \"{T}\" WHEN OLD.\"{I}\" != NEW.\"{I}\" AND "
    "(NEW.\"{C}\" ISNULL OR ST_IsEmpty(NEW.\"{C}\")) BEGIN DELETE FROM \"{R}\" WHERE id IN "
    "(OLD.\"{I}\", NEW.\"{I}\"); END";
constexpr std::string_view kTriggerDelete =
    "CREATE TRIGGER \"{R}_delete\" AFTER DELETE ON \"{T}\" WHEN old.\"{C}\" NOT NULL BEGIN "
    "DELETE FROM \"{R}\" WHERE id = OLD.\"{I}\"; END";
// In GDAL's order, which is also the order of their rows in sqlite_master.
constexpr std::array<std::string_view, 6> kTriggers = {kTriggerInsert,  kTriggerUpdate1,
                                                       kTriggerUpdate2, kTriggerUpdate3,
                                                       kTriggerUpdate4, kTriggerDelete};

/// The names that fill the placeholders, already escaped.
struct Names {
    std::string rtree;
    std::string table;
    std::string column;
    std::string pk;
};

/// `tmpl` with its placeholders filled.
std::string fill(std::string_view tmpl, const Names& n) {
    std::string out;
    out.reserve(tmpl.size() + 256);
    for (std::size_t k = 0; k < tmpl.size(); ++k) {
        const bool placeholder = tmpl[k] == '{' && k + 2 < tmpl.size() && tmpl[k + 2] == '}';
        if (!placeholder) {
            out += tmpl[k];
            continue;
        }
        switch (tmpl[k + 1]) {
        case 'R':
            out += n.rtree;
            break;
        case 'T':
            out += n.table;
            break;
        case 'C':
            out += n.column;
            break;
        case 'I':
            out += n.pk;
            break;
        case 'V':
            out += fill(kInsertValues, n);
            break;
        default:
            out += tmpl.substr(k, 3);
            break;
        }
        k += 2;
    }
    return out;
}

/// The bare name inside quoted(): quoted() minus its outer quotes.
std::string escaped(std::string_view name) {
    const std::string q = quoted(name);
    return q.substr(1, q.size() - 2);
}

bool table_exists(sqlite3* db, const std::string& name) {
    Stmt s = prepare(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    sqlite3_bind_text(s.get(), 1, name.c_str(), static_cast<int>(name.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(s.get());
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        throw_sqlite(db, "cannot read sqlite_master");
    }
    return rc == SQLITE_ROW;
}

/// The table's integer primary key (GDAL's FID column), checking on the way
/// that `column` exists. Throws Error(Internal) when either is missing.
std::string primary_key(sqlite3* db, const std::string& table, const std::string& column) {
    Stmt s = prepare(db, "SELECT name, type, pk FROM pragma_table_info(?1)");
    sqlite3_bind_text(s.get(), 1, table.c_str(), static_cast<int>(table.size()), SQLITE_STATIC);
    std::string pk;
    int pk_columns = 0;
    bool has_column = false;
    int rc = 0;
    while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
        const auto* name = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
        const auto* type = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 1));
        const std::string n = name != nullptr ? name : "";
        has_column = has_column || n == column;
        if (sqlite3_column_int(s.get(), 2) > 0) {
            ++pk_columns;
            if (type != nullptr && sqlite3_stricmp(type, "INTEGER") == 0) {
                pk = n;
            }
        }
    }
    if (rc != SQLITE_DONE) {
        throw_sqlite(db, "cannot read the columns of '" + table + "'");
    }
    if (!has_column) {
        throw Error(ErrorKind::Internal,
                    "spatial index: no column '" + column + "' in '" + table + "'");
    }
    if (pk.empty() || pk_columns != 1) {
        throw Error(ErrorKind::Internal,
                    "spatial index: '" + table + "' has no INTEGER PRIMARY KEY column");
    }
    return pk;
}

} // namespace

// SQLite (ext/rtree/rtree.c) converts with the FPU's rounding to nearest and,
// when that lands on the wrong side of d, converts d scaled by 1 ∓ 2⁻²³ instead.
// That is not always the closest float on the right side, but it is what every
// index GDAL builds holds, and a packed index must hold the very same boxes to
// return the very same candidates. Only where SQLite's second try still lands on
// the wrong side do we step one float further out: below the smallest normal
// float (|d| < 2⁻¹²⁶, where a relative step of 2⁻²³ is less than the spacing of
// subnormal floats) and beyond ±FLT_MAX (where SQLite stores ±infinity for both
// bounds). There SQLite's own index can miss a feature; this one cannot.
float rtree_round_down(double d) {
    constexpr double kStep = 1.0 / 8388608.0; // 2⁻²³
    float f = nearest_float(d);
    if (static_cast<double>(f) > d) {
        f = nearest_float(d * (d < 0 ? 1.0 + kStep : 1.0 - kStep));
    }
    while (static_cast<double>(f) > d) {
        f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    }
    return f;
}

float rtree_round_up(double d) {
    constexpr double kStep = 1.0 / 8388608.0;
    float f = nearest_float(d);
    if (static_cast<double>(f) < d) {
        f = nearest_float(d * (d < 0 ? 1.0 - kStep : 1.0 + kStep));
    }
    while (static_cast<double>(f) < d) {
        f = std::nextafter(f, std::numeric_limits<float>::infinity());
    }
    return f;
}

int rtree_node_size(int page_size) {
    return std::min(page_size - 64, kHeaderBytes + kCellBytes * kMaxCells);
}

int rtree_node_size(sqlite3* db) {
    Stmt s = prepare(db, "PRAGMA page_size");
    if (sqlite3_step(s.get()) != SQLITE_ROW) {
        throw_sqlite(db, "cannot read the page size");
    }
    return rtree_node_size(sqlite3_column_int(s.get(), 0));
}

PackedRtree pack_rtree(std::vector<RtreeEntry> entries, int node_size) {
    if (node_size < kMinNodeSize) {
        throw Error(ErrorKind::Internal,
                    "spatial index: node size " + std::to_string(node_size) + " is below 448");
    }
    const auto capacity = static_cast<std::size_t>((node_size - kHeaderBytes) / kCellBytes);

    // Leaf cells: the non-empty envelopes, rounded outward as SQLite would.
    Level level;
    level.cells.reserve(entries.size());
    for (const RtreeEntry& e : entries) {
        // Written as negations so that NaN fails too.
        if (!(e.minx <= e.maxx) || !(e.miny <= e.maxy)) {
            continue;
        }
        level.cells.push_back({{rtree_round_down(e.minx), rtree_round_up(e.maxx),
                                rtree_round_down(e.miny), rtree_round_up(e.maxy)},
                               e.id});
    }
    entries = {}; // the caller's copy may be large; the cells hold what is needed

    PackedRtree tree;
    tree.node_size = node_size;
    tree.entry_count = level.cells.size();
    tree.rowid_leaf.reserve(level.cells.size());

    // Build bottom-up until one node (the root) can hold the remaining cells.
    std::vector<Level> levels; // levels[0] holds the leaves
    while (level.cells.size() > capacity) {
        level.starts = str_level(level.cells, capacity);
        Level up;
        up.cells.reserve(level.node_count());
        for (std::size_t j = 0; j < level.node_count(); ++j) {
            Box box = level.cells[level.starts[j]].box;
            for (std::size_t k = level.starts[j] + 1; k < level.starts[j + 1]; ++k) {
                box.expand(level.cells[k].box);
            }
            up.cells.push_back({box, static_cast<std::int64_t>(j)});
        }
        levels.push_back(std::move(level));
        level = std::move(up);
    }
    level.starts = {0, level.cells.size()};
    levels.push_back(std::move(level)); // the root: one node
    tree.depth = static_cast<int>(levels.size()) - 1;

    // Number the nodes breadth-first from the root (node 1), so that siblings
    // are neighbours in the _node table and each level's nodes are contiguous.
    std::vector<std::vector<std::int64_t>> number(levels.size());
    number.back() = {1};
    std::int64_t next = 2;
    std::vector<std::size_t> order = {0}; // this level's nodes in number order
    for (std::size_t l = levels.size() - 1; l > 0; --l) {
        const Level& lv = levels[l];
        number[l - 1].assign(levels[l - 1].node_count(), 0);
        std::vector<std::size_t> below;
        below.reserve(levels[l - 1].node_count());
        for (const std::size_t j : order) {
            for (std::size_t k = lv.starts[j]; k < lv.starts[j + 1]; ++k) {
                const auto child = static_cast<std::size_t>(lv.cells[k].ref);
                number[l - 1][child] = next++;
                below.push_back(child);
            }
        }
        order = std::move(below);
    }
    const auto node_count = static_cast<std::size_t>(next - 1);

    // Encode every node, and the _parent and _rowid mappings with it.
    tree.nodes.assign(node_count * static_cast<std::size_t>(node_size), 0);
    tree.parent_of.assign(node_count - 1, 0);
    for (std::size_t l = 0; l < levels.size(); ++l) {
        const Level& lv = levels[l];
        for (std::size_t j = 0; j < lv.node_count(); ++j) {
            const std::int64_t self = number[l][j];
            std::uint8_t* node = tree.nodes.data() + static_cast<std::size_t>(self - 1) * node_size;
            if (self == 1) {
                put_u16(node, static_cast<unsigned>(tree.depth));
            }
            put_u16(node + 2, static_cast<unsigned>(lv.starts[j + 1] - lv.starts[j]));
            std::uint8_t* cell = node + kHeaderBytes;
            for (std::size_t k = lv.starts[j]; k < lv.starts[j + 1]; ++k, cell += kCellBytes) {
                const Item& it = lv.cells[k];
                if (l == 0) {
                    put_cell(cell, it.ref, it.box);
                    tree.rowid_leaf.emplace_back(it.ref, self);
                } else {
                    const std::int64_t child = number[l - 1][static_cast<std::size_t>(it.ref)];
                    put_cell(cell, child, it.box);
                    tree.parent_of[static_cast<std::size_t>(child - 2)] = self;
                }
            }
        }
    }
    // Sorted by rowid, the _rowid rows go into their B-tree in append order.
    std::sort(tree.rowid_leaf.begin(), tree.rowid_leaf.end());
    const auto dup =
        std::adjacent_find(tree.rowid_leaf.begin(), tree.rowid_leaf.end(),
                           [](const auto& a, const auto& b) { return a.first == b.first; });
    if (dup != tree.rowid_leaf.end()) {
        throw Error(ErrorKind::Internal,
                    "spatial index: feature id " + std::to_string(dup->first) + " appears twice");
    }
    return tree;
}

void write_packed_rtree(sqlite3* db, const std::string& table, const std::string& column,
                        const PackedRtree& tree) {
    const std::string rtree = "rtree_" + table + "_" + column;
    const int node_size = rtree_node_size(db);
    if (tree.node_size != node_size) {
        throw Error(ErrorKind::Internal,
                    "spatial index: packed for " + std::to_string(tree.node_size) +
                        "-byte nodes, the database needs " + std::to_string(node_size));
    }
    const DefensiveOff defensive_off(db);
    Savepoint savepoint(db);
    const std::string pk = primary_key(db, table, column);
    if (table_exists(db, rtree)) {
        throw Error(ErrorKind::Internal, "spatial index: '" + rtree + "' exists already");
    }
    if (!table_exists(db, "gpkg_extensions")) {
        exec(db, std::string(kExtensionsTable));
    }
    {
        Stmt s = prepare(db, std::string(kExtensionRow));
        sqlite3_bind_text(s.get(), 1, table.c_str(), static_cast<int>(table.size()), SQLITE_STATIC);
        sqlite3_bind_text(s.get(), 2, column.c_str(), static_cast<int>(column.size()),
                          SQLITE_STATIC);
        step_done(db, s.get(), "cannot register the rtree extension in gpkg_extensions");
    }
    const Names names{escaped(rtree), escaped(table), escaped(column), escaped(pk)};
    // The module creates the shadow tables and an empty root (node 1); the
    // packed nodes then replace the root and follow it.
    exec(db, fill(kVirtualTable, names));
    {
        Stmt s = prepare(db, "INSERT OR REPLACE INTO " + quoted(rtree + "_node") +
                                 " (nodeno, data) VALUES (?1, ?2)");
        for (std::size_t k = 0; k < tree.node_count(); ++k) {
            sqlite3_bind_int64(s.get(), 1, static_cast<sqlite3_int64>(k) + 1);
            sqlite3_bind_blob(s.get(), 2, tree.nodes.data() + k * tree.node_size, tree.node_size,
                              SQLITE_STATIC);
            step_done(db, s.get(), "cannot write an rtree node");
        }
    }
    insert_pairs(
        db, quoted(rtree + "_parent") + " (nodeno, parentnode)", tree.parent_of.size(),
        [&](std::size_t k) {
            return std::pair<std::int64_t, std::int64_t>(static_cast<std::int64_t>(k) + 2,
                                                         tree.parent_of[k]);
        },
        "cannot write an rtree parent");
    insert_pairs(
        db, quoted(rtree + "_rowid") + " (rowid, nodeno)", tree.rowid_leaf.size(),
        [&](std::size_t k) { return tree.rowid_leaf[k]; }, "cannot write an rtree rowid");
    for (const std::string_view trigger : kTriggers) {
        exec(db, fill(trigger, names));
    }
    savepoint.release();
}

void write_packed_rtree(sqlite3* db, const std::string& table, const std::string& column,
                        std::vector<RtreeEntry> entries) {
    write_packed_rtree(db, table, column, pack_rtree(std::move(entries), rtree_node_size(db)));
}

} // namespace creatlas::detail
