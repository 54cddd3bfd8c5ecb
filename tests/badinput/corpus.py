#!/usr/bin/python3
"""The bad-input corpus: small broken inputs, each with the answer creatlas owes.

Each case builds a tiny project (project.toml and its data files) in a fresh
temporary folder — files that must be broken (zero bytes, a truncated
GeoPackage, invalid UTF-8) are made here, at test time — runs
`creatlas run project.toml -o out.gpkg --no-report` on it and asserts:

  * the exit code (0: the run goes on and reports; 1: bad input, stopped);
  * a message substring naming the file, layer, feature and field where they
    apply (searched in stderr and in the summary on stdout);
  * no crash: the process ended by exit, not by a signal, and no sanitizer
    (ASan, UBSan) report and no "internal error" is in its output;
  * within a time limit (and ctest's TIMEOUT);
  * no partial output: a failed run leaves neither out.gpkg nor a temporary
    (".out.gpkg.tmp-*", "-journal", "-wal") beside it;
  * every text value in an output GeoPackage is valid UTF-8 (read raw from
    SQLite, decoded strictly);
  * the inputs are unchanged (SHA-256 of every file before and after).

The expectations come from the inputs' construction (what is broken where),
never from creatlas's own output. ctest runs one test per case (label
badinput), in the dev and the ASan+UBSan builds.

Usage:
  CREATLAS=build/dev/geo/creatlas /usr/bin/python3 tests/badinput/corpus.py CASE...
  /usr/bin/python3 tests/badinput/corpus.py --list
  CREATLAS=... /usr/bin/python3 tests/badinput/corpus.py --all
"""
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

CREATLAS = os.environ.get("CREATLAS", "creatlas")
RUN_TIMEOUT_S = float(os.environ.get("CREATLAS_CASE_TIMEOUT", "240"))
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "internal error")

CASES = {}


class Case:
    def __init__(self, name, build, exit_code, messages, check=None, run=None):
        self.name = name
        self.build = build  # build(folder) -> extra command-line arguments (list) or None
        self.exit_code = exit_code
        self.messages = messages
        self.check = check  # check(folder, out_path, stdout) for extra assertions
        self.run = run  # a custom runner replacing the standard one


def case(exit_code, *messages, check=None):
    def register(build):
        name = build.__name__
        assert name not in CASES, name
        CASES[name] = Case(name, build, exit_code, messages, check)
        return build
    return register


# --- small hand-made inputs --------------------------------------------------

# One city, a 0.2° square around Yekaterinburg's centre, population 1,000,000.
CITY = {"type": "Feature", "properties": {"city_id": "ekb", "name": "Екатеринбург",
                                           "population": 1000000},
        "geometry": {"type": "Polygon", "coordinates": [[[60.5, 56.7], [60.7, 56.7],
                                                         [60.7, 56.9], [60.5, 56.9],
                                                         [60.5, 56.7]]]}}


def write(folder, name, data, mode="w", encoding="utf-8"):
    path = os.path.join(folder, name)
    if isinstance(data, bytes):
        with open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, mode, encoding=encoding, newline="") as f:
            f.write(data)
    return path


def geojson(folder, name, features):
    write(folder, name, json.dumps({"type": "FeatureCollection", "features": features},
                                   ensure_ascii=False))


def feature(props, geometry):
    return {"type": "Feature", "properties": props, "geometry": geometry}


def cities(folder, city=None):
    geojson(folder, "cities.geojson", [city or CITY])
    return ('[cities]\npath = "cities.geojson"\nid_field = "city_id"\nname_field = "name"\n'
            'population_field = "population"\n')


CLUSTERS_CSV = ("cluster_id,name,lon,lat\n"
                "C1,Первый,60.60,56.80\n"
                "C2,Второй,60.61,56.81\n")


def clusters(folder, csv_text=CLUSTERS_CSV, extra=""):
    write(folder, "clusters.csv", csv_text)
    return ('[clusters]\npath = "clusters.csv"\nx_field = "lon"\ny_field = "lat"\n'
            'crs = "EPSG:4326"\nid_field = "cluster_id"\nname_field = "name"\n' + extra)


