"""The atlas dialog as a planner meets it, in-process under Xvfb (ctest runs this
file with xvfb-run; tests/plugin/CMakeLists.txt).

* the order of the first parameters and how many sit outside "Advanced"
  (QgsProcessingAlgorithm.parameterDefinitions(), FlagAdvanced);
* processing.gui.AlgorithmDialog opens, and a screenshot of it is saved
  (CREATLAS_SCREENSHOT, else the test folder; docs/images/atlas-dialog.png is one);
* fields are guessed when a layer is chosen: on sample_data/, on a table with
  Russian column names, and on the real files of ../shared/data (RealDataGuesses,
  label realdata). Expected fields are read off the files' headers by hand;
* the atlas run from the dialog's code path puts its layers into one group of the
  project, clusters on top, each with the style stored in the GeoPackage.

Environment (set by CMake): CREATLAS_PLUGIN_ZIP, CREATLAS_SAMPLE_DATA,
CREATLAS_SHARED_DATA, CREATLAS_TEST_TMP, CREATLAS_SCREENSHOT (optional).
"""

import json
import os
import re
import sqlite3
import sys
import tempfile
import unittest
import zipfile

PLUGIN_ZIP = os.environ.get("CREATLAS_PLUGIN_ZIP", "")
SAMPLE = os.environ.get("CREATLAS_SAMPLE_DATA", "")
SHARED = os.environ.get("CREATLAS_SHARED_DATA", "")
TEST_TMP = os.environ.get("CREATLAS_TEST_TMP", tempfile.gettempdir())
# Where the dialog's screenshot goes (docs/images/atlas-dialog.png is made this way).
SCREENSHOT = os.environ.get("CREATLAS_SCREENSHOT", "")
# Where the plugin is unpacked; CREATLAS_PLUGIN_DIR points at an unpacked one instead.
PLUGIN_DIR = os.environ.get("CREATLAS_PLUGIN_DIR", "")

# The order of what every run needs (issue 16), then the output.
FIRST = ["clusters", "heritage", "programmes", "cities", "cluster_attributes", "OUTPUT"]
MAX_BASIC = 15


def fresh_dir(name):
    os.makedirs(TEST_TMP, exist_ok=True)
    return tempfile.mkdtemp(prefix=name + "-", dir=TEST_TMP)


def start_qgis():
    """One QGIS application with Processing and the plugin's provider."""
    global QGIS_APP, PROVIDER
    if "QGIS_APP" in globals():
        return
    # A clean profile: nothing remembered from an earlier session (the Advanced
    # group's state, last values).
    os.environ["QGIS_CUSTOM_CONFIG_PATH"] = fresh_dir("dialog-profile")
    from qgis.core import QgsApplication

    QgsApplication.setPrefixPath("/usr", True)
    QGIS_APP = QgsApplication([], True)
    QGIS_APP.initQgis()
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    folder = PLUGIN_DIR
    if not folder:
        folder = fresh_dir("dialog-plugin")
        with zipfile.ZipFile(PLUGIN_ZIP) as z:
            z.extractall(folder)
    sys.path.insert(0, folder)
    from creatlas.provider import CreatlasProvider

    PROVIDER = CreatlasProvider()
    QgsApplication.processingRegistry().addProvider(PROVIDER)


def algorithm(name="atlas"):
    from qgis.core import QgsApplication

    return QgsApplication.processingRegistry().createAlgorithmById("creatlas:" + name)


def basic_parameters(alg):
    from qgis.core import QgsProcessingParameterDefinition as Def

    return [p.name() for p in alg.parameterDefinitions()
            if not p.flags() & (Def.FlagAdvanced | Def.FlagHidden)]


