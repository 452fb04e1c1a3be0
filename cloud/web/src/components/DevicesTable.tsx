import type { ComponentChildren } from 'preact';
import type { Device, Room } from '../api/types';
import { ago, toMs } from '../format';

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
            <th class="nowrap">Last seen</th>
            {action && <th aria-label="Actions" />}
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => {
            const t = d.telemetry;
            const hot = t?.temperatureC !== null && t?.temperatureC !== undefined && t.temperatureC >= 75;
            return (
              <tr key={d.id} data-testid={`device-row-${d.id}`} data-status={d.status}>
                <td>
                  <div class="mono">{d.id}</div>
                  <div class="muted cell-sub">{roomName(d.roomId)}</div>
                </td>
                <td>
                  <span class={`status status-${d.status}`}>
                    <span class="dot" aria-hidden="true" />
                    {d.status}
                  </span>
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
