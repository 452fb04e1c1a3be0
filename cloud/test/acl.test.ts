import { randomBytes } from 'node:crypto';
import { decode, encode, topicFor } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestService, SnapshotEntity, provisionDevice } from '../src';
import { DataSource } from 'typeorm';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';
import { announceSkip, DB_TARGETS } from './helpers/targets';

interface DeviceRow {
  id: string;
  status: string;
  software: string | null;
  model: { id: string; version: string } | null;
  telemetry: { fps: number; outboxDepth: number } | null;
  configRevision: number;
}

for (const target of DB_TARGETS) {
  announceSkip('MQTT ACL and fleet tests', target);
  describe.skipIf(target.skip)(`embedded broker ACL and fleet on ${target.db}`, () => {
    let cloud: TestCloud;
    let token: string;
    const run = randomBytes(3).toString('hex');
    const a = `acl-a-${run}`;
    const b = `acl-b-${run}`;
    const room = `acl-room-${run}`;
    let credA: { username: string; password: string };
    let credB: { username: string; password: string };
    const clients: MqttClient[] = [];
    const connect = async (
      username: string,
      password: string,
      extra: Record<string, unknown> = {},
    ): Promise<MqttClient> => {
      const c = await connectAsync(cloud.mqttUrl, {
        username,
        password,
        clientId: `lectern-${username}`, // the embedded broker ties client ids to credentials
        reconnectPeriod: 0,
        connectTimeout: 3000,
        ...extra,
      });
      clients.push(c);
      return c;
    };
    const rows = async (deviceId: string): Promise<number> => {
      await cloud.app.get(IngestService).writer.drain();
      return cloud.app.get(DataSource).getRepository(SnapshotEntity).countBy({ deviceId });
    };
    const device = async (id: string): Promise<DeviceRow> => {
      const r = await cloud.api<DeviceRow[]>('/api/devices', { token });
      const d = r.body.find((x) => x.id === id);
      if (!d) throw new Error(`device ${id} missing`);
      return d;
    };

    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db });
      token = await cloud.login();
      credA = await provisionDevice(cloud, { id: a, roomId: room, roomName: 'ACL room' });
      credB = await provisionDevice(cloud, { id: b, roomId: room });
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync(true);
      await cloud?.stop();
    });

    it('rejects unknown users and wrong passwords', async () => {
      await expect(connect(a, 'wrong-password')).rejects.toThrow(/Bad username or password|Not authorized/i);
      await expect(connect('nobody', credA.password)).rejects.toThrow(/Bad username or password|Not authorized/i);
      await expect(connect(a, credB.password)).rejects.toThrow(/Bad username or password|Not authorized/i);
    });

    it('lets a device publish only its own topics: spoofing another device disconnects it and stores nothing', async () => {
      const ca = await connect(a, credA.password);
      await ca.publishAsync(topicFor('snapshot', a), snapshotPayload(makeSnapshot(a, room, 1, 3)), { qos: 1 });
      await waitFor(async () => (await rows(a)) === 1, 5000, 'own snapshot stored');
      const closed = new Promise<void>((resolve) => ca.once('close', () => resolve()));
      ca.publish(topicFor('snapshot', b), snapshotPayload(makeSnapshot(b, room, 1, 3)), { qos: 1 });
      await closed;
      await new Promise((r) => setTimeout(r, 200));
      expect(await rows(b)).toBe(0);
      expect(await rows(a)).toBe(1);
    });

    it('lets a device subscribe only to its own config and command topics', async () => {
      const ca = await connect(a, credA.password);
      const outcome = async (filter: string): Promise<string> =>
        ca.subscribeAsync(filter, { qos: 1 }).then(
          (g) => `granted ${g[0]?.qos}`,
          () => 'refused',
        );
      expect(await outcome(topicFor('config', a))).toBe('granted 1');
      expect(await outcome(topicFor('command', a))).toBe('granted 1');
      for (const f of [topicFor('config', b), topicFor('snapshot', b), 'lectern/v1/devices/+/command', '#']) {
        expect(await outcome(f), f).toBe('refused');
      }
      expect(ca.connected).toBe(true);
    });

    it('pushes config retained (a device connecting later still gets it) and collects command responses', async () => {
      const put = await cloud.api<{ revision: number; snapshotHz: number }>(`/api/devices/${b}/config`, {
        method: 'PUT',
        token,
        body: { snapshotHz: 2, emotion: { enabled: false } },
      });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ revision: 1, snapshotHz: 2 });
      const bad = await cloud.api<{ message: string }>(`/api/devices/${b}/config`, {
        method: 'PUT',
        token,
        body: { snapshotHz: 99 },
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toMatch(/snapshotHz/);

      const cb = await connect(b, credB.password);
      const got = new Promise<Buffer>((resolve) =>
        cb.on('message', (t, p) => t === topicFor('config', b) && resolve(p)),
      );
      await cb.subscribeAsync(topicFor('config', b), { qos: 1 });
      const cfg = decode('config', await got);
      expect(cfg.ok && cfg.value).toMatchObject({ revision: 1, snapshotHz: 2, emotion: { enabled: false } });
      expect((await device(b)).configRevision).toBe(1);

      // The device answers a ping on its response topic.
      await cb.subscribeAsync(topicFor('command', b), { qos: 1 });
      cb.on('message', (t, p) => {
        if (t !== topicFor('command', b)) return;
        const cmd = decode('command', p);
        if (!cmd.ok) return;
        cb.publish(
          topicFor('response', b),
          encode('response', {
            v: 1,
            txId: cmd.value.txId,
            ts: Date.now(),
            to: cmd.value.name,
            ok: true,
            result: { pong: true },
          }),
          { qos: 1 },
        );
      });
      const sent = await cloud.api<{ txId: string }>(`/api/devices/${b}/commands`, {
        method: 'POST',
        token,
        body: { name: 'ping' },
      });
      expect(sent.status).toBe(201);
      const answered = await waitFor(
        async () => {
          const r = await cloud.api<{ response: { ok: boolean; result: Record<string, unknown> } | null }>(
            `/api/devices/${b}/commands/${sent.body.txId}`,
            { token },
          );
          return r.body.response;
        },
        5000,
        'command response',
      );
      expect(answered).toMatchObject({ ok: true, result: { pong: true } });
      const unknown = await cloud.api(`/api/devices/${b}/commands`, {
        method: 'POST',
        token,
        body: { name: 'format-disk' },
      });
      expect(unknown.status).toBe(400);
    });

    it('tracks online/offline from the retained status and its last will, and telemetry', async () => {
      expect((await device(a)).status).not.toBe('online');
      const will = {
        topic: topicFor('status', a),
        payload: encode('status', { v: 1, deviceId: a, state: 'offline', since: Date.now() }),
        qos: 1 as const,
        retain: true,
      };
      const ca = await connect(a, credA.password, { will });
      await ca.publishAsync(
        topicFor('status', a),
        encode('status', {
          v: 1,
          deviceId: a,
          state: 'online',
          since: Date.now(),
          software: '1.2.3',
          model: { id: 'fer', version: '7' },
        }),
        { qos: 1, retain: true },
      );
      await waitFor(async () => (await device(a)).status === 'online', 5000, 'online');
      expect(await device(a)).toMatchObject({ software: '1.2.3', model: { id: 'fer', version: '7' } });
      await ca.publishAsync(
        topicFor('telemetry', a),
        encode('telemetry', {
          v: 1,
          deviceId: a,
          ts: Date.now(),
          fps: 11.5,
          detectMs: 20,
          classifyMs: 3,
          cpuPercent: 55,
          memoryMb: 200,
          temperatureC: 51,
          outboxDepth: 4,
          outboxDropped: 0,
          uptimeS: 100,
          source: { state: 'ok', reconnects: 0 },
        }),
        { qos: 0 },
      );
      await waitFor(async () => (await device(a)).telemetry?.fps === 11.5, 5000, 'telemetry');
      expect((await device(a)).telemetry?.outboxDepth).toBe(4);
      // Drop the TCP connection without DISCONNECT: the broker publishes the will.
      ca.stream.destroy();
      await waitFor(async () => (await device(a)).status === 'offline', 5000, 'offline via last will');
    });
  });
}
