// The QA form on a closed dialog's page: the score the ticked items add up to, shown as the reviewer ticks, so
// what is saved is what the form shows (the server computes the same sum from the same weights).
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=qa-form]");
  if (!form) return;
  var total = form.querySelector("[data-qa-total]");
  function update() {
    var n = 0;
    form.querySelectorAll("input[type=checkbox][data-weight]").forEach(function (box) {
      if (box.checked) n += parseInt(box.getAttribute("data-weight"), 10) || 0;
    });
    total.textContent = String(n);
  }
  form.addEventListener("change", update);
  update();
})();
