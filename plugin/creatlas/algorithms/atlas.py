"""creatlas:atlas — the whole atlas: every input, every parameter, one GeoPackage."""

import json
import os

from qgis.core import (
    QgsDataSourceUri,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingParameterDatabaseSchema,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterProviderConnection,
    QgsProviderRegistry,
    QgsVectorLayer,
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
    POSTGIS = "POSTGIS_CONNECTION"
    SCHEMA = "POSTGIS_SCHEMA"

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

    def initAlgorithm(self, config=None):  # noqa: N802
        super().initAlgorithm(config)
        # PostGIS instead of the GeoPackage (docs/postgis.md): last, both under
        # Advanced, so that the inputs, the output and the project file lead.
        advanced = QgsProcessingParameterDefinition.FlagAdvanced
        connection = QgsProcessingParameterProviderConnection(
            self.POSTGIS, tr("Write the atlas to a PostGIS connection (instead of the GeoPackage)"),
            "postgres", optional=True)
        connection.setHelp(tr("A PostgreSQL connection known to QGIS. The atlas goes into one "
                              "schema in one transaction: a table per layer, the default styles "
                              "in public.layer_styles, the QGIS project in the schema's "
                              "qgis_projects (Project → Open From → PostgreSQL)."))
        connection.setFlags(connection.flags() | advanced)
        self.addParameter(connection)
        schema = QgsProcessingParameterDatabaseSchema(
            self.SCHEMA, tr("PostGIS schema of the atlas"),
            connectionParameterName=self.POSTGIS, defaultValue="atlas", optional=True)
        schema.setFlags(schema.flags() | advanced)
        self.addParameter(schema)

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

    @staticmethod
    def postgis_connection(name):
        """(libpq connection string for the run, the same without user and password
        for the project file of the run) of the QGIS connection `name`."""
        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        try:
            connection = metadata.createConnection(name)
        except Exception as error:  # noqa: BLE001 - QgsProviderConnectionException
            raise QgsProcessingException(
                "no PostgreSQL connection named '{}' in QGIS: {}".format(name, error)) from None
        uri = QgsDataSourceUri(connection.uri())
        # The credentials of an authentication configuration are filled in here only.
        full = uri.connectionInfo(True)
        keep = []
        for key, value in (("service", uri.service()), ("dbname", uri.database()),
                           ("host", uri.host()), ("port", uri.port())):
            if value:
                keep.append("{}='{}'".format(key, value.replace("\\", "\\\\")
                                             .replace("'", "\\'")))
        return "PG:" + full, "PG:" + " ".join(keep)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        name = self.parameterAsConnectionName(parameters, self.POSTGIS, context)
        if not name:
            return super().processAlgorithm(parameters, context, feedback)
        schema = self.parameterAsSchema(parameters, self.SCHEMA, context) or "atlas"
        conninfo, shareable = self.postgis_connection(name)
        values = self.build_values(parameters, context, feedback)
        gpkg = self.output_path(parameters, context)
        run_project, _ = self.run_project_place(parameters, context, gpkg)
        values.setdefault("project", {})["output_schema"] = schema
        text = self.build_project_text(values, run_project, shareable)
        report = self.run_core(text, conninfo, feedback, False,
                               base_dir=os.path.dirname(os.path.abspath(run_project)),
                               schema=schema)
        uris = []
        group_name = "creatlas atlas: {}".format(schema)
        for layer_name in sorted(report.get("layers") or {}, key=layer_rank):
            uri = QgsDataSourceUri(conninfo[3:])
            uri.setDataSource(schema, layer_name, "geom", "", "fid")
            layer = QgsVectorLayer(uri.uri(False), layer_name, "postgres")
            if not layer.isValid():
                # A table without geometry (city_years): no geometry column to name.
                uri.setDataSource(schema, layer_name, None, "", "fid")
                layer = QgsVectorLayer(uri.uri(False), layer_name, "postgres")
            uris.append(layer.source())
            if context.project() is not None and layer.isValid():
                context.temporaryLayerStore().addMapLayer(layer)
                details = QgsProcessingContext.LayerDetails(layer_name, context.project(),
                                                            layer_name)
                post = _PlaceInAtlasGroup(group_name, layer_name)
                AtlasAlgorithm._post_processors.append(post)
                details.setPostProcessor(post)
                context.addLayerToLoadOnCompletion(layer.id(), details)
        project.write_text(run_project, text)
        feedback.pushInfo("Project file of this run: {}".format(run_project))
        return {self.OUTPUT: "{} (schema {})".format(shareable, schema), self.LAYERS: uris,
                self.REPORT: json.dumps(report, ensure_ascii=False),
                self.RUN_PROJECT: run_project}

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
