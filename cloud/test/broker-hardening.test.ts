import { connect as tcpConnect, type Socket } from 'node:net';
import { topicFor } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionDevice } from '../src';
import { configFromEnv } from '../src/config/cloud-config';
import { MqttService } from '../src/mqtt/mqtt.service';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';

// Issue 12, broker hardening, against the embedded aedes broker over real TCP/MQTT connections.

/** The fixed header of a CONNECT announcing `length` bytes (MQTT variable byte integer). */
function connectHeader(length: number): Buffer {
  const bytes = [0x10];
  let n = length;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    bytes.push(b);
  } while (n > 0);
  return Buffer.from(bytes);
}

/** Sends a CONNECT announcing `announced` bytes and streams up to `send` bytes of it; resolves when closed. */
function hugeConnect(port: number, announced: number, send: number): Promise<{ sent: number; closed: boolean }> {
  return new Promise((resolve) => {
    const sock: Socket = tcpConnect(port, '127.0.0.1');
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let sent = 0;
    let closed = false;
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ sent, closed });
    };
    const timer = setTimeout(finish, 5000);
    sock.on('error', () => {});
    sock.on('close', () => {
      closed = true;
      finish();
    });
    sock.on('connect', () => {
      sock.write(connectHeader(announced));
      const pump = (): void => {
        while (sent < send && !sock.destroyed) {
          sent += chunk.length;
          if (!sock.write(chunk)) return void sock.once('drain', pump);
        }
      };
      pump();
    });
  });
}

const rssMb = (): number => process.memoryUsage().rss / 2 ** 20;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

