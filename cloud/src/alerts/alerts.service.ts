import { ConflictException, Inject, Injectable, Logger, NotFoundException } from '@nestjs/common';
import type { CommandResponse, Telemetry } from '@lectern/protocol';
import { DataSource, In, LessThan, MoreThanOrEqual, Between } from 'typeorm';
import type { AuthUser } from '../auth/auth-user';
import { EventBus } from '../common/event-bus';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { AlertEntity, DeviceEntity, DeviceHealthEntity, DeviceTelemetryEntity, type AlertState } from '../db/entities';
import { DeviceRegistry } from '../devices/device-registry';
import { MetricsService } from '../ops/metrics.service';
import type { AlertSettings } from './alert-settings';
import type { AlertsList, AlertView, ConfigStatus, DeviceHealthView, DeviceHistory, HistoryPoint } from './alert-view';
import { evaluateDevice, MIN_BASELINE_SAMPLES, ruleViews, type DeviceFacts, type TelemetryFacts } from './rules';
import { WebhookSender } from './webhook';

// The view types live in alert-view.ts (the dashboard compiles them too); re-exported for the controller and tests.
export type { AlertsList, AlertView, ConfigStatus, DeviceHealthView, DeviceHistory, HistoryPoint };

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** History keeps at most one row per device in this interval (telemetry comes every 30 s by default). */
export const HISTORY_MIN_SPACING_MS = 10_000;
/** Points one history answer carries at most (longer ranges are thinned evenly). */
const HISTORY_MAX_POINTS = 2000;
const OPEN: AlertState[] = ['firing', 'acknowledged'];

export interface WebhookPayload {
  v: 1;
  event: 'firing' | 'resolved';
  /** One line for chat webhooks (Slack, Mattermost and Teams read `text`). */
  text: string;
  alert: AlertView;
  sentAt: number;
}

interface Latest {
  facts: TelemetryFacts;
  /** (ts, fps) of the past hour, oldest first: the fps-drop baseline. */
  fps: { ts: number; fps: number }[];
  lastRowAt: number;
}

export function toAlertView(a: AlertEntity): AlertView {
  return {
    id: a.id,
    rule: a.rule,
    severity: a.severity,
    deviceId: a.deviceId,
    roomId: a.roomId,
    state: a.state,
    message: a.message,
    value: a.value,
    threshold: a.threshold,
    firedAt: a.firedAt,
    acknowledgedAt: a.acknowledgedAt,
    acknowledgedBy: a.acknowledgedBy,
    resolvedAt: a.resolvedAt,
  };
}

export function configStatusOf(device: DeviceEntity, health: DeviceHealthEntity | null): ConfigStatus {
  const desired = device.configRevision;
  const applied = health?.configAppliedRevision ?? null;
  const refused = health?.configRefusedRevision ?? null;
  const state: ConfigStatus['state'] =
    desired === 0
      ? 'none'
      : applied !== null && applied >= desired
        ? 'applied'
        : refused === desired
          ? 'refused'
          : 'pending';
  return {
    desired,
    applied,
    appliedAt: health?.configAppliedAt ?? null,
    state,
    refusedRevision: refused,
    error: state === 'refused' ? (health?.configError ?? null) : null,
  };
}

/** The revision a `config` response answers: result.revision, else the `config-rev-N` transaction id. */
export function revisionOf(r: CommandResponse): number | null {
  const fromResult = r.result?.revision;
  if (typeof fromResult === 'number' && Number.isInteger(fromResult)) return fromResult;
  const m = /^config-rev-(\d{1,9})$/.exec(r.txId);
  return m ? Number(m[1]) : null;
}

