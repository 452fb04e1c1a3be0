import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAgentConfig } from '@lectern/device';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceConfigYaml } from '../src/devices/config-yaml';
import { startTestCloud, type TestCloud } from './helpers/cloud';

/** The installer's config file must run the device agent as-is: parsed here by the agent's own loader. */
describe('device config file from the installer page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lectern-device-yaml-'));
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(async () => {
    await cloud?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const load = (yaml: string): ReturnType<typeof loadAgentConfig> => {
    const file = join(dir, `${randomBytes(4).toString('hex')}.yaml`);
    writeFileSync(file, yaml);
    return loadAgentConfig(file);
  };

  it('is accepted by the device agent with its broker, credentials and a V4L2 camera', async () => {
    const token = await cloud.login();
    const created = await cloud.api<{ credentials: { username: string; password: string }; configYaml: string }>(
      '/api/devices',
      { method: 'POST', token, body: { id: 'yaml-cam-1', roomId: 'yaml-room', roomName: 'Yaml room' } },
    );
    expect(created.status).toBe(201);
    expect(created.body.configYaml).toMatch(/^broker:$/m);
    expect(created.body.configYaml).not.toMatch(/^mqtt:$/m);
    const config = load(created.body.configYaml);
    expect(config).toMatchObject({
      deviceId: 'yaml-cam-1',
      roomId: 'yaml-room',
      broker: {
        url: cloud.mqttUrl,
        username: created.body.credentials.username,
        password: created.body.credentials.password,
      },
      source: { type: 'v4l2', device: '/dev/video0' },
    });
  });

  it('keeps passwords and URLs with YAML-significant characters intact', () => {
    const password = `a: #b "c' \\d {e} [f] & *g | >h %i @j \`k`;
    const config = load(
      deviceConfigYaml({
        deviceId: 'cam-2',
        roomId: 'room-2',
        mqttUrl: 'mqtts://broker.example:8883/#x',
        username: 'cam-2',
        password,
      }),
    );
    expect(config.broker).toMatchObject({ url: 'mqtts://broker.example:8883/#x', username: 'cam-2', password });
  });
});
