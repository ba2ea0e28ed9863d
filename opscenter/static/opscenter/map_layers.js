/*
 * The dashboard map's layers: the live alerts (clustered), the district boundaries, the protected objects
 * and whatever else the server's layer registry offers (opscenter/maplayers.py), plus overlays other
 * scripts add (units.js: OpscenterConsole.addOverlay(key, label, layer)); a layer switcher; Leaflet's own
 * strings in the page's language. Loaded before dashboard.js, which asks `alertLayer(map)` for the layer
 * its markers go in. Works without tiles and without the markercluster plugin (then nothing clusters).
 */
(function () {
  "use strict";

  const hooks = window.OpscenterConsole || (window.OpscenterConsole = {});
  const configElement = document.getElementById("map-config");
  if (!window.L || !configElement) {
    return;
  }
  const config = JSON.parse(configElement.textContent);
  const text = config.strings || {};

  // Leaflet's own strings, before any map is made: the zoom buttons and the attribution's prefix.
  if (text.zoomIn) {
    L.Control.Zoom.prototype.options.zoomInTitle = text.zoomIn;
    L.Control.Zoom.prototype.options.zoomOutTitle = text.zoomOut;
  }
  if (text.attributionPrefix) {
    L.Control.Attribution.prototype.options.prefix =
      '<a href="https://leafletjs.com" title="' + escapeAttribute(text.attributionTitle) + '">Leaflet</a>';
  }

  function escapeAttribute(value) {
    return String(value || "").replace(/[&"<>]/g, function (character) {
      return { "&": "&amp;", '"': "&quot;", "<": "&lt;", ">": "&gt;" }[character];
    });
  }

  /** Leaflet puts string tooltip content in as HTML: names go in as text nodes instead. */
  function plainText(value) {
    const span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  // The P1 colour of dashboard.js's markers: a cluster holding a P1 says so.
  const P1_FILL = getComputedStyle(document.documentElement).getPropertyValue("--severity-1").trim();

  /**
   * A cluster group that takes markers in batches: the console adds them one by one (10,000 in a
   * snapshot), the plugin is fastest given them together (addLayers, chunked).
   */
  function clusterGroup(options) {
    if (!L.MarkerClusterGroup) {
      return L.layerGroup();
    }
    const Buffered = L.MarkerClusterGroup.extend({
      initialize: function (options) {
        L.MarkerClusterGroup.prototype.initialize.call(this, options);
        this._toAdd = new Set();
        this._toRemove = new Set();
        this._flushTimer = null;
      },
      addLayer: function (layer) {
        this._toRemove.delete(layer);
        if (!L.MarkerClusterGroup.prototype.hasLayer.call(this, layer)) {
          this._toAdd.add(layer);
        }
        return this._later();
      },
      removeLayer: function (layer) {
        if (!this._toAdd.delete(layer)) {
          this._toRemove.add(layer);
        }
        return this._later();
      },
      hasLayer: function (layer) {
        return (
          this._toAdd.has(layer) ||
          (!this._toRemove.has(layer) && L.MarkerClusterGroup.prototype.hasLayer.call(this, layer))
        );
      },
      _later: function () {
        if (this._flushTimer === null) {
          const group = this;
          this._flushTimer = setTimeout(function () {
            group._flushTimer = null;
            group.flush();
          }, 0);
        }
        return this;
      },
      flush: function () {
        if (this._toRemove.size) {
          const removed = Array.from(this._toRemove);
          this._toRemove.clear();
          L.MarkerClusterGroup.prototype.removeLayers.call(this, removed);
        }
        if (this._toAdd.size) {
          const added = Array.from(this._toAdd);
          this._toAdd.clear();
          L.MarkerClusterGroup.prototype.addLayers.call(this, added);
        }
        return this;
      },
    });
    return new Buffered(options);
  }

  function clusterIcon(kind) {
    return function (cluster) {
      const count = cluster.getChildCount();
      let urgent = false;
      if (kind === "alerts") {
        urgent = cluster.getAllChildMarkers().some(function (marker) {
          return marker.options.fillColor === P1_FILL;
        });
      }
      const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return L.divIcon({
        html: "<div><span>" + count + "</span></div>",
        className: "marker-cluster marker-cluster-" + size + " cluster-" + kind + (urgent ? " cluster-urgent" : ""),
        iconSize: L.point(40, 40),
      });
    };
  }

  let theMap = null;
  let switcher = null;
  const overlays = []; // {key, label, layer, shown}, before the map exists
  const layersByKey = new Map();

  function addToSwitcher(entry) {
    layersByKey.set(entry.key, entry.layer);
    if (!theMap) {
      overlays.push(entry);
      return;
    }
    const label = document.createElement("span");
    label.className = "layer-label";
    label.dataset.layer = entry.key;
    label.textContent = entry.label;
    switcher.addOverlay(entry.layer, label.outerHTML);
    if (entry.shown !== false) {
      entry.layer.addTo(theMap);
    }
  }

  /** Another script's live overlay (units.js), shown in the switcher. */
  hooks.addOverlay = function (key, label, layer, options) {
    addToSwitcher({ key: key, label: label, layer: layer, shown: !options || options.shown !== false });
  };
  hooks.mapLayer = function (key) {
    return layersByKey.get(key) || null;
  };

  /** A layer of the server's registry: fetched when it is first shown. */
  function serverLayer(spec) {
    const group =
      spec.kind === "points"
        ? clusterGroup({ iconCreateFunction: clusterIcon(spec.key), disableClusteringAtZoom: 12, chunkedLoading: true })
        : L.layerGroup();
    let loaded = false;
    group.on("add", function () {
      if (loaded) {
        return;
      }
      loaded = true;
      fetch(spec.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (collection) {
          (collection.features || []).forEach(function (feature) {
            const shape = drawFeature(spec, feature);
            if (shape) {
              group.addLayer(shape);
            }
          });
          document.getElementById("map").dataset["layer" + spec.key.replace(/(^|_)(\w)/g, function (m, sep, c) {
            return c.toUpperCase();
          })] = String((collection.features || []).length);
        })
        .catch(function () {
          loaded = false; // tried again when shown again
        });
    });
    return group;
  }

  function drawFeature(spec, feature) {
    const properties = feature.properties || {};
    const geometry = feature.geometry || {};
    const name = [properties.name, properties.label].filter(Boolean).join(" · ");
    if (geometry.type === "Point") {
      // On the alerts' canvas (the map's renderer), drawn beneath them: an alarm at a school is a click
      // on the alarm, not on the school.
      const marker = L.circleMarker([geometry.coordinates[1], geometry.coordinates[0]], {
        radius: 5,
        color: "#1e3a8a",
        weight: 2,
        fillColor: "#ffffff",
        fillOpacity: 1,
      });
      marker.feature = feature;
      marker.on("add", function () {
        marker.bringToBack();
      });
      marker.bindTooltip(plainText([name, properties.address].filter(Boolean).join(" — ")));
      return marker;
    }
    if (geometry.type === "Polygon" || geometry.type === "MultiPolygon") {
      return L.geoJSON(feature, {
        renderer: boundaryRenderer,
        pane: "boundaries",
        interactive: false, // a click on the map is for the alerts over it
        style: { className: "layer-shape layer-" + spec.key, color: "#334155", weight: 1.5, dashArray: "4 3", fillOpacity: 0.03 },
      });
    }
    return null;
  }

  let boundaryRenderer = null;

  /** Asked by dashboard.js for the layer its alert markers go in; sets up the rest of the map. */
  hooks.alertLayer = function (map) {
    theMap = map;
    // Below the alerts' canvas (overlayPane, 400), in SVG: boundaries never take a click.
    map.createPane("boundaries").style.zIndex = 350;
    boundaryRenderer = L.svg({ padding: 0.5 });
    const alerts = clusterGroup({
      iconCreateFunction: clusterIcon("alerts"),
      disableClusteringAtZoom: 12,
      chunkedLoading: true,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
    });
    switcher = L.control.layers(null, null, { collapsed: true, position: "topright" }).addTo(map);
    const toggle = switcher.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle && text.layers) {
      toggle.title = text.layers;
      toggle.setAttribute("aria-label", text.layers);
    }
    addToSwitcher({ key: "alerts", label: text.alerts || "Alerts", layer: alerts, shown: false });
    (config.layers || []).forEach(function (spec) {
      addToSwitcher({ key: spec.key, label: spec.label, layer: serverLayer(spec), shown: spec.shown });
    });
    overlays.splice(0).forEach(addToSwitcher);
    return alerts; // dashboard.js adds it to the map
  };
})();
