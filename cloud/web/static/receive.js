// Receiving against a purchase order: each scanned or typed code adds one unit to its line.
(function () {
  "use strict";
  var box = document.getElementById("scan-box");
  var input = document.getElementById("scan");
  if (!box || !input) { return; }
  box.hidden = false;
  var status = document.getElementById("scan-status");
  function norm(code) { return /^\d+$/.test(code) ? code.replace(/^0+/, "") : code.toUpperCase(); }
  function lineFor(code) {
    var want = norm(code), found = null;
    document.querySelectorAll("fieldset.po-line").forEach(function (el) {
      el.getAttribute("data-codes").split(" ").forEach(function (c) {
        if (c && norm(c) === want) { found = el; }
      });
    });
    return found;
  }
  function add() {
    var code = input.value.trim();
    input.value = "";
    input.focus();
    if (!code) { return; }
    var line = lineFor(code);
    if (!line) { status.textContent = input.getAttribute("data-unknown") + " " + code; return; }
    var qty = line.querySelector("input.qty");
    qty.value = String((parseFloat(qty.value) || 0) + 1);
    status.textContent = line.getAttribute("data-name") + ": " + qty.value;
  }
  document.getElementById("scan-add").addEventListener("click", add);
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { e.preventDefault(); add(); }
  });
})();
