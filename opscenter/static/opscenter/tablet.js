/*
 * A unit's tablet: its units (the crew's) with their open assignment, live over /ws/tablet/, and the
 * crew's buttons: accept, arrived, cleared; on and off duty; the alert's place as a geo: link.
 *
 * The socket sends a snapshot ("tablet.snapshot") on connect and whenever the crew changed, then a
 * "tablet" message per change of a unit. Every message carries its group's number: one missing means
 * one was lost, and the socket is opened again for a fresh snapshot.
 */
(function () {
  "use strict";

  const root = document.getElementById("tablet");
  if (!root) {
    return;
  }
  const strings = Object.assign({}, document.getElementById("tablet-strings").dataset);
  const container = document.getElementById("tablet-units");
  const noneElement = document.getElementById("tablet-none");
  const connectionElement = document.getElementById("tablet-connection");
  const template = document.getElementById("tablet-unit-template");
  const apiRoot = root.dataset.apiRoot;
  const units = new Map();
  const cursors = new Map();
  let socket = null;
  let attempts = 0;

  function key(prefix, value) {
    const word = String(value).replace(/[^a-z0-9]/gi, "").toLowerCase();
    return prefix + word.charAt(0).toUpperCase() + word.slice(1);
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function setConnection(state) {
    connectionElement.dataset.state = state;
    document.body.dataset.connection = state;
    connectionElement.textContent = strings[state] || state;
  }

  function render() {
    const sections = Array.from(units.values())
      .sort(function (a, b) {
        return a.call_sign.localeCompare(b.call_sign);
      })
      .map(renderUnit);
    container.replaceChildren.apply(container, sections);
    noneElement.hidden = units.size > 0 || connectionElement.dataset.state !== "live";
  }

  function renderUnit(unit) {
    const section = template.content.firstElementChild.cloneNode(true);
    const part = function (name) {
      return section.querySelector("[data-part=" + name + "]");
    };
    section.dataset.unitId = unit.id;
    section.dataset.status = unit.status;
    part("call-sign").textContent = unit.call_sign;
    const status = part("status");
    status.dataset.status = unit.status;
    status.textContent = strings[key("status", unit.status)] || unit.status_label;
    const task = unit.assignment;
    part("idle").hidden = Boolean(task) || unit.status === "off_duty";
    part("task").hidden = !task;
    part("duty").hidden = Boolean(task);
    section.querySelector("[data-command=on-duty]").hidden = unit.status !== "off_duty";
    section.querySelector("[data-command=off-duty]").hidden = unit.status !== "available";
    if (task) {
      // The alert's words in the page's language, when the message carries them.
      const words = (task.alert.words || {})[document.documentElement.lang] || {};
      const alert = Object.assign({}, task.alert, words);
      const article = part("task");
      article.dataset.assignmentId = task.id;
      article.dataset.step = task.status;
      article.dataset.severity = alert.severity;
      part("step").textContent = strings[key("step", task.status)] || task.status_label;
      part("title").textContent = "P" + alert.severity + " · " + alert.title;
      part("caution").textContent = alert.caution || "";
      part("caution").hidden = !alert.caution;
      part("address").textContent = alert.address || "";
      const map = part("map");
      map.hidden = !alert.geo_uri;
      if (alert.geo_uri) {
        map.href = alert.geo_uri;
      }
      section.querySelector("[data-command=accept]").hidden = task.status !== "dispatched";
      section.querySelector("[data-command=arrive]").hidden = task.status === "arrived";
      section.querySelector("[data-command=clear]").hidden = task.status === "dispatched";
    }
    return section;
  }

  function remember(unit) {
    const known = units.get(unit.id);
    if (known && Date.parse(known.updated_at) > Date.parse(unit.updated_at)) {
      return;
    }
    units.set(unit.id, unit);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (payload) {
          if (response.status === 401 || response.status === 403) {
            if (payload.code === "not_authenticated") {
              toSignIn();
            }
          }
          if (!response.ok) {
            throw new Error(typeof payload.detail === "string" ? payload.detail : String(response.status));
          }
          return payload;
        });
    });
  }

  container.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-command]");
    if (!button) {
      return;
    }
    const section = button.closest("[data-unit-id]");
    const article = button.closest("[data-assignment-id]");
    const command = button.dataset.command;
    let request;
    if (command === "on-duty" || command === "off-duty") {
      request = post("/api/v1/units/" + section.dataset.unitId + "/status/", {
        status: command === "on-duty" ? "available" : "off_duty",
      }).then(function () {
        return null; // the console's shape of the unit: the socket brings the tablet's
      });
    } else {
      request = post(apiRoot + "assignments/" + article.dataset.assignmentId + "/" + command + "/");
    }
    button.disabled = true;
    request
      .then(function (unit) {
        if (unit) {
          remember(unit);
          render();
        }
      })
      .catch(function (error) {
        button.disabled = false;
        window.alert(String(strings.failed).replace("{detail}", error.message));
      });
  });

  function toSignIn() {
    const back = location.pathname + location.search;
    location.assign(root.dataset.loginUrl + "?next=" + encodeURIComponent(back));
  }

  function handle(message) {
    if (message.type === "tablet.snapshot") {
      attempts = 0;
      units.clear();
      cursors.clear();
      Object.keys(message.cursors || {}).forEach(function (group) {
        cursors.set(group, message.cursors[group]);
      });
      message.units.forEach(remember);
      setConnection("live");
      render();
      return;
    }
    if (message.type !== "tablet") {
      return;
    }
    const last = cursors.get(message.group);
    if (last !== undefined && message.seq > last + 1) {
      // A message was lost: a fresh snapshot, by opening the socket again.
      socket.close();
      return;
    }
    cursors.set(message.group, Math.max(last || 0, message.seq));
    remember(message.unit);
    render();
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const current = new WebSocket(scheme + location.host + root.dataset.socketPath);
    socket = current;
    current.addEventListener("message", function (event) {
      if (socket !== current) {
        return;
      }
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handle(message);
    });
    current.addEventListener("close", function (event) {
      if (socket !== current) {
        return;
      }
      socket = null;
      if (event.code === 4401) {
        toSignIn();
        return;
      }
      if (event.code === 4403) {
        units.clear();
        render();
        setConnection("forbidden");
        noneElement.hidden = false;
        // Perhaps added to a crew later: try again now and then.
        setTimeout(connect, 30000);
        return;
      }
      setConnection("reconnecting");
      attempts += 1;
      const ceiling = Math.min(30000, 1000 * Math.pow(2, attempts));
      setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
    });
  }

  setInterval(function () {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "ping" }));
    }
  }, 25000);

  setConnection("connecting");
  connect();
})();
