// smartstore console: CSRF header on every htmx request, and live refresh over SSE.
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (e) {
    if (meta) { e.detail.headers["X-CSRF-Token"] = meta.content; }
  });
  // <div data-live="/sse/url" hx-get=... hx-trigger="live"> : re-fetch when the server says so.
  document.querySelectorAll("[data-live]").forEach(function (el) {
    var source = new EventSource(el.getAttribute("data-live"));
    source.addEventListener("changed", function () { htmx.trigger(el, "live"); });
    source.onopen = function () { el.setAttribute("data-live-state", "open"); };
    source.onerror = function () { el.setAttribute("data-live-state", "retrying"); };
  });
  // Show the fields of the chosen promotion kind only.
  var kind = document.getElementById("kind");
  function showKind() {
    document.querySelectorAll("[data-kinds]").forEach(function (el) {
      var kinds = el.getAttribute("data-kinds").split(" ");
      el.hidden = kind && kinds.indexOf(kind.value) < 0;
    });
  }
  if (kind) { kind.addEventListener("change", showKind); showKind(); }
  // <button data-print>: the browser's print dialog (print CSS hides the chrome).
  document.querySelectorAll("[data-print]").forEach(function (el) {
    el.addEventListener("click", function () { window.print(); });
  });
})();
