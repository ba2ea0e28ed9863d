/*
 * The console's incidents and pre-plans, plugged into dashboard.js through window.opscenterConsole.
 *
 * Incidents: rows carry a checkbox (and `x` toggles the selected row); "Link these alerts" links the
 * chosen alerts into the incident one of them is already in, or into a new one. The alert detail shows
 * its incident (its alerts, acknowledge, resolve with one disposition, unlink), or "Link to an
 * incident…". The open incidents are read over REST after every snapshot and kept current by the feed's
 * `incident` messages; which alerts an incident holds, the alerts themselves say (`incident`).
 *
 * Pre-plans: the alert detail read carries `preplan` (steps, duty phones, the object's earlier alarms),
 * shown under the card.
 */
(function () {
  "use strict";

  const api = window.opscenterConsole;
  const root = document.getElementById("dashboard");
  if (!api || !root) {
    return;
  }

  const strings = Object.assign({}, document.getElementById("incident-strings").dataset);
  const incidentsApi = root.dataset.incidentsApi;
  const canManage = root.dataset.canManageIncidents === "true";
  const listElement = document.getElementById("alert-list");
  const bar = document.getElementById("incident-bar");
  const panel = document.getElementById("incident-panel");
  const linkSection = document.getElementById("incident-link");
  const preplanElement = document.getElementById("preplan");

  /** id -> incident as the API renders it (without its alerts) */
  const incidents = new Map();
  /** ids of the alerts chosen in the list */
  const chosen = new Set();
  let shownAlert = null;
  let shownIncident = null;
  let incidentRequest = null;

  function format(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function part(element, name) {
    return element.querySelector("[data-part=" + name + "]");
  }

  function failure(error) {
    api.toast(error && error.message ? format(strings.failed, { detail: error.message }) : strings.failedUnknown, "error");
  }

  /** A JSON request to the incidents' API; rejects with the server's detail. */
  function request(method, url, body) {
    const options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = api.csrfToken();
      options.body = JSON.stringify(body || {});
    }
    return fetch(url, options).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (payload) {
          if (payload.code === "not_authenticated") {
            api.toSignIn();
            throw new Error("");
          }
          if (!response.ok) {
            throw new Error(typeof payload.detail === "string" ? payload.detail : "");
          }
          return payload;
        });
    });
  }

  function incidentStatus(incident) {
    if (incident.status === "resolved") {
      return format(strings.statusResolved, { disposition: api.dispositionLabel(incident.disposition) });
    }
    return strings[incident.status === "acknowledged" ? "statusAcknowledged" : "statusOpen"];
  }

  /** After an incident operation: the incident and its alerts as they are now, without waiting for the feed. */
  function applyDetail(detail) {
    const alertsOf = detail.alerts || [];
    const incident = Object.assign({}, detail);
    delete incident.alerts;
    incidents.set(incident.id, incident);
    alertsOf.forEach(api.update);
    if (shownAlert && shownAlert.incident === incident.id) {
      renderPanel(incident, alertsOf);
    }
    return incident;
  }

  // ---------------------------------------------------------------- the list: choosing alerts

  function renderBar() {
    if (!bar) {
      return;
    }
    bar.hidden = chosen.size === 0;
    part(bar, "count").textContent = format(strings.chosen, { count: chosen.size });
  }

  function choose(id, on) {
    if (on) {
      chosen.add(id);
    } else {
      chosen.delete(id);
    }
    const row = document.getElementById("alert-" + id);
    const box = row && row.querySelector(".row-pick");
    if (box) {
      box.checked = on;
    }
    renderBar();
  }

  api.hooks.row = function (row, alert) {
    const box = row.querySelector(".row-pick");
    if (box) {
      box.checked = chosen.has(alert.id);
    }
    const badge = row.querySelector(".row-incident");
    if (badge) {
      badge.hidden = !alert.incident;
      badge.textContent = alert.incident ? format(strings.rowIncident, { id: alert.incident }) : "";
    }
    row.dataset.incident = alert.incident || "";
  };

  if (canManage) {
    // Capture: a click on the checkbox chooses the alert and does not open it.
    listElement.addEventListener(
      "click",
      function (event) {
        const box = event.target.closest && event.target.closest(".row-pick");
        if (!box) {
          return;
        }
        event.stopPropagation();
        const row = box.closest(".alert-row");
        choose(Number(row.dataset.alertId), box.checked);
      },
      true
    );
    document.addEventListener("keydown", function (event) {
      if (event.key !== "x" || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      const target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) {
        return;
      }
      const id = api.selectedId();
      if (id !== null) {
        event.preventDefault();
        choose(id, !chosen.has(id));
      }
    });
  }

  function linkChosen() {
    const ids = Array.from(chosen).sort(function (a, b) {
      return a - b;
    });
    const holding = new Set(
      ids
        .map(function (id) {
          const alert = api.alert(id);
          return alert ? alert.incident : null;
        })
        .filter(Boolean)
    );
    const call =
      holding.size === 1
        ? request("POST", incidentsApi + Array.from(holding)[0] + "/link/", { alerts: ids })
        : request("POST", incidentsApi + "create/", { alerts: ids });
    return call
      .then(function (detail) {
        const incident = applyDetail(detail);
        ids.forEach(function (id) {
          choose(id, false);
        });
        api.toast(format(strings.linked, { id: incident.id }), "done");
        if (ids.length) {
          api.open(ids[0]);
        }
      })
      .catch(failure);
  }

  if (bar) {
    bar.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-command]");
      if (!button) {
        return;
      }
      if (button.dataset.command === "clear-chosen") {
        Array.from(chosen).forEach(function (id) {
          choose(id, false);
        });
      } else if (button.dataset.command === "link-chosen") {
        button.disabled = true;
        linkChosen().finally(function () {
          button.disabled = false;
        });
      }
    });
  }

  // ---------------------------------------------------------------- the detail: the alert's incident

  function renderPanel(incident, alertsOf) {
    shownIncident = incident;
    panel.hidden = false;
    panel.dataset.incidentId = incident.id;
    panel.dataset.status = incident.status;
    part(panel, "name").textContent = format(strings.incident, { id: incident.id });
    part(panel, "status").textContent = incidentStatus(incident);
    // Unnamed, it goes by its first alert, whose title the API words in the reader's language.
    if (incident.title || alertsOf) {
      part(panel, "title").textContent = incident.title || (alertsOf && alertsOf.length ? alertsOf[0].title : "");
    }
    if (alertsOf) {
      const items = alertsOf.map(function (alert) {
        const item = document.createElement("li");
        item.dataset.alertId = alert.id;
        item.dataset.status = alert.status;
        const open = document.createElement("button");
        open.type = "button";
        open.className = "button-link";
        open.dataset.command = "incident-open-alert";
        open.textContent = "P" + alert.severity + " · " + alert.title;
        if (shownAlert && alert.id === shownAlert.id) {
          open.setAttribute("aria-current", "true");
        }
        const state = document.createElement("span");
        state.className = "incident-alert-status";
        state.textContent =
          alert.status === "resolved" ? api.dispositionLabel(alert.disposition) : api.statusLabel(alert.status);
        item.append(open, " ", state);
        return item;
      });
      part(panel, "alerts").replaceChildren.apply(part(panel, "alerts"), items);
    }
    const open = incident.status !== "resolved";
    const acknowledge = panel.querySelector("[data-command=incident-acknowledge]");
    if (acknowledge) {
      acknowledge.hidden = incident.status !== "open";
    }
    const resolve = panel.querySelector("[data-command=incident-resolve]");
    if (resolve) {
      resolve.hidden = !open;
    }
    const unlink = panel.querySelector("[data-command=incident-unlink]");
    if (unlink) {
      unlink.hidden = !open || !shownAlert || shownAlert.status === "resolved";
    }
  }

  function loadIncident(id) {
    if (incidentRequest) {
      incidentRequest.abort();
    }
    const controller = new AbortController();
    incidentRequest = controller;
    fetch(incidentsApi + id + "/", { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (detail) {
        if (shownAlert && shownAlert.incident === id) {
          const alertsOf = detail.alerts;
          delete detail.alerts;
          incidents.set(id, detail);
          renderPanel(detail, alertsOf);
        }
      })
      .catch(function () {});
  }

  function renderLinkChoice(alert) {
    if (!linkSection) {
      return;
    }
    const open = alert.status !== "resolved";
    linkSection.hidden = !open || Boolean(alert.incident);
    if (linkSection.hidden) {
      linkSection.open = false;
      return;
    }
    const select = linkSection.querySelector("select");
    const previous = select.value;
    const options = [new Option(strings.newIncident, "new")];
    incidents.forEach(function (incident) {
      if (incident.status !== "resolved" && incident.center === alert.center) {
        const name = format(strings.incident, { id: incident.id }) + (incident.title ? ": " + incident.title : "");
        options.push(new Option(name, String(incident.id)));
      }
    });
    select.replaceChildren.apply(select, options);
    if (options.some(function (option) {
      return option.value === previous;
    })) {
      select.value = previous;
    }
  }

  api.hooks.detail = function (alert) {
    const changed = !shownAlert || shownAlert.id !== alert.id || shownAlert.incident !== alert.incident;
    if (!shownAlert || shownAlert.id !== alert.id) {
      renderPreplan(null); // until this alert's detail read brings its own
    }
    shownAlert = alert;
    renderLinkChoice(alert);
    if (!alert.incident) {
      panel.hidden = true;
      shownIncident = null;
      return;
    }
    const known = incidents.get(alert.incident);
    if (changed) {
      panel.querySelectorAll("details").forEach(function (section) {
        section.open = false;
      });
      if (known) {
        renderPanel(known, null);
        part(panel, "alerts").replaceChildren();
      } else {
        panel.hidden = true;
      }
      loadIncident(alert.incident);
    }
  };

  panel.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-command]");
    if (!button || !shownIncident) {
      return;
    }
    const id = shownIncident.id;
    if (button.dataset.command === "incident-open-alert") {
      api.open(Number(button.closest("li").dataset.alertId));
    } else if (button.dataset.command === "incident-acknowledge") {
      button.disabled = true;
      request("POST", incidentsApi + id + "/acknowledge/")
        .then(function (detail) {
          applyDetail(detail);
          api.toast(format(strings.acknowledged, { id: id }), "done");
          api.reloadDetail();
        })
        .catch(failure)
        .finally(function () {
          button.disabled = false;
        });
    } else if (button.dataset.command === "incident-unlink" && shownAlert) {
      const alertId = shownAlert.id;
      button.disabled = true;
      request("POST", incidentsApi + id + "/unlink/", { alert: alertId })
        .then(function (detail) {
          applyDetail(detail);
          api.toast(format(strings.unlinked, { id: id }), "done");
          api.reloadDetail();
        })
        .catch(failure)
        .finally(function () {
          button.disabled = false;
        });
    }
  });

  document.getElementById("detail").addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-incident-action]");
    if (!form || !shownAlert) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    const body = Object.fromEntries(new FormData(form).entries());
    const button = form.querySelector("button[type=submit]");
    const alertId = shownAlert.id;
    let call;
    if (form.dataset.incidentAction === "resolve" && shownIncident) {
      call = request("POST", incidentsApi + shownIncident.id + "/resolve/", body);
    } else if (form.dataset.incidentAction === "link") {
      call =
        body.incident === "new"
          ? request("POST", incidentsApi + "create/", { alerts: [alertId] })
          : request("POST", incidentsApi + body.incident + "/link/", { alerts: [alertId] });
    } else {
      return;
    }
    button.disabled = true;
    call
      .then(function (detail) {
        const incident = applyDetail(detail);
        api.toast(format(strings[form.dataset.incidentAction === "resolve" ? "resolved" : "linked"], { id: incident.id }), "done");
        form.reset();
        const section = form.closest("details");
        if (section) {
          section.open = false;
        }
        api.reloadDetail();
      })
      .catch(failure)
      .finally(function () {
        button.disabled = false;
      });
  }, true);

  // ---------------------------------------------------------------- the feed

  function loadOpen() {
    request("GET", incidentsApi + "?open=true&limit=500")
      .then(function (page) {
        incidents.clear();
        page.results.forEach(function (incident) {
          incidents.set(incident.id, incident);
        });
        if (shownAlert) {
          renderLinkChoice(shownAlert);
        }
      })
      .catch(function () {});
  }

  api.hooks.snapshot = loadOpen;

  api.hooks.message = function (message) {
    if (message.type === "incident") {
      const incident = message.incident;
      const known = incidents.get(incident.id);
      if (!known || known.updated_at <= incident.updated_at) {
        incidents.set(incident.id, incident);
      }
      if (shownAlert) {
        renderLinkChoice(shownAlert);
        if (shownAlert.incident === incident.id) {
          loadIncident(incident.id);
        }
      }
    } else if (message.type === "alert" && message.alert.status === "resolved" && chosen.has(message.alert.id)) {
      choose(message.alert.id, false);
    }
  };

  // ---------------------------------------------------------------- the pre-plan

  function renderPreplan(plan) {
    if (!preplanElement) {
      return;
    }
    preplanElement.hidden = !plan;
    if (!plan) {
      return;
    }
    part(preplanElement, "object").textContent = plan.object ? "· " + plan.object : "";
    const steps = plan.steps.map(function (step) {
      const item = document.createElement("li");
      item.textContent = step.text;
      if (step.origin === "object") {
        item.className = "from-object";
        const mark = document.createElement("span");
        mark.className = "step-origin";
        mark.textContent = strings.objectStep;
        item.append(" ", mark);
      }
      return item;
    });
    part(preplanElement, "steps").replaceChildren.apply(part(preplanElement, "steps"), steps);
    part(preplanElement, "steps").hidden = !steps.length;
    const contacts = plan.contacts.map(function (contact) {
      const item = document.createElement("li");
      const who = [contact.name, contact.role].filter(Boolean).join(", ");
      item.textContent = who ? who + ": " : "";
      const phone = document.createElement("a");
      phone.href = "tel:" + contact.phone.replace(/[^+\d]/g, "");
      phone.textContent = contact.phone;
      item.appendChild(phone);
      return item;
    });
    part(preplanElement, "contacts").replaceChildren.apply(part(preplanElement, "contacts"), contacts);
    part(preplanElement, "contacts").hidden = part(preplanElement, "contacts-title").hidden = !contacts.length;
    const history = plan.history.map(function (earlier) {
      const item = document.createElement("li");
      const time = document.createElement("time");
      time.dateTime = earlier.raised_at;
      time.textContent = api.formatTime(earlier.raised_at);
      const outcome = document.createElement("span");
      outcome.className = "history-outcome";
      outcome.dataset.disposition = earlier.disposition || "";
      outcome.textContent = earlier.disposition_label || strings.stillOpen;
      item.append(time, " ", earlier.title, " · ", outcome);
      return item;
    });
    if (!history.length && plan.object) {
      const none = document.createElement("li");
      none.textContent = strings.noneEarlier;
      history.push(none);
    }
    part(preplanElement, "history").replaceChildren.apply(part(preplanElement, "history"), history);
    part(preplanElement, "history").hidden = part(preplanElement, "history-title").hidden = !history.length;
  }

  api.hooks.detailRead = function (alert) {
    if (api.detailId() === alert.id) {
      renderPreplan(alert.preplan || null);
    }
  };

  const detail = document.getElementById("detail");
  new MutationObserver(function () {
    if (detail.hidden) {
      shownAlert = null;
      shownIncident = null;
      renderPreplan(null);
    }
  }).observe(detail, { attributes: true, attributeFilter: ["hidden"] });
})();
