import { readFileSync } from 'node:fs';
import { encode, topicFor, TOPICS, type CommandResponse, type Telemetry } from '@lectern/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import type { Outbox } from '../outbox/outbox';
import { announceOffline, announceOnConnect, availabilityWill, type AvailabilityIdentity } from './availability';

const MAX_RECONNECT_MS = 16_000;

export interface LinkOptions {
  brokerUrl: string;
  username?: string;
  password?: string;
  clientId?: string;
  caFile?: string;
  identity: AvailabilityIdentity;
  /** Snapshots handed to MQTT and not yet acknowledged, at most. */
  window?: number;
  onConfig?(payload: Buffer): void;
  onCommand?(payload: Buffer): void;
  onError?(err: Error): void;
  reconnectPeriodMs?: number;
}

/**
 * The device's one MQTT connection. Snapshots flow outbox -> broker in seq order, at most `window` in
 * flight, each deleted from the outbox only when its PUBACK arrives; after a reconnect or a restart the
 * remaining rows are sent again (at-least-once; the cloud dedupes on deviceId + seq).
 */
export class MqttLink {
  private readonly client: MqttClient;
  private readonly inFlight = new Set<number>();
  private lastQueued = -1;
  private stopping = false;
  private readonly baseReconnectMs: number;

  constructor(
    private readonly outbox: Outbox,
    private readonly opts: LinkOptions,
  ) {
    const id = opts.identity.deviceId;
    this.baseReconnectMs = opts.reconnectPeriodMs ?? 2000;
    this.client = mqtt.connect(opts.brokerUrl, {
      clientId: opts.clientId ?? `lectern-${id}`,
      username: opts.username,
      password: opts.password,
      ca: opts.caFile ? readFileSync(opts.caFile) : undefined,
      will: availabilityWill(opts.identity),
      reconnectPeriod: this.baseReconnectMs,
      // A refused CONNACK (bad credentials, ACL store down) is retried too: an unattended device must
      // come back on its own once the cloud side is fixed.
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      clean: true,
    });
    // Back off while the broker stays away (2 s doubling to 16 s, with jitter so a fleet does not
    // reconnect in lockstep after a cloud restart); reset once connected.
    this.client.on('connect', () => (this.client.options.reconnectPeriod = this.baseReconnectMs));
    this.client.on('close', () => {
      const next = Math.min(MAX_RECONNECT_MS, (this.client.options.reconnectPeriod ?? this.baseReconnectMs) * 2);
      this.client.options.reconnectPeriod = Math.round(next * (0.8 + Math.random() * 0.4));
    });
    announceOnConnect(this.client, opts.identity, (err) => this.opts.onError?.(err));
    this.client.on('connect', () => {
      this.client.subscribe([topicFor('config', id), topicFor('command', id)], { qos: 1 }, (err) => {
        if (err) this.opts.onError?.(err);
      });
      this.pump();
    });
    this.client.on('message', (topic, payload) => {
      if (topic === topicFor('config', id)) this.opts.onConfig?.(payload);
      else if (topic === topicFor('command', id)) this.opts.onCommand?.(payload);
    });
    this.client.on('error', (err) => this.opts.onError?.(err));
    // After a drop, start again from the oldest unacknowledged row rather than trusting what mqtt.js
    // kept in memory; a snapshot that did reach the broker may arrive twice, never zero times.
    this.client.on('close', () => {
      this.inFlight.clear();
      this.lastQueued = -1;
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Sends pending outbox rows while there is room in the window. Call after every enqueue. */
  pump(): void {
    if (!this.client.connected || this.stopping) return;
    const room = (this.opts.window ?? 20) - this.inFlight.size;
    if (room <= 0) return;
    for (const entry of this.outbox.pending(this.lastQueued, room)) {
      this.lastQueued = entry.seq;
      this.inFlight.add(entry.seq);
      this.client.publish(entry.topic, entry.payload, { qos: TOPICS.snapshot.qos }, (err) => {
        this.inFlight.delete(entry.seq);
        if (err) {
          // Not acknowledged: leave the row and send it again from here on.
          this.lastQueued = Math.min(this.lastQueued, entry.seq - 1);
          if (!this.stopping) this.opts.onError?.(err);
          return;
        }
        this.outbox.ack(entry.seq);
        this.pump();
      });
    }
  }

  publishTelemetry(t: Telemetry): void {
    if (!this.client.connected) return; // telemetry is a gauge: a stale one is worth nothing later
    this.client.publish(topicFor('telemetry', t.deviceId), encode('telemetry', t), { qos: TOPICS.telemetry.qos });
  }

  publishResponse(r: CommandResponse): void {
    this.client.publish(topicFor('response', this.opts.identity.deviceId), encode('response', r), {
      qos: TOPICS.response.qos,
    });
  }

  /** Updates what the next `online` announcement carries (e.g. after a model update). */
  setModel(model: { id: string; version: string }): void {
    this.opts.identity.model = model;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await announceOffline(this.client, this.opts.identity);
    // A graceful end sends DISCONNECT, so the broker drops our will instead of publishing a second,
    // older `offline`; if the broker does not answer, cut the connection.
    const graceful = this.client.endAsync(false);
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 3000).unref());
    if ((await Promise.race([graceful, timer])) === 'timeout') await this.client.endAsync(true);
  }
}
