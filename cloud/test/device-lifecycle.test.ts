import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { topicFor } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveService, SnapshotEntity } from '../src';
import { MQTT_URL, startTestCloud, waitFor, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';
import { announceSkip, DB_TARGETS } from './helpers/targets';

// Issue 14 part 5: rename, move, re-key and delete devices; rooms renamed and deleted. Against the real
// embedded broker with real MQTT clients, on SQLite and (LECTERN_TEST_PG_URL) PostgreSQL.

interface Created {
  device: { id: string; roomId: string; name: string | null };
  credentials: { username: string; password: string };
  mqttUrl: string;
  configYaml: string;
  installUrl: string | null;
  qrPng: string | null;
}

interface AuditRow {
  action: string;
  target: string;
  detail: Record<string, unknown> | null;
}

/** Connects as the agent does; resolves with the client, or rejects with the broker's refusal. */
function connectDevice(url: string, creds: { username: string; password: string }): Promise<MqttClient> {
  return connectAsync(url, {
    clientId: `lectern-${creds.username}`,
    username: creds.username,
    password: creds.password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

function closed(client: MqttClient): Promise<true> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    client.once('close', () => resolve(true));
  });
}

for (const target of DB_TARGETS) {
  announceSkip('device lifecycle', target);
  describe.skipIf(target.skip)(`device lifecycle (${target.db})`, () => {
    let cloud: TestCloud;
    let admin: string;
    const clients: MqttClient[] = [];

    beforeAll(async () => {
      cloud = await startTestCloud({ db: target.db });
      admin = await cloud.login();
      for (const [id, name] of [
        ['life-a', 'Life A'],
        ['life-b', 'Life B'],
      ])
        expect(
          (await cloud.api('/api/rooms', { method: 'POST', token: admin, body: { id, name, buildingName: 'Main' } }))
            .status,
        ).toBe(201);
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync(true).catch(() => {});
      await cloud?.stop();
    });

    const audit = async (prefix: string): Promise<AuditRow[]> =>
      (await cloud.api<AuditRow[]>(`/api/audit?action=${prefix}`, { token: admin })).body;
    const live = (roomId: string) => cloud.app.get(LiveService).get(roomId);
    const storedRooms = async (deviceId: string) =>
      (
        await cloud.app
          .get(DataSource)
          .getRepository(SnapshotEntity)
          .find({ where: { deviceId }, order: { seq: 'ASC' } })
      ).map((s) => [s.seq, s.roomId] as const);

    it('moves a device, re-keys it, deletes it: the broker refuses its old credentials and drops it at once', async () => {
      const created = await cloud.api<Created>('/api/devices', {
        method: 'POST',
        token: admin,
        body: { id: 'life-cam', roomId: 'life-a' },
      });
      expect(created.status).toBe(201);
      const first = created.body.credentials;
      // The QR code holds the device's install page, never the password.
      expect(created.body.installUrl).toMatch(/\/#\/installer\?device=life-cam$/);
      expect(created.body.qrPng).toMatch(/^data:image\/png;base64,/);

      let cam = await connectDevice(cloud.mqttUrl, first);
      clients.push(cam);
      await cam.publishAsync(
        topicFor('snapshot', 'life-cam'),
        snapshotPayload(makeSnapshot('life-cam', 'life-a', 1, 4)),
        { qos: 1 },
      );
      await waitFor(() => live('life-a')?.faces === 4, 5000, 'life-a live');

      // Rename: a label only; the id stays the MQTT identity.
      const renamed = await cloud.api<{ name: string }>('/api/devices/life-cam', {
        method: 'PATCH',
        token: admin,
        body: { name: 'Front camera' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body.name).toBe('Front camera');

      // Move: its live contribution leaves life-a at once; its next snapshots count for life-b.
      const moved = await cloud.api<{ roomId: string }>('/api/devices/life-cam', {
        method: 'PATCH',
        token: admin,
        body: { roomId: 'life-b' },
      });
      expect(moved.status).toBe(200);
      expect(moved.body.roomId).toBe('life-b');
      expect(live('life-a')?.faces).toBe(0);
      expect(cam.connected).toBe(true); // a move does not need new credentials
      await cam.publishAsync(
        topicFor('snapshot', 'life-cam'),
        snapshotPayload(makeSnapshot('life-cam', 'life-a', 2, 5)),
        { qos: 1 },
      );
      await waitFor(() => live('life-b')?.faces === 5, 5000, 'life-b live');
      expect(live('life-a')?.faces).toBe(0);
      // Past data stays with the room it was recorded in.
      expect(await storedRooms('life-cam')).toEqual([
        [1, 'life-a'],
        [2, 'life-b'],
      ]);
      const rooms = await cloud.api<{ id: string; deviceIds: string[] }[]>('/api/rooms', { token: admin });
      expect(rooms.body.find((r) => r.id === 'life-b')?.deviceIds).toEqual(['life-cam']);

      // A move to a room that does not exist is refused with a sentence.
      const nowhere = await cloud.api<{ message: string }>('/api/devices/life-cam', {
        method: 'PATCH',
        token: admin,
        body: { roomId: 'no-such-room' },
      });
      expect(nowhere.status).toBe(400);
      expect(nowhere.body.message).toMatch(/does not exist: create it first/);

      // Rotate: the connected device is dropped at once; the old password is refused, the new one works.
      const wasClosed = closed(cam);
      const rotated = await cloud.api<Created & { broker: string }>('/api/devices/life-cam/credentials', {
        method: 'POST',
        token: admin,
      });
      expect(rotated.status).toBe(201);
      expect(rotated.body.broker).toBe('revoked');
      const second = rotated.body.credentials;
      expect(second.password).not.toBe(first.password);
      expect(rotated.body.configYaml).toContain(`password: "${second.password}"`);
      expect(rotated.body.configYaml).toContain('roomId: "life-b"');
      await expect(wasClosed).resolves.toBe(true);
      await expect(connectDevice(cloud.mqttUrl, first)).rejects.toThrow(/auth|password/i);
      cam = await connectDevice(cloud.mqttUrl, second);
      clients.push(cam);
      await cam.publishAsync(
        topicFor('snapshot', 'life-cam'),
        snapshotPayload(makeSnapshot('life-cam', 'life-b', 3, 2)),
        { qos: 1 },
      );
      await waitFor(() => live('life-b')?.faces === 2, 5000, 'life-b live after rotation');

      // Delete: dropped at once, its credentials refused from now on, its live contribution gone, data kept.
      const goneClosed = closed(cam);
      const deleted = await cloud.api<{ broker: string; device: { id: string } }>('/api/devices/life-cam', {
        method: 'DELETE',
        token: admin,
      });
      expect(deleted.status).toBe(200);
      expect(deleted.body.broker).toBe('revoked');
      await expect(goneClosed).resolves.toBe(true);
      await expect(connectDevice(cloud.mqttUrl, second)).rejects.toThrow(/auth|password/i);
      await expect(connectDevice(cloud.mqttUrl, first)).rejects.toThrow(/auth|password/i);
      expect(live('life-b')?.faces).toBe(0);
      expect((await cloud.api<{ id: string }[]>('/api/devices', { token: admin })).body.map((d) => d.id)).not.toContain(
        'life-cam',
      );
      expect((await storedRooms('life-cam')).length).toBe(3);
      const again = await cloud.api<{ message: string }>('/api/devices/life-cam', { method: 'DELETE', token: admin });
      expect(again.status).toBe(404);

      // Every change is audited.
      const rows = (await audit('device.')).filter((r) => r.target === 'device:life-cam').map((r) => r.action);
      expect(rows.sort()).toEqual(['device.create', 'device.delete', 'device.move', 'device.rename', 'device.rotate']);
      const move = (await audit('device.move')).find((r) => r.target === 'device:life-cam');
      expect(move?.detail).toEqual({ from: 'life-a', to: 'life-b' });
    });

    it('closes a connection whose credentials were checked just before the device was deleted', async () => {
      const created = await cloud.api<Created>('/api/devices', {
        method: 'POST',
        token: admin,
        body: { id: 'life-race', roomId: 'life-a' },
      });
      // CONNECT and DELETE race: whichever wins, the device ends up without a connection.
      const connecting = connectDevice(cloud.mqttUrl, created.body.credentials).then(
        (c) => (clients.push(c), c),
        () => null,
      );
      await cloud.api('/api/devices/life-race', { method: 'DELETE', token: admin });
      const c = await connecting;
      if (c) await waitFor(() => !c.connected, 5000, 'racing connection closed');
      await expect(connectDevice(cloud.mqttUrl, created.body.credentials)).rejects.toThrow(/auth|password/i);
    });

    it('installers may re-key but not move or delete devices', async () => {
      await cloud.api('/api/users', {
        method: 'POST',
        token: admin,
        body: { username: 'life-inst', password: 'installer-password', role: 'installer', roomIds: [] },
      });
      const inst = await cloud.login('life-inst', 'installer-password');
      const created = await cloud.api<Created>('/api/devices', {
        method: 'POST',
        token: inst,
        body: { id: 'life-inst-cam', roomId: 'life-a' },
      });
      expect(created.status).toBe(201);
      expect((await cloud.api('/api/devices/life-inst-cam/credentials', { method: 'POST', token: inst })).status).toBe(
        201,
      );
      expect(
        (await cloud.api('/api/devices/life-inst-cam', { method: 'PATCH', token: inst, body: { roomId: 'life-b' } }))
          .status,
      ).toBe(403);
      expect((await cloud.api('/api/devices/life-inst-cam', { method: 'DELETE', token: inst })).status).toBe(403);
    });

    it('renames rooms; deleting a room with devices is refused unless they move, and access to it goes', async () => {
      await cloud.api('/api/rooms', {
        method: 'POST',
        token: admin,
        body: { id: 'life-c', name: 'Life C', buildingName: 'Main' },
      });
      await cloud.api('/api/devices', { method: 'POST', token: admin, body: { id: 'life-c-cam', roomId: 'life-c' } });
      await cloud.api('/api/users', {
        method: 'POST',
        token: admin,
        body: { username: 'life-spk', password: 'speaker-password', role: 'speaker', roomIds: ['life-c', 'life-a'] },
      });

      const renamed = await cloud.api<{ name: string; buildingName: string }>('/api/rooms/life-c', {
        method: 'PATCH',
        token: admin,
        body: { name: 'Life C (renamed)', buildingName: 'North Wing' },
      });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Life C (renamed)', buildingName: 'North Wing' });

      // A running session blocks the delete before any device moves.
      const session = await cloud.api<{ id: string }>('/api/rooms/life-c/sessions', {
        method: 'POST',
        token: admin,
        body: { title: 'Running' },
      });
      expect(session.status).toBe(201);
      const running = await cloud.api<{ message: string }>('/api/rooms/life-c?moveDevicesTo=life-a', {
        method: 'DELETE',
        token: admin,
      });
      expect(running.status).toBe(409);
      expect(running.body.message).toBe(
        'A session is running in room life-c ("Running"): stop it first, then delete the room.',
      );
      expect(
        (await cloud.api<{ roomId: string }[]>('/api/devices', { token: admin })).body.map((d) => d.roomId),
      ).toContain('life-c');
      await cloud.api(`/api/sessions/${session.body.id}/stop`, { method: 'POST', token: admin });

      const refused = await cloud.api<{ message: string }>('/api/rooms/life-c', { method: 'DELETE', token: admin });
      expect(refused.status).toBe(409);
      expect(refused.body.message).toBe(
        'Room life-c still has a device (life-c-cam): move it to another room or delete it first, or delete the room with moveDevicesTo=<room id>.',
      );
      const bad = await cloud.api<{ message: string }>('/api/rooms/life-c?moveDevicesTo=nope', {
        method: 'DELETE',
        token: admin,
      });
      expect(bad.status).toBe(400);

      const deleted = await cloud.api<{ movedDevices: string[] }>('/api/rooms/life-c?moveDevicesTo=life-a', {
        method: 'DELETE',
        token: admin,
      });
      expect(deleted.status).toBe(200);
      expect(deleted.body.movedDevices).toEqual(['life-c-cam']);
      const devices = await cloud.api<{ id: string; roomId: string }[]>('/api/devices', { token: admin });
      expect(devices.body.find((d) => d.id === 'life-c-cam')?.roomId).toBe('life-a');
      const users = await cloud.api<{ username: string; roomIds: string[] }[]>('/api/users', { token: admin });
      expect(users.body.find((u) => u.username === 'life-spk')?.roomIds).toEqual(['life-a']);
      expect((await cloud.api('/api/rooms/life-c', { method: 'DELETE', token: admin })).status).toBe(404);
      const actions = (await audit('room.')).filter((r) => r.target === 'room:life-c').map((r) => r.action);
      expect(actions.sort()).toEqual(['room.create', 'room.delete', 'room.update']);
    });
  });
}

// The external broker (LECTERN_TEST_MQTT_URL, the CI's Mosquitto without per-device accounts): the cloud cannot
// revoke there, says so, and ignores the deleted device's messages.
describe.skipIf(!MQTT_URL)('device deletion with an external broker', () => {
  let cloud: TestCloud;
  afterAll(async () => cloud?.stop());

  it('answers "external" with what to run on the broker, and stores nothing more from the device', async () => {
    cloud = await startTestCloud({ mqttUrl: MQTT_URL! });
    const admin = await cloud.login();
    await cloud.api('/api/rooms', {
      method: 'POST',
      token: admin,
      body: { id: 'ext-life', name: 'Ext', buildingName: 'Main' },
    });
    const created = await cloud.api<Created>('/api/devices', {
      method: 'POST',
      token: admin,
      body: { id: 'ext-life-cam', roomId: 'ext-life' },
    });
    expect(created.status).toBe(201);
    const cam = await connectDevice(MQTT_URL!, created.body.credentials);
    try {
      await cam.publishAsync(
        topicFor('snapshot', 'ext-life-cam'),
        snapshotPayload(makeSnapshot('ext-life-cam', 'ext-life', 1, 3)),
        { qos: 1 },
      );
      const repo = cloud.app.get(DataSource).getRepository(SnapshotEntity);
      await waitFor(() => repo.countBy({ deviceId: 'ext-life-cam' }).then((n) => n === 1), 10_000, 'first snapshot');
      const deleted = await cloud.api<{ broker: string; note: string }>('/api/devices/ext-life-cam', {
        method: 'DELETE',
        token: admin,
      });
      expect(deleted.body.broker).toBe('external');
      expect(deleted.body.note).toContain('mosquitto_ctrl dynsec deleteClient ext-life-cam');
      await cam.publishAsync(
        topicFor('snapshot', 'ext-life-cam'),
        snapshotPayload(makeSnapshot('ext-life-cam', 'ext-life', 2, 3)),
        { qos: 1 },
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(await repo.countBy({ deviceId: 'ext-life-cam' })).toBe(1);
    } finally {
      await cam.endAsync(true);
    }
  });
});

// The production broker (Mosquitto + dynamic security, deploy/cloud/mosquitto): the cloud cannot change its
// accounts, so deleting says what to run there; running exactly that drops the device at once and refuses it.
const DEPLOY = resolve(__dirname, '../../deploy/cloud/mosquitto');
const PLUGIN = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
].find((p) => existsSync(p));
const dynsecTools = ['mosquitto', 'mosquitto_ctrl'].every(
  (t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0,
);
const noDynsec = !dynsecTools || !PLUGIN;
if (noDynsec)
  console.warn('skipping device deletion on Mosquitto dynsec: mosquitto, mosquitto_ctrl or the plugin is missing');

describe.skipIf(noDynsec)('device deletion with Mosquitto dynamic security', () => {
  let dir: string;
  let broker: ChildProcess;
  let port: number;
  let cloud: TestCloud;
  const env = (): Record<string, string> => ({
    ...(process.env as Record<string, string>),
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(port),
    MOSQUITTO_ADMIN_PASSWORD: 'broker-admin-pw',
    LECTERN_MQTT_USERNAME: 'lectern-cloud',
    LECTERN_MQTT_PASSWORD: 'cloud-service-pw',
    LECTERN_MQTT_CLIENT_ID: 'lectern-cloud-ingest',
  });
  const run = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { env: env(), encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lectern-life-dynsec-'));
    chmodSync(dir, 0o777);
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const addr = s.address();
    port = typeof addr === 'object' && addr ? addr.port : 0;
    await new Promise<void>((r) => s.close(() => r()));
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      readFileSync(join(DEPLOY, 'mosquitto.conf'), 'utf8')
        .replace('listener 1883', `listener ${port} 127.0.0.1`)
        .replace('/usr/lib/mosquitto_dynamic_security.so', PLUGIN!)
        .replaceAll('/mosquitto/data/', `${dir}/`)
        .replace(/^persistence .*$/m, 'persistence false'),
    );
    run('mosquitto_ctrl', ['dynsec', 'init', join(dir, 'dynamic-security.json'), 'admin', 'broker-admin-pw']);
    chmodSync(join(dir, 'dynamic-security.json'), 0o666);
    broker = spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
    await waitFor(
      () =>
        connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 }).then(
          () => false,
          (e: Error) => /authori|auth/i.test(e.message),
        ),
      10_000,
      'mosquitto to listen',
    );
    run('sh', [join(DEPLOY, 'lectern-acl.sh')]);
    cloud = await startTestCloud({ mqttUrl: `mqtt://127.0.0.1:${port}`, env: env() });
  });
  afterAll(async () => {
    await cloud?.stop();
    broker?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the commands to run; once run, the connected device is dropped and its credentials refused', async () => {
    const admin = await cloud.login();
    await cloud.api('/api/rooms', {
      method: 'POST',
      token: admin,
      body: { id: 'dyn-life', name: 'Dyn', buildingName: 'Main' },
    });
    const created = await cloud.api<Created>('/api/devices', {
      method: 'POST',
      token: admin,
      body: { id: 'dyn-life-cam', roomId: 'dyn-life' },
    });
    const creds = created.body.credentials;
    run('sh', [join(DEPLOY, 'add-device.sh'), creds.username, creds.password]);
    const url = `mqtt://127.0.0.1:${port}`;
    const cam = await connectDevice(url, creds);
    try {
      const dropped = closed(cam);
      const deleted = await cloud.api<{ broker: string; note: string }>('/api/devices/dyn-life-cam', {
        method: 'DELETE',
        token: admin,
      });
      expect(deleted.body.broker).toBe('external');
      // The broker does not know yet: the device is still connected until the operator acts.
      expect(cam.connected).toBe(true);
      const ctl = ['-h', '127.0.0.1', '-p', String(port), '-u', 'admin', '-P', 'broker-admin-pw', 'dynsec'];
      for (const cmd of deleted.body.note.matchAll(/dynsec (deleteClient \S+)(?: and (deleteRole \S+))?/g)) {
        for (const part of [cmd[1], cmd[2]].filter((p): p is string => !!p))
          run('mosquitto_ctrl', [...ctl, ...part.replace(/\)?\.?$/, '').split(' ')]);
      }
      await expect(dropped).resolves.toBe(true);
      await expect(connectDevice(url, creds)).rejects.toThrow(/auth/i);
    } finally {
      await cam.endAsync(true);
    }
  });
});
