// Live events: one websocket per page to /ws, for the console and live pages.
//
//   var stop = DozvonLive.onEvent(function (e) { ... });  // e: {id, kind, conversation_id, payload}
//
// Events come in id order, each once. The socket opens with the first onEvent and resumes after the last id it
// saw, so a reconnect (a network blip, a deploy, another instance behind the balancer) loses and repeats nothing;
// reconnects wait longer after each failure (0.5 s up to 30 s, with jitter). A page whose server-rendered state is
// as of event N says so with data-last-event="N" on any element: the stream then starts right after it. Without
// it the stream starts when the socket opens, and a page should not rely on events before the first it receives.
//
// When the user or the session ends the server closes with 4401, and the page goes to the login page. A failed
// handshake (a 401 there is invisible to scripts) is checked against /api/v1/me after the second failure.
//
//   DozvonLive.onStatus(function (connected) { ... });  // now, and whenever the socket opens or closes
//
// lets a page say whether what it shows is live.
(function () {
  "use strict";
  var MIN_DELAY = 500, MAX_DELAY = 30000, SESSION_ENDED = 4401;
  var handlers = [], lastId = null, socket = null, timer = null, failures = 0, started = false;
  var watchers = [], connected = false;

  function setConnected(v) {
    if (connected === v) return;
    connected = v;
    watchers.slice().forEach(function (fn) {
      try { fn(v); } catch (err) { if (window.console) console.error(err); }
    });
  }

  function socketURL() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    return lastId === null ? url : url + "?after=" + lastId;
  }

  function toLogin() {
    window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
  }

  function deliver(e) {
    if (lastId !== null && e.id <= lastId) return;
    lastId = e.id;
    handlers.slice().forEach(function (fn) {
      try { fn(e); } catch (err) { if (window.console) console.error(err); }
    });
  }

  function connect() {
    timer = null;
    var opened = false;
    socket = new WebSocket(socketURL());
    socket.onopen = function () { opened = true; failures = 0; setConnected(true); };
    socket.onmessage = function (m) {
      var e;
      try { e = JSON.parse(m.data); } catch (err) { return; }
      if (e && typeof e.id === "number") deliver(e);
    };
    socket.onclose = function (ev) {
      socket = null;
      setConnected(false);
      if (ev.code === SESSION_ENDED) { toLogin(); return; }
      failures++;
      if (!opened && failures >= 2) checkSession();
      schedule();
    };
  }

  function checkSession() {
    fetch("/api/v1/me", { credentials: "same-origin", cache: "no-store" }).then(function (res) {
      if (res.status === 401) toLogin();
    }, function () { /* offline: the next attempt asks again */ });
  }

  function schedule() {
    if (timer !== null) return;
    var ceiling = Math.min(MAX_DELAY, MIN_DELAY * Math.pow(2, Math.max(0, failures - 1)));
    timer = setTimeout(connect, ceiling / 2 + Math.random() * ceiling / 2);
  }

  function start() {
    if (started) return;
    started = true;
    var marked = document.querySelector("[data-last-event]");
    if (marked) {
      var n = parseInt(marked.getAttribute("data-last-event"), 10);
      if (n >= 0) lastId = n;
    }
    connect();
  }

  // Back online: try now rather than after the rest of the delay.
  window.addEventListener("online", function () {
    if (timer !== null) { clearTimeout(timer); connect(); }
  });

  window.DozvonLive = {
    // onEvent calls fn with every event from now on and returns a function that stops it.
    onEvent: function (fn) {
      handlers.push(fn);
      start();
      return function () { handlers = handlers.filter(function (h) { return h !== fn; }); };
    },
    // lastId is the id of the newest event received (or the page's data-last-event), null before any.
    lastId: function () { return lastId; },
    // onStatus calls fn(connected) now and on every change, and returns a function that stops it. It does not
    // open the socket by itself: onEvent does.
    onStatus: function (fn) {
      watchers.push(fn);
      try { fn(connected); } catch (err) { if (window.console) console.error(err); }
      return function () { watchers = watchers.filter(function (w) { return w !== fn; }); };
    }
  };
})();