describe('embedded broker hardening', () => {
  let cloud: TestCloud;
  let port: number;
  const clients: MqttClient[] = [];
  let a: { username: string; password: string };
  let b: { username: string; password: string };

  beforeAll(async () => {
    cloud = await startTestCloud();
    port = Number(new URL(cloud.mqttUrl).port);
    a = await provisionDevice(cloud, { id: 'hard-cam-a', roomId: 'hard-room', roomName: 'Hard room' });
    b = await provisionDevice(cloud, { id: 'hard-cam-b', roomId: 'hard-room' });
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true).catch(() => {});
    await cloud?.stop();
  });
  const counters = () => cloud.app.get(MqttService).broker!.counters;

  it('closes connections announcing oversized CONNECTs before buffering them; memory stays flat', async () => {
    gc();
    const before = rssMb();
    // 8 unauthenticated connections announcing 128 MB CONNECTs, each trying to stream 32 MB of it.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => hugeConnect(port, 128 * 1024 * 1024, 32 * 1024 * 1024)),
    );
    gc();
    const after = rssMb();
    console.log(`oversized CONNECT x8: rss ${before.toFixed(0)} MB -> ${after.toFixed(0)} MB`);
    expect(results.every((r) => r.closed)).toBe(true);
    expect(after - before).toBeLessThan(50);
    expect(counters().oversizedPackets).toBeGreaterThanOrEqual(8);
    // The broker still serves devices.
    const c = await connectAsync(cloud.mqttUrl, { ...a, clientId: 'lectern-hard-cam-a', reconnectPeriod: 0 });
    await c.endAsync();
  });

  it('refuses a PUBLISH over the packet limit from an authenticated device', async () => {
    const c = await connectAsync(cloud.mqttUrl, { ...a, clientId: 'lectern-hard-cam-a', reconnectPeriod: 0 });
    clients.push(c);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topicFor('snapshot', a.username), Buffer.alloc(300 * 1024, 0x20), { qos: 0 });
    await closed;
    expect(counters().oversizedPackets).toBeGreaterThanOrEqual(9);
  });

  it('refuses retained messages over the retained limit', async () => {
    const c = await connectAsync(cloud.mqttUrl, { ...a, clientId: 'lectern-hard-cam-a', reconnectPeriod: 0 });
    clients.push(c);
    const before = counters().oversizedRetained;
    c.publish(topicFor('status', a.username), Buffer.alloc(64 * 1024, 0x20), { qos: 0, retain: true });
    await waitFor(() => counters().oversizedRetained > before, 5000, 'the retained publish to be refused');
    // A small retained status is still fine.
    const ok = await connectAsync(cloud.mqttUrl, { ...a, clientId: 'lectern-hard-cam-a', reconnectPeriod: 0 });
    clients.push(ok);
    await ok.publishAsync(topicFor('status', a.username), '{}', { qos: 1, retain: true });
    expect(counters().oversizedRetained).toBe(before + 1);
  });

  it("refuses another device's client id and the cloud's: no takeover, no kick", async () => {
    const owner = await connectAsync(cloud.mqttUrl, { ...a, clientId: 'lectern-hard-cam-a', reconnectPeriod: 0 });
    clients.push(owner);
    let kicked = false;
    owner.on('close', () => (kicked = true));
    for (const clientId of ['lectern-hard-cam-a', 'hard-cam-a', 'lectern-cloud-ingest', 'lectern-cloud']) {
      await expect(
        connectAsync(cloud.mqttUrl, { ...b, clientId, reconnectPeriod: 0, connectTimeout: 3000 }),
      ).rejects.toThrow(/identifier rejected/i);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(kicked).toBe(false);
    expect(owner.connected).toBe(true);
    expect(counters().clientIdRefused).toBeGreaterThanOrEqual(4);
    // Its own ids work: the agent's lectern-<id> and the bare id.
    for (const clientId of ['lectern-hard-cam-b', 'hard-cam-b']) {
      const c = await connectAsync(cloud.mqttUrl, { ...b, clientId, reconnectPeriod: 0 });
      await c.endAsync();
    }
  });

  it('lets an installer add devices to existing rooms only', async () => {
    const admin = await cloud.login();
    const user = { username: 'hard-inst', password: 'installer-password', role: 'installer', roomIds: [] };
    expect((await cloud.api('/api/users', { method: 'POST', token: admin, body: user })).status).toBe(201);
    const inst = await cloud.login(user.username, user.password);
    const newRoom = await cloud.api('/api/devices', {
      method: 'POST',
      token: inst,
      body: { id: 'hard-cam-c', roomId: 'hard-new-room', roomName: 'Made by installer' },
    });
    expect(newRoom.status).toBe(403);
    const rooms = await cloud.api<{ id: string }[]>('/api/rooms', { token: admin });
    expect(rooms.body.map((r) => r.id)).not.toContain('hard-new-room');
    const existing = await cloud.api('/api/devices', {
      method: 'POST',
      token: inst,
      body: { id: 'hard-cam-c', roomId: 'hard-room' },
    });
    expect(existing.status).toBe(201);
    const byAdmin = await cloud.api('/api/devices', {
      method: 'POST',
      token: admin,
      body: { id: 'hard-cam-d', roomId: 'hard-admin-room', roomName: 'Made by admin' },
    });
    expect(byAdmin.status).toBe(201);
    const reserved = await cloud.api('/api/devices', {
      method: 'POST',
      token: admin,
      body: { id: 'lectern-hard-cam-a', roomId: 'hard-room' },
    });
    expect(reserved.status).toBe(400);
  });
});

describe('broker address and size settings', () => {
  it('binds the embedded broker to the HTTP host unless LECTERN_MQTT_HOST says otherwise', () => {
    expect(configFromEnv({}).mqttHost).toBe('127.0.0.1');
    expect(configFromEnv({ LECTERN_HTTP_HOST: '0.0.0.0' }).mqttHost).toBe('0.0.0.0');
    expect(configFromEnv({ LECTERN_MQTT_HOST: '0.0.0.0' }).mqttHost).toBe('0.0.0.0');
    const c = configFromEnv({ LECTERN_MQTT_MAX_PACKET_KB: '64', LECTERN_MQTT_MAX_RETAINED_KB: '4' });
    expect([c.mqttMaxPacketBytes, c.mqttMaxRetainedBytes]).toEqual([65536, 4096]);
    expect(configFromEnv({}).mqttMaxPacketBytes).toBe(256 * 1024);
  });
});
