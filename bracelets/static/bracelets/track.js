/* The track of one supervised person on a Leaflet map: the path, its fixes, and the person's zones
   (inclusion green, exclusion red). Works without tiles: the overlays are drawn all the same. */
(function () {
  "use strict";
  const element = document.getElementById("track-map");
  const dataElement = document.getElementById("track-data");
  if (!element || !dataElement || typeof L === "undefined") {
    return;
  }
  const data = JSON.parse(dataElement.textContent);
  // Leaflet puts string tooltip content in as HTML: names go in as text nodes instead.
  function plainText(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span;
  }
  const map = L.map(element, { preferCanvas: false }).setView(data.center, 12);
  if (data.tileUrl) {
    let failures = 0;
    const tiles = L.tileLayer(data.tileUrl, { attribution: data.attribution, maxZoom: 19 });
    tiles.on("tileerror", function () {
      failures += 1;
      document.getElementById("map-notice").hidden = false;
    });
    tiles.addTo(map);
  }
  const bounds = [];
  data.zones.forEach(function (zone) {
    const style = { color: zone.kind === "exclusion" ? "#c0392b" : "#2e7d32", weight: 2, fillOpacity: 0.12, className: "zone-" + zone.kind };
    let layer;
    if (zone.shape === "circle") {
      layer = L.circle(zone.center, Object.assign({ radius: zone.radius_m }, style));
      bounds.push(zone.center);
    } else {
      layer = L.polygon(zone.polygon, style);
      zone.polygon.forEach(function (vertex) { bounds.push(vertex); });
    }
    layer.bindTooltip(plainText(zone.name)).addTo(map);
  });
  const points = data.track.map(function (fix) { return [fix[0], fix[1]]; });
  if (points.length) {
    L.polyline(points, { color: "#1565c0", weight: 3, className: "track-line" }).addTo(map);
    data.track.forEach(function (fix, index) {
      const last = index === data.track.length - 1;
      L.circleMarker([fix[0], fix[1]], {
        radius: last ? 6 : 3,
        color: fix[4] ? "#8e24aa" : "#1565c0",
        className: last ? "track-fix track-last" : "track-fix",
      }).bindTooltip(plainText(new Date(fix[2]).toLocaleString() + (fix[3] ? " ±" + Math.round(fix[3]) + " m" : ""))).addTo(map);
      bounds.push([fix[0], fix[1]]);
    });
  }
  if (bounds.length) {
    map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  }
  element.dataset.ready = "true";
})();
