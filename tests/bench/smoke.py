#!/usr/bin/python3
"""Smoke test of the benchmark harness (CI): bench/generate at 1/100 scale, then
`creatlas run` on the generated project.

Checks, with expectations that do not come from creatlas:
  * generate is deterministic: the same seed gives a byte-identical inputs.gpkg;
  * the generator's own heritage x programme count agrees with SpatiaLite's
    ST_Intersects over the generated inputs (GDAL's SQLite dialect);
  * `creatlas run` exits 0;
  * every output layer the generator can predict has the expected feature count
    (cities, clusters, heritage_sites, programmes: one row per input feature;
    heritage_programmes: one row per heritage object x programme zone that meet);
  * heritage_sites.is_industrial and clusters.formation_type have the counts the
    generator built in (industrial by both name keyword and category; formation
    shares kept away from the default thresholds).

Usage: smoke.py --creatlas BIN --generate bench/generate --data SHARED_DATA --work DIR
"""

import argparse
import filecmp
import json
import os
import shutil
import subprocess
import sys

from osgeo import gdal, ogr

gdal.UseExceptions()
ogr.UseExceptions()

SCALE = "100"


def sql_rows(path, sql, dialect="SQLite"):
    ds = gdal.OpenEx(path, gdal.OF_VECTOR)
    lyr = ds.ExecuteSQL(sql, dialect=dialect)
    rows = [[f.GetField(i) for i in range(f.GetFieldCount())] for f in lyr]
    ds.ReleaseResultSet(lyr)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--creatlas", required=True)
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
    first, second = os.path.join(a.work, "project"), os.path.join(a.work, "again")
    for out in (first, second):
        subprocess.run([sys.executable, a.generate, "--scale", SCALE, "--data", a.data,
                        "--out", out], check=True)
    check("generate is deterministic (inputs.gpkg byte-identical)",
          filecmp.cmp(os.path.join(first, "inputs.gpkg"), os.path.join(second, "inputs.gpkg"),
                      shallow=False), True)
    with open(os.path.join(first, "manifest.json")) as f:
        manifest = json.load(f)
    inputs = os.path.join(first, "inputs.gpkg")
    pairs = sql_rows(inputs, "SELECT count(*) FROM heritage h, programmes p "
                             "WHERE ST_Intersects(h.geom, p.geom)")[0][0]
    check("generator's heritage x programme pairs = SpatiaLite ST_Intersects",
          manifest["expected_layers"]["heritage_programmes"], pairs)
    for layer, n in manifest["inputs"].items():
        if layer in ("cities", "heritage", "clusters", "cluster_attributes", "programmes",
                     "enterprises"):
            ds = gdal.OpenEx(inputs, gdal.OF_VECTOR)
            check(f"input layer {layer} count", ds.GetLayerByName(layer).GetFeatureCount(), n)

    out = os.path.join(a.work, "atlas.gpkg")
    # The HTML report (QGIS-rendered maps) is not what this test is about; leave
    # it out when the CLI offers to.
    help_text = subprocess.run([a.creatlas, "run", "--help"], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True).stdout
    extra = ["--no-report"] if "--no-report" in help_text else []
    p = subprocess.run([a.creatlas, "run", os.path.join(first, "project.toml"), "-o", out,
                        "--overwrite", "-q"] + extra, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        print(p.stdout[-4000:])
        print(p.stderr[-4000:])
    check("creatlas run exit code", p.returncode, 0)
    if p.returncode == 0:
        ds = gdal.OpenEx(out, gdal.OF_VECTOR)
        names = {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}
        for layer, n in manifest["expected_layers"].items():
            got = ds.GetLayerByName(layer).GetFeatureCount() if layer in names else None
            check(f"output layer {layer} count", got, n)
        ds = None
        if "heritage_sites" in names:
            got = sql_rows(out, "SELECT count(*) FROM heritage_sites WHERE is_industrial = 1")
            check("heritage_sites with is_industrial = 1", got[0][0],
                  manifest["expected_values"]["heritage_sites.is_industrial=1"])
        if "clusters" in names:
            got = {str(t): n for t, n in sql_rows(
                out, "SELECT formation_type, count(*) FROM clusters "
                     "WHERE formation_type IS NOT NULL GROUP BY formation_type")}
            want = {t: n for t, n in manifest["expected_values"]["clusters.formation_type"]
                    .items() if n}
            check("clusters per formation_type", got, want)
    if failures:
        print(f"{len(failures)} check(s) failed: {', '.join(failures)}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
