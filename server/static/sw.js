// TapTrail's service worker: visitor pages come from the network first; the last pages seen
// (and every walk the visitor saved) are kept, so they still open without a network.
// Offer pages (a visitor's code), the language switch, taps, the portal and the API are left
// alone, and nothing the server marks no-store is kept.
"use strict";
var PAGES = "tt-pages-v1";
var WALKS = "tt-walks";
var IMAGES = "tt-images-v1";
var KEEP_PAGES = 20;
var KEEP_IMAGES = 80;
// Pages live at /fr/..., /en/..., /nl/...; their former addresses redirect there.
var PAGE_PATHS = /^\/((fr|en|nl)\/)?($|t\/|p\/|shop\/|poi\/|walk\/|event\/|tv\/)/;
var LANGUAGE = /^\/(fr|en|nl)(\/.*)$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name !== PAGES && name !== WALKS && name !== IMAGES;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepable(response) {
  var control = response.headers.get("Cache-Control") || "";
  return response.ok && response.type === "basic" && control.indexOf("no-store") < 0;
}

function trim(name, most) {
  return caches.open(name).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.slice(0, Math.max(0, keys.length - most)).map(function (key) {
        return cache.delete(key);
      }));
    });
  });
}

// A former address (a printed link, /p/x) asked for offline: the page kept in any language
// (/en/p/x), the most recently kept first, saved walks included.
function keptInALanguage(request) {
  var url = new URL(request.url);
  if (LANGUAGE.test(url.pathname)) return Promise.resolve(undefined);
  return [PAGES, WALKS].reduce(function (before, name) {
    return before.then(function (found) {
      return found || caches.open(name).then(function (cache) {
        return cache.keys().then(function (keys) {
          for (var i = keys.length - 1; i >= 0; i--) {
            var key = new URL(keys[i].url), path = LANGUAGE.exec(key.pathname);
            if (path && path[2] === url.pathname && key.search === url.search) {
              return cache.match(keys[i], { ignoreVary: true });
            }
          }
          return undefined;
        });
      });
    });
  }, Promise.resolve(undefined));
}

function kept(request) {
  return caches.match(request, { ignoreVary: true }).then(function (found) {
    return found || keptInALanguage(request);
  }).then(function (found) {
    return found || new Response("<!doctype html><title>Offline</title><p>Offline.</p>", {
      status: 503, headers: { "Content-Type": "text/html; charset=utf-8" }
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/img/") === 0 || url.pathname.indexOf("/icons/") === 0) {
    event.respondWith(caches.match(request).then(function (found) {
      return found || fetch(request).then(function (response) {
        if (keepable(response)) {
          var copy = response.clone();
          caches.open(IMAGES).then(function (cache) {
            return cache.put(request, copy);
          }).then(function () { return trim(IMAGES, KEEP_IMAGES); });
        }
        return response;
      });
    }));
    return;
  }
  if (!PAGE_PATHS.test(url.pathname)) return;
  event.respondWith(fetch(request).then(function (response) {
    if (keepable(response)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) {
        return cache.delete(request, { ignoreVary: true }).then(function () {
          return cache.put(request, copy);
        });
      }).then(function () { return trim(PAGES, KEEP_PAGES); });
    }
    return response;
  }, function () { return kept(request); }));
});