def project(folder, *sections, policy="repair", head=""):
    text = (f'[project]\nname = "bad input"\nreference_year = 2026\n'
            f'geometry_policy = "{policy}"\n{head}\n' + "\n".join(sections))
    write(folder, "project.toml", text)


def square(x0, y0, d=0.01):
    return [[x0, y0], [x0 + d, y0], [x0 + d, y0 + d], [x0, y0 + d], [x0, y0]]


def zones(folder, features, policy="repair", extra=""):
    geojson(folder, "programmes.geojson", features)
    project(folder, cities(folder),
            '[programmes]\npath = "programmes.geojson"\nid_field = "programme_id"\n'
            'instrument_field = "instrument"\n' + extra, policy=policy)


def attributes(folder, rows, header="cluster_key,initiator,public_share,opened"):
    write(folder, "attributes.csv", header + "\n" + "\n".join(rows) + "\n")
    project(folder, cities(folder), clusters(folder),
            '[cluster_attributes]\npath = "attributes.csv"\nkey_field = "cluster_key"\n')


def ogr_layer(path, layer, geom_type, fields, rows, srs_epsg=4326, driver="GPKG"):
    """Write rows (values..., WKT) with GDAL's Python bindings: an independent writer."""
    from osgeo import ogr, osr
    ogr.UseExceptions()
    drv = ogr.GetDriverByName(driver)
    ds = drv.CreateDataSource(path)
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(srs_epsg)
    lyr = ds.CreateLayer(layer, srs, geom_type)
    for name, kind in fields:
        lyr.CreateField(ogr.FieldDefn(name, kind))
    for values in rows:
        f = ogr.Feature(lyr.GetLayerDefn())
        for (name, _), v in zip(fields, values[:-1]):
            f.SetField(name, v)
        if values[-1] is not None:
            f.SetGeometryDirectly(ogr.CreateGeometryFromWkt(values[-1]))
        lyr.CreateFeature(f)
    ds = None


def sqlite_value(path, sql):
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


# --- geometry: rings, empty, null, curves, 3D --------------------------------

@case(0, "programmes: 1 of 1 features", "repaired 1 (closed 1 unclosed ring): fid 0")
def unclosed_ring_repaired(d):
    # The ring's last position is not its first: repair closes it.
    ring = square(60.6, 56.8)[:-1]
    zones(d, [feature({"programme_id": "P1", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [ring]})])


@case(1, "programmes.geojson', layer 'programmes', feature 0: ring not closed")
def unclosed_ring_fail(d):
    ring = square(60.6, 56.8)[:-1]
    zones(d, [feature({"programme_id": "P1", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [ring]})], policy="fail")


@case(0, "programmes: 1 of 2 features", "unreadable 1 (no geometry GDAL could read): fid 1")
def empty_geometry(d):
    zones(d, [feature({"programme_id": "P1", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [square(60.6, 56.8)]}),
              feature({"programme_id": "P2", "instrument": "space"},
                      {"type": "Polygon", "coordinates": []})])


@case(0, "programmes: 1 of 2 features", "unreadable 1 (no geometry GDAL could read): fid 1")
def null_geometry(d):
    zones(d, [feature({"programme_id": "P1", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [square(60.6, 56.8)]}),
              feature({"programme_id": "P2", "instrument": "space"}, None)])


@case(0, "clusters: 1 of 2 features", "unreadable 1 (empty geometry): fid 2")
def empty_point_wkt_csv(d):
    write(d, "clusters.csv", 'cluster_id,name,wkt\nC1,A,"POINT (60.6 56.8)"\nC2,B,"POINT EMPTY"\n')
    project(d, cities(d), '[clusters]\npath = "clusters.csv"\nwkt_field = "wkt"\ncrs = "EPSG:4326"\n'
                          'id_field = "cluster_id"\n')


@case(0, "programmes: 1 of 2 features", "unreadable 1 (empty geometry): fid 2")
def empty_polygon_gpkg(d):
    from osgeo import ogr
    ogr_layer(os.path.join(d, "zones.gpkg"), "zones", ogr.wkbPolygon,
              [("programme_id", ogr.OFTString), ("instrument", ogr.OFTString)],
              [("P1", "space", "POLYGON ((60.6 56.8,60.61 56.8,60.61 56.81,60.6 56.8))"),
               ("P2", "space", "POLYGON EMPTY")])
    project(d, cities(d), '[programmes]\npath = "zones.gpkg"\nid_field = "programme_id"\n'
                          'instrument_field = "instrument"\n')


