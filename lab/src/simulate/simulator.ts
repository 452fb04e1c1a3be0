import { randomInt } from 'node:crypto';
import { encode, MAX_EPOCH, topicFor, TOPICS, type Snapshot } from '@lectern/protocol';
import mqtt, { type MqttClient } from 'mqtt';
import { announceOffline, announceOnConnect, availabilityWill, type AvailabilityIdentity } from '@lectern/device';
import { SimulatedAudience } from './audience';
import { RoomMood } from './mood';

export interface SimulatedDevice {
  deviceId: string;
  roomId: string;
  username?: string;
  password?: string;
}

export interface SimulatorOptions {
  brokerUrl: string;
  devices: SimulatedDevice[];
  /** Snapshots per second per device (default 1). */
  hz?: number;
  /** Stop each device after this many acknowledged snapshots. */
  count?: number;
  /** Head count range per device (default [5, 40]). */
  faces?: [number, number];
  /** First seq of every device (default 0). Each run is a new sequence epoch, so re-runs are stored anyway. */
  firstSeq?: number;
  /** Called on connection or publish errors (default: ignored, mqtt.js keeps reconnecting). */
  onError?: (deviceId: string, err: Error) => void;
}

export interface Simulator {
  /** Snapshots acknowledged by the broker (PUBACK), all devices together. */
  published(): number;
  /** Resolves once every device has had `count` snapshots acknowledged (never without `count`). */
  done: Promise<void>;
  stop(): Promise<void>;
}

const SIMULATOR_MODEL = { id: 'simulator', version: '0' } as const;

/** Simulates a fleet of edge agents: one MQTT connection per device, snapshots on the protocol topics. */
export async function startSimulator(opts: SimulatorOptions): Promise<Simulator> {
  const hz = opts.hz ?? 1;
  if (!(hz > 0 && hz <= 100)) throw new Error(`hz must be in (0, 100], got ${hz}`);
  if (opts.count !== undefined && !(Number.isInteger(opts.count) && opts.count > 0)) {
    throw new Error(`count must be a positive integer, got ${opts.count}`);
  }
  const faces = opts.faces ?? [5, 40];
  if (!(faces[0] >= 0 && faces[1] >= faces[0] && faces[1] <= 256))
    throw new Error(`faces must be [min, max] within 0..256`);
  for (const d of opts.devices) topicFor('snapshot', d.deviceId); // throws on a bad device id

  const moods = new Map<string, RoomMood>();
  const devices = await Promise.all(
    opts.devices.map((d) => {
      let mood = moods.get(d.roomId);
      if (!mood) moods.set(d.roomId, (mood = new RoomMood()));
      return DeviceLoop.start(d, opts.brokerUrl, new SimulatedAudience(mood, faces), hz, opts);
    }),
  );
  const done = Promise.all(devices.map((d) => d.done)).then(() => undefined);
  return {
    published: () => devices.reduce((n, d) => n + d.acked, 0),
    done,
    stop: async () => {
      await Promise.all(devices.map((d) => d.stop()));
    },
  };
}

class DeviceLoop {
  acked = 0;
  readonly done: Promise<void>;
  private resolveDone!: () => void;
  private seq: number;
  /** A simulated device keeps no counter between runs: each run is a new sequence epoch, like a re-image. */
  private readonly epoch = randomInt(1, MAX_EPOCH + 1);
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly identity: AvailabilityIdentity;

  private constructor(
    private readonly device: SimulatedDevice,
    private readonly client: MqttClient,
    private readonly audience: SimulatedAudience,
    private readonly opts: SimulatorOptions,
  ) {
    this.seq = opts.firstSeq ?? 0;
    this.identity = { deviceId: device.deviceId, software: 'lectern-simulator', model: SIMULATOR_MODEL };
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  static async start(
    device: SimulatedDevice,
    brokerUrl: string,
    audience: SimulatedAudience,
    hz: number,
    opts: SimulatorOptions,
  ): Promise<DeviceLoop> {
    const identity: AvailabilityIdentity = {
      deviceId: device.deviceId,
      software: 'lectern-simulator',
      model: SIMULATOR_MODEL,
    };
    const client = mqtt.connect(brokerUrl, {
      // The agent's client id: the embedded broker accepts only lectern-<id> (or the bare id) for a device.
      clientId: `lectern-${device.deviceId}`,
      username: device.username,
      password: device.password,
      will: availabilityWill(identity),
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    });
    const loop = new DeviceLoop(device, client, audience, opts);
    announceOnConnect(client, identity, (err) => opts.onError?.(device.deviceId, err));
    client.on('error', (err) => opts.onError?.(device.deviceId, err));
    // Only the first connect may fail the start; afterwards mqtt.js reconnects on its own (a broker restart
    // must not end the simulated device), so both listeners go once the first attempt is decided.
    await new Promise<void>((resolve, reject) => {
      const onConnect = (): void => {
        client.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        client.off('connect', onConnect);
        client.end(true);
        reject(new Error(`simulated device ${device.deviceId}: cannot connect to ${brokerUrl}: ${err.message}`));
      };
      client.once('connect', onConnect);
      client.once('error', onError);
    });
    loop.timer = setInterval(() => loop.tick(), 1000 / hz);
    return loop;
  }

  private tick(): void {
    const { count } = this.opts;
    if (count !== undefined && this.sent >= count) {
      clearInterval(this.timer);
      return;
    }
    const now = Date.now();
    const snapshot: Snapshot = {
      v: 1,
      deviceId: this.device.deviceId,
      roomId: this.device.roomId,
      epoch: this.epoch,
      seq: this.seq++,
      capturedAt: now,
      ...this.audience.tick(now),
      model: SIMULATOR_MODEL,
      emotionEnabled: true,
    };
    this.sent++;
    const publish = this.client
      .publishAsync(topicFor('snapshot', this.device.deviceId), encode('snapshot', snapshot), {
        qos: TOPICS.snapshot.qos,
      })
      .then(() => {
        this.acked++;
        if (count !== undefined && this.acked >= count) this.resolveDone();
      })
      .catch((err: unknown) => this.opts.onError?.(this.device.deviceId, err as Error))
      .finally(() => this.inFlight.delete(publish));
    this.inFlight.add(publish);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    // Give snapshots already handed to mqtt.js a moment to be acknowledged before we go.
    await Promise.race([Promise.all(this.inFlight), new Promise((r) => setTimeout(r, 3000).unref())]);
    await announceOffline(this.client, this.identity);
    await this.client.endAsync();
  }
}
