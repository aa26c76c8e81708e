// Campaign pages: live progress on the list and on a campaign's page, the schedule preview as the manager types,
// variables inserted into the message at the cursor, and a confirmation before what cannot be undone.
//
// Everything put on the page comes from the server's JSON and goes in with textContent or a property, never as
// HTML: campaign names and schedules are typed by people.
(function () {
  "use strict";
  var PROGRESS_MS = 2000, SCHEDULE_DELAY_MS = 300, PREVIEW_DELAY_MS = 400;

  function getJSON(url, init) {
    init = init || {};
    init.credentials = "same-origin";
    init.cache = "no-store";
    init.headers = Object.assign({ "Accept": "application/json" }, init.headers || {});
    return fetch(url, init)
      .then(function (res) {
        if (res.status === 401) { // the session ended: the login page brings the person back here
          window.location.assign("/login?next=" + encodeURIComponent(location.pathname + location.search));
          throw new Error("logged out");
        }
        return res.json().then(function (data) { return { ok: res.ok, data: data }; });
      });
  }

  // --- progress: every element with data-campaign="ID" has cells marked data-field, refreshed from the JSON ---

  function drawProgress(c) {
    document.querySelectorAll('[data-campaign="' + c.id + '"] [data-field]').forEach(function (el) {
      var f = el.dataset.field;
      if (f === "bar") el.value = c.done;
      else if (f === "done") el.textContent = c.done + "%";
      else if (f === "status") {
        el.textContent = c.status_label;
        el.className = "badge campaign-" + c.status;
      } else if (f in c) el.textContent = String(c[f]);
    });
  }

  function pollProgress() {
    var next = function () { setTimeout(pollProgress, PROGRESS_MS); };
    if (document.hidden) { next(); return; }
    getJSON("/campaigns/api/progress").then(function (res) {
      if (res.ok) res.data.campaigns.forEach(drawProgress);
      next();
    }, next);
  }

  if (document.querySelector("[data-progress]")) setTimeout(pollProgress, PROGRESS_MS);

  // --- forms that ask first ---

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  // --- variables: a click puts {{.Name}} where the cursor is in the message ---

  var body = document.getElementById("f-body");
  document.addEventListener("click", function (e) {
    var chip = e.target.closest("[data-insert]");
    if (!chip || !body) return;
    var token = chip.dataset.insert, from = body.selectionStart, to = body.selectionEnd;
    body.setRangeText(token, from, to, "end");
    body.focus();
    body.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // --- the schedule's next runs, asked of the server as the manager types (it knows cron and time zones) ---

  var schedule = document.getElementById("f-schedule");
  var preview = document.getElementById("f-schedule-preview");
  if (schedule && preview) {
    var errorEl = preview.querySelector("[data-testid=schedule-error]");
    var labelEl = preview.querySelector("[data-testid=schedule-label]");
    var listEl = preview.querySelector("[data-testid=next-runs]");
    var timer = null, seq = 0;

    var draw = function (runs, problem) {
      errorEl.hidden = !problem;
      errorEl.textContent = problem || "";
      schedule.setAttribute("aria-invalid", problem ? "true" : "false");
      labelEl.textContent = problem ? "" : (runs.length ? preview.dataset.next : preview.dataset.byHand);
      listEl.replaceChildren();
      runs.forEach(function (r) {
        var li = document.createElement("li");
        li.textContent = r;
        listEl.append(li);
      });
    };

    var ask = function () {
      var mine = ++seq;
      getJSON("/campaigns/api/schedule?expr=" + encodeURIComponent(schedule.value)).then(function (res) {
        if (mine !== seq) return; // a later keystroke already asked
        if (res.ok) draw(res.data.runs, "");
        else draw([], res.data.error);
      }, function () {});
    };

    schedule.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, SCHEDULE_DELAY_MS);
    });
  }

  // --- the schedule builder: weekdays, times and a zone written as the cron text, and read back from it ---
  //
  // The cron text stays what is posted; the builder only writes it, and fills itself from it when the text is
  // one it can show (CRON_TZ=zone, one minute, listed hours, every day of the month, listed weekdays).

  var builder = document.querySelector("[data-schedule-builder]");
  if (builder && schedule) {
    var dayBoxes = Array.prototype.slice.call(builder.querySelectorAll("[data-day]"));
    var timesEl = builder.querySelector("[data-times]");
    var zoneEl = builder.querySelector("[data-zone]");
    var noteEl = builder.querySelector("[data-sched-note]");
    var hint = noteEl.textContent, writing = false;

    var pad = function (n) { return (n < 10 ? "0" : "") + n; };

    // daysField lists cron weekdays (0 = Sunday) with runs folded: 1-5, 0,6, or * for every day.
    var daysField = function (days) {
      if (days.length === 7) return "*";
      var parts = [], i = 0;
      while (i < days.length) {
        var j = i;
        while (j + 1 < days.length && days[j + 1] === days[j] + 1) j++;
        parts.push(j - i >= 2 ? days[i] + "-" + days[j] : days.slice(i, j + 1).join(","));
        i = j + 1;
      }
      return parts.join(",");
    };

    var build = function () {
      var days = dayBoxes.filter(function (b) { return b.checked; })
        .map(function (b) { return Number(b.value); }).sort(function (a, b) { return a - b; });
      var times = timesEl.value.split(/[\s,;]+/).filter(Boolean);
      var hours = [], minute = null, bad = "";
      times.forEach(function (t) {
        var m = /^([01]?\d|2[0-3])[:.]([0-5]\d)$/.exec(t);
        if (!m) { bad = bad || builder.dataset.badTime; return; }
        if (minute !== null && Number(m[2]) !== minute) bad = bad || builder.dataset.minutes;
        minute = Number(m[2]);
        if (hours.indexOf(Number(m[1])) < 0) hours.push(Number(m[1]));
      });
      if (!days.length) bad = bad || builder.dataset.noDays;
      if (bad || !hours.length) {
        noteEl.textContent = bad || hint;
        return;
      }
      hours.sort(function (a, b) { return a - b; });
      noteEl.textContent = hint;
      writing = true;
      schedule.value = "CRON_TZ=" + zoneEl.value + " " + minute + " " + hours.join(",") + " * * " + daysField(days);
      schedule.dispatchEvent(new Event("input", { bubbles: true }));
      writing = false;
    };

    // readBack fills the builder from the cron text, when it is one the builder could have written.
    var readBack = function () {
      var text = schedule.value.trim();
      if (!text) { noteEl.textContent = hint; return; }
      var m = /^CRON_TZ=(\S+)\s+(\d{1,2})\s+(\d{1,2}(?:,\d{1,2})*)\s+\*\s+\*\s+(\S+)$/.exec(text);
      var days = m && readDays(m[4]);
      var zoneKnown = m && Array.prototype.some.call(zoneEl.options, function (o) { return o.value === m[1]; });
      if (!m || !days || !zoneKnown || Number(m[2]) > 59 || m[3].split(",").some(function (h) { return Number(h) > 23; })) {
        noteEl.textContent = builder.dataset.unreadable;
        return;
      }
      zoneEl.value = m[1];
      dayBoxes.forEach(function (b) { b.checked = days.indexOf(Number(b.value)) >= 0; });
      timesEl.value = m[3].split(",").map(function (h) { return pad(Number(h)) + ":" + pad(Number(m[2])); }).join(", ");
      noteEl.textContent = hint;
    };

    var readDays = function (field) {
      if (field === "*") return [0, 1, 2, 3, 4, 5, 6];
      var out = [];
      var ok = field.split(",").every(function (part) {
        var r = /^([0-7])(?:-([0-7]))?$/.exec(part);
        if (!r) return false;
        var from = Number(r[1]), to = r[2] === undefined ? from : Number(r[2]);
        if (to < from) return false;
        for (var d = from; d <= to; d++) if (out.indexOf(d % 7) < 0) out.push(d % 7);
        return true;
      });
      return ok ? out : null;
    };

    dayBoxes.forEach(function (b) { b.addEventListener("change", build); });
    timesEl.addEventListener("input", build);
    zoneEl.addEventListener("change", build);
    schedule.addEventListener("input", function () { if (!writing) readBack(); });
    readBack();
  }

  // --- the message preview, redrawn as the manager types (the server renders it on the audience's first lead) ---

  var live = document.querySelector("[data-live-preview]");
  if (live) {
    var form = live.closest("form");
    var whoEl = live.querySelector("[data-testid=live-preview-who]");
    var problemEl = live.querySelector("[data-testid=live-preview-error]");
    var bubble = live.querySelector("[data-testid=live-preview]");
    var buttonsEl = live.querySelector("[data-testid=live-preview-buttons]");
    var previewTimer = null, previewSeq = 0;

    var drawPreview = function (data) {
      problemEl.hidden = !data.error;
      problemEl.textContent = data.error || "";
      if (data.error) return;
      whoEl.textContent = data.who;
      // data.html is the server's telegramHTML: Telegram's formatting tags only, every text escaped — the markup
      // the page's own preview is rendered with.
      bubble.innerHTML = data.html;
      buttonsEl.replaceChildren();
      data.buttons.forEach(function (row) {
        var rowEl = document.createElement("div");
        rowEl.className = "tg-row";
        row.forEach(function (text) {
          var b = document.createElement("span");
          b.className = "tg-button";
          b.textContent = text;
          rowEl.append(b);
        });
        buttonsEl.append(rowEl);
      });
    };

    var askPreview = function () {
      var mine = ++previewSeq;
      getJSON("/campaigns/api/preview?campaign=" + encodeURIComponent(live.dataset.campaignId || ""), {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(new FormData(form)).toString()
      }).then(function (res) {
        if (mine === previewSeq && res.ok) drawPreview(res.data);
      }, function () {});
    };

    var later = function (e) {
      if (e.target.closest && e.target.closest("[data-schedule-builder]")) return;
      clearTimeout(previewTimer);
      previewTimer = setTimeout(askPreview, PREVIEW_DELAY_MS);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    askPreview();
  }
})();
