// creatlas — packed R-trees for GeoPackage layers (issue 14).
//
// A GeoPackage layer's spatial index (the "gpkg_rtree_index" extension) is an
// SQLite R*Tree virtual table, rtree_<table>_<column>(id, minx, maxx, miny, maxy),
// stored in three shadow tables (_node, _parent, _rowid) and kept up to date by
// six triggers on the layer's table. GDAL 3.6 fills it with one INSERT per
// feature, and every INSERT walks the tree, splits full nodes and reinserts
// cells (the R*-tree algorithm). Bulk loading does the same job in one pass:
// sort the envelopes (Sort-Tile-Recursive), cut them into full nodes level by
// level, and write the shadow tables directly in SQLite's documented node
// format (the header comment of SQLite's ext/rtree/rtree.c):
//
//   node blob   node_size bytes (all nodes equal to the root's size)
//     0..1      tree depth, big-endian (root only; 0 = the root is a leaf)
//     2..3      number of cells, big-endian
//     4..       cells of 8 bytes (rowid, or child node number) followed by
//               four big-endian float32: minx, maxx, miny, maxy
//   _parent     one row per node except the root: node -> parent node
//   _rowid      one row per entry: rowid -> leaf node
//
// The result is an ordinary R*Tree: SQLite's rtreecheck() accepts it, later
// INSERTs, UPDATEs and DELETEs (through the triggers) maintain it as usual,
// and GDAL (so QGIS, which reads GeoPackages through GDAL) and validate_gpkg
// cannot tell it from an index GDAL built, except that its nodes are full
// (3,003 nodes for 150,000 heritage objects where GDAL's index has 4,402).
// The triggers and the gpkg_extensions row are GDAL 3.6's, character for
// character.
//
// Which SQLite connection. The functions take any sqlite3* open read-write on
// the GeoPackage. The write stage should open its own connection on the
// finished file after GDAL has closed it (and before it is renamed into place),
// rather than borrow GDAL's through GetInternalHandle("SQLITE_HANDLE"), which
// GDAL 3.6's GeoPackage driver does answer:
//  - an open GDAL dataset caches per layer whether it has a spatial index and
//    which extensions it uses; an index made behind its back stays invisible
//    to that dataset, and a later GDAL call could act on the stale state;
//  - GDAL runs its own transactions on its connection (the write stage's
//    StartTransaction, and the ones GDAL opens itself); our savepoint would
//    nest in them and be undone with them;
//  - our own connection costs about a millisecond to open (0.6–0.8 ms warm on
//    a 150,000-feature file), and the costly part, pack_rtree (sorting and
//    encoding), needs no connection at all, so it can run on another thread
//    while GDAL writes the next layer.
//
// How the write stage uses it (geopackage.cpp):
//  1. it creates each layer with SPATIAL_INDEX=NO (GEOMETRY_NAME=geom, FID=fid);
//  2. for every row whose geometry is neither null nor empty it keeps
//     {FID, MinX, MaxX, MinY, MaxY} of the geometry as written (after the CRS
//     transformation and the forcing to multi-types): from the blob encoder when
//     the rows go straight into SQLite (gpkg_rows.hpp, the FID from
//     sqlite3_last_insert_rowid), from getEnvelope() and GetFID() after each
//     CreateFeature when GDAL writes them;
//  3. once a layer's rows are in, pack_rtree runs on a worker thread
//     (std::async) with the node size of the file's page size (read once from
//     GDAL's connection with PRAGMA page_size), while the next layer is written;
//  4. the rows' connection writes each layer's tree (write_packed_rtree, then
//     the caller's WriteOptions::layer_sql for the layer) inside the rows'
//     transaction before the next layer's rows, where the main thread would
//     otherwise wait for the hexagonal grid or the encoder, and the last ones
//     before the COMMIT; when GDAL wrote every layer's rows (ogr_rows), a
//     connection of our own does it, in one transaction, once GDAL has closed
//     the file;
//  5. GDAL reopens the complete file, writes the metadata, runs `finish` and
//     closes it; the file is flushed to disk (file_flush.hpp) and renamed into
//     place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace creatlas::detail {

