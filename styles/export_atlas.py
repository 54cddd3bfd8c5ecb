"""Export the print layout of a creatlas GeoPackage's project to PDF, headless.

The layout (a cover page and an Atlas over the cities with clusters, heaviest
first) is part of the QGIS project that creatlas stores in the GeoPackage; this
script opens that project as QGIS would and exports the layout with QGIS's own
exporter, the way a planner would from Project ▸ Layouts. The cover page is
the layout's first page, excluded from every atlas page but the first
(a data-defined "exclude page from exports"), so one export gives the cover
followed by one page per city.

usage: export_atlas.py GPKG OUT.pdf PROJECT_NAME LAYOUT_NAME [--dpi N]

Prints one JSON document on stdout: {"pages": N, "cities": [page names], "seconds": S}
(pages 0 and no file when no city has a cluster). Exit status 3 (with
{"error": "..."}) when QGIS cannot be used, 1 on other errors.
Run it with QT_QPA_PLATFORM=offscreen (creatlas does).
"""
import argparse
import json
import os
import sys
import time


def fail(status, message):
    print(json.dumps({"error": message}, ensure_ascii=False))
    sys.exit(status)


try:
    from qgis.core import (QgsApplication, QgsLayoutExporter, QgsProject,
                           QgsRenderContext)
except ImportError as error:  # no python3-qgis on this machine
    fail(3, f"QGIS's Python bindings (python3-qgis) are not available: {error}")


def export(args):
    project = QgsProject.instance()
    uri = f"geopackage:{os.path.abspath(args.gpkg)}?projectName={args.project}"
    if not project.read(uri):
        fail(1, f"QGIS cannot read the project '{args.project}' of {args.gpkg}: "
                f"{project.error()}")
    layout = project.layoutManager().layoutByName(args.layout)
    if layout is None:
        fail(1, f"the project of {args.gpkg} has no print layout '{args.layout}'")
    atlas = layout.atlas()
    cities = atlas.updateFeatures()
    if cities == 0:
        return {"pages": 0, "cities": []}

    settings = QgsLayoutExporter.PdfExportSettings()
    settings.dpi = args.dpi
    # Text stays text (searchable, and readable by pdftotext); maps stay vector.
    settings.textRenderFormat = QgsRenderContext.TextFormatAlwaysText
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = False
    settings.appendGeoreference = False
    settings.exportMetadata = True
    settings.simplifyGeometries = True
    # A half-written PDF never takes the final name.
    partial = args.pdf + ".part"
    result, error = QgsLayoutExporter.exportToPdf(atlas, partial, settings)
    if result != QgsLayoutExporter.Success:
        if os.path.exists(partial):
            os.remove(partial)
        fail(1, f"QGIS could not export the atlas (result {result}): {error}")
    os.replace(partial, args.pdf)
    names = []
    atlas.beginRender()
    for i in range(cities):
        atlas.seekTo(i)
        names.append(atlas.nameForPage(i))
    atlas.endRender()
    return {"pages": cities + 1, "cities": names}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpkg")
    parser.add_argument("pdf")
    parser.add_argument("project")
    parser.add_argument("layout")
    parser.add_argument("--dpi", type=int, default=150)
    args = parser.parse_args()

    started = time.monotonic()
    app = QgsApplication([], False)
    app.initQgis()
    try:
        output = export(args)
        # Layers and layouts go before QGIS shuts down (else PyQGIS may crash on exit).
        QgsProject.instance().clear()
    finally:
        app.exitQgis()
    output["seconds"] = round(time.monotonic() - started, 2)
    print(json.dumps(output, ensure_ascii=False))


if __name__ == "__main__":
    main()
