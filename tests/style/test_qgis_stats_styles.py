"""QGIS's own view of the GeoPackages `creatlas stats … -o` writes: each results
layer (fixed names: lisa, gistar, moran, nni) opens with its default style.

usage: test_qgis_stats_styles.py --creatlas EXE --work DIR
Run under Debian's /usr/bin/python3 (python3-qgis) with QT_QPA_PLATFORM=offscreen.

The input is make_fixture.py's 5 x 5 lattice (value rising towards the north-east
corner) as squares, centre points and short segments. Expected classes and
colours come from the design (LISA quadrants HH red, LL blue, HL pink, LH light
blue, not significant translucent grey; Gi* hot/cold in ColorBrewer's RdBu),
class breaks from numpy on the values read with OGR, and each feature's colour
on a rendered map from its own label, worked out by hand (qgis_checks.over_white).
"""
import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import unittest

import numpy
from osgeo import ogr

from qgis.core import QgsApplication, QgsProject, QgsRectangle, QgsVectorLayer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_fixture  # noqa: E402

ogr.UseExceptions()

ARGS = None
# (value, label, colour, fill opacity for polygons; markers and lines are opaque)
LISA_CLASSES = [("HH", "HH – high among high neighbours", "#b2182b", 0.8),
                ("LH", "LH – low among high neighbours", "#92c5de", 0.8),
                ("LL", "LL – low among low neighbours", "#2166ac", 0.8),
                ("HL", "HL – high among low neighbours", "#f4a6a6", 0.8),
                ("not significant", "not significant", "#bbbbbb", 0.35)]
GI_CLASSES = [("hot 99%", "hot spot, 99 % confidence", "#b2182b"),
              ("hot 95%", "hot spot, 95 % confidence", "#ef8a62"),
              ("hot 90%", "hot spot, 90 % confidence", "#fddbc7"),
              ("not significant", "not significant", "#bbbbbb"),
              ("cold 90%", "cold spot, 90 % confidence", "#d1e5f0"),
              ("cold 95%", "cold spot, 95 % confidence", "#67a9cf"),
              ("cold 99%", "cold spot, 99 % confidence", "#2166ac")]
# The lattice spans 30.00–30.05 E, 0.00–0.05 N.
LATTICE = QgsRectangle(29.995, -0.005, 30.055, 0.055)


def path(name):
    return os.path.join(ARGS.work, name)


def creatlas(*args):
    result = subprocess.run([ARGS.creatlas, "stats", *args, "--overwrite"], capture_output=True,
                            text=True)
    if result.returncode != 0:
        raise RuntimeError(f"creatlas stats {' '.join(args)} failed:\n{result.stderr}")


def setUpModule():
    shutil.rmtree(ARGS.work, ignore_errors=True)
    os.makedirs(ARGS.work)
    make_fixture.make_stats_input(path("input.gpkg"))
    source = ["--input", path("input.gpkg")]
    creatlas("lisa", *source, "--layer", "lattice", "--field", "v", "-o", path("lisa.gpkg"))
    creatlas("lisa", *source, "--layer", "segments", "--field", "v", "--weights", "knn:4",
             "-o", path("lisa_lines.gpkg"))
    creatlas("gistar", *source, "--layer", "centres", "--field", "v", "--weights", "knn:4",
             "-o", path("gistar.gpkg"))
    creatlas("moran", *source, "--layer", "lattice", "--field", "v", "-o", path("moran.gpkg"))
    creatlas("nni", *source, "--layer", "centres", "--area", "hull", "-o", path("nni.gpkg"))


def open_layer(gpkg, name):
    layer = QgsVectorLayer(f"{path(gpkg)}|layername={name}", name, "ogr")
    assert layer.isValid(), f"cannot open {name} of {gpkg}"
    return layer


def ogr_values(gpkg, name, field):
    ds = ogr.Open(path(gpkg))
    return [f.GetField(field) for f in ds.GetLayerByName(name)]


def categories(layer):
    return [(c.value(), c.label(), c.symbol().color().name()) for c in
            layer.renderer().categories()]


