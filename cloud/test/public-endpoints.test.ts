import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromEnv, isLoopbackUrl } from '../src/config/cloud-config';
import { NO_PUBLIC_MQTT_URL, publicEndpoints } from '../src/devices/public-endpoints';
import { startTestCloud, type TestCloud } from './helpers/cloud';

// Issue 14 part 1: the addresses in device configs, QR codes and install instructions are the public ones
// (LECTERN_PUBLIC_MQTT_URL, LECTERN_PUBLIC_URL); a loopback address is handed out in local/demo mode only.

interface Created {
  device: { id: string };
  credentials: { username: string; password: string };
  mqttUrl: string;
  mqttUrls: string[];
  configYaml: string;
  installUrl: string | null;
  qrPng: string | null;
}

describe('public endpoint settings', () => {
  it('default to local mode exactly when the cloud listens on loopback only', () => {
    expect(configFromEnv({}).localMode).toBe(true);
    expect(configFromEnv({ LECTERN_HTTP_HOST: '0.0.0.0' }).localMode).toBe(false);
    expect(configFromEnv({ LECTERN_MQTT_HOST: '0.0.0.0' }).localMode).toBe(false);
    expect(configFromEnv({ LECTERN_HTTP_HOST: '0.0.0.0', LECTERN_LOCAL_MODE: '1' }).localMode).toBe(true);
    expect(configFromEnv({ LECTERN_LOCAL_MODE: '0' }).localMode).toBe(false);
  });

  it('parse several broker URLs and refuse loopback ones outside local mode, with a sentence', () => {
    const c = configFromEnv({
      LECTERN_HTTP_HOST: '0.0.0.0',
      LECTERN_PUBLIC_MQTT_URL: 'mqtts://lectern.example.org:8883, wss://lectern.example.org/mqtt',
      LECTERN_PUBLIC_URL: 'https://lectern.example.org/',
    });
    expect(c.publicMqttUrls).toEqual(['mqtts://lectern.example.org:8883', 'wss://lectern.example.org/mqtt']);
    expect(c.publicUrl).toBe('https://lectern.example.org');
    expect(() =>
      configFromEnv({ LECTERN_HTTP_HOST: '0.0.0.0', LECTERN_PUBLIC_MQTT_URL: 'mqtt://127.0.0.1:1883' }),
    ).toThrow(/only reaches this machine; set the address devices and people use, or LECTERN_LOCAL_MODE=1/);
    expect(() => configFromEnv({ LECTERN_PUBLIC_URL: 'lectern.example.org' })).toThrow(/LECTERN_PUBLIC_URL/);
    expect(() => configFromEnv({ LECTERN_PUBLIC_MQTT_URL: 'http://x' })).toThrow(/LECTERN_PUBLIC_MQTT_URL/);
    expect(configFromEnv({ LECTERN_PUBLIC_MQTT_URL: 'mqtt://localhost:1883' }).publicMqttUrls).toEqual([
      'mqtt://localhost:1883',
    ]);
  });

  it('never hand out a loopback or wildcard address outside local mode', () => {
    for (const u of ['mqtt://127.0.0.1:1883', 'mqtt://localhost', 'mqtt://[::1]:1883', 'http://0.0.0.0:8080'])
      expect(isLoopbackUrl(u)).toBe(true);
    expect(isLoopbackUrl('mqtt://10.0.0.5:1883')).toBe(false);
    const remote = { publicMqttUrls: [], publicUrl: null, localMode: false };
    expect(publicEndpoints(remote, 'mqtt://127.0.0.1:1883', 'http://127.0.0.1:8080')).toEqual({
      mqttUrls: [],
      webUrl: null,
      localMode: false,
      problem: NO_PUBLIC_MQTT_URL,
    });
    // An external broker's own address is usable when it is not loopback; the browser's address never is here.
    expect(publicEndpoints(remote, 'mqtts://broker.example.org:8883', 'https://lectern.example.org')).toMatchObject({
      mqttUrls: ['mqtts://broker.example.org:8883'],
      webUrl: null,
      problem: null,
    });
    expect(publicEndpoints({ ...remote, localMode: true }, 'mqtt://127.0.0.1:1883', 'http://127.0.0.1:8080')).toEqual({
      mqttUrls: ['mqtt://127.0.0.1:1883'],
      webUrl: 'http://127.0.0.1:8080',
      localMode: true,
      problem: null,
    });
  });
});

