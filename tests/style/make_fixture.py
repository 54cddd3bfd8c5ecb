"""Build a small GeoPackage with the layers and fields of creatlas's output contract.

It stands in for a pipeline run in the style tests: it is written with GDAL's
Python bindings only (no creatlas code), so what the tests assert about the
styles comes from this hand-made data, not from the code under test.

Seven cities (six with a creative_index of 12.5, 30, 47.5, 60, 75 and 95, one
without), six clusters in the first city (formation types 1-5 and one unknown),
three more in the second, heritage sites of every status, one programme zone
per instrument and their overlaps with heritage sites; a hex_grid of nine
separate hexagons near the second city, one per Gi* label (and NULL), some
without points (HEX_CELLS); with points, the companion footprint layers a
mixed input gives (clusters_footprints, heritage_sites_footprints,
cities_footprints).

`make_stats_input` writes a 5 × 5 lattice of squares (and their centres as
points) whose value grows towards one corner, the input of the style tests of
`creatlas stats … -o`.

usage: make_fixture.py OUT.gpkg [--polygons]
       make_fixture.py --stats-input OUT.gpkg
  --polygons   write clusters and heritage_sites as MultiPolygons (the contract
               allows either geometry type)
"""
import math
import sys

from osgeo import ogr, osr

ogr.UseExceptions()

# The hex_grid fixture: (lon, lat, count, gi_label) of nine separate hexagons near
# Perm, one per label the atlas writes (geo/src/stats/getis.cpp) and one without
# a statistic (a city grid of fewer than 3 cells), counts 0 where the style must
# lighten the cell. The tests read the rendered colour at each centre.
HEX_RADIUS = 0.006
HEX_CELLS = [(56.10, 58.10, 7, "hot 99%"),
             (56.13, 58.10, 4, "hot 95%"),
             (56.16, 58.10, 2, "hot 90%"),
             (56.19, 58.10, 1, "not significant"),
             (56.10, 58.08, 0, "not significant"),
             (56.13, 58.08, 1, "cold 90%"),
             (56.16, 58.08, 1, "cold 95%"),
             (56.19, 58.08, 0, "cold 99%"),
             (56.22, 58.08, 0, None)]


def hexagon(cx, cy, radius):
    """A pointy-top hexagon (as the atlas draws them) around (cx, cy), in degrees."""
    corners = [(cx + radius * math.cos(math.radians(90 + 60 * k)),
                cy + radius * math.sin(math.radians(90 + 60 * k))) for k in range(7)]
    return "MULTIPOLYGON(((" + ",".join(f"{x} {y}" for x, y in corners) + ")))"


def square(cx, cy, half):
    return (f"MULTIPOLYGON((({cx - half} {cy - half},{cx + half} {cy - half},"
            f"{cx + half} {cy + half},{cx - half} {cy + half},{cx - half} {cy - half})))")


