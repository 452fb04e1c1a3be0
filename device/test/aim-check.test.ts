import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { FACE_SIZE_BINS_PX } from '@lectern/protocol';
import { DEFAULT_MIN_READABLE_PX } from '@lectern/vision';
import { stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, spawnCli } from './helpers/agent-process';

/** Two people on camera, 480x270: faces of 48-96 px at full size. */
const clip = resolve(__dirname, '../../../shared/data/video/intel_head-pose-face-detection-female-and-male.mp4');
if (!existsSync(clip))
  console.warn(`aim-check.test.ts: aim-check on a real clip skipped: ${clip} is missing (the ../shared data folder)`);
const dir = mkdtempSync(join(tmpdir(), 'lectern-aim-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, extra: object): string {
  const path = join(dir, `${name}.yaml`);
  const config = {
    deviceId: 'aim',
    roomId: 'aim',
    broker: { url: 'mqtt://127.0.0.1' },
    dataDir: join(dir, 'state'),
    source: { type: 'file', path: clip, loop: true, realtime: true },
    ...extra,
  };
  writeFileSync(path, stringify(config));
  return path;
}

async function aimCheck(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawnCli(['aim-check', ...args]);
  const code = await exited(child);
  return { code, out: child.output() };
}

describe.skipIf(!existsSync(clip))('lectern-device aim-check on a real clip', () => {
  it('prints the face-size histogram, all faces readable at full size, and no warning', async () => {
    const { code, out } = await aimCheck(['--config', configFile('full', { detection: { hz: 4 } }), '--seconds', '3']);
    console.log(out);
    expect(code, out).toBe(0);
    expect(out).toMatch(/aim-check: \d\/3 s/);
    expect(out).toMatch(/face sizes \(detector box's longer side\), \d+ faces:/);
    for (const label of ['0-12 px', '12-14 px', '14-16 px', '48-96 px', '96+ px']) expect(out).toContain(label);
    expect(out).toMatch(/^ +48-96 px +[1-9]\d* /m);
    expect(out).toMatch(
      new RegExp(String.raw`0 of \d+ faces \(0 %\) are below the readable size of ${DEFAULT_MIN_READABLE_PX} px`),
    );
    expect(out).not.toContain('WARNING');
  });

  it('warns with concrete advice when the frame is shrunk until the faces are too small (--json)', async () => {
    // frameWidth 128 makes the faces ~16-24 px; a readable size of 32 px puts every one of them below it.
    const path = configFile('small', {
      frameWidth: 128,
      detection: { hz: 4, upscale: 2 },
      emotion: { minReadablePx: 32 },
    });
    const { code, out } = await aimCheck(['--config', path, '--seconds', '4', '--json']);
    expect(code, out).toBe(0);
    const last = out.trim().split('\n').at(-1)!;
    const r = JSON.parse(last) as {
      counts: number[];
      labels: string[];
      total: number;
      tooSmall: number;
      minReadablePx: number;
      warning: string | null;
      advice: string[];
      frames: number;
      detector: string;
      source: { state: string };
    };
    console.log(last);
    expect(r.counts).toHaveLength(FACE_SIZE_BINS_PX.length);
    expect(r.labels[3]).toBe('16-20 px');
    expect(r.total).toBeGreaterThan(0);
    expect(r.counts.reduce((a, b) => a + b, 0)).toBe(r.total);
    expect(r.tooSmall).toBe(r.total);
    expect(r.minReadablePx).toBe(32);
    expect(r.frames).toBeGreaterThan(3);
    expect(r.detector).toBe('yunet');
    expect(r.source.state).toBe('ok');
    expect(r.warning).toMatch(/smaller than 32 px/);
    const advice = r.advice.join('\n');
    expect(advice).toMatch(/longer lens or zoom/);
    expect(advice).toMatch(/closer to the audience, or lower/);
    expect(advice).toMatch(/higher camera resolution.*frameWidth \(now 128 px\)/);
    // Upscale 2 is already in force and detection runs at full resolution: nothing to say about either.
    expect(advice).not.toMatch(/upscale|downscale/);
  });

  it('ends on time with the reason when the camera never answers', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((r) => server.close(() => r()));
    const path = configFile('dead', { source: { type: 'rtsp', url: `rtsp://127.0.0.1:${port}/stream` } });
    const { code, out } = await aimCheck(['--config', path, '--seconds', '3']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/0 frames in [34](\.\d)? s/);
    expect(out).toMatch(new RegExp(`source (connecting|reconnecting): .*127\\.0\\.0\\.1:${port}`));
    expect(out).toMatch(/WARNING: no faces detected/);
  });

  it('refuses a bad --seconds and a config with a bad emotion.minReadablePx, naming them', async () => {
    const bad = await aimCheck(['--config', configFile('ok', {}), '--seconds', '0']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/--seconds must be in \(0, 3600\]/);
    const px = await aimCheck(['--config', configFile('bad', { emotion: { minReadablePx: 0 } })]);
    expect(px.code).toBe(1);
    expect(px.out).toMatch(/emotion\.minReadablePx/);
    expect(px.out).toMatch(/at least 1 px/);
  });
});
