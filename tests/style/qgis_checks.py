"""Helpers shared by the QGIS style tests: render layers headless and read pixels.

Import after a QgsApplication exists. Expected pixel colours are worked out by
hand from the design's colours: a fill of colour C at opacity a over the white
background shows as a·C + (1 − a)·255 per channel.
"""
import numpy

from qgis.core import (QgsCoordinateReferenceSystem, QgsCoordinateTransform,
                       QgsMapRendererSequentialJob, QgsMapSettings, QgsPointXY, QgsProject)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor, QImage

WEB_MERCATOR = QgsCoordinateReferenceSystem("EPSG:3857")


def over_white(hex_colour, opacity):
    """(r, g, b) of `hex_colour` drawn at `opacity` (0–1) over white."""
    rgb = [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]
    return tuple(opacity * c + (1 - opacity) * 255 for c in rgb)


class Rendering:
    """One map of `layers` (top first) over `extent` (in the first layer's CRS), in
    Web Mercator on white; `pixel(x, y)` is the (r, g, b) drawn where the point
    (x, y) of `crs` lies."""

    def __init__(self, layers, extent, crs, size=(1000, 800)):
        self.to_map = QgsCoordinateTransform(crs, WEB_MERCATOR, QgsProject.instance())
        settings = QgsMapSettings()
        settings.setLayers(layers)
        settings.setDestinationCrs(WEB_MERCATOR)
        settings.setOutputSize(QSize(*size))
        settings.setOutputDpi(96)
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setExtent(self.to_map.transformBoundingBox(extent))
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        self.settings = settings
        # The job's extent may be widened to the output's aspect ratio: map pixels
        # through the settings the job used.
        self.image = job.renderedImage().convertToFormat(QImage.Format_RGB32)
        raw = numpy.frombuffer(self.image.constBits().asstring(self.image.sizeInBytes()),
                               dtype=numpy.uint32).reshape(self.image.height(), self.image.width())
        self.rgb = raw & 0xFFFFFF

    def pixel(self, x, y):
        point = self.settings.mapToPixel().transform(self.to_map.transform(QgsPointXY(x, y)))
        value = int(self.rgb[int(round(point.y())), int(round(point.x()))])
        return ((value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF)
