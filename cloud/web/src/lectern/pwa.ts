import { useEffect, useState } from 'preact/hooks';

/**
 * Registers /sw.js (web/public/sw.js: the offline app shell) in production builds over https or on
 * localhost. The Vite dev server gets none, so no stale shell hides a change being worked on.
 */
export function registerServiceWorker(): void {
  const env = (import.meta as ImportMeta & { env?: { DEV?: boolean } }).env;
  if (env?.DEV || !('serviceWorker' in navigator) || !window.isSecureContext) return;
  const register = () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined);
  };
  if (document.readyState === 'complete') register();
  else window.addEventListener('load', register, { once: true });
}

/** The service worker served the stored shell because the cloud could not be reached (sw.js adds the meta). */
export function servedOfflineShell(): boolean {
  return document.querySelector('meta[name="lectern-offline-shell"]') !== null;
}

const PROBE_MS = 10_000;

/**
 * Offline: the browser says so, or this page is the stored shell and the cloud has not answered since.
 * While the stored shell is shown, /api/health is probed until it answers; then the page reloads to the fresh app.
 */
export function useOffline(): boolean {
  const [browserOffline, setBrowserOffline] = useState(() => !navigator.onLine);
  const [shell, setShell] = useState(servedOfflineShell);

  useEffect(() => {
    const on = () => setBrowserOffline(false);
    const off = () => setBrowserOffline(true);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => {
      window.removeEventListener('online', on);
      window.removeEventListener('offline', off);
    };
  }, []);

  useEffect(() => {
    if (!shell || browserOffline) return;
    let timer: ReturnType<typeof setTimeout>;
    const probe = () => {
      fetch('/api/health', { cache: 'no-store' })
        .then(() => {
          // Any answer, even 503 (degraded), means the cloud is reachable again.
          setShell(false);
          location.reload();
        })
        .catch(() => {
          timer = setTimeout(probe, PROBE_MS);
        });
    };
    probe();
    return () => clearTimeout(timer);
  }, [shell, browserOffline]);

  return browserOffline || shell;
}
