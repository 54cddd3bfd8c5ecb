#!/usr/bin/python3
"""Independent reference values for `creatlas stats`, and the comparison.

Weights are built by libpysal (Debian's python3-libpysal: Queen/Rook from the
bundled example shapefiles, W from neighbour dictionaries for points, with
geodesic distances from pyproj); each statistic is computed here from its
textbook formula in numpy (esda itself is not packaged for Debian 12). Nothing
is taken from creatlas.

Usage:
  stats_reference.py --list
  stats_reference.py --case NAME --dump                 print the reference JSON
  stats_reference.py --case NAME --creatlas PATH [--workdir DIR]
      run `creatlas stats ... --json` and compare: deterministic statistics to
      1e-6 (relative above 1), permutation pseudo p values within Monte Carlo
      error (4 standard errors of the two estimates plus one step of 1/(N+1)).
Exit status 0 when everything agrees, 1 otherwise.
"""
import argparse
import csv
import json
import math
import os
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy import stats as sps  # noqa: E402

import libpysal  # noqa: E402
from libpysal import examples  # noqa: E402
from libpysal.weights import W, Queen, Rook  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
# The real open data: CMake passes its location (CREATLAS_SHARED_DATA, which a
# git worktree elsewhere sets); a plain clone finds it at ../shared/data.
SHARED = os.environ.get("CREATLAS_SHARED_DATA") or os.path.abspath(
    os.path.join(HERE, "..", "..", "..", "shared", "data"))
RU_CITIES = os.path.join(SHARED, "ru-cities", "city.csv")

CLI_PERMUTATIONS = 999
REF_PERMUTATIONS = 9999
TOL = 1e-6


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------
def shapefile(name):
    return examples.get_path(name)


def dbf_column(path, field):
    db = libpysal.io.open(path[:-4] + ".dbf")
    return np.array(db.by_col(field), dtype=float)


def ru_cities():
    with open(RU_CITIES, encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    lon = np.array([float(r["geo_lon"]) for r in rows])
    lat = np.array([float(r["geo_lat"]) for r in rows])
    pop = np.array([float(r["population"]) for r in rows])
    return lon, lat, pop


def geodesic_matrix(lon, lat):
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    n = len(lon)
    d = np.zeros((n, n))
    for i in range(n):
        _, _, dist = geod.inv(np.full(n, lon[i]), np.full(n, lat[i]), lon, lat)
        d[i] = dist
    return d


def dense(w):
    """libpysal W -> dense matrix in id order 0..n-1."""
    m, ids = w.full()
    order = np.argsort(np.array(ids))
    return m[np.ix_(order, order)]


def contiguity(path, rule):
    cls = Queen if rule == "queen" else Rook
    return dense(cls.from_shapefile(path))


def knn_geodesic(d, k):
    n = d.shape[0]
    neigh = {}
    for i in range(n):
        idx = np.arange(n)
        mask = idx != i
        order = np.lexsort((idx[mask], d[i][mask]))  # by distance, then by index
        neigh[i] = [int(j) for j in idx[mask][order[:k]]]
    return dense(W(neigh, silence_warnings=True))


def band_geodesic(d, band):
    n = d.shape[0]
    neigh = {i: [int(j) for j in np.nonzero((d[i] <= band) & (np.arange(n) != i))[0]]
             for i in range(n)}
    return dense(W(neigh, silence_warnings=True))


def transform(wb, how):
    if how == "b":
        return wb.copy()
    rs = wb.sum(axis=1)
    out = np.zeros_like(wb)
    nz = rs > 0
    out[nz] = wb[nz] / rs[nz][:, None]
    return out


# --------------------------------------------------------------------------
# statistics, from their textbook formulas
# --------------------------------------------------------------------------
def norm_sf(z):
    return float(sps.norm.sf(z))


def moran_ref(y, w, seed=20260101):
    n = len(y)
    z = y - y.mean()
    s0 = w.sum()
    s1 = 0.5 * ((w + w.T) ** 2).sum()
    s2 = ((w.sum(axis=1) + w.sum(axis=0)) ** 2).sum()
    z2 = (z * z).sum()
    I = n / s0 * (z @ w @ z) / z2
    EI = -1.0 / (n - 1)
    VI_norm = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - EI ** 2
    z_norm = (I - EI) / math.sqrt(VI_norm)
    k = ((z ** 4).sum() / n) / ((z2 / n) ** 2)
    A = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0)
    B = k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    VI_rand = (A - B) / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - EI ** 2
    z_rand = (I - EI) / math.sqrt(VI_rand)
    rng = np.random.default_rng(seed)
    ws = sparse.csr_matrix(w)
    sims = np.empty(REF_PERMUTATIONS)
    for p in range(REF_PERMUTATIONS):
        zp = rng.permutation(z)
        sims[p] = n / s0 * (zp @ (ws @ zp)) / z2
    larger = int((sims >= I).sum())
    larger = min(larger, REF_PERMUTATIONS - larger)
    return {
        "n": n, "I": I, "EI": EI, "VI_norm": VI_norm, "z_norm": z_norm,
        "p_norm": 2 * norm_sf(abs(z_norm)), "VI_rand": VI_rand, "z_rand": z_rand,
        "p_rand": 2 * norm_sf(abs(z_rand)),
        "p_sim": (larger + 1) / (REF_PERMUTATIONS + 1),
    }


