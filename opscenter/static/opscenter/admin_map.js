/* The admin's map pickers (opscenter/widgets.py): a point sets a latitude and its longitude input; a
   polygon writes [[latitude, longitude], ...] to its textarea. Rows added to an inline get theirs too. */
(function () {
  "use strict";

  function number(value) {
    const parsed = parseFloat(String(value || "").replace(",", "."));
    return Number.isFinite(parsed) ? parsed : null;
  }

  function changed(input) {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function newMap(box) {
    const config = JSON.parse(box.dataset.map);
    const map = L.map(box.querySelector(".admin-map-canvas")).setView(config.center, 8);
    L.tileLayer(config.tileUrl, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    return map;
  }

  function point(box, map) {
    const latitude = box.previousElementSibling; // the input the widget rendered just before its map
    // The longitude of the same form or formset row: its name differs only in the field's name.
    const suffix = new RegExp(box.dataset.latitudeField + "$");
    const longitude = latitude.form.elements.namedItem(latitude.name.replace(suffix, box.dataset.longitudeField));
    if (!longitude) {
      return;
    }
    let marker = null;
    function show() {
      const lat = number(latitude.value);
      const lon = number(longitude.value);
      if (lat === null || lon === null) {
        if (marker) {
          marker.remove();
          marker = null;
        }
        return;
      }
      if (!marker) {
        marker = L.marker([lat, lon], { draggable: true, keyboard: false }).addTo(map);
        marker.on("dragend", function () {
          set(marker.getLatLng());
        });
      } else {
        marker.setLatLng([lat, lon]);
      }
    }
    function set(latlng) {
      latitude.value = latlng.lat.toFixed(6);
      longitude.value = latlng.lng.toFixed(6);
      changed(latitude);
      changed(longitude);
      show();
    }
    map.on("click", function (event) {
      set(event.latlng);
    });
    latitude.addEventListener("input", show);
    longitude.addEventListener("input", show);
    show();
    if (marker) {
      map.setView(marker.getLatLng(), 14);
    }
  }

  function polygon(box, map) {
    const input = box.previousElementSibling;
    let corners = [];
    try {
      corners = (JSON.parse(input.value || "[]") || []).filter(function (corner) {
        return Array.isArray(corner) && corner.length === 2 && corner.every(Number.isFinite);
      });
    } catch (error) {
      corners = [];
    }
    const shape = L.polygon([], { weight: 2 }).addTo(map);
    const handles = L.layerGroup().addTo(map);
    function write() {
      input.value = JSON.stringify(corners.map(function (corner) {
        return [Number(corner[0].toFixed(6)), Number(corner[1].toFixed(6))];
      }));
      changed(input);
    }
    function draw() {
      shape.setLatLngs(corners);
      handles.clearLayers();
      corners.forEach(function (corner, index) {
        const handle = L.marker(corner, {
          draggable: true,
          keyboard: false,
          icon: L.divIcon({ className: "admin-map-corner", iconSize: [12, 12], html: "<span></span>" }),
        });
        handle.on("dragend", function () {
          const moved = handle.getLatLng();
          corners[index] = [moved.lat, moved.lng];
          write();
          draw();
        });
        handle.on("click", function () {
          corners.splice(index, 1);
          write();
          draw();
        });
        handles.addLayer(handle);
      });
    }
    map.on("click", function (event) {
      corners.push([event.latlng.lat, event.latlng.lng]);
      write();
      draw();
    });
    box.querySelector(".admin-map-clear").addEventListener("click", function () {
      corners = [];
      write();
      draw();
    });
    draw();
    if (corners.length) {
      map.fitBounds(shape.getBounds(), { maxZoom: 16 });
    }
  }

  function setUp(root) {
    root.querySelectorAll(".admin-map").forEach(function (box) {
      if (box.dataset.ready || box.closest(".empty-form")) {
        return; // an inline's hidden template row gets its map once it is added
      }
      box.dataset.ready = "1";
      const map = newMap(box);
      (box.dataset.kind === "polygon" ? polygon : point)(box, map);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUp(document);
  });
  document.addEventListener("formset:added", function (event) {
    setUp(event.target);
  });
})();