/**
 * Device health: keeps a telemetry history, records which config revision each device applied, evaluates the
 * alert rules (every LECTERN_ALERT_EVAL_S, and at once on status changes and telemetry), stores alerts as
 * firing / acknowledged / resolved, exports per-device gauges and sends each fire and resolve to the webhook.
 * All of it runs beside ingestion: listeners only queue work, so a slow database or receiver never holds a
 * device message.
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger('Alerts');
  readonly settings: AlertSettings;
  readonly webhook: WebhookSender;
  private readonly latest = new Map<string, Latest>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: (() => void)[] = [];
  private chain: Promise<void> = Promise.resolve();
  private queued = false;
  private soon = false;
  private responses: Promise<void> = Promise.resolve();
  private started = false;

  constructor(
    private readonly ds: DataSource,
    private readonly bus: EventBus,
    private readonly metrics: MetricsService,
    private readonly registry: DeviceRegistry,
    @Inject(CLOUD_CONFIG) config: CloudConfig,
  ) {
    this.settings = config.alerts;
    this.webhook = new WebhookSender(this.settings.webhookUrl);
  }

  get evalIntervalMs(): number {
    return this.settings.evalIntervalMs;
  }

  /** Loads the past hour of history (fps baselines), subscribes to device events and evaluates once. */
  async start(now = Date.now()): Promise<void> {
    if (this.started) return;
    this.started = true;
    const rows = await this.ds
      .getRepository(DeviceTelemetryEntity)
      .find({ where: { ts: MoreThanOrEqual(now - HOUR_MS) }, order: { ts: 'ASC' } });
    for (const r of rows) {
      const l: Latest = this.latest.get(r.deviceId) ?? { facts: pointOfRow(r), fps: [], lastRowAt: 0 };
      l.facts = pointOfRow(r);
      l.fps.push({ ts: r.ts, fps: r.fps });
      l.lastRowAt = r.ts;
      this.latest.set(r.deviceId, l);
    }
    this.unsubscribe.push(
      this.bus.on('telemetry', (e) => this.onTelemetry(e.telemetry, e.receivedAt)),
      // One at a time: each answer reads and rewrites the device's row (a refusal must not overwrite an apply).
      this.bus.on('deviceResponse', (e) => {
        const next = this.responses.then(() => this.onResponse(e.deviceId, e.response, e.receivedAt));
        this.responses = next.catch(() => undefined);
        this.track(next);
      }),
      this.bus.on('deviceStatus', (e) => {
        this.kick();
        // Evaluated again the moment an offline device crosses the threshold, not at the next tick.
        if (e.state === 'offline') this.later(this.settings.offlineS * 1000 + 25, () => this.kick());
      }),
    );
    await this.evaluate();
  }

  async stop(): Promise<void> {
    this.started = false;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.soon = false;
    await Promise.allSettled([...this.pending]);
    await this.chain;
    await this.webhook.stop();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private track(p: Promise<unknown>): void {
    const tracked = p
      .catch((err: unknown) => this.logger.error(`device health update failed: ${(err as Error).message}`))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** Queues one evaluation (several kicks before it runs collapse into one). */
  kick(): void {
    if (!this.started || this.queued) return;
    this.queued = true;
    this.track(this.evaluate());
  }

  private onTelemetry(t: Telemetry, receivedAt: number): void {
    // One history row; the rules read it with the source error and the uptime besides.
    const point: HistoryPoint = {
      ts: receivedAt,
      fps: t.fps,
      cpuPercent: t.cpuPercent,
      temperatureC: t.temperatureC,
      outboxDepth: t.outboxDepth,
      sourceState: t.source.state,
    };
    const facts: TelemetryFacts = { ...point, sourceError: t.source.error, uptimeS: t.uptimeS };
    const l = this.latest.get(t.deviceId) ?? { facts, fps: [], lastRowAt: 0 };
    l.facts = facts;
    l.fps.push({ ts: receivedAt, fps: t.fps });
    while (l.fps.length > 0 && (l.fps[0]?.ts ?? 0) < receivedAt - HOUR_MS) l.fps.shift();
    if (l.fps.length > 720) l.fps.splice(0, l.fps.length - 720);
    this.latest.set(t.deviceId, l);
    if (receivedAt - l.lastRowAt >= HISTORY_MIN_SPACING_MS) {
      l.lastRowAt = receivedAt;
      this.track(this.ds.getRepository(DeviceTelemetryEntity).insert({ deviceId: t.deviceId, ...point }));
    }
    // Telemetry of a whole fleet arrives all the time: one evaluation a second at most for it.
    if (!this.soon) {
      this.soon = true;
      this.later(1000, () => {
        this.soon = false;
        this.kick();
      });
    }
  }

  private async onResponse(deviceId: string, r: CommandResponse, receivedAt: number): Promise<void> {
    if (r.to !== 'config' || !this.registry.roomOf(deviceId)) return;
    const revision = revisionOf(r);
    if (revision === null) return;
    const repo = this.ds.getRepository(DeviceHealthEntity);
    const h =
      (await repo.findOneBy({ deviceId })) ??
      repo.create({
        deviceId,
        configAppliedRevision: null,
        configAppliedAt: null,
        configRefusedRevision: null,
        configError: null,
      });
    if (r.ok) {
      if (h.configAppliedRevision === null || revision >= h.configAppliedRevision) {
        h.configAppliedRevision = revision;
        h.configAppliedAt = receivedAt;
      }
      if (h.configRefusedRevision !== null && h.configRefusedRevision <= revision) {
        h.configRefusedRevision = null;
        h.configError = null;
      }
    } else {
      h.configRefusedRevision = revision;
      h.configError = (r.error ?? 'refused without a reason').slice(0, 500);
    }
    await repo.save(h);
  }

  private factsOf(d: DeviceEntity, now: number): DeviceFacts {
    const l = this.latest.get(d.id);
    let telemetry: TelemetryFacts | null = l?.facts ?? null;
    if (!telemetry && d.telemetry) {
      const t = d.telemetry;
      telemetry = {
        ts: t.ts,
        fps: t.fps,
        cpuPercent: t.cpuPercent,
        temperatureC: t.temperatureC,
        outboxDepth: t.outboxDepth,
        sourceState: null,
      };
    }
    const recent = (l?.fps ?? []).filter((p) => p.ts >= now - HOUR_MS);
    const fpsBaseline =
      recent.length >= MIN_BASELINE_SAMPLES ? recent.reduce((a, p) => a + p.fps, 0) / recent.length : null;
    return { id: d.id, roomId: d.roomId, status: d.status, lastSeen: d.lastSeen, telemetry, fpsBaseline };
  }

  /** Runs the rules over every device once (serialized: never two at the same time; failures are logged). */
  evaluate(now?: number): Promise<void> {
    this.chain = this.chain
      .then(() => {
        this.queued = false;
        return this.evaluateNow(now ?? Date.now());
      })
      .catch((err: unknown) => this.logger.error(`alert evaluation failed: ${(err as Error).message}`));
    return this.chain;
  }

  private async evaluateNow(now: number): Promise<void> {
    const devices = await this.ds.getRepository(DeviceEntity).find();
    const alerts = this.ds.getRepository(AlertEntity);
    const open = await alerts.find({ where: { state: In(OPEN) } });
    const openByKey = new Map(open.map((a) => [`${a.deviceId}\u0000${a.rule}`, a]));
    const holding = new Set<string>();
    const fired: AlertEntity[] = [];
    const resolved: AlertEntity[] = [];
    for (const d of devices) {
      for (const f of evaluateDevice(this.factsOf(d, now), this.settings, now)) {
        const key = `${d.id}\u0000${f.rule}`;
        holding.add(key);
        if (openByKey.has(key)) continue;
        const row = alerts.create({
          rule: f.rule,
          severity: f.severity,
          deviceId: d.id,
          roomId: d.roomId,
          state: 'firing',
          message: f.message,
          value: f.value,
          threshold: f.threshold,
          firedAt: now,
          acknowledgedAt: null,
          acknowledgedBy: null,
          resolvedAt: null,
        });
        await alerts.insert(row);
        fired.push(row);
      }
    }
    for (const a of open) {
      if (holding.has(`${a.deviceId}\u0000${a.rule}`)) continue;
      // Only an alert still open is resolved (an acknowledge may have raced with this evaluation: still open).
      const r = await alerts.update({ id: a.id, state: In(OPEN) }, { state: 'resolved', resolvedAt: now });
      if ((r.affected ?? 1) === 0) continue;
      a.state = 'resolved';
      a.resolvedAt = now;
      resolved.push(a);
    }
    for (const a of fired) {
      this.logger.warn(`alert fired: ${a.message}`);
      this.notify('firing', a, now);
    }
    for (const a of resolved) {
      this.logger.log(`alert resolved: ${a.rule} on ${a.deviceId}`);
      this.notify('resolved', a, now);
    }
    this.updateMetrics(devices, [...open.filter((a) => a.state !== 'resolved'), ...fired]);
  }

  private notify(event: 'firing' | 'resolved', a: AlertEntity, now: number): void {
    const text =
      event === 'firing'
        ? `[FIRING ${a.severity}] ${a.message}`
        : `[RESOLVED] ${a.rule} on ${a.deviceId} (room ${a.roomId ?? '?'}) is back to normal.`;
    const payload: WebhookPayload = { v: 1, event, text, alert: toAlertView(a), sentAt: now };
    this.webhook.send(payload);
  }

  private updateMetrics(devices: DeviceEntity[], open: AlertEntity[]): void {
    const g = this.metrics.device;
    for (const gauge of Object.values(g)) gauge.reset();
    const now = Date.now();
    for (const d of devices) {
      if (d.status === 'never' || d.lastSeen === null) continue;
      const labels = { device: d.id, room: d.roomId };
      g.online.set(labels, d.status === 'online' ? 1 : 0);
      g.lastSeen.set(labels, Math.max(0, (now - d.lastSeen) / 1000));
      const t = this.factsOf(d, now).telemetry;
      if (!t) continue;
      g.fps.set(labels, t.fps);
      g.cpu.set(labels, t.cpuPercent);
      if (t.temperatureC !== null) g.temperature.set(labels, t.temperatureC);
      g.outbox.set(labels, t.outboxDepth);
      if (t.sourceState !== null)
        g.sourceFailed.set(labels, t.sourceState === 'failed' || t.sourceState === 'reconnecting' ? 1 : 0);
    }
    this.metrics.alertsOpen.reset();
    const counts = new Map<string, number>();
    for (const a of open) counts.set(`${a.rule}\u0000${a.state}`, (counts.get(`${a.rule}\u0000${a.state}`) ?? 0) + 1);
    for (const [k, n] of counts) {
      const [rule = '', state = ''] = k.split('\u0000');
      this.metrics.alertsOpen.set({ rule, state }, n);
    }
  }

  async list(limit = 50): Promise<AlertsList> {
    const repo = this.ds.getRepository(AlertEntity);
    const open = await repo.find({ where: { state: In(OPEN) }, order: { firedAt: 'DESC', id: 'DESC' } });
    const resolved = await repo.find({
      where: { state: 'resolved' },
      order: { resolvedAt: 'DESC', id: 'DESC' },
      take: Math.max(1, Math.min(500, limit)),
    });
    return {
      open: open.map(toAlertView),
      resolved: resolved.map(toAlertView),
      counts: {
        firing: open.filter((a) => a.state === 'firing').length,
        acknowledged: open.filter((a) => a.state === 'acknowledged').length,
      },
      rules: ruleViews(this.settings),
      webhook: {
        configured: this.webhook.url !== null,
        delivered: this.webhook.delivered,
        pending: this.webhook.pending,
        dropped: this.webhook.dropped,
      },
    };
  }

  async summary(): Promise<{ firing: number; acknowledged: number }> {
    const repo = this.ds.getRepository(AlertEntity);
    const [firing, acknowledged] = await Promise.all([
      repo.countBy({ state: 'firing' }),
      repo.countBy({ state: 'acknowledged' }),
    ]);
    return { firing, acknowledged };
  }

  async acknowledge(id: number, user: AuthUser): Promise<AlertView> {
    const repo = this.ds.getRepository(AlertEntity);
    const a = await repo.findOneBy({ id });
    if (!a) throw new NotFoundException(`Alert ${id} does not exist; reload the alerts page.`);
    if (a.state === 'resolved')
      throw new ConflictException(`Alert ${id} is already resolved; there is nothing left to acknowledge.`);
    if (a.state === 'firing') {
      const now = Date.now();
      const r = await repo.update(
        { id, state: 'firing' },
        { state: 'acknowledged', acknowledgedAt: now, acknowledgedBy: user.username },
      );
      if ((r.affected ?? 1) === 0) {
        const again = await repo.findOneByOrFail({ id });
        if (again.state === 'resolved')
          throw new ConflictException(`Alert ${id} resolved meanwhile; there is nothing left to acknowledge.`);
        return toAlertView(again);
      }
    }
    return toAlertView(await repo.findOneByOrFail({ id }));
  }

  private async healthView(d: DeviceEntity, now: number): Promise<DeviceHealthView> {
    const health = await this.ds.getRepository(DeviceHealthEntity).findOneBy({ deviceId: d.id });
    const openAlerts = await this.ds.getRepository(AlertEntity).countBy({ deviceId: d.id, state: In(OPEN) });
    return viewOf(d, this.factsOf(d, now).telemetry, health, openAlerts);
  }

  /** Every device with its latest health, config revision state and open alert count (the fleet view). */
  async fleet(now = Date.now()): Promise<DeviceHealthView[]> {
    const devices = await this.ds.getRepository(DeviceEntity).find({ order: { id: 'ASC' } });
    const health = new Map(
      (await this.ds.getRepository(DeviceHealthEntity).find()).map((h) => [h.deviceId, h] as const),
    );
    const open = await this.ds.getRepository(AlertEntity).find({ where: { state: In(OPEN) }, select: ['deviceId'] });
    const openBy = new Map<string, number>();
    for (const a of open) openBy.set(a.deviceId, (openBy.get(a.deviceId) ?? 0) + 1);
    return devices.map((d) =>
      viewOf(d, this.factsOf(d, now).telemetry, health.get(d.id) ?? null, openBy.get(d.id) ?? 0),
    );
  }

  /** The device's telemetry history in [since, until] and its alerts in that range (24 h back by default). */
  async history(deviceId: string, since?: number, until?: number, now = Date.now()): Promise<DeviceHistory> {
    const d = await this.ds.getRepository(DeviceEntity).findOneBy({ id: deviceId });
    if (!d) throw new NotFoundException(`Device ${deviceId} is not registered; check the device id.`);
    const to = until ?? now;
    const from = Math.max(since ?? to - DAY_MS, now - this.settings.historyDays * DAY_MS);
    const rows = await this.ds
      .getRepository(DeviceTelemetryEntity)
      .find({ where: { deviceId, ts: Between(from, to) }, order: { ts: 'ASC' } });
    const stride = Math.ceil(rows.length / HISTORY_MAX_POINTS) || 1;
    const points = rows.filter((_, i) => i % stride === 0 || i === rows.length - 1).map(pointOfRow);
    const alerts = await this.ds.getRepository(AlertEntity).find({
      where: [
        { deviceId, state: In(OPEN) },
        { deviceId, firedAt: Between(from, to) },
      ],
      order: { firedAt: 'DESC' },
      take: 100,
    });
    return { device: await this.healthView(d, now), since: from, until: to, points, alerts: alerts.map(toAlertView) };
  }

  /** Drops telemetry history older than LECTERN_HEALTH_HISTORY_DAYS and resolved alerts older than LECTERN_ALERT_RETENTION_DAYS. */
  async purge(now = Date.now()): Promise<{ history: number; alerts: number }> {
    const h = await this.ds
      .getRepository(DeviceTelemetryEntity)
      .delete({ ts: LessThan(now - this.settings.historyDays * DAY_MS) });
    const a = await this.ds
      .getRepository(AlertEntity)
      .delete({ state: 'resolved', resolvedAt: LessThan(now - this.settings.retentionDays * DAY_MS) });
    // A removed device's history and config answers go with it (its alerts resolved at the next evaluation).
    let orphans = 0;
    for (const entity of [DeviceTelemetryEntity, DeviceHealthEntity]) {
      const r = await this.ds
        .createQueryBuilder()
        .delete()
        .from(entity)
        .where('"deviceId" NOT IN (SELECT "id" FROM "device")')
        .execute();
      orphans += r.affected ?? 0;
    }
    for (const [id, l] of this.latest)
      if (!this.registry.roomOf(id) && l.lastRowAt < now - HOUR_MS) this.latest.delete(id);
    return { history: (h.affected ?? 0) + orphans, alerts: a.affected ?? 0 };
  }
}

/** A stored telemetry row as a history point (also what the rules read of it after a restart). */
function pointOfRow(r: DeviceTelemetryEntity): HistoryPoint {
  return {
    ts: r.ts,
    fps: r.fps,
    cpuPercent: r.cpuPercent,
    temperatureC: r.temperatureC,
    outboxDepth: r.outboxDepth,
    sourceState: r.sourceState,
  };
}

function viewOf(
  d: DeviceEntity,
  telemetry: TelemetryFacts | null,
  health: DeviceHealthEntity | null,
  openAlerts: number,
): DeviceHealthView {
  return {
    id: d.id,
    roomId: d.roomId,
    status: d.status,
    lastSeen: d.lastSeen,
    software: d.software,
    model: d.modelId && d.modelVersion ? { id: d.modelId, version: d.modelVersion } : null,
    telemetry,
    config: configStatusOf(d, health),
    openAlerts,
  };
}