class Dialog:
    """An AlgorithmDialog and its parameter wrappers."""

    def __init__(self, name="atlas"):
        from processing.gui.AlgorithmDialog import AlgorithmDialog
        from processing.tools import dataobjects

        self.dialog = AlgorithmDialog(algorithm(name))
        self.panel = self.dialog.mainWidget()
        self.context = dataobjects.createContext()

    def set_layer(self, name, source):
        from qgis.PyQt.QtWidgets import QApplication

        self.panel.wrappers[name].setParameterValue(source, self.context)
        QApplication.processEvents()

    def value(self, name):
        value = self.panel.wrappers[name].parameterValue()
        return value[0] if isinstance(value, list) and value else value

    def crs(self, name):
        value = self.panel.wrappers[name].parameterValue()
        if hasattr(value, "authid"):
            return value.authid()
        return str(value) if value else ""


class DialogTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        start_qgis()

    def test_the_first_parameters_are_what_every_run_needs(self):
        alg = algorithm()
        names = [p.name() for p in alg.parameterDefinitions()]
        self.assertEqual(names[:len(FIRST)], FIRST)
        self.assertEqual(names[len(FIRST)], "PRINT_ATLAS")
        self.assertEqual(names[len(FIRST) + 1], "PROJECT_FILE")

    def test_at_most_15_parameters_outside_advanced(self):
        alg = algorithm()
        basic = basic_parameters(alg)
        print("atlas: {} parameters outside Advanced: {}".format(len(basic), basic))
        self.assertLessEqual(len(basic), MAX_BASIC)
        # every tuning key is under Advanced
        for name in ("formation_support_share", "tier_second_min_population",
                     "candidate_weight_centrality", "statistics_hex_cell_m",
                     "link_heritage_snap_m", "project_geometry_policy", "project_crs",
                     "industrial_industrial_heads", "creative_index_weights"):
            self.assertNotIn(name, basic)

    def test_every_algorithm_keeps_its_layers_first_and_tuning_advanced(self):
        for name, first in (("overlay", ["heritage", "programmes", "OUTPUT"]),
                            ("link", ["clusters", "cluster_attributes", "grants", "OUTPUT"]),
                            ("typology", ["clusters", "cluster_attributes", "OUTPUT"])):
            alg = algorithm(name)
            names = [p.name() for p in alg.parameterDefinitions()]
            self.assertEqual(names[:len(first)], first, name)
            self.assertLessEqual(len(basic_parameters(alg)), MAX_BASIC, name)

    def test_dialog_opens_and_its_screenshot_is_saved(self):
        from qgis.PyQt.QtWidgets import QApplication

        d = Dialog()
        d.set_layer("clusters", os.path.join(SAMPLE, "clusters.csv"))
        d.set_layer("heritage", os.path.join(SAMPLE, "heritage.geojson"))
        d.set_layer("programmes", os.path.join(SAMPLE, "programmes.geojson"))
        d.set_layer("cities", os.path.join(SAMPLE, "cities.geojson"))
        d.set_layer("cluster_attributes", os.path.join(SAMPLE, "cluster_attributes.csv"))
        d.dialog.show()
        # tall enough for every parameter outside Advanced, the collapsed Advanced
        # group and the output
        d.dialog.setMinimumSize(1000, 1500)
        d.dialog.resize(1000, 1500)
        for _ in range(20):
            QApplication.processEvents()
        path = SCREENSHOT or os.path.join(fresh_dir("dialog"), "atlas-dialog.png")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.assertTrue(d.dialog.grab().save(path, "PNG"))
        self.assertGreater(os.path.getsize(path), 10000)
        print("screenshot: " + path)
        # the Advanced group, opened on the guessed fields of the first layers
        from qgis.PyQt.QtWidgets import QGroupBox, QScrollArea

        # QGIS's "Advanced Parameters" (a QgsCollapsibleGroupBox, seen as a QGroupBox)
        advanced_group = d.dialog.findChild(QGroupBox, "grpAdvanced")
        self.assertIsNotNone(advanced_group)
        self.assertTrue(advanced_group.property("collapsed"))
        advanced_group.setProperty("collapsed", False)
        for _ in range(20):
            QApplication.processEvents()
        label = d.panel.wrappers["clusters_id_field"].label  # the plugin's Python wrapper
        scroll = d.panel.findChildren(QScrollArea)[0]
        top = label.mapTo(scroll.widget(), label.rect().topLeft()).y()
        scroll.verticalScrollBar().setValue(top - 40)
        for _ in range(20):
            QApplication.processEvents()
        advanced = os.path.join(os.path.dirname(path), "atlas-dialog-advanced.png")
        self.assertTrue(d.dialog.grab().save(advanced, "PNG"))
        d.dialog.close()

    def test_fields_are_guessed_on_the_sample_layers(self):
        d = Dialog()
        expected = {
            # clusters.csv: cluster_id,name,name_en,city,lon,lat,… (no geometry, no CRS)
            "clusters": ("clusters.csv", {"id_field": "cluster_id", "name_field": "name",
                                          "x_field": "lon", "y_field": "lat"}),
            # heritage.geojson: heritage_id, name, name_en, category, year_built, …
            "heritage": ("heritage.geojson", {"id_field": "heritage_id",
                                              "name_field": "name"}),
            # programmes.geojson: programme_id, name, instrument, grant_per_cluster, year
            "programmes": ("programmes.geojson", {
                "id_field": "programme_id", "name_field": "name",
                "instrument_field": "instrument", "grant_field": "grant_per_cluster"}),
            # cities.geojson: city_id, name, name_en, region, population,
            # regional_capital, centre_lon, centre_lat
            "cities": ("cities.geojson", {
                "id_field": "city_id", "name_field": "name",
                "population_field": "population", "capital_field": "regional_capital",
                "centre_x_field": "centre_lon", "centre_y_field": "centre_lat"}),
            # cluster_attributes.csv: cluster_key,initiator,public_share,opened,…
            "cluster_attributes": ("cluster_attributes.csv", {"key_field": "cluster_key"}),
            # grants.csv: cluster_key,programme_id,amount,year
            "grants": ("grants.csv", {"key_field": "cluster_key", "amount_field": "amount",
                                      "programme_field": "programme_id"}),
        }
        for section, (name, fields) in expected.items():
            d.set_layer(section, os.path.join(SAMPLE, name))
            for key, field in fields.items():
                self.assertEqual(d.value("{}_{}".format(section, key)), field,
                                 "{} {}".format(section, key))
        # a layer with geometry gets no x/y guess; a table's lon/lat are WGS 84
        self.assertFalse(d.value("cities_x_field"))
        self.assertEqual(d.crs("clusters_crs"), "EPSG:4326")
        # clusters.csv has no key column: the key is left to the id (no guess)
        self.assertFalse(d.value("clusters_key_field"))

    def test_russian_field_names_are_guessed_and_guesses_can_be_changed(self):
        folder = fresh_dir("ru-fields")
        path = os.path.join(folder, "города.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("Код,Наименование,Население,Долгота,Широта,Год\n"
                    "1,Екатеринбург,1377738,60.6055,56.8385,1723\n")
        d = Dialog()
        d.set_layer("cities", path)
        self.assertEqual(d.value("cities_id_field"), "Код")
        self.assertEqual(d.value("cities_name_field"), "Наименование")
        self.assertEqual(d.value("cities_population_field"), "Население")
        self.assertEqual(d.value("cities_x_field"), "Долгота")
        self.assertEqual(d.value("cities_y_field"), "Широта")
        # the user's choice wins over the guess
        d.panel.wrappers["cities_name_field"].setParameterValue("Год", d.context)
        self.assertEqual(d.value("cities_name_field"), "Год")
        # [formation]'s fields from a cluster attribute table
        table = os.path.join(folder, "атрибуты.csv")
        with open(table, "w", encoding="utf-8") as f:
            f.write("Ключ,Инициатор,Доля,Год_открытия\nK1,private,0,2017\n")
        d.set_layer("cluster_attributes", table)
        self.assertEqual(d.value("cluster_attributes_key_field"), "Ключ")
        self.assertEqual(d.value("formation_initiator_field"), "Инициатор")
        self.assertEqual(d.value("formation_public_share_field"), "Доля")
        self.assertEqual(d.value("formation_opened_field"), "Год_открытия")


