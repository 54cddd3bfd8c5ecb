"""QGIS's own view of a creatlas GeoPackage: default styles, embedded project,
rendered map, GeoPackage validity and the report beside it.

usage: test_qgis_styles.py GPKG [--expect-fixture]
Run under Debian's /usr/bin/python3 (python3-qgis) with QT_QPA_PLATFORM=offscreen.

Expected values come from the design (DESIGN.md, issue 4: class values, labels,
colour-blind-safe colours), from the data read independently with GDAL/OGR and
numpy (class breaks), and, with --expect-fixture, from make_fixture.py's
hand-made data (exact breaks 12.5/30/47.5/60/75/95, cities' order, candidates,
the hex_grid cells and the colour each must show, the footprint layers).
"""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import numpy
from osgeo import ogr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_fixture  # noqa: E402

from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsMapRendererSequentialJob, QgsMapSettings, QgsProject, QgsRectangle,
                       QgsVectorLayer)
from qgis.PyQt.QtCore import QSize, Qt
from qgis.PyQt.QtGui import QColor, QImage

ogr.UseExceptions()

GPKG = None
EXPECT_FIXTURE = False

# Design (issue 4): five formation types in Okabe-Ito colours, then unknown.
CLUSTER_CLASSES = [("1", "1 – initiative", "#d55e00"),
                   ("2", "2 – initiative, supported", "#e69f00"),
                   ("3", "3 – partnership", "#009e73"),
                   ("4", "4 – public-led", "#56b4e9"),
                   ("5", "5 – dependent", "#0072b2"),
                   ("", "unknown", "#999999")]
HERITAGE_VALUES = ["reused", "candidate", "other"]
INSTRUMENTS = ["space", "cluster", "grant", "export"]
# Gi* labels as geo/src/stats/getis.cpp writes them, in ColorBrewer's diverging RdBu
# (colour-blind safe), not significant a translucent grey; then cells of a city
# grid too small for a statistic (NULL). (value, label, colour, fill opacity)
GI_CLASSES = [("hot 99%", "hot spot, 99 % confidence", "#b2182b", 0.8),
              ("hot 95%", "hot spot, 95 % confidence", "#ef8a62", 0.8),
              ("hot 90%", "hot spot, 90 % confidence", "#fddbc7", 0.8),
              ("not significant", "not significant", "#bbbbbb", 0.35),
              ("cold 90%", "cold spot, 90 % confidence", "#d1e5f0", 0.8),
              ("cold 95%", "cold spot, 95 % confidence", "#67a9cf", 0.8),
              ("cold 99%", "cold spot, 99 % confidence", "#2166ac", 0.8)]
HEX_NULL_CLASS = ("", "no statistic (a city grid of fewer than 3 cells)", "#bbbbbb", 0.15)
# Cells without points keep their hue at 15 % opacity; empty not-significant and
# NULL cells are not drawn at all.
HEX_EMPTY_OPACITY = {"not significant": 0.0, None: 0.0}
HEX_EMPTY_DEFAULT = 0.15
# Footprints of mixed inputs: (fill colour, fill opacity or None for no fill, outline).
FOOTPRINTS = {"clusters_footprints": ("#999999", 0.15, "#000000"),
              "heritage_sites_footprints": ("#ddcc77", 0.5, "#997700"),
              "cities_footprints": (None, None, "#9e9ac8")}
# Top to bottom in the project: the hex grid under clusters and heritage sites
# (and the translucent programme zones), above cities; footprints just below
# their main layer.
LAYER_ORDER = ["clusters", "clusters_footprints", "heritage_sites", "heritage_sites_footprints",
               "heritage_programmes", "programmes", "hex_grid", "city_years", "cities",
               "cities_footprints"]
LAYER_STYLES_COLUMNS = ["id", "f_table_catalog", "f_table_schema", "f_table_name",
                        "f_geometry_column", "styleName", "styleQML", "styleSLD", "useAsDefault",
                        "description", "owner", "ui", "update_time"]


def present_layers():
    ds = ogr.Open(GPKG)
    names = {ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())}
    return [name for name in LAYER_ORDER if name in names]


def has_economy():
    """An atlas with creative enterprises: its cities carry ent_per_1000, and the
    cities get a second style (cities_economy, classes.json "variant")."""
    ds = ogr.Open(GPKG)
    cities = ds.GetLayerByName("cities")
    return cities is not None and cities.GetLayerDefn().GetFieldIndex("ent_per_1000") >= 0


