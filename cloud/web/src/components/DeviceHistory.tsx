import type { ComponentProps } from 'preact';
import { useState } from 'preact/hooks';
import { alertsApi, configLabel, type DeviceHistory as History, type RuleId, type RuleView } from '../api/alerts';
import { ago, dateTime } from '../format';
import { useAsync, useNow } from '../hooks';
import { DeviceHistoryChart } from './DeviceHistoryChart';
import { StatusBadge } from './StatusBadge';
import { ErrorNote, Loading, PageHeader, Panel, Stat } from './ui';
import './device-history.css';

const RANGES = [
  { label: '1 h', ms: 3_600_000 },
  { label: '6 h', ms: 6 * 3_600_000 },
  { label: '24 h', ms: 24 * 3_600_000 },
  { label: '7 d', ms: 7 * 24 * 3_600_000 },
];

type ChartSpec = Omit<ComponentProps<typeof DeviceHistoryChart>, 'points' | 'since' | 'until' | 'threshold'> & {
  /** The rule whose threshold is drawn dashed (while it is on). */
  rule?: RuleId;
};

/** The four health metrics charted, in order. */
const CHARTS: ChartSpec[] = [
  {
    label: 'Frame rate',
    unit: 'fps',
    color: '#7DD3FC',
    pick: (p) => p.fps,
    rule: 'fps-drop',
    min: 0,
    testId: 'chart-fps',
  },
  { label: 'CPU', unit: '% of a core', color: '#F2C94C', pick: (p) => p.cpuPercent, min: 0, testId: 'chart-cpu' },
  {
    label: 'Temperature',
    unit: '°C',
    color: '#F59E0B',
    pick: (p) => p.temperatureC,
    rule: 'temperature',
    emptyNote: 'this board reports no temperature',
    testId: 'chart-temperature',
  },
  {
    label: 'Outbox backlog',
    unit: 'snapshots',
    color: '#A78BFA',
    pick: (p) => p.outboxDepth,
    rule: 'outbox-backlog',
    min: 0,
    testId: 'chart-outbox',
  },
];

/** One device's health over time: status, versions, config revision, open alerts and four charts. */
export function DeviceHistory({ deviceId, rules }: { deviceId: string; rules: RuleView[] }) {
  const [range, setRange] = useState(RANGES[0]?.ms ?? 3_600_000);
  const now = useNow(5000);
  const history = useAsync(() => alertsApi.history(deviceId, Date.now() - range), [deviceId, range], 10_000);
  const h: History | undefined = history.data;
  const limit = (id: RuleId): number | null => {
    const r = rules.find((x) => x.id === id);
    return r?.enabled ? r.threshold : null;
  };
  return (
    <div class="device-history" data-testid={`device-history-${deviceId}`}>
      <PageHeader
        title={<span class="mono">{deviceId}</span>}
        subtitle={h ? `Room ${h.device.roomId} · health history` : 'Health history'}
        actions={
          <div class="range-picker" role="group" aria-label="Time range">
            {RANGES.map((r) => (
              <button
                key={r.label}
                type="button"
                class={`btn btn-small ${r.ms === range ? 'btn-primary' : ''}`}
                aria-pressed={r.ms === range}
                onClick={() => setRange(r.ms)}
              >
                {r.label}
              </button>
            ))}
            <a class="btn btn-small btn-ghost" href="#/alerts">
              All alerts
            </a>
          </div>
        }
      />
      <ErrorNote message={history.error} />
      {history.loading && !h && <Loading />}
      {h && (
        <>
          <div class="stats device-history-stats">
            <Stat
              label="Status"
              value={<StatusBadge status={h.device.status} />}
              hint={`last seen ${ago(h.device.lastSeen, now)}`}
              testId="history-status"
            />
            <Stat label="Agent" value={h.device.software ?? '—'} hint="software version" />
            <Stat label="Model" value={h.device.model?.version ?? '—'} hint={h.device.model?.id ?? 'not reported'} />
            <Stat
              label="Config"
              value={<span class={`config-${h.device.config.state}`}>{configLabel(h.device.config)}</span>}
              hint={
                h.device.config.error ??
                (h.device.config.appliedAt ? `applied ${dateTime(h.device.config.appliedAt)}` : 'no answer yet')
              }
              testId="history-config"
            />
          </div>
          {h.alerts.length > 0 && (
            <Panel title="Alerts in this range">
              <ul class="list">
                {h.alerts.map((a) => (
                  <li key={a.id}>
                    <span>
                      <span class={`tag alert-tag-${a.state}`}>{a.state}</span> {a.message}
                    </span>
                    <span class="muted nowrap">{dateTime(a.firedAt)}</span>
                  </li>
                ))}
              </ul>
            </Panel>
          )}
          {h.points.length === 0 ? (
            <Panel>
              <p class="muted">
                No telemetry in this range. The device sends it every 30 s while it runs; pick a longer range or check
                that the device is online.
              </p>
            </Panel>
          ) : (
            <div class="device-history-grid">
              {CHARTS.map(({ rule, ...chart }) => (
                <DeviceHistoryChart
                  key={chart.testId}
                  {...chart}
                  points={h.points}
                  since={h.since}
                  until={h.until}
                  threshold={rule ? limit(rule) : undefined}
                />
              ))}
            </div>
          )}
        </>
      )}
    </div>
  );
}
