#!/usr/bin/python3
"""bench/generate --outside-share (issue 14), at 1/100 scale, checked with tools
other than the generator itself:

  * --outside-share 0 writes byte-identical files to a run without the option;
  * --outside-share 0.3 is deterministic (byte-identical on rerun);
  * it moves round(0.3 n) heritage objects, clusters and enterprises, and leaves
    everything else as it was: cities, programme zones, cluster attributes and
    every attribute of the moved layers;
  * the manifest's count of objects outside every city polygon equals
    SpatiaLite's (ST_Intersects, GDAL's SQLite dialect);
  * every object outside every city lies within 5 km (the project's
    city_max_distance_m) of a city polygon, measured in metres in a local
    azimuthal equidistant frame (pyproj), so the nearest-city fallback links it.

Usage: generate_outside.py --generate bench/generate --data SHARED_DATA --work DIR
"""

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys

from osgeo import gdal, ogr
from pyproj import CRS, Transformer
from shapely import wkb
from shapely.ops import transform

gdal.UseExceptions()
ogr.UseExceptions()

SCALE = "100"
SHARE = 0.3
CITY_MAX_DISTANCE_M = 5000.0


def sql_rows(path, sql):
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    lyr = ds.ExecuteSQL(sql, dialect="SQLite")
    rows = [tuple(f.GetField(i) for i in range(f.GetFieldCount())) for f in lyr]
    ds.ReleaseResultSet(lyr)
    return rows


def shapes(path, layer):
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    return [wkb.loads(bytes(f.GetGeometryRef().ExportToWkb())) for f in ds.GetLayerByName(layer)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--generate", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    failures = []

    def check(what, got, want):
        ok = got == want
        print(f"{'ok  ' if ok else 'FAIL'} {what}: got {got}, expected {want}")
        if not ok:
            failures.append(what)

    shutil.rmtree(a.work, ignore_errors=True)
    runs = {"plain": [], "zero": ["--outside-share", "0"],
            "outside": ["--outside-share", str(SHARE)], "again": ["--outside-share", str(SHARE)]}
    for name, extra in runs.items():
        subprocess.run([sys.executable, a.generate, "--scale", SCALE, "--data", a.data,
                        "--out", os.path.join(a.work, name)] + extra, check=True)
    folder = {name: os.path.join(a.work, name) for name in runs}
    for f in ("inputs.gpkg", "manifest.json", "project.toml"):
        check(f"--outside-share 0: {f} byte-identical to no option",
              filecmp.cmp(os.path.join(folder["plain"], f), os.path.join(folder["zero"], f),
                          shallow=False), True)
    check("--outside-share 0.3 is deterministic (inputs.gpkg byte-identical)",
          filecmp.cmp(os.path.join(folder["outside"], "inputs.gpkg"),
                      os.path.join(folder["again"], "inputs.gpkg"), shallow=False), True)

    plain = os.path.join(folder["plain"], "inputs.gpkg")
    out = os.path.join(folder["outside"], "inputs.gpkg")
    with open(os.path.join(folder["outside"], "manifest.json")) as f:
        manifest = json.load(f)
    with open(os.path.join(folder["plain"], "manifest.json")) as f:
        plain_manifest = json.load(f)
    for layer in ("heritage", "clusters", "enterprises"):
        n = plain_manifest["inputs"][layer]
        check(f"{layer}: moved", manifest["outside"]["moved"][layer], int(round(SHARE * n)))
    # Unchanged: whole layers without geometry changes, and every attribute.
    for layer in ("cities", "programmes"):
        check(f"unchanged: {layer} geometries",
              [g.wkb for g in shapes(out, layer)] == [g.wkb for g in shapes(plain, layer)], True)
    for sql in ("SELECT * FROM cities",
                "SELECT * FROM programmes",
                "SELECT * FROM cluster_attributes",
                "SELECT fid, heritage_id, name, category, significance FROM heritage",
                "SELECT fid, cluster_id, cluster_key, name FROM clusters",
                "SELECT fid, enterprise_id, sector, staff FROM enterprises"):
        check(f"unchanged: {sql}", sql_rows(out, sql) == sql_rows(plain, sql), True)
    for layer in ("heritage", "clusters", "enterprises"):
        spatialite = sql_rows(out, f"SELECT count(*) FROM {layer} h WHERE NOT EXISTS (SELECT 1 "
                                   f"FROM cities c WHERE ST_Intersects(h.geom, c.geom))")[0][0]
        check(f"{layer}: outside every city = SpatiaLite's count",
              manifest["outside"]["outside_every_city"][layer], spatialite)

    cities = shapes(out, "cities")
    far = []
    for layer in ("heritage", "clusters", "enterprises"):
        for p in shapes(out, layer):
            if any(c.intersects(p) for c in cities):
                continue
            o = p.centroid
            frame = CRS.from_proj4(f"+proj=aeqd +lat_0={o.y} +lon_0={o.x} +datum=WGS84 +units=m")
            tr = Transformer.from_crs(CRS.from_epsg(4326), frame, always_xy=True).transform
            d = min(transform(tr, c).distance(transform(tr, p)) for c in cities)
            if d > CITY_MAX_DISTANCE_M:
                far.append(round(d))
    check("objects outside every city within 5 km of one", far, [])
    if failures:
        print(f"{len(failures)} check(s) failed: {', '.join(failures)}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