def project_layers():
    """The project's layers, top to bottom: the GeoPackage's, with the
    project-only city outlines (the cities layer once more, labelled) just
    above the cities, and the hidden cities by enterprise density just below."""
    layers = []
    for name in present_layers():
        if name == "cities":
            layers.append("city_outlines")
        layers.append(name)
        if name == "cities" and has_economy():
            layers.append("cities_economy")
    return layers


def ogr_values(layer_name, field):
    ds = ogr.Open(GPKG)
    layer = ds.GetLayerByName(layer_name)
    return [f.GetField(field) for f in layer]


def open_layer(name):
    layer = QgsVectorLayer(f"{GPKG}|layername={name}", name, "ogr")
    assert layer.isValid(), f"cannot open {name}"
    return layer


def project_name():
    with sqlite3.connect(GPKG) as db:
        rows = db.execute("SELECT name FROM qgis_projects").fetchall()
    assert len(rows) == 1, rows
    return rows[0][0]


class DefaultStyles(unittest.TestCase):
    """QGIS applies the stored default style by itself when a layer is opened."""

    def test_clusters_by_formation_type(self):
        layer = open_layer("clusters")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "categorizedSymbol")
        self.assertEqual(renderer.classAttribute(), "formation_type")
        got = [(c.value(), c.label(), c.symbol().color().name()) for c in renderer.categories()]
        self.assertEqual(got, CLUSTER_CLASSES)

    def test_heritage_sites_by_status_with_rank_labels(self):
        layer = open_layer("heritage_sites")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "categorizedSymbol")
        self.assertEqual([c.value() for c in renderer.categories()], HERITAGE_VALUES)
        labels = [c.label() for c in renderer.categories()]
        self.assertTrue(labels[0].startswith("re-used"), labels)
        self.assertTrue(labels[1].startswith("candidate"), labels)
        self.assertIn("rank", labels[1])
        self.assertTrue(layer.labelsEnabled())
        self.assertIn('"candidate_rank"', layer.labeling().settings().fieldName)
        # Rank labels only from 1:250,000 inwards: at national extent QGIS would
        # otherwise place tens of thousands of labels (docs/styles.md).
        settings = layer.labeling().settings()
        self.assertTrue(settings.scaleVisibility)
        self.assertEqual(settings.minimumScale, 250000.0)
        self.assertEqual(settings.maximumScale, 0.0)
        # The status expression sorts sites as the design says: evaluate it on each.
        from qgis.core import QgsExpression, QgsExpressionContext, QgsExpressionContextUtils
        expression = QgsExpression(renderer.classAttribute())
        context = QgsExpressionContext()
        context.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
        for feature in layer.getFeatures():
            context.setFeature(feature)
            status = expression.evaluate(context)
            if feature["reused"] == 1:
                self.assertEqual(status, "reused")
            elif feature["is_industrial"] == 1:
                self.assertEqual(status, "candidate")
            else:
                self.assertEqual(status, "other")

    def test_programmes_by_instrument_translucent_hatched(self):
        layer = open_layer("programmes")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "categorizedSymbol")
        self.assertEqual(renderer.classAttribute(), "instrument")
        self.assertEqual([c.value() for c in renderer.categories()], INSTRUMENTS)
        self.assertEqual([c.label() for c in renderer.categories()],
                         ["transformation of urban spaces", "creation of creative clusters",
                          "grants to small businesses", "stimulation of exports"])
        for category in renderer.categories():
            layers = category.symbol().symbolLayers()
            self.assertEqual([l.layerType() for l in layers], ["SimpleFill", "LinePatternFill"])
            self.assertLess(layers[0].color().alpha(), 128)  # translucent
        angles = [c.symbol().symbolLayers()[1].lineAngle() for c in renderer.categories()]
        self.assertEqual(len(set(angles)), 4)  # each instrument hatched its own way

    def test_heritage_programmes_outlines(self):
        layer = open_layer("heritage_programmes")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "singleSymbol")
        fill = renderer.symbol().symbolLayers()[0]
        self.assertEqual(fill.brushStyle(), Qt.NoBrush)
        self.assertNotEqual(fill.strokeStyle(), Qt.NoPen)

    def test_cities_graduated_by_creative_index(self):
        layer = open_layer("cities")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "graduatedSymbol")
        self.assertEqual(renderer.classAttribute(), "creative_index")
        values = [v for v in ogr_values("cities", "creative_index") if v is not None]
        # Equal-count breaks, computed independently with numpy.
        expected = numpy.percentile(values, [0, 20, 40, 60, 80, 100]) if values else []
        expected = list(dict.fromkeys(float(v) for v in expected))
        ranges = renderer.ranges()
        self.assertEqual(len(ranges), max(len(expected) - 1, 0))
        bounds = [ranges[0].lowerValue()] + [r.upperValue() for r in ranges] if ranges else []
        numpy.testing.assert_allclose(bounds, expected, rtol=1e-12)
        for r in ranges:
            self.assertEqual(r.label(), f"{r.lowerValue():.1f} – {r.upperValue():.1f}")
        if EXPECT_FIXTURE:
            self.assertEqual(bounds, [12.5, 30.0, 47.5, 60.0, 75.0, 95.0])
            self.assertEqual([r.label() for r in ranges],
                             ["12.5 – 30.0", "30.0 – 47.5", "47.5 – 60.0", "60.0 – 75.0",
                              "75.0 – 95.0"])

    def test_hex_grid_by_gi_label(self):
        if "hex_grid" not in present_layers():
            self.skipTest("no hex_grid layer")
        layer = open_layer("hex_grid")
        renderer = layer.renderer()
        self.assertEqual(renderer.type(), "categorizedSymbol")
        self.assertEqual(renderer.classAttribute(), "gi_label")
        got = [(c.value(), c.label(), c.symbol().color().name(),
                round(c.symbol().symbolLayer(0).color().alpha() / 255, 2))
               for c in renderer.categories()]
        self.assertEqual(got, GI_CLASSES + [HEX_NULL_CLASS])
        # Every label the data holds has its own class (none falls to the NULL class).
        values = {c.value() for c in renderer.categories()}
        labels = {v for v in ogr_values("hex_grid", "gi_label") if v is not None}
        self.assertTrue(labels, "the hex grid has no Gi* labels")
        self.assertLessEqual(labels, values - {""})
        # Empty cells are lightened by a data-defined fill colour on each class.
        from qgis.core import QgsSymbolLayer
        for category in renderer.categories():
            fill = category.symbol().symbolLayer(0)
            prop = fill.dataDefinedProperties().property(QgsSymbolLayer.PropertyFillColor)
            self.assertTrue(prop.isActive(), category.value())
            self.assertIn('"count"', prop.expressionString())

    def test_hex_grid_cells_as_drawn(self):
        if not EXPECT_FIXTURE:
            self.skipTest("the cells and their colours are the fixture's")
        from qgis_checks import Rendering, over_white
        from qgis.core import QgsRectangle
        layer = open_layer("hex_grid")
        lons = [c[0] for c in make_fixture.HEX_CELLS]
        lats = [c[1] for c in make_fixture.HEX_CELLS]
        pad = 2 * make_fixture.HEX_RADIUS
        drawn = Rendering([layer], QgsRectangle(min(lons) - pad, min(lats) - pad,
                                                max(lons) + pad, max(lats) + pad), layer.crs())
        classes = {value: (colour, opacity) for value, _, colour, opacity in GI_CLASSES}
        classes[None] = HEX_NULL_CLASS[2:]
        for lon, lat, count, label in make_fixture.HEX_CELLS:
            colour, opacity = classes[label]
            if count == 0:
                opacity = HEX_EMPTY_OPACITY.get(label, HEX_EMPTY_DEFAULT)
            expected = over_white(colour, opacity)
            got = drawn.pixel(lon, lat)
            for g, e in zip(got, expected):
                self.assertAlmostEqual(g, e, delta=2.0, msg=f"{label} count {count}: {got} "
                                       f"instead of {expected}")

    def test_footprints(self):
        present = [name for name in FOOTPRINTS if name in present_layers()]
        ds = ogr.Open(GPKG)  # (a layer does not keep its dataset alive)
        points = ds.GetLayerByName("heritage_sites").GetGeomType() == ogr.wkbPoint
        ds = None
        if EXPECT_FIXTURE and points:
            self.assertEqual(present, list(FOOTPRINTS))  # the point fixture has all three
        if not present:
            self.skipTest("no footprint layers")
        for name in present:
            fill_colour, opacity, outline = FOOTPRINTS[name]
            layer = open_layer(name)  # keeps its renderer alive
            renderer = layer.renderer()
            self.assertEqual(renderer.type(), "singleSymbol", name)
            fill = renderer.symbol().symbolLayers()[0]
            self.assertEqual(fill.layerType(), "SimpleFill", name)
            self.assertEqual(fill.strokeColor().name(), outline, name)
            self.assertNotEqual(fill.strokeStyle(), Qt.NoPen, name)
            if fill_colour is None:
                self.assertEqual(fill.brushStyle(), Qt.NoBrush, name)
            else:
                self.assertEqual(fill.color().name(), fill_colour, name)
                self.assertEqual(round(fill.color().alpha() / 255, 2), opacity, name)

    def test_layer_styles_table_as_qgis_writes_it(self):
        with sqlite3.connect(GPKG) as db:
            columns = [row[1] for row in db.execute("PRAGMA table_info(layer_styles)")]
            self.assertEqual(columns, LAYER_STYLES_COLUMNS)
            registered = db.execute("SELECT data_type FROM gpkg_contents "
                                    "WHERE table_name = 'layer_styles'").fetchall()
            self.assertEqual(registered, [("attributes",)])
            geometry_columns = dict(db.execute(
                "SELECT table_name, column_name FROM gpkg_geometry_columns"))
            rows = db.execute("SELECT f_table_catalog, f_table_schema, f_table_name, "
                              "f_geometry_column, styleName, useAsDefault, owner, ui, "
                              "update_time, typeof(f_table_schema) FROM layer_styles").fetchall()
        second = ["cities"] if has_economy() else []
        self.assertEqual(sorted(r[2] for r in rows), sorted(present_layers() + second))
        for catalog, schema, table, column, name, default, owner, ui, time, schema_type in rows:
            self.assertEqual((catalog, schema, schema_type), ("", "", "text"))
            self.assertEqual(column, geometry_columns[table])
            if name == "cities_economy":
                # The second style of the cities: enterprise density, not the default.
                self.assertEqual((table, default, owner, ui), ("cities", 0, "", None))
                continue
            self.assertEqual((name, default, owner, ui), (table, 1, "", None))
            self.assertRegex(time, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")

    def test_sld_is_stored_and_parses(self):
        from xml.dom import minidom
        with sqlite3.connect(GPKG) as db:
            rows = db.execute("SELECT f_table_name, styleSLD FROM layer_styles").fetchall()
        for table, sld in rows:
            document = minidom.parseString(sld.encode("utf-8"))
            rules = document.getElementsByTagName("se:Rule")
            # hex_grid: a rule per class for cells with points, and one per Gi*
            # label for cells without (8 + 7).
            expected = {"clusters": 6, "heritage_sites": 3, "programmes": 4,
                        "heritage_programmes": 1, "hex_grid": 15, "clusters_footprints": 1,
                        "heritage_sites_footprints": 1, "cities_footprints": 1,
                        "city_years": 5}.get(table)
            if expected is not None:
                self.assertEqual(len(rules), expected, table)


class EmbeddedProject(unittest.TestCase):
    def load(self, path):
        project = QgsProject()
        ok = project.read(f"geopackage:{path}?projectName={project_name()}")
        self.assertTrue(ok, project.error())
        return project

    def check(self, project, path):
        layers = project.layerTreeRoot().layerOrder()
        self.assertEqual([l.name() for l in layers], project_layers())
        for layer in layers:
            self.assertTrue(layer.isValid(), layer.name())
            self.assertEqual(os.path.realpath(layer.source().split("|")[0]),
                             os.path.realpath(path))
        kinds = {l.name(): l.renderer().type() for l in layers}
        self.assertEqual(kinds.get("clusters"), "categorizedSymbol")
        self.assertEqual(kinds.get("cities"), "graduatedSymbol")
        if has_economy():
            # Cities by creative enterprises per 1,000 residents: graduated on
            # ent_per_1000, in the layer tree but unchecked.
            economy = next(l for l in layers if l.name() == "cities_economy")
            self.assertEqual(economy.renderer().type(), "graduatedSymbol")
            self.assertEqual(economy.renderer().classAttribute(), "ent_per_1000")
            node = project.layerTreeRoot().findLayer(economy.id())
            self.assertFalse(node.isVisible())
        if "hex_grid" in kinds:
            self.assertEqual(kinds["hex_grid"], "categorizedSymbol")
        self.assertEqual(project.crs().authid(), "EPSG:3857")
        # Zoomed to the data: the default view holds every layer's extent.
        view = project.viewSettings().defaultViewExtent()
        self.assertFalse(view.isEmpty())
        for layer in layers:
            transform = QgsCoordinateTransform(layer.crs(), project.crs(),
                                               project.transformContext())
            box = transform.transformBoundingBox(layer.extent())
            self.assertTrue(view.contains(box), layer.name())

    def test_project_loads_with_all_layers_styled(self):
        self.check(self.load(GPKG), GPKG)

    def test_city_outlines_are_labelled_with_names(self):
        project = self.load(GPKG)
        outlines = project.mapLayer("city_outlines_creatlas")
        self.assertIsNotNone(outlines)
        self.assertEqual(outlines.source().split("|")[1], "layername=cities")
        self.assertTrue(outlines.labelsEnabled())
        self.assertIn('"name"', outlines.labeling().settings().fieldName)

    def test_print_layout_with_an_atlas_over_cities_with_clusters(self):
        project = self.load(GPKG)
        layout = project.layoutManager().layoutByName("creatlas atlas")
        self.assertIsNotNone(layout)
        self.assertEqual(layout.pageCollection().pageCount(), 2)  # cover, city page
        atlas = layout.atlas()
        self.assertTrue(atlas.enabled())
        self.assertEqual(atlas.coverageLayer().id(), "cities_creatlas")
        # Cities with at least one cluster, the most clusters first.
        with_clusters = sum(1 for n in ogr_values("cities", "n_clusters") if n and n > 0)
        self.assertEqual(atlas.updateFeatures(), with_clusters)
        self.assertFalse(atlas.sortAscending())
        self.assertEqual(atlas.sortExpression(), '"n_clusters"')
        ids = {item.id() for item in layout.items() if hasattr(item, "id")}
        for needed in ("city title", "city map", "city legend", "scale bar", "north arrow",
                       "locator", "clusters table", "candidates table", "key indicators",
                       "city credits", "overview map", "cover legend", "headline figures"):
            self.assertIn(needed, ids)

    def test_project_still_works_after_the_file_moves(self):
        with tempfile.TemporaryDirectory() as folder:
            moved = os.path.join(folder, "elsewhere", os.path.basename(GPKG))
            os.makedirs(os.path.dirname(moved))
            shutil.copy(GPKG, moved)
            self.check(self.load(moved), moved)


class RenderedMap(unittest.TestCase):
    def test_map_shows_the_cluster_colours(self):
        layers = [open_layer(name) for name in present_layers()]
        clusters = next(l for l in layers if l.name() == "clusters")
        # Zoom to the city whose clusters span the most formation types (read with
        # OGR), so that markers do not hide each other as at a country-wide scale.
        by_city = {}
        ds = ogr.Open(GPKG)
        for feature in ds.GetLayerByName("clusters"):
            geometry = feature.GetGeometryRef()
            if geometry is None:
                continue
            minx, maxx, miny, maxy = geometry.GetEnvelope()
            # (QgsRectangle cannot accumulate points: a degenerate one counts as null.)
            entry = by_city.setdefault(feature.GetField("city_id"),
                                       [set(), [minx, miny, maxx, maxy]])
            if feature.GetField("formation_type") is not None:
                entry[0].add(str(feature.GetField("formation_type")))
            bounds = entry[1]
            entry[1] = [min(bounds[0], minx), min(bounds[1], miny), max(bounds[2], maxx),
                        max(bounds[3], maxy)]
        present, bounds = max(by_city.values(), key=lambda e: len(e[0]))
        # Half a kilometre of margin (about 0.005 degrees) around the clusters.
        margin = 0.005 if clusters.crs().isGeographic() else 500.0
        box = QgsRectangle(bounds[0] - margin, bounds[1] - margin, bounds[2] + margin,
                           bounds[3] + margin)
        if EXPECT_FIXTURE:
            self.assertEqual(present, {"1", "2", "3", "4", "5"})
        crs = QgsCoordinateReferenceSystem("EPSG:3857")
        transform = QgsCoordinateTransform(clusters.crs(), crs, QgsProject.instance())
        extent = transform.transformBoundingBox(box)
        settings = QgsMapSettings()
        settings.setLayers(layers)
        settings.setDestinationCrs(crs)
        settings.setOutputSize(QSize(1000, 800))
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setExtent(extent)
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        # Keep the converted image alive while its bits are read.
        image = job.renderedImage().convertToFormat(QImage.Format_RGB32)
        self.assertEqual(image.bytesPerLine(), image.width() * 4)
        pixels = numpy.frombuffer(image.constBits().asstring(image.sizeInBytes()),
                                  dtype=numpy.uint32).reshape(image.height(), image.width())
        if os.environ.get("CREATLAS_STYLE_TEST_IMAGE"):
            image.save(os.environ["CREATLAS_STYLE_TEST_IMAGE"])
        rgb = pixels & 0xFFFFFF
        non_white = numpy.count_nonzero(rgb != 0xFFFFFF) / rgb.size
        self.assertGreater(non_white, 0.01, "the map is blank")
        for value, label, colour in CLUSTER_CLASSES[:5]:
            count = numpy.count_nonzero(rgb == int(colour[1:], 16))
            if value in present:
                # A 4 mm marker at 96 dpi is about 15 px across: well over 20 pure pixels.
                self.assertGreater(count, 20, f"type {label} ({colour}) not on the map")


class Validator(unittest.TestCase):
    def test_gdal_geopackage_validator(self):
        result = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", GPKG],
                                capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertEqual(result.stdout.strip(), "")


class Report(unittest.TestCase):
    def setUp(self):
        self.folder = os.path.dirname(GPKG)
        self.html_path = os.path.join(self.folder, "report.html")
        if not os.path.exists(self.html_path):
            self.skipTest("no report.html beside the GeoPackage")
        with open(self.html_path, encoding="utf-8") as f:
            self.html = f.read()

    def test_sections_findings_first_provenance_last(self):
        headings = ("Headline figures", "Charts", "Maps", "Conversion candidates by city",
                    "Cities by creative index", "Indicator definitions", "Provenance")
        positions = [self.html.find(f">{heading}</h2>") for heading in headings]
        self.assertTrue(all(p > 0 for p in positions), positions)
        self.assertEqual(positions, sorted(positions))

    def test_maps_are_png_images_inside_the_page(self):
        import base64
        import re
        images = re.findall(r'<img src="([^"]+)"', self.html)
        # One map per city with clusters, heritage sites or programme zones, plus the overview.
        cities_with_data = set()
        for name in ("clusters", "heritage_sites", "programmes"):
            try:
                cities_with_data |= {str(v) for v in ogr_values(name, "city_id") if v}
            except (KeyError, RuntimeError, AttributeError):
                pass  # a layer without city_id
        # (At most 24 city maps: atlas.pdf has every city.)
        self.assertEqual(len(images), min(len(cities_with_data), 24) + 1)
        prefix = "data:image/png;base64,"
        for src in images:
            self.assertTrue(src.startswith(prefix))
            self.assertEqual(base64.b64decode(src[len(prefix):])[:8], b"\x89PNG\r\n\x1a\n")
        self.assertFalse(os.path.exists(os.path.join(self.folder, "report_maps")))

    def test_fixture_content(self):
        if not EXPECT_FIXTURE:
            self.skipTest("content checks are for the fixture")
        # Cities by creative_index, highest first, the city without one last.
        order = [self.html.index(f"<td>{name}</td>") for name in
                 ("Ekaterinburg", "Tyumen", "Perm", "Chelyabinsk", "Omsk", "Nizhny Tagil",
                  "Kurgan")]
        self.assertEqual(order, sorted(order))
        # Candidates: two in Ekaterinburg (ranks 1, 2), one in Perm.
        self.assertIn("Ekaterinburg (c1) — 2 candidates", self.html)
        self.assertIn("Perm (c2) — 1 candidate</h3>", self.html)
        # Summary: unmatched keys and repaired feature ids from the run report.
        self.assertIn("zz-unmatched-key", self.html)
        self.assertIn("1: 4 (Self-intersection)", self.html)
        self.assertIn("<code>creative_index</code>", self.html)  # from the catalogue

    def test_without_qgis_the_report_says_why(self):
        path = os.path.join(self.folder, "report_noqgis.html")
        if not os.path.exists(path):
            self.skipTest("no report_noqgis.html")
        with open(path, encoding="utf-8") as f:
            html = f.read()
        self.assertIn("This report has no maps", html)
        self.assertIn("simulated: QGIS is not installed", html)
        self.assertNotIn("<img", html)
        self.assertIn("Cities by creative index", html)


if __name__ == "__main__":
    GPKG = os.path.abspath(sys.argv[1])
    EXPECT_FIXTURE = "--expect-fixture" in sys.argv[2:]
    app = QgsApplication([], False)
    app.initQgis()
    program = unittest.main(argv=[sys.argv[0], "-v"], exit=False)
    app.exitQgis()
    sys.exit(0 if program.result.wasSuccessful() else 1)
