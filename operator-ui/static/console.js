// The operator console: my dialogs with their SLA clocks, the queue, the chat with its composer, the client card,
// scripts and offers. Live events (live.js) say what changed; the page then refetches the small JSON answers of
// /console/api/... . Everything the client wrote is untrusted: it only ever reaches the page as textContent.
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root) return;
  var S = {};
  try { S = JSON.parse(root.getAttribute("data-strings") || "{}"); } catch (err) { S = {}; }
  var TYPING_EVERY = 4000, HEARTBEAT_EVERY = 20000, RESYNC_EVERY = 30000;

  var state = { dialogs: [], queues: [], colleagues: [], presence: "" };
  var baseTitle = document.title;
  var openId = null, conv = null, card = null, skew = 0, clientOffset = null, clientZone = "", lastTyping = {}, readUpTo = {};

  function $(id) { return document.getElementById(id); }
  function t(key) {
    var s = Object.prototype.hasOwnProperty.call(S, key) ? S[key] : key;
    var args = Array.prototype.slice.call(arguments, 1), i = 0;
    return args.length ? s.replace(/%[sd]/g, function () { return String(args[i++]); }) : s;
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function testid(e, id) { e.setAttribute("data-testid", id); return e; }
  function typing(e) { return e && (e.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(e.tagName)); }
  // Dates, times and numbers as the page's language writes them (the server writes its figures the same way):
  // 02.03.2026 and 24-hour 14:05 in Russian.
  var LANG = document.documentElement.lang || "en";
  var timeOpts = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  var dateFmt = new Intl.DateTimeFormat(LANG, { day: "2-digit", month: "2-digit", year: "numeric" });
  var timeFmt = new Intl.DateTimeFormat(LANG, timeOpts);
  var oneDecimal = new Intl.NumberFormat(LANG, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  function hhmm(iso) { return iso ? timeFmt.format(new Date(iso)) : ""; }
  function day(iso) { return iso ? dateFmt.format(new Date(iso)) : ""; }
  // zoneTime is the time now in an IANA zone; null when the browser does not know the zone.
  function zoneTime(ms, zone) {
    try {
      return new Intl.DateTimeFormat(LANG, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone }).format(new Date(ms));
    } catch (err) { return null; }
  }
  function kindLabel(k) { return k ? t("kind." + k) : t("console.kind_none"); }
  // code is a stored code (a status, an event, a product ...) in words; a code the catalog does not know (a value
  // the bank's systems invented) is shown as it came.
  function code(group, value) {
    if (!value) return "";
    var key = "card." + group + "." + value;
    return Object.prototype.hasOwnProperty.call(S, key) ? S[key] : value;
  }

  // --- talking to the server ---

  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", cache: "no-store", headers: {} };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (res) {
      if (res.status === 401) {
        window.location.assign("/login?next=" + encodeURIComponent("/console"));
        throw new Error(t("console.err_request"));
      }
      if (res.status === 204) return {};
      return res.json().then(function (data) {
        if (!res.ok) {
          var e = new Error(data.error || res.statusText);
          e.status = res.status;
          e.field = data.field;
          throw e;
        }
        return data;
      }, function () {
        var e = new Error(t("console.err_internal"));
        e.status = res.status;
        throw e;
      });
    });
  }

  // coalesced runs fn at most once at a time; calls while it runs make it run once more afterwards, so a burst of
  // events costs two requests, and the last answer is always as new as the last event.
  function coalesced(fn) {
    var running = false, again = false;
    function run() {
      if (running) { again = true; return; }
      running = true;
      Promise.resolve().then(fn).catch(showError).then(function () {
        running = false;
        if (again) { again = false; run(); }
      });
    }
    return run;
  }

  var okTimer = null;
  function showError(err) {
    var box = $("console-error");
    box.textContent = err && err.message ? err.message : String(err);
    box.hidden = false;
    $("console-ok").hidden = true;
  }
  function clearError() { $("console-error").hidden = true; }
  function showOk(msg) {
    var box = $("console-ok");
    box.textContent = msg;
    box.hidden = false;
    clearTimeout(okTimer);
    okTimer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  // --- the list column ---

  var refreshList = coalesced(function () {
    return api("GET", "/console/api/state").then(renderState);
  });

  function renderState(st) {
    skew = Date.parse(st.server_time) - Date.now();
    state = st;
    renderPresence(st.presence);
    renderDialogs();
    renderQueues();
    renderTransferTargets();
    $("open-dialogs").textContent = String(st.dialogs.length);
    if (st.answered_60) $("answered-60").textContent = st.answered_60;
    var unread = st.dialogs.reduce(function (n, d) { return n + d.unread; }, 0);
    document.title = (unread ? "(" + unread + ") " : "") + baseTitle; // seen from another tab, too
    if (openId === null && st.dialogs.length) openDialog(st.dialogs[0].id);
    var d = dialogById(openId);
    if (d && conv && d.unread > 0) markRead();
  }

  function dialogById(id) {
    for (var i = 0; i < state.dialogs.length; i++) if (state.dialogs[i].id === id) return state.dialogs[i];
    return null;
  }

  function renderPresence(p) {
    state.presence = p;
    var s = $("presence-status");
    s.textContent = t("console.status_" + p);
    s.className = "presence-status presence-" + p;
    root.querySelectorAll("[data-presence]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-presence") === p ? "true" : "false");
    });
    $("presence-hint").textContent = p === "online" ? "" : t("console.presence_hint_" + p);
  }

  function slaSpan(since, target, warning) {
    var s = el("span", "sla");
    if (since) {
      s.setAttribute("data-since", since);
      s.setAttribute("data-target", target);
      s.setAttribute("data-warning", warning);
    }
    return s;
  }

  // channelBadge names the messenger a dialog is on, in words (a colour only repeats them), and the bot when there
  // are several.
  function channelBadge(x) {
    var b = testid(el("span", "badge channel-badge channel-" + x.channel, x.channel_label + (x.bot_name ? " · " + x.bot_name : "")), "channel-badge");
    b.setAttribute("data-channel", x.channel);
    return b;
  }

  function renderDialogs() {
    var ul = $("dialogs");
    ul.textContent = "";
    state.dialogs.forEach(function (d) {
      var li = testid(el("li", "dialog-item"), "dialog");
      li.setAttribute("data-id", d.id);
      var b = el("button", "dialog-open");
      b.type = "button";
      if (d.id === openId) { li.classList.add("open"); b.setAttribute("aria-current", "true"); }
      var top = el("span", "dialog-top");
      top.append(testid(el("span", "dialog-company", d.company || d.client_name || "#" + d.id), "dialog-company"));
      if (d.unread > 0) top.append(testid(el("span", "unread", d.unread), "dialog-unread"));
      b.append(top);
      var mid = el("span", "dialog-meta");
      mid.append(channelBadge(d), el("span", "", d.client_name), el("span", "badge", kindLabel(d.lead_kind)));
      b.append(mid);
      var bottom = el("span", "dialog-bottom");
      bottom.append(testid(el("span", "dialog-last", d.last_message), "dialog-last"));
      bottom.append(slaSpan(d.waiting_since, d.sla_target_ms, d.sla_warning_ms));
      b.append(bottom);
      b.addEventListener("click", function () { openDialog(d.id); });
      li.append(b);
      ul.append(li);
    });
    $("dialogs-empty").hidden = state.dialogs.length > 0;
    tick();
  }

  function renderQueues() {
    var ul = $("queues");
    ul.textContent = "";
    state.queues.forEach(function (q) {
      var li = testid(el("li", "queue-item" + (q.waiting > 0 ? " busy" : "")), "queue");
      li.append(el("span", "queue-name", q.lead_kind ? kindLabel(q.lead_kind) : t("console.queue_general")));
      li.append(testid(el("span", "queue-waiting", q.waiting), "queue-waiting"));
      if (q.oldest_waiting) {
        var age = el("span", "queue-age");
        age.setAttribute("data-age", q.oldest_waiting);
        li.append(age);
      }
      ul.append(li);
    });
  }

  function renderTransferTargets() {
    var sel = root.querySelector("#transfer-form select[name=to]");
    var keep = sel.value;
    sel.textContent = "";
    var ops = el("optgroup");
    ops.label = t("console.transfer_colleagues");
    state.colleagues.forEach(function (c) {
      var o = el("option", "", c.name + " · " + t("console.status_" + c.status));
      o.value = "operator:" + c.id;
      ops.append(o);
    });
    var qs = el("optgroup");
    qs.label = t("console.transfer_queues");
    state.queues.forEach(function (q) {
      var o = el("option", "", q.lead_kind ? kindLabel(q.lead_kind) : t("console.queue_general"));
      o.value = "queue:" + q.id;
      qs.append(o);
    });
    if (ops.children.length) sel.append(ops);
    sel.append(qs);
    if (keep) sel.value = keep;
  }

  // The clocks: every dialog's SLA countdown, the queue ages, and the client's local time.
  function clock(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    return Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
  }
  function tick() {
    var now = Date.now() + skew;
    root.querySelectorAll(".sla[data-since]").forEach(function (s) {
      var waited = now - Date.parse(s.getAttribute("data-since"));
      var target = +s.getAttribute("data-target"), warning = +s.getAttribute("data-warning");
      var level = waited >= target ? "breached" : waited >= warning ? "warning" : "ok";
      s.className = "sla sla-" + level;
      s.textContent = waited >= target ? "+" + clock(waited - target) : clock(target - waited);
      s.title = t("console.sla_" + level);
    });
    root.querySelectorAll("[data-age]").forEach(function (s) {
      s.textContent = clock(now - Date.parse(s.getAttribute("data-age")));
    });
    var lt = $("client-time");
    if (lt && clientOffset !== null) {
      lt.textContent = zoneTime(now, clientZone) || new Date(now + clientOffset * 60000).toISOString().slice(11, 16);
    }
  }

  // --- the chat ---

  var refreshChat = coalesced(function () {
    if (openId === null) return null;
    var id = openId;
    return api("GET", "/console/api/dialogs/" + id).then(function (c) {
      if (id === openId) renderChat(c);
    }, function (err) {
      if (id === openId && (err.status === 403 || err.status === 404)) { // transferred away, or gone
        closeChat();
        showOk(err.message);
        return;
      }
      throw err;
    });
  });

  var refreshCard = coalesced(function () {
    if (openId === null) return null;
    var id = openId;
    return api("GET", "/console/api/dialogs/" + id + "/card").then(function (c) {
      if (id === openId) renderCard(c);
    });
  });

  function openDialog(id) {
    if (openId !== id) {
      openId = id;
      conv = null;
      card = null;
      $("messages").textContent = "";
      $("card").textContent = "";
      clearError();
    }
    $("chat").hidden = false;
    $("chat-empty").hidden = true;
    root.querySelectorAll(".dialog-item").forEach(function (li) {
      var on = +li.getAttribute("data-id") === id;
      li.classList.toggle("open", on);
      li.querySelector("button").setAttribute("aria-current", on ? "true" : "false");
    });
    refreshChat();
    refreshCard();
  }

  function closeChat() {
    openId = null;
    conv = null;
    $("chat").hidden = true;
    $("chat-empty").hidden = false;
    $("card").textContent = "";
    $("scripts").textContent = "";
    $("offers").textContent = "";
    refreshList();
  }

  function step(delta) {
    if (!state.dialogs.length) return;
    var i = -1;
    state.dialogs.forEach(function (d, j) { if (d.id === openId) i = j; });
    i = i < 0 ? 0 : (i + delta + state.dialogs.length) % state.dialogs.length;
    openDialog(state.dialogs[i].id);
  }

  function authorOf(m) {
    if (m.direction === "in") return t("console.author_client");
    if (m.direction === "system") return t("console.author_system");
    if (m.campaign) return t("console.author_campaign");
    if (m.bot) return t("console.author_bot");
    return m.author;
  }

  function fileSize(n) {
    if (!n) return "";
    if (n < 1048576) return t("console.file_size_kb", String(Math.max(1, Math.round(n / 1024))));
    return t("console.file_size_mb", oneDecimal.format(n / 1048576));
  }

  // A client's photo is shown, any other file is a link to save it; until Dozvon has fetched it from the
  // messenger the line says it is loading, and the chat is refetched until it is there.
  function renderAttachment(a) {
    var box = testid(el("div", "msg-file msg-file-" + a.state), "msg-file");
    if (a.state === "ready" && a.image) {
      var open = el("a");
      open.href = a.url;
      open.target = "_blank";
      open.rel = "noopener";
      var img = testid(el("img", "msg-image"), "msg-image");
      img.src = a.url;
      img.alt = a.name;
      open.append(img);
      box.append(open);
    } else if (a.state === "ready") {
      var save = testid(el("a", "", "📎 " + a.name + (a.size ? ", " + fileSize(a.size) : "")), "msg-file-link");
      save.href = a.url;
      save.setAttribute("download", a.name);
      box.append(save);
    } else if (a.state === "pending") {
      box.append(el("span", "", t("console.file_loading", a.name)));
    } else if (a.state === "too_large") {
      box.append(el("span", "", t("console.file_too_large", a.name, fileSize(a.size))));
    } else {
      box.append(el("span", "", t("console.file_failed", a.name) + (a.reason ? ": " + a.reason : "")));
    }
    return box;
  }

  // A place, a poll, dice ...: the server words it in the operator's language; a place links to a map.
  function renderShared(s) {
    var box = testid(el("div", "msg-shared msg-shared-" + s.kind), "msg-shared");
    box.append(testid(el("span", "", s.text), "msg-shared-text"));
    if (s.lines && s.lines.length) {
      var ul = el("ul");
      s.lines.forEach(function (line) { ul.append(el("li", "", line)); });
      box.append(ul);
    }
    if (s.map_url && /^https:\/\//.test(s.map_url)) {
      var map = testid(el("a", "", s.map_text), "msg-map");
      map.href = s.map_url;
      map.target = "_blank";
      map.rel = "noopener noreferrer";
      box.append(" ", map);
    }
    return box;
  }

  var loadingTimer = null;
  function refetchWhileLoading(c) {
    var loading = c.messages.some(function (m) {
      return (m.attachments || []).some(function (a) { return a.state === "pending"; });
    });
    if (loading && loadingTimer === null) {
      loadingTimer = setTimeout(function () { loadingTimer = null; refreshChat(); }, 2000);
    }
  }

  function renderMessage(m) {
    var li = testid(el("li", "msg msg-" + m.direction + (m.bot ? " msg-bot" : "") + (m.campaign ? " msg-campaign" : "")), "msg");
    li.setAttribute("data-direction", m.direction);
    li.setAttribute("data-id", m.id);
    var meta = el("div", "msg-meta");
    meta.append(el("span", "msg-author", authorOf(m)));
    if (m.direction === "note") meta.append(el("span", "badge", m.handover ? t("console.note_handover") : t("console.note_label")));
    meta.append(el("time", "msg-time", hhmm(m.at)));
    li.append(meta);
    li.append(testid(el("div", "msg-text", m.text), "msg-text"));
    (m.attachments || []).forEach(function (a) { li.append(renderAttachment(a)); });
    if (m.shared) li.append(renderShared(m.shared));
    if (m.buttons && m.buttons.length) {
      var bs = el("div", "msg-buttons");
      m.buttons.forEach(function (b) { bs.append(el("span", "msg-button", b)); });
      li.append(bs);
    }
    if (m.delivery) {
      var d = testid(el("div", "delivery delivery-" + m.delivery, t("console.delivery_" + m.delivery)), "delivery");
      if (m.delivery_error) d.append(el("span", "delivery-error", " — " + m.delivery_error));
      li.append(d);
    }
    return li;
  }

  function renderChat(c) {
    conv = c;
    var d = dialogById(c.id);
    $("chat-title").textContent = d ? (d.company || d.client_name) : (card && card.card.Name) || "#" + c.id;
    $("chat-kind").textContent = kindLabel(c.lead_kind);
    $("chat-channel").replaceChildren(channelBadge(c));
    $("chat-status").textContent = t("console.conv_" + c.status) + (c.csat ? " · " + t("card.csat", c.csat) : "");
    var sla = $("chat-sla");
    sla.textContent = "";
    if (c.waiting_since && d) sla.append(slaSpan(c.waiting_since, d.sla_target_ms, d.sla_warning_ms));
    var list = $("messages");
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.textContent = "";
    c.messages.forEach(function (m) { list.append(renderMessage(m)); });
    refetchWhileLoading(c);
    if (atBottom || !list.dataset.shown || list.dataset.shown !== String(c.id)) list.scrollTop = list.scrollHeight;
    list.dataset.shown = String(c.id);
    var box = $("reply-text");
    // A chat the channel policy closes: a standing banner says why and what to do; answers are off, notes are not.
    $("chat-closed").textContent = c.channel_closed || "";
    $("chat-closed").hidden = !c.channel_closed;
    var can = c.mine && !c.channel_closed;
    box.disabled = !can && noteMode() === false;
    $("send").disabled = !can && !noteMode();
    root.querySelectorAll(".chat-actions button, .chat-actions select, .chat-actions input").forEach(function (x) {
      x.disabled = !c.mine && !(c.status === "closed" && x.closest("#outcome-form"));
    });
    box.placeholder = can ? c.reply_in + ": " + t("console.reply_placeholder") :
      c.mine ? t("console.reply_closed") : t("console.read_only_" + (c.status === "closed" ? "closed" : "other"));
    $("reply-channel").textContent = c.reply_in;
    $("reply-channel").hidden = !can;
    tick();
    if (d && d.unread > 0) markRead();
  }

  function markRead() {
    if (!conv || !conv.mine || document.visibilityState !== "visible") return;
    var last = 0;
    conv.messages.forEach(function (m) { if (m.id > last) last = m.id; });
    if (!last || readUpTo[conv.id] >= last) return;
    readUpTo[conv.id] = last;
    api("POST", "/console/api/dialogs/" + conv.id + "/read", { up_to: last }).then(refreshList, showError);
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") markRead(); });

  // --- the card ---

  function row(dl, label, value, id) {
    if (value === undefined || value === null || value === "") return;
    dl.append(el("dt", "", label));
    var dd = el("dd", "", value);
    if (id) testid(dd, id);
    dl.append(dd);
  }

  function section(title, items, fn) {
    var wrap = el("div", "card-section");
    wrap.append(el("h3", "", title));
    if (!items || !items.length) {
      wrap.append(el("p", "muted", t("console.none")));
      return wrap;
    }
    var ul = el("ul", "card-list");
    items.forEach(function (x) { ul.append(testid(el("li", "", fn(x)), "card-item")); });
    wrap.append(ul);
    return wrap;
  }

  function renderCard(data) {
    card = data;
    var k = data.card, box = $("card");
    box.textContent = "";
    var h = testid(el("h2", "card-company", k.Name || k.FirstName || "—"), "card-company");
    box.append(h);
    var dl = el("dl", "card-facts");
    row(dl, t("console.card_contact"), k.ContactName);
    row(dl, t("console.card_in", code("messenger", k.Channel)), k.FirstName + (k.Username ? " @" + k.Username : ""));
    row(dl, t("console.card_inn"), k.INN, "card-inn");
    row(dl, t("console.card_okved"), [k.OKVED].concat(k.OKVEDExtra || []).filter(Boolean).join(", "), "card-okved");
    row(dl, t("console.card_region"), k.Region, "card-region");
    clientOffset = null;
    clientZone = k.TimeZone;
    if (k.LocalTime && k.LocalTime.indexOf("0001-") !== 0) {
      var m = /([+-])(\d\d):(\d\d)$/.exec(k.LocalTime);
      clientOffset = m ? (m[1] === "-" ? -1 : 1) * (+m[2] * 60 + +m[3]) : 0;
      dl.append(el("dt", "", t("console.card_local_time")));
      var dd = el("dd");
      dd.append(testid(el("strong", "", ""), "card-local-time"), testid(el("span", "muted", " " + (data.zone || k.TimeZone)), "card-zone"));
      dd.firstChild.id = "client-time";
      dl.append(dd);
    }
    row(dl, t("console.card_segment"), code("segment", k.Segment));
    row(dl, t("console.card_lead"), k.LeadKind ? kindLabel(k.LeadKind) + " · " + code("lead_status", k.LeadStatus) : "", "card-lead");
    var consent = k.OptedOut ? t("console.card_opted_out") : k.ContactStatus === "blocked" ? t("console.card_blocked") : t("console.card_reachable");
    row(dl, t("console.card_contactable"), consent, "card-consent");
    if (k.Consent) row(dl, t("console.card_consent"), code("product", k.Consent.Product) + " · " + day(k.Consent.RecordedAt), "card-consent-product");
    box.append(dl);
    var chats = section(t("console.card_chats"), k.Chats, function (c) {
      return code("messenger", c.Channel) + " · " + t("card.chat_bot", c.BotName) + " · " + code("contact_status", c.Status) +
        " · " + t("card.linked_via." + c.LinkedVia) + " " + t("card.chat_linked", day(c.LinkedAt)) +
        (c.Current ? " · " + t("card.chat_this") : "");
    });
    testid(chats, "card-chats");
    box.append(chats);
    box.append(section(t("console.card_applications"), k.Applications, function (a) {
      return day(a.SubmittedAt) + " · " + code("product", a.Product) + " · " + code("app_status", a.Status) +
        (a.Channel ? " · " + code("channel", a.Channel) : "") + (a.FieldManager ? " · " + t("card.manager", a.FieldManager) : "");
    }));
    box.append(section(t("console.card_timeline"), (k.Timeline || []).slice(0, 12), function (e) {
      return day(e.OccurredAt) + " " + hhmm(e.OccurredAt) + " · " + code("event", e.Kind) + (e.Result ? " (" + code("result", e.Result) + ")" : "");
    }));
    box.append(section(t("console.card_campaigns"), (k.Campaigns || []).slice(0, 6), function (c) {
      return day(c.QueuedAt) + " · " + c.Name + " · " + code("outbox", c.State);
    }));
    box.append(section(t("console.card_dialogs"), (k.Conversations || []).slice(0, 6), function (c) {
      return "#" + c.ID + " · " + day(c.OpenedAt) + " · " + t("console.conv_" + c.Status) + (c.OperatorName ? " · " + c.OperatorName : "") +
        (c.Outcomes && c.Outcomes.length ? " · " + c.Outcomes.map(function (o) { return t("console.outcome_" + o); }).join(", ") : "") +
        (c.CSAT ? " · " + t("card.csat", c.CSAT) : "");
    }));
    box.append(section(t("console.card_outcomes"), (k.Outcomes || []).slice(0, 6), function (o) {
      var reason = LANG === "ru" ? o.ReasonRU : o.ReasonEN;
      return day(o.RecordedAt) + " · " + t("console.outcome_" + o.Kind) + (o.Product ? " · " + code("product", o.Product) : "") +
        (reason ? " · " + reason : "") + (o.Reason ? " · «" + o.Reason + "»" : "") +
        (o.Source && o.Source !== "operator" ? " · " + code("source", o.Source) : "");
    }));
    renderScripts();
    renderOffers();
    tick();
  }

  // --- the right column's tabs: card, scripts, offers ---

  function showTab(name) {
    root.querySelectorAll(".side-tabs [role=tab]").forEach(function (b) {
      var on = b.getAttribute("data-tab") === name;
      b.setAttribute("aria-selected", on ? "true" : "false");
      b.tabIndex = on ? 0 : -1;
      $("panel-" + b.getAttribute("data-tab")).hidden = !on;
    });
  }
  root.querySelectorAll(".side-tabs [role=tab]").forEach(function (b) {
    b.addEventListener("click", function () { showTab(b.getAttribute("data-tab")); });
  });

  // --- scripts and offers ---

  function renderScripts() {
    var ul = $("scripts"), q = $("script-filter").value.trim().toLowerCase().replace(/^\//, "");
    ul.textContent = "";
    if (!card) return;
    card.scripts.filter(function (s) {
      return !q || s.title.toLowerCase().indexOf(q) >= 0 || s.shortcut.indexOf(q) === 0;
    }).forEach(function (s) {
      var li = el("li");
      var b = testid(el("button", "script-item"), "script");
      b.type = "button";
      b.setAttribute("data-script", s.id);
      b.append(el("span", "", s.title));
      if (s.shortcut) b.append(el("kbd", "", "/" + s.shortcut));
      b.addEventListener("click", function () { insertScript(s, null); });
      li.append(b);
      ul.append(li);
    });
    if (!ul.children.length) ul.append(el("li", "muted", t("console.no_scripts")));
  }

  // insertScript puts a script, filled in with this client's details, where the cursor is (replacing the typed
  // "/shortcut" when there is one).
  function insertScript(s, token) {
    if (openId === null) return;
    api("GET", "/console/api/dialogs/" + openId + "/scripts/" + s.id).then(function (res) {
      var box = $("reply-text");
      var end = box.selectionEnd, start = token ? end - token.length : box.selectionStart;
      box.value = box.value.slice(0, start) + res.text + box.value.slice(end);
      box.focus();
      box.selectionStart = box.selectionEnd = start + res.text.length;
      hideSuggest();
    }, showError);
  }

  function shortcutBeforeCursor() {
    var box = $("reply-text");
    var m = /(^|\s)(\/[a-z0-9_-]*)$/.exec(box.value.slice(0, box.selectionEnd));
    return m ? m[2] : null;
  }
  function matchingScripts(token) {
    if (!card || !token) return [];
    var q = token.slice(1);
    return card.scripts.filter(function (s) { return s.shortcut && s.shortcut.indexOf(q) === 0; });
  }
  function hideSuggest() { $("script-suggest").hidden = true; }
  function suggest() {
    var token = shortcutBeforeCursor(), found = matchingScripts(token), ul = $("script-suggest");
    ul.textContent = "";
    if (!found.length) { ul.hidden = true; return; }
    found.slice(0, 6).forEach(function (s) {
      var li = el("li");
      var b = el("button", "", "/" + s.shortcut + " — " + s.title);
      b.type = "button";
      b.addEventListener("mousedown", function (e) { e.preventDefault(); insertScript(s, shortcutBeforeCursor()); });
      li.append(b);
      ul.append(li);
    });
    ul.hidden = false;
  }

  function renderOffers() {
    var ul = $("offers");
    ul.textContent = "";
    if (!card) return;
    card.offers.forEach(function (o) {
      var li = el("li");
      var b = testid(el("button", "offer-item", o.title), "offer");
      b.type = "button";
      b.title = o.text;
      b.setAttribute("data-offer", o.id);
      b.addEventListener("click", function () {
        confirmTwice(b, t("console.offer_confirm"), function () {
          api("POST", "/console/api/dialogs/" + openId + "/offers/" + encodeURIComponent(o.id)).then(function () {
            showOk(t("console.offer_sent"));
            refreshChat();
          }, showError);
        });
      });
      li.append(b);
      ul.append(li);
    });
  }

  // confirmTwice asks for a second click within a few seconds before an action that reaches the client.
  function confirmTwice(button, label, action) {
    if (button.getAttribute("data-armed")) {
      button.removeAttribute("data-armed");
      button.textContent = button.getAttribute("data-label");
      action();
      return;
    }
    button.setAttribute("data-armed", "1");
    button.setAttribute("data-label", button.textContent);
    button.textContent = label;
    setTimeout(function () {
      if (button.getAttribute("data-armed")) {
        button.removeAttribute("data-armed");
        button.textContent = button.getAttribute("data-label");
      }
    }, 4000);
  }

  // --- the composer ---

  function noteMode() { return root.querySelector("input[name=mode]:checked").value === "note"; }
  function setMode(note) {
    root.querySelector("input[name=mode][value=" + (note ? "note" : "reply") + "]").checked = true;
    root.querySelector(".composer").classList.toggle("note-mode", note);
    $("send").textContent = note ? t("console.add_note") : t("console.send");
    if (conv) renderChat(conv);
  }
  root.querySelectorAll("input[name=mode]").forEach(function (r) {
    r.addEventListener("change", function () { setMode(noteMode()); });
  });

  function send() {
    var box = $("reply-text"), text = box.value.trim();
    if (!text || openId === null) return;
    var id = openId, note = noteMode();
    $("send").disabled = true;
    api("POST", "/console/api/dialogs/" + id + "/" + (note ? "note" : "reply"), { text: text }).then(function () {
      if (box.value.trim() === text) box.value = "";
      clearError();
      hideSuggest();
      refreshChat();
      refreshList();
    }, showError).then(function () { $("send").disabled = false; });
  }

  $("composer").addEventListener("submit", function (e) { e.preventDefault(); send(); });
  $("reply-text").addEventListener("input", function () {
    suggest();
    if (noteMode() || !conv || !conv.mine || conv.channel_closed) return;
    var now = Date.now();
    if (now - (lastTyping[openId] || 0) < TYPING_EVERY) return;
    lastTyping[openId] = now;
    api("POST", "/console/api/dialogs/" + openId + "/typing").catch(function () { /* a courtesy only */ });
  });
  $("reply-text").addEventListener("keydown", function (e) {
    if ((e.key === "Tab" || e.key === " ") && !e.ctrlKey && !e.altKey) {
      var token = shortcutBeforeCursor(), found = matchingScripts(token);
      var exact = found.filter(function (s) { return "/" + s.shortcut === token; });
      if (e.key === "Tab" && found.length) { e.preventDefault(); insertScript(exact[0] || found[0], token); }
      else if (e.key === " " && exact.length) { e.preventDefault(); insertScript(exact[0], token); }
    }
  });
  $("script-filter").addEventListener("input", renderScripts);
  $("script-filter").addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      e.preventDefault();
      var first = $("scripts").querySelector("button");
      if (first) first.click();
    }
  });

  // --- presence, queue, outcome, transfer, close ---

  root.querySelectorAll("[data-presence]").forEach(function (b) {
    b.addEventListener("click", function () {
      api("POST", "/console/api/presence", { status: b.getAttribute("data-presence") }).then(function (res) {
        renderPresence(res.presence);
        refreshList();
      }, showError);
    });
  });

  function takeNext() {
    api("POST", "/console/api/take-next").then(function (res) {
      clearError();
      refreshList();
      openDialog(res.id);
    }, showError);
  }
  $("take-next").addEventListener("click", takeNext);

  var outcomeForm = $("outcome-form");
  function outcomeFields() {
    var kind = outcomeForm.elements.kind.value;
    outcomeForm.querySelector("[data-for=product]").hidden = kind !== "consent";
    outcomeForm.querySelector("[data-for=reason_id]").hidden = kind !== "refusal";
    outcomeForm.querySelector("[data-for=reason]").hidden = kind !== "refusal";
    outcomeForm.querySelector("[data-for=due_at]").hidden = kind !== "callback" && kind !== "meeting";
    outcomeForm.querySelector("[data-due-label]").textContent = kind === "meeting" ? t("console.field_deadline") : t("console.field_due_at");
  }
  outcomeForm.elements.kind.addEventListener("change", outcomeFields);
  outcomeFields();
  outcomeForm.addEventListener("submit", function (e) {
    e.preventDefault();
    if (openId === null) return;
    var f = outcomeForm.elements, kind = f.kind.value, body = { kind: kind };
    if (kind === "consent") body.product = f.product.value;
    if (kind === "refusal") {
      body.reason_id = +f.reason_id.value || 0;
      body.reason = f.reason.value;
    }
    if ((kind === "callback" || kind === "meeting") && f.due_at.value) {
      var due = new Date(f.due_at.value);
      body.due_at = isNaN(due.getTime()) ? f.due_at.value : due.toISOString();
    }
    api("POST", "/console/api/dialogs/" + openId + "/outcome", body).then(function () {
      clearError();
      showOk(t("console.outcome_saved"));
      $("outcome-box").open = false;
      outcomeForm.reset();
      outcomeFields();
      refreshCard();
    }, showError);
  });

  $("transfer-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (openId === null) return;
    var f = e.target.elements, to = (f.to.value || "").split(":"), body = { note: f.note.value };
    if (to[0] === "operator") body.operator_id = +to[1];
    if (to[0] === "queue") body.queue_id = +to[1];
    api("POST", "/console/api/dialogs/" + openId + "/transfer", body).then(function () {
      showOk(t("console.transferred"));
      $("transfer-box").open = false;
      e.target.reset();
      closeChat();
    }, showError);
  });

  $("close-dialog").addEventListener("click", function () {
    var b = $("close-dialog");
    if (openId === null) return;
    confirmTwice(b, t("console.close_confirm"), function () {
      api("POST", "/console/api/dialogs/" + openId + "/close").then(function () {
        showOk(t("console.closed"));
        refreshChat();
        refreshList();
      }, showError);
    });
  });

  // --- keyboard ---

  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && e.target === $("reply-text")) {
      e.preventDefault();
      send();
      return;
    }
    if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      step(e.key === "ArrowUp" ? -1 : 1);
      return;
    }
    if (e.altKey && e.code === "KeyN") { e.preventDefault(); takeNext(); return; }
    if (e.altKey && e.code === "KeyM") { e.preventDefault(); setMode(!noteMode()); $("reply-text").focus(); return; }
    if (e.key === "Escape") {
      if (!$("script-suggest").hidden) { hideSuggest(); return; }
      var open = root.querySelector("details[open]");
      if (open) { open.open = false; return; }
      clearError();
      if (typing(e.target)) e.target.blur();
      return;
    }
    if (e.key === "/" && !e.ctrlKey && !e.altKey && !e.metaKey && !typing(e.target)) {
      e.preventDefault();
      showTab("scripts");
      $("script-filter").focus();
    }
  });

  // --- live ---

  if (root.hasAttribute("data-offline")) return;
  window.DozvonLive.onEvent(function (e) {
    var mineOpen = e.conversation_id !== null && e.conversation_id === openId;
    switch (e.kind) {
      case "message":
      case "delivery":
      case "assigned":
      case "waiting":
      case "closed":
      case "outcome":
      case "csat":
      case "sla_warning":
      case "sla_breach":
        refreshList();
        if (mineOpen) refreshChat();
        if (mineOpen && (e.kind === "outcome" || e.kind === "closed")) refreshCard();
        break;
      case "presence":
        refreshList();
        break;
    }
  });
  refreshList();
  setInterval(tick, 1000);
  setInterval(refreshList, RESYNC_EVERY); // a safety net; events do the real work
  function heartbeat() {
    api("POST", "/console/api/heartbeat").then(function (res) { renderPresence(res.presence); }, function () { /* next time */ });
  }
  heartbeat();
  setInterval(heartbeat, HEARTBEAT_EVERY);
})();
