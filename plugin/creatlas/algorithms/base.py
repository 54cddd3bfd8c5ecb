"""What every creatlas algorithm shares: parameters from the core's schema, the
project text, the in-process run with progress and cancellation, and the
translation of core errors into QgsProcessingException.

Every algorithm runs the same core pipeline (load → link → measure → style →
write) on the inputs it has and returns the layers of the resulting GeoPackage
that answer its question.
"""

import html
import json

from qgis.core import (
    QgsFeatureSink,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputString,
    QgsProcessingUtils,
    QgsVectorLayer,
)
from qgis.PyQt.QtGui import QIcon

from .. import core, project
from ..i18n import tr

# Levels of the core's output layers; core.layer_name() gives each layer's name.
CLUSTERS = "cluster"
HERITAGE_SITES = "heritage"
CITIES = "city"
PROGRAMMES = "programme"
HERITAGE_PROGRAMMES = "overlap"


class CreatlasAlgorithm(QgsProcessingAlgorithm):
    """Base of the five algorithms. Subclasses set:
    NAME, DISPLAY_NAME, SUMMARY (one paragraph),
    SOURCES: ((section, required), …), SETTINGS: (section, …),
    and implement add_outputs() and collect()."""

    NAME = ""
    DISPLAY_NAME = ""
    SUMMARY = ""
    SOURCES = ()
    SETTINGS = ()
    REPORT = "REPORT"
    # Only the atlas algorithm prints the atlas and writes report.html; the
    # others answer one question and leave their GeoPackage in a temp folder.
    WRITES_REPORT = False

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return tr(self.DISPLAY_NAME)

    def group(self):
        return ""

    def groupId(self):  # noqa: N802
        return ""

    def icon(self):
        return QIcon(core.ICON)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def shortHelpString(self):  # noqa: N802
        return self.help_html()

    # -- parameters ------------------------------------------------------------------

    def initAlgorithm(self, config=None):  # noqa: N802
        if core.module is None:
            # Without the core there is no schema; processAlgorithm says why.
            self.add_outputs()
            return
        for section, required in self.SOURCES:
            for param in project.source_parameters(section, required):
                self.addParameter(param)
        for section in self.SETTINGS:
            for param in project.setting_parameters(section):
                self.addParameter(param)
        self.add_outputs()
        self.addOutput(QgsProcessingOutputString(
            self.REPORT, tr("Run report (JSON: sources, repaired and skipped features, "
                            "unmatched keys, features written per layer)")))

    def add_outputs(self):
        raise NotImplementedError

    # -- help from the declarations --------------------------------------------------

    def help_html(self):
        parts = ["<p>{}</p>".format(html.escape(tr(self.SUMMARY)))]
        if core.module is None:
            parts.append("<p><b>The creatlas core module is not available:</b> {}</p>".format(
                html.escape(core.IMPORT_ERROR or "")))
            return "".join(parts)
        declared = project.sections()
        parts.append("<h3>Inputs</h3><ul>")
        for section, required in self.SOURCES:
            parts.append("<li><b>{}</b>{}: {}</li>".format(
                html.escape(section), " (required)" if required else "",
                html.escape(declared[section]["meaning"])))
        parts.append("</ul><p>Any layer QGIS can open; layers that are not files GDAL "
                     "reads are exported to GeoPackage first. Field parameters map the "
                     "layer's fields; see each parameter's tooltip.</p>")
        if self.SETTINGS:
            parts.append("<h3>Settings</h3><ul>")
            for section in self.SETTINGS:
                parts.append("<li><b>[{}]</b>: {}</li>".format(
                    html.escape(section), html.escape(declared[section]["meaning"])))
            parts.append("</ul>")
        parts.append(self.extra_help())
        parts.append("<p>creatlas {}</p>".format(html.escape(core.version())))
        return "".join(parts)

    def extra_help(self):
        return ""

    # -- the run ---------------------------------------------------------------------

    def build_project_text(self, parameters, context, feedback):
        values = {}
        for section, _required in self.SOURCES:
            source = project.source_values(self, parameters, context, feedback, section)
            if source is not None:
                values[section] = source
        for section in self.SETTINGS:
            settings = project.setting_values(self, parameters, context, section)
            if settings:
                values[section] = settings
        return project.project_text(values)

    def writes_report(self, parameters, context):
        """Whether this run writes report.html and atlas.pdf beside its GeoPackage."""
        return self.WRITES_REPORT

    def run_core(self, text, output, feedback, report=False):
        """Run the core on project text, writing `output` (and, with `report`,
        report.html and atlas.pdf beside it); the run report as a dict."""
        module = core.require()
        feedback = feedback or QgsProcessingFeedback()
        last_stage = [None]

        def progress(fraction, stage):
            feedback.setProgress(100.0 * fraction)
            if stage and stage != last_stage[0]:
                last_stage[0] = stage
                feedback.setProgressText(stage)

        feedback.pushDebugInfo("creatlas project:\n" + text)
        try:
            report = module.run(text, project.temp_base_dir(),
                                "creatlas:{} parameters".format(self.NAME), output, True,
                                progress, feedback.isCanceled, report)
        except module.CreatlasCancelled:
            raise QgsProcessingException(
                "The creatlas run was cancelled; no output was written.") from None
        except module.CreatlasError as error:
            # The core's message with its file/layer/feature/field context.
            raise QgsProcessingException(str(error)) from None
        report = json.loads(report)
        self.push_report(report, feedback)
        return report

    @staticmethod
    def push_report(report, feedback):
        """Say in the log what needed attention (nothing is dropped silently)."""
        for source in report.get("sources", []):
            for kind in ("repaired", "skipped", "unreadable"):
                notes = source.get(kind) or []
                if notes:
                    feedback.pushWarning("{}: {} feature(s) {}: {}".format(
                        source.get("role", "?"), len(notes), kind,
                        ", ".join(str(n.get("fid")) for n in notes[:20])
                        + (" …" if len(notes) > 20 else "")))
        for link in report.get("key_links", []):
            for side in ("left", "right"):
                keys = link.get("unmatched_" + side) or []
                if keys:
                    feedback.pushWarning("{} keys with no partner in {}: {}".format(
                        link.get(side), link.get("right" if side == "left" else "left"),
                        ", ".join(keys[:20]) + (" …" if len(keys) > 20 else "")))
        for note in report.get("notes", []):
            feedback.pushInfo(str(note))
        for layer, count in sorted((report.get("layers") or {}).items()):
            feedback.pushInfo("{}: {} feature(s) written".format(layer, count))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        core.require()
        text = self.build_project_text(parameters, context, feedback)
        output = self.output_path(parameters, context)
        report = self.run_core(text, output, feedback,
                               self.writes_report(parameters, context))
        results = self.collect(report, output, parameters, context, feedback)
        results[self.REPORT] = json.dumps(report, ensure_ascii=False)
        return results

    def output_path(self, parameters, context):
        """Where the core writes its GeoPackage: a temporary file unless the
        algorithm's output is the GeoPackage itself."""
        return QgsProcessingUtils.generateTempFilename("creatlas_{}.gpkg".format(self.NAME))

    def collect(self, report, gpkg, parameters, context, feedback):
        raise NotImplementedError

    # -- helpers for collect() -------------------------------------------------------

    @staticmethod
    def open_layer(gpkg, level, report):
        layer_name = core.layer_name(level)
        if layer_name not in (report.get("layers") or {}):
            raise QgsProcessingException(
                "The creatlas run wrote no '{}' layer (its inputs were missing).".format(
                    layer_name))
        layer = QgsVectorLayer("{}|layername={}".format(gpkg, layer_name), layer_name, "ogr")
        if not layer.isValid():
            raise QgsProcessingException("Could not open layer '{}' of {}".format(
                layer_name, gpkg))
        return layer

    def copy_to_sink(self, gpkg, level, report, parameters, sink_name, context, feedback):
        """Copy the layer of one level of the core's GeoPackage into a feature sink;
        returns the sink's destination id."""
        layer = self.open_layer(gpkg, level, report)
        layer_name = layer.name()
        sink, dest_id = self.parameterAsSink(parameters, sink_name, context, layer.fields(),
                                             layer.wkbType(), layer.crs())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, sink_name))
        for feature in layer.getFeatures():
            if feedback is not None and feedback.isCanceled():
                break
            if not sink.addFeature(feature, QgsFeatureSink.FastInsert):
                raise QgsProcessingException("Could not write a feature of '{}': {}".format(
                    layer_name, sink.lastError()))
        return dest_id
