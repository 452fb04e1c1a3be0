import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode, topicFor, type Telemetry } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  IngestService,
  MetricsService,
  SnapshotEntity,
  provisionDevice,
  type DeviceFaceSizes,
  type LiveAggregate,
} from '../src';
import { MQTT_URL, PG_URL, dropMqttSession, startTestCloud, waitFor, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';
import { openSse } from './helpers/sse';

interface RoomBody {
  id: string;
  deviceIds: string[];
  live: LiveAggregate | null;
}

const targets = [
  { name: 'SQLite + embedded aedes', db: 'sqlite' as const, mqtt: undefined, skip: false, why: '' },
  {
    name: 'PostgreSQL + embedded aedes',
    db: 'postgres' as const,
    mqtt: undefined,
    skip: !PG_URL,
    why: 'LECTERN_TEST_PG_URL not set',
  },
  {
    name: 'SQLite + external Mosquitto',
    db: 'sqlite' as const,
    mqtt: MQTT_URL,
    skip: !MQTT_URL,
    why: 'LECTERN_TEST_MQTT_URL not set',
  },
];

for (const target of targets) {
  if (target.skip) console.warn(`skipping ingestion on ${target.name}: ${target.why}`);
  describe.skipIf(target.skip)(`ingestion on ${target.name}`, () => {
    let cloud: TestCloud;
    let token: string;
    const run = randomBytes(3).toString('hex');
    const cam1 = `cam1-${run}`;
    const cam2 = `cam2-${run}`;
    const room = `hall-${run}`;
    const clients: MqttClient[] = [];

    const deviceClient = async (id: string): Promise<MqttClient> => {
      const creds = await provisionDevice(cloud, { id, roomId: room, roomName: `Hall ${run}` });
      const c = await connectAsync(cloud.mqttUrl, {
        username: creds.username,
        password: creds.password,
        clientId: id,
        reconnectPeriod: 0,
      });
      clients.push(c);
      return c;
    };
    const storedFor = async (deviceId: string): Promise<number> => {
      await cloud.app.get(IngestService).writer.drain();
      return countRows(cloud, deviceId);
    };

    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db, ...(target.mqtt ? { mqttUrl: target.mqtt } : {}) });
      token = await cloud.login();
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync();
      await cloud?.stop();
    });

    it('stores exactly K snapshots, pushes the live aggregate over SSE and shows it on GET /api/rooms', async () => {
      const K = 25;
      const c1 = await deviceClient(cam1);
      const sse = await openSse(`${cloud.httpUrl}/api/rooms/${room}/live?token=${token}`);
      try {
        for (let seq = 1; seq <= K; seq++) {
          await c1.publishAsync(topicFor('snapshot', cam1), snapshotPayload(makeSnapshot(cam1, room, seq, 4)), {
            qos: 1,
          });
        }
        const last = await sse.next(
          (e) => (JSON.parse(e.data) as LiveAggregate).faces === 4 && e.event === 'aggregate',
        );
        const agg = JSON.parse(last.data) as LiveAggregate;
        expect(agg).toMatchObject({ roomId: room, faces: 4, suppressed: false, dominant: 'happy' });
        expect(agg.distribution).toHaveLength(7);
        expect(agg.tracks).toHaveLength(4);
        expect(agg.tracks[0]!.key).toBe(`${cam1}:1`);
        await waitFor(async () => (await storedFor(cam1)) === K, 10_000, `${K} rows`);
        expect(await storedFor(cam1)).toBe(K);
        // Tracks and distribution are stored as JSON text that reads back to what the device sent.
        const row = await cloud.app
          .get(DataSource)
          .getRepository(SnapshotEntity)
          .findOneByOrFail({ deviceId: cam1, seq: 1 });
        const sent = makeSnapshot(cam1, room, 1, 4);
        expect(JSON.parse(row.tracks)).toEqual(sent.tracks);
        expect(JSON.parse(row.distribution)).toEqual(sent.aggregate.distribution);

        const rooms = await cloud.api<RoomBody[]>('/api/rooms', { token });
        expect(rooms.status).toBe(200);
        const r = rooms.body.find((x) => x.id === room);
        expect(r?.deviceIds).toEqual([cam1]);
        expect(r?.live).toMatchObject({ faces: 4, suppressed: false });
        expect(r?.live?.valence).toBeGreaterThan(0.4);
      } finally {
        sse.close();
      }
    });

    it('ignores duplicate (device, seq) redeliveries', async () => {
      const c1 = clients[0]!;
      for (let seq = 1; seq <= 5; seq++) {
        await c1.publishAsync(topicFor('snapshot', cam1), snapshotPayload(makeSnapshot(cam1, room, seq, 4)), {
          qos: 1,
        });
      }
      await c1.publishAsync(topicFor('snapshot', cam1), snapshotPayload(makeSnapshot(cam1, room, 26, 4)), { qos: 1 });
      await waitFor(async () => (await storedFor(cam1)) === 26, 10_000, '26 rows');
      await new Promise((r) => setTimeout(r, 200));
      expect(await storedFor(cam1)).toBe(26);
    });

    it('counts and drops malformed payloads without affecting another device', async () => {
      const metrics = cloud.app.get(MetricsService);
      const before = (await metrics.rejectedByReason()).malformed ?? 0;
      const c2 = await deviceClient(cam2);
      const sse = await openSse(`${cloud.httpUrl}/api/rooms/${room}/live?token=${token}`);
      try {
        const bad = [
          Buffer.from('not json {'),
          Buffer.from(JSON.stringify({ ...makeSnapshot(cam2, room, 1, 3), faces: -1 })),
          Buffer.from(JSON.stringify({ ...makeSnapshot(cam2, room, 2, 3), image: 'AAAA' })),
          // Schema-valid, but PostgreSQL text cannot store it: must not fail the batch of other devices.
          Buffer.from(JSON.stringify({ ...makeSnapshot(cam2, room, 3, 3), model: { id: 'm\u0000', version: '1' } })),
        ];
        for (let i = 0; i < 10; i++) {
          await c2.publishAsync(topicFor('snapshot', cam2), bad[i % bad.length]!, { qos: 1 });
          await c2.publishAsync(topicFor('snapshot', cam2), snapshotPayload(makeSnapshot(cam2, room, 100 + i, 3)), {
            qos: 1,
          });
          await clients[0]!.publishAsync(
            topicFor('snapshot', cam1),
            snapshotPayload(makeSnapshot(cam1, room, 27 + i, 4)),
            { qos: 1 },
          );
        }
        await waitFor(
          async () => (await storedFor(cam2)) === 10 && (await storedFor(cam1)) === 36,
          10_000,
          'rows of both devices',
        );
        expect(await storedFor(cam2)).toBe(10);
        expect(await storedFor(cam1)).toBe(36);
        expect((await metrics.rejectedByReason()).malformed).toBe(before + 10);
        // The room merges both cameras: 4 + 3 faces.
        await sse.next((e) => (JSON.parse(e.data) as LiveAggregate).faces === 7);
        const rooms = await cloud.api<RoomBody[]>('/api/rooms', { token });
        expect(rooms.body.find((x) => x.id === room)?.live?.faces).toBe(7);
      } finally {
        sse.close();
      }
    });

    it('carries read and too-small faces to the live aggregate, and face sizes from telemetry to the fleet', async () => {
      const far = `far-${run}`;
      const creds = await provisionDevice(cloud, { id: far, roomId: far, roomName: `Far ${run}` });
      const c = await connectAsync(cloud.mqttUrl, { ...creds, clientId: far, reconnectPeriod: 0 });
      clients.push(c);
      const sse = await openSse(`${cloud.httpUrl}/api/rooms/${far}/live?token=${token}`);
      try {
        // 12 listeners, 9 of them under the camera's readable size of 20 px.
        const snap = makeSnapshot(far, far, 1, 12, { tooSmall: 9, minReadablePx: 20 });
        await c.publishAsync(topicFor('snapshot', far), snapshotPayload(snap), { qos: 1 });
        const e = await sse.next((x) => x.event === 'aggregate' && (JSON.parse(x.data) as LiveAggregate).faces === 12);
        expect(JSON.parse(e.data)).toMatchObject({
          faces: 12,
          read: 3,
          tooSmall: 9,
          minReadablePx: 20,
          suppressed: false,
          dominant: 'happy',
        });
        await waitFor(async () => (await storedFor(far)) === 1, 10_000, 'the far snapshot');
      } finally {
        sse.close();
      }

      // Bins from 0, 12, 16, 20, 24, 32, 48, 96 px: 30 faces under 20 px, 10 above.
      const counts = [4, 8, 8, 10, 6, 4, 0, 0, 0];
      const telemetry: Telemetry = {
        v: 1,
        deviceId: far,
        ts: Date.now(),
        fps: 10,
        detectMs: 20,
        classifyMs: 3,
        cpuPercent: 50,
        memoryMb: 200,
        temperatureC: null,
        outboxDepth: 0,
        outboxDropped: 0,
        uptimeS: 60,
        source: { state: 'ok', reconnects: 0 },
        faceSizes: { counts, minReadablePx: 20 },
      };
      await c.publishAsync(topicFor('telemetry', far), encode('telemetry', telemetry), { qos: 0 });
      const sizes = await waitFor(
        async () =>
          (await cloud.api<{ id: string; faceSizes: DeviceFaceSizes | null }[]>('/api/devices', { token })).body.find(
            (d) => d.id === far,
          )?.faceSizes,
        10_000,
        'face sizes of the far camera',
      );
      expect(sizes).toEqual({ counts, faces: 40, tooSmall: 30, minReadablePx: 20 });
    });
  });
}

