"""creatlas: the QGIS Processing plugin of the creative-cluster atlas.

QGIS calls classFactory() when the plugin is enabled; the plugin's only job is
to register the Processing provider (also when QGIS runs headless, through
initProcessing()).
"""


def classFactory(iface):  # noqa: N802 (QGIS's name)
    from .plugin import CreatlasPlugin

    return CreatlasPlugin(iface)