class RealDataGuesses(unittest.TestCase):
    """Guesses on ../shared/data (label realdata); expectations from the files'
    headers: city.csv (hflabs/city) and the Yekaterinburg register (GeoJSON)."""

    @classmethod
    def setUpClass(cls):
        start_qgis()

    def test_russian_cities_table(self):
        d = Dialog()
        d.set_layer("cities", os.path.join(SHARED, "ru-cities", "city.csv"))
        self.assertEqual(d.value("cities_id_field"), "kladr_id")
        self.assertEqual(d.value("cities_name_field"), "city")
        self.assertEqual(d.value("cities_population_field"), "population")
        # capital_marker (0-3, 1 = district centre) is no yes/no field: not guessed
        self.assertFalse(d.value("cities_capital_field"))
        self.assertEqual(d.value("cities_x_field"), "geo_lon")
        self.assertEqual(d.value("cities_y_field"), "geo_lat")
        self.assertEqual(d.crs("cities_crs"), "EPSG:4326")

    def test_heritage_register(self):
        d = Dialog()
        d.set_layer("heritage", os.path.join(SHARED, "ekb-heritage", "ekb-okn.json"))
        self.assertEqual(d.value("heritage_id_field"), "id")
        self.assertEqual(d.value("heritage_name_field"), "name")
        # a layer with geometry: no x/y guess
        self.assertFalse(d.value("heritage_x_field"))


