"""Tests of the creatlas QGIS plugin, run by ctest (tests/plugin/CMakeLists.txt).

The plugin is installed the way a user installs it: the zip that `plugin_zip`
builds is unpacked into an empty plugin folder of a clean QGIS profile, enabled
with `qgis_process.bin plugins enable creatlas`, and run headless with
`qgis_process.bin run creatlas:<algorithm> --json`. Results are checked

* against the creatlas CLI on the same inputs (same layers, same features,
  field by field): the plugin must be the same run, not another one;
* against expectations computed here independently of the core: counts read
  with the csv/json modules, key joins with Python's own Unicode
  normalisation, overlaps with shapely, distances with pyproj's geodesic, the
  formation types by the rules of DESIGN.md.

Environment (set by CMake): CREATLAS_QGIS_PROCESS, CREATLAS_PLUGIN_ZIP,
CREATLAS_CLI, CREATLAS_VERSION, CREATLAS_SAMPLE_DATA, CREATLAS_SHARED_DATA,
CREATLAS_TEST_TMP.
"""

import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unicodedata
import unittest
import zipfile

from osgeo import ogr

ogr.UseExceptions()

QGIS_PROCESS = os.environ.get("CREATLAS_QGIS_PROCESS", "qgis_process.bin")
PLUGIN_ZIP = os.environ.get("CREATLAS_PLUGIN_ZIP", "")
CLI = os.environ.get("CREATLAS_CLI", "")
VERSION = os.environ.get("CREATLAS_VERSION", "")
SAMPLE = os.environ.get("CREATLAS_SAMPLE_DATA", "")
SHARED = os.environ.get("CREATLAS_SHARED_DATA", "")
TEST_TMP = os.environ.get("CREATLAS_TEST_TMP", tempfile.gettempdir())

ALGORITHMS = {"creatlas:atlas", "creatlas:link", "creatlas:overlay", "creatlas:indicators",
              "creatlas:typology"}
# The contract layers (DESIGN.md, "Layers written").
CONTRACT_LAYERS = ("clusters", "heritage_sites", "cities", "programmes", "heritage_programmes",
                   "city_years")


# --- helpers -----------------------------------------------------------------------------


def fresh_dir(name):
    os.makedirs(TEST_TMP, exist_ok=True)
    return tempfile.mkdtemp(prefix=name + "-", dir=TEST_TMP)