/// One feature's envelope, in the layer's coordinates, as exact doubles (the
/// values GDAL's ST_MinX/ST_MaxX/ST_MinY/ST_MaxY return for its geometry).
/// `id` is the feature id (the table's integer primary key).
struct RtreeEntry {
    std::int64_t id = 0;
    double minx = 0;
    double maxx = 0;
    double miny = 0;
    double maxy = 0;
};

/// The float32 stored for `d` as a lower bound: never above `d`, and the very
/// float SQLite's rtree stores for it (so that a packed and an ordinary index
/// hold the same boxes) wherever SQLite's is not above `d` either — everywhere
/// but below the smallest normal float (|d| < 2⁻¹²⁶) and beyond ±FLT_MAX, where
/// SQLite's rule can round inward and this one takes the next float outward.
float rtree_round_down(double d);
/// The float32 stored for `d` as an upper bound: never below `d`; SQLite's
/// float wherever that is not below `d`.
float rtree_round_up(double d);

/// A packed R-tree, ready to be written. Node k (k = 1 is the root) is
/// nodes[(k - 1) * node_size, k * node_size).
struct PackedRtree {
    int node_size = 0;               ///< bytes per node blob
    int depth = 0;                   ///< levels below the root (0: the root is a leaf)
    std::size_t entry_count = 0;     ///< leaf cells (entries actually indexed)
    std::vector<std::uint8_t> nodes; ///< node blobs, in node-number order
    /// (rowid, leaf node number), sorted by rowid: the _rowid table.
    std::vector<std::pair<std::int64_t, std::int64_t>> rowid_leaf;
    /// parent_of[k - 2] is the parent of node k, for k = 2 … node_count().
    std::vector<std::int64_t> parent_of;

    std::size_t node_count() const {
        return node_size > 0 ? nodes.size() / static_cast<std::size_t>(node_size) : 0;
    }
};

/// The node size SQLite's rtree module chooses when it creates a 2-D rtree in a
/// database with this page size: page size − 64, at most 4 + 24 × 51 bytes
/// (51 cells). 1,228 bytes for the 4,096-byte pages GDAL writes.
int rtree_node_size(int page_size);

/// Pack `entries` into an R-tree with nodes of `node_size` bytes (see
/// rtree_node_size). Entries with an empty envelope (min > max on an axis, or
/// NaN, as OGREnvelope gives for an empty geometry) are left out, as GDAL
/// leaves out empty geometries. Each level has as few nodes as can hold its
/// cells (⌈n / capacity⌉), and they share the cells evenly (their counts
/// differ by one at most); the root holds whatever the level below leaves.
/// Pure computation, safe on any thread.
/// Throws Error(Internal) on a duplicate id or a node size below 448 bytes
/// (SQLite's minimum).
PackedRtree pack_rtree(std::vector<RtreeEntry> entries, int node_size);

/// Create the spatial index of `table`.`column` in the GeoPackage open on `db`:
/// the gpkg_extensions table (GDAL's definition) when missing, its
/// 'gpkg_rtree_index' row, the rtree_<table>_<column> virtual table with `tree`
/// in its shadow tables, and GDAL 3.6's six triggers. All of it or nothing: it
/// runs in one savepoint, inside the caller's transaction if there is one.
/// Preconditions: `table` has an integer primary key and a column `column`, and
/// no spatial index yet; `tree.node_size` is rtree_node_size of the database's
/// page size. Throws Error(Internal) when a precondition fails, Error(Io) when
/// SQLite fails.
void write_packed_rtree(sqlite3* db, const std::string& table, const std::string& column,
                        const PackedRtree& tree);

/// pack_rtree with the database's node size, then write_packed_rtree.
void write_packed_rtree(sqlite3* db, const std::string& table, const std::string& column,
                        std::vector<RtreeEntry> entries);

/// The node size for the database open on `db` (its PRAGMA page_size).
int rtree_node_size(sqlite3* db);

} // namespace creatlas::detail
