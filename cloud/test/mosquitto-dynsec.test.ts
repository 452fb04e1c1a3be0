import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { topicFor } from '@lectern/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { IngestService, SnapshotEntity, provisionDevice } from '../src';
import { startTestCloud, waitFor, type TestCloud } from './helpers/cloud';
import { makeSnapshot, snapshotPayload } from './helpers/snapshots';

// The production broker setup of deploy/cloud (Mosquitto + dynamic-security, configured by its shell
// scripts) against a real cloud: the same ACL the embedded broker enforces.
const DEPLOY = resolve(__dirname, '../../deploy/cloud/mosquitto');
const PLUGIN = [
  '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so',
  '/usr/lib/mosquitto_dynamic_security.so',
].find((p) => existsSync(p));
const tools = ['mosquitto', 'mosquitto_ctrl'].every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const skip = !tools || !PLUGIN;
if (skip) console.warn('skipping Mosquitto dynamic-security test: mosquitto, mosquitto_ctrl or the plugin is missing');

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const addr = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return typeof addr === 'object' && addr ? addr.port : 0;
}

describe.skipIf(skip)('Mosquitto with the deploy/cloud dynamic-security ACL', () => {
  let dir: string;
  let broker: ChildProcess;
  let port: number;
  let cloud: TestCloud;
  const clients: MqttClient[] = [];
  const env = (): NodeJS.ProcessEnv => ({
    ...process.env,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: String(port),
    MOSQUITTO_ADMIN_PASSWORD: 'broker-admin-pw',
    LECTERN_MQTT_USERNAME: 'lectern-cloud',
    LECTERN_MQTT_PASSWORD: 'cloud-service-pw',
    // lectern-acl.sh binds the service credential to this client id.
    LECTERN_MQTT_CLIENT_ID: 'lectern-cloud-ingest',
  });
  const script = (name: string, ...args: string[]): string => {
    const r = spawnSync('sh', [join(DEPLOY, name), ...args], { env: env(), encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    return r.stdout;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lectern-dynsec-'));
    // Mosquitto started as root drops to its own user, which must be able to write the store.
    chmodSync(dir, 0o777);
    port = await freePort();
    const conf = readFileSync(join(DEPLOY, 'mosquitto.conf'), 'utf8')
      .replace('listener 1883', `listener ${port} 127.0.0.1`)
      .replace('/usr/lib/mosquitto_dynamic_security.so', PLUGIN!)
      .replaceAll('/mosquitto/data/', `${dir}/`)
      .replace(/^persistence .*$/m, 'persistence false');
    writeFileSync(join(dir, 'mosquitto.conf'), conf);
    const store = join(dir, 'dynamic-security.json');
    const init = spawnSync('mosquitto_ctrl', ['dynsec', 'init', store, 'admin', 'broker-admin-pw'], {
      encoding: 'utf8',
    });
    if (init.status !== 0) throw new Error(`dynsec init failed: ${init.stderr}`);
    chmodSync(store, 0o666);
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
    expect(script('lectern-acl.sh')).toContain('lectern broker ACL ready');
    cloud = await startTestCloud({ mqttUrl: `mqtt://127.0.0.1:${port}`, env: env() as Record<string, string> });
  });
  afterAll(async () => {
    for (const c of clients) await c.endAsync(true);
    await cloud?.stop();
    broker?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets a registered device publish its own snapshots only; wrong passwords are refused', async () => {
    const cam = await provisionDevice(cloud, { id: 'dyn-cam-1', roomId: 'dyn-room', roomName: 'Dyn room' });
    const other = await provisionDevice(cloud, { id: 'dyn-cam-2', roomId: 'dyn-room', roomName: 'Dyn room' });
    expect(script('add-device.sh', cam.username, cam.password)).toContain('registered');
    expect(script('add-device.sh', other.username, other.password)).toContain('registered');

    await expect(
      connectAsync(`mqtt://127.0.0.1:${port}`, { username: cam.username, password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow(/auth/i);

    const c = await connectAsync(`mqtt://127.0.0.1:${port}`, {
      ...cam,
      clientId: `lectern-${cam.username}`,
      reconnectPeriod: 0,
    });
    clients.push(c);
    // Someone else's config: refused in the SUBACK.
    await expect(c.subscribeAsync(topicFor('config', other.username), { qos: 1 })).rejects.toThrow(/Subscribe error/);
    // Its own config is fine.
    expect((await c.subscribeAsync(topicFor('config', cam.username), { qos: 1 }))[0]?.qos).toBe(1);
    // Spoofing the other camera (on its topic, with its id) is dropped by the broker.
    const spoof = makeSnapshot(other.username, 'dyn-room', 1, 4);
    await c.publishAsync(topicFor('snapshot', other.username), snapshotPayload(spoof), { qos: 1 }).catch(() => {});
    for (let seq = 1; seq <= 5; seq++) {
      const s = makeSnapshot(cam.username, 'dyn-room', seq, 4);
      await c.publishAsync(topicFor('snapshot', cam.username), snapshotPayload(s), { qos: 1 });
    }
    const repo = cloud.app.get(DataSource).getRepository(SnapshotEntity);
    await waitFor(
      async () => {
        await cloud.app.get(IngestService).writer.drain();
        return (await repo.countBy({ deviceId: cam.username })) === 5;
      },
      10_000,
      'the five own snapshots',
    );
    expect(await repo.countBy({ deviceId: other.username })).toBe(0);
  });

  it('denies by default what no role grants (setDefaultACLAccess really applied on 2.0.x)', () => {
    const r = spawnSync(
      'mosquitto_ctrl',
      ['-h', '127.0.0.1', '-p', String(port), '-u', 'admin', '-P', 'broker-admin-pw', 'dynsec', 'getDefaultACLAccess'],
      { encoding: 'utf8' },
    );
    for (const acl of ['publishClientSend', 'publishClientReceive', 'subscribe', 'unsubscribe']) {
      expect(r.stdout).toMatch(new RegExp(`${acl}\\s*: deny`));
    }
  });

  it("refuses the cloud's and other devices' client ids: no session takeover, no kick, 0 foreign messages", async () => {
    const url = `mqtt://127.0.0.1:${port}`;
    const cam = await provisionDevice(cloud, { id: 'dyn-cam-3', roomId: 'dyn-room', roomName: 'Dyn room' });
    const other = await provisionDevice(cloud, { id: 'dyn-cam-4', roomId: 'dyn-room' });
    script('add-device.sh', cam.username, cam.password);
    script('add-device.sh', other.username, other.password);
    const victim = await connectAsync(url, { ...other, clientId: `lectern-${other.username}`, reconnectPeriod: 0 });
    clients.push(victim);
    let victimKicked = false;
    victim.on('close', () => (victimKicked = true));
    const ingest = cloud.app.get(IngestService);
    for (const clientId of ['lectern-cloud-ingest', `lectern-${other.username}`, 'lectern-anything']) {
      await expect(connectAsync(url, { ...cam, clientId, reconnectPeriod: 0, connectTimeout: 3000 })).rejects.toThrow(
        /not authori|identifier|auth/i,
      );
    }
    // The attacker, connected the only way it can, tries to listen to everything.
    const spy = await connectAsync(url, { ...cam, clientId: `lectern-${cam.username}`, reconnectPeriod: 0 });
    clients.push(spy);
    const foreign: string[] = [];
    spy.on('message', (topic) => foreign.push(topic));
    for (const filter of ['#', 'lectern/v1/devices/+/snapshot', topicFor('config', other.username)]) {
      await spy.subscribeAsync(filter, { qos: 1 }).catch(() => undefined);
    }
    // Traffic the spy must not see: the other camera's snapshots and the cloud's config to it.
    for (let seq = 1; seq <= 5; seq++) {
      const s = makeSnapshot(other.username, 'dyn-room', seq, 4);
      await victim.publishAsync(topicFor('snapshot', other.username), snapshotPayload(s), { qos: 1 });
    }
    const admin = await cloud.login();
    const cmd = await cloud.api(`/api/devices/${other.username}/commands`, {
      method: 'POST',
      token: admin,
      body: { name: 'ping' },
    });
    expect(cmd.status).toBe(201);
    await new Promise((r) => setTimeout(r, 1000));
    expect(foreign).toEqual([]);
    expect(victimKicked).toBe(false);
    // The cloud kept its session: the victim's snapshots were stored.
    const repo = cloud.app.get(DataSource).getRepository(SnapshotEntity);
    await waitFor(
      async () => {
        await ingest.writer.drain();
        return (await repo.countBy({ deviceId: other.username })) === 5;
      },
      10_000,
      "the victim's snapshots",
    );
  });

  it('disconnects a device sending a packet over max_packet_size; broker memory stays flat under huge CONNECTs', async () => {
    const url = `mqtt://127.0.0.1:${port}`;
    const cam = await provisionDevice(cloud, { id: 'dyn-cam-5', roomId: 'dyn-room', roomName: 'Dyn room' });
    script('add-device.sh', cam.username, cam.password);
    const c = await connectAsync(url, { ...cam, clientId: `lectern-${cam.username}`, reconnectPeriod: 0 });
    clients.push(c);
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.publish(topicFor('status', cam.username), Buffer.alloc(300 * 1024, 0x20), { qos: 0, retain: true });
    await closed;

    const rssKb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${broker.pid}/status`, 'utf8'))![1]);
    const before = rssKb();
    const header = Buffer.from([0x10, 0x80, 0x80, 0x80, 0x40]); // CONNECT announcing 128 MB
    await Promise.all(
      Array.from(
        { length: 8 },
        () =>
          new Promise<void>((resolve) => {
            const sock = createConnection(port, '127.0.0.1');
            const chunk = Buffer.alloc(1024 * 1024, 0x61);
            let sent = 0;
            const done = (): void => {
              sock.destroy();
              resolve();
            };
            const timer = setTimeout(done, 5000);
            sock.on('error', () => {});
            sock.on('close', () => (clearTimeout(timer), done()));
            sock.on('connect', () => {
              sock.write(header);
              const pump = (): void => {
                while (sent < 32 && !sock.destroyed) {
                  sent++;
                  if (!sock.write(chunk)) return void sock.once('drain', pump);
                }
              };
              pump();
            });
          }),
      ),
    );
    const after = rssKb();
    console.log(
      `mosquitto oversized CONNECT x8: rss ${(before / 1024).toFixed(1)} MB -> ${(after / 1024).toFixed(1)} MB`,
    );
    expect((after - before) / 1024).toBeLessThan(50);
  });
});
