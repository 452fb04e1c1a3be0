/* Lectern dashboard service worker: an offline shell for the speaker's tablet.
 *
 * - The app shell (index.html, the hashed /assets bundle it names, the manifest and icons) is cached at install
 *   and refreshed on every online navigation; old bundles are pruned when a new index.html names others.
 * - Navigations are network-first: online, the fresh index.html is served and stored; offline (or the cloud
 *   unreachable), the stored shell is served with a marker the app reads to show its "offline" state.
 * - /api (JSON, SSE live streams, downloads), /metrics and anything cross-origin are never intercepted and never
 *   cached: room data is live or not shown at all.
 *
 * Plain JavaScript copied as-is from web/public by Vite; served with Cache-Control: no-cache (static-web.ts) so
 * a new deployment's worker is picked up on the next visit.
 */
const CACHE = 'lectern-shell-v1';
const SHELL = '/';
const STATIC = ['/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];
const OFFLINE_MARKER = '<meta name="lectern-offline-shell" content="1">';

/** The /assets URLs an index.html loads (module script, CSS, preloads). */
function assetsOf(html) {
  return [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
}

async function storeShell(cache, response) {
  const html = await response.clone().text();
  const assets = assetsOf(html);
  await cache.put(SHELL, response.clone());
  await Promise.all(
    assets.map(async (url) => {
      if (!(await cache.match(url))) await cache.add(url);
    }),
  );
  // Drop bundles the current index.html no longer names.
  const keep = new Set(assets);
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname;
    if (path.startsWith('/assets/') && !keep.has(path)) await cache.delete(req);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const res = await fetch(SHELL, { cache: 'no-cache' });
      if (res.ok) await storeShell(cache, res);
      await cache.addAll(STATIC);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

async function offlineShell() {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(SHELL);
  if (!cached) {
    return new Response('<!doctype html><title>Lectern offline</title><p>Lectern is offline.</p>', {
      status: 503,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
    });
  }
  const html = (await cached.text()).replace('<head>', `<head>${OFFLINE_MARKER}`);
  // The stored response's headers carry the Content-Security-Policy: the offline page runs under it too.
  const headers = new Headers(cached.headers);
  headers.delete('Content-Length');
  return new Response(html, { headers });
}

async function navigate(request) {
  try {
    const res = await fetch(request);
    if (res.ok && (res.headers.get('content-type') ?? '').includes('text/html')) {
      const cache = await caches.open(CACHE);
      // Not awaited by the page: the shell refresh must not delay the navigation.
      storeShell(cache, res.clone()).catch(() => undefined);
    }
    return res;
  } catch {
    return offlineShell();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone());
  return res;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // Live data, reports and metrics go straight to the network: never cached, never answered from a cache.
  if (url.pathname.startsWith('/api') || url.pathname === '/metrics') return;
  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
  } else if (url.pathname.startsWith('/assets/') || url.pathname.startsWith('/icons/')) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === '/manifest.webmanifest') {
    event.respondWith(fetch(request).catch(() => caches.match(request)));
  }
});
