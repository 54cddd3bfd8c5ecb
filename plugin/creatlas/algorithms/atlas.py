"""creatlas:atlas — the whole atlas: every input, every parameter, one GeoPackage."""

import os

from qgis.core import (
    QgsProcessingContext,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputFile,
    QgsProcessingOutputHtml,
    QgsProcessingOutputMultipleLayers,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
)

from .. import project
from ..i18n import tr
from .base import CreatlasAlgorithm


class _LoadDefaultStyle(QgsProcessingLayerPostProcessorInterface):
    """Applies the style the core stored for the layer in the GeoPackage's
    layer_styles table (Processing loads result layers without their default
    style)."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        layer.loadDefaultStyle()


class AtlasAlgorithm(CreatlasAlgorithm):
    NAME = "atlas"
    DISPLAY_NAME = "Build creative-cluster atlas"
    SUMMARY = ("Builds the creative-cluster atlas as one styled GeoPackage: clusters "
               "linked to cities, industrial-heritage sites and support-programme zones; "
               "formation types; city indicators of urban-space transformation; "
               "conversion candidates among industrial sites. The same run as "
               "`creatlas run` on a project file with these inputs and settings. With "
               "\"Print the atlas\", atlas.pdf (a cover and one page per city with "
               "clusters) and report.html are written beside the GeoPackage.")
    OUTPUT = "OUTPUT"
    LAYERS = "LAYERS"
    PRINT = "PRINT_ATLAS"
    ATLAS_PDF = "ATLAS_PDF"
    REPORT_HTML = "REPORT_HTML"

    # Post-processors must outlive the algorithm call (QGIS holds no reference).
    _post_processors = []

    @property
    def SOURCES(self):  # noqa: N802 - every source the project file declares
        sections = project.sections()
        return tuple((name, sections[name]["required"]) for name in project.source_sections())

    @property
    def SETTINGS(self):  # noqa: N802 - every settings section
        return tuple(project.setting_sections())

    def add_outputs(self):
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Atlas GeoPackage"), "GeoPackage (*.gpkg *.GPKG)"))
        printing = QgsProcessingParameterBoolean(
            self.PRINT, tr("Print the atlas (atlas.pdf) and write report.html beside the "
                           "GeoPackage"), defaultValue=True)
        printing.setHelp(tr("QGIS exports the print layout stored in the GeoPackage's "
                            "project: a cover and one page per city with clusters."))
        self.addParameter(printing)
        self.addOutput(QgsProcessingOutputMultipleLayers(
            self.LAYERS, tr("Atlas layers (URIs of the GeoPackage's layers)")))
        self.addOutput(QgsProcessingOutputFile(self.ATLAS_PDF, tr("Atlas PDF")))
        self.addOutput(QgsProcessingOutputHtml(self.REPORT_HTML, tr("Report")))

    def writes_report(self, parameters, context):
        return self.parameterAsBoolean(parameters, self.PRINT, context)

    def output_path(self, parameters, context):
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        return path

    def collect(self, report, gpkg, parameters, context, feedback):
        uris = []
        for layer_name in (report.get("layers") or {}):
            uri = "{}|layername={}".format(gpkg, layer_name)
            uris.append(uri)
            if context.project() is not None:
                details = QgsProcessingContext.LayerDetails(layer_name, context.project(),
                                                            layer_name)
                post = _LoadDefaultStyle()
                AtlasAlgorithm._post_processors.append(post)
                details.setPostProcessor(post)
                context.addLayerToLoadOnCompletion(uri, details)
        folder = os.path.dirname(os.path.abspath(gpkg))
        results = {self.OUTPUT: gpkg, self.LAYERS: uris}
        for key, name in ((self.ATLAS_PDF, "atlas.pdf"), (self.REPORT_HTML, "report.html")):
            path = os.path.join(folder, name)
            if self.writes_report(parameters, context) and os.path.exists(path):
                results[key] = path
        return results
