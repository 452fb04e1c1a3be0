// The balena adapter against a local server that implements the part of balena's API the adapter's SDK calls
// use (test/support/fake-balena-api.ts), with rows typed by balena-sdk's own types. Not balenaCloud: there is
// no network here. What the SDK sends is real; what the server answers follows the SDK's types and the
// behaviour the SDK relies on (upsert on 409, 401 for a bad key, empty result for an unknown fleet).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import mqtt from 'mqtt';
import { startCloud } from '@lectern/cloud';
import type { Application } from 'balena-sdk';
import {
  BalenaFleet,
  ENV_CONFIG,
  ENV_DEVICE_ID,
  ENV_ROOM_ID,
  healthFromDevice,
  provisionBalenaDevice,
  ROOM_TAG,
  type LecternDeviceConfig,
} from '../src';
import { balenaCommand } from '../src/balena/cli';
import { FakeBalenaApi } from './support/fake-balena-api';

const KEY = 'test-balena-api-key';
const COMMIT_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const COMMIT_B = 'b1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const HOUR = 3600_000;

const config = (deviceId: string, roomId: string, password = 's3cret'): LecternDeviceConfig => ({
  deviceId,
  roomId,
  configYaml: [
    `deviceId: "${deviceId}"`,
    `roomId: "${roomId}"`,
    'broker:',
    '  url: "mqtts://lectern.example.edu:8883"',
    `  username: "${deviceId}"`,
    `  password: "${password}"`,
    'source:',
    '  type: "v4l2"',
    '  device: "/dev/video0"',
    '',
  ].join('\n'),
});

