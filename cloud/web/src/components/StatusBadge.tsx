/** A device's connection state as a coloured dot and its word (online, offline, never). */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`status status-${status}`}>
      <span class="dot" aria-hidden="true" />
      {status}
    </span>
  );
}
