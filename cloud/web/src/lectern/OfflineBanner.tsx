import { useOffline } from './pwa';

/** A bar along the bottom edge of every page while the dashboard cannot reach the cloud. */
export function OfflineBanner() {
  const offline = useOffline();
  if (!offline) return null;
  return (
    <div class="offline-banner" role="status" data-testid="offline-banner">
      <strong>Offline.</strong> The Lectern cloud cannot be reached: this is the saved app, without live data. It
      reconnects by itself when the network is back.
    </div>
  );
}
