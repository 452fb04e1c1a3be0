import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { deviceHistoryHref } from '../api/alerts';
import type { Device, Room } from '../api/types';
import { ago, percent, toMs } from '../format';
import { mostlyTooSmall, tooSmallShare } from '../reading';
import { StatusBadge } from './StatusBadge';

/**
 * `npm start` answers GET /api/demo with the real demo agents and their local debug previews (boxes, track ids,
 * labels on 127.0.0.1, so only useful in a browser on the same machine). Any other cloud answers 404 and the
 * table shows no preview links. Asked once per page load.
 */
let demoPreviews: Promise<Map<string, string>> | null = null;

function loadDemoPreviews(): Promise<Map<string, string>> {
  demoPreviews ??= fetch('/api/demo', { headers: { Accept: 'application/json' } })
    .then(async (res) => {
      if (!res.ok) return new Map<string, string>();
      const body = (await res.json()) as { devices?: { deviceId: string; previewUrl: string | null }[] };
      return new Map((body.devices ?? []).flatMap((d) => (d.previewUrl ? [[d.deviceId, d.previewUrl] as const] : [])));
    })
    .catch(() => new Map<string, string>());
  return demoPreviews;
}

function useDemoPreviews(): Map<string, string> {
  const [previews, setPreviews] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    void loadDemoPreviews().then((m) => live && setPreviews(m));
    return () => {
      live = false;
    };
  }, []);
  return previews;
}

export function DevicesTable({
  devices,
  rooms,
  now,
  action,
}: {
  devices: Device[];
  rooms: Room[];
  now: number;
  action?: (d: Device) => ComponentChildren;
}) {
  const roomName = (id: string) => rooms.find((r) => r.id === id)?.name ?? id;
  const previews = useDemoPreviews();
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th>Device · room</th>
            <th>Status</th>
            <th class="num">FPS</th>
            <th class="num">Temp</th>
            <th>Model</th>
            <th class="num">Outbox</th>
            <th title="Share of recently seen faces below the readable size">Too small</th>
            <th class="nowrap">Last seen</th>
            {action && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => {
            const t = d.telemetry;
            const preview = previews.get(d.id);
            const hot = t?.temperatureC !== null && t?.temperatureC !== undefined && t.temperatureC >= 75;
            return (
              <tr key={d.id} data-testid={`device-row-${d.id}`} data-status={d.status}>
                <td>
                  <a
                    class="mono"
                    href={deviceHistoryHref(d.id)}
                    data-testid={`device-history-link-${d.id}`}
                    title="Health history and alerts"
                  >
                    {d.id}
                  </a>
                  <div class="muted cell-sub">{roomName(d.roomId)}</div>
                  {preview && (
                    <div class="cell-sub">
                      <a
                        href={preview}
                        target="_blank"
                        rel="noopener noreferrer"
                        data-testid={`device-preview-${d.id}`}
                        title="The agent's local debug view (boxes, track ids, labels); frames never leave this machine"
                      >
                        Live preview ↗
                      </a>
                    </div>
                  )}
                </td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td class="num">{t ? t.fps.toFixed(1) : '—'}</td>
                <td class={`num ${hot ? 'warn' : ''}`}>
                  {t?.temperatureC !== null && t?.temperatureC !== undefined ? `${t.temperatureC.toFixed(0)} °C` : '—'}
                </td>
                <td>
                  {d.model ? (
                    <>
                      <div>{d.model.version}</div>
                      <div class="muted cell-sub">{d.model.id}</div>
                    </>
                  ) : (
                    '—'
                  )}
                </td>
                <td class={`num ${t && t.outboxDepth > 100 ? 'warn' : ''}`}>{t ? t.outboxDepth : '—'}</td>
                <td data-testid={`device-face-sizes-${d.id}`}>
                  <FaceSizeCell sizes={d.faceSizes} />
                </td>
                <td
                  class="nowrap"
                  title={toMs(d.lastSeen) ? new Date(toMs(d.lastSeen) ?? 0).toLocaleString() : undefined}
                >
                  {ago(d.lastSeen, now)}
                </td>
                {action && <td class="actions">{action(d)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Share of recent faces below the readable size, as text and a bar; a warning when most are too small. */
function FaceSizeCell({ sizes }: { sizes: Device['faceSizes'] }) {
  if (!sizes) return <span class="muted">—</span>;
  const share = tooSmallShare(sizes);
  if (share === null) return <span class="muted">no faces</span>;
  const warn = mostlyTooSmall(sizes);
  return (
    <div
      class={warn ? 'warn' : undefined}
      title={
        warn
          ? 'Most faces are too small to read: zoom or aim the camera at the seats, move it closer, or raise its resolution.'
          : `${sizes.tooSmall} of ${sizes.faces} recent faces under ${sizes.minReadablePx} px`
      }
    >
      <span>
        {percent(share)} &lt; {sizes.minReadablePx} px{warn ? ' ⚠' : ''}
      </span>
      <span class={`face-size-bar ${warn ? 'warn' : ''}`} aria-hidden="true">
        <span style={{ width: `${Math.round(share * 100)}%` }} />
      </span>
    </div>
  );
}
