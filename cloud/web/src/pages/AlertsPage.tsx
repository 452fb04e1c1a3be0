import { useEffect, useState } from 'preact/hooks';
import {
  alertsApi,
  configLabel,
  deviceHistoryHref,
  type AlertView,
  type AlertsList,
  type DeviceHealthView,
} from '../api/alerts';
import { DeviceHistory } from '../components/DeviceHistory';
import { StatusBadge } from '../components/StatusBadge';
import { Empty, ErrorNote, Loading, PageHeader, Panel } from '../components/ui';
import { ago, dateTime, duration } from '../format';
import { useAction, useAsync, useNow } from '../hooks';
import './alerts-page.css';

const CHANGED = 'lectern:alerts-changed';

/** `#/alerts` (firing, fleet, resolved, rules) and `#/alerts/device/<id>` (one device's history). */
export function AlertsPage({ segments }: { segments: string[] }) {
  const list = useAsync(() => alertsApi.list(), [], 5000);
  const deviceId = segments[1] === 'device' ? segments[2] : undefined;
  if (deviceId) return <DeviceHistory deviceId={deviceId} rules={list.data?.rules ?? []} />;
  return <AlertsOverview list={list.data} error={list.error} loading={list.loading} reload={list.reload} />;
}

function AlertsOverview({
  list,
  error,
  loading,
  reload,
}: {
  list: AlertsList | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}) {
  const now = useNow(1000);
  const fleet = useAsync(() => alertsApi.fleet(), [], 5000);
  const firing = list?.counts.firing ?? 0;
  return (
    <div class="alerts-page">
      <PageHeader
        title="Alerts"
        subtitle={
          list
            ? `${firing} firing · ${list.counts.acknowledged} acknowledged · webhook ${
                list.webhook.configured ? `on (${list.webhook.delivered} sent)` : 'off'
              }`
            : 'Device health across the fleet'
        }
      />
      <ErrorNote message={error} />
      {loading && !list && <Loading />}
      {list && (
        <Panel title={`Open alerts · ${list.open.length}`} testId="alerts-open">
          {list.open.length === 0 ? (
            <Empty>All devices are healthy: no alert is firing.</Empty>
          ) : (
            <ul class="alert-list">
              {list.open.map((a) => (
                <AlertRow key={a.id} alert={a} now={now} onChange={reload} />
              ))}
            </ul>
          )}
        </Panel>
      )}
      <Panel title="Fleet" testId="alerts-fleet">
        <ErrorNote message={fleet.error} />
        {fleet.data && fleet.data.length === 0 && <Empty>No devices registered yet.</Empty>}
        {fleet.data && fleet.data.length > 0 && <FleetTable devices={fleet.data} now={now} />}
      </Panel>
      {list && (
        <div class="two-col">
          <Panel title="Recently resolved" testId="alerts-resolved">
            {list.resolved.length === 0 ? (
              <Empty>Nothing resolved yet.</Empty>
            ) : (
              <ul class="alert-list alert-list-compact">
                {list.resolved.slice(0, 12).map((a) => (
                  <li key={a.id} data-testid={`alert-row-${a.id}`} data-state={a.state}>
                    <div class="alert-main">
                      <span class="tag alert-tag-resolved">resolved</span>{' '}
                      <a href={deviceHistoryHref(a.deviceId)} class="mono">
                        {a.deviceId}
                      </a>{' '}
                      {ruleTitle(list, a.rule)}
                    </div>
                    <div class="muted alert-when">
                      {dateTime(a.resolvedAt)} · lasted {duration(((a.resolvedAt ?? now) - a.firedAt) / 1000)}
                      {a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy}` : ''}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </Panel>
          <Panel title="Rules">
            <ul class="list">
              {list.rules.map((r) => (
                <li key={r.id}>
                  <span>
                    <span class={`tag alert-sev-${r.severity}`}>{r.severity}</span> {r.title}
                  </span>
                  <span class={r.enabled ? 'muted' : 'muted alert-rule-off'}>{r.enabled ? r.condition : 'off'}</span>
                </li>
              ))}
            </ul>
          </Panel>
        </div>
      )}
    </div>
  );
}

function ruleTitle(list: AlertsList, rule: string): string {
  return list.rules.find((r) => r.id === rule)?.title.toLowerCase() ?? rule;
}

function AlertRow({ alert: a, now, onChange }: { alert: AlertView; now: number; onChange: () => void }) {
  const { busy, error, run } = useAction();
  const ack = async () => {
    const done = await run(() => alertsApi.acknowledge(a.id));
    if (done) {
      onChange();
      window.dispatchEvent(new Event(CHANGED));
    }
  };
  return (
    <li
      class={`alert-item alert-${a.state} alert-sev-${a.severity}`}
      data-testid={`alert-row-${a.id}`}
      data-state={a.state}
    >
      <div class="alert-main">
        <div class="alert-head">
          <span class={`tag alert-sev-${a.severity}`}>{a.severity}</span>
          <span class={`tag alert-tag-${a.state}`}>{a.state}</span>
          <a href={deviceHistoryHref(a.deviceId)} class="mono alert-device">
            {a.deviceId}
          </a>
          <span class="muted">{a.rule}</span>
        </div>
        <p class="alert-message">{a.message}</p>
        <div class="muted alert-when">
          since {dateTime(a.firedAt)} ({ago(a.firedAt, now)})
          {a.acknowledgedBy ? ` · acknowledged by ${a.acknowledgedBy} ${ago(a.acknowledgedAt, now)}` : ''}
        </div>
        <ErrorNote message={error} />
      </div>
      {a.state === 'firing' && (
        <button
          type="button"
          class="btn btn-primary"
          data-testid={`alert-ack-${a.id}`}
          disabled={busy}
          onClick={() => void ack()}
        >
          {busy ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      )}
    </li>
  );
}

function FleetTable({ devices, now }: { devices: DeviceHealthView[]; now: number }) {
  return (
    <div class="table-wrap">
      <table class="table fleet-table">
        <thead>
          <tr>
            <th>Device · room</th>
            <th>Status</th>
            <th class="num">FPS</th>
            <th class="num">CPU</th>
            <th class="num">Temp</th>
            <th class="num">Outbox</th>
            <th>Agent · model</th>
            <th>Config</th>
            <th class="num">Alerts</th>
            <th class="nowrap">Last seen</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => {
            const t = d.telemetry;
            return (
              <tr key={d.id} data-testid={`fleet-row-${d.id}`} data-status={d.status}>
                <td>
                  <a href={deviceHistoryHref(d.id)} class="mono" data-testid={`fleet-history-${d.id}`}>
                    {d.id}
                  </a>
                  <div class="muted cell-sub">{d.roomId}</div>
                </td>
                <td>
                  <StatusBadge status={d.status} />
                </td>
                <td class="num">{t ? t.fps.toFixed(1) : '—'}</td>
                <td class="num">{t ? `${t.cpuPercent.toFixed(0)} %` : '—'}</td>
                <td class="num">
                  {t?.temperatureC !== null && t?.temperatureC !== undefined ? `${t.temperatureC.toFixed(0)} °C` : '—'}
                </td>
                <td class="num">{t ? t.outboxDepth : '—'}</td>
                <td>
                  <div>{d.software ?? '—'}</div>
                  <div class="muted cell-sub">{d.model?.version ?? '—'}</div>
                </td>
                <td class={`config-${d.config.state}`} title={d.config.error ?? undefined}>
                  {configLabel(d.config)}
                </td>
                <td class={`num ${d.openAlerts > 0 ? 'warn' : ''}`}>{d.openAlerts}</td>
                <td class="nowrap">{ago(d.lastSeen, now)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The firing-alert count next to "Alerts" in the navigation (nothing while none fire). */
export function AlertsBadge() {
  const [firing, setFiring] = useState(0);
  useEffect(() => {
    let live = true;
    const load = () =>
      alertsApi
        .summary()
        .then((s) => live && setFiring(s.firing))
        .catch(() => undefined);
    void load();
    const timer = setInterval(() => void load(), 10_000);
    window.addEventListener(CHANGED, load);
    return () => {
      live = false;
      clearInterval(timer);
      window.removeEventListener(CHANGED, load);
    };
  }, []);
  if (firing === 0) return null;
  return (
    <span class="nav-badge" data-testid="alerts-badge" aria-label={`${firing} firing`}>
      {firing}
    </span>
  );
}
