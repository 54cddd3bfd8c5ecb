#!/usr/bin/python3
"""The spatial indexes creatlas writes (packed R-trees, issue 14), checked on a real
atlas: bench/generate at 1/100 scale with a share of points outside the city outlines,
then `creatlas run`.

Expectations come from GDAL, SQLite and validate_gpkg, never from creatlas:
  * validate_gpkg (GDAL's GeoPackage validator) is clean;
  * every layer with a geometry column has its gpkg_rtree_index row, rtreecheck() is
    ok, and the rtree holds one row per feature whose geometry is neither null nor
    empty;
  * the reference: the same atlas copied by ogr2ogr with SPATIAL_INDEX=YES (GDAL
    builds its own index, one INSERT per row), and with SPATIAL_INDEX=NO (no index:
    GDAL's spatial filter scans every feature);
  * 1,000 random windows over all layers: GDAL's spatial filter (the way ogrinfo
    -spat and QGIS filter) returns the same features from the packed index, from
    GDAL's own index and from the scan; raw SQL on the packed rtree returns exactly
    what it returns on GDAL's own rtree, and never misses a feature whose exact
    envelope (from OGR) meets the window;
  * QGIS (its OGR provider, setFilterRect) returns the same features from the packed
    index as from GDAL's own for the heritage_sites windows;
  * editing after the write through GDAL (insert, move, set null, delete) keeps the
    rtree right: rtreecheck() ok and the rows follow the features (GDAL's triggers).

Usage: test_spatial_index.py --creatlas BIN --generate bench/generate --data DIR --work DIR
"""

import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

FAILURES = []


def check(what, ok, detail=""):
    print(f"{'ok  ' if ok else 'FAIL'} {what}{(': ' + detail) if detail and not ok else ''}")
    if not ok:
        FAILURES.append(what)


def geometry_layers(path):
    db = sqlite3.connect(path)
    out = db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns "
                     "ORDER BY table_name").fetchall()
    db.close()
    return out


def envelopes(path, layer):
    """fid -> (minx, maxx, miny, maxy) of every non-null, non-empty geometry (OGR's)."""
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    lyr = ds.GetLayerByName(layer)
    out = {}
    for f in lyr:
        g = f.GetGeometryRef()
        if g is not None and not g.IsEmpty():
            out[f.GetFID()] = g.GetEnvelope()
    return out


def gdal_filter(lyr, w):
    lyr.SetSpatialFilterRect(w[0], w[2], w[1], w[3])
    lyr.ResetReading()
    fids = {f.GetFID() for f in lyr}
    lyr.SetSpatialFilter(None)
    return fids


def rtree_sql(db, table, column, w):
    return {r[0] for r in db.execute(
        f'SELECT id FROM "rtree_{table}_{column}" WHERE maxx >= ? AND minx <= ? '
        "AND maxy >= ? AND miny <= ?", (w[0], w[1], w[2], w[3]))}


def random_windows(envs, rng, n):
    """n windows over the layer's extent: random sizes from the whole extent to 1e-4 of
    it, and one in four touching a feature's box exactly at its max corner."""
    boxes = list(envs.values())
    x0 = min(b[0] for b in boxes)
    x1 = max(b[1] for b in boxes)
    y0 = min(b[2] for b in boxes)
    y1 = max(b[3] for b in boxes)
    out = []
    for i in range(n):
        if i % 4 == 3:
            b = rng.choice(boxes)
            d = (x1 - x0) * 1e-3 * rng.random()
            out.append((b[1], b[1] + d, b[3], b[3] + d))
            continue
        s = 10 ** (-4 * rng.random())
        w = (x1 - x0) * s
        h = (y1 - y0) * s
        x = x0 - w / 2 + (x1 - x0 + w) * rng.random()
        y = y0 - h / 2 + (y1 - y0 + h) * rng.random()
        out.append((x, x + w, y, y + h))
    return out


def meets(b, w):
    return b[1] >= w[0] and b[0] <= w[1] and b[3] >= w[2] and b[2] <= w[3]


