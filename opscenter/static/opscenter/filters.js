/*
 * Search and filters of the console's live list (text, severity, source, district) and the operator's
 * saved views (kept on the server: /api/v1/views/, so they follow the operator between consoles).
 *
 * The filters are the REST alert list's parameters, with the same meaning (opscenter.selectors.alert_list):
 * a severity, source or district filter keeps the alerts with one of its values; each word of `q` must be
 * in the title, the address or the kind as shown (worded in the reader's language), in any case. `OpscenterFilters.matches` is that rule, and a test
 * holds it equal to the REST list's on the same alerts. Loaded before dashboard.js, which asks
 * `OpscenterConsole.shows(alert)` for each alert and tells `listed(shown, total)` after each reorder.
 */
(function () {
  "use strict";

  const MAX_WORDS = 8; // as opscenter.selectors.text_terms

  function words(text) {
    return String(text || "")
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, MAX_WORDS);
  }

  function empty() {
    return { q: "", severity: [], source: [], district: [] };
  }

  function normalised(filters) {
    const given = filters || {};
    return {
      q: String(given.q || "").trim(),
      severity: (given.severity || []).map(Number),
      source: (given.source || []).map(String),
      district: (given.district || []).map(String),
    };
  }

  function isEmpty(filters) {
    const f = normalised(filters);
    return !f.q && !f.severity.length && !f.source.length && !f.district.length;
  }

  /** The predicate of the filters, made once per change (the list asks it of every alert). */
  function compile(filters) {
    const f = normalised(filters);
    const severities = new Set(f.severity);
    const sources = new Set(f.source);
    const districts = new Set(f.district);
    const terms = words(f.q);
    return function (alert) {
      if (severities.size && !severities.has(alert.severity)) {
        return false;
      }
      if (sources.size && !sources.has(alert.source)) {
        return false;
      }
      if (districts.size && !districts.has(alert.district)) {
        return false;
      }
      if (terms.length) {
        const texts = [alert.title, alert.address, alert.kind].map(function (value) {
          return String(value || "").toLowerCase();
        });
        return terms.every(function (term) {
          return texts.some(function (text) {
            return text.indexOf(term) !== -1;
          });
        });
      }
      return true;
    };
  }

  function matches(alert, filters) {
    return compile(filters)(alert);
  }

  window.OpscenterFilters = { words: words, empty: empty, isEmpty: isEmpty, compile: compile, matches: matches };

  // ------------------------------------------------------------ the console's form

  const form = document.getElementById("alert-filters");
  const hooks = window.OpscenterConsole || (window.OpscenterConsole = {});
  if (!form) {
    return;
  }
  const strings = Object.assign({}, (document.getElementById("filter-strings") || {}).dataset);
  const shownElement = document.getElementById("alert-shown");
  const noMatchElement = document.getElementById("alert-list-nomatch");
  const activeElement = form.querySelector("[data-part=active]");
  const viewSelect = document.getElementById("saved-view");
  const saveForm = form.querySelector("[data-part=save-form]");
  const nameInput = document.getElementById("saved-view-name");
  const deleteButton = form.querySelector("[data-command=delete-view]");
  const viewsUrl = "/api/v1/views/";
  let current = empty();
  let views = [];

  function format(template, values) {
    return String(template || "").replace(/\{(\w+)\}/g, function (match, name) {
      return name in values ? values[name] : match;
    });
  }

  function read() {
    const data = new FormData(form);
    const district = String(data.get("district") || "");
    return normalised({
      q: data.get("q"),
      severity: data.getAll("severity"),
      source: data.getAll("source"),
      district: district ? [district] : [],
    });
  }

  function write(filters) {
    const f = normalised(filters);
    form.elements.q.value = f.q;
    form.querySelectorAll("input[name=severity]").forEach(function (box) {
      box.checked = f.severity.indexOf(Number(box.value)) !== -1;
    });
    form.querySelectorAll("input[name=source]").forEach(function (box) {
      box.checked = f.source.indexOf(box.value) !== -1;
    });
    form.elements.district.value = f.district[0] || "";
  }

  function apply(filters) {
    current = normalised(filters);
    hooks.shows = isEmpty(current) ? null : compile(current);
    const count = current.severity.length + current.source.length + current.district.length;
    activeElement.textContent = count ? format(strings.active, { count: count }) : "";
    form.dataset.active = String(!isEmpty(current));
    if (hooks.dashboard) {
      hooks.dashboard.refilter();
    }
  }

  hooks.listed = function (shown, total) {
    const filtering = !isEmpty(current);
    shownElement.textContent = filtering ? format(strings.shown, { shown: shown, total: total }) : "";
    shownElement.hidden = !filtering;
    noMatchElement.hidden = !(filtering && shown === 0 && total > 0);
    form.dataset.shown = String(shown);
  };

  let typing = null;
  form.addEventListener("input", function (event) {
    if (event.target.name === "q") {
      clearTimeout(typing);
      typing = setTimeout(function () {
        apply(read());
      }, 150);
    }
  });
  form.addEventListener("change", function (event) {
    if (event.target.name && event.target !== viewSelect && event.target !== nameInput) {
      apply(read());
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault(); // Enter in the search applies at once, and leaves the page where it is
    if (document.activeElement === nameInput) {
      saveView();
      return;
    }
    clearTimeout(typing);
    apply(read());
  });

  // ------------------------------------------------------------ saved views

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.status === 204 ? null : response.json();
    });
  }

  function say(text) {
    shownElement.hidden = false;
    shownElement.textContent = text;
  }

  function renderViews(selectedId) {
    const first = viewSelect.options[0];
    viewSelect.replaceChildren(first);
    views.forEach(function (view) {
      const option = document.createElement("option");
      option.value = String(view.id);
      option.textContent = view.name;
      viewSelect.appendChild(option);
    });
    viewSelect.value = selectedId ? String(selectedId) : "";
    deleteButton.disabled = !viewSelect.value;
  }

  function loadViews(selectedId) {
    return request("GET", viewsUrl)
      .then(function (list) {
        views = list || [];
        renderViews(selectedId);
      })
      .catch(function () {});
  }

  function selectedView() {
    const id = Number(viewSelect.value);
    return views.find(function (view) {
      return view.id === id;
    });
  }

  viewSelect.addEventListener("change", function () {
    const view = selectedView();
    deleteButton.disabled = !view;
    write(view ? view.filters : empty());
    apply(read());
  });

  function saveView() {
    const name = nameInput.value.trim();
    if (!name) {
      say(strings.nameNeeded);
      nameInput.focus();
      return;
    }
    request("POST", viewsUrl, { name: name, filters: read() })
      .then(function (view) {
        saveForm.hidden = true;
        say(strings.saved);
        return loadViews(view.id);
      })
      .then(function () {
        viewSelect.focus();
      })
      .catch(function () {
        say(strings.failed);
      });
  }

  form.addEventListener("click", function (event) {
    const button = event.target.closest("button[data-command]");
    if (!button) {
      return;
    }
    const command = button.dataset.command;
    if (command === "clear") {
      write(empty());
      viewSelect.value = "";
      deleteButton.disabled = true;
      apply(read());
      form.elements.q.focus();
    } else if (command === "save-view") {
      const view = selectedView();
      saveForm.hidden = false;
      nameInput.value = view ? view.name : "";
      nameInput.focus();
    } else if (command === "save-view-confirm") {
      saveView();
    } else if (command === "save-view-cancel") {
      saveForm.hidden = true;
      form.querySelector("[data-command=save-view]").focus();
    } else if (command === "delete-view") {
      const view = selectedView();
      if (!view) {
        return;
      }
      request("DELETE", viewsUrl + view.id + "/")
        .then(function () {
          say(strings.deleted);
          return loadViews(null);
        })
        .then(function () {
          viewSelect.focus();
        })
        .catch(function () {
          say(strings.failed);
        });
    }
  });

  nameInput.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      saveForm.hidden = true;
      event.stopPropagation();
    }
  });

  // "/" puts the cursor in the search, as in many consoles (console_keys.js lists it).
  document.addEventListener("keydown", function (event) {
    const target = event.target;
    const typingThere = target && target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typingThere && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      form.elements.q.focus();
      form.elements.q.select();
    }
  });

  loadViews(null);
})();