async function countRows(cloud: TestCloud, deviceId: string): Promise<number> {
  const { DataSource } = await import('typeorm');
  return cloud.app.get(DataSource).getRepository(SnapshotEntity).countBy({ deviceId });
}

describe('live channel recovery', () => {
  let cloud: TestCloud;
  let client: MqttClient | null = null;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(async () => {
    await client?.endAsync(true);
    await cloud?.stop();
  });

  it('sends the last known aggregate at once on (re)connect, then new ones within 1 s', async () => {
    const token = await cloud.login();
    const creds = await provisionDevice(cloud, { id: 'live-cam', roomId: 'live-room', roomName: 'Live' });
    client = await connectAsync(cloud.mqttUrl, { ...creds, clientId: creds.username, reconnectPeriod: 0 });
    const url = `${cloud.httpUrl}/api/rooms/live-room/live?token=${token}`;
    const first = await openSse(url);
    await client.publishAsync(
      topicFor('snapshot', 'live-cam'),
      snapshotPayload(makeSnapshot('live-cam', 'live-room', 1, 5)),
      { qos: 1 },
    );
    expect(JSON.parse((await first.next()).data)).toMatchObject({ faces: 5 });
    first.close();
    // Missed while disconnected:
    await client.publishAsync(
      topicFor('snapshot', 'live-cam'),
      snapshotPayload(makeSnapshot('live-cam', 'live-room', 2, 6)),
      { qos: 1 },
    );
    await new Promise((r) => setTimeout(r, 100));
    const second = await openSse(url);
    try {
      expect(JSON.parse((await second.next(undefined, 1000)).data)).toMatchObject({ faces: 6 });
      const sentAt = Date.now();
      await client.publishAsync(
        topicFor('snapshot', 'live-cam'),
        snapshotPayload(makeSnapshot('live-cam', 'live-room', 3, 7)),
        { qos: 1 },
      );
      const e = await second.next(undefined, 1000);
      expect(JSON.parse(e.data)).toMatchObject({ faces: 7 });
      expect(e.at - sentAt).toBeLessThan(1000);
    } finally {
      second.close();
    }
    expect((await cloud.api(`/api/rooms/nope/live?token=${token}`)).status).toBe(404);
    expect((await cloud.api(`/api/rooms/live-room/live?token=bad`)).status).toBe(401);
  });
});

