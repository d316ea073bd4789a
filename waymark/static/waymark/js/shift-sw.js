// The shift's service worker: keeps the shift page and its files so it opens without a signal.
//
// Served by the view at /outreach/shift/sw.js (its scope is /outreach/shift/), which puts
// SHELL_VERSION, SHELL_PAGE, SHELL_ASSETS and LOGIN_PATH above this source.
// It never touches the contacts API: the page's outbox (IndexedDB) keeps and sends
// contacts, so nothing here can send one twice.
/* global SHELL_VERSION, SHELL_PAGE, SHELL_ASSETS */

const CACHE_PREFIX = "waymark-shift-";
const CACHE = CACHE_PREFIX + SHELL_VERSION;
// On one bar of signal, show the kept page rather than a blank screen for long.
const NETWORK_WAIT_MS = 6000;

// The page names people the team met: keep only a clean copy drawn for a signed-in worker.
function isShiftPage(response) {
  return (
    response.ok &&
    response.type === "basic" &&
    !response.redirected &&
    new URL(response.url).pathname === SHELL_PAGE &&
    response.headers.get("X-Waymark-Shell") === "1"
  );
}

// Signed out, or no longer allowed: forget the copy, so the next person to pick up the phone cannot read it.
function meansForget(response) {
  return response.type === "opaqueredirect" || response.redirected || response.status === 401 || response.status === 403;
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL_ASSETS);
      try {
        const response = await fetch(SHELL_PAGE, { credentials: "same-origin" });
        if (isShiftPage(response)) await cache.put(SHELL_PAGE, response);
      } catch {
        // No signal while installing: the page is kept the next time it is opened online.
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function offlinePage() {
  const html =
    '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>No signal – Waymark</title></head>' +
    "<body><main><h1>No signal</h1><p>This phone has not kept a copy of the shift page yet. " +
    "Open it once with a signal and it will work without one after that.</p>" +
    `<p><a href="${SHELL_PAGE}">Try again</a></p></main></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

// The page: from the server when it answers, so it is fresh; the kept copy when it does not.
async function shiftPage(request) {
  const cache = await caches.open(CACHE);
  let response;
  try {
    response = await withTimeout(fetch(request), NETWORK_WAIT_MS);
  } catch {
    return (await cache.match(SHELL_PAGE)) || offlinePage();
  }
  if (isShiftPage(response)) {
    await cache.put(SHELL_PAGE, response.clone());
    return response;
  }
  if (meansForget(response)) {
    await cache.delete(SHELL_PAGE);
    return response;
  }
  if (response.status >= 500) return (await cache.match(SHELL_PAGE)) || response;
  return response;
}

// Static files: the kept copy at once, refreshed in the background for next time.
async function asset(event) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(event.request, { ignoreSearch: true });
  const fresh = fetch(event.request)
    .then(async (response) => {
      if (response.ok && response.type === "basic") await cache.put(event.request, response.clone());
      return response;
    })
    .catch(() => null);
  if (kept) {
    event.waitUntil(fresh);
    return kept;
  }
  return (await fresh) || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL_PAGE) {
    event.respondWith(shiftPage(request));
  } else if (SHELL_ASSETS.includes(url.pathname)) {
    event.respondWith(asset(event));
  }
});
