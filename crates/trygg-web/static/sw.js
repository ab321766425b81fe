// Trygg's service worker: when the network is gone, a page that says so, with 112 and the
// municipality's number, instead of the browser's error. It keeps that page, the stylesheet
// and the icon, and nothing else: no case content is ever stored on the device.
const CACHE = 'trygg-offline-v1';
const KEPT = ['/offline', '/static/trygg.css', '/static/icon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(KEPT)).then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.mode === 'navigate') {
    // Every page from the network, always; the offline page only when there is none.
    event.respondWith(fetch(request).catch(() => caches.match('/offline')));
  } else if (KEPT.includes(new URL(request.url).pathname)) {
    event.respondWith(fetch(request).catch(() => caches.match(request)));
  }
});
