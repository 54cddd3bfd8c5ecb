"""creatlas:indicators — city and cluster indicators on existing layers."""

import html

from qgis.core import QgsProcessingParameterFeatureSink

from .. import core
from ..i18n import tr
from .base import CITIES, CLUSTERS, CreatlasAlgorithm


class IndicatorsAlgorithm(CreatlasAlgorithm):
    NAME = "indicators"
    DISPLAY_NAME = "Compute indicators"
    SUMMARY = ("Computes the indicators of urban-space transformation on existing "
               "layers: per city (clusters per 100,000 inhabitants, industrial heritage "
               "re-used, programme coverage, type diversity, the creative index …) and "
               "per cluster (distance to the centre, centrality, heritage, programmes). "
               "Distances are geodesic metres on the WGS 84 ellipsoid.")
    # Without clusters the cluster indicators are null (the run report says why).
    SOURCES = (("cities", True), ("clusters", False), ("heritage", False),
               ("programmes", False), ("cluster_attributes", False), ("grants", False),
               ("enterprises", False))
    SETTINGS = ("project", "link", "formation", "industrial", "tier", "candidate",
                "creative_index", "statistics")
    OUTPUT = "OUTPUT"
    CLUSTERS_OUT = "CLUSTERS"

    def add_outputs(self):
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, tr("Cities with indicators")))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.CLUSTERS_OUT, tr("Clusters with indicators"), optional=True))

    def extra_help(self):
        """The indicator catalogue, as the core declares it (one table per layer)."""
        module = core.module
        if module is None or not module.HAS_INDICATOR_CATALOGUE:
            return ("<p>The indicator catalogue is not declared by this build of the "
                    "core.</p>")
        by_layer = {}
        for ind in module.indicator_catalogue():
            by_layer.setdefault(ind["layer"], []).append(ind)
        parts = ["<h3>Indicators</h3>"]
        for layer, inds in by_layer.items():
            parts.append("<h4>{}</h4><table><tr><th>field</th><th>unit</th>"
                         "<th>meaning</th><th>formula</th></tr>".format(html.escape(layer)))
            for ind in inds:
                parts.append("<tr>" + "".join(
                    "<td>{}</td>".format(html.escape(str(ind[k])))
                    for k in ("id", "unit", "meaning", "formula")) + "</tr>")
            parts.append("</table>")
        return "".join(parts)

    def collect(self, report, gpkg, parameters, context, feedback):
        results = {self.OUTPUT: self.copy_to_sink(gpkg, CITIES, report, parameters,
                                                  self.OUTPUT, context, feedback)}
        if parameters.get(self.CLUSTERS_OUT) is not None:
            results[self.CLUSTERS_OUT] = self.copy_to_sink(
                gpkg, CLUSTERS, report, parameters, self.CLUSTERS_OUT, context, feedback)
        return results
