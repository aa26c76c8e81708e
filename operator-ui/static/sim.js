// The simulator page: lists the simulated clients of Telegram and MAX, shows the chosen client's chat with the bot as a phone
// would, and sends what the client does to /sim/api/... . The chat is polled every 700 ms; the server sends the whole
// (bounded) history, and the page appends what is new, or redraws when messages were edited or deleted.
//
// Everything in a chat is untrusted (the client's text is typed by anyone, the bot's comes from campaign templates):
// it is put on the page with text nodes and textContent only, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("sim");
  if (!root) return;
  var t = root.dataset; // translated strings, data-t-*
  var POLL_MS = 700, LIST_EVERY = 4; // the client list is refreshed every 4th poll

  var $ = function (id) { return document.getElementById(id); };
  var els = {
    clients: $("sim-clients"), noClients: $("sim-no-clients"), newForm: $("sim-new"),
    pick: $("sim-pick"), open: $("sim-open"), tools: $("sim-tools"),
    avatar: $("sim-avatar"), name: $("sim-name"), sub: $("sim-sub"),
    log: $("sim-log"), keyboard: $("sim-keyboard"), compose: $("sim-compose"), text: $("sim-text"),
    startForm: $("sim-start"), link: $("sim-link"), block: $("sim-block"), status: $("sim-status"),
    file: $("sim-file"), badge: $("sim-channel-badge"), inviteHint: $("sim-invite-hint")
  };
  var defaultPlaceholder = els.text.getAttribute("placeholder");

  var current = null;     // the open client: "channel:id" (the two messengers number their users apart)
  function key(c) { return (c.channel || "telegram") + ":" + c.id; }
  function parts(k) { var i = k.indexOf(":"); return { channel: k.slice(0, i), id: k.slice(i + 1) }; }
  // chatPath is the sim API's path for the open client's chat, naming its messenger.
  function chatPath(k, action) {
    var p = parts(k);
    return "/sim/api/chats/" + p.id + (action ? "/" + action : "") + "?channel=" + p.channel;
  }
  function channelName(ch) { return ch === "max" ? t.tChannelMax : t.tChannelTelegram; }
  var shownChat = "";     // the JSON last drawn, to skip redrawing an unchanged chat
  var shownMessages = []; // each drawn message as JSON, to append new ones rather than redraw the log
  var shownList = "";
  var requestSeq = 0, drawnSeq = 0; // a slow poll must not overwrite what a later action drew
  var ticks = 0;

  // --- talking to the server ---

  function api(method, path, body) {
    var opts = { method: method, credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } };
    if (body instanceof FormData) {
      opts.body = body; // a file: the browser writes the multipart form and its boundary
    } else if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(path, opts).then(function (res) {
      if (res.status === 401) { // the session ended: the login page brings the person back here
        window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
        throw new Error("");
      }
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new Error(data.error || t.tFailed.replace("%s", String(res.status)));
        return data;
      });
    });
  }

  function say(msg) { els.status.textContent = msg || ""; }

  // --- the client list ---

  function fullName(c) { return c.last_name ? c.first_name + " " + c.last_name : c.first_name; }

  function loadClients() {
    return api("GET", "/sim/api/clients").then(drawClients);
  }

  // What the person has read of each chat: the number of the bot's messages when they last had it open, kept in
  // the browser. A client seen for the first time has nothing unread; what the bot sends later is.
  var seen = {};
  try { seen = JSON.parse(localStorage.getItem("dozvon-sim-seen") || "{}"); } catch (e) { seen = {}; }
  function markSeen(id, n) {
    seen[id] = n;
    try { localStorage.setItem("dozvon-sim-seen", JSON.stringify(seen)); } catch (e) { /* private mode */ }
  }

  var search = $("sim-search");
  var lastList = [];

  function drawClients(list) {
    lastList = list;
    list.forEach(function (c) {
      if (!(key(c) in seen) || key(c) === current) markSeen(key(c), c.from_bot);
    });
    var q = search ? search.value.trim().toLowerCase() : "";
    var sig = JSON.stringify(list) + "|" + current + "|" + q;
    if (sig === shownList) return;
    shownList = sig;
    var focused = document.activeElement && document.activeElement.dataset.client;
    els.clients.replaceChildren();
    list.filter(function (c) {
      if (!q) return true;
      var digits = q.replace(/\D/g, "");
      return (fullName(c) + " " + (c.username || "")).toLowerCase().indexOf(q) >= 0 ||
        (digits.length >= 3 && (c.phone || "").replace(/\D/g, "").indexOf(digits) >= 0);
    }).forEach(function (c) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "sim-client";
      b.dataset.client = key(c);
      b.setAttribute("aria-pressed", key(c) === current ? "true" : "false");
      var name = document.createElement("span");
      name.className = "sim-client-name";
      name.textContent = fullName(c);
      var meta = document.createElement("small");
      meta.textContent = c.phone || (c.username ? "@" + c.username : "id " + c.id);
      var channel = document.createElement("span");
      channel.className = "badge sim-channel-" + c.channel;
      channel.dataset.testid = "sim-client-channel";
      channel.textContent = channelName(c.channel);
      b.append(name, channel, meta);
      var unread = c.from_bot - (seen[key(c)] || 0);
      if (unread > 0) {
        var dot = document.createElement("span");
        dot.className = "sim-unread";
        dot.dataset.testid = "sim-unread";
        dot.textContent = String(unread);
        dot.title = t.tUnread;
        b.append(dot);
      }
      if (c.blocked) {
        var badge = document.createElement("span");
        badge.className = "badge status-blocked";
        badge.textContent = t.tBlockedBadge;
        b.append(badge);
      }
      li.append(b);
      els.clients.append(li);
    });
    els.noClients.hidden = list.length > 0;
    if (focused) {
      var again = els.clients.querySelector('[data-client="' + focused + '"]');
      if (again) again.focus();
    }
  }

  if (search) search.addEventListener("input", function () { drawClients(lastList); });

  // --- the chat ---

  function open(id) {
    current = id;
    shownChat = "";
    shownMessages = [];
    shownList = "";
    var url = new URL(location.href);
    url.searchParams.set("client", id);
    history.replaceState(null, "", url);
    els.pick.hidden = true;
    els.open.hidden = false;
    els.tools.hidden = false;
    say("");
    return Promise.all([refreshChat(), loadClients()]);
  }

  function refreshChat() {
    if (current === null) return Promise.resolve();
    var id = current, seq = ++requestSeq;
    return api("GET", chatPath(id)).then(function (chat) { draw(chat, seq, id); });
  }

  // act sends one thing the client does and draws the chat the server answers with.
  function act(action, body) {
    if (current === null) return Promise.resolve(false);
    var id = current, seq = ++requestSeq;
    return api("POST", chatPath(id, action), body || {}).then(function (chat) {
      say("");
      draw(chat, seq, id, true);
      loadClients().catch(function () {}); // blocking shows in the list too
      return true;
    }, function (err) {
      say(err.message);
      return false;
    });
  }

  function draw(chat, seq, id, toBottom) {
    if (id !== current || seq < drawnSeq) return;
    drawnSeq = seq;
    var sig = JSON.stringify(chat);
    if (sig === shownChat) return;
    shownChat = sig;

    var c = chat.client;
    els.name.textContent = fullName(c);
    els.avatar.textContent = (c.first_name || "?").charAt(0).toUpperCase();
    var bot = c.channel === "max" ? t.maxBot : t.bot;
    els.sub.textContent = c.blocked ? t.tBlocked : (c.phone || "") + "  ·  @" + bot;
    els.badge.textContent = channelName(c.channel);
    els.badge.className = "badge sim-channel-" + c.channel;
    els.inviteHint.textContent = c.channel === "max" ? t.tInviteHintMax : t.tInviteHint;
    els.block.textContent = c.blocked ? t.tUnblock : t.tBlock;
    els.block.dataset.action = c.blocked ? "unblock" : "block";

    var log = els.log;
    var atBottom = toBottom || log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    var keys = chat.messages.map(function (m) { return JSON.stringify(m); });
    var grown = shownMessages.length > 0 && shownMessages.length <= keys.length &&
      shownMessages.every(function (k, i) { return k === keys[i]; });
    if (grown) {
      // Only new messages: append them, so a screen reader announces just those and focus stays put.
      chat.messages.slice(shownMessages.length).forEach(function (m) { log.append(bubble(m)); });
    } else {
      // Edited or deleted messages, or another client: draw the log again, keeping focus on the same button.
      var focusKey = document.activeElement && log.contains(document.activeElement) && document.activeElement.dataset.key;
      log.replaceChildren();
      if (!chat.messages.length) {
        var empty = document.createElement("li");
        empty.className = "sim-empty";
        empty.textContent = t.tEmptyChat;
        log.append(empty);
      }
      chat.messages.forEach(function (m) { log.append(bubble(m)); });
      if (focusKey) {
        var again = log.querySelector('[data-key="' + focusKey + '"]');
        if (again) again.focus();
      }
    }
    shownMessages = keys;
    if (atBottom) log.scrollTop = log.scrollHeight;
    drawKeyboard(chat.keyboard, chat.placeholder);
  }

  function bubble(m) {
    var li = document.createElement("li");
    li.className = "sim-msg " + (m.from_bot ? "from-bot" : "from-client");
    li.dataset.testid = "sim-message";
    li.dataset.from = m.from_bot ? "bot" : "client";
    var b = document.createElement("div");
    b.className = "sim-bubble";
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = (m.from_bot ? t.tFromBot : t.tFromClient) + " ";
    b.append(who);
    var body = document.createElement("div");
    body.className = "sim-text";
    body.dataset.testid = "sim-body";
    if (m.file) {
      var file = document.createElement("div");
      file.className = "sim-file";
      file.dataset.testid = "sim-file-line";
      file.textContent = m.file.kind === "photo" ? t.tPhoto : t.tFile.replace("%s", m.file.name || "");
      b.append(file);
    }
    if (m.phone) body.textContent = "📱 " + t.tShared.replace("%s", m.phone);
    else body.append(formatted(m.text || "", m.entities || []));
    var meta = document.createElement("small");
    meta.className = "sim-time";
    var d = new Date(m.date * 1000);
    meta.textContent = (m.edited ? t.tEdited + " " : "") + d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    b.append(body, meta);
    li.append(b);
    if (m.buttons && m.buttons.length) li.append(inlineKeyboard(m));
    return li;
  }

  // formatted renders Telegram's parsed text: entities mark spans by UTF-16 offsets, which is how JavaScript
  // strings count too. Each stretch between entity boundaries becomes a text node wrapped in the elements of the
  // entities covering it, so nesting works and nothing is ever parsed as HTML.
  function formatted(text, entities) {
    var frag = document.createDocumentFragment();
    var cuts = [0, text.length];
    entities.forEach(function (e) { cuts.push(e.offset, e.offset + e.length); });
    cuts = cuts.filter(function (p, i, a) { return p >= 0 && p <= text.length && a.indexOf(p) === i; })
      .sort(function (a, b) { return a - b; });
    for (var i = 0; i + 1 < cuts.length; i++) {
      var from = cuts[i], to = cuts[i + 1];
      var node = document.createTextNode(text.slice(from, to));
      var covering = entities.filter(function (e) { return e.offset <= from && e.offset + e.length >= to; });
      for (var j = covering.length - 1; j >= 0; j--) node = wrap(node, covering[j]);
      frag.append(node);
    }
    return frag;
  }

  var entityTags = {
    bold: "strong", italic: "em", underline: "u", strikethrough: "s", code: "code", pre: "code",
    spoiler: "span", blockquote: "q", expandable_blockquote: "q"
  };

  function wrap(node, e) {
    var el;
    if (e.type === "text_link" || e.type === "url") {
      var href = e.type === "url" ? node.textContent : e.url;
      if (!safeHref(href)) return node;
      el = document.createElement("a");
      el.href = href;
      el.target = "_blank";
      el.rel = "noopener noreferrer";
    } else if (entityTags[e.type]) {
      el = document.createElement(entityTags[e.type]);
      el.className = "sim-e-" + e.type;
    } else {
      return node; // mentions, hashtags, commands ... read as plain text
    }
    el.append(node);
    return el;
  }

  function safeHref(href) {
    try {
      var u = new URL(href, location.href);
      return u.protocol === "https:" || u.protocol === "http:" || u.protocol === "tg:";
    } catch (err) {
      return false;
    }
  }

  function inlineKeyboard(m) {
    var kb = document.createElement("div");
    kb.className = "sim-inline";
    m.buttons.forEach(function (row, r) {
      var line = document.createElement("div");
      line.className = "sim-row";
      row.forEach(function (btn, c) {
        var el;
        if (btn.url) {
          el = document.createElement("a");
          el.href = btn.url;
          el.target = "_blank";
          el.rel = "noopener noreferrer";
          el.className = "button";
        } else {
          el = document.createElement("button");
          el.type = "button";
          if (btn.data) {
            el.dataset.press = btn.data;
            el.dataset.message = String(m.id);
            if (m.mid) el.dataset.mid = m.mid;
          } else if (btn.request_contact) {
            el.dataset.action = "contact"; // MAX's "share my phone" is a button under the message
          } else {
            el.disabled = true; // a kind of button the simulator cannot play
          }
        }
        el.dataset.key = "m" + m.id + "-" + r + "-" + c;
        el.textContent = btn.text;
        line.append(el);
      });
      kb.append(line);
    });
    return kb;
  }

  var shownKeyboard = "";

  function drawKeyboard(rows, placeholder) {
    var sig = JSON.stringify([rows, placeholder]);
    if (sig === shownKeyboard) return; // redrawing would take the focus off a keyboard button
    shownKeyboard = sig;
    els.keyboard.replaceChildren();
    els.keyboard.hidden = !rows || !rows.length;
    (rows || []).forEach(function (row) {
      var line = document.createElement("div");
      line.className = "sim-row";
      row.forEach(function (btn) {
        var el = document.createElement("button");
        el.type = "button";
        el.textContent = btn.text;
        if (btn.request_contact) el.dataset.action = "contact";
        else el.dataset.say = btn.text; // a plain keyboard button sends its text
        line.append(el);
      });
      els.keyboard.append(line);
    });
    els.text.setAttribute("placeholder", placeholder || defaultPlaceholder);
  }

  // --- what the person does ---

  els.clients.addEventListener("click", function (e) {
    var b = e.target.closest("[data-client]");
    if (b) open(b.dataset.client).then(function () { els.text.focus(); }, function (err) { say(err.message); });
  });

  els.newForm.addEventListener("submit", function (e) {
    e.preventDefault();
    var f = els.newForm.elements;
    var channel = f.channel ? f.channel.value : "telegram";
    api("POST", "/sim/api/clients?channel=" + channel, {
      first_name: f.first_name.value, last_name: f.last_name.value, phone: f.phone.value
    }).then(function (res) {
      f.first_name.value = "";
      f.last_name.value = "";
      f.phone.value = res.next_phone;
      return open(key(res.client)).then(function () { els.link.focus(); });
    }).catch(function (err) { say(err.message); });
  });

  function sendTyped() {
    var text = els.text.value;
    if (!text.trim()) return;
    act("text", { text: text }).then(function (ok) {
      if (ok) els.text.value = "";
      els.text.focus();
    });
  }

  els.compose.addEventListener("submit", function (e) { e.preventDefault(); sendTyped(); });

  // A photo or file goes with what is typed as its caption, as in Telegram's apps.
  els.file.addEventListener("change", function () {
    var f = els.file.files[0];
    if (!f) return;
    var form = new FormData();
    form.append("caption", els.text.value);
    form.append("file", f, f.name);
    act("media", form).then(function (ok) {
      if (ok) els.text.value = "";
      els.file.value = "";
      els.text.focus();
    });
  });

  // Enter sends, Shift+Enter is a new line, as in Telegram's apps; not while an input method is composing.
  els.text.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      sendTyped();
    }
  });

  els.startForm.addEventListener("submit", function (e) {
    e.preventDefault();
    act("start", { link: els.link.value }).then(function (ok) { if (ok) els.link.value = ""; });
  });

  root.addEventListener("click", function (e) {
    var el = e.target.closest("[data-action], [data-press], [data-say]");
    if (!el || !root.contains(el)) return;
    if (el.dataset.press) act("press", { message_id: Number(el.dataset.message), mid: el.dataset.mid || "", data: el.dataset.press });
    else if (el.dataset.say) act("text", { text: el.dataset.say });
    else if (el.dataset.action === "stop") {
      if (parts(current).channel === "max") act("block"); // MAX's clients stop the bot from its menu
      else act("text", { text: "/stop" });
    }
    else act(el.dataset.action); // contact, block, unblock
  });

  // --- polling ---

  function tick() {
    var work = [];
    if (!document.hidden) {
      work.push(refreshChat());
      if (ticks++ % LIST_EVERY === 0) work.push(loadClients());
    }
    Promise.all(work).then(function () {
      if (els.status.textContent === t.tOffline) say("");
    }, function (err) {
      say(err instanceof TypeError ? t.tOffline : err.message); // TypeError: the network, not the server, failed
    }).then(function () { setTimeout(tick, POLL_MS); });
  }

  // A reload keeps the open client (?client=ID); one that is gone (another database, say) leaves the page as new.
  var wanted = new URL(location.href).searchParams.get("client") || "";
  if (wanted && wanted.indexOf(":") < 0) wanted = "telegram:" + wanted; // a link from before MAX
  var first = wanted ? open(wanted) : loadClients();
  first.catch(function (err) {
    current = null;
    els.pick.hidden = false;
    els.open.hidden = true;
    els.tools.hidden = true;
    say(err.message);
    return loadClients();
  }).catch(function () {}).then(function () { setTimeout(tick, POLL_MS); });
})();
