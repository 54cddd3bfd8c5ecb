"""The Processing provider `creatlas`."""

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from . import core
from .i18n import tr


class CreatlasProvider(QgsProcessingProvider):
    def id(self):
        return "creatlas"

    def name(self):
        return tr("Creative cluster atlas")

    def longName(self):  # noqa: N802
        return "{} (creatlas {})".format(tr("Creative cluster atlas"), core.version())

    def versionInfo(self):  # noqa: N802
        return core.version()

    def icon(self):
        return QIcon(core.ICON)

    def svgIconPath(self):  # noqa: N802
        return core.ICON

    def loadAlgorithms(self):  # noqa: N802
        from .algorithms import all_algorithms

        for algorithm in all_algorithms():
            self.addAlgorithm(algorithm)