class Lisa(unittest.TestCase):
    def test_quadrant_classes(self):
        layer = open_layer("lisa.gpkg", "lisa")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "categorizedSymbol")
        self.assertEqual(renderer.classAttribute(), "lisa_label")
        self.assertEqual(categories(layer), [c[:3] for c in LISA_CLASSES])
        opacities = [round(c.symbol().symbolLayer(0).color().alpha() / 255, 2)
                     for c in renderer.categories()]
        self.assertEqual(opacities, [c[3] for c in LISA_CLASSES])
        labels = set(ogr_values("lisa.gpkg", "lisa", "lisa_label"))
        # Values rising towards one corner: high-high there, low-low at the other.
        self.assertTrue({"HH", "LL"} <= labels, labels)
        self.assertLessEqual(labels, {c[0] for c in LISA_CLASSES})

    def test_each_square_drawn_in_its_quadrant_colour(self):
        from qgis_checks import Rendering, over_white
        layer = open_layer("lisa.gpkg", "lisa")
        drawn = Rendering([layer], LATTICE, layer.crs())
        colours = {value: over_white(colour, opacity)
                   for value, _, colour, opacity in LISA_CLASSES}
        for feature in layer.getFeatures():
            centre = feature.geometry().centroid().asPoint()
            got = drawn.pixel(centre.x(), centre.y())
            expected = colours[feature["lisa_label"]]
            for g, e in zip(got, expected):
                self.assertAlmostEqual(g, e, delta=2.0, msg=f"{feature['cell']}: {got}")

    def test_lines_drawn_as_lines(self):
        layer = open_layer("lisa_lines.gpkg", "lisa")
        self.assertEqual(layer.renderer().type(), "categorizedSymbol")
        self.assertEqual(categories(layer), [c[:3] for c in LISA_CLASSES])
        for category in layer.renderer().categories():
            self.assertEqual(category.symbol().symbolLayer(0).layerType(), "SimpleLine")


class GiStar(unittest.TestCase):
    def test_hot_cold_classes_and_marker_colours(self):
        from qgis_checks import Rendering
        layer = open_layer("gistar.gpkg", "gistar")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "categorizedSymbol")
        self.assertEqual(renderer.classAttribute(), "gi_label")
        self.assertEqual(categories(layer), GI_CLASSES)
        labels = set(ogr_values("gistar.gpkg", "gistar", "gi_label"))
        self.assertTrue({"hot 99%", "cold 99%"} <= labels, labels)
        colours = {value: colour for value, _, colour in GI_CLASSES}
        drawn = Rendering([layer], LATTICE, layer.crs())
        for feature in layer.getFeatures():
            point = feature.geometry().asPoint()
            expected = colours[feature["gi_label"]]
            expected = tuple(int(expected[i:i + 2], 16) for i in (1, 3, 5))
            got = drawn.pixel(point.x(), point.y())
            for g, e in zip(got, expected):
                self.assertAlmostEqual(g, e, delta=2.0, msg=f"{feature['cell']}: {got}")


class Graduated(unittest.TestCase):
    def check(self, gpkg, name, field, decimals):
        layer = open_layer(gpkg, name)
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "graduatedSymbol")
        self.assertEqual(renderer.classAttribute(), field)
        values = [v for v in ogr_values(gpkg, name, field) if v is not None]
        expected = list(dict.fromkeys(float(v) for v in
                                      numpy.percentile(values, [0, 20, 40, 60, 80, 100])))
        ranges = renderer.ranges()
        bounds = [ranges[0].lowerValue()] + [r.upperValue() for r in ranges]
        numpy.testing.assert_allclose(bounds, expected, rtol=1e-12)
        for r in ranges:
            self.assertEqual(r.label(), f"{r.lowerValue():.{decimals}f} – "
                                        f"{r.upperValue():.{decimals}f}")

    def test_moran_lag(self):
        self.check("moran.gpkg", "moran", "lag", 2)

    def test_nni_distance(self):
        self.check("nni.gpkg", "nni", "nn_dist_m", 0)


class Outputs(unittest.TestCase):
    def test_project_and_validator(self):
        for gpkg, name in (("lisa.gpkg", "lisa"), ("lisa_lines.gpkg", "lisa"),
                           ("gistar.gpkg", "gistar"), ("moran.gpkg", "moran"),
                           ("nni.gpkg", "nni")):
            with sqlite3.connect(path(gpkg)) as db:
                projects = [r[0] for r in db.execute("SELECT name FROM qgis_projects")]
                styled = [r[0] for r in db.execute("SELECT f_table_name FROM layer_styles")]
            self.assertEqual(projects, ["creatlas stats"], gpkg)
            self.assertEqual(styled, [name], gpkg)
            project = QgsProject()
            self.assertTrue(project.read(f"geopackage:{path(gpkg)}?projectName=creatlas stats"),
                            gpkg)
            layers = project.layerTreeRoot().layerOrder()
            self.assertEqual([l.name() for l in layers], [name], gpkg)
            self.assertTrue(layers[0].isValid(), gpkg)
            result = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg",
                                     path(gpkg)], capture_output=True, text=True)
            self.assertEqual((result.returncode, result.stdout.strip()), (0, ""),
                             gpkg + result.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--creatlas", required=True)
    parser.add_argument("--work", required=True)
    ARGS, rest = parser.parse_known_args()
    app = QgsApplication([], False)
    app.initQgis()
    program = unittest.main(argv=[sys.argv[0], "-v"] + rest, exit=False)
    app.exitQgis()
    sys.exit(0 if program.result.wasSuccessful() else 1)