def lisa_ref(y, w, seed=20260102):
    n = len(y)
    z = (y - y.mean()) / y.std()
    den = (z * z).sum()
    lag = w @ z
    Is = (n - 1) * z * lag / den
    q = np.where(z > 0, np.where(lag > 0, 1, 4), np.where(lag > 0, 2, 3))
    rng = np.random.default_rng(seed)
    p_sim = np.full(n, np.nan)
    for i in range(n):
        nb = np.nonzero(w[i])[0]
        k = len(nb)
        if k == 0:
            continue
        wi = w[i, nb]
        others = np.delete(np.arange(n), i)
        # k of the other n - 1 features without replacement, per permutation:
        # draw k with replacement and redraw whole rows that repeat one
        # (rejection keeps every ordered k-tuple of distinct features equally likely)
        draws = rng.integers(0, n - 1, size=(REF_PERMUTATIONS, k))
        while True:
            s = np.sort(draws, axis=1)
            dup = (s[:, 1:] == s[:, :-1]).any(axis=1)
            if not dup.any():
                break
            draws[dup] = rng.integers(0, n - 1, size=(int(dup.sum()), k))
        sims = (n - 1) * z[i] * (z[others[draws]] @ wi) / den
        larger = int((sims >= Is[i]).sum())
        larger = min(larger, REF_PERMUTATIONS - larger)
        p_sim[i] = (larger + 1) / (REF_PERMUTATIONS + 1)
    return {"n": n, "Is": Is.tolist(), "q": q.tolist(), "p_sim": p_sim.tolist()}


def gistar_ref(y, wb, how):
    """Gi* with each feature its own neighbour. Binary: Getis and Ord's (1995)
    z = (Σ w x - x̄ W) / (S sqrt((n S1 - W²) / (n - 1))). Row-standardised: esda's
    moments, which take the variance of a sum of W_i values (W_i = 1)."""
    n = len(y)
    ws = wb + np.eye(n)
    ws = transform(ws, how)
    xbar = y.mean()
    s = math.sqrt((y * y).mean() - xbar ** 2)
    Wi = ws.sum(axis=1)
    if how == "b":
        S1 = (ws * ws).sum(axis=1)
        zs = (ws @ y - xbar * Wi) / (s * np.sqrt((n * S1 - Wi ** 2) / (n - 1)))
    else:
        G = ws @ y / y.sum()
        EG = Wi / n
        VG = Wi * (n - Wi) / (n - 1) / n ** 2 * (s ** 2 / xbar ** 2)
        zs = (G - EG) / np.sqrt(VG)
    return {"n": n, "Zs": zs.tolist(), "p_norm": [norm_sf(abs(v)) for v in zs]}


