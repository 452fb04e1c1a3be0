// A device as the cloud sees it during fault tests: a plain mqtt.js client with its own credentials and client
// id, publishing valid snapshots at QoS 1 through an in-memory outbox that behaves like the agent's
// (device/src/link/mqtt-link.ts): snapshots go out in seq order with at most `window` in flight, each leaves
// the outbox only when its PUBACK arrives, and after a dropped connection everything not acknowledged is sent
// again from the oldest one (at least once; the cloud stores a (device, seq) once).
import { aggregateFaces, encode, topicFor, type Snapshot } from '@lectern/protocol';
import { connect, type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';

/** A valid snapshot payload with `faces` faces (the same shape cloud/test/helpers/snapshots.ts makes). */
export function snapshotPayload(deviceId: string, roomId: string, seq: number, faces = 3): Buffer {
  const p = [0.02, 0.01, 0.02, 0.6, 0.05, 0.05, 0.25];
  const tracks = Array.from({ length: faces }, (_, i) => ({ id: i + 1, p, frontal: i % 4 !== 3, ageS: seq }));
  const snapshot: Snapshot = {
    v: 1,
    deviceId,
    roomId,
    seq,
    capturedAt: Date.now(),
    faces,
    tracks,
    aggregate: aggregateFaces(tracks),
    model: { id: 'fer-mini-xception', version: '1.0.0' },
    emotionEnabled: true,
  };
  return encode('snapshot', snapshot);
}

export interface FaultDeviceOptions {
  url: string;
  username: string;
  password: string;
  roomId: string;
  /** Snapshots handed to MQTT and not yet acknowledged, at most (the agent's default is 20). */
  window?: number;
  /** First reconnect delay; doubles (with jitter) up to `maxReconnectMs` while the broker stays away. */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

export class FaultDevice {
  readonly client: MqttClient;
  /** Seqs 1..produced were made; those not yet acknowledged are here with their payload. */
  readonly outbox = new Map<number, Buffer>();
  /** Seqs whose PUBACK arrived, with the time it arrived. */
  readonly acked = new Map<number, number>();
  produced = 0;
  /** Publishes handed to mqtt.js, resends included. */
  publishes = 0;
  maxOutbox = 0;
  connects = 0;
  private readonly inFlight = new Set<number>();
  private lastQueued = 0;
  private closing = false;
  private readonly window: number;
  private readonly topic: string;

  constructor(
    readonly id: string,
    private readonly opts: FaultDeviceOptions,
  ) {
    this.window = opts.window ?? 20;
    this.topic = topicFor('snapshot', id);
    const base = opts.reconnectMs ?? 200;
    const max = opts.maxReconnectMs ?? 2000;
    this.client = connect(opts.url, {
      // The broker ties client ids to credentials: `lectern-<deviceId>` (the agent's) or the bare id.
      clientId: `lectern-${id}`,
      username: opts.username,
      password: opts.password,
      clean: true,
      reconnectPeriod: base,
      reconnectOnConnackError: true,
      connectTimeout: 5000,
    });
    this.client.on('connect', () => {
      this.connects++;
      this.client.options.reconnectPeriod = base;
      this.pump();
    });
    this.client.on('close', () => {
      // Start again from the oldest unacknowledged snapshot rather than trusting what mqtt.js kept.
      this.inFlight.clear();
      const oldest = this.outbox.keys().next();
      this.lastQueued = oldest.done ? this.produced : oldest.value - 1;
      const next = Math.min(max, (this.client.options.reconnectPeriod ?? base) * 2);
      this.client.options.reconnectPeriod = Math.round(next * (0.8 + Math.random() * 0.4));
    });
    // Connection refused while the cloud restarts, etc.: mqtt.js reconnects by itself.
    this.client.on('error', () => undefined);
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Snapshots published and not yet acknowledged right now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Makes the next snapshot (the camera does not wait for the network) and sends what the window allows. */
  produce(): void {
    const seq = ++this.produced;
    this.outbox.set(seq, snapshotPayload(this.id, this.opts.roomId, seq));
    if (this.outbox.size > this.maxOutbox) this.maxOutbox = this.outbox.size;
    this.pump();
  }

  private pump(): void {
    if (this.closing || !this.client.connected) return;
    const client = this.client;
    for (let seq = this.lastQueued + 1; this.inFlight.size < this.window && seq <= this.produced; seq++) {
      const payload = this.outbox.get(seq);
      this.lastQueued = seq;
      if (!payload) continue; // acknowledged meanwhile (a resend of an earlier round was answered)
      this.inFlight.add(seq);
      this.publishes++;
      client.publish(this.topic, payload, { qos: 1 }, (err) => {
        this.inFlight.delete(seq);
        if (err) {
          // Not acknowledged: stays in the outbox and goes out again from here on.
          if (this.outbox.has(seq)) this.lastQueued = Math.min(this.lastQueued, seq - 1);
          return;
        }
        // The callback of a QoS 1 publish runs on its PUBACK: acknowledged.
        if (!this.acked.has(seq)) this.acked.set(seq, Date.now());
        this.outbox.delete(seq);
        this.pump();
      });
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.client.endAsync(true).catch(() => undefined);
  }
}

/**
 * Drives `devices` at `ratePerS` snapshots a second in all (round robin), whatever the network does, until
 * `stop()`; returns how many were made and over how long.
 */
export function startStream(devices: FaultDevice[], ratePerS: number) {
  const startedAt = Date.now();
  let made = 0;
  let next = 0;
  const tick = (): void => {
    const due = Math.floor(((Date.now() - startedAt) * ratePerS) / 1000);
    for (; made < due; made++) {
      devices[next]!.produce();
      next = (next + 1) % devices.length;
    }
  };
  const timer = setInterval(tick, 10);
  return {
    get made() {
      return made;
    },
    startedAt,
    /** Stops making snapshots; returns the number made and the achieved rate. */
    stop(): { made: number; seconds: number; ratePerS: number } {
      clearInterval(timer);
      tick();
      const seconds = (Date.now() - startedAt) / 1000;
      return { made, seconds, ratePerS: made / seconds };
    },
  };
}

/** The cloud's database, read directly (not through the cloud): SQLite file or PostgreSQL URL. */
export async function openSnapshotDb(target: { sqliteFile: string } | { pgUrl: string }): Promise<DataSource> {
  const ds = new DataSource(
    'sqliteFile' in target
      ? { type: 'better-sqlite3', database: target.sqliteFile }
      : { type: 'postgres', url: target.pgUrl },
  );
  await ds.initialize();
  return ds;
}

/** Every stored row's seq per device (duplicates kept, so a double row shows). */
export async function storedSeqs(ds: DataSource, deviceIds: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(deviceIds.map((id) => [id, []]));
  const params = deviceIds.map((_, i) => (ds.options.type === 'postgres' ? `$${i + 1}` : '?')).join(', ');
  const rows: { device: string; seq: number | string }[] = await ds.query(
    `SELECT "deviceId" AS device, seq FROM snapshot WHERE "deviceId" IN (${params})`,
    deviceIds,
  );
  for (const r of rows) out.get(r.device)?.push(Number(r.seq));
  return out;
}

export interface Tally {
  sent: number;
  acked: number;
  stored: number;
  ackedThenLost: number;
  duplicates: number;
  /** Made but not (yet) stored. */
  notStored: number;
  /** A few acknowledged-then-lost snapshots (`device#seq@ackTime`), for a diagnosis. */
  lostSample: string[];
}

/** Per-device accounting of what was made and acknowledged against what the database holds. */
export function tally(devices: FaultDevice[], stored: Map<string, number[]>): Tally {
  const t: Tally = { sent: 0, acked: 0, stored: 0, ackedThenLost: 0, duplicates: 0, notStored: 0, lostSample: [] };
  for (const d of devices) {
    const rows = stored.get(d.id) ?? [];
    const seqs = new Set(rows);
    t.sent += d.produced;
    t.acked += d.acked.size;
    t.duplicates += rows.length - seqs.size;
    for (let seq = 1; seq <= d.produced; seq++) {
      if (seqs.has(seq)) t.stored++;
      else t.notStored++;
    }
    for (const [seq, at] of d.acked) {
      if (seqs.has(seq)) continue;
      t.ackedThenLost++;
      if (t.lostSample.length < 10) t.lostSample.push(`${d.id}#${seq}@${at}`);
    }
  }
  return t;
}
