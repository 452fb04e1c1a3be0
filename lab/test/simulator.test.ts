import { decode, parseTopic, topicFilter, type DeviceStatus, type Snapshot } from '@lectern/protocol';
import mqtt from 'mqtt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator } from '../src';
import { startBroker, type TestBroker } from '../../device/test/helpers/broker';

describe('simulator', () => {
  let broker: TestBroker;
  beforeEach(async () => {
    broker = await startBroker();
  });
  afterEach(async () => {
    await broker.close();
  });

  it('publishes K schema-valid snapshots per device with seq 0..K-1 and announces availability', async () => {
    const K = 5;
    const cloud = await mqtt.connectAsync(broker.url, { clientId: 'test-cloud' });
    const snapshots = new Map<string, Snapshot[]>();
    const statuses: DeviceStatus[] = [];
    const errors: string[] = [];
    cloud.on('message', (topic, payload) => {
      const parsed = parseTopic(topic);
      if (parsed?.kind === 'snapshot') {
        const r = decode('snapshot', payload);
        if (!r.ok) errors.push(r.error);
        else snapshots.set(parsed.deviceId, [...(snapshots.get(parsed.deviceId) ?? []), r.value]);
      } else if (parsed?.kind === 'status') {
        const r = decode('status', payload);
        if (!r.ok) errors.push(r.error);
        else statuses.push(r.value);
      }
    });
    await cloud.subscribeAsync([topicFilter('snapshot'), topicFilter('status')], { qos: 1 });

    const devices = [
      { deviceId: 'sim-a', roomId: 'room-1' },
      { deviceId: 'sim-b', roomId: 'room-1' },
      { deviceId: 'sim-c', roomId: 'room-2' },
    ];
    const sim = await startSimulator({ brokerUrl: broker.url, devices, hz: 20, count: K, faces: [3, 8] });
    await sim.done;
    expect(sim.published()).toBe(K * devices.length);
    await sim.stop();
    await new Promise((r) => setTimeout(r, 100));
    await cloud.endAsync();

    expect(errors).toEqual([]);
    for (const d of devices) {
      const got = snapshots.get(d.deviceId) ?? [];
      expect(got.map((s) => s.seq)).toEqual([0, 1, 2, 3, 4]);
      for (const s of got) {
        expect(s.roomId).toBe(d.roomId);
        expect(s.model).toEqual({ id: 'simulator', version: '0' });
        expect(s.faces).toBeGreaterThanOrEqual(3);
        expect(s.faces).toBeLessThanOrEqual(8);
        expect(s.tracks).toHaveLength(s.faces);
        const sum = s.aggregate.distribution.reduce((a, b) => a + b, 0);
        expect(sum).toBeCloseTo(1, 5);
      }
      const states = statuses.filter((st) => st.deviceId === d.deviceId).map((st) => st.state);
      expect(states[0]).toBe('online');
      expect(states.at(-1)).toBe('offline');
    }
  });

  it('leaves a retained offline via the last will when a device dies uncleanly', async () => {
    const sim = await startSimulator({
      brokerUrl: broker.url,
      devices: [{ deviceId: 'sim-will', roomId: 'r' }],
      hz: 5,
    });
    // Kill the device's socket from the broker side: no DISCONNECT, so the broker must fire the will.
    const client = (broker.aedes as unknown as { clients: Record<string, { conn: { destroy(): void } }> }).clients[
      'lectern-sim-will'
    ];
    expect(client).toBeDefined();
    const observer = await mqtt.connectAsync(broker.url, { clientId: 'test-observer', reconnectPeriod: 0 });
    const seen: DeviceStatus[] = [];
    observer.on('message', (_t, payload) => {
      const r = decode('status', payload);
      if (r.ok) seen.push(r.value);
    });
    await observer.subscribeAsync(topicFilter('status', 'sim-will'), { qos: 1 });
    client!.conn.destroy();
    await expect.poll(() => seen.map((s) => s.state), { timeout: 5000 }).toContain('offline');
    // mqtt.js reconnects and announces online again, replacing the retained offline.
    await expect.poll(() => seen.at(-1)?.state, { timeout: 5000 }).toBe('online');
    await sim.stop();
    await observer.endAsync();
  });

  it('refuses bad options with a clear error', async () => {
    await expect(
      startSimulator({ brokerUrl: broker.url, devices: [{ deviceId: 'Bad Id', roomId: 'r' }] }),
    ).rejects.toThrow(/invalid device id/);
    await expect(startSimulator({ brokerUrl: broker.url, devices: [], hz: 0 })).rejects.toThrow(/hz/);
  });
});
