#!/usr/bin/python3
"""The atlas stays the same: run creatlas and compare its layer-by-layer dump
(atlas_dump.py, plain SQL over the GeoPackage) with the dump committed beside
this script.

The committed dumps were made by the code before a change that must not change
results; a change that does change them deliberately replaces the dump in the
same commit and says why in its message.

usage: check_dump.py --creatlas BIN --expected FILE --work DIR
                     (--project TOML | --generate bench/generate --scale N --data DIR)
                     [--hash-over N | --fingerprint] [--update]

--fingerprint compares atlas_dump.fingerprint_layers instead of the text: exact
for everything but floating-point values and coordinates, which are compared by
their per-column count, sum and sum of absolute values to a relative 1e-9. For
the national benchmark, whose values are computed through the C library's
trigonometry: its last bits differ between CPUs and libm variants (seen with
GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA: 288 values in the 13th digit).
"""
import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import atlas_dump  # noqa: E402


def dump_text(gpkg, hash_over):
    out = []
    for table, lines in atlas_dump.dump_layers(gpkg):
        if hash_over is not None and len(lines) - 1 > hash_over:
            out.append(atlas_dump.hash_line(table, lines))
        else:
            out.append(f"## {table} ({len(lines) - 1} rows)")
            out.extend(lines)
    return "\n".join(out) + "\n"


def close(a, b, scale):
    return abs(a - b) <= 1e-9 * max(scale, 1e-300)


def compare_fingerprints(gpkg, expected, update):
    got = atlas_dump.fingerprint_layers(gpkg)
    if update:
        with open(expected, "w", encoding="utf-8") as f:
            json.dump(got, f, indent=1, sort_keys=True)
            f.write("\n")
        print(f"updated {expected}")
        return
    with open(expected, encoding="utf-8") as f:
        want = json.load(f)
    problems = []
    if sorted(got) != sorted(want):
        problems.append(f"layers {sorted(want)} expected, {sorted(got)} written")
    for table in sorted(set(got) & set(want)):
        g, w = got[table], want[table]
        for key in ("rows", "exact_sha256"):
            if g[key] != w[key]:
                problems.append(f"{table}: {key} {w[key]} expected, {g[key]} now")
        if sorted(g["reals"]) != sorted(w["reals"]):
            problems.append(f"{table}: float columns {sorted(w['reals'])} expected, "
                            f"{sorted(g['reals'])} now")
            continue
        for column, ws in w["reals"].items():
            gs = g["reals"][column]
            if gs["count"] != ws["count"] or not close(gs["sum"], ws["sum"], ws["sum_abs"]) \
                    or not close(gs["sum_abs"], ws["sum_abs"], ws["sum_abs"]):
                problems.append(f"{table}.{column}: count/sum/sum_abs {ws['count']} "
                                f"{ws['sum']!r} {ws['sum_abs']!r} expected, {gs['count']} "
                                f"{gs['sum']!r} {gs['sum_abs']!r} now")
    if problems:
        print("\n".join(problems))
        sys.exit(f"the atlas differs from {os.path.basename(expected)}")
    print(f"same fingerprint as {os.path.basename(expected)}: {len(got)} layers")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--creatlas", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--project")
    ap.add_argument("--generate")
    ap.add_argument("--scale", default="10")
    ap.add_argument("--data")
    ap.add_argument("--hash-over", type=int)
    ap.add_argument("--fingerprint", action="store_true",
                    help="compare fingerprints (exact but for floats, summed to 1e-9)")
    ap.add_argument("--update", action="store_true", help="rewrite the expected dump")
    a = ap.parse_args()
    shutil.rmtree(a.work, ignore_errors=True)
    os.makedirs(a.work)
    project = a.project
    if a.generate:
        gen = [sys.executable, a.generate, "--scale", a.scale, "--out", a.work]
        if a.data:
            gen += ["--data", a.data]
        subprocess.run(gen, check=True, stdout=subprocess.DEVNULL)
        project = os.path.join(a.work, "project.toml")
    gpkg = os.path.join(a.work, "atlas.gpkg")
    run = subprocess.run([a.creatlas, "run", project, "-o", gpkg, "--overwrite", "--no-report",
                          "-q"], capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"creatlas run failed ({run.returncode}):\n{run.stderr}")
    if a.fingerprint:
        compare_fingerprints(gpkg, a.expected, a.update)
        return
    got = dump_text(gpkg, a.hash_over)
    if a.update:
        with open(a.expected, "w", encoding="utf-8") as f:
            f.write(got)
        print(f"updated {a.expected}")
        return
    with open(a.expected, encoding="utf-8") as f:
        want = f.read()
    if got != want:
        diff = difflib.unified_diff(want.splitlines(), got.splitlines(), "committed", "now",
                                    lineterm="", n=1)
        lines = list(diff)
        print("\n".join(lines[:200]))
        if len(lines) > 200:
            print(f"... {len(lines) - 200} more diff lines")
        sys.exit(f"the atlas differs from {os.path.basename(a.expected)}")
    print(f"identical to {os.path.basename(a.expected)}: "
          f"{sum(1 for l in got.splitlines() if l.startswith('## '))} layers")


if __name__ == "__main__":
    main()
