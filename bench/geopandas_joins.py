#!/usr/bin/python3
"""The GeoPandas side of bench/compare: the same three joins as the QGIS chain.

  clusters -> cities          (sjoin, intersects, left: every cluster kept)
  heritage -> programme zones (sjoin, intersects, left: one row per pair)
  enterprises counted in cities (sjoin, intersects, then a group-by count)

Reads inputs.gpkg the ordinary GeoPandas way (read_file), writes the three
results to one GeoPackage, and prints the joined counts so the harness can check
that every tool did the same work.

Usage: geopandas_joins.py INPUTS.gpkg OUTPUT.gpkg
"""

import json
import sys

import geopandas as gpd


def main():
    src, out = sys.argv[1], sys.argv[2]
    cities = gpd.read_file(src, layer="cities")
    clusters = gpd.read_file(src, layer="clusters")
    heritage = gpd.read_file(src, layer="heritage")
    programmes = gpd.read_file(src, layer="programmes")
    enterprises = gpd.read_file(src, layer="enterprises")

    c2c = gpd.sjoin(clusters, cities, how="left", predicate="intersects")
    h2p = gpd.sjoin(heritage, programmes, how="left", predicate="intersects")
    e2c = gpd.sjoin(enterprises, cities[["city_id", "geometry"]], how="inner",
                    predicate="intersects")
    counts = e2c.groupby("city_id").size()
    cities["NUMPOINTS"] = cities["city_id"].map(counts).fillna(0).astype("int64")

    c2c.drop(columns="index_right").to_file(out, layer="clusters_cities", driver="GPKG")
    h2p.drop(columns="index_right").to_file(out, layer="heritage_programmes", driver="GPKG")
    cities.to_file(out, layer="cities_enterprises", driver="GPKG")
    print(json.dumps({
        "clusters_in_cities": int(c2c["index_right"].notna().sum()),
        "heritage_programme_pairs": int(h2p["index_right"].notna().sum()),
        "enterprises_in_cities": int(counts.sum()),
    }))


if __name__ == "__main__":
    main()