describe('a cloud with public endpoints', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({
      env: {
        // Loopback-bound like every test cloud, but explicitly not a local demo.
        LECTERN_LOCAL_MODE: '0',
        LECTERN_PUBLIC_MQTT_URL: 'mqtts://lectern.example.org:8883,wss://lectern.example.org/mqtt',
        LECTERN_PUBLIC_URL: 'https://lectern.example.org',
      },
    });
  });
  afterAll(async () => cloud?.stop());

  it('puts them in device.yaml, the answer and the QR code, which holds the install page and no password', async () => {
    const token = await cloud.login();
    const endpoints = await cloud.api<{ mqttUrls: string[]; webUrl: string; problem: string | null }>(
      '/api/devices/endpoints',
      { token },
    );
    expect(endpoints.body).toEqual({
      mqttUrls: ['mqtts://lectern.example.org:8883', 'wss://lectern.example.org/mqtt'],
      webUrl: 'https://lectern.example.org',
      localMode: false,
      problem: null,
    });
    const created = await cloud.api<Created>('/api/devices', {
      method: 'POST',
      token,
      body: { id: 'pub-cam', roomId: 'pub-room', roomName: 'Public room' },
    });
    expect(created.status).toBe(201);
    expect(created.body.mqttUrl).toBe('mqtts://lectern.example.org:8883');
    expect(created.body.mqttUrls).toEqual(['mqtts://lectern.example.org:8883', 'wss://lectern.example.org/mqtt']);
    expect(created.body.configYaml).toContain('url: "mqtts://lectern.example.org:8883"');
    expect(created.body.configYaml).not.toContain('127.0.0.1');
    expect(created.body.installUrl).toBe('https://lectern.example.org/#/installer?device=pub-cam');
    // The QR code is exactly the install URL's (qrcode is deterministic): no password, no config.
    expect(created.body.qrPng).toBe(
      await QRCode.toDataURL(created.body.installUrl!, { errorCorrectionLevel: 'M', margin: 2 }),
    );
    const rotated = await cloud.api<Created>('/api/devices/pub-cam/credentials', { method: 'POST', token });
    expect(rotated.body.configYaml).toContain('url: "mqtts://lectern.example.org:8883"');
  });
});

describe('a cloud that is not local and has no public broker address', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ env: { LECTERN_LOCAL_MODE: '0' } });
  });
  afterAll(async () => cloud?.stop());

  it('refuses to hand out its loopback broker, says which setting to set, and creates nothing', async () => {
    const token = await cloud.login();
    const endpoints = await cloud.api<{ mqttUrls: string[]; problem: string }>('/api/devices/endpoints', { token });
    expect(endpoints.body.mqttUrls).toEqual([]);
    expect(endpoints.body.problem).toBe(NO_PUBLIC_MQTT_URL);
    const created = await cloud.api<{ message: string }>('/api/devices', {
      method: 'POST',
      token,
      body: { id: 'loop-cam', roomId: 'loop-room', roomName: 'Loop room' },
    });
    expect(created.status).toBe(409);
    expect(created.body.message).toBe(NO_PUBLIC_MQTT_URL);
    expect((await cloud.api<{ id: string }[]>('/api/devices', { token })).body).toEqual([]);
  });
});

describe('a local cloud (npm start, tests)', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(async () => cloud?.stop());

  it('hands out its loopback broker and the address the browser used', async () => {
    const token = await cloud.login();
    const created = await cloud.api<Created>('/api/devices', {
      method: 'POST',
      token,
      body: { id: 'local-cam', roomId: 'local-room', roomName: 'Local room' },
    });
    expect(created.status).toBe(201);
    expect(created.body.mqttUrl).toBe(cloud.mqttUrl);
    expect(created.body.installUrl).toBe(`${cloud.httpUrl}/#/installer?device=local-cam`);
  });
});