def nni_ref(lon, lat, area_m2=None):
    from pyproj import Geod
    from shapely.geometry import MultiPoint

    d = geodesic_matrix(lon, lat)
    np.fill_diagonal(d, np.inf)
    n = len(lon)
    if area_m2 is None:
        hull = MultiPoint(list(zip(lon, lat))).convex_hull
        area_m2 = abs(Geod(ellps="WGS84").geometry_area_perimeter(hull)[0])
    obs = d.min(axis=1).mean()
    exp = 0.5 / math.sqrt(n / area_m2)
    se = 0.26136 / math.sqrt(n * n / area_m2)
    z = (obs - exp) / se
    return {"n": n, "area_m2": area_m2, "observed_mean_m": obs, "expected_mean_m": exp,
            "nni": obs / exp, "nni_z": z, "nni_p": 2 * norm_sf(abs(z))}


# --------------------------------------------------------------------------
# cases
# --------------------------------------------------------------------------
def polygon_case(example, field, rule, how, statistic, extra=()):
    path = shapefile(example)

    def reference():
        y = dbf_column(path, field)
        wb = contiguity(path, rule)
        if statistic == "moran":
            return moran_ref(y, transform(wb, how))
        if statistic == "lisa":
            return lisa_ref(y, transform(wb, how))
        return gistar_ref(y, wb, how)

    args = ["stats", statistic, "--input", path, "--crs", "EPSG:4326", "--field", field,
            "--weights", rule, "--transform", how, *extra]
    return reference, args


def ru_cities_args(statistic, *rest):
    return ["stats", statistic, "--input", RU_CITIES, "--crs", "EPSG:4326",
            "--oo", "X_POSSIBLE_NAMES=geo_lon", "--oo", "Y_POSSIBLE_NAMES=geo_lat", *rest]


def ru_moran_knn():
    def reference():
        lon, lat, pop = ru_cities()
        return moran_ref(pop, transform(knn_geodesic(geodesic_matrix(lon, lat), 8), "r"))

    return reference, ru_cities_args("moran", "--field", "population", "--weights", "knn:8")


def ru_gistar_band():
    def reference():
        lon, lat, pop = ru_cities()
        return gistar_ref(pop, band_geodesic(geodesic_matrix(lon, lat), 150000.0), "b")

    return reference, ru_cities_args("gistar", "--field", "population", "--weights",
                                     "band:150000", "--transform", "b")


def ru_lisa_knn():
    def reference():
        lon, lat, pop = ru_cities()
        return lisa_ref(pop, transform(knn_geodesic(geodesic_matrix(lon, lat), 6), "r"))

    return reference, ru_cities_args("lisa", "--field", "population", "--weights", "knn:6")


def ru_nni_hull():
    def reference():
        lon, lat, _ = ru_cities()
        return nni_ref(lon, lat)

    return reference, ru_cities_args("nni", "--area", "hull")


