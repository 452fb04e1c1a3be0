import {
  decode,
  parseTopic,
  topicFilter,
  type CommandResponse,
  type DeviceStatus,
  type Snapshot,
  type Telemetry,
} from '@lectern/protocol';
import mqtt, { type MqttClient } from 'mqtt';

/** A minimal cloud-side subscriber that stores snapshots keyed by (device, seq), like the real cloud. */
export class TestCloud {
  readonly snapshots = new Map<number, Snapshot>();
  duplicates = 0;
  readonly statuses: DeviceStatus[] = [];
  readonly telemetry: Telemetry[] = [];
  readonly responses: CommandResponse[] = [];
  readonly errors: string[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (!t) return;
      if (t.kind === 'snapshot') {
        const r = decode('snapshot', payload);
        if (!r.ok) return void this.errors.push(r.error);
        if (this.snapshots.has(r.value.seq)) this.duplicates++;
        this.snapshots.set(r.value.seq, r.value);
      } else if (t.kind === 'status') {
        const r = decode('status', payload);
        if (r.ok) this.statuses.push(r.value);
        else this.errors.push(r.error);
      } else if (t.kind === 'telemetry') {
        const r = decode('telemetry', payload);
        if (r.ok) this.telemetry.push(r.value);
        else this.errors.push(r.error);
      } else if (t.kind === 'response') {
        const r = decode('response', payload);
        if (r.ok) this.responses.push(r.value);
        else this.errors.push(r.error);
      }
    });
  }

  static async connect(url: string): Promise<TestCloud> {
    const client = await mqtt.connectAsync(url, {
      clientId: `test-cloud-${process.pid}-${Math.random().toString(36).slice(2)}`,
      clean: false,
      reconnectPeriod: 200,
    });
    await client.subscribeAsync(
      ['snapshot', 'status', 'telemetry', 'response'].map((k) => topicFilter(k as 'snapshot')),
      { qos: 1 },
    );
    return new TestCloud(client);
  }

  seqs(): number[] {
    return [...this.snapshots.keys()].sort((a, b) => a - b);
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
