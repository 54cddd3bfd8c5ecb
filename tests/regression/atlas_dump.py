#!/usr/bin/python3
"""Dump the features of a creatlas GeoPackage as canonical text, layer by layer.

Read with plain SQLite (no GDAL, no creatlas), so that the dump is independent of
the code under test. For every feature table listed in gpkg_contents (sorted by
name): its columns with their declared types, then every row ordered by fid,
values in shortest round-trip form (repr) and the geometry as the hexadecimal
WKB that follows the GeoPackage blob header (the header's envelope is a writer's
detail, the geometry is not).

usage: atlas_dump.py GPKG [--hash-over N]
  --hash-over N  a layer of more than N rows is printed as one line: its name,
                 row count and the SHA-256 of its dump (for layers too big to
                 commit); 0 hashes every layer
"""
import hashlib
import sqlite3
import struct
import sys

ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}


def wkb_of(blob):
    """The WKB part of a GeoPackage geometry blob (http://www.geopackage.org/spec/#gpb_format)."""
    if blob is None:
        return "NULL"
    if blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry blob")
    flags = blob[3]
    envelope = ENVELOPE_BYTES[(flags >> 1) & 0x07]
    return blob[8 + envelope:].hex()


def text_of(value):
    if value is None:
        return "NULL"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, bytes):
        return value.hex()
    return repr(value)


def dump_layers(path):
    """Yield (layer name, list of dump lines) for every feature layer."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    tables = [r[0] for r in db.execute(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' "
        "ORDER BY table_name")]
    geometry_columns = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    for table in tables:
        columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
        pk = next(c[1] for c in columns if c[5] == 1)
        geometry = geometry_columns.get(table)
        lines = ["columns: " + ", ".join(f"{c[1]} {c[2]}" for c in columns)]
        names = [c[1] for c in columns]
        for row in db.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"'):
            cells = []
            for name, value in zip(names, row):
                cells.append(wkb_of(value) if name == geometry else text_of(value))
            lines.append(" | ".join(cells))
        yield table, lines
    db.close()


def coordinates(wkb):
    """Every coordinate of a WKB geometry (any type, 2-D to 4-D), as a flat list."""
    out = []

    def read(at):
        order = "<" if wkb[at] == 1 else ">"
        kind = struct.unpack_from(order + "I", wkb, at + 1)[0]
        at += 5
        base = kind % 1000
        dims = 2 + (1 if kind // 1000 in (1, 2) else 2 if kind // 1000 == 3 else 0)
        if base == 1:
            out.extend(struct.unpack_from(order + "d" * dims, wkb, at))
            return at + 8 * dims
        if base == 2:
            n = struct.unpack_from(order + "I", wkb, at)[0]
            out.extend(struct.unpack_from(order + "d" * (dims * n), wkb, at + 4))
            return at + 4 + 8 * dims * n
        if base == 3:
            rings = struct.unpack_from(order + "I", wkb, at)[0]
            at += 4
            for _ in range(rings):
                n = struct.unpack_from(order + "I", wkb, at)[0]
                out.extend(struct.unpack_from(order + "d" * (dims * n), wkb, at + 4))
                at += 4 + 8 * dims * n
            return at
        if base in (4, 5, 6, 7):
            parts = struct.unpack_from(order + "I", wkb, at)[0]
            at += 4
            for _ in range(parts):
                at = read(at)
            return at
        raise ValueError(f"WKB type {kind} not handled")

    read(0)
    return out


def fingerprint_layers(path):
    """A fingerprint of every feature layer that last-bit differences of the maths
    library do not change (the same code gives values that differ in the 13th
    digit on another CPU or libm variant): the row count; the SHA-256 of every
    value that is not a floating-point number or a geometry (ids, text, integers,
    and where the nulls are); and per REAL column and for the geometries'
    coordinates, the count, sum and sum of absolute values, compared with a
    relative tolerance (check_dump.py)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    tables = [r[0] for r in db.execute(
        "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' "
        "ORDER BY table_name")]
    geometry_columns = dict(db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns"))
    out = {}
    for table in tables:
        columns = db.execute(f'PRAGMA table_info("{table}")').fetchall()
        pk = next(c[1] for c in columns if c[5] == 1)
        geometry = geometry_columns.get(table)
        names = [c[1] for c in columns]
        exact = hashlib.sha256()
        sums = {}
        rows = 0
        for row in db.execute(f'SELECT * FROM "{table}" ORDER BY "{pk}"'):
            rows += 1
            cells = []
            for name, value in zip(names, row):
                if name == geometry and value is not None:
                    wkb = bytes.fromhex(wkb_of(value))
                    cells.append(f"geometry type {struct.unpack_from('<I' if wkb[0] == 1 else '>I', wkb, 1)[0]}")
                    values = coordinates(wkb)
                elif isinstance(value, float):
                    cells.append("REAL")
                    values = [value]
                else:
                    cells.append(text_of(value))
                    continue
                s = sums.setdefault(name, [0, 0.0, 0.0])
                for v in values:
                    if v == v:  # NaN counts apart
                        s[0] += 1
                        s[1] += v
                        s[2] += abs(v)
                    else:
                        cells.append("NaN")
            exact.update((" | ".join(cells) + "\n").encode("utf-8"))
        out[table] = {"rows": rows, "exact_sha256": exact.hexdigest(),
                      "reals": {k: {"count": v[0], "sum": v[1], "sum_abs": v[2]}
                                for k, v in sorted(sums.items())}}
    db.close()
    return out


def hash_line(table, lines):
    """One line naming the layer, its row count and the SHA-256 of its dump."""
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return f"## {table} ({len(lines) - 1} rows) sha256 {digest}"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    limit = None
    if sys.argv[2:3] == ["--hash-over"]:
        limit = int(sys.argv[3])
    for table, lines in dump_layers(sys.argv[1]):
        if limit is not None and len(lines) - 1 > limit:
            print(hash_line(table, lines))
        else:
            print(f"## {table} ({len(lines) - 1} rows)")
            print("\n".join(lines))


if __name__ == "__main__":
    main()
