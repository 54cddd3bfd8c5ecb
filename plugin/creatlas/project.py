"""From the core's project-file schema to Processing parameters and back to TOML.

The core declares every section and key of the project file once
(creatlas::project_sections(), creatlas::project_schema()). The algorithms do
not retype them: they name which sections they take, and this module turns each
declared key into a Processing parameter (its type, default and help from the
declaration) and, at run time, turns the parameter values back into project-file
text under the same section and key names. The core then validates that text
exactly as it validates a project file written by hand.

Parameter names are "<section>" for a source layer and "<section>_<key>" for a
key, e.g. `clusters`, `clusters_id_field`, `link_heritage_snap_m`.
"""

import math
import os
import re
import tomllib

from qgis.core import (
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterCrs,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
    QgsProcessingUtils,
    QgsProviderRegistry,
)

from . import core
from .i18n import tr

# Keys of a source section that the layer parameter itself stands for: `path` is
# the layer (as a file the core can read) and `layer` the layer inside that file.
LAYER_KEYS = ("path", "layer")
# [project] output is the algorithm's destination, never a free parameter.
OUTPUT_KEY = ("project", "output")
# Source keys that only matter for unusual inputs (tables with coordinate or WKT
# columns, sources without a CRS, GDAL open options): shown under "Advanced".
ADVANCED_SOURCE_KEYS = ("open_options", "crs", "x_field", "y_field", "wkt_field",
                        "geometry_policy")
# The keys shown outside "Advanced parameters": a planner names the atlas and its
# language; every other key tunes the run (or maps fields, which the dialog
# guesses) and sits under Advanced, grouped by section in the schema's order.
BASIC_KEYS = (("project", "name"), ("project", "language"))
# String keys with a fixed set of values, shown as a choice (the core checks them).
CHOICES = {("project", "language"): ("en", "ru")}
# The dialog's field chooser that pre-selects a guessed field (gui.py).
GUESSED_FIELD_WRAPPER = "{}.gui.GuessedFieldWrapper".format(__package__)


def sections():
    """Declared sections by name, in the core's order."""
    return {s["name"]: s for s in core.require().project_sections()}


def keys(section):
    """Declared keys of one section, in the core's order."""
    return [k for k in core.require().project_schema() if k["section"] == section]


def source_sections():
    return [name for name, s in sections().items() if s["is_source"]]


def setting_sections():
    return [name for name, s in sections().items() if not s["is_source"]]


def parameter_name(section, key=None):
    return section if key is None else "{}_{}".format(section, key)


def declared_default(decl):
    """The declared default as a Python value, or None when it is not TOML
    (e.g. "the current year") or there is none."""
    text = decl["default"]
    if not text:
        return None
    try:
        return tomllib.loads("v = " + text)["v"]
    except tomllib.TOMLDecodeError:
        return None


def _label(section, key=None):
    """"Cluster attributes: key field": the section's title and the key's words,
    each translated (i18n.py)."""
    title = tr(section.replace("_", " ").capitalize())
    if key is None:
        return title
    return "{}: {}".format(title, tr(key.replace("_", " ")))


def _vector_extensions():
    """File extensions of every vector format GDAL can open: layers stored in such
    files reach the core unchanged; anything else (memory layers, databases,
    QGIS's own delimited-text provider) is first exported by QGIS to GeoPackage."""
    extensions = set()
    try:
        from osgeo import gdal

        for i in range(gdal.GetDriverCount()):
            driver = gdal.GetDriver(i)
            meta = driver.GetMetadata() or {}
            if meta.get("DCAP_VECTOR") == "YES" and meta.get("DMD_EXTENSIONS"):
                extensions.update(e.lower() for e in meta["DMD_EXTENSIONS"].split())
    except ImportError:  # pragma: no cover - QGIS always ships GDAL's Python
        pass
    extensions.update(("gpkg", "shp", "geojson", "json", "fgb", "csv", "xlsx", "ods"))
    # QGIS exports through a format whose extension has a vsi or zip prefix otherwise.
    extensions.discard("zip")
    return sorted(extensions)


