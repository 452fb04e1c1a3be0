// The demo agent's device.yaml as `npm start` writes it: read back by the agent's own loader, private to the
// user, and the camera flag mapped to the agent's source types (no camera exists on CI machines).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '@lectern/device';
import { demoDeviceConfig, demoSource, writeDeviceYaml } from '@lectern/lab';

const dir = mkdtempSync(join(tmpdir(), 'lectern-demo-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noClip = () => Promise.reject(new Error('the clip is not needed with a camera'));

describe('demo device config', () => {
  it('maps --camera values to the agent source types and refuses anything else', async () => {
    await expect(demoSource('/dev/video2', noClip)).resolves.toEqual({ type: 'v4l2', device: '/dev/video2' });
    await expect(demoSource('rtsp://10.0.0.5/stream', noClip)).resolves.toEqual({
      type: 'rtsp',
      url: 'rtsp://10.0.0.5/stream',
    });
    await expect(demoSource('http://cam.local/mjpeg', noClip)).resolves.toEqual({
      type: 'http',
      url: 'http://cam.local/mjpeg',
    });
    await expect(demoSource('webcam', noClip)).rejects.toThrow(/neither a \/dev\/video\* device nor/);
    await expect(demoSource(undefined, () => Promise.resolve('/tmp/clip.mp4'))).resolves.toEqual({
      type: 'file',
      path: '/tmp/clip.mp4',
      loop: true,
      realtime: true,
    });
  });

  it('writes a device.yaml that the agent loads unchanged, readable only by its owner', () => {
    const path = join(dir, 'device.yaml');
    const input = demoDeviceConfig({
      deviceId: 'demo-live-cam',
      roomId: 'demo-live',
      brokerUrl: 'mqtt://127.0.0.1:18830',
      username: 'demo-live-cam',
      // Characters that would break naive YAML quoting.
      password: 'a"b: c#d\\e',
      agentDataDir: join(dir, 'agent'),
      source: { type: 'file', path: join(dir, 'clip.mp4'), loop: true, realtime: true },
      previewPort: 40123,
    });
    writeDeviceYaml(path, input);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const loaded = loadAgentConfig(path);
    expect(loaded.broker).toEqual({
      url: 'mqtt://127.0.0.1:18830',
      username: 'demo-live-cam',
      password: 'a"b: c#d\\e',
    });
    expect(loaded.preview).toEqual({ enabled: true, port: 40123 });
    expect(loaded.source).toEqual({ type: 'file', path: join(dir, 'clip.mp4'), loop: true, realtime: true });
    expect(loaded.dataDir).toBe(join(dir, 'agent'));
  });

  it('refuses a config the agent would refuse, before anything is written', () => {
    expect(() =>
      demoDeviceConfig({
        deviceId: 'Demo Cam',
        roomId: 'demo-live',
        brokerUrl: 'mqtt://127.0.0.1:1883',
        username: 'u',
        password: 'p',
        agentDataDir: dir,
        source: { type: 'v4l2', device: '/dev/video0' },
        previewPort: 40124,
      }),
    ).toThrow(/deviceId/);
  });
});
