"""The plugin object QGIS holds: registers and unregisters the provider."""

from qgis.core import QgsApplication


class CreatlasPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS's name)
        # Called by QGIS (and by qgis_process, which has no GUI) before initGui.
        if self.provider is None:
            from . import i18n
            from .provider import CreatlasProvider

            i18n.install()

            self.provider = CreatlasProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