def _curve_check(layer):
    def check(d, out, _stdout):
        # The curve came out as a linear polygon of the output's own type.
        rows = sqlite_value(out, f"SELECT geometry_type_name FROM gpkg_geometry_columns "
                                 f"WHERE table_name = '{layer}'")
        assert rows and rows[0][0] in ("MULTIPOLYGON", "POLYGON"), rows
    return check


@case(0, "programmes: 1 of 1 features", "converted 1 (curves approximated by straight segments): fid 1",
      check=_curve_check("programmes"))
def curvepolygon_gpkg(d):
    from osgeo import ogr
    ogr_layer(os.path.join(d, "zones.gpkg"), "zones", ogr.wkbCurvePolygon,
              [("programme_id", ogr.OFTString), ("instrument", ogr.OFTString)],
              [("P1", "space", "CURVEPOLYGON(CIRCULARSTRING(60.6 56.8,60.61 56.81,60.6 56.8))")])
    project(d, cities(d), '[programmes]\npath = "zones.gpkg"\nlayer = "zones"\n'
                          'id_field = "programme_id"\ninstrument_field = "instrument"\n')


@case(0, "programmes: 1 of 1 features", "converted 1 (curves approximated by straight segments): fid 1",
      check=_curve_check("programmes"))
def compoundcurve_wkt_csv(d):
    write(d, "zones.csv",
          "programme_id,instrument,wkt\n"
          'P1,space,"CURVEPOLYGON(COMPOUNDCURVE(CIRCULARSTRING(60.6 56.8,60.605 56.805,60.61 56.8),'
          '(60.61 56.8,60.6 56.8)))"\n')
    project(d, cities(d), '[programmes]\npath = "zones.csv"\nwkt_field = "wkt"\ncrs = "EPSG:4326"\n'
                          'id_field = "programme_id"\ninstrument_field = "instrument"\n')


def _flat_check(d, out, _stdout):
    # Z and M are dropped: the output is 2D (GeoPackage z and m flags 0).
    rows = sqlite_value(out, "SELECT z, m FROM gpkg_geometry_columns WHERE table_name = 'clusters'")
    assert rows == [(0, 0)], rows


@case(0, "clusters: 2 of 2 features", "converted 2 (e.g. Z values dropped): fid 1, 2", check=_flat_check)
def geometry_z_and_m(d):
    write(d, "clusters.csv", "cluster_id,name,wkt\n"
                             'C1,Первый,"POINT Z (60.6 56.8 250)"\n'
                             'C2,Второй,"POINT ZM (60.61 56.81 250 7)"\n')
    project(d, cities(d), '[clusters]\npath = "clusters.csv"\nwkt_field = "wkt"\ncrs = "EPSG:4326"\n'
                          'id_field = "cluster_id"\nname_field = "name"\n')


@case(0, "clusters: 2 of 2 features", "converted 2 (e.g. M values dropped): fid 1, 2", check=_flat_check)
def geometry_m_gpkg(d):
    from osgeo import ogr
    ogr_layer(os.path.join(d, "clusters.gpkg"), "clusters", ogr.wkbPointM,
              [("cluster_id", ogr.OFTString)],
              [("C1", "POINT M (60.6 56.8 1)"), ("C2", "POINT M (60.61 56.81 2)")])
    project(d, cities(d), '[clusters]\npath = "clusters.gpkg"\nid_field = "cluster_id"\n')


@case(0, "programmes: 1 of 1 features", "repaired 1", "Self-intersection", "fid 0")
def self_intersection_repair(d):
    bowtie = [[60.6, 56.8], [60.62, 56.82], [60.62, 56.8], [60.6, 56.82], [60.6, 56.8]]
    zones(d, [feature({"programme_id": "P1", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [bowtie]})])


@case(0, "programmes: 1 of 2 features", "skipped 1 (Self-intersection[60.61 56.81]): fid 0")
def self_intersection_skip(d):
    bowtie = [[60.6, 56.8], [60.62, 56.82], [60.62, 56.8], [60.6, 56.82], [60.6, 56.8]]
    zones(d, [feature({"programme_id": "P1", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [bowtie]}),
              feature({"programme_id": "P2", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [square(60.55, 56.75)]})],
          policy="skip")


