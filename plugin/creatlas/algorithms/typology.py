"""creatlas:typology — the five formation types of creative clusters."""

from qgis.core import QgsProcessingParameterFeatureSink

from ..i18n import tr
from .base import CLUSTERS, CreatlasAlgorithm


class TypologyAlgorithm(CreatlasAlgorithm):
    NAME = "typology"
    DISPLAY_NAME = "Classify formation type"
    SUMMARY = ("Classifies each creative cluster into one of five formation types by "
               "how the public and private sectors took part in founding it, read from "
               "its initiator (private, joint or public) and the public share of its "
               "founding money: 1 initiative, 2 initiative supported, 3 partnership, "
               "4 public-led, 5 dependent. The attributes may be on the clusters "
               "themselves or in a cluster attribute table joined by key. Adds "
               "formation_type and formation_label.")
    SOURCES = (("clusters", True), ("cluster_attributes", False))
    SETTINGS = ("project", "formation")
    OUTPUT = "OUTPUT"

    def add_outputs(self):
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Clusters with formation type")))

    def collect(self, report, gpkg, parameters, context, feedback):
        return {self.OUTPUT: self.copy_to_sink(gpkg, CLUSTERS, report, parameters,
                                               self.OUTPUT, context, feedback)}
