"""Access to the compiled creatlas core (the pybind11 module _creatlas).

The module is built for one platform and one Python (see metadata.txt); when
it cannot be imported, the provider still loads and every algorithm reports
why, instead of QGIS showing a traceback at start-up.
"""

import os

PLUGIN_DIR = os.path.dirname(__file__)
ICON = os.path.join(PLUGIN_DIR, "icon.svg")

# The core fills its layer styles from templates; an installed plugin carries
# them in its own styles/ folder (a build from source finds them in the tree).
_STYLES = os.path.join(PLUGIN_DIR, "styles")
if os.path.isdir(_STYLES) and not os.environ.get("CREATLAS_STYLES_DIR"):
    os.environ["CREATLAS_STYLES_DIR"] = _STYLES

try:
    from . import _creatlas as module

    IMPORT_ERROR = None
except ImportError as error:  # pragma: no cover - depends on the installation
    module = None
    IMPORT_ERROR = str(error)


def require():
    """The module, or a QgsProcessingException saying why it is missing."""
    if module is None:
        from qgis.core import QgsProcessingException

        raise QgsProcessingException(
            "The creatlas core module could not be loaded ({}). This plugin package is "
            "built for Linux x86-64 and the Python that QGIS runs on Debian 12; rebuild "
            "it with `ninja plugin_zip` for another platform.".format(IMPORT_ERROR)
        )
    return module


def version():
    return module.__version__ if module is not None else "unknown"


def layer_name(level):
    """The GeoPackage layer the core writes for a level ("cluster", "heritage",
    "city", "programme", "overlap")."""
    names = require().layer_names()
    if level not in names:
        from qgis.core import QgsProcessingException

        raise QgsProcessingException(
            "This build of the creatlas core does not declare its output layers.")
    return names[level]
