import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { areaResample, simulateFacePx } from '../src/eval/face-size';
import { runCli } from './cli';
import { PUBLIC_TEST_CSV } from './helpers';

const HAVE_PUBLIC_TEST = existsSync(PUBLIC_TEST_CSV);
if (!HAVE_PUBLIC_TEST) console.warn(`${PUBLIC_TEST_CSV} not found; skipping the eval --face-px CLI tests`);

const tmp = mkdtempSync(join(tmpdir(), 'lectern-eval-face-px-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface SizeJson {
  facePx: number;
  rows: number;
  accuracy: number;
  macroF1: number;
  perClass: { label: string; support: number; recall: number }[];
  confusion: number[][];
}

interface FacePxJson {
  model: string;
  rows: number;
  tta: string;
  bySize: SizeJson[];
  invalidRows: unknown[];
}

interface PlainJson {
  rows: number;
  accuracy: number;
  confusion: number[][];
}

const lastJson = (stdout: string): unknown => JSON.parse(stdout.trim().split('\n').at(-1) ?? '');

describe('face size simulation', () => {
  const face = { width: 48, height: 48, data: Uint8Array.from({ length: 48 * 48 }, (_, i) => (i * 37) % 256) };

  it('area-reduces by averaging the covered pixels and keeps a 48 px face unchanged', () => {
    const half = areaResample(face, { x: 0, y: 0, side: 48 }, 24);
    const d = face.data;
    const mean = ((d[0] ?? 0) + (d[1] ?? 0) + (d[48] ?? 0) + (d[49] ?? 0)) / 4;
    expect(half.data[0]).toBe(Math.round(mean));
    expect(simulateFacePx(face, 48).data).toEqual(face.data);
    const small = simulateFacePx(face, 16);
    expect([small.width, small.height]).toEqual([16, 16]);
    const avg = (a: Uint8Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(avg(small.data)).toBeCloseTo(avg(face.data), 0);
  });

  it('hands a 64x64 input to the classifier only when the upscale is not the agent default', () => {
    expect(simulateFacePx(face, 24, { upscale: 'bicubic' }).width).toBe(64);
    // On the agent's bilinear path the crop goes to the classifier as it is; it sharpens small crops itself.
    expect(simulateFacePx(face, 24, { sharpen: 0.5 }).width).toBe(24);
    expect(simulateFacePx(face, 24, { upscale: 'area', sharpen: 0.5 }).width).toBe(64);
    expect(simulateFacePx(face, 24, { margin: -0.1 }).width).toBe(19);
    // A 48 px crop is a FER training image: left as is whatever the options.
    expect(simulateFacePx(face, 48, { upscale: 'bicubic', sharpen: 1 }).data).toEqual(face.data);
  });
});

describe.skipIf(!HAVE_PUBLIC_TEST)('lectern-models eval --face-px', () => {
  it('reports per-size metrics; 48 px equals the plain eval, 16 px scores lower', () => {
    const plot = join(tmp, 'by-size.png');
    const common = ['eval', '--model', 'int8', '--csv', PUBLIC_TEST_CSV, '--limit', '200', '--json'];
    const bySize = runCli([...common, '--face-px', '16,48', '--plot', plot]);
    expect(bySize.status, bySize.stderr).toBe(0);
    const r = lastJson(bySize.stdout) as FacePxJson;
    expect(r.rows).toBe(200);
    expect(r.tta).toBe('none');
    expect(r.bySize.map((s) => s.facePx)).toEqual([16, 48]);
    for (const s of r.bySize) {
      expect(s.rows).toBe(200);
      expect(s.accuracy).toBeGreaterThan(0);
      expect(s.accuracy).toBeLessThanOrEqual(1);
      expect(s.perClass).toHaveLength(7);
      expect(s.perClass.map((c) => c.label)).toContain('happy');
      expect(s.perClass.every((c) => c.recall >= 0 && c.recall <= 1)).toBe(true);
      expect(s.confusion.flat().reduce((a, b) => a + b, 0)).toBe(200);
    }
    const [at16, at48] = r.bySize;

    const plainRun = runCli(common);
    expect(plainRun.status, plainRun.stderr).toBe(0);
    const plain = lastJson(plainRun.stdout) as PlainJson;
    expect(plain.rows).toBe(200);
    expect(at48?.accuracy).toBe(plain.accuracy);
    expect(at48?.confusion).toEqual(plain.confusion);
    expect(at16?.accuracy ?? 1).toBeLessThan(at48?.accuracy ?? 0);

    const png = PNG.sync.read(readFileSync(plot));
    expect(png.width).toBeGreaterThan(600);
    expect(png.height).toBeGreaterThan(400);
  });

  it('rejects a bad size list clearly', () => {
    const r = runCli(['eval', '--csv', PUBLIC_TEST_CSV, '--face-px', '16,abc']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--face-px must be a comma list of integers/);
  });
});
