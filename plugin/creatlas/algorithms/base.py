"""What every creatlas algorithm shares: parameters from the core's schema, the
project text, the in-process run with progress and cancellation, and the
translation of core errors into QgsProcessingException.

Every algorithm runs the same core pipeline (load → link → measure → style →
write) on the inputs it has and returns the layers of the resulting GeoPackage
that answer its question.
"""

import html
import json
import os

from qgis.core import (
    QgsFeatureSink,
    QgsProcessingAlgorithm,
    QgsProcessingParameterDefinition,
    QgsProcessingException,
    QgsProcessingFeedback,
    QgsProcessingOutputFile,
    QgsProcessingOutputString,
    QgsProcessingParameterFile,
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
    SOURCES: ((section, required), …) in the dialog's order, PRIMARY: the sections
    whose layers come before the outputs (None: all), SETTINGS: (section, …),
    and implement add_outputs() and collect().

    The dialog shows, in this order: the primary layers, the outputs, the project
    file, the other layers, [project] name and language; everything else (field
    choices, which the dialog guesses, and every tuning key) is under Advanced,
    grouped by section: the sources' keys in SOURCES order, then SETTINGS."""

    NAME = ""
    DISPLAY_NAME = ""
    SUMMARY = ""
    SOURCES = ()
    SETTINGS = ()
    PRIMARY = None
    REPORT = "REPORT"
    PROJECT_FILE = "PROJECT_FILE"
    RUN_PROJECT = "RUN_PROJECT"
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
        sources = list(self.SOURCES)
        primary = [s for s in sources if self.PRIMARY is None or s[0] in self.PRIMARY]
        for section, required in primary:
            self.addParameter(project.layer_parameter(section, required))
        self.add_outputs()
        project_file = QgsProcessingParameterFile(
            self.PROJECT_FILE, tr("Project file"), extension="toml", optional=True)
        project_file.setHelp(tr("A creatlas project file (TOML). Its inputs and settings "
                                "are used where this dialog leaves a value unset; values "
                                "set here override it."))
        self.addParameter(project_file)
        for section, required in sources:
            if (section, required) not in primary:
                self.addParameter(project.layer_parameter(section, required))
        settings = [p for section in self.SETTINGS for p in project.setting_parameters(section)]
        advanced = QgsProcessingParameterDefinition.FlagAdvanced
        for param in settings:
            if not param.flags() & advanced:
                self.addParameter(param)
        for section, _required in sources:
            for param in project.source_key_parameters(section):
                self.addParameter(param)
        for param in settings:
            if param.flags() & advanced:
                self.addParameter(param)
        self.addOutput(QgsProcessingOutputString(
            self.REPORT, tr("Run report (JSON: sources, repaired and skipped features, "
                            "unmatched keys, features written per layer)")))
        self.addOutput(QgsProcessingOutputFile(
            self.RUN_PROJECT, tr("Project file of the run (creatlas run reproduces it)")))

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

    def build_values(self, parameters, context, feedback):
        """{section: {key: value}} of the run: the project file (when given)
        overridden by the values set in the dialog."""
        values = {}
        for section, _required in self.SOURCES:
            source = project.source_values(self, parameters, context, feedback, section)
            if source is not None:
                values[section] = source
        for section in self.SETTINGS:
            settings = project.setting_values(self, parameters, context, section)
            if settings:
                values[section] = settings
        file_values = {}
        path = self.parameterAsFile(parameters, self.PROJECT_FILE, context)
        if path:
            wanted = {section for section, _ in self.SOURCES} | set(self.SETTINGS)
            file_values = project.read_project_file(path, wanted)
            feedback.pushInfo("Project file {}: {}".format(path, ", ".join(
                "[{}]".format(section) for section in file_values) or "nothing this "
                "algorithm reads"))
        values = project.merge(file_values, values)
        self.check_inputs(values)
        return values

    def check_inputs(self, values):
        """Stop before the run when an input this algorithm reads is missing."""
        for section, required in self.SOURCES:
            if required and section not in values:
                raise QgsProcessingException(
                    "{}: the layer '{}' is required (in the dialog or the project "
                    "file).".format(self.NAME, section))

    def run_project_place(self, parameters, context, gpkg):
        """Where the project file of the run goes: (its path, the [project] output it
        names). Beside the OUTPUT layer when that is a file, naming a GeoPackage
        beside it (`creatlas run` writes the whole atlas, not one layer); else beside
        the core's GeoPackage."""
        destination = None
        if self.parameterDefinition("OUTPUT") is not None and parameters.get("OUTPUT"):
            try:
                destination = self.parameterAsOutputLayer(parameters, "OUTPUT", context)
            except Exception:  # noqa: BLE001 - any failure: no file destination
                destination = None
        destination = (destination or "").split("|")[0]
        if (destination and project.is_local_path(destination)
                and os.path.splitext(destination)[1]):
            return (project.run_project_path(destination),
                    os.path.basename(destination) + ".atlas.gpkg")
        return project.run_project_path(gpkg), os.path.basename(gpkg)

    def build_project_text(self, values, run_project, output_name):
        """The project file of the run, paths relative to its folder."""
        folder = os.path.dirname(os.path.abspath(run_project))
        values = project.relative_to(values, folder)
        values.setdefault("project", {})["output"] = output_name
        header = ["The project creatlas:{} ran from QGIS (creatlas {}); paths are relative "
                  "to this file.".format(self.NAME, core.version()),
                  "Run it again: creatlas run {}".format(os.path.basename(run_project))]
        temp = QgsProcessingUtils.tempFolder()
        exported = [section for section, v in values.items()
                    if "path" in v and os.path.abspath(os.path.join(folder, v["path"]))
                    .startswith(temp)]
        if exported:
            header.append("Layers QGIS exported to its temporary folder ({}) are gone once "
                          "QGIS closes; point them at the original data to run this "
                          "again.".format(", ".join(exported)))
        return project.project_text(values, header)

    def writes_report(self, parameters, context):
        """Whether this run writes report.html and atlas.pdf beside its GeoPackage."""
        return self.WRITES_REPORT

    def run_core(self, text, output, feedback, report=False, base_dir=None, schema=""):
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
            report = module.run(text, base_dir or project.temp_base_dir(),
                                "creatlas:{} parameters".format(self.NAME), output, True,
                                progress, feedback.isCanceled, report, schema=schema)
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
        values = self.build_values(parameters, context, feedback)
        output = self.output_path(parameters, context)
        run_project, output_name = self.run_project_place(parameters, context, output)
        text = self.build_project_text(values, run_project, output_name)
        # The core runs exactly this text (its relative paths resolved against the
        # folder it is written to), writing `output`.
        report = self.run_core(text, output, feedback,
                               self.writes_report(parameters, context),
                               base_dir=os.path.dirname(os.path.abspath(run_project)))
        results = self.collect(report, output, parameters, context, feedback)
        # The project file it actually ran, beside its output: `creatlas run` on it
        # gives the same atlas.
        project.write_text(run_project, text)
        feedback.pushInfo("Project file of this run: {}".format(run_project))
        results[self.REPORT] = json.dumps(report, ensure_ascii=False)
        results[self.RUN_PROJECT] = run_project
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
