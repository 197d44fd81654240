// The console's service worker: keeps the app shell for offline use. It answers only for the console's own files
// (/console/…); API calls (/v1/…, /admin/…) go to the network untouched and are never cached.
const VERSION = '%VERSION%';
const CACHE = 'ljq-console-' + VERSION;
const SHELL = %SHELL%;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith('ljq-console-') && k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || !url.pathname.startsWith('/console/')) return;
  if (req.mode === 'navigate') {
    // The page: the network first (a new build shows at once), the cached shell when offline.
    event.respondWith(fetch(req).catch(() => caches.match('/console/')));
    return;
  }
  if (url.pathname.startsWith('/console/assets/') || url.pathname.startsWith('/console/icons/')) {
    // Hashed or fixed files: the cache first.
    event.respondWith(caches.match(req).then((hit) => hit || fetch(req)));
  }
});
