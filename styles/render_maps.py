"""Render the report's maps from a creatlas GeoPackage with QGIS, headless.

The layers are opened from the GeoPackage as a planner would open them, so
QGIS draws them with the default styles stored in its layer_styles table: what
the report shows is what QGIS shows. One map per city (its outline, programme
zones, heritage sites and clusters, zoomed to the city and what belongs to it)
and one overview of all the data, in Web Mercator, drawn from the project
stored in the GeoPackage (so with its city outlines and names); all maps are drawn in this one QGIS process, each a new
extent on the same layers, which QGIS reads through their spatial indexes.

usage: render_maps.py GPKG OUT_DIR [--max-cities N] [--width PX] [--height PX]

Prints one JSON document on stdout:
  {"overview": "overview.png", "maps": [{"city_id", "name", "file"}, ...],
   "omitted": <cities with data not drawn because of --max-cities>}
Exit status 3 (with {"error": "..."}) when QGIS cannot be used, 1 on other errors.
Run it with QT_QPA_PLATFORM=offscreen (creatlas does).
"""
import argparse
import json
import os
import sqlite3
import sys
import time

STYLES_DIR = os.path.dirname(os.path.abspath(__file__))


def fail(status, message):
    print(json.dumps({"error": message}))
    sys.exit(status)


try:
    from qgis.core import (QgsApplication, QgsCoordinateReferenceSystem,
                           QgsCoordinateTransform, QgsFeatureRequest, QgsMapRendererSequentialJob,
                           QgsMapSettings, QgsProject, QgsRectangle, QgsVectorLayer)
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor
except ImportError as error:  # no python3-qgis on this machine
    fail(3, f"QGIS's Python bindings (python3-qgis) are not available: {error}")


def log(text):
    """Progress on stderr (creatlas quotes the end of it when rendering fails)."""
    print(text, file=sys.stderr, flush=True)


def layer_order():
    """Layer names, top to bottom, as declared in styles/classes.json."""
    with open(os.path.join(STYLES_DIR, "classes.json"), encoding="utf-8") as f:
        return [layer["name"] for layer in json.load(f)["layers"]]


def not_in_maps():
    """Layers of the project that the static maps leave out (classes.json in_maps false:
    city_years, one polygon per city and year, is for the Temporal Controller)."""
    with open(os.path.join(STYLES_DIR, "classes.json"), encoding="utf-8") as f:
        return {layer["name"] for layer in json.load(f)["layers"]
                if not layer.get("in_maps", True)}


def stored_project_name(gpkg):
    """The name of the QGIS project creatlas stored in the GeoPackage, or None."""
    try:
        with sqlite3.connect(f"file:{gpkg}?mode=ro", uri=True) as db:
            row = db.execute("SELECT name FROM qgis_projects LIMIT 1").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def open_layers(gpkg):
    """The layers to draw, top first: those of the project stored in the
    GeoPackage (with its city outlines and names) when there is one, else the
    GeoPackage's styled layers as QGIS opens them."""
    name = stored_project_name(gpkg)
    project = QgsProject.instance()
    if name and project.read(f"geopackage:{gpkg}?projectName={name}"):
        layers = {}
        skip = not_in_maps()
        root = project.layerTreeRoot()
        for layer in root.layerOrder():
            node = root.findLayer(layer.id())
            # A second style of a layer (cities by ent_per_1000) is hidden at first.
            if layer.isValid() and layer.name() not in skip and (node is None or node.isVisible()):
                layers[layer.name()] = layer
        if layers:
            return layers
    layers = {}
    for name in (n for n in layer_order() if n not in not_in_maps()):
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", name, "ogr")
        if layer.isValid():
            layers[name] = layer
    return layers


def field_or_none(layer, *names):
    for name in names:
        if layer.fields().indexOf(name) >= 0:
            return name
    return None


def render(settings, path):
    job = QgsMapRendererSequentialJob(settings)
    job.start()
    job.waitForFinished()
    if not job.renderedImage().save(path, "PNG"):
        raise RuntimeError(f"cannot write {path}")


def padded(rect, fraction, minimum):
    pad_x = max(rect.width() * fraction, minimum)
    pad_y = max(rect.height() * fraction, minimum)
    return QgsRectangle(rect.xMinimum() - pad_x, rect.yMinimum() - pad_y,
                        rect.xMaximum() + pad_x, rect.yMaximum() + pad_y)


