"""creatlas:overlay — heritage sites × support-programme zones."""

from qgis.core import QgsProcessingOutputNumber, QgsProcessingParameterFeatureSink

from .. import core
from ..i18n import tr
from .base import HERITAGE_PROGRAMMES, HERITAGE_SITES, PROGRAMMES, CreatlasAlgorithm


class OverlayAlgorithm(CreatlasAlgorithm):
    NAME = "overlay"
    DISPLAY_NAME = "Overlay heritage sites with support programmes"
    SUMMARY = ("Overlays heritage sites with support-programme zones: one row per site × "
               "zone overlap with its area (heritage_programmes), the sites with the "
               "number of programmes reaching them, re-use by clusters and the "
               "conversion-candidate score of industrial sites, and the zones with the "
               "clusters and heritage sites they cover. Areas are in square metres, "
               "measured on the WGS 84 ellipsoid.")
    # It reads heritage sites and programme zones; clusters (re-use, coverage) and
    # cities only add to the answer.
    SOURCES = (("heritage", True), ("programmes", True), ("clusters", False),
               ("cities", False))
    PRIMARY = ("heritage", "programmes")
    SETTINGS = ("project", "link", "industrial", "candidate")
    OUTPUT = "OUTPUT"
    HERITAGE = "HERITAGE"
    PROGRAMMES_OUT = "PROGRAMMES"
    OVERLAPS = "OVERLAPS"

    def add_outputs(self):
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Heritage × programme overlaps")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.HERITAGE, tr("Heritage sites with programme counts"), optional=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.PROGRAMMES_OUT, tr("Programme zones with coverage counts"), optional=True))
        self.addOutput(QgsProcessingOutputNumber(self.OVERLAPS, tr("Site × zone overlaps")))

    def collect(self, report, gpkg, parameters, context, feedback):
        results = {self.OUTPUT: self.copy_to_sink(gpkg, HERITAGE_PROGRAMMES, report,
                                                  parameters, self.OUTPUT, context, feedback)}
        for sink_name, level in ((self.HERITAGE, HERITAGE_SITES),
                                 (self.PROGRAMMES_OUT, PROGRAMMES)):
            if parameters.get(sink_name) is not None:
                results[sink_name] = self.copy_to_sink(gpkg, level, report, parameters,
                                                       sink_name, context, feedback)
        results[self.OVERLAPS] = (report.get("layers") or {}).get(
            core.layer_name(HERITAGE_PROGRAMMES), 0)
        return results