describe.skipIf(!MQTT_URL)('external broker: persistent ingest session', () => {
  const run = randomBytes(3).toString('hex');
  const env = { LECTERN_MQTT_CLIENT_ID: `lectern-test-persist-${run}` };
  const dataDir = mkdtempSync(join(tmpdir(), 'lectern-persist-'));
  const cam = `persist-cam-${run}`;
  const room = `persist-room-${run}`;
  let cloud: TestCloud | null = null;
  let device: MqttClient | null = null;

  afterAll(async () => {
    await device?.endAsync();
    await cloud?.stop();
    await dropMqttSession(MQTT_URL!, env);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const publish = async (from: number, to: number): Promise<void> => {
    for (let seq = from; seq <= to; seq++) {
      await device!.publishAsync(topicFor('snapshot', cam), snapshotPayload(makeSnapshot(cam, room, seq, 2)), {
        qos: 1,
      });
    }
  };
  const storedSeqs = async (c: TestCloud): Promise<number[]> => {
    await c.app.get(IngestService).writer.drain();
    const { DataSource } = await import('typeorm');
    const rows = await c.app.get(DataSource).getRepository(SnapshotEntity).findBy({ deviceId: cam });
    return rows.map((r) => Number(r.seq)).sort((a, b) => a - b);
  };

  it('stores every snapshot a device published while the cloud was down', async () => {
    cloud = await startTestCloud({ mqttUrl: MQTT_URL!, dataDir, env });
    await provisionDevice(cloud, { id: cam, roomId: room, roomName: `Persist ${run}` });
    device = await connectAsync(MQTT_URL!, { clientId: cam, reconnectPeriod: 0 });
    await publish(1, 10);
    await waitFor(async () => (await storedSeqs(cloud!)).length === 10, 10_000, '10 rows before the stop');

    await cloud.stop();
    cloud = null;
    // The broker accepts these (PUBACK) with no cloud connected: only a persistent session keeps them.
    await publish(11, 60);

    cloud = await startTestCloud({ mqttUrl: MQTT_URL!, dataDir, env });
    const expected = Array.from({ length: 60 }, (_, i) => i + 1);
    await waitFor(async () => (await storedSeqs(cloud!)).length === 60, 15_000, 'all 60 rows after the restart');
    expect(await storedSeqs(cloud)).toEqual(expected);
  });
});
