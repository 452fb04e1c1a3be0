import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  decode,
  epochOf,
  parseTopic,
  type DeviceStatus,
  type Snapshot,
  type Telemetry,
  type CommandResponse,
} from '@lectern/protocol';
import { DataSource } from 'typeorm';
import { EventBus } from '../common/event-bus';
import { CLOUD_CONFIG } from '../config/config.tokens';
import type { CloudConfig } from '../config/cloud-config';
import { DeviceRegistry } from '../devices/device-registry';
import { CommandEntity, DeviceEntity } from '../db/entities';
import { LiveService } from '../live/live.service';
import { MetricsService } from '../ops/metrics.service';
import { checkSnapshotSanity } from './snapshot-sanity';
import { snapshotRow, SnapshotWriter } from './snapshot-writer';

/**
 * Everything arriving from devices goes through here, whichever broker delivered it. A bad message is
 * counted and dropped; it never throws into the MQTT client, so other devices are unaffected.
 */
@Injectable()
export class IngestService {
  private readonly logger = new Logger('Ingest');
  readonly writer: SnapshotWriter;
  private sessionOf: (roomId: string) => string | null = () => null;
  private lastRejectLog = 0;
  /** Highest seq seen per device in its latest epoch, for the seq-jump bound (forgotten on restart). */
  private readonly highestSeq = new Map<string, { epoch: number; seq: number }>();

  constructor(
    private readonly ds: DataSource,
    private readonly registry: DeviceRegistry,
    private readonly live: LiveService,
    private readonly bus: EventBus,
    private readonly metrics: MetricsService,
    @Inject(CLOUD_CONFIG) readonly config: CloudConfig,
  ) {
    this.writer = new SnapshotWriter(
      ds,
      (n) => this.metrics.stored.inc(n),
      {},
      (reason) => this.metrics.rejected.inc({ reason }),
    );
  }

  setSessionLookup(fn: (roomId: string) => string | null): void {
    this.sessionOf = fn;
  }

  /**
   * Returns null when the message may be acknowledged at once (handled, or counted and dropped), or a promise
   * that resolves once it may be acknowledged: a snapshot once its row is committed (or dead-lettered). A
   * rejected promise means: do not acknowledge (the writer shut down with the database failing).
   */
  handle(topic: string, payload: Buffer): Promise<void> | null {
    const t = parseTopic(topic);
    if (!t) return this.reject('unknown-topic', `${topic}`);
    this.metrics.received.inc({ kind: t.kind });
    switch (t.kind) {
      case 'snapshot':
        return this.onSnapshot(t.deviceId, payload);
      case 'status':
        return this.later(this.onStatus(t.deviceId, payload));
      case 'telemetry':
        return this.later(this.onTelemetry(t.deviceId, payload));
      case 'response':
        return this.later(this.onResponse(t.deviceId, payload));
      default:
        return this.reject('unexpected-kind', `${t.kind} from ${t.deviceId}`);
    }
  }

  private reject(reason: string, detail: string): null {
    this.metrics.rejected.inc({ reason });
    const now = Date.now();
    // One line per second at most: a misbehaving device must not flood the log.
    if (now - this.lastRejectLog > 1000) {
      this.lastRejectLog = now;
      this.logger.warn(`dropped message (${reason}): ${detail.slice(0, 300)}`);
    }
    return null;
  }

  private later(p: Promise<void>): null {
    p.catch((err: unknown) => this.logger.error(`device update failed: ${(err as Error).message}`));
    return null;
  }

