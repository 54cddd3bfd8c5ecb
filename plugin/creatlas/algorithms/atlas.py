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


# The atlas layers in the layer tree, top to bottom: points over polygons, the
# small layers over the large ones; tables without geometry last.
LAYER_ORDER = ("clusters", "heritage_sites", "heritage_programmes",
               "heritage_sites_footprints", "programmes", "hex_grid", "cities", "city_years")


def layer_rank(layer_name):
    return LAYER_ORDER.index(layer_name) if layer_name in LAYER_ORDER else len(LAYER_ORDER)


class _PlaceInAtlasGroup(QgsProcessingLayerPostProcessorInterface):
    """Applies the style the core stored for the layer in the GeoPackage's
    layer_styles table (Processing loads result layers without their default
    style) and moves the layer into the atlas's own group of the layer tree, at
    its place in LAYER_ORDER."""

    def __init__(self, group_name, layer_name):
        super().__init__()
        self.group_name = group_name
        self.layer_name = layer_name

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        layer.loadDefaultStyle()
        project = context.project()
        if project is None:
            return
        root = project.layerTreeRoot()
        node = root.findLayer(layer.id())
        if node is None:
            return
        group = root.findGroup(self.group_name)
        if group is None:
            group = root.insertGroup(0, self.group_name)
        rank = layer_rank(self.layer_name)
        index = sum(1 for child in group.children()
                    if layer_rank(child.customProperty("creatlas/layer", "")) <= rank)
        clone = node.clone()
        clone.setCustomProperty("creatlas/layer", self.layer_name)
        group.insertChildNode(index, clone)
        node.parent().removeChildNode(node)


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

    # What every run needs comes first, in this order; then the output, the
    # project file and the optional inputs.
    PRIMARY = ("clusters", "heritage", "programmes", "cities", "cluster_attributes")

    @property
    def SOURCES(self):  # noqa: N802 - every source the project file declares
        sections = project.sections()
        names = list(self.PRIMARY) + [name for name in project.source_sections()
                                      if name not in self.PRIMARY]
        return tuple((name, sections[name]["required"]) for name in names)

    @property
    def SETTINGS(self):  # noqa: N802 - every settings section
        return tuple(project.setting_sections())

    def add_outputs(self):
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT, tr("Atlas GeoPackage"), "GeoPackage (*.gpkg *.GPKG)"))
        printing = QgsProcessingParameterBoolean(
            self.PRINT, tr("Print the atlas (atlas.pdf, report.html)"), defaultValue=True)
        printing.setHelp(tr("QGIS exports the print layout stored in the GeoPackage's "
                            "project: a cover and one page per city with clusters."))
        self.addParameter(printing)
        self.addOutput(QgsProcessingOutputMultipleLayers(
            self.LAYERS, tr("Atlas layers (URIs of the GeoPackage's layers)")))
        self.addOutput(QgsProcessingOutputFile(self.ATLAS_PDF, tr("Atlas PDF")))
        self.addOutput(QgsProcessingOutputHtml(self.REPORT_HTML, tr("Report")))

    def run_project_place(self, parameters, context, gpkg):
        # The output is the atlas itself: `<atlas>.gpkg.toml` names it.
        return project.run_project_path(gpkg), os.path.basename(gpkg)

    def writes_report(self, parameters, context):
        return self.parameterAsBoolean(parameters, self.PRINT, context)

    def output_path(self, parameters, context):
        path = self.parameterAsFileOutput(parameters, self.OUTPUT, context)
        folder = os.path.dirname(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        return path

    def collect(self, report, gpkg, parameters, context, feedback):
        uris = []
        group_name = "creatlas atlas: {}".format(os.path.basename(gpkg))
        for layer_name in sorted(report.get("layers") or {}, key=layer_rank):
            uri = "{}|layername={}".format(gpkg, layer_name)
            uris.append(uri)
            if context.project() is not None:
                details = QgsProcessingContext.LayerDetails(layer_name, context.project(),
                                                            layer_name)
                post = _PlaceInAtlasGroup(group_name, layer_name)
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
