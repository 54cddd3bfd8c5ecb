#!/usr/bin/python3
"""The creative economy on the benchmark data (issue 17), checked with tools that are
not creatlas: bench/generate (real cities of ../shared/data), `creatlas run`, then

  * per city, the creative enterprises by sector and the "other" ones equal a
    GeoPandas sjoin (points within the city polygons; a point in overlapping
    polygons kept in the first city of the layer) exactly, with the codes mapped
    to sectors by this script's own longest-prefix reading of docs/creative-sectors.md;
  * ent_per_1000 equals count / population x 1000 (1e-12 relative);
  * every lq_<sector> and krugman_index agrees with a numpy recomputation to 1e-9;
  * every cluster's ent_near equals a count of creative enterprises within 500 m by
    pyproj's geodesic distance (Karney) over all enterprises of a 0.01-degree box.

Usage: economy.py --creatlas BIN --generate bench/generate --data SHARED_DATA --work DIR
                  [--scale 10]
"""

import argparse
import os
import shutil
import subprocess
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

SECTORS = ["publishing", "film_video", "music_sound", "broadcasting", "software_it",
           "architecture", "advertising_pr", "design", "photography", "arts_performing",
           "museums_heritage", "crafts"]
# docs/creative-sectors.md, the default mapping, as written there.
PREFIXES = {"58.1": "publishing", "74.3": "publishing", "59.1": "film_video",
            "59.2": "music_sound", "60": "broadcasting", "58.2": "software_it",
            "62.01": "software_it", "62.02": "software_it", "71.11": "architecture",
            "73.1": "advertising_pr", "70.21": "advertising_pr", "74.1": "design",
            "74.2": "photography", "90": "arts_performing", "91.01": "museums_heritage",
            "91.02": "museums_heritage", "91.03": "museums_heritage", "32.12": "crafts",
            "32.13": "crafts", "32.2": "crafts", "32.99.8": "crafts"}


def sector_of(code):
    best = None
    for p, s in PREFIXES.items():
        if code.startswith(p) and (best is None or len(p) > len(best[0])):
            best = (p, s)
    return best[1] if best else "other"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--creatlas", required=True)
    ap.add_argument("--generate", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--scale", default="10")
    a = ap.parse_args()
    failures = []

    def check(what, ok, detail=""):
        print(f"{'ok  ' if ok else 'FAIL'} {what}{': ' + detail if detail else ''}")
        if not ok:
            failures.append(what)

    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    subprocess.run([sys.executable, a.generate, "--scale", a.scale, "--data", a.data,
                    "--out", a.work], check=True, stdout=subprocess.DEVNULL)
    out = os.path.join(a.work, "atlas.gpkg")
    t0 = time.time()
    subprocess.run([a.creatlas, "run", os.path.join(a.work, "project.toml"), "-o", out,
                    "--no-report", "-q"], check=True)
    print(f"creatlas run: {time.time() - t0:.1f} s")

    inputs = os.path.join(a.work, "inputs.gpkg")
    cities = gpd.read_file(inputs, layer="cities")[["city_id", "population", "geometry"]]
    cities["city_id"] = cities["city_id"].astype(str)  # the atlas writes ids as text
    ent = gpd.read_file(inputs, layer="enterprises")
    ent["sector6"] = ent["okved"].map(sector_of)
    print(f"{len(cities)} cities, {len(ent)} enterprises, "
          f"{(ent['sector6'] == 'other').sum()} other")

    # --- per-city counts: GeoPandas sjoin (within) ------------------------------------
    j = gpd.sjoin(ent, cities, how="inner", predicate="within")
    # Where city polygons overlap, an enterprise belongs to the first containing city in
    # the cities layer's order (docs/indicators.md, ent_total), not to each of them.
    overlapping = int(j.index.duplicated().sum())
    j = j.sort_values("index_right", kind="stable")
    j = j[~j.index.duplicated(keep="first")]
    print(f"{overlapping} enterprises lie in two or more overlapping city polygons")
    counts = pd.crosstab(j["city_id"], j["sector6"]).reindex(
        index=cities["city_id"], columns=SECTORS + ["other"], fill_value=0)
    res = gpd.read_file(out, layer="cities").set_index("city_id").reindex(cities["city_id"])
    creative = counts[SECTORS].sum(axis=1)
    check("ent_total = sjoin count of creative enterprises, every city",
          (res["ent_total"].astype(int).values == creative.values).all(),
          f"{int(creative.sum())} in {int((creative > 0).sum())} cities")
    check("ent_other = sjoin count of other enterprises, every city",
          (res["ent_other"].astype(int).values == counts["other"].values).all(),
          f"{int(counts['other'].sum())}")
    for s in SECTORS:
        if not (res[f"ent_{s}"].astype(int).values == counts[s].values).all():
            check(f"ent_{s} = sjoin count", False)
    check("ent_<sector> = sjoin counts, 12 sectors x every city",
          all((res[f"ent_{s}"].astype(int).values == counts[s].values).all() for s in SECTORS))
    pop = cities.set_index("city_id")["population"].astype(float)
    dens = creative / pop * 1000.0
    got = res["ent_per_1000"].astype(float)
    check("ent_per_1000 = count / population x 1000",
          np.allclose(got.values, dens.values, rtol=1e-12, atol=0))

    # --- location quotients and Krugman: numpy ----------------------------------------
    m = counts[SECTORS].to_numpy(dtype=float)
    e_c = m.sum(axis=1)
    base = m.sum(axis=0) / m.sum()
    has = e_c > 0
    share = np.divide(m, e_c[:, None], out=np.zeros_like(m), where=has[:, None])
    lq = share / base
    lq_got = res[[f"lq_{s}" for s in SECTORS]].to_numpy(dtype=float)
    want = np.where(has[:, None], lq, np.nan)
    same_null = np.array_equal(np.isnan(lq_got), np.isnan(want))
    diff = np.nanmax(np.abs(lq_got - want)) if has.any() else 0.0
    check("lq_<sector> = numpy (e_cs/e_c)/(E_s/E), null where e_c = 0",
          same_null and diff <= 1e-9, f"max |diff| {diff:.3g} over {int(has.sum())} cities")
    k_want = np.where(has, np.abs(share - base).sum(axis=1), np.nan)
    k_got = res["krugman_index"].to_numpy(dtype=float)
    kd = np.nanmax(np.abs(k_got - k_want))
    check("krugman_index = numpy sum |e_cs/e_c - E_s/E|",
          np.array_equal(np.isnan(k_got), np.isnan(k_want)) and kd <= 1e-9,
          f"max |diff| {kd:.3g}")

    # --- clusters' creative neighbourhood: pyproj geodesic ----------------------------
    geod = Geod(ellps="WGS84")
    cl = gpd.read_file(out, layer="clusters")
    cre = ent[ent["sector6"] != "other"]
    ex, ey = cre.geometry.x.to_numpy(), cre.geometry.y.to_numpy()
    bad = 0
    total = 0
    for _, c in cl.iterrows():
        x, y = c.geometry.x, c.geometry.y
        box = (np.abs(ex - x) < 0.02) & (np.abs(ey - y) < 0.01)
        n = 0
        if box.any():
            _, _, d = geod.inv(np.full(box.sum(), x), np.full(box.sum(), y), ex[box], ey[box])
            n = int((d <= 500.0).sum())
        total += n
        bad += int(c["ent_near"]) != n
    check("ent_near = pyproj geodesic count within 500 m, every cluster", bad == 0,
          f"{len(cl)} clusters, {total} enterprise links, {bad} differ")

    print("FAILED: " + ", ".join(failures) if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