def make(path, polygons=False):
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)

    def layer(name, gtype, fields):
        lyr = ds.CreateLayer(name, srs, gtype, options=["GEOMETRY_NAME=geom"])
        for fname, ftype in fields:
            lyr.CreateField(ogr.FieldDefn(fname, ftype))
        return lyr

    def add(lyr, wkt, **values):
        feat = ogr.Feature(lyr.GetLayerDefn())
        for key, value in values.items():
            if value is not None:
                feat[key] = value
        feat.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        lyr.CreateFeature(feat)

    # Cities: (id, name, lon, lat, creative_index). City c1 is the focus.
    cities = [("c1", "Ekaterinburg", 60.60, 56.84, 95.0),
              ("c2", "Perm", 56.25, 58.01, 60.0),
              ("c3", "Chelyabinsk", 61.40, 55.16, 47.5),
              ("c4", "Tyumen", 65.53, 57.15, 75.0),
              ("c5", "Nizhny Tagil", 59.97, 57.91, 12.5),
              ("c6", "Omsk", 73.37, 54.99, 30.0),
              ("c7", "Kurgan", 65.34, 55.44, None)]
    lyr = layer("cities", ogr.wkbMultiPolygon,
                [("city_id", ogr.OFTString), ("name", ogr.OFTString),
                 ("population", ogr.OFTInteger64), ("n_clusters", ogr.OFTInteger),
                 ("creative_index", ogr.OFTReal), ("creative_rank", ogr.OFTInteger)])
    ranked = sorted([c for c in cities if c[4] is not None], key=lambda c: -c[4])
    for cid, name, lon, lat, index in cities:
        rank = next((i + 1 for i, c in enumerate(ranked) if c[0] == cid), None)
        add(lyr, square(lon, lat, 0.08), city_id=cid, name=name, population=500000,
            n_clusters=6 if cid == "c1" else (3 if cid == "c2" else 0),
            creative_index=index, creative_rank=rank)

    labels = {1: "initiative", 2: "initiative, supported", 3: "partnership",
              4: "public-led", 5: "dependent"}
    lyr = layer("clusters", ogr.wkbMultiPolygon if polygons else ogr.wkbPoint,
                [("cluster_id", ogr.OFTString), ("name", ogr.OFTString),
                 ("city_id", ogr.OFTString), ("formation_type", ogr.OFTInteger),
                 ("formation_label", ogr.OFTString)])
    # c1's clusters sit 0.02 degrees apart on a row so that their markers never overlap.
    spots = [("k1", "c1", 60.55, 56.85, 1), ("k2", "c1", 60.57, 56.85, 2),
             ("k3", "c1", 60.59, 56.85, 3), ("k4", "c1", 60.61, 56.85, 4),
             ("k5", "c1", 60.63, 56.85, 5), ("k6", "c1", 60.65, 56.85, None),
             ("k7", "c2", 56.22, 58.00, 1), ("k8", "c2", 56.25, 58.00, 3),
             ("k9", "c2", 56.28, 58.00, 5)]
    for kid, cid, lon, lat, ftype in spots:
        wkt = square(lon, lat, 0.004) if polygons else f"POINT({lon} {lat})"
        add(lyr, wkt, cluster_id=kid, name=f"Cluster {kid}", city_id=cid,
            formation_type=ftype, formation_label=labels.get(ftype))

    lyr = layer("heritage_sites", ogr.wkbMultiPolygon if polygons else ogr.wkbPoint,
                [("heritage_id", ogr.OFTString), ("name", ogr.OFTString),
                 ("city_id", ogr.OFTString), ("is_industrial", ogr.OFTInteger),
                 ("reused", ogr.OFTInteger), ("candidate_score", ogr.OFTReal),
                 ("candidate_rank", ogr.OFTInteger)])
    # (id, city, lon, lat, industrial, reused, score, rank)
    sites = [("h1", "c1", 60.58, 56.82, 1, 1, None, None),
             ("h2", "c1", 60.60, 56.82, 1, 0, 0.9, 1),
             ("h3", "c1", 60.62, 56.82, 1, 0, 0.7, 2),
             ("h4", "c1", 60.64, 56.82, 0, 0, None, None),
             ("h5", "c2", 56.24, 58.03, 1, 0, 0.8, 1),
             ("h6", "c2", 56.26, 58.03, 0, 1, None, None)]
    for hid, cid, lon, lat, ind, reused, score, rank in sites:
        wkt = square(lon, lat, 0.003) if polygons else f"POINT({lon} {lat})"
        add(lyr, wkt, heritage_id=hid, name=f"Site {hid}", city_id=cid, is_industrial=ind,
            reused=reused, candidate_score=score, candidate_rank=rank)

    lyr = layer("programmes", ogr.wkbMultiPolygon,
                [("programme_id", ogr.OFTString), ("name", ogr.OFTString),
                 ("instrument", ogr.OFTString), ("clusters_covered", ogr.OFTInteger),
                 ("heritage_covered", ogr.OFTInteger)])
    zones = [("p1", 60.56, 56.80, "space"), ("p2", 60.64, 56.80, "cluster"),
             ("p3", 60.56, 56.88, "grant"), ("p4", 60.64, 56.88, "export")]
    for pid, lon, lat, instrument in zones:
        add(lyr, square(lon, lat, 0.035), programme_id=pid, name=f"Programme {pid}",
            instrument=instrument, clusters_covered=1, heritage_covered=1)

    lyr = layer("heritage_programmes", ogr.wkbMultiPolygon,
                [("heritage_id", ogr.OFTString), ("programme_id", ogr.OFTString),
                 ("overlap_m2", ogr.OFTReal)])
    add(lyr, square(60.58, 56.82, 0.004), heritage_id="h1", programme_id="p1", overlap_m2=1.0)
    add(lyr, square(60.62, 56.82, 0.004), heritage_id="h3", programme_id="p2", overlap_m2=1.0)

    lyr = layer("hex_grid", ogr.wkbMultiPolygon,
                [("city_id", ogr.OFTString), ("count", ogr.OFTInteger), ("gi_z", ogr.OFTReal),
                 ("gi_p", ogr.OFTReal), ("gi_label", ogr.OFTString), ("lisa_q", ogr.OFTInteger),
                 ("lisa_p", ogr.OFTReal), ("lisa_label", ogr.OFTString)])
    for lon, lat, count, label in HEX_CELLS:
        add(lyr, hexagon(lon, lat, HEX_RADIUS), city_id="c2", count=count, gi_label=label)

    if not polygons:
        # A mixed input keeps a point per feature in the main layer and moves the
        # polygons to "<layer>_footprints" (first field: the id).
        for name, id_field, rows in (
                ("clusters_footprints", "cluster_id", [("k1", 60.55, 56.85, 0.006)]),
                ("heritage_sites_footprints", "heritage_id", [("h1", 60.58, 56.82, 0.005),
                                                               ("h2", 60.60, 56.82, 0.005)]),
                ("cities_footprints", "city_id", [("c1", 60.60, 56.84, 0.15)])):
            lyr = layer(name, ogr.wkbMultiPolygon, [(id_field, ogr.OFTString)])
            for key, lon, lat, half in rows:
                add(lyr, square(lon, lat, half), **{id_field: key})
    ds = None