COMPATIBLE_FORMATS = _vector_extensions()


def _key_parameter(section, decl, parent_layer):
    """One Processing parameter for a declared key (always optional: the core
    applies its defaults and reports what is missing)."""
    name = parameter_name(section, decl["key"])
    label = _label(section, decl["key"])
    default = declared_default(decl)
    kind = decl["type"]
    key = decl["key"]
    if key == "geometry_policy":
        policies = list(core.require().geometry_policies())
        param = QgsProcessingParameterEnum(
            name, label, options=policies, allowMultiple=False,
            defaultValue=default if default in policies else None, optional=True)
        # The value is the policy's name ("repair"), not an index: readable on the
        # qgis_process command line and stable if the core adds a policy.
        param.setUsesStaticStrings(True)
    elif (section, key) in CHOICES:
        param = QgsProcessingParameterEnum(
            name, label, options=list(CHOICES[(section, key)]), allowMultiple=False,
            defaultValue=default, optional=True)
        param.setUsesStaticStrings(True)
    elif key == "crs" and sections()[section]["is_source"]:
        param = QgsProcessingParameterCrs(name, label, optional=True)
    elif kind == "string" and key.endswith("_field") and parent_layer:
        param = QgsProcessingParameterField(
            name, label, defaultValue=default, parentLayerParameterName=parent_layer,
            type=QgsProcessingParameterField.Any, allowMultiple=False, optional=True)
        guess = declared_guess(section, key)
        if guess is not None:
            param.setMetadata({
                "widget_wrapper": {"class": GUESSED_FIELD_WRAPPER},
                "creatlas_guess": {"section": section, "key": key,
                                   "needs_no_geometry": guess["needs_no_geometry"]}})
    elif kind == "string":
        param = QgsProcessingParameterString(name, label, defaultValue=default, optional=True)
    elif kind in ("number", "integer"):
        number_type = (QgsProcessingParameterNumber.Integer if kind == "integer"
                       else QgsProcessingParameterNumber.Double)
        param = QgsProcessingParameterNumber(name, label, type=number_type,
                                             defaultValue=default, optional=True)
    elif kind == "boolean":
        param = QgsProcessingParameterBoolean(name, label, defaultValue=default, optional=True)
    else:  # string_list, number_list: a TOML array or comma-separated items
        param = QgsProcessingParameterString(
            name, label, defaultValue=decl["default"] if default is not None else None,
            optional=True)
    help_text = decl["meaning"]
    if kind in ("string_list", "number_list"):
        help_text += " A TOML array or comma-separated values."
    if not default and decl["default"]:
        help_text += " Default: {}.".format(decl["default"])
    param.setHelp(help_text)
    if (section, key) not in BASIC_KEYS:
        param.setFlags(param.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return param


def declared_guess(section, key):
    """The core's guess list entry for a key (field_guesses()), or None."""
    module = core.require()
    if not hasattr(module, "field_guesses"):
        return None
    for guess in module.field_guesses():
        if guess["section"] == section and guess["key"] == key:
            return guess
    return None


def layer_parameter(section, required):
    """The layer parameter of a source section (never under Advanced)."""
    layer = QgsProcessingParameterFeatureSource(
        parameter_name(section), _label(section), types=[QgsProcessing.TypeVector],
        optional=not required)
    layer.setHelp(sections()[section]["meaning"])
    return layer


def source_key_parameters(section):
    """One parameter per key of a source section: the fields it maps first (the
    dialog guesses them), then how it is read (open options, encoding, CRS, x/y or
    WKT columns, geometry policy)."""
    declared = [k for k in keys(section) if k["key"] not in LAYER_KEYS]
    fields = [k for k in declared
              if k["key"].endswith("_field") and k["key"] not in ADVANCED_SOURCE_KEYS]
    reading = [k for k in declared if k not in fields]
    return [_key_parameter(section, k, parameter_name(section)) for k in fields + reading]


def source_parameters(section, required):
    """The layer parameter of a source section and one parameter per key."""
    return [layer_parameter(section, required)] + source_key_parameters(section)


def setting_parameters(section):
    return [_key_parameter(section, k, None) for k in keys(section)
            if (section, k["key"]) != OUTPUT_KEY]


# --- from parameter values to project text -------------------------------------------


def toml_string(text):
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append("\\u{:04x}".format(ord(ch)))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise QgsProcessingException("{} is not a finite number".format(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return toml_string(str(value))


def _list_value(text, kind, name):
    text = text.strip()
    if text.startswith("["):
        try:
            value = tomllib.loads("v = " + text)["v"]
        except tomllib.TOMLDecodeError as error:
            raise QgsProcessingException(
                "Parameter {}: not a TOML array: {}".format(name, error)) from None
        return value
    items = [item.strip() for item in text.split(",") if item.strip()]
    if kind == "number_list":
        try:
            return [float(item) for item in items]
        except ValueError:
            raise QgsProcessingException(
                "Parameter {}: expected comma-separated numbers, got '{}'".format(name, text)
            ) from None
    return items


def _given(parameters, name):
    return parameters.get(name) is not None and parameters.get(name) != ""


def key_value(algorithm, parameters, context, section, decl):
    """The value of one key's parameter as a Python value, or None when the key
    should be left to the core's default."""
    name = parameter_name(section, decl["key"])
    if not _given(parameters, name):
        return None
    kind = decl["type"]
    key = decl["key"]
    default = declared_default(decl)
    if key == "geometry_policy" or (section, key) in CHOICES:
        value = algorithm.parameterAsEnumString(parameters, name, context)
    elif key == "crs" and sections()[section]["is_source"]:
        crs = algorithm.parameterAsCrs(parameters, name, context)
        if not crs.isValid():
            return None
        value = crs.authid() or crs.toWkt()
        default = None
    elif kind == "string" and key.endswith("_field") and sections()[section]["is_source"]:
        fields = algorithm.parameterAsFields(parameters, name, context)
        value = fields[0] if fields else ""
    elif kind == "string":
        value = algorithm.parameterAsString(parameters, name, context)
    elif kind == "number":
        value = algorithm.parameterAsDouble(parameters, name, context)
    elif kind == "integer":
        value = algorithm.parameterAsInt(parameters, name, context)
    elif kind == "boolean":
        value = algorithm.parameterAsBoolean(parameters, name, context)
    else:
        value = _list_value(algorithm.parameterAsString(parameters, name, context), kind, name)
    if value == "" or value is None or value == default:
        return None
    return value


def _uri_open_options(algorithm, parameters, context, section, path):
    """GDAL open options carried in a QGIS layer URI (`…|option:KEY=VALUE`) of an
    OGR layer that reaches the core unconverted."""
    try:
        layer = algorithm.parameterAsVectorLayer(parameters, parameter_name(section), context)
    except Exception:  # noqa: BLE001 - any failure just means: no options to carry
        return []
    if layer is None or layer.providerType() != "ogr":
        return []
    parts = QgsProviderRegistry.instance().decodeUri("ogr", layer.source())
    if os.path.abspath(parts.get("path", "")) != os.path.abspath(path):
        return []
    return list(parts.get("openOptions") or [])


def source_values(algorithm, parameters, context, feedback, section):
    """The keys of one source section set in the dialog, or None when none is. Without
    a layer only its other keys are returned (they override a project file's)."""
    if not _given(parameters, parameter_name(section)):
        values = {}
        for decl in keys(section):
            if decl["key"] not in LAYER_KEYS:
                value = key_value(algorithm, parameters, context, section, decl)
                if value is not None:
                    values[decl["key"]] = value
        return values or None
    path, layer_name = algorithm.parameterAsCompatibleSourceLayerPathAndLayerName(
        parameters, parameter_name(section), context, COMPATIBLE_FORMATS, "gpkg", feedback)
    if not path:
        raise QgsProcessingException(algorithm.invalidSourceError(parameters,
                                                                  parameter_name(section)))
    values = {"path": os.path.abspath(path)}
    if layer_name:
        values["layer"] = layer_name
    for decl in keys(section):
        if decl["key"] in LAYER_KEYS:
            continue
        value = key_value(algorithm, parameters, context, section, decl)
        if value is not None:
            values[decl["key"]] = value
    if "open_options" not in values:
        options = _uri_open_options(algorithm, parameters, context, section, path)
        if options:
            values["open_options"] = options
    return values


def setting_values(algorithm, parameters, context, section):
    values = {}
    for decl in keys(section):
        if (section, decl["key"]) == OUTPUT_KEY:
            continue
        value = key_value(algorithm, parameters, context, section, decl)
        if value is not None:
            values[decl["key"]] = value
    return values


def project_text(values_by_section, header=None):
    """Project-file text for {section: {key: value}}, sections in the core's order."""
    lines = ["# " + line if line else "#" for line in (header or [
        "Written by the creatlas QGIS plugin {}.".format(core.version())])]
    for section in sections():
        values = values_by_section.get(section)
        if values is None:
            continue
        lines.append("")
        lines.append("[{}]".format(section))
        for key, value in values.items():
            lines.append("{} = {}".format(key, toml_value(value)))
    return "\n".join(lines) + "\n"


def temp_base_dir():
    # Every path in the generated text is absolute; the folder only matters for
    # relative paths a user might type into a text parameter.
    return QgsProcessingUtils.tempFolder()


# --- a project file in, the project file of the run out ----------------------------------


def is_local_path(path):
    """A file path, not a connection string ("PG:…", "GPKG:…") nor a GDAL virtual
    path ("/vsizip/…"): the core's is_local_path(), for the paths it resolves."""
    if path.startswith("/vsi"):
        return False
    return re.match(r"^[A-Za-z][A-Za-z0-9+._-]+:", path) is None


def read_project_file(path, wanted):
    """{section: {key: value}} of a creatlas project file, for the sections in
    `wanted`; its local paths made absolute against its folder; [project] output
    dropped (the algorithm's output wins)."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as error:
        raise QgsProcessingException("Project file {}: {}".format(path, error)) from None
    except tomllib.TOMLDecodeError as error:
        raise QgsProcessingException(
            "Project file {}: not valid TOML: {}".format(path, error)) from None
    base = os.path.dirname(os.path.abspath(path))
    out = {}
    for section, values in data.items():
        if section not in wanted:
            continue
        if not isinstance(values, dict):
            raise QgsProcessingException(
                "Project file {}: [{}] is not a section".format(path, section))
        values = dict(values)
        if section == OUTPUT_KEY[0]:
            values.pop(OUTPUT_KEY[1], None)
        source = values.get("path")
        if isinstance(source, str) and is_local_path(source):
            values["path"] = os.path.normpath(os.path.join(base, source))
        out[section] = values
    return out


def merge(file_values, dialog_values):
    """The project file's values overridden, key by key, by the dialog's. A layer
    chosen in the dialog replaces the file's source (path and layer)."""
    out = {section: dict(values) for section, values in file_values.items()}
    for section, values in dialog_values.items():
        target = out.setdefault(section, {})
        if "path" in values:
            target.pop("layer", None)
        target.update(values)
    # Keys of a source that names no layer, in the dialog or in the file, have
    # nothing to apply to.
    return {section: values for section, values in out.items()
            if not sections()[section]["is_source"] or "path" in values}


def relative_to(values_by_section, folder):
    """The same values with local absolute paths made relative to `folder`."""
    out = {}
    for section, values in values_by_section.items():
        values = dict(values)
        source = values.get("path")
        if isinstance(source, str) and is_local_path(source) and os.path.isabs(source):
            values["path"] = os.path.relpath(source, folder).replace(os.sep, "/")
        out[section] = values
    return out


def run_project_path(output):
    """The project file written beside an output: `<output>.toml`."""
    return output + ".toml"


def write_text(path, text):
    """Write `text` through a temporary file renamed into place."""
    temp = path + ".tmp-creatlas"
    try:
        with open(temp, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(temp, path)
    except OSError as error:
        if os.path.exists(temp):
            os.remove(temp)
        raise QgsProcessingException("Could not write {}: {}".format(path, error)) from None
