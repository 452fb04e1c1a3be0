import type { Connection } from '../live';

const TEXT: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline — retrying',
};

export function ConnectionBadge({ connection, detail }: { connection: Connection; detail?: string }) {
  return (
    <span
      class={`conn conn-${connection}`}
      data-testid="live-connection"
      data-state={connection}
      role="status"
      aria-live="polite"
    >
      <span class="conn-dot" aria-hidden="true" />
      {TEXT[connection]}
      {detail && connection === 'live' && <span class="conn-detail">{detail}</span>}
    </span>
  );
}
