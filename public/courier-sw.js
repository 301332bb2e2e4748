// The rider app's service worker (served at /kurier/sw.js). It keeps the app's static files (styles,
// fonts, scripts, icons) so the app opens on a weak connection; it never stores a page, because the
// pages carry names, addresses and phone numbers. A page that cannot be loaded offline gets a
// short static notice instead.
const CACHE = 'amtsbote-kurier-v1';
const ASSETS = [
  '/static/kern/kern.min.css',
  '/static/kern/fonts/fira-sans.css',
  '/static/courier.css',
  '/static/courier-app.js',
  '/static/courier-position.js',
  '/static/courier.webmanifest',
  '/static/courier-icon.svg',
  '/static/courier-icon-192.png',
  '/static/courier-icon-512.png',
  '/static/courier-offline.html',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/static/')) {
    // Static files: from the cache at once, refreshed in the background (fonts join on first use).
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(request).then((cached) => {
          const fresh = fetch(request)
            .then((response) => {
              if (response.ok) cache.put(request, response.clone());
              return response;
            })
            .catch(() => cached);
          return cached || fresh;
        }),
      ),
    );
    return;
  }
  if (request.mode === 'navigate') {
    // Pages always from the network, never stored; offline, the notice says so.
    event.respondWith(fetch(request).catch(() => caches.match('/static/courier-offline.html')));
  }
});
