/*
 * The operator's dashboard: the live list of open alerts, their map, the detail panel and the
 * lifecycle actions. Plain script, no build step.
 *
 * Built to stay responsive with tens of thousands of open alerts: every alert keeps its own entry and
 * marker (a Map from id to entry), changes are queued and applied once per animation frame, and the list
 * is windowed: only the rows in sight (and a few around) are in the document, each made when it first
 * comes into sight and updated in place; the rest of the list is the padding that keeps the scrollbar
 * true. One timer ages the rows in the document.
 */
(function () {
  "use strict";

  const root = document.getElementById("dashboard");
  if (!root) {
    return;
  }

  const strings = Object.assign({}, document.getElementById("dashboard-strings").dataset);
  const canAct = root.dataset.canAct === "true";
  const apiRoot = root.dataset.apiRoot;
  const mapConfig = JSON.parse(document.getElementById("map-config").textContent);
  const listElement = document.getElementById("alert-list");
  const emptyElement = document.getElementById("alert-list-empty");
  const countElement = document.getElementById("alert-count");
  const connectionElement = document.getElementById("connection");
  const detailElement = document.getElementById("detail");
  const timelineElement = document.getElementById("timeline");
  const rowTemplate = document.getElementById("alert-row-template").content.firstElementChild;
  const detailsSources = new Set((root.dataset.detailsSources || "").split(" ").filter(Boolean));
  // Hooks of the console's other scripts, loaded before this one (map_layers.js: the alerts' marker
  // layer; filters.js: which alerts are shown); `consoleHooks.dashboard` is what they may call back.
  const consoleHooks = window.OpscenterConsole || (window.OpscenterConsole = {});

  const RECONNECT_MIN_MS = 1000;
  const RECONNECT_MAX_MS = 30000;
  const PING_EVERY_MS = 20000;
  const SILENCE_LIMIT_MS = 50000;
  const BEEP_GAP_MS = 1500;
  const MAX_BANNERS = 5;

  /** id -> {id, data, raisedMs, updatedMs, row, parts, ageText, marker} */
  const alerts = new Map();
  /** id -> updatedMs of the change that closed it, so an older message cannot bring it back. */
  const closedAt = new Map();
  let order = [];
  let orderIsStale = false;
  let selectedId = null;
  let detailId = null;
  /** The details read for the open alert ({id, details}), shown until another alert is opened. */
  let shownDetails = null;
  /** What other scripts of the console (incidents.js) plug in: row(row, alert), detail(alert),
   * detailRead(alert with its timeline and pre-plan), message(message), snapshot(). */
  const hooks = {};

  // ---------------------------------------------------------------- helpers

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  /** Leaflet puts string tooltip content in as HTML: names and titles go in as text nodes instead. */
  function plainText(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span;
  }

  function setText(element, text) {
    if (element.textContent !== text) {
      element.textContent = text;
    }
  }

  function camel(prefix, value) {
    const word = String(value).replace(/[^a-z0-9]/gi, "").toLowerCase();
    return prefix + word.charAt(0).toUpperCase() + word.slice(1);
  }

  function statusLabel(status) {
    return strings[camel("status", status)] || status;
  }

  function severityLabel(severity) {
    return strings["severityP" + severity] || "P" + severity;
  }

  function dispositionLabel(disposition) {
    return strings[camel("disposition", disposition)] || disposition;
  }

  let dateFormat;
  try {
    dateFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      dateStyle: "short",
      timeStyle: "medium",
      timeZone: root.dataset.timeZone || undefined,
    });
  } catch (error) {
    dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "medium" });
  }

  let clockTime;
  try {
    clockTime = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZone: root.dataset.timeZone || undefined,
    });
  } catch (error) {
    clockTime = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  }

  function formatTime(iso) {
    return iso ? dateFormat.format(new Date(iso)) : "";
  }

  function twoDigits(number) {
    return number < 10 ? "0" + number : String(number);
  }

  function formatAge(milliseconds) {
    const seconds = Math.max(0, Math.floor(milliseconds / 1000));
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = seconds % 60;
    return hours ? hours + ":" + twoDigits(minutes) + ":" + twoDigits(rest) : minutes + ":" + twoDigits(rest);
  }

  function statusText(alert) {
    if (alert.status === "acknowledged") {
      return format(strings.acknowledgedBy, { user: alert.acknowledged_by_name || alert.acknowledged_by || strings.system });
    }
    if (alert.status === "dispatched") {
      return format(strings.dispatchedUnit, {
        unit: alert.dispatch_unit,
        user: alert.dispatched_by_name || alert.dispatched_by || strings.system,
      });
    }
    if (alert.status === "resolved") {
      return format(strings.resolvedBy, {
        disposition: dispositionLabel(alert.disposition),
        user: alert.resolved_by_name || alert.resolved_by || strings.system,
      });
    }
    return statusLabel(alert.status);
  }

  function placeText(alert) {
    return [alert.district_name || alert.center_name, alert.address].filter(Boolean).join(" · ");
  }

  function severityColour(severity) {
    const value = getComputedStyle(document.documentElement).getPropertyValue("--severity-" + severity).trim();
    return value || "#777";
  }
  const colours = { 1: severityColour(1), 2: severityColour(2), 3: severityColour(3), 4: severityColour(4) };

  function isTyping(target) {
    return Boolean(
      target && target.closest && (target.isContentEditable || target.closest("input, textarea, select, [contenteditable]"))
    );
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // ---------------------------------------------------------------- toasts, banners, sound

  const toastsElement = document.getElementById("toasts");

  function toast(message, kind) {
    const element = document.createElement("p");
    element.className = "toast" + (kind ? " toast-" + kind : "");
    element.textContent = message;
    toastsElement.appendChild(element);
    setTimeout(function () {
      element.remove();
    }, 5000);
  }

  const bannersElement = document.getElementById("banners");

  function showBanner(message, alertId) {
    const banner = document.createElement("div");
    banner.className = "banner";
    banner.setAttribute("role", "alert");
    banner.dataset.alertId = alertId;
    const text = document.createElement("span");
    text.className = "banner-text";
    text.textContent = message;
    banner.appendChild(text);
    if (alerts.has(alertId)) {
      const show = document.createElement("button");
      show.type = "button";
      show.className = "button-quiet";
      show.textContent = strings.show;
      show.addEventListener("click", function () {
        select(alertId, { open: true });
      });
      banner.appendChild(show);
    }
    const close = document.createElement("button");
    close.type = "button";
    close.className = "button-quiet";
    close.setAttribute("aria-label", strings.close);
    close.textContent = "×";
    close.addEventListener("click", function () {
      banner.remove();
    });
    banner.appendChild(close);
    bannersElement.prepend(banner);
    while (bannersElement.children.length > MAX_BANNERS) {
      bannersElement.lastElementChild.remove();
    }
  }

  const soundToggle = document.getElementById("sound-toggle");
  let soundOn = true;
  try {
    soundOn = localStorage.getItem("opscenter.sound") !== "off";
  } catch (error) {
    // Storage may be unavailable (private mode); sound stays on.
  }
  let audioContext = null;
  let lastBeepAt = 0;

  function renderSoundToggle() {
    soundToggle.setAttribute("aria-pressed", soundOn ? "true" : "false");
    soundToggle.textContent = soundOn ? strings.soundOn : strings.soundOff;
  }

  function unlockAudio() {
    // Browsers only let audio start after a gesture: the shift's first click (the prompt's) unlocks it.
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) {
      return null;
    }
    if (!audioContext) {
      audioContext = new AudioContextClass();
    }
    if (audioContext.state === "suspended") {
      audioContext.resume().catch(function () {});
    }
    return audioContext;
  }

  /** P1: three high square beeps; P2: two lower, softer sine tones. Distinct by ear, at a glance away. */
  const TONES = {
    1: { type: "square", frequency: 880, count: 3, gap: 0.22, length: 0.15, volume: 0.2 },
    2: { type: "sine", frequency: 523, count: 2, gap: 0.35, length: 0.25, volume: 0.25 },
  };

  function beep(severity) {
    const tone = TONES[severity || 1];
    const now = Date.now();
    if (!tone || !soundOn || !audioContext || now - lastBeepAt < BEEP_GAP_MS) {
      return;
    }
    lastBeepAt = now;
    const start = audioContext.currentTime;
    for (let index = 0; index < tone.count; index += 1) {
      const oscillator = audioContext.createOscillator();
      const gain = audioContext.createGain();
      oscillator.type = tone.type;
      oscillator.frequency.value = tone.frequency;
      const at = start + index * tone.gap;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(tone.volume, at + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + tone.length);
      oscillator.connect(gain).connect(audioContext.destination);
      oscillator.start(at);
      oscillator.stop(at + tone.length + 0.01);
    }
  }

  // A P1 nobody has acknowledged sounds again every P1_REPEAT_MS until someone does.
  const P1_REPEAT_MS = 4000;
  setInterval(function () {
    if (!liveNow) {
      return;
    }
    for (const entry of alerts.values()) {
      if (entry.data.severity === 1 && entry.data.status === "new") {
        beep(1);
        return;
      }
    }
  }, P1_REPEAT_MS);

  // ---- the start of the shift: one click turns the sound on (and offers desktop notifications)

  const shiftPrompt = document.getElementById("shift-start");

  function notificationsOffered() {
    return "Notification" in window && Notification.permission === "default";
  }

  function renderShiftPrompt() {
    const soundReady = audioContext && audioContext.state === "running";
    shiftPrompt.hidden = Boolean(soundReady) && !notificationsOffered();
    shiftPrompt.querySelector("[data-command=notifications]").hidden = !notificationsOffered();
    shiftPrompt.querySelector("[data-command=sound]").hidden = Boolean(soundReady);
    root.dataset.sound = soundReady ? "ready" : "locked";
  }

  shiftPrompt.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-command]");
    if (!button) {
      return;
    }
    if (button.dataset.command === "sound") {
      const context = unlockAudio();
      if (!soundOn) {
        soundOn = true;
        renderSoundToggle();
      }
      const ready = context ? context.resume() : Promise.resolve();
      ready.then(renderShiftPrompt, renderShiftPrompt);
    } else if (button.dataset.command === "notifications") {
      Notification.requestPermission().then(renderShiftPrompt, renderShiftPrompt);
    } else if (button.dataset.command === "dismiss") {
      shiftPrompt.hidden = true;
    }
  });

  /** A desktop notification for a new P1 or P2, when the page is out of sight and the operator allowed it. */
  function notifyDesktop(alert) {
    if (!("Notification" in window) || Notification.permission !== "granted" || !document.hidden) {
      return;
    }
    try {
      const notice = new Notification(severityLabel(alert.severity) + ": " + alert.title, {
        body: placeText(alert),
        tag: "alert-" + alert.id,
      });
      notice.onclick = function () {
        window.focus();
        select(alert.id, { open: true });
      };
    } catch (error) {
      // Some browsers allow notifications only from a service worker: the sound and the title remain.
    }
  }

  // ---- the tab's title counts what is new (nobody has acknowledged), so it shows from another tab

  const baseTitle = document.title;

  function renderTitle() {
    let fresh = 0;
    for (const entry of alerts.values()) {
      if (entry.data.status === "new") {
        fresh += 1;
      }
    }
    const title = fresh ? "(" + fresh + ") " + baseTitle : baseTitle;
    if (document.title !== title) {
      document.title = title;
    }
  }

  soundToggle.addEventListener("click", function () {
    soundOn = !soundOn;
    try {
      localStorage.setItem("opscenter.sound", soundOn ? "on" : "off");
    } catch (error) {
      // Not remembered; the toggle still works for this page.
    }
    renderSoundToggle();
  });
  document.addEventListener("pointerdown", function () {
    unlockAudio();
    setTimeout(renderShiftPrompt, 100);
  }, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  renderSoundToggle();
  renderShiftPrompt();

  // ---------------------------------------------------------------- map

  const mapElement = document.getElementById("map");
  let map = null;
  let markerLayer = null;
  let contextLayer = null; // the zones and track of the selected alert's details, once read
  let contextRenderer = null;
  let renderer = null;

  if (window.L && mapElement) {
    try {
      renderer = L.canvas({ padding: 0.5 });
      map = L.map(mapElement, { preferCanvas: true, renderer: renderer }).setView(mapConfig.center, mapConfig.zoom || 7);
      if (mapConfig.tileUrl) {
        const tiles = L.tileLayer(mapConfig.tileUrl, { attribution: mapConfig.attribution, maxZoom: 18 });
        let tileFailures = 0;
        tiles.on("tileerror", function () {
          tileFailures += 1;
          if (tileFailures === 4) {
            document.getElementById("map-notice").hidden = false;
          }
        });
        tiles.on("tileload", function () {
          tileFailures = 0;
          document.getElementById("map-notice").hidden = true;
        });
        tiles.addTo(map);
      }
      markerLayer = (consoleHooks.alertLayer ? consoleHooks.alertLayer(map) : L.layerGroup()).addTo(map);
      contextLayer = L.layerGroup().addTo(map);
      contextRenderer = L.svg({ padding: 0.5 }); // a few shapes: SVG, so they can be styled and found
    } catch (error) {
      // Without a map the list still works: that is what the operator needs most.
      console.warn("The map could not start.", error);
      map = null;
    }
  }

  function markerStyle(entry) {
    const selected = entry.id === selectedId;
    const severity = entry.data.severity;
    return {
      renderer: renderer,
      radius: (severity === 1 ? 9 : 7) + (selected ? 4 : 0),
      color: selected ? "#111" : "#fff",
      weight: selected ? 3 : 1,
      fillColor: colours[severity] || colours[4],
      fillOpacity: entry.data.status === "new" ? 0.95 : 0.55,
    };
  }

  function renderMarker(entry, previous) {
    if (!map) {
      return;
    }
    const alert = entry.data;
    const placed = typeof alert.latitude === "number" && typeof alert.longitude === "number";
    if (!placed) {
      if (entry.marker) {
        markerLayer.removeLayer(entry.marker);
        entry.marker = null;
      }
      return;
    }
    if (!entry.marker) {
      entry.marker = L.circleMarker([alert.latitude, alert.longitude], markerStyle(entry));
      entry.marker.bindTooltip(plainText(alert.title));
      entry.marker.on("click", function () {
        select(entry.id, { open: true, scroll: true });
      });
      if (shown(entry)) {
        markerLayer.addLayer(entry.marker);
      }
      return;
    }
    if (!previous || previous.latitude !== alert.latitude || previous.longitude !== alert.longitude) {
      entry.marker.setLatLng([alert.latitude, alert.longitude]);
    }
    if (!previous || previous.title !== alert.title) {
      entry.marker.setTooltipContent(plainText(alert.title));
    }
    entry.marker.setStyle(markerStyle(entry));
  }

  /** Whether the filters (filters.js) show the alert, in the list and on the map. */
  function shown(entry) {
    return !consoleHooks.shows || consoleHooks.shows(entry.data);
  }

  // ---------------------------------------------------------------- the list

  function createRow(entry) {
    const row = rowTemplate.cloneNode(true);
    row.id = "alert-" + entry.id;
    row.dataset.alertId = entry.id;
    entry.row = row;
    entry.parts = {
      severity: row.querySelector(".severity-badge"),
      title: row.querySelector(".row-title"),
      age: row.querySelector(".row-age"),
      place: row.querySelector(".row-place"),
      status: row.querySelector(".row-status"),
    };
    entry.ageText = "";
  }

  function renderRow(entry) {
    const alert = entry.data;
    const row = entry.row;
    if (!row) {
      return; // not in sight: made and rendered when it comes into the window
    }
    const parts = entry.parts;
    row.dataset.severity = alert.severity;
    row.dataset.status = alert.status;
    row.classList.toggle("escalated", alert.escalation_level > 0);
    setText(parts.severity, "P" + alert.severity);
    parts.severity.title = severityLabel(alert.severity);
    setText(parts.title, alert.title + (alert.repeat_count ? " " + format(strings.repeats, { count: alert.repeat_count + 1 }) : ""));
    setText(parts.place, placeText(alert));
    setText(parts.status, statusText(alert));
    renderAge(entry, ageClock());
    if (hooks.row) {
      hooks.row(row, alert);
    }
  }

  function renderAge(entry, now) {
    const text = formatAge(now - entry.raisedMs);
    if (text !== entry.ageText) {
      entry.ageText = text;
      entry.parts.age.textContent = text;
    }
  }

  /** An escalated alert nobody has acknowledged yet goes before everything else. */
  function waitingEscalated(entry) {
    return entry.data.escalation_level > 0 && entry.data.status === "new" ? 0 : 1;
  }

  /** The queue's order, as the server's (opscenter.selectors.QUEUE_ORDER): escalated and waiting
   * first, then the most severe, then the oldest. */
  function compareEntries(left, right) {
    return (
      waitingEscalated(left) - waitingEscalated(right) ||
      left.data.severity - right.data.severity ||
      left.raisedMs - right.raisedMs ||
      left.id - right.id
    );
  }

  /** Sort the queue, then show the window of it that is in sight. */
  function reorder() {
    const sorted = Array.from(alerts.values()).filter(shown).sort(compareEntries);
    order = sorted.map(function (entry) {
      return entry.id;
    });
    orderIsStale = false;
    renderWindow();
    if (consoleHooks.listed) {
      consoleHooks.listed(order.length, alerts.size);
    }
  }

  // ---------------------------------------------------------------- the window of the list in sight

  const WINDOW_OVERSCAN = 8;
  let rowHeight = 0;

  /** Stand-ins for the rows above and below the window (a scroll container's own padding would
   * make the list as tall as all its rows: a flex item cannot be smaller than its padding). */
  function spacer(name) {
    const item = document.createElement("li");
    item.className = "list-spacer list-spacer-" + name;
    item.setAttribute("role", "none");
    item.setAttribute("aria-hidden", "true");
    return item;
  }
  const topSpacer = spacer("top");
  const bottomSpacer = spacer("bottom");
  listElement.replaceChildren(topSpacer, bottomSpacer);

  function firstRow() {
    const node = topSpacer.nextElementSibling;
    return node === bottomSpacer ? null : node;
  }

  function measureRowHeight(row) {
    if (!rowHeight && row && row.offsetHeight) {
      rowHeight = row.offsetHeight;
    }
    return rowHeight || 52;
  }

  /** The rows from `first` to `last` (indexes into `order`) that are in sight, give or take a few. */
  function windowRange(height) {
    const box = listElement.getBoundingClientRect();
    // The list scrolls itself (desktop, phone); should the page scroll it instead, the viewport counts.
    const hiddenAbove = Math.max(0, -box.top);
    const top = listElement.scrollTop + hiddenAbove;
    const seen = Math.max(0, Math.min(listElement.clientHeight, window.innerHeight - Math.max(0, box.top)));
    const first = Math.max(0, Math.floor(top / height) - WINDOW_OVERSCAN);
    const last = Math.min(order.length - 1, Math.ceil((top + seen) / height) + WINDOW_OVERSCAN);
    return { first: first, last: last };
  }

  let windowedIds = [];

  /** Make the document hold exactly the rows of the window, in order, between paddings for the rest. */
  function renderWindow() {
    let height = measureRowHeight(firstRow());
    let range = windowRange(height);
    const wanted = [];
    for (let index = range.first; index <= range.last; index += 1) {
      const entry = alerts.get(order[index]);
      if (!entry) {
        continue;
      }
      if (!entry.row) {
        createRow(entry);
        renderRow(entry);
        if (entry.id === selectedId) {
          selectionRenderedFor = null; // the new row gets the selection's marks
        }
      }
      wanted.push(entry.row);
    }
    let node = topSpacer.nextElementSibling;
    for (const row of wanted) {
      if (row === node) {
        node = node.nextElementSibling;
      } else {
        listElement.insertBefore(row, node);
      }
    }
    while (node && node !== bottomSpacer) {
      const next = node.nextElementSibling;
      node.remove();
      node = next;
    }
    if (!rowHeight && wanted.length) {
      height = measureRowHeight(wanted[0]);
      range = windowRange(height);
    }
    topSpacer.style.height = range.first * height + "px";
    bottomSpacer.style.height = Math.max(0, order.length - 1 - range.last) * height + "px";
    windowedIds = wanted.map(function (row) {
      return Number(row.dataset.alertId);
    });
    root.dataset.rowsRendered = String(wanted.length);
    if (selectedId !== null) {
      renderSelection();
    }
  }

  let windowFrame = null;

  function scheduleWindow() {
    if (windowFrame === null) {
      windowFrame = requestAnimationFrame(function () {
        windowFrame = null;
        renderWindow();
      });
    }
  }

  listElement.addEventListener("scroll", scheduleWindow, { passive: true });
  window.addEventListener("scroll", scheduleWindow, { passive: true });
  window.addEventListener("resize", function () {
    rowHeight = 0; // a phone's rows are taller: measured again
    scheduleWindow();
  });

  /** Scroll the list so that the row at `index` is in sight, and show it. */
  function scrollToIndex(index) {
    const height = measureRowHeight(firstRow());
    const top = index * height;
    if (top < listElement.scrollTop) {
      listElement.scrollTop = top;
    } else if (top + height > listElement.scrollTop + listElement.clientHeight) {
      listElement.scrollTop = top + height - listElement.clientHeight;
    }
    renderWindow();
  }

  function removeEntry(id) {
    const entry = alerts.get(id);
    if (!entry) {
      return;
    }
    if (entry.row) {
      entry.row.remove();
    }
    if (entry.marker) {
      markerLayer.removeLayer(entry.marker);
    }
    alerts.delete(id);
    orderIsStale = true;
    if (selectedId === id) {
      selectedId = null;
    }
  }

  /** Apply one version of an alert, unless a newer one is already shown. */
  function upsert(alert) {
    const id = alert.id;
    const updatedMs = Date.parse(alert.updated_at);
    const entry = alerts.get(id);
    if (entry && updatedMs < entry.updatedMs) {
      return;
    }
    const closed = closedAt.get(id);
    if (closed !== undefined && updatedMs <= closed) {
      return;
    }
    if (id === detailId) {
      renderDetail(alert);
      if (!entry || updatedMs > entry.updatedMs) {
        scheduleTimeline(id);
      }
    }
    if (alert.status === "resolved") {
      closedAt.set(id, updatedMs);
      removeEntry(id);
      return;
    }
    if (!entry) {
      const created = { id: id, data: alert, raisedMs: Date.parse(alert.raised_at), updatedMs: updatedMs, marker: null };
      created.row = null; // made when it comes into the window
      alerts.set(id, created);
      renderMarker(created, null);
      orderIsStale = true;
      return;
    }
    const previous = entry.data;
    entry.data = alert;
    entry.updatedMs = updatedMs;
    entry.raisedMs = Date.parse(alert.raised_at);
    if (
      previous.severity !== alert.severity ||
      previous.raised_at !== alert.raised_at ||
      previous.escalation_level !== alert.escalation_level ||
      previous.status !== alert.status
    ) {
      orderIsStale = true;
    }
    renderRow(entry);
    renderMarker(entry, previous);
  }

  /**
   * Make the list what `list` says is open. The socket's snapshot is the whole truth as of its moment;
   * a REST resync (`keep` given) was read while messages kept coming: the alerts those changed stay as
   * they say, and alerts seen closed stay closed.
   */
  function applySnapshot(list, keep) {
    if (!keep) {
      closedAt.clear();
    }
    const seen = new Set();
    for (const alert of list) {
      seen.add(alert.id);
      upsert(alert);
    }
    for (const id of Array.from(alerts.keys())) {
      if (!seen.has(id) && !(keep && keep.has(id))) {
        removeEntry(id);
      }
    }
  }

  /** Take every trace of alerts off the screen: the socket was closed for good (4401, 4403). */
  function clearScreen() {
    assembling = null;
    pendingSnapshot = null;
    pendingResync = null;
    pendingAlerts = [];
    resyncing = null;
    resetCursors({});
    closeDetail();
    for (const id of Array.from(alerts.keys())) {
      removeEntry(id);
    }
    closedAt.clear();
    reorder();
    bannersElement.replaceChildren();
    setText(countElement, "0");
    emptyElement.hidden = false;
  }

  // Changes arrive one message at a time; they are applied together once per frame. A timeout backs
  // the frame up, since hidden tabs get no frames and the list must be current when the operator looks.
  let pendingSnapshot = null;
  let pendingResync = null; // {alerts, keep}: the open alerts read over REST after a gap
  let pendingAlerts = [];
  let flushScheduled = false;

  function scheduleFlush() {
    if (flushScheduled) {
      return;
    }
    flushScheduled = true;
    requestAnimationFrame(flush);
    setTimeout(flush, 250);
  }

  function flush() {
    if (!flushScheduled) {
      return;
    }
    flushScheduled = false;
    if (pendingSnapshot) {
      applySnapshot(pendingSnapshot);
      pendingSnapshot = null;
    }
    if (pendingResync) {
      applySnapshot(pendingResync.alerts, pendingResync.keep);
      pendingResync = null;
    }
    const batch = pendingAlerts;
    pendingAlerts = [];
    for (const alert of batch) {
      if (alert.removed) {
        removeMoved(alert.id, alert.updatedMs);
      } else {
        upsert(alert);
      }
    }
    if (orderIsStale) {
      reorder();
    }
    setText(countElement, String(alerts.size));
    root.dataset.count = String(alerts.size);
    renderTitle();
    emptyElement.hidden = alerts.size > 0;
    if (selectedId !== null) {
      renderSelection();
    }
  }

  /** An alert moved out of this screen's scope (another center took it): gone, unless newer news came. */
  function removeMoved(id, updatedMs) {
    const entry = alerts.get(id);
    if (entry && entry.updatedMs > updatedMs) {
      return;
    }
    closedAt.set(id, updatedMs);
    removeEntry(id);
    if (detailId === id) {
      closeDetail();
    }
  }

  function enqueue(alert) {
    if (assembling) {
      assembling.held.push(alert); // applied after the snapshot being received, never before it
      return;
    }
    pendingAlerts.push(alert);
    scheduleFlush();
  }

  /** The moment ages are counted to: now while the feed is live, the last true moment while it is down. */
  function ageClock() {
    return liveNow || freshAt === null ? Date.now() : freshAt;
  }

  function refreshAges() {
    const now = ageClock();
    windowedIds.forEach(function (id) {
      const entry = alerts.get(id);
      if (entry && entry.row) {
        renderAge(entry, now);
      }
    });
  }

  setInterval(function () {
    if (liveNow) {
      refreshAges();
    }
  }, 1000);

  // ---------------------------------------------------------------- selection and detail

  let selectionRenderedFor = null;

  function renderSelection() {
    if (selectionRenderedFor !== null && selectionRenderedFor !== selectedId) {
      const old = alerts.get(selectionRenderedFor);
      if (old && old.row) {
        old.row.classList.remove("selected");
        old.row.setAttribute("aria-selected", "false");
      }
      if (old) {
        if (old.marker) {
          old.marker.setStyle(markerStyle(old));
        }
      }
    }
    selectionRenderedFor = selectedId;
    const entry = selectedId === null ? null : alerts.get(selectedId);
    if (!entry || !entry.row || !entry.row.isConnected) {
      listElement.removeAttribute("aria-activedescendant");
      if (!entry) {
        return;
      }
    } else {
      entry.row.classList.add("selected");
      entry.row.setAttribute("aria-selected", "true");
      listElement.setAttribute("aria-activedescendant", entry.row.id);
    }
    if (entry.marker) {
      entry.marker.setStyle(markerStyle(entry));
      entry.marker.bringToFront();
    }
  }

  function select(id, options) {
    const entry = alerts.get(id);
    if (!entry) {
      return;
    }
    selectedId = id;
    renderSelection();
    if (!options || options.scroll !== false) {
      if (orderIsStale) {
        reorder();
      }
      scrollToIndex(order.indexOf(id));
      if (entry.row) {
        entry.row.scrollIntoView({ block: "nearest" });
      }
    }
    if ((options && options.open) || detailId !== null) {
      openDetail(id);
    } else {
      revealMarker(entry);
    }
  }

  /** Keep the marker in sight, and out from under the detail panel where the panel covers the map. */
  function revealMarker(entry) {
    if (!map || !entry.marker) {
      return;
    }
    const covered = detailId !== null && getComputedStyle(detailElement).position === "absolute";
    const right = covered ? detailElement.offsetWidth + 24 : 24;
    map.panInside(entry.marker.getLatLng(), { paddingTopLeft: [24, 24], paddingBottomRight: [right, 24] });
  }

  function move(step) {
    if (orderIsStale) {
      reorder();
    }
    if (!order.length) {
      return;
    }
    const index = selectedId === null ? -1 : order.indexOf(selectedId);
    let next;
    if (index === -1) {
      next = step > 0 ? 0 : order.length - 1;
    } else {
      next = Math.min(order.length - 1, Math.max(0, index + step));
    }
    select(order[next], { scroll: true });
  }

  const detailFields = {};
  detailElement.querySelectorAll("[data-field]").forEach(function (element) {
    detailFields[element.dataset.field] = element;
  });
  const acknowledgeButton = detailElement.querySelector("[data-command=acknowledge]");
  const dispatchSection = detailElement.querySelector("details[data-command=dispatch]");
  const resolveSection = detailElement.querySelector("details[data-command=resolve]");
  const detailsSection = detailFields.details || null;
  const detailsButton = detailsSection ? detailsSection.querySelector("[data-command=details]") : null;
  const detailsForm = detailsSection ? detailsSection.querySelector("form[data-details-form]") : null;
  const detailsFacts = detailsSection ? detailsSection.querySelector("[data-part=facts]") : null;

  function renderDetail(alert) {
    document.dispatchEvent(new CustomEvent("opscenter:detail", { detail: alert }));
    detailElement.dataset.alertId = alert.id;
    detailElement.dataset.status = alert.status;
    detailElement.dataset.severity = alert.severity;
    setText(detailFields.severity, "P" + alert.severity);
    detailFields.severity.title = severityLabel(alert.severity);
    setText(detailFields.title, alert.title);
    setText(detailFields.status, statusText(alert) + (alert.escalation_level ? " · " + strings.escalatedShort : ""));
    setText(detailFields.center, alert.center_name || "");
    setText(detailFields.district, alert.district_name || "");
    setText(detailFields.address, alert.address || "");
    setText(detailFields.raised, formatTime(alert.raised_at));
    setText(detailFields.source, [alert.source, alert.kind].filter(Boolean).join(" / "));
    setText(detailFields.repeats, String(alert.repeat_count || 0));
    const details = shownDetails && shownDetails.id === alert.id ? shownDetails.details : null;
    renderCard(alert.payload || {}, details);
    renderContext(details || {});
    if (detailsSection) {
      detailsSection.hidden = !detailsSources.has(alert.source);
    }
    const open = alert.status !== "resolved";
    if (acknowledgeButton) {
      acknowledgeButton.hidden = alert.status !== "new";
    }
    if (dispatchSection) {
      dispatchSection.hidden = !open;
    }
    if (resolveSection) {
      resolveSection.hidden = !open;
    }
    if (hooks.detail) {
      hooks.detail(alert);
    }
  }

  /**
   * What the raising app put in the payload for the operator (see Alert's docstring): a caution shown
   * before anything else, the card of the object or person concerned, and a link to its page.
   */
  function renderCard(payload, details) {
    const caution = detailFields.caution;
    setText(caution, payload.caution || "");
    caution.hidden = !payload.caution;
    const card = detailFields.card;
    const fromPayload = payload.object || payload.person || null;
    const fromDetails = (details && details.card) || null;
    const subject = fromPayload || fromDetails ? Object.assign({}, fromPayload, fromDetails) : null;
    const link = payload.link || (subject && subject.card_url ? { url: subject.card_url, label: strings.openCard } : null);
    card.hidden = !subject && !link;
    const part = function (name) {
      return card.querySelector("[data-part=" + name + "]");
    };
    const about = subject || {};
    setText(part("name"), about.name || "");
    setText(part("kind"), about.kind_label || about.kind || "");
    setText(part("address"), about.address || "");
    setText(part("notes"), about.notes || "");
    const contacts = (about.contacts || []).map(function (contact) {
      const item = document.createElement("li");
      const who = [contact.name, contact.role].filter(Boolean).join(", ");
      item.textContent = who && contact.phone ? who + ": " : who;
      if (contact.phone) {
        const phone = document.createElement("a");
        phone.href = "tel:" + contact.phone;
        phone.textContent = contact.phone;
        item.appendChild(phone);
      }
      return item;
    });
    part("contacts").replaceChildren.apply(part("contacts"), contacts);
    const anchor = part("link");
    anchor.hidden = !link;
    if (link) {
      anchor.href = link.url;
      anchor.textContent = link.label || link.url;
    }
  }

  function openDetail(id) {
    const entry = alerts.get(id);
    if (!entry) {
      return;
    }
    const changed = detailId !== id;
    detailId = id;
    if (changed) {
      resetDetails();
    }
    renderDetail(entry.data);
    if (changed) {
      const note = detailElement.querySelector("[data-field=movedOn]");
      if (note) {
        note.hidden = true;
        note.textContent = "";
      }
      timelineElement.replaceChildren();
      detailElement.querySelectorAll("details.action").forEach(function (section) {
        section.open = false;
      });
    }
    detailElement.hidden = false;
    revealMarker(entry);
    loadTimeline(id);
  }

  /** The zones (circle or polygon; exclusion in red) and the last positions of the details read. */
  function renderContext(payload) {
    if (!contextLayer) {
      return;
    }
    contextLayer.clearLayers();
    (payload.zones || []).forEach(function (zone) {
      const exclusion = zone.kind === "exclusion";
      const style = {
        color: exclusion ? "#b00020" : "#1f6feb",
        weight: 2,
        fillOpacity: 0.08,
        renderer: contextRenderer,
        className: exclusion ? "context-zone context-exclusion" : "context-zone context-inclusion",
      };
      let shape = null;
      if (zone.shape === "circle" && zone.center && zone.radius_m) {
        shape = L.circle(zone.center, Object.assign({ radius: zone.radius_m }, style));
      } else if (zone.shape === "polygon" && zone.polygon && zone.polygon.length > 2) {
        shape = L.polygon(zone.polygon, style);
      }
      if (shape) {
        shape.bindTooltip(plainText(zone.name || ""));
        contextLayer.addLayer(shape);
      }
    });
    const track = (payload.positions || [])
      .filter(function (point) {
        return typeof point.latitude === "number" && typeof point.longitude === "number";
      })
      .map(function (point) {
        return [point.latitude, point.longitude];
      });
    if (track.length > 1) {
      const line = { color: "#8250df", weight: 3, dashArray: "4 4", renderer: contextRenderer, className: "context-track" };
      contextLayer.addLayer(L.polyline(track, line));
    }
    track.forEach(function (point) {
      const fix = { radius: 3, color: "#8250df", renderer: contextRenderer, className: "context-fix" };
      contextLayer.addLayer(L.circleMarker(point, fix));
    });
  }

  // ---------------------------------------------------------------- details (personal data, audited)


  /** Forget what was shown: the reason field is emptied, never kept for the next alert. */
  function resetDetails() {
    shownDetails = null;
    if (!detailsSection) {
      return;
    }
    detailsForm.reset();
    detailsForm.hidden = true;
    detailsButton.hidden = false;
    detailsFacts.replaceChildren();
    detailsFacts.hidden = true;
  }

  function renderFacts(details) {
    const items = [];
    (details.facts || []).forEach(function (fact) {
      const term = document.createElement("dt");
      term.textContent = fact[0];
      const value = document.createElement("dd");
      value.textContent = fact[1];
      items.push(term, value);
    });
    detailsFacts.replaceChildren.apply(detailsFacts, items);
    detailsFacts.hidden = items.length === 0;
  }

  function readDetails(id, reason) {
    return fetch(apiRoot + id + "/details/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ reason: reason }),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (payload) {
          if (detailId !== id) {
            return;
          }
          if (response.ok) {
            const details = payload.details;
            detailsForm.reset();
            detailsForm.hidden = true;
            detailsButton.hidden = true;
            if (!details) {
              toast(strings.noDetails);
              return;
            }
            shownDetails = { id: id, details: details };
            renderFacts(details);
            const entry = alerts.get(id);
            if (entry) {
              renderDetail(entry.data);
            }
          } else if (payload.code === "reason_required") {
            detailsButton.hidden = true;
            detailsForm.hidden = false;
            detailsForm.querySelector("input[name=reason]").focus();
          } else {
            toast(typeof payload.detail === "string" ? format(strings.failed, { detail: payload.detail }) : strings.failedUnknown, "error");
          }
        });
    });
  }

  if (detailsSection) {
    detailsButton.addEventListener("click", function () {
      if (detailId !== null) {
        readDetails(detailId, "");
      }
    });
    detailsForm.addEventListener("submit", function (event) {
      event.preventDefault();
      event.stopPropagation();
      const reason = detailsForm.querySelector("input[name=reason]").value.trim();
      if (detailId !== null && reason) {
        readDetails(detailId, reason);
      }
    });
  }

  function closeDetail() {
    if (detailId === null) {
      return;
    }
    if (contextLayer) {
      contextLayer.clearLayers();
    }
    resetDetails();
    detailId = null;
    detailElement.hidden = true;
    listElement.focus({ preventScroll: true });
  }

  let timelineRequest = null;
  let timelineTimer = null;

  function scheduleTimeline(id) {
    clearTimeout(timelineTimer);
    timelineTimer = setTimeout(function () {
      if (detailId === id) {
        loadTimeline(id);
      }
    }, 300);
  }

  function eventText(event) {
    // The timeline names people in full (actor_name), the list in short.
    const parts = [strings[camel("action", event.action)] || event.action, event.actor_name || event.actor || strings.system];
    const data = event.data || {};
    if (data.unit) {
      parts.push(data.unit);
    }
    if (data.units) {
      parts.push(data.units.join(", "));
    }
    if (data.disposition) {
      parts.push(dispositionLabel(data.disposition));
    }
    if (data.level) {
      parts.push(format(strings.escalated, { level: data.level, title: (data.to || []).join(", ") }));
    }
    return parts.join(" · ");
  }

  function loadTimeline(id) {
    if (timelineRequest) {
      timelineRequest.abort();
    }
    const request = new AbortController();
    timelineRequest = request;
    fetch(apiRoot + id + "/", { credentials: "same-origin", headers: { Accept: "application/json" }, signal: request.signal })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (alert) {
        if (detailId !== id) {
          return;
        }
        const items = alert.events.map(function (event) {
          const item = document.createElement("li");
          const time = document.createElement("time");
          time.dateTime = event.at;
          time.textContent = formatTime(event.at);
          const what = document.createElement("span");
          what.textContent = eventText(event);
          item.append(time, what);
          if (event.text) {
            const text = document.createElement("p");
            text.className = "event-text";
            text.textContent = event.text;
            item.appendChild(text);
          }
          return item;
        });
        timelineElement.replaceChildren.apply(timelineElement, items);
        if (hooks.detailRead) {
          hooks.detailRead(alert);
        }
        const { events, preplan, ...fresh } = alert;
        enqueue(fresh);
      })
      .catch(function (error) {
        if (error.name !== "AbortError" && detailId === id) {
          const item = document.createElement("li");
          item.className = "timeline-error";
          item.textContent = strings.timelineFailed;
          timelineElement.replaceChildren(item);
        }
      });
  }

  // ---------------------------------------------------------------- actions

  function act(id, action, body) {
    return fetch(apiRoot + id + "/" + action + "/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            return {};
          })
          .then(function (payload) {
            if (payload.code === "not_authenticated") {
              toSignIn();
              throw new Error("");
            }
            if (response.status === 409 && payload.code === "alert_moved_on") {
              // Someone else got there first: show the alert as it is, and say who holds it.
              if (payload.alert) {
                enqueue(payload.alert);
              }
              const error = new Error(movedOnText(payload.current || {}));
              error.movedOn = true;
              throw error;
            }
            if (!response.ok) {
              const detail = typeof payload.detail === "string" ? payload.detail : "";
              throw new Error(detail);
            }
            return payload;
          });
      })
      .then(function (payload) {
        if (action === "comment") {
          if (detailId === id) {
            loadTimeline(id);
          }
        } else {
          enqueue(payload);
        }
        toast(strings[camel("done", action)], "done");
        root.dispatchEvent(new CustomEvent("console:acted", { detail: { id: id, action: action } }));
        return true;
      })
      .catch(function (error) {
        if (error.movedOn) {
          showMovedOn(id, error.message);
          toast(error.message, "error");
        } else {
          toast(error.message ? format(strings.failed, { detail: error.message }) : strings.failedUnknown, "error");
        }
        return false;
      });
  }

  let timeOfDay;
  try {
    timeOfDay = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: root.dataset.timeZone || undefined,
    });
  } catch (error) {
    timeOfDay = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  /** "Acknowledged by Иванов А. at 11:42": who holds an alert an action came too late for. */
  function movedOnText(current) {
    const template = strings[camel("movedOn", current.status)] || strings.movedOnAcknowledged;
    return format(template, {
      user: current.by_name || current.by || strings.system,
      time: current.at ? timeOfDay.format(new Date(current.at)) : "",
    });
  }

  const movedOnElement = detailElement.querySelector("[data-field=movedOn]");

  function showMovedOn(id, text) {
    if (movedOnElement && detailId === id) {
      movedOnElement.textContent = text;
      movedOnElement.hidden = false;
    }
  }

  function acknowledgeSelected() {
    const entry = selectedId === null ? null : alerts.get(selectedId);
    if (!canAct || !entry || entry.data.status !== "new") {
      return;
    }
    act(entry.id, "acknowledge");
  }

  detailElement.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-command]");
    if (!button) {
      return;
    }
    if (button.dataset.command === "close") {
      closeDetail();
    } else if (button.dataset.command === "acknowledge" && detailId !== null) {
      act(detailId, "acknowledge");
    }
  });

  detailElement.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-action]");
    if (!form || detailId === null) {
      return;
    }
    event.preventDefault();
    // A form may build its own body (units.js's picker: a list of units); null when it is not ready.
    const body = form.buildBody ? form.buildBody() : Object.fromEntries(new FormData(form).entries());
    if (body === null) {
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    act(detailId, form.dataset.action, body).then(function (done) {
      button.disabled = false;
      if (done) {
        form.reset();
        const section = form.closest("details");
        if (section) {
          section.open = false;
        }
      }
    });
  });

  detailElement.addEventListener(
    "toggle",
    function (event) {
      if (event.target.open) {
        const field = event.target.querySelector("input, select, textarea");
        if (field) {
          field.focus();
        }
      }
    },
    true
  );

  listElement.addEventListener("click", function (event) {
    const row = event.target.closest(".alert-row");
    if (row) {
      select(Number(row.dataset.alertId), { open: true, scroll: false });
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    const onControl = event.target.closest && event.target.closest("button, a, summary");
    const onMap = event.target.closest && event.target.closest(".leaflet-container");
    switch (event.key) {
      case "j":
        move(1);
        break;
      case "k":
        move(-1);
        break;
      case "ArrowDown":
      case "ArrowUp":
        if (onMap) {
          return;
        }
        move(event.key === "ArrowDown" ? 1 : -1);
        break;
      case "a":
        acknowledgeSelected();
        break;
      case "Enter":
        if (onControl || selectedId === null) {
          return;
        }
        openDetail(selectedId);
        break;
      case "Escape":
        closeDetail();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  consoleHooks.dashboard = {
    /** Apply changed filters: the list again, and the markers of the alerts shown. */
    refilter: function () {
      alerts.forEach(function (entry) {
        if (entry.marker && markerLayer) {
          if (shown(entry)) {
            markerLayer.addLayer(entry.marker);
          } else {
            markerLayer.removeLayer(entry.marker);
          }
        }
      });
      reorder();
    },
    selectedId: function () {
      return selectedId;
    },
    detailId: function () {
      return detailId;
    },
    status: function (id) {
      const entry = alerts.get(id);
      return entry ? entry.data.status : null;
    },
    /** The id `step` rows away from `id` in the list as shown, or null. */
    neighbour: function (id, step) {
      if (orderIsStale) {
        reorder();
      }
      const index = order.indexOf(id);
      const next = index === -1 ? -1 : index + step;
      return next >= 0 && next < order.length ? order[next] : null;
    },
    select: select,
    openDetail: openDetail,
    acknowledge: acknowledgeSelected,
    list: listElement,
    detail: detailElement,
  };

  // ---------------------------------------------------------------- the live feed

  // Every message of a group carries the group's next number (`group`, `seq`); the snapshot says where
  // each group stood. A number skipped means a message was lost on the way: unless it turns up within
  // GAP_GRACE_MS (two processes' messages may overtake each other), the open alerts are read again over
  // REST. (A reconnect needs no such read: the new socket's snapshot is one.)
  const GAP_GRACE_MS = 1500;
  const MAX_MISSING = 500;
  const RESYNC_PAGE = 2000;
  /** group -> the highest number seen */
  const cursors = new Map();
  /** "group seq" of numbers skipped and not seen yet */
  const missing = new Set();
  let gapTimer = null;
  let resyncing = null; // {seen: ids changed while the REST read runs, again: another gap meanwhile}
  root.dataset.resyncs = "0";

  function track(message) {
    if (typeof message.seq !== "number" || !message.group) {
      return;
    }
    const last = cursors.get(message.group);
    if (last === undefined || message.seq <= last) {
      if (last === undefined) {
        cursors.set(message.group, message.seq);
      }
      missing.delete(message.group + " " + message.seq);
      return;
    }
    for (let seq = last + 1; seq < message.seq && missing.size <= MAX_MISSING; seq += 1) {
      missing.add(message.group + " " + seq);
    }
    cursors.set(message.group, message.seq);
    if (missing.size > MAX_MISSING) {
      resync();
    } else if (missing.size && gapTimer === null) {
      gapTimer = setTimeout(function () {
        gapTimer = null;
        if (missing.size) {
          resync();
        }
      }, GAP_GRACE_MS);
    }
  }

  function resetCursors(numbers) {
    cursors.clear();
    missing.clear();
    clearTimeout(gapTimer);
    gapTimer = null;
    Object.keys(numbers || {}).forEach(function (group) {
      cursors.set(group, numbers[group]);
    });
  }

  function fetchOpen(offset, collected) {
    const url = apiRoot + "?status=open&limit=" + RESYNC_PAGE + "&offset=" + offset;
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (page) {
        const all = collected.concat(page.results);
        return page.results.length && all.length < page.count ? fetchOpen(offset + page.results.length, all) : all;
      });
  }

  /** Read the open alerts anew over REST, after a gap in the numbers. */
  function resync() {
    document.dispatchEvent(new CustomEvent("opscenter:resync"));
    missing.clear();
    clearTimeout(gapTimer);
    gapTimer = null;
    if (resyncing) {
      resyncing.again = true;
      return;
    }
    const current = { seen: new Set(), again: false };
    resyncing = current;
    fetchOpen(0, [])
      .then(function (list) {
        if (resyncing === current) {
          pendingResync = { alerts: list, keep: current.seen };
          scheduleFlush();
          root.dataset.resyncs = String(Number(root.dataset.resyncs) + 1);
        }
      })
      .catch(function () {
        current.again = true; // the next try comes after a pause, below
      })
      .finally(function () {
        if (resyncing !== current) {
          return;
        }
        resyncing = null;
        if (current.again) {
          setTimeout(resync, RECONNECT_MIN_MS);
        }
      });
  }

  let socket = null;
  /** A snapshot being received part by part: {alerts, held: changes that came meanwhile, count}. */
  let assembling = null;
  let reconnectAttempts = 0;
  let reconnectTimer = null;
  let lastMessageAt = 0;

  const feedDownElement = document.getElementById("feed-down");
  /** When the list was last known true (the last message of a live feed); ages stop there while down. */
  let freshAt = null;
  let liveNow = false;

  function setConnection(state) {
    const wasLive = liveNow;
    liveNow = state === "live";
    connectionElement.dataset.state = state;
    root.dataset.connection = state;
    setText(connectionElement, strings[state] || state);
    if (liveNow) {
      feedDownElement.hidden = true;
      refreshAges();
      return;
    }
    if (wasLive) {
      freshAt = lastMessageAt || Date.now();
    }
    if (freshAt !== null) {
      // The whole list says the feed is down: greyed (CSS, by data-connection), ages stopped, and when
      // it was last true.
      setText(feedDownElement.querySelector("[data-part=as-of]"), format(strings.dataAsOf, { time: clockTime.format(new Date(freshAt)) }));
      feedDownElement.hidden = false;
      refreshAges();
    }
  }

  /** The sign-in page, and back here afterwards. */
  function toSignIn() {
    clearScreen();
    setConnection("signedOut");
    const back = location.pathname + location.search + location.hash;
    location.assign(root.dataset.loginUrl + "?next=" + encodeURIComponent(back));
  }

  function handleMessage(message) {
    // Others' panels (units.js) hear the feed too.
    document.dispatchEvent(new CustomEvent("opscenter:message", { detail: message }));
    if (message.type === "snapshot") {
      // The snapshot comes in parts (none near the socket's message limit); the first carries the
      // cursors. What arrives between its parts is held and applied after it.
      if (!message.part) {
        assembling = { alerts: [], held: [], count: message.count };
        resetCursors(message.cursors);
      }
      if (!assembling) {
        return;
      }
      Array.prototype.push.apply(assembling.alerts, message.alerts);
      if (message.last === false) {
        return;
      }
      reconnectAttempts = 0;
      // The snapshot is the whole truth as of now: it replaces the list and anything queued before it.
      pendingSnapshot = assembling.alerts;
      pendingResync = null;
      pendingAlerts = assembling.held;
      resyncing = null;
      root.dataset.snapshotCount = String(assembling.alerts.length);
      assembling = null;
      scheduleFlush();
      setConnection("live");
      if (hooks.snapshot) {
        hooks.snapshot();
      }
      return;
    }
    track(message);
    if (hooks.message) {
      hooks.message(message);
    }
    if (message.type === "alert") {
      const alert = message.alert;
      if (resyncing) {
        resyncing.seen.add(alert.id);
      }
      if (alert.severity <= 2 && alert.status === "new" && !alerts.has(alert.id) && !closedAt.has(alert.id)) {
        beep(alert.severity);
        notifyDesktop(alert);
      }
      enqueue(alert);
    } else if (message.type === "alert.removed") {
      enqueue({ removed: true, id: message.alert_id, updatedMs: Date.parse(message.updated_at) });
      if (resyncing) {
        resyncing.seen.add(message.alert_id);
      }
      scheduleFlush();
    } else if (message.type === "alert.escalated") {
      showBanner(format(strings.escalated, { level: message.level, title: message.title }), message.alert_id);
      beep(1);
    }
  }

  function connect() {
    reconnectTimer = null;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const current = new WebSocket(scheme + location.host + root.dataset.socketPath);
    socket = current;
    assembling = null;
    lastMessageAt = Date.now();
    current.addEventListener("message", function (event) {
      if (socket !== current) {
        return;
      }
      lastMessageAt = Date.now();
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handleMessage(message);
    });
    current.addEventListener("close", function (event) {
      if (socket !== current) {
        return;
      }
      socket = null;
      if (event.code === 4401) {
        // The session ended (expired, signed out elsewhere): nothing stays on the screen; sign in again.
        toSignIn();
        return;
      }
      if (event.code === 4403) {
        // No longer allowed to see these alerts: nothing of them stays on the screen.
        clearScreen();
        setConnection("forbidden");
        return;
      }
      scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (reconnectTimer !== null) {
      return;
    }
    setConnection("reconnecting");
    const ceiling = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * Math.pow(2, reconnectAttempts));
    reconnectAttempts += 1;
    // Jitter, so a restarted server is not hit by every screen of the oblast in the same instant.
    reconnectTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  function dropSocket() {
    const current = socket;
    socket = null;
    if (current) {
      current.close();
    }
    scheduleReconnect();
  }

  setInterval(function () {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    if (Date.now() - lastMessageAt > SILENCE_LIMIT_MS) {
      dropSocket();
      return;
    }
    socket.send(JSON.stringify({ type: "ping" }));
  }, PING_EVERY_MS);

  window.addEventListener("online", function () {
    if (reconnectTimer !== null) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      connect();
    }
  });

  window.opscenterConsole = {
    hooks: hooks,
    alert: function (id) {
      const entry = alerts.get(id);
      return entry ? entry.data : null;
    },
    open: function (id) {
      select(id, { open: true });
    },
    selectedId: function () {
      return selectedId;
    },
    detailId: function () {
      return detailId;
    },
    update: enqueue,
    reloadDetail: function () {
      if (detailId !== null) {
        loadTimeline(detailId);
      }
    },
    toast: toast,
    csrfToken: csrfToken,
    formatTime: formatTime,
    statusLabel: statusLabel,
    dispositionLabel: dispositionLabel,
    toSignIn: toSignIn,
  };

  setConnection("connecting");
  connect();
})();
