"""Build the outputs the QGIS style tests check (ctest fixture 'style_outputs').

For each variant (points: clusters and heritage sites as points; polygons: as
MultiPolygons) under WORK/<variant>/:
  1. make_fixture.py writes the layers under the write stage's temporary name
     (.atlas.gpkg.tmp-<pid>.gpkg), as the pipeline does;
  2. `style_fixture styles` writes layer_styles and the QGIS project into it;
  3. the file is renamed to atlas.gpkg (so the project must name the final file);
  4. `style_fixture report` writes report.html with maps beside it, and, with a
     stand-in `qgis` module that fails to import, report_noqgis.html.
It also empties WORK/demo for the demo run.

usage: build_fixtures.py --fixture-exe PATH --work DIR
"""
import argparse
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixture  # noqa: E402

# A run report as RunReport::to_json() writes it, by hand.
REPORT = {
    "project": "Demo atlas",
    "output": "atlas.gpkg",
    "version": "0.1.0",
    "started": "2026-01-01T00:00:00Z",
    "seconds": 1.5,
    "sources": [
        {"role": "heritage", "path": "heritage.geojson", "layer": "", "crs": "EPSG:4326",
         "crs_declared": False, "read": 8, "loaded": 6,
         "repaired": [{"fid": 4, "reason": "Self-intersection"}],
         "skipped": [{"fid": 7, "reason": "Too few points"}],
         "unreadable": [{"fid": 8, "reason": "no geometry"}], "gdal_messages": []},
    ],
    "key_links": [
        {"left": "clusters", "right": "cluster_attributes", "matched": 8,
         "unmatched_left": ["k9"], "unmatched_right": ["zz-unmatched-key"]},
    ],
    "layers": {"cities": 7, "clusters": 9, "heritage_sites": 6, "programmes": 4,
               "heritage_programmes": 2},
    "links": {"cluster_city": 9},
    "notes": ["a note for the report"],
}


def run(args, env=None):
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--fixture-exe", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()

    fake_qgis = os.path.join(args.work, "fake_qgis")
    os.makedirs(os.path.join(fake_qgis, "qgis"), exist_ok=True)
    with open(os.path.join(fake_qgis, "qgis", "__init__.py"), "w") as f:
        f.write('raise ImportError("simulated: QGIS is not installed")\n')

    # The demo run (style.demo.run, when sample_data exists) writes into an empty folder.
    shutil.rmtree(os.path.join(args.work, "demo"), ignore_errors=True)
    os.makedirs(os.path.join(args.work, "demo"))

    for variant in ("points", "polygons"):
        folder = os.path.join(args.work, variant)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        temp = os.path.join(folder, f".atlas.gpkg.tmp-{os.getpid()}.gpkg")
        final = os.path.join(folder, "atlas.gpkg")
        make_fixture.make(temp, polygons=(variant == "polygons"))
        run([args.fixture_exe, "styles", temp, "Demo atlas"])
        os.rename(temp, final)
        report_json = os.path.join(folder, "report.json")
        with open(report_json, "w") as f:
            json.dump(REPORT, f)
        run([args.fixture_exe, "report", final, report_json, os.path.join(folder, "report.html")])
        env = dict(os.environ, PYTHONPATH=fake_qgis, CREATLAS_PYTHON="/usr/bin/python3")
        run([args.fixture_exe, "report", final, report_json,
             os.path.join(folder, "report_noqgis.html")], env=env)


if __name__ == "__main__":
    main()
