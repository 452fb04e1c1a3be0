import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_READABLE_PX, frameSize } from '@lectern/vision';
import { loadAgentConfig, parseAgentConfig } from '../src';

const minimal = {
  deviceId: 'cam-1',
  roomId: 'room-1',
  broker: { url: 'mqtt://127.0.0.1:1883' },
  source: { type: 'file', path: 'clip.mp4' },
};

describe('agent config', () => {
  it('fills safe defaults: preview off, 1 Hz snapshots, bounded outbox', () => {
    const c = parseAgentConfig(minimal);
    expect(c.preview).toEqual({ enabled: false, port: 8090 });
    expect(c.snapshotHz).toBe(1);
    expect(c.outbox.maxMessages).toBeGreaterThan(0);
    expect(c.source).toMatchObject({ type: 'file', loop: true });
    expect(c.emotion.minReadablePx).toBe(DEFAULT_MIN_READABLE_PX);
  });

  it('takes emotion.minReadablePx as a whole number of pixels and says what is wrong otherwise', () => {
    expect(parseAgentConfig({ ...minimal, emotion: { minReadablePx: 24 } }).emotion.minReadablePx).toBe(24);
    const bad = (v: unknown) => () => parseAgentConfig({ ...minimal, emotion: { minReadablePx: v } });
    expect(bad(0)).toThrow(/at least 1 px[\s\S]*at emotion\.minReadablePx/);
    expect(bad(15.5)).toThrow(/whole number of pixels[\s\S]*at emotion\.minReadablePx/);
    expect(bad(5000)).toThrow(/at most 2000 px[\s\S]*at emotion\.minReadablePx/);
    expect(bad('16px')).toThrow(/number of pixels[\s\S]*at emotion\.minReadablePx/);
  });

  it('reads a YAML file, resolving relative paths against it and accepting the cloud-written `mqtt:` key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lectern-cfg-'));
    const path = join(dir, 'device.yaml');
    await writeFile(
      path,
      'deviceId: "cam-1"\nroomId: "room-1"\nmqtt:\n  url: "mqtt://h:1883"\n  username: "u"\ndataDir: state\nsource: { type: file, path: clip.mp4 }\n',
    );
    const c = loadAgentConfig(path);
    expect(c.broker).toEqual({ url: 'mqtt://h:1883', username: 'u' });
    expect(c.dataDir).toBe(join(dir, 'state'));
    expect(c.source).toMatchObject({ path: join(dir, 'clip.mp4') });
  });

  it('accepts the documented example (deploy/device/device.example.yaml)', () => {
    const c = loadAgentConfig(join(__dirname, '../../deploy/device/device.example.yaml'));
    expect(c.source).toMatchObject({ type: 'v4l2', device: '/dev/video0' });
    expect(c.preview.enabled).toBe(false);
    expect(c.emotion.minReadablePx).toBe(DEFAULT_MIN_READABLE_PX);
  });

  it('names every bad field', () => {
    expect(() =>
      parseAgentConfig({
        ...minimal,
        deviceId: 'Cam 1',
        source: { type: 'rtsp', url: 'http://x' },
        preview: { enabled: 'yes' },
      }),
    ).toThrow(/deviceId[\s\S]*source\.url|source\.url[\s\S]*deviceId/);
    expect(() => parseAgentConfig({ ...minimal, extra: 1 })).toThrow(/extra/);
  });

  it('keeps the aspect ratio when only a frame width is configured', () => {
    expect(frameSize({ width: 1280, height: 720 }, 640)).toEqual({ width: 640, height: 360 });
    expect(frameSize({ width: 768, height: 432 }, 500)).toEqual({ width: 500, height: 282 });
    expect(frameSize({ width: 1280, height: 720 })).toEqual({ width: 1280, height: 720 });
  });
});
