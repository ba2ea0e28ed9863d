/*
 * The console's keys beyond dashboard.js's (j/k, Enter, a, Esc): d dispatch, r resolve, c comment on the
 * selected alert, ? this help; and focus that lands where the work is after each action: after an
 * acknowledgement the detail's next action (dispatch) or, from the list, the next row; after a dispatch,
 * resolving; after a resolve, the next alert; after a comment, the comment again. Loaded after
 * dashboard.js, through OpscenterConsole.dashboard and its "console:acted" event.
 */
(function () {
  "use strict";

  const hooks = window.OpscenterConsole || {};
  const dashboard = hooks.dashboard;
  const root = document.getElementById("dashboard");
  const help = document.getElementById("keys-help");
  if (!dashboard || !root) {
    return;
  }
  const detail = dashboard.detail;
  const canAct = root.dataset.canAct === "true";

  function section(command) {
    return detail.querySelector("details[data-command=" + command + "]");
  }

  function visible(element) {
    return Boolean(element) && !element.hidden && !element.closest("[hidden]");
  }

  /** Open the detail of the selected alert at one of its actions, its first field focused. */
  function openAction(command) {
    const id = dashboard.selectedId();
    if (id === null || (command !== "comment" && !canAct)) {
      return false;
    }
    if (dashboard.detailId() !== id) {
      dashboard.openDetail(id);
    }
    const target = section(command);
    if (!visible(target)) {
      return false;
    }
    detail.querySelectorAll("details.action").forEach(function (other) {
      if (other !== target) {
        other.open = false;
      }
    });
    if (target.open) {
      const field = target.querySelector("input, select, textarea");
      if (field) {
        field.focus();
      }
    } else {
      target.open = true; // dashboard.js focuses the first field when a section opens
    }
    return true;
  }

  function focusSummary(command) {
    const target = section(command);
    if (visible(target)) {
      target.querySelector("summary").focus();
      return true;
    }
    return false;
  }

  // Where each action sends the focus. The row's next neighbour is read now, while the alert still holds
  // its place (a resolved one leaves the list at the next frame).
  // Where an action was started: in the detail (a button or a form of it) or from the list (a key). Read
  // when it starts, since the live feed may re-render the detail before the action's answer comes back
  // (the acknowledge button hides, and the focus with it).
  // The rows around it are read then too: a resolved alert may have left the list by the answer.
  let startedInDetail = null;
  const around = new Map(); // id -> {next, previous} when its action started

  function started(id, inDetail) {
    startedInDetail = inDetail ? id : null;
    if (id !== null) {
      around.set(id, { next: dashboard.neighbour(id, 1), previous: dashboard.neighbour(id, -1) });
    }
  }

  detail.addEventListener(
    "click",
    function (event) {
      if (event.target.closest("button[data-command], button[type=submit]")) {
        started(dashboard.detailId(), true);
      }
    },
    true
  );
  detail.addEventListener(
    "submit",
    function () {
      started(dashboard.detailId(), true);
    },
    true
  );
  document.addEventListener(
    "keydown",
    function (event) {
      if (event.key === "a" && !detail.contains(event.target) && !isTyping(event.target)) {
        started(dashboard.selectedId(), false);
      }
    },
    true
  );

  root.addEventListener("console:acted", function (event) {
    const id = event.detail.id;
    const action = event.detail.action;
    const inDetail = startedInDetail === id;
    const known = around.get(id) || { next: dashboard.neighbour(id, 1), previous: dashboard.neighbour(id, -1) };
    around.delete(id);
    const next = known.next;
    const previous = known.previous;
    // After the detail re-renders (the new state hides and shows actions), on the next frame.
    setTimeout(function () {
      if (action === "acknowledge") {
        if (inDetail && focusSummary("dispatch")) {
          return;
        }
        if (next !== null) {
          dashboard.select(next, { scroll: true });
        }
        dashboard.list.focus({ preventScroll: true });
      } else if (action === "dispatch") {
        if (!focusSummary("resolve")) {
          dashboard.list.focus({ preventScroll: true });
        }
      } else if (action === "resolve") {
        const target = next !== null ? next : previous;
        if (target !== null) {
          dashboard.select(target, { scroll: true });
        }
        dashboard.list.focus({ preventScroll: true });
      } else if (action === "comment") {
        if (!focusSummary("comment")) {
          dashboard.list.focus({ preventScroll: true });
        }
      }
    }, 300);
  });

  function isTyping(target) {
    return Boolean(target && target.closest && target.closest("input, textarea, select, [contenteditable]"));
  }

  function toggleHelp() {
    if (!help) {
      return;
    }
    if (help.open) {
      help.close();
    } else {
      help.showModal();
    }
  }

  if (help) {
    help.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "?") {
        event.preventDefault();
        event.stopPropagation(); // Esc closes the help, not the alert's detail behind it
        help.close();
      }
    });
    help.addEventListener("close", function () {
      const opener = document.getElementById("keys-help-open");
      if (opener) {
        opener.focus();
      }
    });
    help.querySelector("[data-command=close-help]").addEventListener("click", function () {
      help.close();
    });
    const opener = document.getElementById("keys-help-open");
    if (opener) {
      opener.addEventListener("click", toggleHelp);
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) {
      return;
    }
    if (help && help.open) {
      return;
    }
    let handled = false;
    switch (event.key) {
      case "d":
        handled = openAction("dispatch");
        break;
      case "r":
        handled = openAction("resolve");
        break;
      case "c":
        handled = openAction("comment");
        break;
      case "?":
        toggleHelp();
        handled = true;
        break;
      default:
        return;
    }
    if (handled) {
      event.preventDefault();
    }
  });
})();