CASES = {
    "columbus_moran_queen_r": lambda: polygon_case("columbus.shp", "CRIME", "queen", "r", "moran"),
    "columbus_moran_rook_b": lambda: polygon_case("columbus.shp", "CRIME", "rook", "b", "moran"),
    "columbus_lisa_queen_r": lambda: polygon_case("columbus.shp", "CRIME", "queen", "r", "lisa"),
    "columbus_lisa_queen_r_fdr": lambda: polygon_case("columbus.shp", "CRIME", "queen", "r", "lisa",
                                                      ("--fdr",)),
    "columbus_lisa_queen_r_gpkg": lambda: polygon_case("columbus.shp", "CRIME", "queen", "r",
                                                       "lisa"),
    "columbus_gistar_queen_b_gpkg": lambda: polygon_case("columbus.shp", "CRIME", "queen", "b",
                                                         "gistar"),
    "columbus_gistar_queen_b": lambda: polygon_case("columbus.shp", "CRIME", "queen", "b", "gistar"),
    "columbus_gistar_rook_r": lambda: polygon_case("columbus.shp", "HOVAL", "rook", "r", "gistar"),
    "sids2_moran_queen_r": lambda: polygon_case("sids2.shp", "SIDR79", "queen", "r", "moran"),
    "sids2_lisa_rook_r": lambda: polygon_case("sids2.shp", "SIDR79", "rook", "r", "lisa"),
    "stl_moran_rook_r": lambda: polygon_case("stl_hom.shp", "HR8893", "rook", "r", "moran"),
    "rucities_moran_knn8": ru_moran_knn,
    "rucities_gistar_band150km": ru_gistar_band,
    "rucities_lisa_knn6": ru_lisa_knn,
    "rucities_nni_hull": ru_nni_hull,
}


# --------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------
class Checker:
    def __init__(self):
        self.failures = []
        self.checked = 0

    def close(self, name, got, want, tol=TOL):
        self.checked += 1
        if got is None or want is None or not math.isfinite(want):
            if not (got is None and (want is None or not math.isfinite(want))):
                self.failures.append(f"{name}: got {got}, want {want}")
            return
        if abs(got - want) > tol * max(1.0, abs(want)):
            self.failures.append(f"{name}: got {got!r}, want {want!r} (diff {got - want:.3g})")

    def equal(self, name, got, want):
        self.checked += 1
        if got != want:
            self.failures.append(f"{name}: got {got!r}, want {want!r}")

    def pseudo_p(self, name, got, want, n_cli=CLI_PERMUTATIONS, n_ref=REF_PERMUTATIONS):
        """True when |got - want| is within Monte Carlo error of both estimates."""
        self.checked += 1
        p = min(max(want, 1.0 / (n_ref + 1)), 0.5)
        se = math.sqrt(p * (1 - p) * (1.0 / n_cli + 1.0 / n_ref))
        return abs(got - want) <= 4 * se + 1.0 / (n_cli + 1)


