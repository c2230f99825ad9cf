// smartstore console service worker: an offline shell. Pages always come from the network
// (they are live and per user); when it is gone, a cached "you are offline" page answers.
"use strict";
var CACHE = "smartstore-shell-v1";
var SHELL = ["/console/offline", "/console/static/console.css", "/console/static/icon.svg"];
self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }));
  self.skipWaiting();
});
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
self.addEventListener("fetch", function (event) {
  var req = event.request;
  if (req.method !== "GET") { return; }
  if (req.mode === "navigate") {
    event.respondWith(fetch(req).catch(function () { return caches.match("/console/offline"); }));
    return;
  }
  if (SHELL.indexOf(new URL(req.url).pathname) >= 0) {
    event.respondWith(fetch(req).catch(function () { return caches.match(req); }));
  }
});