@case(1, "programmes.geojson', layer 'programmes', feature 0", "Self-intersection")
def self_intersection_fail(d):
    bowtie = [[60.6, 56.8], [60.62, 56.82], [60.62, 56.8], [60.6, 56.82], [60.6, 56.8]]
    zones(d, [feature({"programme_id": "P1", "instrument": "space"},
                      {"type": "Polygon", "coordinates": [bowtie]})], policy="fail")


# --- coordinates ---------------------------------------------------------------

@case(0, "clusters: 1 of 2 features", "latitude 156.5 is beyond ±90", "): fid 2")
def latitude_156(d):
    project(d, cities(d), clusters(d, "cluster_id,name,lon,lat\nC1,A,60.6,56.8\nC2,B,60.6,156.5\n"))


@case(1, "clusters.csv', layer 'clusters', feature 2", "longitude 200 is beyond ±180")
def longitude_200_fail(d):
    project(d, cities(d), clusters(d, "cluster_id,name,lon,lat\nC1,A,60.6,56.8\nC2,B,200,56.8\n"),
            policy="fail")


@case(0, "clusters: 1 of 2 features", "longitude 536500 is beyond ±180", "): fid 2")
def utm_metres_in_lonlat_csv(d):
    project(d, cities(d),
            clusters(d, "cluster_id,name,lon,lat\nC1,A,60.6,56.8\nC2,B,536500,6300200\n"))


@case(0, "clusters: 1 of 2 features", "outside the area of use of EPSG:32641", "): fid 2")
def projected_outside_area_of_use(d):
    # UTM zone 41N (60–66° E): C1 is Yekaterinburg; C2 lies 3,000 km east of the
    # zone's central meridian, far outside it.
    write(d, "clusters.csv", "cluster_id,name,x,y\nC1,A,536500,6300200\nC2,B,3500000,6300200\n")
    project(d, cities(d), '[clusters]\npath = "clusters.csv"\nx_field = "x"\ny_field = "y"\n'
                          'crs = "EPSG:32641"\nid_field = "cluster_id"\n')


@case(0, "clusters: 1 of 3 features", "(field 'lon': coordinate is empty or not a number: 'nan'): fid 2",
      "(field 'lat': coordinate is empty or not a number: 'inf'): fid 3")
def nan_and_inf_coordinates(d):
    project(d, cities(d),
            clusters(d, "cluster_id,name,lon,lat\nC1,A,60.6,56.8\nC2,B,nan,56.8\nC3,C,60.6,inf\n"))


# --- text encodings ----------------------------------------------------------------

NAMES_CP1251 = "cluster_id,name,lon,lat\nC1,Завод,60.60,56.80\nC2,Фабрика,60.61,56.81\n"


@case(1, "clusters.csv', layer 'clusters', feature 1, field 'name'", 'encoding = "CP1251"')
def cp1251_without_encoding(d):
    write(d, "clusters.csv", NAMES_CP1251.encode("cp1251"))
    project(d, cities(d), '[clusters]\npath = "clusters.csv"\nx_field = "lon"\ny_field = "lat"\n'
                          'crs = "EPSG:4326"\nid_field = "cluster_id"\nname_field = "name"\n')


def _names_check(d, out, _stdout):
    rows = sqlite_value(out, "SELECT cluster_id, name FROM clusters ORDER BY cluster_id")
    assert rows == [("C1", "Завод"), ("C2", "Фабрика")], rows


@case(0, "recoded from CP1251", check=_names_check)
def cp1251_with_encoding(d):
    write(d, "clusters.csv", NAMES_CP1251.encode("cp1251"))
    project(d, cities(d), '[clusters]\npath = "clusters.csv"\nx_field = "lon"\ny_field = "lat"\n'
                          'crs = "EPSG:4326"\nid_field = "cluster_id"\nname_field = "name"\n'
                          'encoding = "CP1251"\n')


