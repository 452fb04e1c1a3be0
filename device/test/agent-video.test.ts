import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EMOTIONS, encode, topicFor } from '@lectern/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, parseAgentConfig } from '../src';
import { startBroker, type TestBroker } from './helpers/broker';
import { TestCloud } from './helpers/cloud';

const male = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-male.mp4');
const quiet = { info: () => undefined, error: (m: string) => console.error(m) };

describe.skipIf(!existsSync(male))('agent on a real face video', () => {
  let broker: TestBroker;
  let cloud: TestCloud;
  let agent: Agent;

  beforeAll(async () => {
    broker = await startBroker();
    cloud = await TestCloud.connect(broker.url);
    const dataDir = await mkdtemp(join(tmpdir(), 'lectern-agent-'));
    const config = parseAgentConfig({
      deviceId: 'cam-video',
      roomId: 'room-a',
      broker: { url: broker.url },
      dataDir,
      source: { type: 'file', path: male, loop: true, realtime: true },
      detection: { hz: 3 },
      snapshotHz: 2,
      telemetryIntervalS: 1,
    });
    agent = await Agent.start(config, quiet);
  });

  afterAll(async () => {
    await agent?.stop();
    await cloud?.close();
    await broker?.close();
  });

  it('publishes schema-valid snapshots with faces, happy dominant over the clip', async () => {
    await expect.poll(() => cloud.snapshots.size, { timeout: 20_000, interval: 200 }).toBeGreaterThanOrEqual(12);
    expect(cloud.errors).toEqual([]);
    const seqs = cloud.seqs();
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    const withFaces = [...cloud.snapshots.values()].filter((s) => s.faces > 0);
    expect(withFaces.length).toBeGreaterThan(cloud.snapshots.size / 2);
    const happy = EMOTIONS.indexOf('happy');
    const mean = EMOTIONS.map((_, c) => withFaces.reduce((n, s) => n + s.aggregate.distribution[c]!, 0) / withFaces.length);
    expect(mean.indexOf(Math.max(...mean))).toBe(happy);
    expect(withFaces.every((s) => s.model.id.length > 0 && s.emotionEnabled)).toBe(true);
    expect(cloud.statuses.some((s) => s.deviceId === 'cam-video' && s.state === 'online')).toBe(true);
  });

  it('publishes telemetry with source health and nothing that could carry pixels', async () => {
    await expect.poll(() => cloud.telemetry.length, { timeout: 5000 }).toBeGreaterThan(0);
    const t = cloud.telemetry.at(-1)!;
    expect(t.source.state).toBe('ok');
    expect(t.detectMs).toBeGreaterThan(0);
    // Privacy: every published payload is small structured JSON; no field can hold an image.
    for (const s of cloud.snapshots.values()) {
      const json = JSON.stringify(s);
      expect(json.length).toBeLessThan(4000);
      expect(json).not.toMatch(/[A-Za-z0-9+/]{200,}/);
    }
  });

  it('refuses an invalid remote config with an error response and keeps running', async () => {
    const before = cloud.snapshots.size;
    await cloud.client.publishAsync(topicFor('config', 'cam-video'), Buffer.from(JSON.stringify({ v: 1, revision: 1, issuedAt: Date.now(), snapshotHz: 999 })), { qos: 1, retain: true });
    await expect.poll(() => cloud.responses.find((r) => r.to === 'config'), { timeout: 5000 }).toMatchObject({ ok: false });
    expect(cloud.responses.find((r) => r.to === 'config')!.error).toMatch(/snapshotHz/);
    // A valid one is applied live.
    await cloud.client.publishAsync(topicFor('config', 'cam-video'), encode('config', { v: 1, revision: 2, issuedAt: Date.now(), snapshotHz: 4 }), { qos: 1, retain: true });
    await expect.poll(() => cloud.responses.find((r) => r.to === 'config' && r.ok), { timeout: 5000 }).toMatchObject({ txId: 'config-rev-2' });
    expect(agent.config.snapshotHz).toBe(4);
    await expect.poll(() => cloud.snapshots.size, { timeout: 5000 }).toBeGreaterThan(before + 4);
  });

  it('refuses a model update whose checksum does not match and keeps the old model', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end(Buffer.from('not really an onnx model')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const modelBefore = agent.modelRef.id;
    await cloud.client.publishAsync(
      topicFor('command', 'cam-video'),
      encode('command', { v: 1, txId: 'ota-bad-sum-1', issuedAt: Date.now(), name: 'model-update', url: `http://127.0.0.1:${port}/m.onnx`, sha256: 'a'.repeat(64), modelId: 'evil', version: '9' }),
      { qos: 1 },
    );
    await expect.poll(() => cloud.responses.find((r) => r.txId === 'ota-bad-sum-1'), { timeout: 10_000 }).toMatchObject({ ok: false });
    expect(cloud.responses.find((r) => r.txId === 'ota-bad-sum-1')!.error).toMatch(/checksum mismatch/);
    expect(agent.modelRef.id).toBe(modelBefore);
    expect(agent.models.active()).toBeNull();
    server.close();
    const n = cloud.snapshots.size;
    await expect.poll(() => cloud.snapshots.size, { timeout: 5000 }).toBeGreaterThan(n);
  });
});
