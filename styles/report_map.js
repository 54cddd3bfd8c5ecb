// The interactive map of report.html (inlined by the report writer, after
// Leaflet and Leaflet.markercluster). Data: the JSON of #atlas-map-data —
// GeoJSON of clusters, industrial heritage, programme zones and city outlines,
// the colours of styles/classes.json, legend texts in the report's language.
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("atlas-map-data").textContent);
  var T = D.t;
  // maxZoom: marker clustering needs one, and with no tile layer the map has none.
  var map = L.map("atlas-map", { zoomSnap: 0.5, maxZoom: 18 });
  // Everything but the clusters on one canvas: thousands of SVG elements
  // would make the page sluggish at national scale.
  var canvas = L.canvas({ padding: 0.3 });

  function esc(text) {
    return String(text === null || text === undefined ? "" : text)
      .replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  function number(value, decimals) {
    if (value === null || value === undefined) return "–";
    return Number(value).toLocaleString(document.documentElement.lang || "en",
      { maximumFractionDigits: decimals });
  }
  function popup(title, rows) {
    var html = "<b>" + esc(title) + "</b><table>";
    rows.forEach(function (row) {
      if (row[1] !== "" && row[1] !== null && row[1] !== undefined) {
        html += "<tr><th>" + esc(row[0]) + "</th><td>" + esc(row[1]) + "</td></tr>";
      }
    });
    return html + "</table>";
  }

  var overlays = {};
  if (D.basemap) {
    overlays[T.basemap] = L.tileLayer(D.basemap, { maxZoom: 19, attribution: esc(D.basemap) })
      .addTo(map);
  }

  var named = 0;
  var cities = L.geoJSON(D.cities, {
    renderer: canvas,
    style: function () {
      return { color: "#555555", weight: 1, fill: true, fillColor: "#9E9AC8", fillOpacity: 0.08 };
    },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { renderer: canvas, radius: 3, color: "#555555", weight: 1,
                                      fillColor: "#FFFFFF", fillOpacity: 1 });
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.bindPopup(popup(p.n, [[T.n_clusters, p.k], [T.creative_index, number(p.ci, 1)]]));
      // Names of the cities with clusters, as on the QGIS maps; the others are
      // named in their popups.
      if (p.k > 0) {
        layer.bindTooltip(esc(p.n), { permanent: true, direction: "right", offset: [8, 0],
                                      className: "city-name", interactive: false });
        named += 1;
      }
    }
  }).addTo(map);
  // Names only where they can be read: all of them when there are few, else
  // from zoom 7 (a region) on.
  function showNames() {
    var on = named <= 40 || map.getZoom() >= 7;
    map.getContainer().classList.toggle("hide-city-names", !on);
  }
  map.on("zoomend", showNames);
  overlays[T.cities] = cities;

  var zones = L.geoJSON(D.programmes, {
    renderer: canvas,
    style: function (feature) {
      var colour = D.colours.programmes[feature.properties.i] || "#666666";
      return { color: colour, weight: 1.2, fillColor: colour, fillOpacity: 0.15 };
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.bindPopup(popup(p.n, [["id", p.id], [T.instrument, p.i]]));
    }
  }).addTo(map);
  overlays[T.programmes] = zones;

  // Industrial heritage: grouped into marker clusters until zoom 13, where
  // single sites can be told apart (thousands of them at national scale).
  // A group is a grey disc with its count: the colours stay the styles'.
  var heritage = L.markerClusterGroup({
    chunkedLoading: true, disableClusteringAtZoom: 13, maxClusterRadius: 45,
    showCoverageOnHover: false,
    iconCreateFunction: function (group) {
      return L.divIcon({ html: "<span>" + group.getChildCount() + "</span>",
                         className: "heritage-group", iconSize: L.point(26, 26) });
    }
  });
  D.heritage.features.forEach(function (feature) {
    var c = feature.geometry.coordinates;
    var p = feature.properties;
    var colour = D.colours.heritage_sites[p.s] || "#BBBBBB";
    var marker = L.circleMarker([c[1], c[0]], {
      renderer: canvas, radius: 4, color: "#232323", weight: 0.8,
      fillColor: colour, fillOpacity: 1
    });
    marker.bindPopup(popup(p.n, [["id", p.id], [T.city, p.c],
                                 [T.status, p.s === "reused" ? T.reused : T.candidate],
                                 [T.rank, p.r], [T.score, number(p.sc, 2)]]));
    heritage.addLayer(marker);
  });
  heritage.addTo(map);
  overlays[T.heritage] = heritage;

  // One SVG marker per cluster, each with its formation type's colour, in a
  // pane of its own above the heritage groups (Leaflet's marker pane, 600).
  map.createPane("creatlas-clusters").style.zIndex = 650;
  var clusters = L.layerGroup();
  D.clusters.features.forEach(function (feature) {
    var c = feature.geometry.coordinates;
    var p = feature.properties;
    var type = p.t === null ? "" : String(p.t);
    var marker = L.circleMarker([c[1], c[0]], {
      radius: 6, color: "#232323", weight: 1, fillOpacity: 1,
      fillColor: D.colours.clusters[type] || D.colours.clusters[""] || "#999999",
      className: "creatlas-cluster", pane: "creatlas-clusters"
    });
    marker.bindPopup(popup(p.n, [["id", p.id], [T.city, p.c], [T.formation, p.f],
                                 [T.heritage_site, p.h], [T.programme_count, p.p],
                                 [T.grants, number(p.g, 0)]]));
    clusters.addLayer(marker);
  });
  clusters.addTo(map);
  overlays[T.clusters] = clusters;

  L.control.layers(null, overlays, { collapsed: false, position: "topright" }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);

  // The legend under the map rather than over it, where it would hide data.
  (function () {
    var html = "";
    D.legend.forEach(function (group) {
      html += "<div><b>" + esc(group.title) + "</b> ";
      group.classes.forEach(function (cls) {
        html += "<span class=\"item\"><i class=\"" + (cls.shape === "zone" ? "zone" : "dot") +
                "\" style=\"background:" + esc(cls.c) + "\"></i>" + esc(cls.l) + "</span>";
      });
      html += "</div>";
    });
    html += "<div><b>" + esc(T.cities) + "</b> <span class=\"item\"><i class=\"outline\">" +
            "</i>" + esc(T.city_outline) + "</span></div>";
    document.getElementById("atlas-map-legend").innerHTML = html;
  })();

  var bounds = clusters.getLayers().length ? L.featureGroup(clusters.getLayers()).getBounds()
                                           : cities.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  } else {
    map.setView([58, 60], 4);
  }
  showNames();
})();