describe('balena adapter against the local balena API', () => {
  let api: FakeBalenaApi;
  let fleetRow: Application['Read'];
  let fleet: BalenaFleet;

  beforeEach(async () => {
    api = await FakeBalenaApi.start(KEY);
    fleetRow = api.addFleet({ slug: 'lectern/halls', deviceType: 'raspberrypi4-64' });
    api.addFleet({ slug: 'lectern/x86-lab', deviceType: 'generic-amd64' });
    fleet = await BalenaFleet.connect({ apiUrl: api.url, apiKey: KEY });
  });
  afterEach(async () => {
    // Every request the SDK made was one the local API implements.
    expect(api.unhandled).toEqual([]);
    await api.close();
  });

  it('registers a device in the fleet with the fleet device type, named after the Lectern device', async () => {
    const r = await fleet.registerDevice('lectern/halls', { deviceId: 'hall-a-cam-1' });
    expect(r).toMatchObject({ fleet: 'lectern/halls', deviceType: 'raspberrypi4-64', deviceName: 'hall-a-cam-1' });
    expect(r.uuid).toMatch(/^[0-9a-f]{32}$/);
    expect(r.deviceApiKey).toBeTruthy();
    const d = api.device(r.uuid)!;
    expect(d.belongs_to__application).toEqual({ __id: fleetRow.id });
    const type = api.tables.device_type.find((t) => t.id === (d.is_of__device_type as { __id: number }).__id);
    expect(type?.slug).toBe('raspberrypi4-64');
    expect(d.device_name).toBe('hall-a-cam-1');
    // The SDK's registration path: whoami, a short-lived provisioning key, POST /device/register.
    const paths = api.requests.map((q) => `${q.method} ${q.url.split('?')[0]}`);
    expect(paths).toEqual(
      expect.arrayContaining(['GET /actor/v1/whoami', 'POST /api-key/v2/', 'POST /device/register']),
    );
  });

  it('registers with another device type of the same architecture, and refuses an incompatible one', async () => {
    const r = await fleet.registerDevice('lectern/halls', { deviceId: 'hall-b-cam-1', deviceType: 'raspberrypi5' });
    expect(r.deviceType).toBe('raspberrypi5');
    await expect(
      fleet.registerDevice('lectern/halls', { deviceId: 'hall-c-cam-1', deviceType: 'generic-amd64' }),
    ).rejects.toThrow(/Incompatible device type: generic-amd64.*CPU architecture/);
    expect(api.tables.device).toHaveLength(1);
  });

  it('writes the Lectern config as device environment variables, and rewrites them in place', async () => {
    const { uuid } = await fleet.registerDevice('lectern/halls', { deviceId: 'hall-a-cam-1' });
    const written = await fleet.writeConfig(uuid, config('hall-a-cam-1', 'hall-a'));
    expect(Object.keys(written).sort()).toEqual([ENV_CONFIG, ENV_DEVICE_ID, ENV_ROOM_ID].sort());
    const vars = api.envVars(uuid);
    expect(vars[ENV_DEVICE_ID]).toBe('hall-a-cam-1');
    expect(vars[ENV_ROOM_ID]).toBe('hall-a');
    // The variable holds the agent's device.yaml, unchanged: what the container entrypoint writes to a file.
    const yaml = parse(vars[ENV_CONFIG]!) as { deviceId: string; roomId: string; broker: { password: string } };
    expect(yaml).toMatchObject({ deviceId: 'hall-a-cam-1', roomId: 'hall-a', broker: { password: 's3cret' } });

    // A second write (new credentials) goes through the SDK's upsert: 409 on the POST, then a PATCH.
    await fleet.writeConfig(uuid, config('hall-a-cam-1', 'hall-a', 'rotated'));
    expect((parse(api.envVars(uuid)[ENV_CONFIG]!) as { broker: { password: string } }).broker.password).toBe('rotated');
    expect(api.tables.device_environment_variable).toHaveLength(3);
    expect(api.requests.some((q) => q.status === 409)).toBe(true);
  });

  it('tags a device with its room and moves the tag when the room changes', async () => {
    const { uuid } = await fleet.registerDevice('lectern/halls', { deviceId: 'hall-a-cam-1' });
    await fleet.tagRoom(uuid, 'hall-a');
    expect(api.tags(uuid)).toEqual({ [ROOM_TAG]: 'hall-a' });
    await fleet.tagRoom(uuid, 'hall-b');
    expect(api.tags(uuid)).toEqual({ [ROOM_TAG]: 'hall-b' });
    expect(api.tables.device_tag).toHaveLength(1);
  });

  it("reads online state into Lectern's online/offline/never, an overdue heartbeat as offline", async () => {
    const now = Date.parse('2026-03-02T10:00:00Z');
    const at = (msAgo: number) => new Date(now - msAgo).toISOString();
    const online = api.addDevice(fleetRow, {
      uuid: 'a'.repeat(32),
      device_name: 'hall-a-cam-1',
      api_heartbeat_state: 'online',
      changed_api_heartbeat_state_on__date: at(48 * HOUR),
      is_online: true,
      last_connectivity_event: at(48 * HOUR),
    });
    // The heartbeat stopped 6 h ago; balena's VPN session still counts as connected.
    const stale = api.addDevice(fleetRow, {
      uuid: 'b'.repeat(32),
      device_name: 'hall-b-cam-1',
      api_heartbeat_state: 'timeout',
      changed_api_heartbeat_state_on__date: at(6 * HOUR),
      is_online: true,
      last_connectivity_event: at(72 * HOUR),
    });
    const off = api.addDevice(fleetRow, {
      uuid: 'c'.repeat(32),
      device_name: 'hall-c-cam-1',
      api_heartbeat_state: 'offline',
      changed_api_heartbeat_state_on__date: at(30 * HOUR),
      is_online: false,
      last_connectivity_event: at(30 * HOUR),
    });
    const never = api.addDevice(fleetRow, { uuid: 'd'.repeat(32), device_name: 'hall-d-cam-1' });
    await fleet.tagRoom(online.uuid, 'hall-a');
    await fleet.tagRoom(stale.uuid, 'hall-b');

    const health = await fleet.readHealth([stale.uuid, online.uuid, off.uuid, never.uuid], now);
    expect(health.map((h) => [h.deviceName, h.roomId, h.status])).toEqual([
      ['hall-b-cam-1', 'hall-b', 'offline'],
      ['hall-a-cam-1', 'hall-a', 'online'],
      ['hall-c-cam-1', null, 'offline'],
      ['hall-d-cam-1', null, 'never'],
    ]);
    expect(health[0]!.lastSeen).toBe(now - 6 * HOUR);
    expect(health[0]!.reason).toMatch(/heartbeat overdue since .*VPN link still up/);
    expect(health[0]!.balena).toMatchObject({ apiHeartbeatState: 'timeout', vpnConnected: true });
    expect(health[1]!.lastSeen).toBe(now);
    expect(health[2]!.lastSeen).toBe(now - 30 * HOUR);
    expect(health[3]!.lastSeen).toBeNull();

    const all = await fleet.readFleetHealth('lectern/halls', now);
    expect(all.map((h) => h.status).sort()).toEqual(['never', 'offline', 'offline', 'online']);

    await expect(fleet.readHealth(['e'.repeat(32)])).rejects.toThrow(/balena has no device e{32}/);
  });

  it('maps a device without a heartbeat state by its VPN link', () => {
    const base = {
      uuid: 'f'.repeat(32),
      device_name: 'x',
      api_heartbeat_state: 'unknown' as const,
      changed_api_heartbeat_state_on__date: null,
    };
    const t = '2026-03-01T00:00:00.000Z';
    expect(healthFromDevice({ ...base, is_online: true, last_connectivity_event: t }, null, 5).status).toBe('online');
    const down = healthFromDevice({ ...base, is_online: false, last_connectivity_event: t }, null, 5);
    expect([down.status, down.lastSeen]).toEqual(['offline', Date.parse(t)]);
  });

  it('pins a fleet and a single device to a release', async () => {
    const a = api.addRelease(fleetRow, COMMIT_A);
    const b = api.addRelease(fleetRow, COMMIT_B);
    api.addRelease(fleetRow, 'c'.repeat(40), 'failed');
    const { uuid } = await fleet.registerDevice('lectern/halls', { deviceId: 'hall-a-cam-1' });

    await fleet.pinRelease({ fleet: 'lectern/halls' }, COMMIT_A);
    expect(fleetRow.should_be_running__release).toEqual({ __id: a.id });
    expect(fleetRow.should_track_latest_release).toBe(false);

    // A canary: one device runs the next release while the fleet stays on the current one.
    await fleet.pinRelease({ device: uuid }, COMMIT_B);
    expect(api.device(uuid)!.is_pinned_on__release).toEqual({ __id: b.id });
    expect(fleetRow.should_be_running__release).toEqual({ __id: a.id });

    await expect(fleet.pinRelease({ fleet: 'lectern/halls' }, 'c'.repeat(40))).rejects.toThrow(
      /no successful release with that commit/,
    );
    // A release of another fleet is not one of this device's fleet.
    const other = api.tables.application.find((x) => x.slug === 'lectern/x86-lab')!;
    api.addRelease(other, 'd'.repeat(40));
    await expect(fleet.pinRelease({ device: uuid }, 'd'.repeat(40))).rejects.toThrow(/no successful release/);
  });

  it('says in words when the fleet or device does not exist', async () => {
    await expect(fleet.registerDevice('lectern/nope', { deviceId: 'hall-a-cam-1' })).rejects.toThrow(
      /register hall-a-cam-1 in fleet lectern\/nope: fleet not found on http:\/\/127\.0\.0\.1:\d+ .*organization\/fleet-name/,
    );
    await expect(fleet.pinRelease({ fleet: 'lectern/nope' }, COMMIT_A)).rejects.toThrow(/fleet not found/);
    await expect(fleet.tagRoom('0'.repeat(32), 'hall-a')).rejects.toThrow(/device not found/);
    expect(api.tables.device).toHaveLength(0);
  });

  it('says in words when the API key is wrong (401), and when balena cannot be reached', async () => {
    await expect(BalenaFleet.connect({ apiUrl: api.url, apiKey: 'wrong-key' })).rejects.toThrow(
      /balena at http:\/\/127\.0\.0\.1:\d+ rejected the API key \(401 Unauthorized\)/,
    );
    expect(api.requests.at(-1)).toMatchObject({ method: 'GET', url: '/actor/v1/whoami', status: 401 });
    await expect(BalenaFleet.connect({ apiUrl: 'http://127.0.0.1:9', apiKey: KEY })).rejects.toThrow(
      /cannot reach balena at http:\/\/127\.0\.0\.1:9/,
    );
    await expect(BalenaFleet.connect({ apiUrl: api.url, apiKey: '' })).rejects.toThrow(/API key is required/);
  });
});

