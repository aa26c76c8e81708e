// Keyboard navigation: "g" then a letter opens the section whose link carries that data-key; "?" focuses the
// navigation. Typing in a field never triggers shortcuts. The letter counts within 1.2 s of the "g", measured by
// the keys' own times (a page busy between the two, starting its sound say, does not lose the second key).
(function () {
  "use strict";
  var gAt = -Infinity;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key !== "g" && e.timeStamp - gAt < 1200) {
      gAt = -Infinity;
      var link = document.querySelector('.sidenav a[data-key="' + e.key + '"]');
      if (link) { e.preventDefault(); window.location.assign(link.getAttribute("href")); }
      return;
    }
    if (e.key === "g") { gAt = e.timeStamp; return; }
    if (e.key === "?") {
      var first = document.querySelector(".sidenav a");
      if (first) { e.preventDefault(); first.focus(); }
    }
  });
  document.addEventListener("click", function (e) {
    var t = e.target.closest("[data-nav-toggle]");
    if (!t) return;
    var nav = document.getElementById("sidenav");
    var open = nav.classList.toggle("open");
    t.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