@case(1, "cities.geojson', layer 'cities', feature 0, field 'name'", "not valid UTF-8")
def invalid_utf8_geojson(d):
    text = json.dumps({"type": "FeatureCollection", "features": [CITY]}, ensure_ascii=False)
    # A lone continuation byte inside the city's name (GDAL passes it through).
    raw = text.encode("utf-8").replace("Екатеринбург".encode("utf-8"), b"Ekat\x80rinburg")
    write(d, "cities.geojson", raw)
    project(d, '[cities]\npath = "cities.geojson"\nid_field = "city_id"\nname_field = "name"\n',
            clusters(d))


@case(1, "attributes.csv', layer 'attributes', feature 1, field 'initiator'", "not valid UTF-8")
def invalid_utf8_csv_truncated_sequence(d):
    # "частный" cut inside its last two-byte character.
    bad = "частный".encode("utf-8")[:-1]
    write(d, "attributes.csv", b"cluster_key,initiator\nC1," + bad + b"\nC2,private\n")
    project(d, cities(d), clusters(d),
            '[cluster_attributes]\npath = "attributes.csv"\nkey_field = "cluster_key"\n')


# --- attribute domains (reported, value null, run goes on) -----------------------------

def _null_check(layer, key_field, key, field):
    def check(d, out, _stdout):
        rows = sqlite_value(out, f'SELECT "{field}" FROM "{layer}" WHERE "{key_field}" = \'{key}\'')
        assert rows == [(None,)], (layer, key, field, rows)
    return check


@case(0, "cluster_attributes.public_share: 1 value is outside 0–1, set to null: fid 2 ('1.5')",
       check=_null_check("clusters", "cluster_id", "C2", "formation_type"))
def public_share_1_5(d):
    attributes(d, ["C1,private,0,2015", "C2,private,1.5,2015"])


@case(0, "cluster_attributes.opened: 1 value is not a plausible year", "fid 2 ('2999')",
       check=_null_check("clusters", "cluster_id", "C2", "age_years"))
def opened_year_2999(d):
    attributes(d, ["C1,private,0,2015", "C2,private,0,2999"])


@case(0, "cluster_attributes.opened: 1 value is not a plausible year", "fid 1 ('1500')",
       check=_null_check("clusters", "cluster_id", "C1", "age_years"))
def opened_year_1500(d):
    attributes(d, ["C1,private,0,1500", "C2,private,0,2015"])


@case(0, "cities.population: 1 value is negative, set to null: fid 0 ('-5000')",
       check=_null_check("cities", "city_id", "ekb", "clusters_per_100k"))
def negative_population(d):
    city = json.loads(json.dumps(CITY))
    city["properties"]["population"] = -5000
    project(d, cities(d, city), clusters(d))


@case(0, "grants.amount: 1 value is negative, set to null: fid 1 ('-100000')")
def negative_grant(d):
    write(d, "grants.csv", "cluster_key,amount\nC1,-100000\nC2,50000\n")
    project(d, cities(d), clusters(d),
            '[grants]\npath = "grants.csv"\nkey_field = "cluster_key"\namount_field = "amount"\n')


@case(0, "cluster_attributes.initiator: 1 value is not a known initiator", "fid 2 ('municipal')",
       check=_null_check("clusters", "cluster_id", "C2", "formation_type"))
def unknown_initiator(d):
    attributes(d, ["C1,private,0,2015", "C2,municipal,0.2,2015"])


@case(0, "cities.population: 1 value is not a number, set to null: fid 0 ('many')",
      check=_null_check("cities", "city_id", "ekb", "population"))
def wrong_type_field(d):
    # A text population: not a number, reported and null.
    city = json.loads(json.dumps(CITY))
    city["properties"]["population"] = "many"
    project(d, cities(d, city), clusters(d))


# --- keys -------------------------------------------------------------------------

@case(1, "attributes.csv'", "field 'cluster_key'", "duplicate key(s)", "'c1'")
def duplicate_attribute_keys(d):
    attributes(d, ["C1,private,0,2015", "C2,private,0,2015", " c1 ,public,1,2016"])


@case(1, "clusters.csv'", "field 'cluster_id'", "duplicate key(s)", "'c2'")
def duplicate_cluster_ids(d):
    project(d, cities(d), clusters(d, CLUSTERS_CSV + "C2,Третий,60.62,56.82\n"))