class ResultsInTheMapTest(unittest.TestCase):
    """The atlas's layers land in one group, clusters on top, already styled."""

    @classmethod
    def setUpClass(cls):
        start_qgis()

    def test_atlas_layers_form_one_styled_group(self):
        from processing.gui.Postprocessing import handleAlgorithmResults
        from qgis.core import (QgsProcessingContext, QgsProcessingFeedback, QgsProject,
                               QgsVectorLayer)

        out = os.path.join(fresh_dir("map"), "atlas.gpkg")
        alg = algorithm()
        project = QgsProject.instance()
        context = QgsProcessingContext()
        context.setProject(project)
        feedback = QgsProcessingFeedback()
        params = {"PROJECT_FILE": os.path.join(SAMPLE, "project.toml"), "OUTPUT": out,
                  "PRINT_ATLAS": False}
        results, ok = alg.run(params, context, feedback)
        self.assertTrue(ok)
        self.assertTrue(handleAlgorithmResults(alg, context, feedback))
        root = project.layerTreeRoot()
        group = root.findGroup("creatlas atlas: atlas.gpkg")
        self.assertIsNotNone(group)
        names = [child.layer().name() for child in group.children()]
        # top to bottom: points over polygons, tables last
        order = ["clusters", "heritage_sites", "heritage_programmes",
                 "heritage_sites_footprints", "programmes", "hex_grid", "cities", "city_years"]
        self.assertEqual(names, [n for n in order if n in names] +
                         [n for n in names if n not in order])
        self.assertEqual(names[0], "clusters")
        # every atlas layer is in the group, none left at the root
        written = set(json.loads(results["REPORT"])["layers"])
        self.assertEqual(set(names), written)
        print("layer tree: {}".format(names))
        self.assertFalse([c for c in root.children() if c is not group])
        # styled: the renderer is the one of the style stored in the GeoPackage
        with sqlite3.connect(out) as db:
            stored = dict(db.execute("SELECT f_table_name, styleQML FROM layer_styles"
                                     " WHERE useAsDefault"))
        for child in group.children():
            layer = child.layer()
            self.assertIsInstance(layer, QgsVectorLayer)
            qml = stored.get(layer.name())
            if qml is None or not layer.isSpatial():
                continue
            renderer = re.search(r'<renderer-v2 [^>]*type="([^"]+)"', qml).group(1)
            self.assertEqual(layer.renderer().type(), renderer, layer.name())


if __name__ == "__main__":
    unittest.main()
