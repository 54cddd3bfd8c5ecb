"""PostGIS in and out (issue 13), against a real PostgreSQL 15 + PostGIS 3 cluster.

The cluster is started by scripts/pg-cluster (a ctest fixture); CREATLAS_PG_ENV names
its env file. Expectations come from independent tools: GDAL reads the GeoPackage
atlas, psycopg2 and PostGIS read the database, QGIS (headless) opens the project and
the layers. Nothing here is skipped: without the cluster every test fails.
Run: CREATLAS=build/dev/geo/creatlas CREATLAS_PG_ENV=DIR/env \
     /usr/bin/python3 tests/postgis/test_postgis.py -v [GROUP]
"""
import atexit
import glob
import html
import io
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile

import psycopg2
from osgeo import gdal, ogr
from shapely import wkb

gdal.UseExceptions()
CREATLAS = os.environ.get("CREATLAS", "creatlas")
SRC = os.environ.get("CREATLAS_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLE = os.path.join(SRC, "sample_data")
PROJECT_NAME = "Creative clusters of the Urals and Siberia (demo)"


def read_env():
    path = os.environ.get("CREATLAS_PG_ENV")
    if not path or not os.path.isfile(path):
        raise RuntimeError("no PostgreSQL test cluster: CREATLAS_PG_ENV (%r) is not a file; "
                           "scripts/pg-cluster start DIR makes one" % path)
    env = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            env[key] = value
    return env


ENV = read_env()
for _key in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE"):
    os.environ[_key] = ENV[_key]
os.environ.pop("PGPASSWORD", None)
CONN = "PG:dbname=%s host=%s port=%s" % (ENV["PGDATABASE"], ENV["PGHOST"], ENV["PGPORT"])
GPKG_SYSTEM = {"layer_styles", "qgis_projects"}


def work_dir(prefix):
    """A temporary folder, removed when the tests end."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, True)
    return path


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def db():
    conn = psycopg2.connect(dbname=ENV["PGDATABASE"], host=ENV["PGHOST"], port=ENV["PGPORT"],
                            user=ENV["PGUSER"])
    conn.autocommit = True
    return conn


def query(sql, params=None):
    with db() as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall() if cur.description else None
    conn.close()
    return rows


def run(*args, env=None, timeout=600):
    return subprocess.run([CREATLAS, *args], capture_output=True, text=True, timeout=timeout,
                          env=env)


_GPKG = {}


def sample_gpkg():
    """The sample atlas as a GeoPackage (made once per process)."""
    if "path" not in _GPKG:
        work = work_dir("creatlas-pgtest-")
        path = os.path.join(work, "atlas.gpkg")
        r = run("run", os.path.join(SAMPLE, "project.toml"), "-o", path, "--no-report", "-q")
        if r.returncode != 0:
            raise AssertionError("sample run to GeoPackage failed: " + r.stderr)
        _GPKG["path"] = path
    return _GPKG["path"]


def run_to_schema(schema, *extra, project=None):
    return run("run", project or os.path.join(SAMPLE, "project.toml"), "-o", CONN, "--schema",
               schema, "--no-report", "-q", *extra)


def gpkg_rows(path, layer_name):
    """fid → (fields dict, shapely geometry or None) of a layer read by GDAL."""
    ds = ogr.Open(path)
    layer = ds.GetLayerByName(layer_name)
    out = {}
    for f in layer:
        g = f.GetGeometryRef()
        out[f.GetFID()] = (f.items(), wkb.loads(bytes(g.ExportToWkb())) if g is not None else None)
    return out


def gpkg_layers(path):
    ds = ogr.Open(path)
    return [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())
            if ds.GetLayer(i).GetName() not in GPKG_SYSTEM]


def assert_same_value(test, a, b, where):
    if isinstance(a, float) or isinstance(b, float):
        test.assertIsNotNone(a, where)
        test.assertIsNotNone(b, where)
        if math.isnan(a):
            test.assertTrue(math.isnan(b), where)
        else:
            test.assertLessEqual(abs(a - b), 1e-9 * max(1.0, abs(a)), where)
    else:
        test.assertEqual(a, b, where)


def assert_same_geometry(test, a, b, where):
    if a is None or b is None:
        test.assertIs(a, b, where)
        return
    test.assertEqual(a.geom_type, b.geom_type, where)
    test.assertTrue(a.equals_exact(b, 1e-9), where)


def assert_same_layers(test, expected_gpkg, actual_rows, layers):
    """actual_rows(layer) → fid → (fields, geometry); compared with the GeoPackage's."""
    for name in layers:
        want = gpkg_rows(expected_gpkg, name)
        got = actual_rows(name)
        test.assertEqual(len(got), len(want), name)
        test.assertEqual(sorted(got), sorted(want), name + ": fids")
        for fid, (fields, geom) in want.items():
            got_fields, got_geom = got[fid]
            test.assertEqual(sorted(got_fields), sorted(fields), "%s %d: field names" % (name, fid))
            for key, value in fields.items():
                assert_same_value(test, value, got_fields[key], "%s %d %s" % (name, fid, key))
            assert_same_geometry(test, geom, got_geom, "%s %d" % (name, fid))


def table_snapshot(schema):
    """A digest of everything of an atlas in `schema`: each table's rows, the project,
    the styles and the metadata."""
    tables = query("SELECT tablename FROM pg_tables WHERE schemaname = %s ORDER BY tablename",
                   (schema,))
    snap = {}
    for (t,) in tables:
        rows = query('SELECT md5(coalesce(string_agg(x::text, \'|\' ORDER BY x::text), \'\')), '
                     'count(*) FROM "%s"."%s" x' % (schema, t))
        snap[t] = rows[0]
    snap["_styles"] = query(
        "SELECT count(*), md5(coalesce(string_agg(f_table_name || stylename || styleqml::text, "
        "'|' ORDER BY id), '')) FROM public.layer_styles WHERE f_table_schema = %s",
        (schema,))[0]
    return snap


class Inputs(unittest.TestCase):
    """The sample project read from PostGIS tables gives the same atlas as from files."""

    SOURCES = {"cities": "cities.geojson", "clusters": "clusters.csv",
               "heritage": "heritage.geojson", "programmes": "programmes.geojson",
               "cluster_attributes": "cluster_attributes.csv", "grants": "grants.csv",
               "enterprises": "enterprises.csv"}

    @classmethod
    def setUpClass(cls):
        query("DROP SCHEMA IF EXISTS src CASCADE")
        query("CREATE SCHEMA src")
        for table, name in cls.SOURCES.items():
            subprocess.run(["ogr2ogr", "-f", "PostgreSQL", CONN, os.path.join(SAMPLE, name),
                            "-nln", "src." + table, "-lco", "GEOMETRY_NAME=geom",
                            "-lco", "FID=fid", "-preserve_fid"], check=True, capture_output=True)
        text = read_text(os.path.join(SAMPLE, "project.toml"))
        for table, name in cls.SOURCES.items():
            text = text.replace('path = "%s"' % name,
                                'path = "%s"\nlayer = "src.%s"' % (CONN, table))
        cls.work = work_dir("creatlas-pgin-")
        cls.project = os.path.join(cls.work, "project.toml")
        with open(cls.project, "w", encoding="utf-8") as f:
            f.write(text)

    def test_same_atlas_as_from_files(self):
        out = os.path.join(self.work, "from_pg.gpkg")
        r = run("run", self.project, "-o", out, "--no-report", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        files = sample_gpkg()
        self.assertEqual(gpkg_layers(out), gpkg_layers(files))
        assert_same_layers(self, files, lambda name: gpkg_rows(out, name), gpkg_layers(files))
        report = json.loads(r.stdout)
        self.assertIn(CONN, json.dumps(report))

    def test_info_describes_a_postgis_table(self):
        r = run("info", CONN, "-l", "src.clusters", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        info = json.loads(r.stdout)
        self.assertEqual([l["layer"] for l in info["layers"]], ["src.clusters"])
        with open(os.path.join(SAMPLE, "clusters.csv"), encoding="utf-8") as f:
            rows = sum(1 for line in f if line.strip()) - 1
        self.assertEqual(info["layers"][0]["features"], rows)
        names = [f["name"] for f in info["layers"][0]["fields"]]
        self.assertIn("cluster_id", names)
        r = run("info", CONN, "-l", "src.cities")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Layer: src.cities", r.stdout)
        self.assertIn("crs: EPSG:4326", r.stdout)


class Output(unittest.TestCase):
    """The atlas written to PostGIS equals the GeoPackage atlas, layer by layer."""

    SCHEMA = "atlas_out"

    @classmethod
    def setUpClass(cls):
        query('DROP SCHEMA IF EXISTS "%s" CASCADE' % cls.SCHEMA)
        r = run_to_schema(cls.SCHEMA)
        if r.returncode != 0:
            raise AssertionError("run to PostGIS failed: " + r.stderr)

    def pg_rows(self, name):
        ds = gdal.OpenEx(CONN + " tables=%s.%s" % (self.SCHEMA, name), gdal.OF_VECTOR)
        layer = ds.GetLayer(0)
        out = {}
        for f in layer:
            g = f.GetGeometryRef()
            out[f.GetFID()] = (f.items(),
                               wkb.loads(bytes(g.ExportToWkb())) if g is not None else None)
        return out

    def test_layers_equal_the_geopackage(self):
        files = sample_gpkg()
        tables = [t for (t,) in query("SELECT tablename FROM pg_tables WHERE schemaname = %s",
                                      (self.SCHEMA,))]
        self.assertEqual(sorted(tables), sorted(gpkg_layers(files) + ["creatlas_metadata",
                                                                     "qgis_projects"]))
        assert_same_layers(self, files, self.pg_rows, gpkg_layers(files))

    def test_field_types_keys_and_indexes(self):
        files = sample_gpkg()
        pg_type = {ogr.OFTInteger64: "bigint", ogr.OFTReal: "double precision",
                   ogr.OFTString: "text", ogr.OFTInteger: "integer"}
        ds = ogr.Open(files)
        for name in gpkg_layers(files):
            layer = ds.GetLayerByName(name)
            defn = layer.GetLayerDefn()
            want = [("fid", "bigint")]
            want += [(defn.GetFieldDefn(i).GetName(), pg_type[defn.GetFieldDefn(i).GetType()])
                     for i in range(defn.GetFieldCount())]
            has_geom = defn.GetGeomFieldCount() > 0
            if has_geom:
                want.append(("geom", "USER-DEFINED"))
            got = query("SELECT column_name, data_type FROM information_schema.columns WHERE "
                        "table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                        (self.SCHEMA, name))
            self.assertEqual([tuple(r) for r in got], want, name)
            pk = query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                       "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND "
                       "i.indrelid = %s::regclass", ('"%s"."%s"' % (self.SCHEMA, name),))
            self.assertEqual(pk, [("fid",)], name)
            if has_geom:
                gist = query("SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND "
                             "tablename = %s AND indexdef LIKE %s",
                             (self.SCHEMA, name, "%USING gist (geom)%"))
                self.assertEqual(len(gist), 1, name)
                gtype = query("SELECT type, srid FROM geometry_columns WHERE f_table_schema = %s "
                              "AND f_table_name = %s", (self.SCHEMA, name))
                self.assertEqual(gtype[0][1], 4326, name)
                self.assertEqual(gtype[0][0],
                                 ogr.GeometryTypeToName(layer.GetGeomType()).upper()
                                 .replace(" ", ""), name)
            comment = query("SELECT obj_description(%s::regclass, 'pg_class')",
                            ('"%s"."%s"' % (self.SCHEMA, name),))[0][0]
            self.assertIn("creatlas", comment)
            self.assertIn(self.SCHEMA + ".creatlas_metadata", comment)

    def test_provenance_in_metadata_table(self):
        meta = dict(query('SELECT key, value FROM "%s".creatlas_metadata' % self.SCHEMA))
        self.assertEqual(json.loads(meta["CREATLAS_TABLES"]), gpkg_layers(sample_gpkg()))
        self.assertEqual(meta["CREATLAS_PROJECT"], PROJECT_NAME)
        provenance = json.loads(meta["CREATLAS_PROVENANCE"])
        self.assertIn("version", provenance)
        self.assertTrue(meta["CREATLAS_VERSION"])

    def test_layer_styles_as_qgis_creates_it(self):
        columns = query("SELECT column_name, data_type, character_maximum_length, column_default "
                        "FROM information_schema.columns WHERE table_schema = 'public' AND "
                        "table_name = 'layer_styles' ORDER BY ordinal_position")
        names = [(c[0], c[1], c[2]) for c in columns]
        self.assertEqual(names, [
            ("id", "integer", None), ("f_table_catalog", "character varying", None),
            ("f_table_schema", "character varying", None),
            ("f_table_name", "character varying", None),
            ("f_geometry_column", "character varying", None), ("stylename", "text", None),
            ("styleqml", "xml", None), ("stylesld", "xml", None),
            ("useasdefault", "boolean", None), ("description", "text", None),
            ("owner", "character varying", 63), ("ui", "xml", None),
            ("update_time", "timestamp without time zone", None),
            ("type", "character varying", None)])
        defaults = {c[0]: c[3] for c in columns}
        self.assertEqual(defaults["owner"], "CURRENT_USER")
        self.assertEqual(defaults["update_time"], "CURRENT_TIMESTAMP")
        self.assertTrue(defaults["id"].startswith("nextval("))
        # The styles are those of the GeoPackage atlas, table by table.
        ds = ogr.Open(sample_gpkg())
        want = {}
        for f in ds.GetLayerByName("layer_styles"):
            want[(f["f_table_name"], f["styleName"])] = (f["useAsDefault"] == 1, f["f_geometry_column"])
        got = query("SELECT f_table_name, stylename, useasdefault, f_geometry_column, "
                    "f_table_catalog, type, owner FROM public.layer_styles WHERE "
                    "f_table_schema = %s", (self.SCHEMA,))
        self.assertEqual({(r[0], r[1]): (r[2], r[3]) for r in got}, want)
        for r in got:
            self.assertEqual(r[4], ENV["PGDATABASE"])
            self.assertIsNone(r[5])
            self.assertEqual(r[6], ENV["PGUSER"])

    def test_project_in_postgres_storage(self):
        rows = query('SELECT name, metadata, content FROM "%s".qgis_projects' % self.SCHEMA)
        self.assertEqual(len(rows), 1)
        name, metadata, content = rows[0]
        self.assertEqual(name, PROJECT_NAME)
        self.assertIn("last_modified_time", metadata)
        qgs = zipfile.ZipFile(io.BytesIO(bytes(content))).read("project.qgs").decode("utf-8")
        self.assertNotIn("layername=", qgs)
        self.assertNotIn("providerKey=\"ogr\"", qgs)
        sources = [html.unescape(s)
                   for s in re.findall(r"<datasource>([^<]*)</datasource>", qgs)]
        pg_sources = [s for s in sources if "table=" in s]
        self.assertGreaterEqual(len(pg_sources), 4)
        for s in pg_sources:
            self.assertIn("dbname='%s'" % ENV["PGDATABASE"], s)
            self.assertIn("key='fid'", s)
            self.assertIn("srid=4326", s)
            self.assertRegex(s, r'table="%s"\."\w+" \(geom\)$' % self.SCHEMA)
            self.assertNotIn("password", s)


class Qgis(unittest.TestCase):
    """QGIS, headless, opens the project from the database: every layer valid and
    drawn with its style; a layer added from the database takes its default style."""

    SCHEMA = "atlas_qgis"

    @classmethod
    def setUpClass(cls):
        query('DROP SCHEMA IF EXISTS "%s" CASCADE' % cls.SCHEMA)
        r = run_to_schema(cls.SCHEMA)
        if r.returncode != 0:
            raise AssertionError("run to PostGIS failed: " + r.stderr)
        from qgis.core import QgsApplication
        cls.app = QgsApplication([], False)
        cls.app.initQgis()

    def renderer_of_style(self, table, stylename):
        qml = query("SELECT styleqml::text FROM public.layer_styles WHERE f_table_schema = %s "
                    "AND f_table_name = %s AND stylename = %s", (self.SCHEMA, table, stylename))
        self.assertEqual(len(qml), 1, (table, stylename))
        return re.search(r'<renderer-v2[^>]* type="(\w+)"', qml[0][0]).group(1)

    def test_project_opens_from_the_database(self):
        from qgis.core import QgsProject, QgsVectorLayer
        uri = ("postgresql://?sslmode=disable&host=%s&port=%s&dbname=%s&schema=%s&project=%s"
               % (ENV["PGHOST"], ENV["PGPORT"], ENV["PGDATABASE"], self.SCHEMA,
                  PROJECT_NAME.replace(" ", "%20")))
        project = QgsProject.instance()
        self.assertTrue(project.read(uri), uri)
        layers = list(project.mapLayers().values())
        vectors = [l for l in layers if isinstance(l, QgsVectorLayer)]
        self.assertGreaterEqual(len(vectors), 5)
        for layer in vectors:
            self.assertTrue(layer.isValid(), layer.name())
            self.assertEqual(layer.providerType(), "postgres", layer.name())
            self.assertGreater(layer.featureCount(), -1, layer.name())
            table = re.search(r'table="[^"]+"\."(\w+)"', layer.source()).group(1)
            if layer.name() == "city_outlines":
                continue  # a second drawing of cities, styled in the project only
            want = self.renderer_of_style(table, layer.name())
            self.assertEqual(layer.renderer().type(), want, layer.name())
        n = query('SELECT count(*) FROM "%s".clusters' % self.SCHEMA)[0][0]
        clusters = [l for l in vectors if l.name() == "clusters"][0]
        self.assertEqual(clusters.featureCount(), n)
        project.clear()

    def test_layer_added_from_database_takes_default_style(self):
        from qgis.core import QgsVectorLayer
        for table in ("clusters", "heritage_sites", "cities"):
            uri = ("dbname='%s' host=%s port=%s key='fid' table=\"%s\".\"%s\" (geom)"
                   % (ENV["PGDATABASE"], ENV["PGHOST"], ENV["PGPORT"], self.SCHEMA, table))
            layer = QgsVectorLayer(uri, table, "postgres")
            self.assertTrue(layer.isValid(), table)
            want = self.renderer_of_style(table, table)
            self.assertNotEqual(want, "singleSymbol")
            self.assertEqual(layer.renderer().type(), want, table)


class Atomic(unittest.TestCase):
    """A killed run leaves the previous atlas untouched; --overwrite replaces only the
    atlas's own tables, styles and project; without it an existing atlas is an error."""

    SCHEMA = "atlas_atomic"

    @classmethod
    def setUpClass(cls):
        query('DROP SCHEMA IF EXISTS "%s" CASCADE' % cls.SCHEMA)
        if query("SELECT to_regclass('public.layer_styles')")[0][0]:
            query("DELETE FROM public.layer_styles WHERE f_table_schema = %s", (cls.SCHEMA,))
        r = run_to_schema(cls.SCHEMA)
        if r.returncode != 0:
            raise AssertionError("run to PostGIS failed: " + r.stderr)
        query('CREATE TABLE "%s".keep_me (id int PRIMARY KEY, note text)' % cls.SCHEMA)
        query('INSERT INTO "%s".keep_me VALUES (1, \'not the atlas\')' % cls.SCHEMA)
        query("INSERT INTO public.layer_styles (f_table_catalog, f_table_schema, f_table_name, "
              "f_geometry_column, stylename, styleqml, useasdefault) VALUES (current_database(), "
              "%s, 'keep_me', 'geom', 'keep_me', XMLPARSE(DOCUMENT '<qgis/>'), true)",
              (cls.SCHEMA,))

    def test_1_existing_atlas_without_overwrite_is_an_error(self):
        before = table_snapshot(self.SCHEMA)
        r = run_to_schema(self.SCHEMA)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("schema 'atlas_atomic' already holds an atlas", r.stderr)
        self.assertIn("--overwrite", r.stderr)
        self.assertEqual(table_snapshot(self.SCHEMA), before)

    def stop_mid_write(self, how, tmpdir=None):
        """Run with --overwrite, stop the run while it waits for public.layer_styles
        (after it has dropped the old tables and copied every new one in its
        transaction) by `how`(process), and return the process's exit code. With
        `tmpdir`, the run's TMPDIR (its temporary GeoPackage's folder goes there)."""
        env = dict(os.environ)
        if tmpdir is not None:
            env["TMPDIR"] = tmpdir
        blocker = db()
        blocker.autocommit = False
        cur = blocker.cursor()
        cur.execute("LOCK TABLE public.layer_styles IN SHARE MODE")
        proc = subprocess.Popen([CREATLAS, "run", os.path.join(SAMPLE, "project.toml"), "-o",
                                 CONN, "--schema", self.SCHEMA, "--no-report", "-q",
                                 "--overwrite"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env)
        try:
            waiting = False
            deadline = time.time() + 300
            while time.time() < deadline and proc.poll() is None:
                if query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'creatlas' "
                         "AND wait_event_type = 'Lock'"):
                    waiting = True
                    break
                time.sleep(0.1)
            self.assertTrue(waiting, "the run never reached the styles: %s" % (proc.poll(),))
            how(proc)
        finally:
            blocker.rollback()
            blocker.close()
        _, err = proc.communicate(timeout=300)
        deadline = time.time() + 60
        while time.time() < deadline and query(
                "SELECT 1 FROM pg_stat_activity WHERE application_name = 'creatlas'"):
            time.sleep(0.1)
        return proc.returncode, err.decode("utf-8", "replace")

    def test_2_killed_mid_write_leaves_the_previous_atlas(self):
        before = table_snapshot(self.SCHEMA)
        # A folder of the test's own: other PostGIS tests running beside it make
        # creatlas-pg-* folders in the shared temporary folder.
        with tempfile.TemporaryDirectory(prefix="creatlas-atomic-") as tmp:
            code, _ = self.stop_mid_write(lambda p: (p.send_signal(signal.SIGKILL), p.wait()),
                                          tmpdir=tmp)
            self.assertEqual(code, -signal.SIGKILL)
            self.assertEqual(table_snapshot(self.SCHEMA), before)
            temps = glob.glob(os.path.join(tmp, "creatlas-pg-*"))
            # A killed run cannot remove its folder; it must hold nothing.
            self.assertEqual(len(temps), 1, temps)
            self.assertEqual([p for p in temps if os.listdir(p)], [])

    def test_2b_cancelled_mid_write_leaves_the_previous_atlas(self):
        before = table_snapshot(self.SCHEMA)
        code, err = self.stop_mid_write(lambda p: p.send_signal(signal.SIGINT))
        self.assertEqual(code, 1, err)
        self.assertIn("cancelled", err)
        self.assertEqual(table_snapshot(self.SCHEMA), before)

    def test_3_overwrite_replaces_only_the_atlas(self):
        written = dict(query('SELECT key, value FROM "%s".creatlas_metadata' % self.SCHEMA))
        styles_before = query("SELECT count(*) FROM public.layer_styles WHERE f_table_schema = %s",
                              (self.SCHEMA,))[0][0]
        time.sleep(1.1)  # CREATLAS_WRITTEN has whole seconds
        r = run_to_schema(self.SCHEMA, "--overwrite")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(query('SELECT id, note FROM "%s".keep_me' % self.SCHEMA),
                         [(1, "not the atlas")])
        meta = dict(query('SELECT key, value FROM "%s".creatlas_metadata' % self.SCHEMA))
        self.assertNotEqual(meta["CREATLAS_WRITTEN"], written["CREATLAS_WRITTEN"])
        self.assertEqual(query("SELECT count(*) FROM public.layer_styles WHERE "
                               "f_table_schema = %s", (self.SCHEMA,))[0][0], styles_before)
        self.assertEqual(query("SELECT count(*) FROM public.layer_styles WHERE "
                               "f_table_schema = %s AND f_table_name = 'keep_me'",
                               (self.SCHEMA,))[0][0], 1)
        self.assertEqual(query('SELECT count(*) FROM "%s".qgis_projects' % self.SCHEMA)[0][0], 1)
        assert_same_layers(self, sample_gpkg(), Output.pg_rows.__get__(
            type("S", (), {"SCHEMA": self.SCHEMA})()), gpkg_layers(sample_gpkg()))


    def test_4_overwrite_under_a_new_name_replaces_the_old_project(self):
        work = work_dir("creatlas-pgrename-")
        text = read_text(os.path.join(SAMPLE, "project.toml")).replace(
            'name = "%s"' % PROJECT_NAME, 'name = "Renamed atlas"')
        for name in os.listdir(SAMPLE):
            path = os.path.join(SAMPLE, name)
            if os.path.isfile(path):
                shutil.copy(path, work)
        project = os.path.join(work, "project.toml")
        with open(project, "w", encoding="utf-8") as f:
            f.write(text)
        r = run_to_schema(self.SCHEMA, project=project)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("the QGIS project '%s'" % PROJECT_NAME, r.stderr)
        r = run_to_schema(self.SCHEMA, "--overwrite", project=project)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(query('SELECT name FROM "%s".qgis_projects' % self.SCHEMA),
                         [("Renamed atlas",)])
        self.assertEqual(query('SELECT id, note FROM "%s".keep_me' % self.SCHEMA),
                         [(1, "not the atlas")])


class Connection(unittest.TestCase):
    """A wrong password or an unreachable server: exit 1, a clear message, and the
    password nowhere in the output; none in a project file either."""

    WRONG = "Wr0ng-Secret-4711"

    def tcp(self, password=None, port=None, user=None):
        text = "PG:dbname=%s host=127.0.0.1 port=%s user=%s" % (
            ENV["PGDATABASE"], port or ENV["PGPORT"], user or ENV["CREATLAS_PG_PASSWORD_ROLE"])
        return text + (" password=%s" % password if password else "")

    def assert_no_secret(self, r, secret):
        self.assertNotIn(secret, r.stdout)
        self.assertNotIn(secret, r.stderr)

    def test_wrong_password_in_connection_string(self):
        r = run("run", os.path.join(SAMPLE, "project.toml"), "-o", self.tcp(self.WRONG),
                "--schema", "atlas_conn", "--no-report", "--json")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot connect to the PostgreSQL server", r.stderr)
        self.assertIn("password authentication failed", r.stderr)
        self.assertIn("password=***", r.stderr)
        self.assert_no_secret(r, self.WRONG)

    def test_wrong_password_in_environment(self):
        env = dict(os.environ, PGPASSWORD=self.WRONG)
        r = run("run", os.path.join(SAMPLE, "project.toml"), "-o", self.tcp(), "--schema",
                "atlas_conn", "--no-report", env=env)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("password authentication failed", r.stderr)
        self.assert_no_secret(r, self.WRONG)

    def test_unreachable_server(self):
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # nothing listens there now
        r = run("run", os.path.join(SAMPLE, "project.toml"), "-o",
                self.tcp(self.WRONG, port=port), "--no-report")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot connect to the PostgreSQL server", r.stderr)
        self.assertIn("Connection refused", r.stderr)
        self.assert_no_secret(r, self.WRONG)

    def test_password_in_project_file_is_refused(self):
        work = work_dir("creatlas-pgpw-")
        text = read_text(os.path.join(SAMPLE, "project.toml"))
        text = text.replace('output = "out/atlas.gpkg"',
                            'output = "%s"' % self.tcp(self.WRONG).replace("'", ""))
        text = text.replace('path = "cities.geojson"',
                            'path = "%s"' % os.path.join(SAMPLE, "cities.geojson"))
        project = os.path.join(work, "project.toml")
        with open(project, "w", encoding="utf-8") as f:
            f.write(text)
        r = run("run", project, "--no-report")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("holds a password", r.stderr)
        self.assert_no_secret(r, self.WRONG)

    def test_service_file(self):
        # The connection from a pg_service file (PGSERVICEFILE), for an input and the
        # output; the project's layer sources name the service (and the database,
        # which QGIS's style look-up compares), not the host.
        work = work_dir("creatlas-pgservice-")
        services = os.path.join(work, "pg_service.conf")
        with open(services, "w", encoding="utf-8") as f:
            f.write("[atlas_test]\nhost=%s\nport=%s\ndbname=%s\n"
                    % (ENV["PGHOST"], ENV["PGPORT"], ENV["PGDATABASE"]))
        env = dict(os.environ, PGSERVICEFILE=services)
        for key in ("PGHOST", "PGPORT", "PGDATABASE"):
            env.pop(key)
        query('DROP SCHEMA IF EXISTS "atlas_service" CASCADE')
        query("CREATE SCHEMA IF NOT EXISTS src_service")
        subprocess.run(["ogr2ogr", "-f", "PostgreSQL", CONN, os.path.join(SAMPLE, "cities.geojson"),
                        "-nln", "src_service.cities", "-overwrite"], check=True,
                       capture_output=True)
        text = read_text(os.path.join(SAMPLE, "project.toml")).replace(
            'path = "cities.geojson"', 'path = "PG:service=atlas_test"\nlayer = "src_service.cities"')
        for name in os.listdir(SAMPLE):
            path = os.path.join(SAMPLE, name)
            if os.path.isfile(path) and not name.startswith("cities"):
                shutil.copy(path, work)
        project = os.path.join(work, "project.toml")
        with open(project, "w", encoding="utf-8") as f:
            f.write(text)
        r = run("run", project, "-o", "PG:service=atlas_test", "--schema", "atlas_service",
                "--no-report", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(query('SELECT count(*) FROM "atlas_service".cities')[0][0],
                         query("SELECT count(*) FROM src_service.cities")[0][0])
        content = bytes(query('SELECT content FROM "atlas_service".qgis_projects')[0][0])
        qgs = html.unescape(zipfile.ZipFile(io.BytesIO(content)).read("project.qgs")
                            .decode("utf-8"))
        self.assertIn("service='atlas_test' dbname='%s' key='fid'" % ENV["PGDATABASE"], qgs)
        self.assertNotIn("host=", qgs)

    def test_right_password_nowhere_in_report_or_database(self):
        # A department's writer role (docs/postgis.md): it owns its schema and may
        # write styles into public.layer_styles, which an administrator made.
        r = run_to_schema("atlas_conn_setup", "--overwrite")
        self.assertEqual(r.returncode, 0, r.stderr)
        role = ENV["CREATLAS_PG_PASSWORD_ROLE"]
        query("GRANT SELECT, INSERT, DELETE ON public.layer_styles TO %s" % role)
        query("GRANT USAGE ON SEQUENCE public.layer_styles_id_seq TO %s" % role)
        query('DROP SCHEMA IF EXISTS "atlas_pw" CASCADE')
        secret = ENV["CREATLAS_PG_PASSWORD"]
        r = run("run", os.path.join(SAMPLE, "project.toml"), "-o", self.tcp(secret), "--schema",
                "atlas_pw", "--no-report", "--json")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_no_secret(r, secret)
        report = json.loads(r.stdout)
        self.assertIn("password=***", report["output"])
        for (value,) in query('SELECT value FROM "atlas_pw".creatlas_metadata'):
            self.assertNotIn(secret, value)
        content = bytes(query('SELECT content FROM "atlas_pw".qgis_projects')[0][0])
        qgs = zipfile.ZipFile(io.BytesIO(content)).read("project.qgs").decode("utf-8")
        self.assertNotIn(secret, qgs)
        self.assertNotIn("password", qgs)
        self.assertEqual(query("SELECT tableowner FROM pg_tables WHERE schemaname = 'atlas_pw' "
                               "AND tablename = 'clusters'"), [(role,)])


class Plugin(unittest.TestCase):
    """The plugin writes its atlas to a PostGIS connection known to QGIS: the same
    tables and project as `creatlas run -o PG:…` (CREATLAS_PLUGIN_ZIP: the zip a user
    installs, unpacked into a clean profile)."""

    SCHEMA = "atlas_plugin"

    @classmethod
    def setUpClass(cls):
        query('DROP SCHEMA IF EXISTS "%s" CASCADE' % cls.SCHEMA)
        zip_path = os.environ.get("CREATLAS_PLUGIN_ZIP", "")
        if not os.path.isfile(zip_path):
            raise AssertionError("CREATLAS_PLUGIN_ZIP (%r) is not the plugin zip" % zip_path)
        cls.work = work_dir("creatlas-pgplugin-")
        os.environ["QGIS_CUSTOM_CONFIG_PATH"] = os.path.join(cls.work, "profile")
        from qgis.core import QgsApplication, QgsProviderRegistry
        QgsApplication.setPrefixPath("/usr", True)
        cls.app = QgsApplication([], False)
        cls.app.initQgis()
        sys.path.insert(0, "/usr/share/qgis/python/plugins")
        from processing.core.Processing import Processing
        Processing.initialize()
        with zipfile.ZipFile(zip_path) as z:
            z.extractall(os.path.join(cls.work, "plugins"))
        sys.path.insert(0, os.path.join(cls.work, "plugins"))
        from creatlas.provider import CreatlasProvider
        cls.provider = CreatlasProvider()
        QgsApplication.processingRegistry().addProvider(cls.provider)
        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        connection = metadata.createConnection(
            "dbname='%s' host=%s port=%s" % (ENV["PGDATABASE"], ENV["PGHOST"], ENV["PGPORT"]), {})
        metadata.saveConnection(connection, "creatlas test")

    def test_atlas_to_a_qgis_connection(self):
        import processing
        from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        result = processing.run("creatlas:atlas", {
            "PROJECT_FILE": os.path.join(SAMPLE, "project.toml"),
            "OUTPUT": os.path.join(self.work, "unused.gpkg"), "PRINT_ATLAS": False,
            "POSTGIS_CONNECTION": "creatlas test", "POSTGIS_SCHEMA": self.SCHEMA},
            context=context, feedback=QgsProcessingFeedback())
        files = sample_gpkg()
        assert_same_layers(self, files, Output.pg_rows.__get__(
            type("S", (), {"SCHEMA": self.SCHEMA})()), gpkg_layers(files))
        self.assertEqual(query('SELECT name FROM "%s".qgis_projects' % self.SCHEMA),
                         [(PROJECT_NAME,)])
        self.assertIn("schema %s" % self.SCHEMA, result["OUTPUT"])
        # The project file of the run names the connection without credentials and
        # reproduces the run with the CLI.
        text = read_text(result["RUN_PROJECT"])
        self.assertIn('output_schema = "%s"' % self.SCHEMA, text)
        self.assertNotIn("password", text)
        self.assertFalse(os.path.exists(os.path.join(self.work, "unused.gpkg")))


if __name__ == "__main__":
    groups = [a for a in sys.argv[1:] if not a.startswith("-")]
    flags = [a for a in sys.argv[1:] if a.startswith("-")]
    unittest.main(argv=[sys.argv[0], *flags, *groups])