def _grant_total_check(d, out, _stdout):
    # Two grants to C1 in two years are two rows, both counted: 300,000 + 150,000.
    rows = sqlite_value(out, "SELECT grant_total FROM clusters WHERE cluster_id = 'C1'")
    assert rows == [(450000.0,)], rows


@case(0, "Key join clusters ← grants: 2 matched", check=_grant_total_check)
def repeated_grant_keys_are_rows(d):
    write(d, "grants.csv", "cluster_key,amount,year\nC1,300000,2022\nc1,150000,2023\n")
    project(d, cities(d), clusters(d),
            '[grants]\npath = "grants.csv"\nkey_field = "cluster_key"\namount_field = "amount"\n')


# --- files and layers ----------------------------------------------------------------

@case(1, "clusters.gpkg'", "empty file (0 bytes)")
def zero_byte_file(d):
    write(d, "clusters.gpkg", b"")
    project(d, cities(d), '[clusters]\npath = "clusters.gpkg"\nid_field = "cluster_id"\n')


@case(1, "clusters.gpkg'", "GDAL cannot open this source")
def truncated_geopackage(d):
    from osgeo import ogr
    path = os.path.join(d, "full.gpkg")
    ogr_layer(path, "clusters", ogr.wkbPoint, [("cluster_id", ogr.OFTString)],
              [(f"C{i}", f"POINT ({60.5 + i * 1e-4} 56.8)") for i in range(500)])
    with open(path, "rb") as f:
        data = f.read()
    os.remove(path)
    write(d, "clusters.gpkg", data[: len(data) // 2])
    project(d, cities(d), '[clusters]\npath = "clusters.gpkg"\nid_field = "cluster_id"\n')


@case(1, "nope.geojson'", "does not exist")
def missing_file(d):
    project(d, cities(d), '[heritage]\npath = "nope.geojson"\n')


@case(1, "cities.geojson'", "layer 'towns'")
def missing_layer(d):
    project(d, cities(d) + 'layer = "towns"\n', clusters(d))


@case(1, "layer 'clusters'", "field 'title'", "no such field")
def missing_field(d):
    project(d, cities(d), clusters(d).replace('name_field = "name"', 'name_field = "title"'))


@case(1, "clusters.csv', layer 'clusters'", "the layer has no geometry",
      "name its coordinate columns with x_field and y_field")
def csv_without_lonlat(d):
    # A plain table named as a layer source: no x/y, no WKT, no CRS.
    write(d, "clusters.csv", "cluster_id,name\nC1,A\nC2,B\n")
    project(d, cities(d), '[clusters]\npath = "clusters.csv"\nid_field = "cluster_id"\n')


@case(1, "clusters.csv'", "empty file (0 bytes)")
def zero_byte_csv(d):
    write(d, "clusters.csv", b"")
    project(d, cities(d), '[clusters]\npath = "clusters.csv"\nx_field = "lon"\ny_field = "lat"\n'
                          'crs = "EPSG:4326"\nid_field = "cluster_id"\n')


@case(1, "programmes.geojson'", "GDAL cannot open this source")
def truncated_geojson(d):
    text = json.dumps({"type": "FeatureCollection", "features": [
        feature({"programme_id": "P1"}, {"type": "Polygon", "coordinates": [square(60.6, 56.8)]})]})
    write(d, "programmes.geojson", text[: len(text) // 2])
    project(d, cities(d), '[programmes]\npath = "programmes.geojson"\nid_field = "programme_id"\n')


# --- the project file ------------------------------------------------------------------

@case(1, "project.toml'", "not a valid TOML file", "line 3")
def malformed_toml(d):
    write(d, "project.toml", '[project]\nname = "x"\nreference_year = = 2026\n')


@case(1, "project.toml'", "unknown key 'snap_m' in [link]")
def unknown_project_key(d):
    project(d, cities(d), clusters(d), "[link]\nsnap_m = 5\n")


@case(1, "project.toml'", "'EPSG:999999' is not a CRS", "[clusters]")
def nonexistent_crs(d):
    project(d, cities(d), clusters(d).replace('crs = "EPSG:4326"', 'crs = "EPSG:999999"'))


@case(1, "project.toml'", "[project] reference_year: expected an integer")
def wrong_type_project_key(d):
    project(d, cities(d), clusters(d))
    text = open(os.path.join(d, "project.toml"), encoding="utf-8").read()
    write(d, "project.toml", text.replace("reference_year = 2026", 'reference_year = "soon"'))


@case(1, "project.toml'", "none of [clusters], [heritage] or [programmes]")
def zero_byte_project_file(d):
    write(d, "project.toml", b"")


@case(1, "project.toml'", "not a valid TOML file")
def project_file_not_utf8(d):
    write(d, "project.toml", '[project]\nname = "Завод"\n'.encode("cp1251"))


# --- the output ---------------------------------------------------------------------

@case(1, "out.gpkg'", "pass --overwrite")
def output_exists(d):
    write(d, "out.gpkg", "keep me")
    project(d, cities(d), clusters(d))


@case(1, "the output folder does not exist")
def output_folder_missing(d):
    project(d, cities(d), clusters(d))
    return ["-o", os.path.join(d, "no", "such", "folder", "out.gpkg")]


@case(1, "the output folder is not writable")
def output_folder_read_only(d):
    project(d, cities(d), clusters(d))
    if os.geteuid() == 0:
        # Root writes through permission bits; sysfs refuses new files to anyone.
        return ["-o", "/sys/out.gpkg"]
    ro = os.path.join(d, "ro")
    os.mkdir(ro, 0o555)
    return ["-o", os.path.join(ro, "out.gpkg")]


@case(1, "the output would overwrite an input")
def output_is_an_input(d):
    project(d, cities(d), clusters(d))
    return ["-o", os.path.join(d, "cities.geojson"), "--overwrite"]


# --- the standard runner ---------------------------------------------------------------

def checksums(folder, skip=()):
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            if path in skip:
                continue
            with open(path, "rb") as f:
                out[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


def leftovers(folder, out_name):
    """Temporaries of a run beside its output (and the output's own journals)."""
    names = os.listdir(folder) if os.path.isdir(folder) else []
    return sorted(n for n in names if ".tmp-" in n or n.startswith(".creatlas-probe-")
                  or n.startswith(out_name + "-"))


def assert_utf8(gpkg):
    """Every TEXT value of every table, read raw and decoded strictly."""
    con = sqlite3.connect(gpkg)
    con.text_factory = bytes
    try:
        tables = [r[0].decode() for r in
                  con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for t in tables:
            cols = [r[1].decode() for r in con.execute(f'PRAGMA table_info("{t}")')]
            for c in cols:
                for (v,) in con.execute(f'SELECT "{c}" FROM "{t}" WHERE typeof("{c}") = \'text\''):
                    try:
                        v.decode("utf-8", errors="strict")
                    except UnicodeDecodeError as e:
                        raise AssertionError(f"{gpkg}: table {t}, column {c}: not UTF-8: {v!r}") from e
    finally:
        con.close()


def assert_clean_process(proc_returncode, text):
    if proc_returncode < 0:
        raise AssertionError(f"killed by signal {-proc_returncode}:\n{text}")
    for mark in SANITIZER_MARKS:
        if mark in text:
            raise AssertionError(f"'{mark}' in the output:\n{text}")


def run_case(c):
    folder = tempfile.mkdtemp(prefix=f"creatlas-bad-{c.name}-")
    try:
        extra = c.build(folder) or []
        out = os.path.join(folder, "out.gpkg")
        args = ["-o", out] if "-o" not in extra else []
        target = extra[extra.index("-o") + 1] if "-o" in extra else out
        existed = os.path.exists(target)
        before = checksums(folder)
        t0 = time.monotonic()
        proc = subprocess.run([CREATLAS, "run", os.path.join(folder, "project.toml"), *args,
                               "--no-report", *extra],
                              capture_output=True, timeout=RUN_TIMEOUT_S)
        seconds = time.monotonic() - t0
        stdout = proc.stdout.decode("utf-8", errors="replace")
        stderr = proc.stderr.decode("utf-8", errors="replace")
        text = stdout + stderr
        # The terminal output itself is valid UTF-8 (the messages quote input text).
        proc.stdout.decode("utf-8")
        proc.stderr.decode("utf-8")
        assert_clean_process(proc.returncode, text)
        if proc.returncode != c.exit_code:
            raise AssertionError(f"exit {proc.returncode}, expected {c.exit_code}:\n{text}")
        for m in c.messages:
            if m not in text:
                raise AssertionError(f"message '{m}' not in the output:\n{text}")
        after = checksums(folder, skip={target} if not existed else set())
        if after != before:
            changed = sorted(set(before.items()) ^ set(after.items()))
            raise AssertionError(f"the inputs changed: {changed}")
        out_dir = os.path.dirname(target)
        left = leftovers(out_dir, os.path.basename(target))
        if left:
            raise AssertionError(f"left beside the output: {left}")
        if c.exit_code != 0:
            if os.path.exists(target) and not existed:
                raise AssertionError(f"a failed run left {target}")
        else:
            assert_utf8(target)
            if c.check:
                c.check(folder, target, stdout)
        print(f"{c.name}: exit {proc.returncode} in {seconds:.1f} s, as expected")
        first = stderr.strip().splitlines()[-1:] if c.exit_code else []
        for line in first:
            print(f"  {line}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- the killed run --------------------------------------------------------------------

KILL_CLUSTERS = int(os.environ.get("CREATLAS_KILL_CLUSTERS", "150000"))


def killed_run():
    """SIGKILL while the GeoPackage is being written: afterwards no output and no
    temporary beside it (the write stage's guard removes what the killed process
    could not), and the inputs unchanged."""
    folder = tempfile.mkdtemp(prefix="creatlas-bad-killed_run-")
    try:
        import random
        rnd = random.Random(20260101)
        lines = ["cluster_id,name,lon,lat"]
        for i in range(KILL_CLUSTERS):
            lines.append(f"C{i},Кластер {i},{60.5 + rnd.random() * 0.2:.6f},"
                         f"{56.7 + rnd.random() * 0.2:.6f}")
        project(folder, cities(folder), clusters(folder, "\n".join(lines) + "\n"))
        out = os.path.join(folder, "out.gpkg")
        before = checksums(folder)
        proc = subprocess.Popen([CREATLAS, "run", os.path.join(folder, "project.toml"), "-o", out,
                                 "--no-report", "-q"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # Wait until the temporary GeoPackage exists, then kill: the hardest moment.
        deadline = time.monotonic() + RUN_TIMEOUT_S
        temp_seen = None
        while time.monotonic() < deadline and proc.poll() is None:
            temps = [n for n in os.listdir(folder) if ".tmp-" in n]
            if temps:
                temp_seen = temps[0]
                break
            time.sleep(0.005)
        if temp_seen is None:
            proc.kill()
            proc.wait()
            raise AssertionError("the run ended (or timed out) before it began writing; "
                                 f"exit {proc.returncode}: raise CREATLAS_KILL_CLUSTERS")
        time.sleep(0.05)  # into the writing
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        err = proc.stderr.read().decode("utf-8", errors="replace")
        proc.stderr.close()
        if proc.returncode != -signal.SIGKILL:
            raise AssertionError(f"exit {proc.returncode}: the run was not killed\n{err}")
        # The guard cleans up as soon as it sees its parent gone.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and leftovers(folder, "out.gpkg"):
            time.sleep(0.05)
        left = leftovers(folder, "out.gpkg")
        if left:
            raise AssertionError(f"left beside the output after SIGKILL: {left}")
        if os.path.exists(out):
            raise AssertionError("a killed run left out.gpkg")
        after = checksums(folder)
        if after != before:
            raise AssertionError("the inputs changed")
        print(f"killed_run: SIGKILL while {temp_seen} was being written; nothing left, "
              "inputs unchanged")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


CASES["killed_run"] = Case("killed_run", None, None, (), run=killed_run)


def main(argv):
    if argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return 0
    names = list(CASES) if argv[1:] == ["--all"] else argv[1:]
    if not names:
        print(__doc__)
        return 2
    failed = []
    for name in names:
        c = CASES[name]
        try:
            (c.run or (lambda: run_case(c)))()
        except (AssertionError, subprocess.TimeoutExpired) as e:
            print(f"{name}: FAILED: {e}")
            failed.append(name)
    print(f"{len(names) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
