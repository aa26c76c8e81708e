// Keyboard navigation: "g" then a letter opens the section whose link carries that data-key; "?" focuses the
// navigation. Typing in a field never triggers shortcuts.
(function () {
  "use strict";
  var pendingG = false, timer = null;
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (pendingG) {
      pendingG = false;
      clearTimeout(timer);
      var link = document.querySelector('.sidenav a[data-key="' + e.key + '"]');
      if (link) { e.preventDefault(); window.location.assign(link.getAttribute("href")); }
      return;
    }
    if (e.key === "g") { pendingG = true; timer = setTimeout(function () { pendingG = false; }, 1200); return; }
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
