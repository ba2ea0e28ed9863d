/* The supervisor's wallboard, kept live.
 *
 * The board itself is rendered by the server (opscenter/templates/opscenter/_wallboard_board.html, in the
 * reader's language); this script keeps it current: it listens to the same alert feed as the console
 * (/ws/alerts/, with ?snapshot=none: the numbers without the open alerts, which it does not need) and,
 * whenever an alert or a unit of the scope changes, fetches the board again (at most one fetch
 * at a time, changes in a burst folded into one). It also fetches every REFRESH_MS, for what the feed
 * does not carry (who opened or closed a console, the ages). When the feed or a fetch fails the board
 * greys and says since when it is not live; an ended session goes to the sign-in page and back.
 */
(function () {
  "use strict";

  const root = document.getElementById("wallboard");
  if (!root) {
    return;
  }
  const strings = document.getElementById("wallboard-strings").dataset;
  const container = document.getElementById("wallboard-board");
  const connection = document.getElementById("wallboard-connection");
  const stale = document.getElementById("wallboard-stale");

  const REFRESH_MS = 15000;
  const FOLD_MS = 300;
  const PING_EVERY_MS = 20000;
  const SILENCE_LIMIT_MS = 45000;
  const RECONNECT_MIN_MS = 1000;
  const RECONNECT_MAX_MS = 30000;

  let socket = null;
  let reconnectAttempts = 0;
  let reconnectTimer = null;
  let lastMessageAt = Date.now();
  let fetching = false;
  let again = false;
  let foldTimer = null;
  let fetchFailed = false;
  const unitsShown = new Map(); // unit id -> its status and assignment as last heard

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function boardTime() {
    const board = container.querySelector(".board");
    const at = board ? new Date(board.dataset.at) : new Date();
    return at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false });
  }

  function setConnection(state) {
    const live = state === "live" && !fetchFailed;
    root.dataset.connection = live ? "live" : state === "live" ? "stale" : state;
    connection.dataset.state = live ? "live" : state === "live" ? "reconnecting" : state;
    const labels = {
      connecting: strings.connecting,
      live: live ? strings.live : strings.reconnecting,
      reconnecting: strings.reconnecting,
      signedOut: strings.signedOut,
      forbidden: strings.forbidden,
    };
    connection.textContent = labels[state] || state;
    stale.hidden = live || state === "connecting";
    stale.querySelector('[data-part="as-of"]').textContent = format(strings.dataAsOf, { time: boardTime() });
  }

  function currentState() {
    return socket && socket.readyState === WebSocket.OPEN ? "live" : "reconnecting";
  }

  function toSignIn() {
    location.assign(root.dataset.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search));
  }

  function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    fetch(root.dataset.boardUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.redirected && new URL(response.url).pathname === root.dataset.loginUrl) {
          toSignIn();
          throw new Error("signed out");
        }
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        container.innerHTML = html;
        fetchFailed = false;
        setConnection(currentState());
      })
      .catch(function () {
        fetchFailed = true;
        setConnection(currentState());
      })
      .finally(function () {
        fetching = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  function changed() {
    if (foldTimer !== null) {
      return;
    }
    foldTimer = setTimeout(function () {
      foldTimer = null;
      refresh();
    }, FOLD_MS);
  }

  function handleMessage(message) {
    if (message.type === "snapshot") {
      if (message.last) {
        reconnectAttempts = 0;
        setConnection("live");
        changed();  // what changed while the feed was away
      }
    } else if (["alert", "alert.removed", "alert.escalated"].includes(message.type)) {
      changed();
    } else if (message.type === "unit" && message.unit) {
      // The board shows a unit's status and assignment, not its position: a moving unit fetches nothing.
      const unit = message.unit;
      const shown = unit.status + ":" + (unit.assignment ? unit.assignment.id + ":" + unit.assignment.status : "");
      if (unitsShown.get(unit.id) !== shown) {
        unitsShown.set(unit.id, shown);
        changed();
      }
    }
  }

  function connect() {
    reconnectTimer = null;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const current = new WebSocket(scheme + location.host + root.dataset.socketPath);
    socket = current;
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
        toSignIn();
        return;
      }
      if (event.code === 4403) {
        container.innerHTML = "";
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
    reconnectTimer = setTimeout(connect, ceiling / 2 + Math.random() * (ceiling / 2));
  }

  setInterval(function () {
    if (!socket || socket.readyState !== WebSocket.OPEN) {
      return;
    }
    if (Date.now() - lastMessageAt > SILENCE_LIMIT_MS) {
      const current = socket;
      socket = null;
      current.close();
      scheduleReconnect();
      return;
    }
    socket.send(JSON.stringify({ type: "ping" }));
  }, PING_EVERY_MS);

  setInterval(refresh, REFRESH_MS);

  window.addEventListener("online", function () {
    if (reconnectTimer !== null) {
      clearTimeout(reconnectTimer);
      reconnectTimer = null;
      connect();
    }
  });

  setConnection("connecting");
  connect();
})();
