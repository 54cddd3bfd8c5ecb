"""QGIS's Temporal Controller on the demo atlas: the temporal properties of
clusters (opened → closed), programmes (start → end) and city_years (year), read
back from the project stored in the GeoPackage and from the layers' default
styles, the project's time range and step, and what each yearly frame shows.

usage: test_qgis_temporal.py GPKG   (the demo: sample_data/project.toml's output)
Run under Debian's /usr/bin/python3 (python3-qgis) with QT_QPA_PLATFORM=offscreen.

Expected counts are worked out by hand from sample_data's years
(cluster_attributes.csv opened/closed, programmes.geojson start_year/end_year):
  clusters   C12 2012–2020 (closed 2021), C09 2013–2019 (closed 2020), C01 2017,
             C02 C03 C05 2019, C04 2020, C06 C11 2021, C07 2022, C08 2025; C10 no year.
  programmes P06 2013–2018, P08 2015–2020, P03 2019–2022, P05 2019, P02 P07 2021,
             P01 P09 2022, P04 P12 2023, P10 2024, P11 2025.
  first dated activity: C12 opened 2012 → the span is 2012–2026 (reference_year).
"""
import sqlite3
import sys
import unittest

from qgis.core import (Qgis, QgsApplication, QgsExpression, QgsFeatureRequest, QgsInterval,
                       QgsProject, QgsTemporalNavigationObject, QgsUnitTypes,
                       QgsVectorLayer, QgsVectorLayerTemporalContext,
                       QgsVectorLayerTemporalProperties)

GPKG = None
MODE = QgsVectorLayerTemporalProperties.ModeFeatureDateTimeStartAndEndFromExpressions

# layer: (fields the start expression reads, fields the end expression reads)
TEMPORAL = {"clusters": (["opened_year"], ["closed_year"]),
            "programmes": (["start_year"], ["end_year"]),
            "city_years": (["year"], ["year"])}

# Features each yearly frame shows, by hand from the docstring's years.
CLUSTERS_BY_YEAR = {2012: {"C12"}, 2013: {"C09", "C12"}, 2017: {"C01", "C09", "C12"},
                    2019: {"C01", "C02", "C03", "C05", "C09", "C12"},
                    2020: {"C01", "C02", "C03", "C04", "C05", "C12"},
                    2021: {"C01", "C02", "C03", "C04", "C05", "C06", "C11"},
                    2026: {"C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C11"}}
PROGRAMMES_BY_YEAR = {2012: set(), 2013: {"P06"}, 2019: {"P03", "P05", "P08"},
                      2021: {"P02", "P03", "P05", "P07"},
                      2023: {"P01", "P02", "P04", "P05", "P07", "P09", "P12"},
                      2026: {"P01", "P02", "P04", "P05", "P07", "P09", "P10", "P11", "P12"}}
CITIES = 11


def project_name():
    with sqlite3.connect(GPKG) as db:
        return db.execute("SELECT name FROM qgis_projects").fetchone()[0]


def fields_of(expression):
    return sorted(QgsExpression(expression).referencedColumns())


class Temporal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.project = QgsProject()
        ok = cls.project.read(f"geopackage:{GPKG}?projectName={project_name()}")
        assert ok, cls.project.error()

    def layer(self, name):
        layers = self.project.mapLayersByName(name)
        self.assertEqual(len(layers), 1, name)
        return layers[0]

    def check_properties(self, layer, name):
        props = layer.temporalProperties()
        self.assertTrue(props.isActive(), name)
        self.assertEqual(props.mode(), MODE, name)
        start, end = TEMPORAL[name]
        self.assertEqual(fields_of(props.startExpression()), start, name)
        self.assertEqual(fields_of(props.endExpression()), end, name)
        # The end is exclusive: a cluster closed in 2018 is gone in the 2018 frame.
        self.assertEqual(props.limitMode(),
                         Qgis.VectorTemporalLimitMode.IncludeBeginExcludeEnd, name)

    def test_stored_project_layers_are_temporal(self):
        for name in TEMPORAL:
            self.check_properties(self.layer(name), name)
        # The snapshot layers are not.
        for name in ("cities", "heritage_sites"):
            self.assertFalse(self.layer(name).temporalProperties().isActive(), name)

    def test_default_styles_carry_the_temporal_properties(self):
        # The layer_styles default, as the plugin applies it to the layers it loads
        # (QGIS 3.22's layer constructor resets the temporal properties to the
        # provider's after reading the default style; loadDefaultStyle() does not).
        for name in TEMPORAL:
            layer = QgsVectorLayer(f"{GPKG}|layername={name}", name, "ogr")
            self.assertTrue(layer.isValid(), name)
            _, ok = layer.loadDefaultStyle()
            self.assertTrue(ok, name)
            self.check_properties(layer, name)

    def navigation(self):
        settings = self.project.timeSettings()
        nav = QgsTemporalNavigationObject()
        nav.setTemporalExtents(settings.temporalRange())
        nav.setFrameDuration(QgsInterval(settings.timeStep(), settings.timeStepUnit()))
        return nav

    def test_project_time_is_one_year_a_frame_over_the_span(self):
        settings = self.project.timeSettings()
        span = settings.temporalRange()
        self.assertEqual(span.begin().date().year(), 2012)
        self.assertEqual(span.end().date().year(), 2026)
        self.assertEqual(settings.timeStep(), 1)
        self.assertEqual(settings.timeStepUnit(), QgsUnitTypes.TemporalYears)
        nav = self.navigation()
        self.assertEqual(nav.totalFrameCount(), 2026 - 2012 + 1)
        first = nav.dateTimeRangeForFrameNumber(0)
        self.assertEqual((first.begin().date().year(), first.end().date().year()), (2012, 2013))

    def shown(self, name, year, field):
        """Values of `field` of the features `name` shows in the frame of `year`."""
        layer = self.layer(name)
        nav = self.navigation()
        frame = nav.dateTimeRangeForFrameNumber(year - 2012)
        self.assertEqual(frame.begin().date().year(), year)
        where = layer.temporalProperties().createFilterString(QgsVectorLayerTemporalContext(),
                                                              frame)
        request = QgsFeatureRequest(QgsExpression(where))
        return [f[field] for f in layer.getFeatures(request)]

    def test_frames_show_the_clusters_open_that_year(self):
        for year, expected in CLUSTERS_BY_YEAR.items():
            self.assertEqual(set(self.shown("clusters", year, "cluster_id")), expected, year)

    def test_frames_show_the_programmes_running_that_year(self):
        for year, expected in PROGRAMMES_BY_YEAR.items():
            self.assertEqual(set(self.shown("programmes", year, "programme_id")), expected, year)

    def test_frames_show_one_city_years_row_per_city(self):
        for year in (2012, 2019, 2026):
            years = self.shown("city_years", year, "year")
            self.assertEqual(years, [year] * CITIES, year)

    def test_city_years_graduated_by_transformation_rate(self):
        renderer = self.layer("city_years").renderer()
        self.assertEqual(renderer.type(), "graduatedSymbol")
        self.assertEqual(renderer.classAttribute(), "ih_transformation_rate")
        bounds = [(r.lowerValue(), r.upperValue()) for r in renderer.ranges()]
        self.assertEqual(bounds, [(0, 0.1), (0.1, 0.25), (0.25, 0.5), (0.5, 0.75), (0.75, 1)])


if __name__ == "__main__":
    GPKG = sys.argv.pop(1)
    qgs = QgsApplication([], False)
    qgs.initQgis()
    result = unittest.main(exit=False).result
    sys.exit(0 if result.wasSuccessful() else 1)