def make_stats_input(path):
    """5 x 5 squares of 0.01 degrees near the equator, value v = 2 * row + column
    (high in the north-east corner), as layer "lattice"; their centres as "centres";
    short segments from each centre towards the north-east as "segments"."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4326)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    cells = ds.CreateLayer("lattice", srs, ogr.wkbMultiPolygon, options=["GEOMETRY_NAME=geom"])
    centres = ds.CreateLayer("centres", srs, ogr.wkbPoint, options=["GEOMETRY_NAME=geom"])
    segments = ds.CreateLayer("segments", srs, ogr.wkbLineString, options=["GEOMETRY_NAME=geom"])
    for lyr in (cells, centres, segments):
        lyr.CreateField(ogr.FieldDefn("cell", ogr.OFTString))
        lyr.CreateField(ogr.FieldDefn("v", ogr.OFTReal))
    size = 0.01
    for row in range(5):
        for col in range(5):
            values = {"cell": f"r{row}c{col}", "v": float(2 * row + col)}
            cx, cy = 30.0 + (col + 0.5) * size, (row + 0.5) * size
            for lyr, wkt in ((cells, square(cx, cy, size / 2)), (centres, f"POINT({cx} {cy})"),
                             (segments, f"LINESTRING({cx} {cy},{cx + 0.003} {cy + 0.002})")):
                feat = ogr.Feature(lyr.GetLayerDefn())
                for key, value in values.items():
                    feat[key] = value
                feat.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
                lyr.CreateFeature(feat)
    ds = None


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "--stats-input":
        make_stats_input(sys.argv[2])
    else:
        make(sys.argv[1], polygons="--polygons" in sys.argv[2:])