  private onSnapshot(topicDeviceId: string, payload: Buffer): Promise<void> | null {
    const r = decode('snapshot', payload);
    if (!r.ok) return this.reject('malformed', `${topicDeviceId}: ${r.error}`);
    const s: Snapshot = r.value;
    // Free text (model id and version) was checked by validation: no control characters, no lone surrogates,
    // so PostgreSQL and SQLite store it alike. A row the database refuses anyway is dead-lettered by the writer.
    if (s.deviceId !== topicDeviceId)
      return this.reject('device-mismatch', `${s.deviceId} on ${topicDeviceId}'s topic`);
    const roomId = this.registry.roomOf(s.deviceId);
    if (!roomId) return this.reject('unknown-device', s.deviceId);
    const receivedAt = Date.now();
    const sessionId = this.sessionOf(roomId);
    const row = snapshotRow(s, { roomId, sessionId, receivedAt });
    const highest = this.highestSeq.get(s.deviceId);
    const insane = checkSnapshotSanity(
      s,
      receivedAt,
      this.config.retentionDays,
      highest?.epoch === row.epoch ? highest.seq : undefined,
    );
    // Refused, not dropped: dead-lettered with the reason (and counted), then acknowledged, so the device
    // stops resending it, and it never reaches the live view or a time bucket.
    if (insane) return this.writer.refuse(row, insane.counted, `${s.deviceId}#${s.seq}: ${insane.reason}`);
    if (!highest || highest.epoch !== row.epoch || s.seq > highest.seq) {
      this.highestSeq.set(s.deviceId, { epoch: epochOf(s), seq: s.seq });
    }
    this.metrics.lag.observe(Math.max(0, receivedAt - s.capturedAt) / 1000);
    this.live.accept(s, roomId, receivedAt);
    this.bus.emit('snapshot', { snapshot: s, roomId, receivedAt });
    const wait = this.writer.enqueue(row);
    this.metrics.queueDepth.set(this.writer.depth);
    return wait;
  }

  private async onStatus(deviceId: string, payload: Buffer): Promise<void> {
    const r = decode('status', payload);
    if (!r.ok) return void this.reject('malformed', `${deviceId}: ${r.error}`);
    const st: DeviceStatus = r.value;
    if (st.deviceId !== deviceId) return void this.reject('device-mismatch', `${st.deviceId} on ${deviceId}'s topic`);
    if (!this.registry.roomOf(deviceId)) return void this.reject('unknown-device', deviceId);
    const patch: Partial<DeviceEntity> = { status: st.state, lastSeen: Date.now() };
    if (st.software !== undefined) patch.software = st.software;
    if (st.model) {
      patch.modelId = st.model.id;
      patch.modelVersion = st.model.version;
    }
    await this.ds.getRepository(DeviceEntity).update({ id: deviceId }, patch);
    if (st.state === 'offline') this.live.dropDevice(deviceId);
    this.bus.emit('deviceStatus', { deviceId, state: st.state });
  }

  private async onTelemetry(deviceId: string, payload: Buffer): Promise<void> {
    const r = decode('telemetry', payload);
    if (!r.ok) return void this.reject('malformed', `${deviceId}: ${r.error}`);
    const t: Telemetry = r.value;
    if (t.deviceId !== deviceId) return void this.reject('device-mismatch', `${t.deviceId} on ${deviceId}'s topic`);
    if (!this.registry.roomOf(deviceId)) return void this.reject('unknown-device', deviceId);
    await this.ds.getRepository(DeviceEntity).update(
      { id: deviceId },
      {
        lastSeen: Date.now(),
        telemetry: {
          fps: t.fps,
          temperatureC: t.temperatureC,
          outboxDepth: t.outboxDepth,
          cpuPercent: t.cpuPercent,
          ts: t.ts,
          ...(t.faceSizes ? { faceSizes: t.faceSizes } : {}),
        },
      },
    );
    this.bus.emit('telemetry', { telemetry: t, receivedAt: Date.now() });
  }

  private async onResponse(deviceId: string, payload: Buffer): Promise<void> {
    const r = decode('response', payload);
    if (!r.ok) return void this.reject('malformed', `${deviceId}: ${r.error}`);
    const resp: CommandResponse = r.value;
    this.bus.emit('deviceResponse', { deviceId, response: resp, receivedAt: Date.now() });
    // Only a response to a command sent to this very device is recorded.
    await this.ds
      .getRepository(CommandEntity)
      .update({ txId: resp.txId, deviceId }, { response: JSON.stringify(resp), respondedAt: Date.now() });
  }
}
