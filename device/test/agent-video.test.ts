import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { artifactPath, DEFAULT_MIN_READABLE_PX } from '@lectern/vision';
import {
  decode,
  DEVICE_TOPIC_KINDS,
  EMOTIONS,
  encode,
  FACE_SIZE_BINS_PX,
  parseTopic,
  topicFor,
} from '@lectern/protocol';
import { decode as decodeJpeg } from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, parseAgentConfig } from '../src';
import { startBroker, type TestBroker } from './helpers/broker';
import { TestCloud } from './helpers/cloud';

const male = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-male.mp4');
if (!existsSync(male))
  console.warn(`agent-video.test.ts: tests on the real clip skipped: ${male} is missing (the ../shared data folder)`);
const quiet = { info: () => undefined, error: (m: string) => console.error(m) };

describe.skipIf(!existsSync(male))('agent on a real face video', () => {
  let broker: TestBroker;
  let cloud: TestCloud;
  let agent: Agent;
  /** Every packet the agent's MQTT client published, as the broker received it. */
  const published: { topic: string; payload: Buffer }[] = [];

  beforeAll(async () => {
    broker = await startBroker();
    broker.aedes.on('publish', (packet, client) => {
      if (client?.id === 'lectern-cam-video')
        published.push({ topic: packet.topic, payload: Buffer.from(packet.payload) });
    });
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
      preview: { enabled: false, port: 0 },
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
    const mean = EMOTIONS.map(
      (_, c) => withFaces.reduce((n, s) => n + s.aggregate.distribution[c]!, 0) / withFaces.length,
    );
    expect(mean.indexOf(Math.max(...mean))).toBe(happy);
    expect(withFaces.every((s) => s.model.id.length > 0 && s.emotionEnabled)).toBe(true);
    // Every snapshot says how many faces were read (the schema checked read + tooSmall <= faces on decode);
    // the man's face is ~60 px here, well above the readable size.
    for (const s of cloud.snapshots.values()) {
      expect(s.reading).toMatchObject({ minReadablePx: DEFAULT_MIN_READABLE_PX, tooSmall: 0 });
      expect(s.reading!.read).toBe(s.tracks.length);
    }
    expect(cloud.statuses.some((s) => s.deviceId === 'cam-video' && s.state === 'online')).toBe(true);
    // One man on camera keeps one ephemeral track id while he is tracked (the clip's loop may start another).
    const ids = withFaces.flatMap((s) => s.tracks.map((t) => t.id));
    const counts = [...new Set(ids)].map((id) => ids.filter((x) => x === id).length);
    console.log(`track ids over ${withFaces.length} snapshots with faces: ${JSON.stringify(counts)}`);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(0.6 * withFaces.length);
  });

  it('publishes telemetry with source health', async () => {
    await expect.poll(() => cloud.telemetry.length, { timeout: 5000 }).toBeGreaterThan(0);
    const t = cloud.telemetry.at(-1)!;
    expect(t.source).toMatchObject({ state: 'ok', reconnects: 0 });
    expect(t.detectMs).toBeGreaterThan(0);
    expect(t.classifyMs).toBeGreaterThan(0);
    expect(t.fps).toBeGreaterThan(0);
    expect(t.uptimeS).toBeGreaterThan(0);
    expect(t.memoryMb).toBeGreaterThan(10);
    // The detector in use, its rate and what its last pass found (shown to installers).
    expect(t.detector).toBe('yunet');
    expect(t.detectHz).toBe(3);
    expect(t.facesFound).toBeGreaterThanOrEqual(0);
    // The sizes of the faces detected since the previous telemetry, for installers.
    expect(t.faceSizes?.counts).toHaveLength(FACE_SIZE_BINS_PX.length);
    expect(t.faceSizes?.minReadablePx).toBe(DEFAULT_MIN_READABLE_PX);
    const seen = cloud.telemetry.map((x) => x.faceSizes!.counts);
    expect(seen.some((c) => c.reduce((a, b) => a + b, 0) > 0)).toBe(true);
    // Nothing below the 32 px bin: the face is large.
    expect(seen.every((c) => c.slice(0, 5).every((n) => n === 0))).toBe(true);
  });

  it('refuses an invalid remote config with an error response and keeps running', async () => {
    const before = cloud.snapshots.size;
    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      Buffer.from(JSON.stringify({ v: 1, revision: 1, issuedAt: Date.now(), snapshotHz: 999 })),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.to === 'config'), { timeout: 5000 })
      .toMatchObject({ ok: false, txId: 'config-rev-1' });
    expect(cloud.responses.find((r) => r.to === 'config')!.error).toMatch(/snapshotHz/);
    expect(agent.config.snapshotHz).toBe(2);
    // A valid one is applied live.
    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      encode('config', { v: 1, revision: 2, issuedAt: Date.now(), snapshotHz: 4 }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.to === 'config' && r.ok), { timeout: 5000 })
      .toMatchObject({ txId: 'config-rev-2' });
    expect(agent.config.snapshotHz).toBe(4);
    await expect.poll(() => cloud.snapshots.size, { timeout: 5000 }).toBeGreaterThan(before + 4);
  });

  it('switches the detector plugin and the detection rate remotely, and reports both in telemetry', async () => {
    const telemetryAfter = (at: number) => cloud.telemetry.filter((x) => x.ts > at).at(-1);
    let since = Date.now();
    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      encode('config', { v: 1, revision: 7, issuedAt: Date.now(), detector: 'haar', detection: { hz: 'auto' } }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-7'), { timeout: 10_000 })
      .toMatchObject({ ok: true });
    expect(agent.config.detector).toBe('haar');
    await expect
      .poll(() => telemetryAfter(since + 1500)?.detector, { timeout: 10_000 })
      .toMatch(/^haar-(native|wasm)$/);
    // 'auto' starts at a rate it then adapts to the measured cost of a pass.
    expect(agent.rate.auto).toBe(true);
    expect(telemetryAfter(since)!.detectHz).toBeGreaterThan(0);
    since = Date.now();
    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      encode('config', { v: 1, revision: 8, issuedAt: Date.now(), detector: 'yunet', detection: { hz: 3 } }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-8'), { timeout: 10_000 })
      .toMatchObject({ ok: true });
    await expect.poll(() => telemetryAfter(since + 1500)?.detector, { timeout: 10_000 }).toBe('yunet');
    expect(agent.rate.hz).toBe(3);
    // Faces keep coming with the detector back.
    await expect.poll(() => telemetryAfter(since + 1500)?.facesFound ?? 0, { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it('refuses a model update whose checksum does not match and keeps the old model', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.end(Buffer.from('not really an onnx model')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const modelBefore = agent.modelRef.id;
    await cloud.client.publishAsync(
      topicFor('command', 'cam-video'),
      encode('command', {
        v: 1,
        txId: 'ota-bad-sum-1',
        issuedAt: Date.now(),
        name: 'model-update',
        url: `http://127.0.0.1:${port}/m.onnx`,
        sha256: 'a'.repeat(64),
        modelId: 'evil',
        version: '9',
      }),
      { qos: 1 },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'ota-bad-sum-1'), { timeout: 10_000 })
      .toMatchObject({ ok: false });
    expect(cloud.responses.find((r) => r.txId === 'ota-bad-sum-1')!.error).toMatch(/checksum mismatch/);
    expect(agent.modelRef.id).toBe(modelBefore);
    expect(agent.models.active()).toBeNull();
    server.close();
    const n = cloud.snapshots.size;
    await expect.poll(() => cloud.snapshots.size, { timeout: 5000 }).toBeGreaterThan(n);
  });

  it('serves the local preview only on 127.0.0.1 when the config enables it, and stops it again', async () => {
    expect(agent.previewUrl).toBeNull();
    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      encode('config', { v: 1, revision: 13, issuedAt: Date.now(), preview: { enabled: true } }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-13'), { timeout: 5000 })
      .toMatchObject({ ok: true });
    const url = String(cloud.responses.find((r) => r.txId === 'config-rev-13')!.result!.preview);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(agent.previewUrl).toBe(url);
    expect(await (await fetch(url)).text()).toContain('stream.mjpeg');
    const res = await fetch(`${url}frame.jpg`, { signal: AbortSignal.timeout(10_000) });
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const jpeg = decodeJpeg(Buffer.from(await res.arrayBuffer()), { useTArray: true });
    expect(jpeg.width).toBeGreaterThan(100);
    // Boxes and labels are drawn in pure white on black: the overlay is there.
    let white = 0;
    for (let i = 0; i < jpeg.data.length; i += 4) if (jpeg.data[i]! > 245) white++;
    expect(white).toBeGreaterThan(200);
    // The page polls the live face-size histogram and warning.
    expect(await (await fetch(url)).text()).toContain('faces.json');
    const sizes = (await (await fetch(`${url}faces.json`)).json()) as {
      counts: number[];
      labels: string[];
      total: number;
      tooSmall: number;
      minReadablePx: number;
      warning: string | null;
    };
    expect(sizes.labels).toHaveLength(FACE_SIZE_BINS_PX.length);
    expect(sizes.counts.reduce((a, b) => a + b, 0)).toBe(sizes.total);
    expect(sizes.total).toBeGreaterThan(0);
    expect(sizes).toMatchObject({ tooSmall: 0, minReadablePx: DEFAULT_MIN_READABLE_PX, warning: null });

    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      encode('config', { v: 1, revision: 14, issuedAt: Date.now(), preview: { enabled: false } }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-14'), { timeout: 5000 })
      .toMatchObject({ ok: true, result: { preview: 'off' } });
    await expect(fetch(url)).rejects.toThrow();
  });

  it('switches emotion inference off and on live (policy switch): face counts only while off', async () => {
    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      encode('config', { v: 1, revision: 15, issuedAt: Date.now(), emotion: { enabled: false } }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-15'), { timeout: 5000 })
      .toMatchObject({ ok: true });
    const seq = Math.max(...cloud.seqs());
    await expect
      .poll(() => [...cloud.snapshots.values()].filter((s) => s.seq > seq && s.faces > 0).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    for (const s of [...cloud.snapshots.values()].filter((x) => x.seq > seq)) {
      expect(s.emotionEnabled).toBe(false);
      expect(s.tracks).toEqual([]);
      expect(s.aggregate.distribution.every((p) => p === 0)).toBe(true);
      expect(s.reading).toMatchObject({ read: 0, tooSmall: 0 });
    }
    await cloud.client.publishAsync(
      topicFor('config', 'cam-video'),
      encode('config', { v: 1, revision: 16, issuedAt: Date.now(), emotion: { enabled: true } }),
      { qos: 1, retain: true },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-16'), { timeout: 5000 })
      .toMatchObject({ ok: true });
    const seq2 = Math.max(...cloud.seqs());
    await expect
      .poll(() => [...cloud.snapshots.values()].some((s) => s.seq > seq2 && s.emotionEnabled && s.tracks.length > 0), {
        timeout: 10_000,
      })
      .toBe(true);
  });

  it('takes emotion.minReadablePx from remote config: faces below it are counted, not read', async () => {
    const publishConfig = (revision: number, emotion: object) =>
      cloud.client.publishAsync(
        topicFor('config', 'cam-video'),
        Buffer.from(JSON.stringify({ v: 1, revision, issuedAt: Date.now(), emotion })),
        { qos: 1, retain: true },
      );
    await publishConfig(17, { minReadablePx: 0 });
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-17'), { timeout: 5000 })
      .toMatchObject({ ok: false });
    expect(cloud.responses.find((r) => r.txId === 'config-rev-17')!.error).toMatch(/minReadablePx/);
    // Larger than any face in the clip: every face is tracked and counted, none read.
    await publishConfig(18, { minReadablePx: 1000 });
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-18'), { timeout: 5000 })
      .toMatchObject({ ok: true });
    expect(agent.config.emotion.minReadablePx).toBe(1000);
    const seq = Math.max(...cloud.seqs());
    await expect
      .poll(() => [...cloud.snapshots.values()].filter((s) => s.seq > seq && s.faces > 0).length, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    for (const s of [...cloud.snapshots.values()].filter((x) => x.seq > seq)) {
      expect(s.reading).toEqual({ read: 0, tooSmall: s.faces, minReadablePx: 1000 });
      expect(s.tracks).toEqual([]);
    }
    await publishConfig(19, { minReadablePx: DEFAULT_MIN_READABLE_PX });
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'config-rev-19'), { timeout: 5000 })
      .toMatchObject({ ok: true });
    const seq2 = Math.max(...cloud.seqs());
    await expect
      .poll(() => [...cloud.snapshots.values()].some((s) => s.seq > seq2 && (s.reading?.read ?? 0) > 0), {
        timeout: 10_000,
      })
      .toBe(true);
  });

  it('refuses a downloaded model that matches its checksum but does not load, and keeps the old one', async () => {
    const junk = Buffer.from('an onnx file cut short by a broken proxy');
    const server = await serve(junk);
    const before = agent.modelRef.id;
    await cloud.client.publishAsync(
      topicFor('command', 'cam-video'),
      encode('command', {
        v: 1,
        txId: 'ota-junk-0001',
        issuedAt: Date.now(),
        name: 'model-update',
        url: server.url,
        sha256: sha256(junk),
        modelId: 'junk',
        version: '1',
      }),
      { qos: 1 },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'ota-junk-0001'), { timeout: 15_000 })
      .toMatchObject({ ok: false });
    expect(cloud.responses.find((r) => r.txId === 'ota-junk-0001')!.error).toMatch(/does not load/);
    expect(readdirSync(join(agent.config.dataDir, 'models'))).toEqual([]);
    expect(agent.modelRef.id).toBe(before);
    expect(agent.models.active()).toBeNull();
    server.close();
  });

  it('installs a verified model update atomically and reports it in later snapshots', async () => {
    const model = readFileSync(artifactPath('int8'));
    const server = await serve(model);
    await cloud.client.publishAsync(
      topicFor('command', 'cam-video'),
      encode('command', {
        v: 1,
        txId: 'ota-good-0001',
        issuedAt: Date.now(),
        name: 'model-update',
        url: server.url,
        sha256: sha256(model),
        modelId: 'emotion-ota',
        version: '0.2.0',
      }),
      { qos: 1 },
    );
    await expect
      .poll(() => cloud.responses.find((r) => r.txId === 'ota-good-0001'), { timeout: 30_000 })
      .toMatchObject({ ok: true, result: { version: '0.2.0' } });
    expect(agent.modelRef).toEqual({ id: 'emotion-ota', version: '0.2.0' });
    expect(agent.models.active()).toMatchObject({ modelId: 'emotion-ota', sha256: sha256(model) });
    const seq = Math.max(...cloud.seqs());
    await expect
      .poll(
        () => [...cloud.snapshots.values()].some((s) => s.seq > seq + 1 && s.model.id === 'emotion-ota' && s.faces > 0),
        { timeout: 10_000 },
      )
      .toBe(true);
    server.close();
  });

  it('publishes nothing that could carry pixel data', () => {
    // Every packet the agent sent is on a device topic, passes the strict schema of that topic (no
    // extra fields), holds no array longer than a probability vector except the list of tracks, and no
    // long string: there is no place where a frame or a crop could travel.
    expect(published.length).toBeGreaterThan(10);
    const kinds = new Set<string>();
    for (const { topic, payload } of published) {
      const t = parseTopic(topic);
      expect(t && DEVICE_TOPIC_KINDS.includes(t.kind)).toBe(true);
      kinds.add(t!.kind);
      const r = decode(t!.kind, payload);
      expect(r.ok, `${topic}: ${r.ok ? '' : r.error}`).toBe(true);
      expect(payload.length).toBeLessThan(16_384);
      walk(JSON.parse(payload.toString('utf8')), '', (path, value) => {
        // The only other array is telemetry's face-size histogram: one count per size bin.
        if (Array.isArray(value) && !path.endsWith('.tracks'))
          expect(value.length, path).toBeLessThanOrEqual(
            path.endsWith('.faceSizes.counts') ? FACE_SIZE_BINS_PX.length : EMOTIONS.length,
          );
        if (typeof value === 'string') expect(value.length, path).toBeLessThanOrEqual(300);
      });
    }
    expect([...kinds].sort()).toEqual(['response', 'snapshot', 'status', 'telemetry']);
  });
});

function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

async function serve(body: Buffer): Promise<Server & { url: string }> {
  const server = createServer((_req, res) => res.end(body));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/model.onnx` });
}

function walk(value: unknown, path: string, visit: (path: string, value: unknown) => void): void {
  visit(path, value);
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`, visit));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) walk(v, `${path}.${k}`, visit);
}