def compare(case, ref, out, statistic):
    c = Checker()
    if statistic == "moran":
        for key in ("I", "EI", "VI_norm", "z_norm", "p_norm", "VI_rand", "z_rand", "p_rand"):
            c.close(key, out.get(key), ref[key])
        c.equal("n", out["n"], ref["n"])
        if not c.pseudo_p("p_sim", out["p_sim"], ref["p_sim"]):
            c.failures.append(f"p_sim: got {out['p_sim']}, reference {ref['p_sim']}: "
                              "outside Monte Carlo error")
    elif statistic == "lisa":
        feats = out["features"]
        c.equal("n", len(feats), ref["n"])
        outside = []
        for i, f in enumerate(feats):
            c.close(f"Is[{i}]", f["Is"], ref["Is"][i])
            c.equal(f"q[{i}]", f["q"], ref["q"][i])
            want = ref["p_sim"][i]
            if want is None or not math.isfinite(want):
                c.equal(f"p_sim[{i}] (island)", f["p_sim"], None)
            elif not c.pseudo_p(f"p_sim[{i}]", f["p_sim"], want):
                outside.append((i, f["p_sim"], want))
        if out.get("fdr"):
            # Benjamini-Hochberg on creatlas's own pseudo p values: the threshold is
            # the largest k·alpha/m with p_(k) < k·alpha/m (0 when there is none).
            p = np.sort(np.array([f["p_sim"] for f in feats if f["p_sim"] is not None]))
            m = len(p)
            bounds = np.arange(1, m + 1) * out["alpha"] / m
            ok = np.nonzero(p < bounds)[0]
            threshold = float(bounds[ok[-1]]) if len(ok) else 0.0
            c.close("fdr threshold", out["threshold"], threshold, 1e-12)
            for i, f in enumerate(feats):
                sig = f["p_sim"] is not None and f["p_sim"] < threshold
                want = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}[f["q"]] if sig else "not significant"
                c.equal(f"label[{i}]", f["label"], want)
        # 4 standard errors: a chance miss is rare but, over a thousand features,
        # possible; more than 1 % outside is not chance.
        if len(outside) > max(1, len(feats) // 100):
            c.failures.append(f"p_sim outside Monte Carlo error for {len(outside)} features: "
                              f"{outside[:5]}")
    elif statistic == "gistar":
        feats = out["features"]
        c.equal("n", len(feats), ref["n"])
        for i, f in enumerate(feats):
            c.close(f"Zs[{i}]", f["Zs"], ref["Zs"][i])
            c.close(f"p_norm[{i}]", f["p_norm"], ref["p_norm"][i])
    elif statistic == "nni":
        for key in ("area_m2", "observed_mean_m", "expected_mean_m", "nni", "nni_z", "nni_p"):
            c.close(key, out.get(key), ref[key])
    return c


def compare_gpkg(c, path, ref, statistic):
    """The -o GeoPackage, read back with GDAL: one row per input feature, in order,
    with the per-feature results."""
    from osgeo import ogr

    ds = ogr.Open(path)
    layer = ds.GetLayerByName(statistic)
    if layer is None:
        c.failures.append(f"{path}: no layer {statistic!r}")
        return
    rows = list(layer)
    c.equal("gpkg feature count", len(rows), ref["n"])
    for i, f in enumerate(rows):
        if statistic == "lisa":
            c.close(f"gpkg lisa_i[{i}]", f.GetField("lisa_i"), ref["Is"][i])
            c.equal(f"gpkg lisa_q[{i}]", f.GetField("lisa_q"), ref["q"][i])
            c.equal(f"gpkg lisa_label[{i}] set", f.GetField("lisa_label") is not None, True)
        elif statistic == "gistar":
            c.close(f"gpkg gi_z[{i}]", f.GetField("gi_z"), ref["Zs"][i])
            c.close(f"gpkg gi_p[{i}]", f.GetField("gi_p"), 2 * ref["p_norm"][i])
        c.equal(f"gpkg geometry[{i}]", f.GetGeometryRef() is not None, True)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--case")
    ap.add_argument("--dump", action="store_true")
    ap.add_argument("--creatlas")
    ap.add_argument("--workdir", default=".")
    a = ap.parse_args()
    if a.list:
        print("\n".join(CASES))
        return 0
    if a.case not in CASES:
        ap.error(f"unknown case {a.case!r}; --list shows them")
    reference, args = CASES[a.case]()
    statistic = args[1]
    ref = reference()
    if a.dump:
        print(json.dumps(ref, indent=1))
        return 0
    if not a.creatlas:
        ap.error("--creatlas PATH is needed to compare")
    os.makedirs(a.workdir, exist_ok=True)
    cmd = [a.creatlas, *args, "--json"]
    if statistic in ("moran", "lisa"):
        cmd += ["--permutations", str(CLI_PERMUTATIONS), "--seed", "7"]
    gpkg = None
    if a.case.endswith("_gpkg"):
        gpkg = os.path.join(os.path.abspath(a.workdir), a.case + ".gpkg")
        cmd += ["-o", gpkg, "--overwrite"]
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=a.workdir)
    if run.returncode != 0:
        print("command failed:", " ".join(cmd), "\n", run.stdout, run.stderr, file=sys.stderr)
        return 1
    out = json.loads(run.stdout)
    c = compare(a.case, ref, out, statistic)
    if gpkg:
        compare_gpkg(c, gpkg, ref, statistic)
    print(f"{a.case}: {c.checked} values checked, {len(c.failures)} mismatches")
    for f in c.failures[:40]:
        print("  " + f)
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