describe('lectern-provision balena health / pin', () => {
  let api: FakeBalenaApi;
  beforeEach(async () => {
    api = await FakeBalenaApi.start(KEY);
  });
  afterEach(async () => {
    expect(api.unhandled).toEqual([]);
    await api.close();
  });

  /** Runs `lectern-provision balena <args>` in-process and returns what it printed. */
  async function cli(...args: string[]): Promise<string> {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    });
    try {
      await balenaCommand()
        .exitOverride()
        .parseAsync([...args, '--balena-api', api.url, '--balena-api-key', KEY], { from: 'user' });
    } finally {
      spy.mockRestore();
    }
    return out.join('');
  }

  it("prints a fleet's health and pins fleet and device", async () => {
    const f = api.addFleet({ slug: 'lectern/halls', deviceType: 'raspberrypi5' });
    const d = api.addDevice(f, {
      uuid: '2'.repeat(32),
      device_name: 'hall-a-cam-1',
      api_heartbeat_state: 'online',
      is_online: true,
    });
    const rel = api.addRelease(f, COMMIT_A);
    const text = await cli('health', '--fleet', 'lectern/halls');
    expect(text).toMatch(/^hall-a-cam-1\t2222222\t-\tonline\t/);
    const json = JSON.parse(await cli('health', '--uuid', d.uuid, '--json')) as { status: string }[];
    expect(json.map((h) => h.status)).toEqual(['online']);
    expect(await cli('pin', '--fleet', 'lectern/halls', '--release', COMMIT_A)).toContain('pinned');
    expect(f.should_be_running__release).toEqual({ __id: rel.id });
    await cli('pin', '--uuid', d.uuid, '--release', COMMIT_A);
    expect(d.is_pinned_on__release).toEqual({ __id: rel.id });
    await expect(cli('pin', '--release', COMMIT_A)).rejects.toThrow(/either --fleet or --uuid/);
  });
});

