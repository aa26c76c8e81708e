// Campaign pages: live progress on the list and on a campaign's page, the schedule preview as the manager types,
// variables inserted into the message at the cursor, and a confirmation before what cannot be undone.
//
// Everything put on the page comes from the server's JSON and goes in with textContent or a property, never as
// HTML: campaign names and schedules are typed by people.
(function () {
  "use strict";
  var PROGRESS_MS = 2000, SCHEDULE_DELAY_MS = 300;

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
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
})();
