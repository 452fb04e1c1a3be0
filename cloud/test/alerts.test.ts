import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { encode, topicFor, type CommandResponse, type DeviceStatus, type Telemetry } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionDevice } from '../src';
import type { AlertSettings } from '../src/alerts/alert-settings';
import { AlertsService } from '../src/alerts/alerts.service';
import { evaluateDevice, type DeviceFacts } from '../src/alerts/rules';
import type {
  AlertsList,
  AlertView,
  DeviceHealthView,
  DeviceHistory,
  WebhookPayload,
} from '../src/alerts/alerts.service';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';
import { announceSkip, DB_TARGETS } from './helpers/targets';

const OFFLINE_S = 3;

interface Receiver {
  url: string;
  received: { at: number; body: WebhookPayload }[];
  /** Answer the next n requests with 503 (to prove retries). */
  failNext: number;
  attempts: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const r = { received: [], failNext: 0, attempts: 0 } as unknown as Receiver;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      r.attempts++;
      if (r.failNext > 0) {
        r.failNext--;
        res.writeHead(503).end();
        return;
      }
      r.received.push({ at: Date.now(), body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  r.close = () => new Promise<void>((ok) => server.close(() => ok()));
  return r;
}

function status(deviceId: string, state: DeviceStatus['state']): Buffer {
  return encode('status', {
    v: 1,
    deviceId,
    state,
    since: Date.now(),
    software: '0.3.1',
    model: { id: 'lectern-emotion-int8@0.2.0', version: '0.2.0' },
  });
}

function telemetry(deviceId: string, over: Partial<Telemetry> = {}): Buffer {
  return encode('telemetry', {
    v: 1,
    deviceId,
    ts: Date.now(),
    fps: 14.5,
    detectMs: 30,
    classifyMs: 2,
    cpuPercent: 55,
    memoryMb: 200,
    temperatureC: 52,
    outboxDepth: 0,
    outboxDropped: 0,
    uptimeS: 100,
    source: { state: 'ok', reconnects: 0 },
    ...over,
  });
}

const SETTINGS: AlertSettings = {
  webhookUrl: null,
  evalIntervalMs: 5000,
  offlineS: 120,
  silentS: 300,
  outboxDepth: 600,
  temperatureC: 80,
  fpsMin: 0.1,
  fpsDropRatio: 0.5,
  sourceFailure: true,
  historyDays: 14,
  retentionDays: 90,
};

describe('alert rules', () => {
  const now = 1_800_000_000_000;
  const device = (over: Partial<DeviceFacts> = {}): DeviceFacts => ({
    id: 'cam-1',
    roomId: 'hall-a',
    status: 'online',
    lastSeen: now - 1000,
    telemetry: {
      ts: now - 1000,
      fps: 10,
      cpuPercent: 50,
      temperatureC: 50,
      outboxDepth: 0,
      sourceState: 'ok',
      uptimeS: 3600,
    },
    fpsBaseline: 10,
    ...over,
  });
  const rules = (d: DeviceFacts, s: Partial<AlertSettings> = {}) =>
    evaluateDevice(d, { ...SETTINGS, ...s }, now).map((f) => f.rule);

  it('fires offline only past the threshold, and for a silent device that says online', () => {
    expect(rules(device())).toEqual([]);
    expect(rules(device({ status: 'offline', lastSeen: now - 119_000 }))).toEqual([]);
    expect(rules(device({ status: 'offline', lastSeen: now - 121_000 }))).toEqual(['offline']);
    expect(rules(device({ lastSeen: now - 301_000 }))).toEqual(['offline']);
    expect(rules(device({ lastSeen: now - 301_000 }), { silentS: 0 })).toEqual([]);
    expect(rules(device({ status: 'never', lastSeen: null }))).toEqual([]);
  });

  it('judges the frame rate against the hour mean, not during warm-up or a camera failure', () => {
    const at = (fps: number, over: Partial<DeviceFacts['telemetry'] & object> = {}) =>
      device({ telemetry: { ...device().telemetry!, fps, ...over } });
    expect(rules(at(6))).toEqual([]);
    expect(rules(at(4))).toEqual(['fps-drop']);
    expect(rules(at(4), { fpsDropRatio: 0 })).toEqual([]);
    expect(rules(at(0, { uptimeS: 5 }))).toEqual([]);
    expect(rules(at(0, { sourceState: 'failed' }))).toEqual(['source-failure']);
    expect(rules(at(0.05, { sourceState: 'ok' }), { fpsDropRatio: 0 })).toEqual(['fps-drop']);
    expect(rules(device({ fpsBaseline: null, telemetry: { ...device().telemetry!, fps: 1 } }))).toEqual([]);
  });

  it('turns threshold rules off with 0 and ignores boards without a temperature sensor', () => {
    const hot = device({ telemetry: { ...device().telemetry!, temperatureC: 90, outboxDepth: 700 } });
    expect(rules(hot)).toEqual(['outbox-backlog', 'temperature']);
    expect(rules(hot, { temperatureC: 0, outboxDepth: 0 })).toEqual([]);
    expect(rules(device({ telemetry: { ...device().telemetry!, temperatureC: null } }))).toEqual([]);
  });
});

for (const target of DB_TARGETS) {
  announceSkip('alerts', target);
  describe.skipIf(target.skip)(`alerts on ${target.db}`, () => {
    let cloud: TestCloud;
    let token: string;
    let receiver: Receiver;
    const run = randomBytes(3).toString('hex');
    const room = `alerts-${run}`;
    const clients: MqttClient[] = [];

    /** A device like the agent: clientId = device id, retained online on connect, retained offline as last will. */
    const connectDevice = async (id: string, creds: { username: string; password: string }): Promise<MqttClient> => {
      const c = await connectAsync(cloud.mqttUrl, {
        username: creds.username,
        password: creds.password,
        clientId: id,
        reconnectPeriod: 0,
        will: { topic: topicFor('status', id), payload: status(id, 'offline'), qos: 1, retain: true },
      });
      clients.push(c);
      await c.publishAsync(topicFor('status', id), status(id, 'online'), { qos: 1, retain: true });
      return c;
    };
    const alerts = async (): Promise<AlertsList> => {
      const r = await cloud.api<AlertsList>('/api/alerts', { token });
      expect(r.status).toBe(200);
      return r.body;
    };
    const openAlert = async (deviceId: string, rule: string): Promise<AlertView | undefined> =>
      (await alerts()).open.find((a) => a.deviceId === deviceId && a.rule === rule);

    beforeAll(async () => {
      receiver = await startReceiver();
      cloud = await startTestCloud({
        db: target.db,
        env: {
          LECTERN_ALERT_OFFLINE_S: String(OFFLINE_S),
          LECTERN_ALERT_EVAL_S: '1',
          LECTERN_ALERT_WEBHOOK_URL: receiver.url,
        },
      });
      token = await cloud.login();
    });
    afterAll(async () => {
      for (const c of clients) await c.endAsync(true).catch(() => undefined);
      await cloud?.stop();
      await receiver?.close();
    });

    it('fires offline within the threshold after the device dies, at the webhook too, and resolves on reconnect', async () => {
      const id = `cam-off-${run}`;
      const creds = await provisionDevice(cloud, { id, roomId: room, roomName: `Alerts ${run}` });
      const device = await connectDevice(id, creds);
      await device.publishAsync(topicFor('telemetry', id), telemetry(id), { qos: 0 });
      await waitFor(
        async () => (await cloud.api<DeviceHistory>(`/api/devices/${id}/history`, { token })).body.points?.length,
        5000,
        'a history point',
      );

      // Killed without DISCONNECT: the broker publishes the will.
      const stoppedAt = Date.now();
      device.end(true);
      const fired = await waitFor(() => openAlert(id, 'offline'), 15_000, 'the offline alert');
      const inApi = Date.now() - stoppedAt;
      const hook = await waitFor(
        () => receiver.received.find((m) => m.body.event === 'firing' && m.body.alert.id === fired.id),
        5000,
        'the webhook firing',
      );
      const atHook = hook.at - stoppedAt;
      console.log(`offline alert ${inApi} ms after the device died (API), ${atHook} ms at the webhook`);
      expect(inApi).toBeGreaterThanOrEqual(OFFLINE_S * 1000 - 200);
      expect(inApi).toBeLessThan(OFFLINE_S * 1000 + 2000);
      expect(atHook).toBeLessThan(OFFLINE_S * 1000 + 2000);
      expect(fired).toMatchObject({ state: 'firing', severity: 'critical', roomId: room });
      expect(fired.message).toMatch(/offline for \d+ s\. Check its power and network/);
      expect(hook.body).toMatchObject({ v: 1, event: 'firing', alert: { deviceId: id, rule: 'offline' } });
      expect(hook.body.text).toContain(id);

      const ack = await cloud.api<AlertView>(`/api/alerts/${fired.id}/ack`, { method: 'POST', token });
      expect(ack.status).toBe(201);
      expect(ack.body).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'admin' });
      expect((await alerts()).counts.acknowledged).toBeGreaterThanOrEqual(1);
      const audit = await cloud.api<{ action: string; target: string }[]>('/api/audit', { token });
      if (audit.status === 200 && Array.isArray(audit.body))
        expect(audit.body.some((e) => e.action === 'alert.ack' && e.target === `alert:${fired.id}`)).toBe(true);

      await connectDevice(id, creds);
      const resolvedHook = await waitFor(
        () => receiver.received.find((m) => m.body.event === 'resolved' && m.body.alert.id === fired.id),
        5000,
        'the webhook resolve',
      );
      expect(resolvedHook.body.alert.state).toBe('resolved');
      const list = await alerts();
      expect(list.open.find((a) => a.id === fired.id)).toBeUndefined();
      expect(list.resolved.find((a) => a.id === fired.id)).toMatchObject({
        state: 'resolved',
        acknowledgedBy: 'admin',
      });

      const again = await cloud.api<{ message: string }>(`/api/alerts/${fired.id}/ack`, { method: 'POST', token });
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/already resolved/);
      const missing = await cloud.api<{ message: string }>('/api/alerts/999999/ack', { method: 'POST', token });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toMatch(/does not exist; reload/);
      const bad = await cloud.api<{ message: string }>('/api/alerts/abc/ack', { method: 'POST', token });
      expect(bad.status).toBe(400);
    });

    it('fires on temperature and camera failure, retries the webhook, and resolves on healthy telemetry', async () => {
      const id = `cam-hot-${run}`;
      const creds = await provisionDevice(cloud, { id, roomId: room });
      const device = await connectDevice(id, creds);
      receiver.failNext = 1;
      const before = receiver.attempts;
      await device.publishAsync(
        topicFor('telemetry', id),
        telemetry(id, {
          temperatureC: 86,
          fps: 0,
          outboxDepth: 5000,
          source: { state: 'failed', reconnects: 4, error: 'camera unplugged' },
        }),
        { qos: 0 },
      );
      const temp = await waitFor(() => openAlert(id, 'temperature'), 5000, 'the temperature alert');
      expect(temp.message).toContain('86.0 °C');
      expect((await openAlert(id, 'source-failure'))?.message).toContain('camera unplugged');
      expect(await openAlert(id, 'outbox-backlog')).toBeDefined();
      // fps 0 with a failed camera is the camera's alert, not a second one.
      expect(await openAlert(id, 'fps-drop')).toBeUndefined();
      // Three fires, the first delivery answered 503 and retried after about a second.
      await waitFor(
        () => receiver.received.filter((m) => m.body.alert.deviceId === id && m.body.event === 'firing').length === 3,
        8000,
        'the retried webhook',
      );
      expect(receiver.attempts - before).toBe(4);

      await device.publishAsync(topicFor('telemetry', id), telemetry(id, { fps: 0 }), { qos: 0 });
      const fps = await waitFor(() => openAlert(id, 'fps-drop'), 5000, 'the fps alert');
      expect(fps.message).toMatch(/0\.0 fps \(minimum 0\.1\)/);
      await waitFor(async () => !(await openAlert(id, 'temperature')), 5000, 'the temperature resolve');
      await device.publishAsync(topicFor('telemetry', id), telemetry(id), { qos: 0 });
      await waitFor(async () => (await alerts()).open.every((a) => a.deviceId !== id), 5000, 'all resolved');

      const metrics = await fetch(`${cloud.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.text(),
      );
      expect(metrics).toMatch(new RegExp(`lectern_device_online\\{device="${id}",room="${room}"\\} 1`));
      expect(metrics).toMatch(new RegExp(`lectern_device_temperature_celsius\\{device="${id}",room="${room}"\\} 52`));
      expect(metrics).toContain('lectern_device_last_seen_seconds{');
      expect(metrics).toContain('lectern_device_outbox_depth{');
      expect(metrics).toContain('lectern_device_fps{');
      expect(metrics).toMatch(new RegExp(`lectern_device_source_failed\\{device="${id}",room="${room}"\\} 0`));
    });

    it('keeps history per device and shows config revisions as pending, then applied or refused', async () => {
      const id = `cam-cfg-${run}`;
      const creds = await provisionDevice(cloud, { id, roomId: room });
      const device = await connectDevice(id, creds);
      await device.publishAsync(topicFor('telemetry', id), telemetry(id, { cpuPercent: 71 }), { qos: 0 });
      const fleetOf = async (): Promise<DeviceHealthView | undefined> =>
        (await cloud.api<DeviceHealthView[]>('/api/fleet/health', { token })).body.find((d) => d.id === id);
      await waitFor(async () => (await fleetOf())?.telemetry?.cpuPercent === 71, 5000, 'fleet telemetry');
      expect((await fleetOf())?.config).toMatchObject({ desired: 0, state: 'none' });

      const put = await cloud.api(`/api/devices/${id}/config`, { method: 'PUT', token, body: { snapshotHz: 2 } });
      expect(put.status).toBe(200);
      expect((await fleetOf())?.config).toMatchObject({ desired: 1, applied: null, state: 'pending' });
      const respond = (rev: number, ok: boolean, error?: string): Promise<unknown> => {
        const r: CommandResponse = { v: 1, txId: `config-rev-${rev}`, ts: Date.now(), to: 'config', ok };
        if (ok) r.result = { revision: rev };
        if (error) r.error = error;
        return device.publishAsync(topicFor('response', id), encode('response', r), { qos: 1 });
      };
      await respond(1, true);
      await waitFor(async () => (await fleetOf())?.config.state === 'applied', 5000, 'config applied');
      expect((await fleetOf())?.config).toMatchObject({ desired: 1, applied: 1 });
      await cloud.api(`/api/devices/${id}/config`, { method: 'PUT', token, body: { snapshotHz: 5 } });
      await cloud.api(`/api/devices/${id}/config`, { method: 'PUT', token, body: { detector: 'haar' } });
      await respond(2, false, 'haar model missing');
      await respond(3, false, 'haar model missing');
      await waitFor(async () => (await fleetOf())?.config.state === 'refused', 5000, 'config refused');
      expect((await fleetOf())?.config).toMatchObject({ desired: 3, applied: 1, error: 'haar model missing' });

      const h = await cloud.api<DeviceHistory>(`/api/devices/${id}/history?since=${Date.now() - 60_000}`, { token });
      expect(h.status).toBe(200);
      expect(h.body.points).toHaveLength(1);
      expect(h.body.points[0]).toMatchObject({ cpuPercent: 71, fps: 14.5, sourceState: 'ok' });
      expect(h.body.device).toMatchObject({ software: '0.3.1', model: { version: '0.2.0' }, status: 'online' });
      const nope = await cloud.api<{ message: string }>('/api/devices/nope-404/history', { token });
      expect(nope.status).toBe(404);
      expect(nope.body.message).toMatch(/not registered; check the device id/);
      const badSince = await cloud.api<{ message: string }>(`/api/devices/${id}/history?since=yesterday`, { token });
      expect(badSince.status).toBe(400);
      expect(badSince.body.message).toMatch(/epoch milliseconds/);
    });

    it('purges history past LECTERN_HEALTH_HISTORY_DAYS and resolved alerts past LECTERN_ALERT_RETENTION_DAYS', async () => {
      const service = cloud.app.get(AlertsService);
      const before = await alerts();
      expect(before.resolved.length).toBeGreaterThan(0);
      const purged = await service.purge(Date.now() + 91 * 86_400_000);
      expect(purged.history).toBeGreaterThan(0);
      expect(purged.alerts).toBe(before.resolved.length);
      expect((await alerts()).resolved).toEqual([]);
    });

    it('lets installers read and acknowledge alerts, but not speakers', async () => {
      for (const role of ['installer', 'speaker'] as const) {
        const username = `${role}-${run}`;
        const created = await cloud.api('/api/users', {
          method: 'POST',
          token,
          body: { username, password: 'a-long-password-1', role },
        });
        expect(created.status).toBe(201);
        const t = await cloud.login(username, 'a-long-password-1');
        expect((await cloud.api('/api/alerts', { token: t })).status).toBe(role === 'installer' ? 200 : 403);
        expect((await cloud.api('/api/alerts/summary', { token: t })).status).toBe(role === 'installer' ? 200 : 403);
      }
    });
  });
}
