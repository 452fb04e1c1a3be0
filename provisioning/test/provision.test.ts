import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import mqtt from 'mqtt';
import { startCloud } from '@lectern/cloud';
import { provisionDevice } from '../src';

describe('lectern-provision against a real cloud', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lectern-provision-'));
  let cloud: Awaited<ReturnType<typeof startCloud>>;

  beforeAll(async () => {
    cloud = await startCloud({
      LECTERN_HTTP_PORT: '0',
      LECTERN_MQTT_PORT: 'auto',
      LECTERN_DATA_DIR: dir,
      LECTERN_ADMIN_PASSWORD: 'provision-admin',
      LECTERN_LOG_LEVEL: 'warn',
    });
  });
  afterAll(async () => {
    await cloud?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the room and device, writes a private config file whose credentials the broker accepts', async () => {
    const out = join(dir, 'device.yaml');
    const r = await provisionDevice({
      cloudUrl: cloud.httpUrl,
      username: 'admin',
      password: 'provision-admin',
      deviceId: 'aula-1-cam-1',
      roomId: 'aula-1',
      roomName: 'Aula 1',
      out,
    });
    expect(r.written).toBe(out);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const text = readFileSync(out, 'utf8');
    const cfg = parse(text) as Record<string, unknown>;
    expect(JSON.stringify(cfg)).toContain('aula-1-cam-1');
    expect(JSON.stringify(cfg)).toContain('aula-1');

    // The credentials in the file are the ones the broker accepts.
    const password = /password:\s*"?([^"\n]+)"?/.exec(text)?.[1];
    expect(password).toBeTruthy();
    // The client id the agent uses: the broker ties client ids to credentials.
    const client = await mqtt.connectAsync(cloud.mqttUrl, {
      clientId: 'lectern-aula-1-cam-1',
      username: r.username,
      password: password!,
      reconnectPeriod: 0,
    });
    await client.endAsync();
    await expect(
      mqtt.connectAsync(cloud.mqttUrl, {
        clientId: 'lectern-aula-1-cam-1',
        username: r.username,
        password: 'wrong',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
  });

  it('reports wrong credentials and an unreachable cloud clearly', async () => {
    await expect(
      provisionDevice({
        cloudUrl: cloud.httpUrl,
        username: 'admin',
        password: 'nope',
        deviceId: 'x-1',
        roomId: 'aula-1',
      }),
    ).rejects.toThrow(/401/);
    await expect(
      provisionDevice({
        cloudUrl: 'http://127.0.0.1:9',
        username: 'admin',
        password: 'x',
        deviceId: 'x-1',
        roomId: 'aula-1',
      }),
    ).rejects.toThrow(/cannot reach the cloud/);
  });
});
