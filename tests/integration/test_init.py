"""`creatlas init` and runs that ask only for what they use (issue 16).

* InitSample: a project drafted from sample_data/ guesses the fields a person
  reads off the files' headers, keeps every other key at its default, runs as it
  is, and never overwrites a file without --overwrite;
* InitRealData (label realdata): the same on ../shared/data;
* NoClusters: `creatlas run` on heritage, programmes and cities without
  [clusters]: the overlaps are those shapely finds, cluster indicators are null
  and one note says why.
Run: CREATLAS=build/dev/geo/creatlas /usr/bin/python3 tests/integration/test_init.py -v
"""
import csv
import json
import os
import shutil
import subprocess
import tempfile
import tomllib
import unittest

from osgeo import gdal, ogr

gdal.UseExceptions()
CREATLAS = os.environ.get("CREATLAS", "creatlas")
SRC = os.environ.get("CREATLAS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.environ.get("CREATLAS_SHARED_DATA", os.path.join(SRC, "..", "shared", "data"))
SAMPLE = os.path.join(SRC, "sample_data")


def run(*args, cwd=None):
    return subprocess.run([CREATLAS, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=600)


def load_toml(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def layer_rows(path, layer):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer)
    return [f.items() for f in lyr]


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def geojson_count(path):
    with open(path, encoding="utf-8") as f:
        return len(json.load(f)["features"])


class InitSample(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="creatlas-init-")
        cls.project = os.path.join(cls.tmp, "drafts", "project.toml")
        os.makedirs(os.path.dirname(cls.project))
        cls.args = ["init", "--clusters", os.path.join(SAMPLE, "clusters.csv"),
                    "--heritage", os.path.join(SAMPLE, "heritage.geojson"),
                    "--programmes", os.path.join(SAMPLE, "programmes.geojson"),
                    "--cities", os.path.join(SAMPLE, "cities.geojson"),
                    "--cluster-attributes", os.path.join(SAMPLE, "cluster_attributes.csv"),
                    "--grants", os.path.join(SAMPLE, "grants.csv"), "-o", cls.project]
        cls.proc = run(*cls.args)
        if cls.proc.returncode != 0:
            raise AssertionError(cls.proc.stderr)
        cls.data = load_toml(cls.project)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_fields_are_guessed_from_the_headers(self):
        d = self.data
        # clusters.csv: cluster_id,name,name_en,city,lon,lat,… (no geometry, no CRS)
        self.assertEqual(d["clusters"]["id_field"], "cluster_id")
        self.assertEqual(d["clusters"]["name_field"], "name")
        self.assertEqual((d["clusters"]["x_field"], d["clusters"]["y_field"]), ("lon", "lat"))
        self.assertEqual(d["clusters"]["crs"], "EPSG:4326")
        self.assertNotIn("key_field", d["clusters"])  # no key column: the id is the key
        self.assertEqual((d["heritage"]["id_field"], d["heritage"]["name_field"]),
                         ("heritage_id", "name"))
        self.assertNotIn("x_field", d["heritage"])  # GeoJSON has geometry
        self.assertEqual(d["programmes"]["id_field"], "programme_id")
        self.assertEqual(d["programmes"]["instrument_field"], "instrument")
        self.assertEqual(d["programmes"]["grant_field"], "grant_per_cluster")
        self.assertEqual(d["cities"]["id_field"], "city_id")
        self.assertEqual(d["cities"]["population_field"], "population")
        self.assertEqual(d["cities"]["capital_field"], "regional_capital")
        self.assertEqual((d["cities"]["centre_x_field"], d["cities"]["centre_y_field"]),
                         ("centre_lon", "centre_lat"))
        self.assertEqual(d["cluster_attributes"]["key_field"], "cluster_key")
        self.assertEqual(d["grants"]["key_field"], "cluster_key")
        self.assertEqual(d["grants"]["amount_field"], "amount")
        self.assertEqual(d["grants"]["programme_field"], "programme_id")
        # [formation] fields from cluster_attributes.csv's header
        self.assertEqual(d["formation"]["initiator_field"], "initiator")
        self.assertEqual(d["formation"]["public_share_field"], "public_share")
        self.assertEqual(d["formation"]["opened_field"], "opened")

    def test_paths_are_relative_to_the_project_file(self):
        folder = os.path.dirname(self.project)
        for section, name in (("clusters", "clusters.csv"), ("grants", "grants.csv")):
            path = self.data[section]["path"]
            self.assertFalse(os.path.isabs(path), path)
            self.assertEqual(os.path.realpath(os.path.join(folder, path)),
                             os.path.realpath(os.path.join(SAMPLE, name)))

    def test_other_keys_at_their_defaults_and_commented(self):
        d = self.data
        # defaults of docs/project-file.md
        self.assertEqual(d["link"]["heritage_snap_m"], 50)
        self.assertEqual(d["link"]["city_max_distance_m"], 5000)
        self.assertEqual(d["tier"]["second_min_population"], 50000)
        self.assertEqual(d["formation"]["support_share"], 0.5)
        self.assertEqual(d["statistics"]["hex_cell_m"], 1000)
        self.assertEqual(d["project"]["geometry_policy"], "repair")
        # no fixed default: left commented, so the core's own default applies
        self.assertNotIn("reference_year", d["project"])
        self.assertNotIn("output", d["project"])
        with open(self.project, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("# reference_year = the current year", text)
        self.assertIn("guessed", text)
        # sources not given are named, commented
        self.assertIn("# [enterprises] (not given)", text)
        self.assertNotIn("enterprises", d)

    def test_the_draft_runs_as_it_is(self):
        r = run("run", self.project, "--json", "-q", "--no-report")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = os.path.join(os.path.dirname(self.project), "project.gpkg")
        clusters = layer_rows(out, "clusters")
        self.assertEqual(len(clusters), len(csv_rows(os.path.join(SAMPLE, "clusters.csv"))))
        self.assertEqual(len(layer_rows(out, "heritage_sites")),
                         geojson_count(os.path.join(SAMPLE, "heritage.geojson")))
        # the attributes were joined by the guessed key: C10 alone has no row
        # (sample_data/README.md), every other cluster gets a formation type
        untyped = sorted(c["cluster_id"] for c in clusters if c["formation_type"] is None)
        self.assertEqual(untyped, ["C10"])

    def test_never_overwrites_without_the_flag(self):
        with open(self.project, "rb") as f:
            before = f.read()
        r = run(*self.args)
        self.assertEqual(r.returncode, 1)
        self.assertIn("pass --overwrite", r.stderr)
        with open(self.project, "rb") as f:
            self.assertEqual(f.read(), before)
        r = run(*self.args, "--overwrite")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_needs_clusters_heritage_or_programmes(self):
        out = os.path.join(self.tmp, "cities-only.toml")
        r = run("init", "--cities", os.path.join(SAMPLE, "cities.geojson"), "-o", out)
        self.assertEqual(r.returncode, 2)
        self.assertIn("at least one of --clusters, --heritage or --programmes", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_russian_column_names(self):
        folder = tempfile.mkdtemp(dir=self.tmp)
        table = os.path.join(folder, "кластеры.csv")
        with open(table, "w", encoding="utf-8") as f:
            f.write("Код,Наименование,Инициатор,Доля,Год,Долгота,Широта\n"
                    "K1,Арт-завод,private,0,2017,60.6,56.8\n")
        out = os.path.join(folder, "p.toml")
        r = run("init", "--clusters", table, "-o", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        d = load_toml(out)
        self.assertEqual(d["clusters"]["id_field"], "Код")
        self.assertEqual(d["clusters"]["name_field"], "Наименование")
        self.assertEqual((d["clusters"]["x_field"], d["clusters"]["y_field"]),
                         ("Долгота", "Широта"))
        self.assertEqual(d["formation"]["initiator_field"], "Инициатор")
        self.assertEqual(d["formation"]["public_share_field"], "Доля")
        self.assertEqual(d["formation"]["opened_field"], "Год")
        r = run("run", out, "--json", "-q", "--no-report")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = layer_rows(os.path.join(folder, "p.gpkg"), "clusters")
        self.assertEqual([(c["formation_type"]) for c in rows], [1])  # private, no public money


class InitRealData(unittest.TestCase):
    """../shared/data: 1,117 Russian cities (no geometry), the Yekaterinburg register."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="creatlas-init-real-")
        cls.project = os.path.join(cls.tmp, "real.toml")
        r = run("init", "--cities", os.path.join(SHARED, "ru-cities", "city.csv"),
                "--city-areas", os.path.join(SHARED, "natural-earth", "ne_50m_urban_areas.json"),
                "--heritage", os.path.join(SHARED, "ekb-heritage", "ekb-okn.json"),
                "--programmes", os.path.join(SHARED, "ekb-heritage", "ekb-okn-protect.json"),
                "--clusters", os.path.join(SAMPLE, "clusters.csv"), "-o", cls.project)
        if r.returncode != 0:
            raise AssertionError(r.stderr)
        cls.data = load_toml(cls.project)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_fields_are_guessed(self):
        cities = self.data["cities"]
        # city.csv's header: …, city, …, kladr_id, fias_id, …, capital_marker, …,
        # geo_lat, geo_lon, population
        self.assertEqual(cities["id_field"], "kladr_id")
        self.assertEqual(cities["name_field"], "city")
        self.assertEqual(cities["population_field"], "population")
        self.assertEqual((cities["x_field"], cities["y_field"]), ("geo_lon", "geo_lat"))
        self.assertEqual(cities["crs"], "EPSG:4326")
        # capital_marker (0-3) is no yes/no field: not guessed
        self.assertNotIn("capital_field", cities)
        heritage = self.data["heritage"]
        self.assertEqual((heritage["id_field"], heritage["name_field"]), ("id", "name"))
        # the protection zones have no fields: instrument stays a commented default
        self.assertNotIn("instrument_field", self.data["programmes"])

    def test_the_draft_runs_as_it_is(self):
        r = run("run", self.project, "--json", "-q", "--no-report")
        self.assertEqual(r.returncode, 0, r.stderr)
        report = json.loads(r.stdout)
        sources = {s["role"]: s for s in report["sources"]}
        self.assertEqual(sources["cities"]["read"],
                         len(csv_rows(os.path.join(SHARED, "ru-cities", "city.csv"))))
        self.assertEqual(sources["heritage"]["read"],
                         geojson_count(os.path.join(SHARED, "ekb-heritage", "ekb-okn.json")))
        self.assertEqual(report["layers"]["cities"], sources["cities"]["read"])


class NoClusters(unittest.TestCase):
    """An atlas of heritage, programmes, their overlaps and cities, without clusters."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="creatlas-noclusters-")
        with open(os.path.join(SAMPLE, "project.toml"), "rb") as f:
            sample = tomllib.load(f)
        lines = []
        for section in ("project", "cities", "heritage", "programmes", "industrial"):
            lines.append("[{}]".format(section))
            for key, value in sample[section].items():
                if key == "output":
                    continue
                if key == "path":
                    value = os.path.join(SAMPLE, value)
                lines.append("{} = {}".format(key, json.dumps(value, ensure_ascii=False)))
        cls.project = os.path.join(cls.tmp, "no-clusters.toml")
        with open(cls.project, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        cls.proc = run("run", cls.project, "--json", "-q", "--no-report")
        if cls.proc.returncode != 0:
            raise AssertionError(cls.proc.stderr)
        cls.report = json.loads(cls.proc.stdout)
        cls.out = os.path.join(cls.tmp, "no-clusters.gpkg")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_overlaps_are_those_shapely_finds(self):
        from shapely.geometry import shape
        from shapely.validation import make_valid

        def features(name):
            with open(os.path.join(SAMPLE, name), encoding="utf-8") as f:
                return json.load(f)["features"]

        sites = [(f["properties"]["heritage_id"], shape(f["geometry"]))
                 for f in features("heritage.geojson")]
        zones = [(f["properties"]["programme_id"], make_valid(shape(f["geometry"])))
                 for f in features("programmes.geojson")]
        expected = {(h, p) for h, hg in sites for p, pg in zones if hg.intersects(pg)}
        self.assertTrue(expected)
        got = {(r["heritage_id"], r["programme_id"])
               for r in layer_rows(self.out, "heritage_programmes")}
        self.assertEqual(got, expected)

    def test_cluster_indicators_are_null_with_one_note(self):
        self.assertEqual(self.report["layers"].get("clusters", 0), 0)
        cities = layer_rows(self.out, "cities")
        self.assertEqual(len(cities), geojson_count(os.path.join(SAMPLE, "cities.geojson")))
        for city in cities:
            self.assertIsNone(city["clusters_per_100k"], city["city_id"])
        notes = [n for n in self.report["notes"] if "[clusters]" in n]
        self.assertEqual(len(notes), 1, self.report["notes"])


if __name__ == "__main__":
    unittest.main()
