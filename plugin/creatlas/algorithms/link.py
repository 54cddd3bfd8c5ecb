"""creatlas:link — the key join of cluster attributes (and grants) to clusters."""

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessingException,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..i18n import tr
from .base import CLUSTERS, CreatlasAlgorithm


class LinkAlgorithm(CreatlasAlgorithm):
    NAME = "link"
    DISPLAY_NAME = "Link cluster attributes"
    SUMMARY = ("Joins a table of cluster attributes (and, optionally, grants) to the "
               "clusters by key. Keys are compared trimmed, case-folded and in Unicode "
               "NFC; duplicate keys in the attribute table are an error. Returns the "
               "joined clusters and a table of the keys that found no partner, on "
               "either side.")
    # Clusters and at least one table to join to them (check_inputs()).
    SOURCES = (("clusters", True), ("cluster_attributes", False), ("grants", False))
    TARGETS = ("cluster_attributes", "grants")
    SETTINGS = ("project",)
    OUTPUT = "OUTPUT"
    UNMATCHED = "UNMATCHED"
    MATCHED = "MATCHED"
    UNMATCHED_COUNT = "UNMATCHED_COUNT"

    def add_outputs(self):
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Linked clusters")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.UNMATCHED, tr("Unmatched keys"), optional=True))
        self.addOutput(QgsProcessingOutputNumber(
            self.MATCHED, tr("Clusters matched to an attribute row")))
        self.addOutput(QgsProcessingOutputNumber(self.UNMATCHED_COUNT, tr("Unmatched keys")))

    def check_inputs(self, values):
        super().check_inputs(values)
        if not any(target in values for target in self.TARGETS):
            raise QgsProcessingException(
                "link: give at least one table to join to the clusters: cluster "
                "attributes or grants (in the dialog or the project file).")

    @staticmethod
    def unmatched_fields():
        fields = QgsFields()
        for name in ("left_table", "right_table", "side", "table_name", "key"):
            fields.append(QgsField(name, QVariant.String))
        return fields

    def collect(self, report, gpkg, parameters, context, feedback):
        results = {self.OUTPUT: self.copy_to_sink(gpkg, CLUSTERS, report, parameters,
                                                  self.OUTPUT, context, feedback)}
        links = report.get("key_links") or []
        matched = sum(link.get("matched", 0) for link in links
                      if link.get("right") == "cluster_attributes")
        rows = []
        for link in links:
            for side in ("left", "right"):
                for key in link.get("unmatched_" + side) or []:
                    rows.append((link.get("left"), link.get("right"), side, link.get(side),
                                 key))
        sink, dest = self.parameterAsSink(parameters, self.UNMATCHED, context,
                                          self.unmatched_fields(), QgsWkbTypes.NoGeometry,
                                          QgsCoordinateReferenceSystem())
        if sink is not None:
            for row in rows:
                feature = QgsFeature(self.unmatched_fields())
                feature.setAttributes(list(row))
                if not sink.addFeature(feature, QgsFeatureSink.FastInsert):
                    raise QgsProcessingException("Could not write the unmatched keys: {}"
                                                 .format(sink.lastError()))
            results[self.UNMATCHED] = dest
        results[self.MATCHED] = matched
        results[self.UNMATCHED_COUNT] = len(rows)
        return results
