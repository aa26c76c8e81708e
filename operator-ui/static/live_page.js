// The supervisor's live board (/live): the page is rendered by the server; this keeps it current.
//
// - Every event the socket brings (static/live.js) refetches the board's JSON from /live/api/snapshot, at most
//   twice a second however many events arrive, and every 15 s anyway.
// - Every second the waits tick on the client: cells with data-since (Unix ms, on the server's clock) show the
//   time since, and turn to warning / breach at data-warning / data-target.
// - An sla_breach event flashes the alert banner.
// - The "Updated live" label says when the socket is not connected.
//
// Names and texts come from clients and operators: they go in with textContent only, never as markup.
(function () {
  "use strict";
  var root = document.querySelector("[data-testid=live]");
  if (!root) return;
  var MIN_GAP = 500, SAFETY = 15000, BANNER_FOR = 8000;
  var offset = 0; // server clock minus ours
  var serverNow = parseInt(root.getAttribute("data-now"), 10);
  if (serverNow > 0) offset = serverNow - Date.now();
  var inFlight = false, pending = false, lastFetch = 0, timer = null, bannerTimer = null;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function waitText(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var pad = function (n) { return n < 10 ? "0" + n : String(n); };
    if (s >= 3600) return Math.floor(s / 3600) + ":" + pad(Math.floor(s / 60) % 60) + ":" + pad(s % 60);
    return Math.floor(s / 60) + ":" + pad(s % 60);
  }

  function timed(td, since, warning, target, fallback) {
    if (since > 0) {
      td.setAttribute("data-since", since);
      td.setAttribute("data-warning", warning);
      td.setAttribute("data-target", target);
    } else {
      td.textContent = fallback;
    }
    return td;
  }

  function tick() {
    var now = Date.now() + offset;
    root.querySelectorAll("[data-since]").forEach(function (td) {
      var waited = now - parseInt(td.getAttribute("data-since"), 10);
      td.textContent = waitText(waited);
      var target = parseInt(td.getAttribute("data-target"), 10), warning = parseInt(td.getAttribute("data-warning"), 10);
      td.classList.toggle("live-late", target > 0 && waited >= target);
      td.classList.toggle("live-near", warning > 0 && waited >= warning && !(target > 0 && waited >= target));
    });
  }

  function fill(rows, list, build) {
    var body = root.querySelector("[data-rows=" + rows + "]");
    var fresh = document.createDocumentFragment();
    list.forEach(function (item) { fresh.appendChild(build(item)); });
    body.replaceChildren(fresh);
  }

  function show(testid, visible) {
    var e = root.querySelector("[data-testid=" + testid + "]");
    if (e) e.hidden = !visible;
  }

  function render(v) {
    if (v.now > 0) offset = v.now - Date.now();
    root.querySelectorAll("[data-field]").forEach(function (e) {
      var k = e.getAttribute("data-field");
      if (Object.prototype.hasOwnProperty.call(v, k)) e.textContent = String(v[k]);
    });
    var card = root.querySelector("[data-testid=live-breaches-card]");
    if (card) card.classList.toggle("live-bad", !!v.has_breaches);

    fill("queues", v.queues, function (q) {
      var tr = el("tr");
      tr.setAttribute("data-testid", "live-queue");
      tr.setAttribute("data-queue", q.id);
      tr.appendChild(el("td", q.label));
      var n = el("td", q.waiting, "num");
      n.setAttribute("data-testid", "live-queue-waiting");
      tr.appendChild(n);
      tr.appendChild(timed(el("td", q.wait_text, "num"), q.oldest_ms, q.warning_ms, q.target_ms, "—"));
      tr.appendChild(el("td", q.target, "num"));
      var at = el("td", q.alarm_at, "num");
      at.setAttribute("data-testid", "live-queue-alarm-at");
      tr.appendChild(at);
      return tr;
    });

    fill("channels", v.channels || [], function (c) {
      var tr = el("tr");
      tr.setAttribute("data-testid", "live-channel");
      tr.setAttribute("data-channel", c.channel);
      tr.appendChild(el("td", c.label));
      var w = el("td", c.waiting, "num");
      w.setAttribute("data-testid", "live-channel-waiting");
      tr.appendChild(w);
      var o = el("td", c.assigned, "num");
      o.setAttribute("data-testid", "live-channel-open");
      tr.appendChild(o);
      return tr;
    });

    var manageLabel = root.querySelector("[data-testid=live-team]").getAttribute("data-manage-label");
    fill("operators", v.operators, function (o) {
      var tr = el("tr");
      tr.setAttribute("data-testid", "live-operator");
      tr.setAttribute("data-operator", o.id);
      var manage = el("a", o.name);
      manage.href = "/live/operators/" + encodeURIComponent(o.id);
      manage.title = manageLabel;
      manage.setAttribute("data-testid", "live-operator-manage");
      tr.appendChild(el("td")).appendChild(manage);
      var td = el("td");
      td.appendChild(el("span", o.status_label, "badge presence-" + String(o.status).replace(/[^a-z]/g, "")));
      tr.appendChild(td);
      tr.appendChild(el("td", o.load_text, "num"));
      tr.appendChild(el("td", o.sla_text, "num"));
      tr.appendChild(el("td", o.last_seen));
      return tr;
    });
    show("live-team", v.operators.length > 0);
    show("live-team-none", v.operators.length === 0);

    var openLabel = root.querySelector("[data-testid=live-alerts]").getAttribute("data-open-label");
    fill("alerts", v.alerts, function (a) {
      var tr = el("tr", null, a.breached ? "live-breach" : "live-warn");
      tr.setAttribute("data-testid", "live-alert");
      var who = el("td");
      who.appendChild(el("strong", a.company));
      who.appendChild(document.createTextNode(" "));
      who.appendChild(el("span", a.client, "muted"));
      tr.appendChild(who);
      var ch = el("span", a.channel_label, "badge channel-badge channel-" + String(a.channel).replace(/[^a-z]/g, ""));
      ch.setAttribute("data-testid", "live-alert-channel");
      tr.appendChild(el("td")).appendChild(ch);
      tr.appendChild(el("td", a.operator));
      tr.appendChild(el("td", a.queue));
      tr.appendChild(timed(el("td", a.wait_text, "num"), a.since_ms, a.warning_ms, a.target_ms, ""));
      tr.appendChild(el("td", a.state_label));
      var link = el("a", openLabel);
      link.href = "/live/dialogs/" + encodeURIComponent(a.conversation_id);
      link.setAttribute("data-testid", "live-alert-open");
      var td2 = el("td");
      td2.appendChild(link);
      tr.appendChild(td2);
      return tr;
    });
    show("live-alerts", v.alerts.length > 0);
    show("live-alerts-none", v.alerts.length === 0);
    renderAlarms(v.alarms || []);
    tick();
  }

  // --- alarms: a line per open alarm, a button to acknowledge it, and a short sound for each new one ---
  // Browsers let a page make sound only after the user has interacted with it: until then the sound stays off
  // (the button says so) and a new alarm waits to sound at the first click or key.
  var alarmBox = root.querySelector("[data-testid=live-alarms]");
  var soundButton = root.querySelector("[data-testid=live-sound]");
  var audio = null, sounded = {}, beeps = 0;

  function alarmItem(a) {
    var li = el("li", null, "live-alarm" + (a.acknowledged ? " live-alarm-acked" : ""));
    li.setAttribute("data-testid", "live-alarm");
    li.setAttribute("data-alarm", a.id);
    li.setAttribute("data-kind", a.kind);
    var text = el("strong", a.text);
    text.setAttribute("data-testid", "live-alarm-text");
    li.appendChild(text);
    li.appendChild(document.createTextNode(" "));
    var when = el("span", a.since_text + " · " + alarmBox.getAttribute("data-for-label") + " ", "muted");
    var since = el("span");
    since.setAttribute("data-since", a.since_ms);
    when.appendChild(since);
    li.appendChild(when);
    li.appendChild(document.createTextNode(" "));
    if (a.acknowledged) {
      var acked = el("span", a.ack_text);
      acked.setAttribute("data-testid", "live-alarm-acked");
      li.appendChild(acked);
    } else {
      var ack = el("button", alarmBox.getAttribute("data-ack-label"));
      ack.type = "button";
      ack.setAttribute("data-testid", "live-alarm-ack");
      ack.setAttribute("data-ack", a.id);
      li.appendChild(ack);
    }
    return li;
  }

  function renderAlarms(list) {
    if (!alarmBox) return;
    fill("alarms", list, alarmItem);
    alarmBox.hidden = list.length === 0;
    soundNew(list);
  }

  // soundNew sounds once for every unacknowledged alarm not sounded yet; without sound it waits for it.
  function soundNew(list) {
    var fresh = list.filter(function (a) { return !a.acknowledged && !sounded[a.id]; });
    if (fresh.length === 0 || !audio || audio.state !== "running") return;
    fresh.forEach(function (a) { sounded[a.id] = true; });
    beep();
  }

  function beep() {
    var t0 = audio.currentTime;
    [0, 0.25].forEach(function (offset, i) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = "sine";
      osc.frequency.value = i === 0 ? 880 : 660;
      gain.gain.setValueAtTime(0.0001, t0 + offset);
      gain.gain.exponentialRampToValueAtTime(0.3, t0 + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + offset + 0.2);
      osc.connect(gain).connect(audio.destination);
      osc.start(t0 + offset);
      osc.stop(t0 + offset + 0.22);
    });
    beeps++;
    root.setAttribute("data-beeps", String(beeps));
  }

  function currentAlarms() {
    var list = [];
    root.querySelectorAll("[data-testid=live-alarm]").forEach(function (li) {
      list.push({ id: li.getAttribute("data-alarm"), acknowledged: li.classList.contains("live-alarm-acked") });
    });
    return list;
  }

  function soundOn() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    if (!audio) audio = new Ctx();
    var ready = audio.state === "running" ? Promise.resolve() : audio.resume();
    ready.then(function () {
      if (soundButton) {
        soundButton.textContent = soundButton.getAttribute("data-text-on");
        soundButton.setAttribute("data-sound", "on");
      }
      soundNew(currentAlarms());
    }, function () { /* still not allowed: the next interaction tries again */ });
  }
  document.addEventListener("pointerdown", soundOn);
  document.addEventListener("keydown", soundOn);

  if (alarmBox) {
    alarmBox.addEventListener("click", function (e) {
      var button = e.target.closest("[data-ack]");
      if (!button) return;
      button.disabled = true;
      fetch("/live/api/alarms/" + encodeURIComponent(button.getAttribute("data-ack")) + "/ack", {
        method: "POST", credentials: "same-origin", cache: "no-store"
      }).then(function () { soon(); }, function () { button.disabled = false; });
    });
  }

  function refetch() {
    timer = null;
    if (inFlight) { pending = true; return; }
    inFlight = true;
    pending = false;
    lastFetch = Date.now();
    fetch("/live/api/snapshot", { credentials: "same-origin", cache: "no-store" }).then(function (res) {
      if (res.status === 401) { window.location.assign("/login?next=%2Flive"); return null; }
      return res.ok ? res.json() : null;
    }).then(function (v) {
      if (v) render(v);
    }, function () { /* offline: the next event or the safety refetch tries again */ }).then(function () {
      inFlight = false;
      if (pending) soon();
    });
  }

  // soon refetches now, or as soon as MIN_GAP has passed since the last one: a burst of events costs one fetch.
  function soon() {
    if (inFlight) { pending = true; return; }
    if (timer !== null) return;
    var wait = Math.max(0, lastFetch + MIN_GAP - Date.now());
    timer = setTimeout(refetch, wait);
  }

  function breachBanner() {
    var banner = root.querySelector("[data-testid=live-breach-banner]");
    if (!banner) return;
    banner.hidden = false;
    root.classList.add("live-alerting");
    if (bannerTimer !== null) clearTimeout(bannerTimer);
    bannerTimer = setTimeout(function () {
      banner.hidden = true;
      root.classList.remove("live-alerting");
      bannerTimer = null;
    }, BANNER_FOR);
  }

  // The "Updated live" label says whether the socket is open: while it is not, the figures may be behind (the
  // safety refetch still runs), and the supervisor should know.
  function liveStatus(connected) {
    var label = root.querySelector("[data-testid=live-updated]");
    if (!label) return;
    label.textContent = label.getAttribute(connected ? "data-text-connected" : "data-text-disconnected");
    label.classList.toggle("live-disconnected", !connected);
    label.setAttribute("data-connected", connected ? "true" : "false");
  }

  if (window.DozvonLive) {
    window.DozvonLive.onEvent(function (e) {
      if (e.kind === "typing") return; // nothing on the board changes
      if (e.kind === "sla_breach") breachBanner();
      // An alarm event refetches the board like any other: the alarms come with it.
      soon();
    });
    window.DozvonLive.onStatus(liveStatus);
  }
  setInterval(tick, 1000);
  setInterval(function () { if (Date.now() - lastFetch >= SAFETY) soon(); }, SAFETY);
  tick();
})();
