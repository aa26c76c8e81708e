// An import's page: while the import runs, its progress is asked of the server every second and drawn; when it
// ends the page reloads, and the server draws the report. Only numbers and catalog labels from the JSON are put
// on the page, with textContent.
(function () {
  "use strict";
  var POLL_MS = 1000;
  var card = document.querySelector("[data-import-job]");
  if (!card || card.dataset.status !== "running") return;
  var id = card.dataset.importJob;

  function draw(p) {
    card.querySelectorAll("[data-field]").forEach(function (el) {
      var f = el.dataset.field;
      if (f === "bar") {
        if (p.percent === null) el.removeAttribute("value"); // unknown: the bar moves without a figure
        else el.value = p.percent;
      } else if (f === "percent") el.textContent = p.percent === null ? "" : p.percent + "%";
      else if (f in p) el.textContent = String(p[f]);
    });
  }

  function poll() {
    var next = function () { setTimeout(poll, POLL_MS); };
    fetch("/imports/api/jobs/" + encodeURIComponent(id), { credentials: "same-origin", cache: "no-store",
      headers: { "Accept": "application/json" } })
      .then(function (res) {
        if (res.status === 401) {
          window.location.assign("/login?next=" + encodeURIComponent(location.pathname));
          return null;
        }
        return res.ok ? res.json() : null;
      })
      .then(function (p) {
        if (!p) { next(); return; }
        draw(p);
        if (p.status === "running") next();
        else window.location.reload();
      }, next);
  }

  setTimeout(poll, POLL_MS);
})();