describe('lectern-provision balena register: Lectern cloud + local balena API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lectern-balena-'));
  let cloud: Awaited<ReturnType<typeof startCloud>>;
  let api: FakeBalenaApi;

  beforeAll(async () => {
    cloud = await startCloud({
      LECTERN_HTTP_PORT: '0',
      LECTERN_MQTT_PORT: 'auto',
      LECTERN_DATA_DIR: dir,
      LECTERN_ADMIN_PASSWORD: 'balena-admin',
      LECTERN_LOG_LEVEL: 'warn',
    });
    api = await FakeBalenaApi.start(KEY);
    api.addFleet({ slug: 'lectern/halls', deviceType: 'raspberrypi4-64' });
  });
  afterAll(async () => {
    await api?.close();
    await cloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lectern = { cloudUrl: '', username: 'admin', password: 'balena-admin' };

  it('registers the device in both, and the config in the balena variable is one the broker accepts', async () => {
    const r = await provisionBalenaDevice({
      ...lectern,
      cloudUrl: cloud.httpUrl,
      balena: { apiUrl: api.url, apiKey: KEY },
      fleet: 'lectern/halls',
      deviceId: 'aula-2-cam-1',
      roomId: 'aula-2',
      roomName: 'Aula 2',
    });
    expect(r).toMatchObject({ deviceId: 'aula-2-cam-1', roomId: 'aula-2', fleet: 'lectern/halls' });
    expect(r.registered?.deviceType).toBe('raspberrypi4-64');
    expect(api.tags(r.uuid)).toEqual({ [ROOM_TAG]: 'aula-2' });
    const text = api.envVars(r.uuid)[ENV_CONFIG]!;
    const cfg = parse(text) as { deviceId: string; roomId: string; broker: { username: string; password: string } };
    expect(cfg).toMatchObject({ deviceId: 'aula-2-cam-1', roomId: 'aula-2' });
    const client = await mqtt.connectAsync(cloud.mqttUrl, {
      clientId: 'lectern-aula-2-cam-1',
      username: cfg.broker.username,
      password: cfg.broker.password,
      reconnectPeriod: 0,
    });
    await client.endAsync();
    expect(api.unhandled).toEqual([]);
  });

  it('configures a device that joined the fleet by itself, given its uuid', async () => {
    const fleetRow = api.tables.application[0]!;
    const joined = api.addDevice(fleetRow, { uuid: '1'.repeat(32), device_name: 'quiet-sun' });
    const r = await provisionBalenaDevice({
      ...lectern,
      cloudUrl: cloud.httpUrl,
      balena: { apiUrl: api.url, apiKey: KEY },
      fleet: 'lectern/halls',
      uuid: joined.uuid.slice(0, 7),
      deviceId: 'aula-2-cam-2',
      roomId: 'aula-2',
    });
    expect(r.uuid).toBe(joined.uuid);
    expect(r.registered).toBeUndefined();
    expect(joined.device_name).toBe('aula-2-cam-2');
    expect(api.envVars(joined.uuid)[ENV_DEVICE_ID]).toBe('aula-2-cam-2');
    expect(api.unhandled).toEqual([]);
  });

  it('stops before creating anything in the Lectern cloud when the balena key or fleet is wrong', async () => {
    const base = {
      ...lectern,
      cloudUrl: cloud.httpUrl,
      fleet: 'lectern/halls',
      deviceId: 'aula-2-cam-3',
      roomId: 'aula-2',
    };
    await expect(provisionBalenaDevice({ ...base, balena: { apiUrl: api.url, apiKey: 'nope' } })).rejects.toThrow(
      /rejected the API key/,
    );
    await expect(
      provisionBalenaDevice({ ...base, fleet: 'lectern/gone', balena: { apiUrl: api.url, apiKey: KEY } }),
    ).rejects.toThrow(/fleet not found/);
    // The device id is still free in the Lectern cloud.
    const r = await provisionBalenaDevice({ ...base, balena: { apiUrl: api.url, apiKey: KEY } });
    expect(r.deviceId).toBe('aula-2-cam-3');
  });
});
