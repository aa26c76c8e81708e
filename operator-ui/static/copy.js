// Buttons with data-copy put their text on the clipboard (a temporary password, say) and say so for a moment.
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var b = e.target.closest("[data-copy]");
    if (!b || !navigator.clipboard) return;
    navigator.clipboard.writeText(b.dataset.copy).then(function () {
      var label = b.textContent;
      b.textContent = b.dataset.copied;
      setTimeout(function () { b.textContent = label; }, 2000);
    }, function () {});
  });
})();