def check_structure(out, layers):
    log = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", out],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    check("validate_gpkg is clean", log.returncode == 0 and log.stdout.strip() == "",
          log.stdout[-2000:])
    db = sqlite3.connect(out)
    for table, column in layers:
        rtree = f"rtree_{table}_{column}"
        ext = db.execute("SELECT count(*) FROM gpkg_extensions WHERE table_name = ? AND "
                         "column_name = ? AND extension_name = 'gpkg_rtree_index'",
                         (table, column)).fetchone()[0]
        check(f"{table}: gpkg_rtree_index registered", ext == 1)
        check(f"{table}: rtreecheck ok",
              db.execute(f"SELECT rtreecheck('{rtree}')").fetchone()[0] == "ok")
        n = db.execute(f'SELECT count(*) FROM "{rtree}"').fetchone()[0]
        want = len(envelopes(out, table))
        check(f"{table}: {n} rtree rows = {want} non-empty geometries", n == want)
        triggers = db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                              "AND tbl_name = ? AND name LIKE ?", (table, rtree + "_%")
                              ).fetchone()[0]
        check(f"{table}: six rtree triggers", triggers == 6)
    db.close()


def check_windows(out, gdal_index, no_index, layers, windows_total=1000):
    rng = random.Random(14)
    per_layer = -(-windows_total // len(layers))  # at least windows_total in all
    packed_db = sqlite3.connect(out)
    gdal_db = sqlite3.connect(gdal_index)
    ds = {name: gdal.OpenEx(p, gdal.OF_VECTOR)
          for name, p in (("packed", out), ("gdal", gdal_index), ("scan", no_index))}
    all_windows = {}
    for table, column in layers:
        envs = envelopes(out, table)
        if not envs:
            continue
        wins = random_windows(envs, rng, per_layer)
        all_windows[table] = wins
        lyrs = {k: d.GetLayerByName(table) for k, d in ds.items()}
        check(f"{table}: GDAL sees a fast spatial filter",
              lyrs["packed"].TestCapability(ogr.OLCFastSpatialFilter) == 1)
        check(f"{table}: the scan copy has no index",
              lyrs["scan"].TestCapability(ogr.OLCFastSpatialFilter) == 0)
        bad_filter = bad_sql = missed = 0
        found = 0
        for w in wins:
            got = gdal_filter(lyrs["packed"], w)
            if got != gdal_filter(lyrs["gdal"], w) or got != gdal_filter(lyrs["scan"], w):
                bad_filter += 1
            found += len(got)
            sql = rtree_sql(packed_db, table, column, w)
            if sql != rtree_sql(gdal_db, table, column, w):
                bad_sql += 1
            exact = {fid for fid, b in envs.items() if meets(b, w)}
            if not exact <= sql:
                missed += 1
        check(f"{table}: {len(wins)} windows, GDAL filter packed = GDAL's index = scan "
              f"({found} features found)", bad_filter == 0 and found > 0,
              f"{bad_filter} windows differ")
        check(f"{table}: raw SQL on the packed rtree = on GDAL's rtree", bad_sql == 0,
              f"{bad_sql} windows differ")
        check(f"{table}: raw SQL misses no feature whose envelope meets the window",
              missed == 0, f"{missed} windows miss one")
    return all_windows


QGIS_SCRIPT = r"""
import json, sys
from qgis.core import QgsApplication, QgsVectorLayer, QgsFeatureRequest, QgsRectangle
app = QgsApplication([], False)
app.initQgis()
packed, reference, table, windows = sys.argv[1], sys.argv[2], sys.argv[3], json.load(open(sys.argv[4]))
def ids(path, w):
    layer = QgsVectorLayer(f"{path}|layername={table}", table, "ogr")
    assert layer.isValid(), path
    req = QgsFeatureRequest().setFilterRect(QgsRectangle(w[0], w[2], w[1], w[3]))
    req.setFlags(QgsFeatureRequest.NoGeometry)
    return sorted(f.id() for f in layer.getFeatures(req))
differ = sum(1 for w in windows if ids(packed, w) != ids(reference, w))
found = sum(len(ids(packed, w)) for w in windows)
print(json.dumps({"differ": differ, "found": found}))
app.exitQgis()
"""


def check_qgis(out, gdal_index, windows, work):
    import json
    table = "heritage_sites"
    wins = windows.get(table, [])[:200]
    wfile = os.path.join(work, "windows.json")
    with open(wfile, "w") as f:
        json.dump(wins, f)
    script = os.path.join(work, "qgis_filter.py")
    with open(script, "w") as f:
        f.write(QGIS_SCRIPT)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    p = subprocess.run([sys.executable, script, out, gdal_index, table, wfile], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        check("QGIS filter ran", False, p.stderr[-2000:])
        return
    r = json.loads(p.stdout.strip().splitlines()[-1])
    check(f"QGIS setFilterRect: {len(wins)} windows on {table}, packed = GDAL's index "
          f"({r['found']} features found)", r["differ"] == 0 and r["found"] > 0,
          f"{r['differ']} windows differ")


def check_edits(out, work):
    """Insert, move, set null and delete through GDAL; the rtree must follow."""
    path = os.path.join(work, "edited.gpkg")
    shutil.copy(out, path)
    table = "heritage_sites"
    ds = gdal.OpenEx(path, gdal.OF_VECTOR | gdal.OF_UPDATE)
    lyr = ds.GetLayerByName(table)
    fids = sorted(f.GetFID() for f in lyr)
    moved, nulled, deleted = fids[0], fids[1], fids[2]
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (10 20)"))
    lyr.CreateFeature(f)
    added = f.GetFID()
    f = lyr.GetFeature(moved)
    f.SetGeometry(ogr.CreateGeometryFromWkt("POINT (11 21)"))
    lyr.SetFeature(f)
    f = lyr.GetFeature(nulled)
    f.SetGeometry(None)
    lyr.SetFeature(f)
    lyr.DeleteFeature(deleted)
    ds = None
    db = sqlite3.connect(path)
    rtree = f"rtree_{table}_geom"
    check("after edits: rtreecheck ok",
          db.execute(f"SELECT rtreecheck('{rtree}')").fetchone()[0] == "ok")

    def row(fid):
        return db.execute(f'SELECT minx, maxx, miny, maxy FROM "{rtree}" WHERE id = ?',
                          (fid,)).fetchone()
    check("after edits: the inserted feature is indexed at (10, 20)", row(added) == (10, 10, 20, 20))
    check("after edits: the moved feature is indexed at (11, 21)", row(moved) == (11, 11, 21, 21))
    check("after edits: the feature set to null is out of the index", row(nulled) is None)
    check("after edits: the deleted feature is out of the index", row(deleted) is None)
    n = db.execute(f'SELECT count(*) FROM "{rtree}"').fetchone()[0]
    db.close()
    check(f"after edits: {n} rtree rows = non-empty geometries", n == len(envelopes(path, table)))
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    check("after edits: GDAL's filter finds the moved feature",
          gdal_filter(ds.GetLayerByName(table), (10.9, 11.1, 20.9, 21.1)) == {moved})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--creatlas", required=True)
    ap.add_argument("--generate", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--no-qgis", action="store_true")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    data = os.path.join(a.work, "data")
    subprocess.run([sys.executable, a.generate, "--scale", "100", "--outside-share", "0.3",
                    "--out", data, "--data", a.data], check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(a.work, "atlas.gpkg")
    subprocess.run([a.creatlas, "run", os.path.join(data, "project.toml"), "-o", out,
                    "--overwrite", "-q", "--no-report"], check=True)
    layers = geometry_layers(out)
    check("the atlas has geometry layers", len(layers) >= 6, str(layers))
    check_structure(out, layers)
    names = [t for t, _ in layers]
    gdal_index = os.path.join(a.work, "gdal_index.gpkg")
    no_index = os.path.join(a.work, "no_index.gpkg")
    for path, option in ((gdal_index, "SPATIAL_INDEX=YES"), (no_index, "SPATIAL_INDEX=NO")):
        subprocess.run(["ogr2ogr", "-f", "GPKG", "-preserve_fid", "-lco", option, path, out]
                       + names, check=True)
    windows = check_windows(out, gdal_index, no_index, layers)
    if not a.no_qgis:
        check_qgis(out, gdal_index, windows, a.work)
    check_edits(out, a.work)
    print(f"{len(FAILURES)} failures")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
