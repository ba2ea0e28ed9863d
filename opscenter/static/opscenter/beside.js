/*
 * Beside the alert: the latest frames of the cameras that watch what the alert is about (the school
 * whose panic button was pressed) and of those near its place, from the detail read's `beside`. The
 * frames refresh themselves while the alert stays open; a click opens the camera on the video wall.
 * Above them, the pictures that prove the alert (its payload's `pictures`: a camera event's best
 * snapshot, before and after), kept current as the alert changes.
 * Plugged into dashboard.js through window.opscenterConsole, after the hooks set before it.
 */
(function () {
  "use strict";

  const api = window.opscenterConsole;
  const section = document.getElementById("beside");
  if (!api || !section) {
    return;
  }
  const REFRESH_MS = 4000;
  const strings = Object.assign({}, section.dataset);
  const list = section.querySelector("[data-part=tiles]");
  let shownFor = null;
  let timer = null;

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function distance(metres) {
    return metres < 1000 ? format(strings.metres, { m: metres }) : format(strings.km, { km: (metres / 1000).toFixed(1) });
  }

  function tileElement(tile) {
    const item = document.createElement("li");
    item.className = "beside-tile";
    item.dataset.cameraId = tile.id;
    item.dataset.up = tile.up === null ? "unknown" : tile.up ? "up" : "down";
    item.dataset.watches = tile.watches ? "true" : "false";
    item.dataset.own = tile.own ? "true" : "false";
    const link = document.createElement("a");
    link.href = tile.page_url;
    const figure = document.createElement("figure");
    const image = document.createElement("img");
    image.alt = tile.title;
    image.dataset.base = tile.frame_url;
    if (tile.image_url) {
      image.src = tile.image_url;
      figure.appendChild(image);
    } else {
      // No frame yet: a placeholder, swapped for the frame once one loads (see refreshFrames).
      const none = document.createElement("div");
      none.className = "beside-no-frame";
      none.textContent = strings.noFrame;
      figure.appendChild(none);
      item.waiting = image;
      image.addEventListener("load", function () {
        if (none.isConnected) {
          none.replaceWith(image);
          item.waiting = null;
        }
      });
    }
    const caption = document.createElement("figcaption");
    const title = document.createElement("span");
    title.className = "beside-title";
    title.textContent = tile.title;
    const meta = document.createElement("span");
    meta.className = "beside-meta";
    const facts = [];
    if (tile.own) {
      facts.push(strings.own);
    } else if (tile.watches) {
      facts.push(strings.watches);
    }
    if (typeof tile.metres === "number" && !tile.own) {
      facts.push(distance(tile.metres));
    }
    if (tile.up === false) {
      facts.push(tile.health);
    }
    meta.textContent = facts.join(" · ");
    caption.append(title, meta);
    figure.appendChild(caption);
    link.appendChild(figure);
    item.appendChild(link);
    return item;
  }

  function refreshFrames() {
    if (api.detailId() !== shownFor) {
      clear(); // the detail was closed
      return;
    }
    const stamp = "?r=" + Date.now();
    list.querySelectorAll(".beside-tile").forEach(function (item) {
      const image = item.waiting || item.querySelector("img[data-base]");
      if (image) {
        image.src = image.dataset.base + stamp;
      }
    });
  }

  function render(alert) {
    const tiles = (alert.beside || []).filter(function (tile) {
      return tile.kind === "camera";
    });
    shownFor = alert.id;
    section.hidden = !tiles.length;
    list.replaceChildren.apply(list, tiles.map(tileElement));
    window.clearInterval(timer);
    timer = tiles.length && alert.status !== "resolved" ? window.setInterval(refreshFrames, REFRESH_MS) : null;
  }

  function clear() {
    shownFor = null;
    section.hidden = true;
    list.replaceChildren();
    window.clearInterval(timer);
    timer = null;
  }

  const previousRead = api.hooks.detailRead;
  api.hooks.detailRead = function (alert) {
    if (previousRead) {
      previousRead(alert);
    }
    if (api.detailId() === alert.id) {
      render(alert);
    }
  };

  const evidence = document.getElementById("evidence");
  const evidenceKinds = evidence ? Object.assign({}, evidence.dataset) : {};
  const pictureList = evidence ? evidence.querySelector("[data-part=pictures]") : null;

  function renderEvidence(alert) {
    if (!evidence) {
      return;
    }
    const pictures = ((alert.payload || {}).pictures || []).filter(function (picture) {
      return picture && typeof picture.url === "string" && picture.url.charAt(0) === "/";
    });
    evidence.hidden = !pictures.length;
    const shown = Array.from(pictureList.children).map(function (item) {
      return item.dataset.url;
    });
    const wanted = pictures.map(function (picture) {
      return picture.url;
    });
    if (shown.join(" ") === wanted.join(" ")) {
      return; // the same pictures: keep the images loaded
    }
    const items = pictures.map(function (picture) {
      const label = evidenceKinds["kind" + picture.kind.charAt(0).toUpperCase() + picture.kind.slice(1)] || picture.kind;
      const item = document.createElement("li");
      item.dataset.url = picture.url;
      item.dataset.kind = picture.kind;
      const link = document.createElement("a");
      link.href = picture.url;
      link.target = "_blank";
      link.rel = "noopener";
      const figure = document.createElement("figure");
      const image = document.createElement("img");
      image.src = picture.url;
      image.alt = label;
      image.loading = "lazy";
      const caption = document.createElement("figcaption");
      caption.textContent = label;
      figure.append(image, caption);
      link.appendChild(figure);
      item.appendChild(link);
      return item;
    });
    pictureList.replaceChildren.apply(pictureList, items);
  }

  const previousDetail = api.hooks.detail;
  api.hooks.detail = function (alert) {
    if (previousDetail) {
      previousDetail(alert);
    }
    renderEvidence(alert);
    if (shownFor !== alert.id) {
      clear(); // another alert: its tiles come with its detail read
    } else if (alert.status === "resolved") {
      window.clearInterval(timer);
      timer = null;
    }
  };

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && shownFor !== null && timer) {
      refreshFrames();
    }
  });
})();
