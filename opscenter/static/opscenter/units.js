/*
 * Patrol units on the operator's console: the units panel (every unit of the scope by status, live), the
 * dispatch picker (available units nearest to the alert first, with distance and status; several may be
 * chosen) and, in the alert's panel, the units sent to it with their step and a "call back" button.
 *
 * It hears the console's feed through dashboard.js's hooks: "opscenter:message" (every socket message:
 * the snapshot's first part carries the units, then a "unit" message per change), "opscenter:detail"
 * (the alert shown in the panel) and "opscenter:resync" (a gap in the numbers: the units are read again
 * over REST). A unit's messages are applied newest `updated_at` first, so one seen twice does no harm.
 * The units with a position are also a layer of the console's map (map_layers.js's addOverlay), a marker
 * each with its call sign in its status's colour, moved and recoloured as the feed tells.
 */
(function () {
  "use strict";

  const stringsElement = document.getElementById("units-strings");
  const panel = document.getElementById("units-panel");
  if (!stringsElement || !panel) {
    return;
  }
  const strings = Object.assign({}, stringsElement.dataset);
  const canDispatch = strings.canDispatch === "true";
  const detailElement = document.getElementById("detail");
  const picker = detailElement ? detailElement.querySelector("form[data-unit-picker]") : null;
  const pickerSection = picker ? picker.closest("details") : null;
  const assigned = detailElement ? detailElement.querySelector("[data-field=assigned]") : null;
  const ORDER = { available: 0, en_route: 1, on_scene: 2, off_duty: 3 };

  /** id -> unit, as the server last said */
  const units = new Map();
  let shownAlert = null; // the alert in the detail panel
  let pickerRows = []; // [{id, distance_m}] in the server's order for the shown alert

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (_match, name) {
      return values[name] === undefined ? "" : values[name];
    });
  }

  function key(prefix, value) {
    const word = String(value).replace(/[^a-z0-9]/gi, "").toLowerCase();
    return prefix + word.charAt(0).toUpperCase() + word.slice(1);
  }

  function statusLabel(status) {
    return strings[key("status", status)] || status;
  }

  function distanceText(metres) {
    if (metres === null || metres === undefined) {
      return strings.noPosition;
    }
    return format(strings.km, { km: (metres / 1000).toFixed(metres < 10000 ? 1 : 0) });
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function toast(text, kind) {
    const toasts = document.getElementById("toasts");
    if (!toasts) {
      return;
    }
    const item = document.createElement("p");
    item.className = "toast toast-" + kind;
    item.textContent = text;
    toasts.appendChild(item);
    setTimeout(function () {
      item.remove();
    }, 5000);
  }

  function remember(unit) {
    const known = units.get(unit.id);
    if (known && known.updated_at && unit.updated_at && Date.parse(known.updated_at) > Date.parse(unit.updated_at)) {
      return false;
    }
    units.set(unit.id, unit);
    return true;
  }

  function badge(status) {
    const element = document.createElement("span");
    element.className = "unit-status";
    element.dataset.status = status;
    element.textContent = statusLabel(status);
    return element;
  }

  // ---------------------------------------------------------------- the panel

  function renderPanel() {
    const list = panel.querySelector("[data-part=list]");
    const sorted = Array.from(units.values()).sort(function (a, b) {
      return (ORDER[a.status] - ORDER[b.status]) || a.call_sign.localeCompare(b.call_sign);
    });
    const counts = {};
    const items = sorted.map(function (unit) {
      counts[unit.status] = (counts[unit.status] || 0) + 1;
      const item = document.createElement("li");
      item.className = "units-row";
      item.dataset.unitId = unit.id;
      item.dataset.status = unit.status;
      const name = document.createElement("span");
      name.className = "unit-call-sign";
      name.textContent = unit.call_sign;
      item.append(name, badge(unit.status));
      if (unit.assignment) {
        const on = document.createElement("span");
        on.className = "unit-on";
        on.textContent = format(strings.onAlert, { id: unit.assignment.alert_id });
        item.appendChild(on);
      }
      return item;
    });
    list.replaceChildren.apply(list, items);
    const countsElement = panel.querySelector("[data-part=counts]");
    countsElement.textContent = Object.keys(ORDER)
      .filter(function (status) {
        return counts[status];
      })
      .map(function (status) {
        return statusLabel(status) + " " + counts[status];
      })
      .join(" · ");
    panel.dataset.count = String(units.size);
  }

  // ---------------------------------------------------------------- the units sent to the shown alert

  function renderAssigned() {
    if (!assigned) {
      return;
    }
    const list = assigned.querySelector("[data-part=list]");
    const sent = shownAlert
      ? Array.from(units.values()).filter(function (unit) {
          return unit.assignment && unit.assignment.alert_id === shownAlert.id;
        })
      : [];
    sent.sort(function (a, b) {
      return a.call_sign.localeCompare(b.call_sign);
    });
    const items = sent.map(function (unit) {
      const item = document.createElement("li");
      item.className = "assigned-row";
      item.dataset.unitId = unit.id;
      item.dataset.step = unit.assignment.status;
      const name = document.createElement("span");
      name.className = "unit-call-sign";
      name.textContent = unit.call_sign;
      const step = document.createElement("span");
      step.className = "assignment-step";
      step.textContent = strings[key("assignment", unit.assignment.status)] || unit.assignment.status;
      item.append(name, badge(unit.status), step);
      if (canDispatch) {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "button-quiet";
        button.dataset.command = "call-back";
        button.dataset.assignmentId = unit.assignment.id;
        button.textContent = strings.callBack;
        item.appendChild(button);
      }
      return item;
    });
    list.replaceChildren.apply(list, items);
    assigned.hidden = !items.length;
  }

  if (assigned) {
    assigned.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-command=call-back]");
      if (!button) {
        return;
      }
      button.disabled = true;
      post(strings.clearApi + button.dataset.assignmentId + "/clear/").then(function (unit) {
        if (unit) {
          remember(unit);
          render();
          toast(strings.doneCallBack, "done");
        } else {
          button.disabled = false;
        }
      });
    });
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    })
      .then(function (response) {
        return response.json().then(function (payload) {
          if (!response.ok) {
            throw new Error(typeof payload.detail === "string" ? payload.detail : String(response.status));
          }
          return payload;
        });
      })
      .catch(function (error) {
        toast(format(strings.failed, { detail: error.message }), "error");
        return null;
      });
  }

  // ---------------------------------------------------------------- the dispatch picker

  function loadPicker() {
    if (!picker || !shownAlert) {
      return;
    }
    const alertId = shownAlert.id;
    fetch(strings.unitsApi + "?alert=" + encodeURIComponent(alertId), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (page) {
        if (!shownAlert || shownAlert.id !== alertId) {
          return;
        }
        pickerRows = page.results.map(function (unit) {
          remember(unit);
          return { id: unit.id, distance_m: unit.distance_m };
        });
        render();
        const first = picker.querySelector("input[type=checkbox]:not(:disabled)");
        if (first && pickerSection && pickerSection.open) {
          first.focus();
        }
      })
      .catch(function () {
        pickerRows = [];
        renderPicker();
      });
  }

  function renderPicker() {
    if (!picker) {
      return;
    }
    const list = picker.querySelector("[data-part=units]");
    const shown = pickerRows
      .filter(function (row) {
        return units.has(row.id);
      })
      .map(function (row) {
        return row.id + ":" + units.get(row.id).status + ":" + row.distance_m;
      })
      .join(",");
    if (list.dataset.shown === shown) {
      return; // nothing changed: the choices and the focus stay as they are
    }
    list.dataset.shown = shown;
    const focused = document.activeElement && list.contains(document.activeElement) ? document.activeElement.value : null;
    const checked = new Set(
      Array.from(list.querySelectorAll("input:checked")).map(function (input) {
        return Number(input.value);
      })
    );
    const items = pickerRows
      .filter(function (row) {
        return units.has(row.id);
      })
      .map(function (row) {
        const unit = units.get(row.id);
        const item = document.createElement("li");
        item.className = "picker-row";
        item.dataset.unitId = unit.id;
        item.dataset.status = unit.status;
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = "checkbox";
        input.name = "units";
        input.value = String(unit.id);
        input.disabled = unit.status !== "available";
        input.checked = !input.disabled && checked.has(unit.id);
        const name = document.createElement("span");
        name.className = "unit-call-sign";
        name.textContent = unit.call_sign;
        const distance = document.createElement("span");
        distance.className = "unit-distance";
        distance.textContent = distanceText(row.distance_m);
        label.append(input, name, badge(unit.status), distance);
        item.appendChild(label);
        return item;
      });
    list.replaceChildren.apply(list, items);
    picker.querySelector("[data-part=none]").hidden = items.length > 0;
    if (focused !== null) {
      const again = list.querySelector('input[value="' + focused + '"]');
      if (again && !again.disabled) {
        again.focus();
      }
    }
  }

  if (picker) {
    // dashboard.js posts what this returns (null: not yet), and resets the form once it was done.
    picker.buildBody = function () {
      const chosen = Array.from(picker.querySelectorAll("input[name=units]:checked")).map(function (input) {
        return Number(input.value);
      });
      if (!chosen.length) {
        toast(strings.choose, "error");
        return null;
      }
      return { units: chosen };
    };
  }
  if (pickerSection) {
    pickerSection.addEventListener("toggle", function () {
      if (pickerSection.open) {
        loadPicker();
      }
    });
  }

  // ---------------------------------------------------------------- the units on the map

  const hooks = window.OpscenterConsole || (window.OpscenterConsole = {});
  const markers = new Map(); // id -> {marker, look}
  let mapLayer = null;

  function markerLook(unit) {
    const on = unit.assignment ? " · " + format(strings.onAlert, { id: unit.assignment.alert_id }) : "";
    return { status: unit.status, title: unit.call_sign + " · " + statusLabel(unit.status) + on };
  }

  function markerIcon(unit) {
    const html = document.createElement("span");
    html.className = "unit-marker";
    html.dataset.unitId = unit.id;
    html.dataset.status = unit.status;
    html.textContent = unit.call_sign;
    return L.divIcon({ className: "unit-marker-icon", html: html.outerHTML, iconSize: null, iconAnchor: [0, 0] });
  }

  function renderMap() {
    if (typeof L === "undefined" || !hooks.addOverlay) {
      return;
    }
    if (!mapLayer) {
      mapLayer = L.layerGroup();
      hooks.addOverlay("units", strings.layerLabel, mapLayer);
    }
    const placed = new Set();
    units.forEach(function (unit) {
      if (unit.latitude === null || unit.longitude === null || unit.latitude === undefined) {
        return;
      }
      placed.add(unit.id);
      const look = markerLook(unit);
      const known = markers.get(unit.id);
      if (!known) {
        const marker = L.marker([unit.latitude, unit.longitude], {
          icon: markerIcon(unit),
          title: look.title,
          keyboard: false,
          zIndexOffset: 1000,
        });
        marker.addTo(mapLayer);
        markers.set(unit.id, { marker: marker, look: look });
        return;
      }
      known.marker.setLatLng([unit.latitude, unit.longitude]);
      if (known.look.status !== look.status || known.look.title !== look.title) {
        known.marker.options.title = look.title;
        known.marker.setIcon(markerIcon(unit));
        const element = known.marker.getElement();
        if (element) {
          element.title = look.title;
        }
        known.look = look;
      }
    });
    markers.forEach(function (known, id) {
      if (!placed.has(id)) {
        mapLayer.removeLayer(known.marker);
        markers.delete(id);
      }
    });
  }

  // ---------------------------------------------------------------- the feed

  function render() {
    renderPanel();
    renderAssigned();
    renderPicker();
    renderMap();
  }

  function reload() {
    fetch(strings.unitsApi, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (page) {
        if (!page) {
          return;
        }
        units.clear();
        page.results.forEach(remember);
        render();
      })
      .catch(function () {});
  }

  document.addEventListener("opscenter:message", function (event) {
    const message = event.detail;
    if (message.type === "snapshot" && Array.isArray(message.units)) {
      units.clear();
      message.units.forEach(remember);
      render();
    } else if (message.type === "unit" && message.unit) {
      if (remember(message.unit)) {
        render();
      }
    }
  });

  document.addEventListener("opscenter:resync", reload);

  document.addEventListener("opscenter:detail", function (event) {
    const alert = event.detail;
    const changed = !shownAlert || shownAlert.id !== alert.id;
    shownAlert = alert;
    if (changed) {
      pickerRows = [];
      if (pickerSection && pickerSection.open) {
        loadPicker();
      }
    }
    renderAssigned();
    renderPicker();
  });
})();
