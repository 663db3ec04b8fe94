/* Kiosk service worker (scope /k/): the shell, the questionnaire and their files come from the
   network when there is one, and from the cache when there is not, so a paired tablet reloads
   offline. Posts (the queued questionnaires) are never cached: they pass straight through. */
"use strict";
var CACHE = "kiosk-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(request, copy); }));
    }
    return response;
  }, function () {
    return caches.match(request, {ignoreVary: true}).then(function (cached) { return cached || Response.error(); });
  }));
});
