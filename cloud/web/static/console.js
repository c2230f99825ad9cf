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
    // data-live-on="changed shelves sales devices": which kinds of change re-fetch this part.
    (el.getAttribute("data-live-on") || "changed").split(" ").forEach(function (kind) {
      source.addEventListener(kind, function () { htmx.trigger(el, "live"); });
    });
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
  // New out-of-stock on the staff list: vibrate (phones) and a short tone, once per alert.
  var seen = null;
  function outOfStock() {
    return Array.prototype.map.call(
      document.querySelectorAll('#alerts li.alert[data-type="out_of_stock"][data-status="active_unack"]'),
      function (li) { return li.id; });
  }
  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = 880; gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(ctx.destination);
      osc.start(); osc.stop(ctx.currentTime + 0.25);
    } catch (err) { /* no audio before the first tap: the vibration still tells */ }
  }
  if (document.getElementById("alerts")) {
    seen = outOfStock();
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (!e.detail.target || e.detail.target.id !== "alerts") { return; }
      var fresh = outOfStock().filter(function (id) { return seen.indexOf(id) < 0; });
      seen = seen.concat(fresh);
      // Only staff on shift are buzzed (the server says so in data-push).
      if (fresh.length && e.detail.target.getAttribute("data-push") !== "off") {
        if (navigator.vibrate) { navigator.vibrate([200, 100, 200]); }
        beep();
        document.body.setAttribute("data-new-out-of-stock", fresh.join(" "));
      }
    });
  }
  // Installable: the service worker keeps an offline page for when the network drops.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/console/sw.js", { scope: "/console/" }).catch(function () {});
  }
})();