def normalise_key(key):
    """The core's key normalisation, independently: trim, NFC, case-fold."""
    return unicodedata.normalize("NFC", key.strip()).casefold()


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_geojson(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["features"]


class Qgis:
    """A clean QGIS profile with the plugin zip unpacked into its plugin folder."""

    def __init__(self, name):
        self.root = fresh_dir(name)
        self.plugins = os.path.join(self.root, "plugins")
        with zipfile.ZipFile(PLUGIN_ZIP) as z:
            z.extractall(self.plugins)
        runtime = os.path.join(self.root, "runtime")
        os.makedirs(runtime, mode=0o700)
        self.env = dict(os.environ, QGIS_PLUGINPATH=self.plugins,
                        QGIS_CUSTOM_CONFIG_PATH=os.path.join(self.root, "config"),
                        HOME=os.path.join(self.root, "home"), XDG_RUNTIME_DIR=runtime,
                        QT_QPA_PLATFORM="offscreen")

    def process(self, *args, timeout=600):
        return subprocess.run([QGIS_PROCESS, *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def enable(self):
        return self.process("plugins", "enable", "creatlas")

    def run(self, algorithm, params):
        """qgis_process.bin run <algorithm> --json -- NAME=VALUE …; (process, json)."""
        args = ["run", algorithm, "--json", "--"]
        for name, value in params.items():
            for v in value if isinstance(value, list) and name.startswith("#") else [value]:
                args.append("{}={}".format(name, v))
        proc = self.process(*args)
        result = None
        start = proc.stdout.find("{")
        if start >= 0:
            try:
                result = json.loads(proc.stdout[start:])
            except json.JSONDecodeError:
                result = None
        return proc, result


def param_text(value):
    """A project-file value as the text of a Processing parameter."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)  # a TOML array
    return str(value)


def params_from_project(project_path, sections=None):
    """Processing parameters for a project file: `<section>` = the source's path,
    `<section>_<key>` = every other key (the plugin's naming of the schema)."""
    with open(project_path, "rb") as f:
        data = tomllib.load(f)
    base = os.path.dirname(os.path.abspath(project_path))
    params = {}
    for section, values in data.items():
        if sections is not None and section not in sections:
            continue
        for key, value in values.items():
            if (section, key) == ("project", "output"):
                continue
            if key == "path":
                params[section] = os.path.join(base, value)
            else:
                params["{}_{}".format(section, key)] = param_text(value)
    return params


def run_cli(project_path, output):
    proc = subprocess.run([CLI, "run", project_path, "-o", output, "--overwrite", "--json",
                           "-q"], capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise AssertionError("creatlas run failed ({}): {}".format(proc.returncode,
                                                                   proc.stderr))
    return json.loads(proc.stdout)


def read_layer(path, name):
    """(field names and types, geometry type, features by fid: (values, WKT))."""
    ds = ogr.Open(path)
    layer = ds.GetLayerByName(name)
    if layer is None:
        raise AssertionError("{} has no layer {}".format(path, name))
    defn = layer.GetLayerDefn()
    fields = [(defn.GetFieldDefn(i).GetName(), defn.GetFieldDefn(i).GetTypeName())
              for i in range(defn.GetFieldCount())]
    features = {}
    for feature in layer:
        geom = feature.GetGeometryRef()
        features[feature.GetFID()] = (
            [feature.GetField(i) for i in range(defn.GetFieldCount())],
            geom.ExportToIsoWkt() if geom is not None else None)
    return fields, layer.GetGeomType(), features


def layer_names(path):
    ds = ogr.Open(path)
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]


def rows_by(path, layer, key):
    fields, _, features = read_layer(path, layer)
    names = [n for n, _ in fields]
    out = {}
    for values, wkt in features.values():
        row = dict(zip(names, values))
        row["__wkt"] = wkt
        out[row[key]] = row
    return out


class Checks(unittest.TestCase):
    def assert_same_value(self, a, b, where):
        if isinstance(a, float) and isinstance(b, float):
            if math.isnan(a) and math.isnan(b):
                return
            self.assertTrue(math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12),
                            "{}: {} != {}".format(where, a, b))
        else:
            self.assertEqual(a, b, where)

    def assert_same_layer(self, path_a, layer_a, path_b, layer_b=None):
        """Same fields (names and types), geometry type and features, field by field."""
        fa, ga, rows_a = read_layer(path_a, layer_a)
        fb, gb, rows_b = read_layer(path_b, layer_b or layer_a)
        # A copy through a Processing sink may add GeoPackage's own `fid` column.
        fb_cmp = [f for f in fb if f[0] != "fid"] if len(fb) == len(fa) + 1 else fb
        self.assertEqual(fa, fb_cmp, "fields of {}".format(layer_a))
        self.assertEqual(ga, gb, "geometry type of {}".format(layer_a))
        self.assertEqual(len(rows_a), len(rows_b), "feature count of {}".format(layer_a))
        skip = [i for i, f in enumerate(fb) if f not in fa]
        list_a = sorted(rows_a.items())
        list_b = sorted(rows_b.items())
        for (fid_a, (va, wa)), (_fid_b, (vb, wb)) in zip(list_a, list_b):
            vb = [v for i, v in enumerate(vb) if i not in skip]
            for (name, _), x, y in zip(fa, va, vb):
                self.assert_same_value(x, y, "{} fid {} field {}".format(layer_a, fid_a, name))
            self.assertEqual(wa, wb, "{} fid {} geometry".format(layer_a, fid_a))

    def assert_same_report(self, plugin_report, cli_report):
        """The parts of the run report that do not depend on time or output name."""
        self.assertEqual(plugin_report["layers"], cli_report["layers"])
        self.assertEqual(plugin_report["links"], cli_report["links"])
        self.assertEqual(plugin_report["key_links"], cli_report["key_links"])
        self.assertEqual(plugin_report["version"], VERSION)
        by_role = {s["role"]: s for s in cli_report["sources"]}
        self.assertEqual(sorted(by_role), sorted(s["role"] for s in plugin_report["sources"]))
        for s in plugin_report["sources"]:
            c = by_role[s["role"]]
            for key in ("read", "loaded", "repaired", "skipped", "unreadable", "crs"):
                self.assertEqual(s[key], c[key], "{} {}".format(s["role"], key))

    def assert_ok(self, proc, result):
        self.assertEqual(proc.returncode, 0, "qgis_process failed:\n{}\n{}".format(
            proc.stdout[-3000:], proc.stderr[-3000:]))
        self.assertIsNotNone(result, "no JSON on stdout:\n" + proc.stdout[-3000:])
        return result["results"]


class QgisCase(Checks):
    """A test class with its own clean profile and the plugin enabled."""

    @classmethod
    def setUpClass(cls):
        cls.qgis = Qgis(cls.__name__)
        proc = cls.qgis.enable()
        if proc.returncode != 0:
            raise AssertionError("plugins enable creatlas failed:\n{}\n{}".format(
                proc.stdout, proc.stderr))
        cls.out = os.path.join(cls.qgis.root, "out")
        os.makedirs(cls.out)


# --- the module, in-process --------------------------------------------------------------


def import_module():
    """Import the plugin's compiled module from the zip's content."""
    folder = fresh_dir("module")
    with zipfile.ZipFile(PLUGIN_ZIP) as z:
        z.extractall(folder)
    sys.path.insert(0, os.path.join(folder, "creatlas"))
    import _creatlas  # noqa: E402

    return _creatlas


class ModuleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = import_module()

    def test_version_is_the_cmake_project_version(self):
        self.assertEqual(self.m.__version__, VERSION)

    def test_schema_declares_the_required_clusters_path(self):
        sections = {s["name"]: s for s in self.m.project_sections()}
        # [clusters] itself is optional (heritage and programmes make an atlas
        # too); when it is given, its path is required.
        self.assertFalse(sections["clusters"]["required"])
        self.assertTrue(sections["clusters"]["is_source"])
        self.assertFalse(sections["link"]["is_source"])
        keys = {(k["section"], k["key"]): k for k in self.m.project_schema()}
        self.assertTrue(keys[("clusters", "path")]["required"])
        self.assertEqual(keys[("link", "heritage_snap_m")]["type"], "number")
        self.assertEqual(keys[("link", "heritage_snap_m")]["default"], "50")
        self.assertEqual(keys[("creative_index", "weights")]["type"], "number_list")

    def test_geometry_policies(self):
        self.assertEqual(list(self.m.geometry_policies()), ["repair", "skip", "fail"])

    def test_indicator_catalogue_names_the_contract_fields(self):
        self.assertTrue(self.m.HAS_INDICATOR_CATALOGUE)
        ids = {(i["layer"], i["id"]) for i in self.m.indicator_catalogue()}
        for expected in (("clusters", "formation_type"), ("clusters", "dist_center_m"),
                         ("cities", "clusters_per_100k"), ("cities", "creative_index"),
                         ("heritage_sites", "candidate_score"),
                         ("heritage_programmes", "overlap_m2")):
            self.assertIn(expected, ids)
        self.assertEqual(set(self.m.layer_names().values()), set(CONTRACT_LAYERS))

    def test_unknown_section_is_a_creatlas_error_naming_it(self):
        with self.assertRaises(self.m.CreatlasError) as caught:
            self.m.check_project("[clusterz]\npath = \"a.csv\"\n", "/tmp", "my.toml")
        self.assertEqual(caught.exception.kind, "bad_input")
        self.assertIn("clusterz", str(caught.exception))
        self.assertIsInstance(caught.exception, RuntimeError)

    def test_missing_input_file_is_a_creatlas_error_with_its_file(self):
        folder = fresh_dir("missing")
        output = os.path.join(folder, "out.gpkg")
        with self.assertRaises(self.m.CreatlasError) as caught:
            self.m.run("[clusters]\npath = \"nowhere.csv\"\n", folder, "t", output)
        self.assertIn("nowhere.csv", str(caught.exception))
        self.assertNotIsInstance(caught.exception, self.m.CreatlasCancelled)
        self.assertFalse(os.path.exists(output))

    def test_python_error_in_a_callback_is_raised_and_stops_the_run(self):
        folder = fresh_dir("callback")
        output = os.path.join(folder, "out.gpkg")
        project = os.path.join(SAMPLE, "project.toml")
        with open(project, encoding="utf-8") as f:
            text = f.read()

        def progress(fraction, stage):
            raise ZeroDivisionError("from the callback")

        with self.assertRaises(ZeroDivisionError):
            self.m.run(text, SAMPLE, project, output, False, progress, None)
        self.assertFalse(os.path.exists(output))


# --- installation ------------------------------------------------------------------------


class InstallTest(QgisCase):
    def test_zip_holds_one_plugin_folder_with_metadata_module_and_icon(self):
        with zipfile.ZipFile(PLUGIN_ZIP) as z:
            names = z.namelist()
            metadata = z.read("creatlas/metadata.txt").decode("utf-8")
        self.assertEqual({n.split("/")[0] for n in names}, {"creatlas"})
        self.assertTrue(any(n.startswith("creatlas/_creatlas.") and n.endswith(".so")
                            for n in names))
        self.assertIn("creatlas/icon.svg", names)
        self.assertIn("creatlas/__init__.py", names)
        self.assertFalse(any("__pycache__" in n for n in names))
        meta = dict(line.split("=", 1) for line in metadata.splitlines()
                    if "=" in line and not line.startswith(";"))
        self.assertEqual(meta["version"], VERSION)
        self.assertEqual(meta["hasProcessingProvider"], "yes")
        for key in ("name", "description", "about", "homepage", "tracker", "repository",
                    "qgisMinimumVersion", "icon"):
            self.assertTrue(meta.get(key), key)

    def test_plugin_is_listed_as_enabled(self):
        proc = self.qgis.process("plugins")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        line = [ln for ln in proc.stdout.splitlines() if "creatlas" in ln]
        self.assertEqual(len(line), 1, proc.stdout)
        self.assertIn("*", line[0])  # qgis_process marks enabled plugins with *

    def test_list_shows_the_five_algorithms(self):
        proc = self.qgis.process("list", "--json")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        listing = json.loads(proc.stdout[proc.stdout.find("{"):])
        provider = listing["providers"]["creatlas"]
        self.assertEqual(set(provider["algorithms"]), ALGORITHMS)
        # and in the plain listing a user reads
        plain = self.qgis.process("list").stdout
        for alg in ALGORITHMS:
            self.assertIn(alg, plain)

    def test_help_lists_parameters_of_every_project_key(self):
        proc = self.qgis.process("help", "creatlas:atlas", "--json")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        help_json = json.loads(proc.stdout[proc.stdout.find("{"):])
        names = set(help_json["parameters"])
        # every key the sample project uses has its parameter (one naming rule)
        expected = set(params_from_project(os.path.join(SAMPLE, "project.toml")))
        self.assertLessEqual(expected, names)
        self.assertIn("OUTPUT", names)


class TranslationTest(unittest.TestCase):
    """The dialogs in QGIS's language: the plugin's Qt translation for ru."""

    def help_text(self, locale):
        qgis = Qgis("i18n_" + (locale or "default"))
        if locale:
            ini = os.path.join(qgis.root, "config", "profiles", "default", "QGIS", "QGIS3.ini")
            os.makedirs(os.path.dirname(ini))
            with open(ini, "w", encoding="utf-8") as f:
                f.write("[locale]\nuserLocale={}\noverrideFlag=true\n".format(locale))
        proc = qgis.enable()
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        proc = qgis.process("help", "creatlas:atlas")
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        return proc.stdout

    def test_zip_holds_the_compiled_russian_translation(self):
        with zipfile.ZipFile(PLUGIN_ZIP) as z:
            self.assertIn("creatlas/i18n/creatlas_ru.qm", z.namelist())

    def test_russian_locale_gives_russian_names_and_labels(self):
        text = self.help_text("ru_RU")
        self.assertIn("Построить атлас креативных кластеров", text)
        self.assertIn("Кластеры: поле идентификатора", text)
        self.assertIn("Напечатать атлас (atlas.pdf, report.html)", text)

    def test_english_without_a_locale_setting(self):
        text = self.help_text(None)
        self.assertIn("Build creative-cluster atlas", text)
        self.assertIn("Clusters: id field", text)


# --- creatlas:atlas ----------------------------------------------------------------------


class AtlasSampleTest(QgisCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        project = os.path.join(SAMPLE, "project.toml")
        cls.plugin_gpkg = os.path.join(cls.out, "plugin.gpkg")
        cls.cli_gpkg = os.path.join(cls.out, "cli.gpkg")
        params = params_from_project(project)
        params["OUTPUT"] = cls.plugin_gpkg
        cls.proc, cls.result = cls.qgis.run("creatlas:atlas", params)
        cls.cli_report = run_cli(project, cls.cli_gpkg)

    def test_runs_headless_and_reports_its_outputs(self):
        results = self.assert_ok(self.proc, self.result)
        self.assertEqual(results["OUTPUT"], self.plugin_gpkg)
        report = json.loads(results["REPORT"])
        self.assertEqual(sorted(results["LAYERS"]),
                         sorted("{}|layername={}".format(self.plugin_gpkg, n)
                                for n in report["layers"]))
        # the report's counts are what the file holds (read back with GDAL)
        ds = ogr.Open(self.plugin_gpkg)
        for name, count in report["layers"].items():
            self.assertEqual(ds.GetLayerByName(name).GetFeatureCount(), count, name)

    def test_prints_the_atlas_and_writes_the_report_beside_the_geopackage(self):
        results = self.assert_ok(self.proc, self.result)
        folder = os.path.dirname(self.plugin_gpkg)
        self.assertEqual(results["ATLAS_PDF"], os.path.join(folder, "atlas.pdf"))
        self.assertEqual(results["REPORT_HTML"], os.path.join(folder, "report.html"))
        info = subprocess.run(["pdfinfo", results["ATLAS_PDF"]], capture_output=True,
                              text=True, check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
        # A cover and one page per city named in clusters.csv.
        cities = {row["city"] for row in read_csv(os.path.join(SAMPLE, "clusters.csv"))}
        self.assertEqual(pages, 1 + len(cities))

    def test_layers_hold_every_input_feature(self):
        self.assert_ok(self.proc, self.result)
        ds = ogr.Open(self.plugin_gpkg)  # kept: its layers die with it
        counts = {n: ds.GetLayerByName(n).GetFeatureCount() for n in CONTRACT_LAYERS}
        self.assertEqual(counts["clusters"],
                         len(read_csv(os.path.join(SAMPLE, "clusters.csv"))))
        self.assertEqual(counts["cities"],
                         len(read_geojson(os.path.join(SAMPLE, "cities.geojson"))))
        self.assertEqual(counts["heritage_sites"],
                         len(read_geojson(os.path.join(SAMPLE, "heritage.geojson"))))
        # geometry_policy = "repair": the bow-tie zone is repaired, not dropped
        self.assertEqual(counts["programmes"],
                         len(read_geojson(os.path.join(SAMPLE, "programmes.geojson"))))
        # One row per city and year, 2012 (C12 opened) to reference_year 2026.
        self.assertEqual(counts["city_years"], counts["cities"] * (2026 - 2012 + 1))

    def test_same_as_the_cli_field_by_field(self):
        results = self.assert_ok(self.proc, self.result)
        self.assert_same_report(json.loads(results["REPORT"]), self.cli_report)
        for name in self.cli_report["layers"]:
            self.assert_same_layer(self.cli_gpkg, name, self.plugin_gpkg)

    def test_layers_carry_their_default_style(self):
        self.assert_ok(self.proc, self.result)
        ds = ogr.Open(self.plugin_gpkg)
        styles = ds.ExecuteSQL("SELECT f_table_name FROM layer_styles WHERE useAsDefault")
        styled = {f.GetField(0) for f in styles}
        ds.ReleaseResultSet(styles)
        self.assertLessEqual(set(CONTRACT_LAYERS), styled)


class AtlasRealDataTest(QgisCase):
    """Real open data: 1,117 Russian cities (CSV with lon/lat columns) and the
    Yekaterinburg heritage register (GeoJSON with malformed features), with the
    sample clusters."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.city_csv = os.path.join(SHARED, "ru-cities", "city.csv")
        cls.okn = os.path.join(SHARED, "ekb-heritage", "ekb-okn.json")
        project = os.path.join(cls.out, "real.toml")
        with open(project, "w", encoding="utf-8") as f:
            f.write("""[project]
name = "Real data"
reference_year = 2026
geometry_policy = "repair"

[cities]
path = {cities}
x_field = "geo_lon"
y_field = "geo_lat"
crs = "EPSG:4326"
id_field = "kladr_id"
name_field = "city"
population_field = "population"

[clusters]
path = {clusters}
x_field = "lon"
y_field = "lat"
crs = "EPSG:4326"
id_field = "cluster_id"
name_field = "name"
key_field = "cluster_id"

[cluster_attributes]
path = {attributes}
key_field = "cluster_key"

[heritage]
path = {heritage}
id_field = "id"
name_field = "name"
""".format(cities=json.dumps(cls.city_csv), heritage=json.dumps(cls.okn),
           clusters=json.dumps(os.path.join(SAMPLE, "clusters.csv")),
           attributes=json.dumps(os.path.join(SAMPLE, "cluster_attributes.csv"))))
        cls.plugin_gpkg = os.path.join(cls.out, "plugin.gpkg")
        cls.cli_gpkg = os.path.join(cls.out, "cli.gpkg")
        params = params_from_project(project)
        params["OUTPUT"] = cls.plugin_gpkg
        cls.proc, cls.result = cls.qgis.run("creatlas:atlas", params)
        cls.cli_report = run_cli(project, cls.cli_gpkg)

    def test_same_as_the_cli_field_by_field(self):
        results = self.assert_ok(self.proc, self.result)
        self.assert_same_report(json.loads(results["REPORT"]), self.cli_report)
        for name in self.cli_report["layers"]:
            self.assert_same_layer(self.cli_gpkg, name, self.plugin_gpkg)

    def test_every_city_and_heritage_object_is_accounted_for(self):
        results = self.assert_ok(self.proc, self.result)
        report = json.loads(results["REPORT"])
        cities = len(read_csv(self.city_csv))
        self.assertEqual(cities, 1117)  # the data's README
        self.assertEqual(report["layers"]["cities"], cities)
        heritage = {s["role"]: s for s in report["sources"]}["heritage"]
        objects = len(read_geojson(self.okn))
        self.assertEqual(heritage["read"], objects)
        self.assertEqual(report["layers"]["heritage_sites"] + len(heritage["skipped"])
                         + len(heritage["unreadable"]), objects)


# --- the other algorithms ----------------------------------------------------------------


def sample_params(sections):
    return params_from_project(os.path.join(SAMPLE, "project.toml"), sections)


class LinkTest(QgisCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = sample_params({"clusters", "cluster_attributes"})
        cls.linked = os.path.join(cls.out, "linked.gpkg")
        cls.unmatched = os.path.join(cls.out, "unmatched.csv")
        params.update(OUTPUT=cls.linked, UNMATCHED=cls.unmatched)
        cls.proc, cls.result = cls.qgis.run("creatlas:link", params)

    def test_unmatched_keys_are_those_python_finds(self):
        results = self.assert_ok(self.proc, self.result)
        clusters = {normalise_key(r["cluster_id"])
                    for r in read_csv(os.path.join(SAMPLE, "clusters.csv"))}
        attributes = {normalise_key(r["cluster_key"])
                      for r in read_csv(os.path.join(SAMPLE, "cluster_attributes.csv"))}
        expected = {("left", k) for k in clusters - attributes} | {
            ("right", k) for k in attributes - clusters}
        # what the sample's README promises: C10 has no row, C99 no cluster
        self.assertEqual(expected, {("left", "c10"), ("right", "c99")})
        got = {(r["side"], normalise_key(r["key"])) for r in read_csv(self.unmatched)}
        self.assertEqual(got, expected)
        self.assertEqual(results["UNMATCHED_COUNT"], 2)
        self.assertEqual(results["MATCHED"], len(clusters & attributes))

    def test_linked_clusters_carry_the_attribute_row_of_their_key(self):
        self.assert_ok(self.proc, self.result)
        attributes = {normalise_key(r["cluster_key"]): r
                      for r in read_csv(os.path.join(SAMPLE, "cluster_attributes.csv"))}
        linked = rows_by(self.linked, "linked", "cluster_id")
        self.assertEqual(len(linked), len(read_csv(os.path.join(SAMPLE, "clusters.csv"))))
        for cluster_id, row in linked.items():
            attr = attributes.get(normalise_key(cluster_id))
            if attr is None:
                self.assertIsNone(row["initiator"], cluster_id)
            else:
                self.assertEqual(row["initiator"], attr["initiator"], cluster_id)
                self.assertEqual(float(row["public_share"]), float(attr["public_share"]),
                                 cluster_id)


class OverlayTest(QgisCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = sample_params({"project", "clusters", "heritage", "programmes", "link",
                                "industrial"})
        cls.overlaps = os.path.join(cls.out, "overlaps.gpkg")
        cls.sites = os.path.join(cls.out, "sites.gpkg")
        params.update(OUTPUT=cls.overlaps, HERITAGE=cls.sites)
        cls.proc, cls.result = cls.qgis.run("creatlas:overlay", params)

    def test_overlaps_are_those_shapely_finds(self):
        from shapely.geometry import shape
        from shapely.validation import make_valid

        results = self.assert_ok(self.proc, self.result)
        sites = [(f["properties"]["heritage_id"], shape(f["geometry"]))
                 for f in read_geojson(os.path.join(SAMPLE, "heritage.geojson"))]
        zones = [(f["properties"]["programme_id"], make_valid(shape(f["geometry"])))
                 for f in read_geojson(os.path.join(SAMPLE, "programmes.geojson"))]
        expected = {(h, p) for h, hg in sites for p, pg in zones if hg.intersects(pg)}
        self.assertTrue(expected)  # the sample is made to have overlaps
        _, _, rows = read_layer(self.overlaps, "overlaps")
        fields = [n for n, _ in read_layer(self.overlaps, "overlaps")[0]]
        got = {(dict(zip(fields, v))["heritage_id"], dict(zip(fields, v))["programme_id"])
               for v, _ in rows.values()}
        self.assertEqual(got, expected)
        self.assertEqual(results["OVERLAPS"], len(expected))

    def test_overlap_areas_match_pyproj_geodesic_areas(self):
        from pyproj import Geod
        from shapely.geometry import shape
        from shapely.validation import make_valid

        self.assert_ok(self.proc, self.result)
        geod = Geod(ellps="WGS84")
        sites = {f["properties"]["heritage_id"]: shape(f["geometry"])
                 for f in read_geojson(os.path.join(SAMPLE, "heritage.geojson"))}
        zones = {f["properties"]["programme_id"]: make_valid(shape(f["geometry"]))
                 for f in read_geojson(os.path.join(SAMPLE, "programmes.geojson"))}
        fields = [n for n, _ in read_layer(self.overlaps, "overlaps")[0]]
        checked = 0
        for values, _ in read_layer(self.overlaps, "overlaps")[2].values():
            row = dict(zip(fields, values))
            site = sites[row["heritage_id"]]
            if site.geom_type not in ("Polygon", "MultiPolygon"):
                self.assertIsNone(row["overlap_m2"])  # the catalogue: null for point sites
                continue
            inter = site.intersection(zones[row["programme_id"]])
            expected = abs(geod.geometry_area_perimeter(inter)[0])
            # the core measures in a local equal-area frame: equal to the
            # ellipsoidal area within a fraction of a per cent at city scale
            self.assertAlmostEqual(row["overlap_m2"], expected, delta=max(1.0, 0.002 * expected))
            checked += 1
        self.assertGreater(checked, 0)

    def test_sites_count_the_zones_that_reach_them(self):
        from shapely.geometry import shape
        from shapely.validation import make_valid

        self.assert_ok(self.proc, self.result)
        zones = [make_valid(shape(f["geometry"]))
                 for f in read_geojson(os.path.join(SAMPLE, "programmes.geojson"))]
        sites = rows_by(self.sites, "sites", "heritage_id")
        for f in read_geojson(os.path.join(SAMPLE, "heritage.geojson")):
            hid = f["properties"]["heritage_id"]
            expected = sum(1 for z in zones if shape(f["geometry"]).intersects(z))
            self.assertEqual(sites[hid]["programme_count"], expected, hid)


class OverlayAloneTest(OverlayTest):
    """creatlas:overlay asks only for what it reads: heritage and programmes, no
    clusters; the same overlaps, areas and counts as with them (the checks of
    OverlayTest, computed with shapely and pyproj)."""

    @classmethod
    def setUpClass(cls):
        QgisCase.setUpClass.__func__(cls)
        params = sample_params({"project", "heritage", "programmes", "industrial"})
        cls.overlaps = os.path.join(cls.out, "overlaps.gpkg")
        cls.sites = os.path.join(cls.out, "sites.gpkg")
        params.update(OUTPUT=cls.overlaps, HERITAGE=cls.sites)
        cls.proc, cls.result = cls.qgis.run("creatlas:overlay", params)

    def test_the_project_file_of_the_run_has_no_clusters(self):
        results = self.assert_ok(self.proc, self.result)
        # beside the output layer, naming the full atlas it reproduces
        self.assertEqual(results["RUN_PROJECT"], self.overlaps + ".toml")
        with open(results["RUN_PROJECT"], "rb") as f:
            ran = tomllib.load(f)
        self.assertEqual(sorted(s for s in ran if s in ("clusters", "heritage", "programmes")),
                         ["heritage", "programmes"])
        self.assertEqual(ran["project"]["output"], "overlaps.gpkg.atlas.gpkg")
        report = run_cli(results["RUN_PROJECT"], os.path.join(self.out, "again.gpkg"))
        self.assertEqual(report["layers"]["heritage_programmes"], results["OVERLAPS"])


# --- the project file in and out ---------------------------------------------------------


class ReproduceTest(QgisCase):
    """A qgis_process run writes `<output>.toml` beside its output, with paths
    relative to it; `creatlas run` on that file gives the same atlas, field by field."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plugin_gpkg = os.path.join(cls.out, "atlas.gpkg")
        params = sample_params(None)
        params.update(OUTPUT=cls.plugin_gpkg, PRINT_ATLAS="false")
        cls.proc, cls.result = cls.qgis.run("creatlas:atlas", params)
        cls.toml = cls.plugin_gpkg + ".toml"
        cls.cli_gpkg = os.path.join(cls.out, "from-toml.gpkg")
        cls.cli_report = run_cli(cls.toml, cls.cli_gpkg) if os.path.exists(cls.toml) else None

    def test_the_project_file_is_written_beside_the_output(self):
        results = self.assert_ok(self.proc, self.result)
        self.assertEqual(results["RUN_PROJECT"], self.toml)
        with open(self.toml, "rb") as f:
            ran = tomllib.load(f)
        self.assertEqual(ran["project"]["output"], "atlas.gpkg")
        for section in ("clusters", "heritage", "programmes", "cities", "cluster_attributes",
                        "grants"):
            path = ran[section]["path"]
            self.assertFalse(os.path.isabs(path), path)
            self.assertEqual(os.path.realpath(os.path.join(self.out, path)),
                             os.path.realpath(os.path.join(SAMPLE, os.path.basename(path))))
        # the values the run was given are in it (values equal to a default are left
        # to the default)
        self.assertEqual(ran["industrial"]["category_values"], ["industrial"])
        self.assertEqual(ran["cities"]["centre_x_field"], "centre_lon")
        self.assertEqual(ran["clusters"]["crs"], "EPSG:4326")
        self.assertNotIn("formation", ran)

    def test_creatlas_run_on_it_gives_the_same_atlas(self):
        results = self.assert_ok(self.proc, self.result)
        self.assertIsNotNone(self.cli_report)
        self.assert_same_report(json.loads(results["REPORT"]), self.cli_report)
        for name in self.cli_report["layers"]:
            self.assert_same_layer(self.cli_gpkg, name, self.plugin_gpkg)

    def test_the_run_can_be_moved_with_its_inputs(self):
        # relative paths: the output folder and the data moved together still run
        self.assert_ok(self.proc, self.result)
        moved = fresh_dir("moved")
        shutil.copytree(SAMPLE, os.path.join(moved, "sample_data"))
        os.makedirs(os.path.join(moved, "out"))
        rel = os.path.relpath(SAMPLE, self.out)
        with open(self.toml, encoding="utf-8") as f:
            text = f.read()
        self.assertIn(rel, text)
        with open(os.path.join(moved, "out", "atlas.gpkg.toml"), "w", encoding="utf-8") as f:
            f.write(text.replace(rel, "../sample_data"))
        report = run_cli(os.path.join(moved, "out", "atlas.gpkg.toml"),
                         os.path.join(moved, "out", "atlas.gpkg"))
        self.assertEqual(report["layers"], self.cli_report["layers"])


class ProjectFileTest(QgisCase):
    """The "Project file" parameter: sample_data/project.toml with one value set in the
    dialog, which wins; compared with `creatlas run` on the same file edited by hand."""

    SHARE = 0.3

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plugin_gpkg = os.path.join(cls.out, "atlas.gpkg")
        params = {"PROJECT_FILE": os.path.join(SAMPLE, "project.toml"),
                  "formation_support_share": str(cls.SHARE),
                  "OUTPUT": cls.plugin_gpkg, "PRINT_ATLAS": "false"}
        cls.proc, cls.result = cls.qgis.run("creatlas:atlas", params)
        # the same project, edited: absolute paths and support_share = 0.3
        with open(os.path.join(SAMPLE, "project.toml"), encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r'^path = "([^"]+)"',
                      lambda m: 'path = "{}"'.format(os.path.join(SAMPLE, m.group(1))),
                      text, flags=re.M)
        text = re.sub(r"^support_share = .*$", "support_share = {}".format(cls.SHARE), text,
                      flags=re.M)
        cls.edited = os.path.join(cls.out, "edited.toml")
        with open(cls.edited, "w", encoding="utf-8") as f:
            f.write(text)
        cls.cli_gpkg = os.path.join(cls.out, "edited.gpkg")
        cls.cli_report = run_cli(cls.edited, cls.cli_gpkg)

    def test_dialog_values_override_the_file(self):
        results = self.assert_ok(self.proc, self.result)
        with open(results["RUN_PROJECT"], "rb") as f:
            ran = tomllib.load(f)
        self.assertEqual(ran["formation"]["support_share"], self.SHARE)
        self.assertEqual(ran["formation"]["dependent_share"], 1.0)  # from the file
        self.assertEqual(ran["project"]["output"], "atlas.gpkg")  # the dialog's output

    def test_same_atlas_as_the_edited_file(self):
        results = self.assert_ok(self.proc, self.result)
        self.assert_same_report(json.loads(results["REPORT"]), self.cli_report)
        for name in self.cli_report["layers"]:
            self.assert_same_layer(self.cli_gpkg, name, self.plugin_gpkg)

    def test_the_override_changes_the_typology_as_the_rules_say(self):
        # DESIGN.md: a private initiator with a public share below support_share is
        # type 2, at or above it type 3. C12 (private, 0.3) is type 3 at 0.3 (type 2 at
        # the file's 0.5); C04 (private, 0.25) stays type 2.
        self.assert_ok(self.proc, self.result)
        clusters = rows_by(self.plugin_gpkg, "clusters", "cluster_id")
        self.assertEqual(clusters["C04"]["formation_type"], 2)
        self.assertEqual(clusters["C12"]["formation_type"], 3)


class IndicatorsTest(QgisCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        project = os.path.join(SAMPLE, "project.toml")
        params = params_from_project(project)
        cls.cities = os.path.join(cls.out, "cities.gpkg")
        params.update(OUTPUT=cls.cities)
        cls.proc, cls.result = cls.qgis.run("creatlas:indicators", params)
        cls.cli_gpkg = os.path.join(cls.out, "cli.gpkg")
        cls.cli_report = run_cli(project, cls.cli_gpkg)

    def test_cities_equal_the_cli_atlas_field_by_field(self):
        self.assert_ok(self.proc, self.result)
        self.assert_same_layer(self.cli_gpkg, "cities", self.cities, "cities")

    def test_clusters_per_city_as_counted_with_shapely_and_pyproj(self):
        from pyproj import Geod
        from shapely.geometry import Point, shape
        from shapely.ops import nearest_points

        self.assert_ok(self.proc, self.result)
        geod = Geod(ellps="WGS84")
        cities = [(f["properties"]["city_id"], shape(f["geometry"]))
                  for f in read_geojson(os.path.join(SAMPLE, "cities.geojson"))]
        counts = {cid: 0 for cid, _ in cities}
        for row in read_csv(os.path.join(SAMPLE, "clusters.csv")):
            point = Point(float(row["lon"]), float(row["lat"]))
            inside = [cid for cid, g in cities if g.covers(point)]
            if inside:
                counts[inside[0]] += 1
                continue
            # the nearest city within [link] city_max_distance_m = 5000 m
            best = None
            for cid, g in cities:
                q = nearest_points(g.exterior if g.geom_type == "Polygon" else g.boundary,
                                   point)[0]
                d = geod.inv(point.x, point.y, q.x, q.y)[2]
                if best is None or d < best[1]:
                    best = (cid, d)
            if best and best[1] <= 5000:
                counts[best[0]] += 1
        got = rows_by(self.cities, "cities", "city_id")
        self.assertEqual({cid: got[cid]["n_clusters"] for cid in counts}, counts)
        for f in read_geojson(os.path.join(SAMPLE, "cities.geojson")):
            p = f["properties"]
            self.assertEqual(got[p["city_id"]]["population"], p["population"])


class TypologyTest(QgisCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        params = sample_params({"clusters", "cluster_attributes", "formation"})
        cls.typed = os.path.join(cls.out, "typed.gpkg")
        params.update(OUTPUT=cls.typed)
        cls.proc, cls.result = cls.qgis.run("creatlas:typology", params)

    @staticmethod
    def expected_type(initiator, share):
        """DESIGN.md's five types with the sample's thresholds (0.5 and 1.0)."""
        if initiator == "private":
            if share == 0:
                return 1
            return 2 if share < 0.5 else 3
        if initiator == "joint":
            return 3
        if initiator == "public":
            return 5 if share >= 1.0 else 4
        return None

    def test_formation_types_follow_the_rules(self):
        self.assert_ok(self.proc, self.result)
        attributes = {normalise_key(r["cluster_key"]): r
                      for r in read_csv(os.path.join(SAMPLE, "cluster_attributes.csv"))}
        typed = rows_by(self.typed, "typed", "cluster_id")
        seen = set()
        for cluster_id, row in typed.items():
            attr = attributes.get(normalise_key(cluster_id))
            if attr is None:
                self.assertIn(row["formation_type"], (None, 0), cluster_id)
                continue
            expected = self.expected_type(attr["initiator"].strip().casefold(),
                                          float(attr["public_share"]))
            self.assertEqual(row["formation_type"], expected, cluster_id)
            seen.add(expected)
        self.assertEqual(seen, {1, 2, 3, 4, 5})  # the sample has every type


# --- errors and cancellation -------------------------------------------------------------


class BadInputTest(QgisCase):
    def test_duplicate_attribute_keys_give_the_cores_message_and_exit_1(self):
        folder = fresh_dir("dup")
        table = os.path.join(folder, "attributes.csv")
        with open(table, "w", encoding="utf-8") as f:
            f.write("cluster_key,initiator,public_share\nC01,private,0\n c01,public,1\n")
        params = sample_params({"clusters"})
        params.update(cluster_attributes=table, cluster_attributes_key_field="cluster_key",
                      OUTPUT=os.path.join(folder, "out.gpkg"))
        proc, _ = self.qgis.run("creatlas:atlas", params)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        text = proc.stdout + proc.stderr
        self.assertIn("c01", text.casefold())
        self.assertIn("duplicate", text.casefold())
        self.assertNotIn("Traceback", text)
        self.assertFalse(os.path.exists(os.path.join(folder, "out.gpkg")))

    def test_missing_field_names_the_field(self):
        folder = fresh_dir("field")
        params = sample_params({"clusters"})
        params.update(clusters_x_field="longitude_missing",
                      OUTPUT=os.path.join(folder, "out.gpkg"))
        proc, _ = self.qgis.run("creatlas:atlas", params)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        text = proc.stdout + proc.stderr
        self.assertIn("longitude_missing", text)
        self.assertNotIn("Traceback", text)
        self.assertFalse(os.path.exists(os.path.join(folder, "out.gpkg")))

    def test_link_needs_a_table_to_join(self):
        folder = fresh_dir("link")
        params = sample_params({"clusters"})
        params.update(OUTPUT=os.path.join(folder, "out.gpkg"))
        proc, _ = self.qgis.run("creatlas:link", params)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        text = proc.stdout + proc.stderr
        self.assertIn("at least one table to join to the clusters", text)
        self.assertNotIn("Traceback", text)
        self.assertEqual(os.listdir(folder), [])  # no output, no project file


CANCEL_SCRIPT = r"""
import json, os, sys, time
from qgis.core import (QgsApplication, QgsProcessingContext, QgsProcessingException,
                       QgsProcessingFeedback)
app = QgsApplication([], False)
app.initQgis()
sys.path.insert(0, sys.argv[1])
import creatlas
from creatlas.provider import CreatlasProvider
provider = CreatlasProvider()
QgsApplication.processingRegistry().addProvider(provider)

class CancelOnProgress(QgsProcessingFeedback):
    # Cancels at the first progress report past `at` (0-100), as a user's click would.
    def __init__(self, at):
        super().__init__()
        self.at = at
        self.cancelled_at = None
    def setProgress(self, value):
        super().setProgress(value)
        if value >= self.at and self.cancelled_at is None:
            self.cancelled_at = time.monotonic()
            self.cancel()

params = json.loads(sys.argv[2])
out = {}
# in load, in measure, and at the end of measure (75 %: the next check is in the
# write stage, with the temporary GeoPackage already on disk)
for at in (0.0, 50.0, 75.0):
    alg = QgsApplication.processingRegistry().createAlgorithmById("creatlas:atlas")
    context = QgsProcessingContext()
    feedback = CancelOnProgress(at)
    context.setFeedback(feedback)
    target = params["OUTPUT"] + "-{}.gpkg".format(int(at))
    p = dict(params, OUTPUT=target)
    try:
        alg.processAlgorithm(p, context, feedback)
        out[str(at)] = {"raised": None}
    except QgsProcessingException as e:
        out[str(at)] = {"raised": "QgsProcessingException", "message": str(e),
                        "seconds": time.monotonic() - feedback.cancelled_at
                        if feedback.cancelled_at else None,
                        "exists": os.path.exists(target),
                        "folder": sorted(os.listdir(os.path.dirname(target)))}
print("RESULT " + json.dumps(out))
app.exitQgis()
"""


class CancelTest(unittest.TestCase):
    def test_cancel_from_progress_raises_and_leaves_no_output(self):
        folder = fresh_dir("cancel")
        plugins = os.path.join(folder, "plugins")
        with zipfile.ZipFile(PLUGIN_ZIP) as z:
            z.extractall(plugins)
        out = os.path.join(folder, "out")
        os.makedirs(out)
        # national-scale cities (1,117) and a full heritage register: cancellation
        # must stop even this within a second
        params = sample_params(None)
        params.update(cities=os.path.join(SHARED, "ru-cities", "city.csv"),
                      cities_x_field="geo_lon", cities_y_field="geo_lat",
                      cities_crs="EPSG:4326", cities_id_field="kladr_id",
                      cities_name_field="city", cities_population_field="population",
                      heritage=os.path.join(SHARED, "ekb-heritage", "ekb-okn.json"),
                      heritage_id_field="id", heritage_name_field="name",
                      OUTPUT=os.path.join(out, "atlas"))
        for key in ("cities_capital_field", "cities_centre_x_field", "cities_centre_y_field",
                    "heritage_category_field"):
            params.pop(key, None)
        proc = subprocess.run([sys.executable, "-c", CANCEL_SCRIPT, plugins,
                               json.dumps(params)], capture_output=True, text=True,
                              timeout=600, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
        line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
        self.assertTrue(line, proc.stdout + proc.stderr)
        result = json.loads(line[0][len("RESULT "):])
        for at, r in result.items():
            self.assertEqual(r["raised"], "QgsProcessingException", at)
            self.assertIn("cancelled", r["message"].casefold(), at)
            self.assertFalse(r["exists"], at)
            self.assertEqual(r["folder"], [], at)  # no temporary left either
            self.assertLess(r["seconds"], 1.0, at)


if __name__ == "__main__":
    unittest.main()