def city_extents(layers, to_map):
    """(city_id, name, creative_index, extent in map units) of cities with something to show."""
    cities = layers.get("cities")
    if cities is None:
        return []
    id_field = field_or_none(cities, "city_id")
    name_field = field_or_none(cities, "name", "city", "city_name", "name_en")
    index_field = field_or_none(cities, "creative_index")
    # What each city holds: the bounding box of its clusters, heritage sites and
    # programme zones (by city_id), so that a point-only city still gets a map.
    # (Bounds are kept as [xmin, ymin, xmax, ymax]: a QgsRectangle around a single
    # point counts as null, and combining with a null rectangle replaces it.)
    def grow(bounds, box):
        if bounds is None:
            return [box.xMinimum(), box.yMinimum(), box.xMaximum(), box.yMaximum()]
        return [min(bounds[0], box.xMinimum()), min(bounds[1], box.yMinimum()),
                max(bounds[2], box.xMaximum()), max(bounds[3], box.yMaximum())]

    members = {}
    for name in ("clusters", "heritage_sites", "programmes"):
        layer = layers.get(name)
        if layer is None or field_or_none(layer, "city_id") is None:
            continue
        transform = to_map(layer)
        # Only city_id and the geometry: 150,000 heritage sites at national scale.
        request = QgsFeatureRequest().setSubsetOfAttributes(["city_id"], layer.fields())
        for feature in layer.getFeatures(request):
            if not feature.hasGeometry() or feature["city_id"] in (None, ""):
                continue
            box = transform.transformBoundingBox(feature.geometry().boundingBox())
            key = str(feature["city_id"])
            members[key] = grow(members.get(key), box)
    transform = to_map(cities)
    result = []
    for feature in cities.getFeatures():
        key = str(feature[id_field]) if id_field else str(feature.id())
        if key not in members:
            continue  # nothing of the atlas in this city: no map
        bounds = members[key]
        if feature.hasGeometry() and feature.geometry().type() == 2:  # polygon: show it whole
            bounds = grow(bounds, transform.transformBoundingBox(feature.geometry().boundingBox()))
        extent = QgsRectangle(*bounds)
        index = feature[index_field] if index_field else None
        result.append((key, str(feature[name_field]) if name_field else key,
                       index if isinstance(index, (int, float)) else None,
                       padded(extent, 0.08, 500.0)))
    # The highest creative_index first: those are the maps kept under --max-cities.
    result.sort(key=lambda c: (c[2] is None, -(c[2] or 0), c[0]))
    return result


def render_all(args):
    """Render the overview and the city maps; returns the listing to print."""
    layers = open_layers(os.path.abspath(args.gpkg))
    if not layers:
        fail(1, f"no creatlas layers could be opened from {args.gpkg}")
    map_crs = QgsCoordinateReferenceSystem("EPSG:3857")
    context = QgsProject.instance().transformContext()

    def to_map(layer):
        return QgsCoordinateTransform(layer.crs(), map_crs, context)

    settings = QgsMapSettings()
    settings.setLayers(list(layers.values()))  # top first
    settings.setDestinationCrs(map_crs)
    settings.setOutputSize(QSize(args.width, args.height))
    settings.setOutputDpi(96)
    settings.setBackgroundColor(QColor(255, 255, 255))
    settings.setFlag(QgsMapSettings.Antialiasing, True)
    settings.setFlag(QgsMapSettings.DrawLabeling, True)

    full = None
    for layer in layers.values():
        if not isinstance(layer, QgsVectorLayer) or layer.featureCount() == 0:
            continue
        box = to_map(layer).transformBoundingBox(layer.extent())
        if full is None:
            full = QgsRectangle(box)
        else:
            full.combineExtentWith(box)
    output = {"overview": None, "maps": [], "omitted": 0}
    started = time.monotonic()
    if full is not None:
        # The overview names the cities with clusters (the project's city
        # outlines layer labels only those at country scale). The candidates'
        # rank labels, which would cost QGIS's label engine minutes at country
        # scale (about 800 s for 30,000 of them), are off there by their style's
        # scale range (1:250,000 and closer).
        settings.setExtent(padded(full, 0.05, 1000.0))
        render(settings, os.path.join(args.out_dir, "overview.png"))
        output["overview"] = "overview.png"

    log(f"overview: {time.monotonic() - started:.2f} s")
    started = time.monotonic()
    cities = city_extents(layers, to_map)
    for number, (city_id, name, _, extent) in enumerate(cities[:args.max_cities], start=1):
        file_name = f"city_{number:03d}.png"
        settings.setExtent(extent)
        render(settings, os.path.join(args.out_dir, file_name))
        output["maps"].append({"city_id": city_id, "name": name, "file": file_name})
    output["omitted"] = max(0, len(cities) - args.max_cities)
    log(f"{len(output['maps'])} city maps: {time.monotonic() - started:.2f} s")
    settings.setLayers([])
    QgsProject.instance().clear()
    return output


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg")
    parser.add_argument("out_dir")
    parser.add_argument("--max-cities", type=int, default=60)
    parser.add_argument("--width", type=int, default=900)
    parser.add_argument("--height", type=int, default=650)
    args = parser.parse_args()

    os.makedirs(args.out_dir, exist_ok=True)
    app = QgsApplication([], False)
    app.initQgis()
    try:
        # Every layer is released before QGIS shuts down (else PyQGIS may crash on exit).
        output = render_all(args)
    finally:
        app.exitQgis()
    print(json.dumps(output, ensure_ascii=False))


if __name__ == "__main__":
    main()
