/* The video wall: every few seconds, the tiles' frames, health and last events from the cameras API. */
(function () {
  "use strict";
  const root = document.getElementById("video-wall");
  if (!root) {
    return;
  }
  const REFRESH_MS = 4000;
  const query = window.location.search;
  const lang = document.documentElement.lang || undefined;
  let dateFormat;
  try {
    dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium", timeZone: root.dataset.timeZone || undefined });
  } catch (error) {
    dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium" });
  }

  function render(tile) {
    const element = document.getElementById("camera-" + tile.id);
    if (!element) {
      return;
    }
    element.dataset.up = tile.up === null ? "unknown" : tile.up ? "up" : "down";
    const health = element.querySelector("[data-part=health]");
    if (health) {
      health.textContent = tile.health;
    }
    if (tile.image_url) {
      let image = element.querySelector("img");
      if (!image) {
        image = document.createElement("img");
        image.alt = tile.title;
        const placeholder = element.querySelector(".wall-no-frame");
        if (placeholder) {
          placeholder.replaceWith(image);
        } else {
          element.querySelector("figure").prepend(image);
        }
      }
      if (image.getAttribute("src") !== tile.image_url) {
        image.setAttribute("src", tile.image_url);
      }
    }
    const events = element.querySelector("[data-part=events]");
    if (events) {
      const items = tile.events.map(function (event) {
        const item = document.createElement("li");
        item.dataset.kind = event.kind;
        const time = document.createElement("time");
        time.dateTime = event.started_at;
        time.textContent = dateFormat.format(new Date(event.started_at));
        item.append(time, " " + event.label + (event.zone ? " · " + event.zone : ""));
        if (event.ongoing) {
          const ongoing = document.createElement("em");
          ongoing.textContent = " " + root.dataset.ongoing;
          item.append(ongoing);
        }
        return item;
      });
      events.replaceChildren.apply(events, items);
    }
  }

  function refresh() {
    fetch(root.dataset.api + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (tiles) {
        tiles.forEach(render);
      })
      .catch(function () {})
      .finally(function () {
        window.setTimeout(refresh, REFRESH_MS);
      });
  }
  window.setTimeout(refresh, REFRESH_MS);
})();
