import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TILT_ROTATIONS } from '@lectern/vision';
import { seededRandom } from '@lectern/models';
import { composeScene, DEFAULT_SCENE } from '../src/eval/audience-scene';
import { matchDetections } from '../src/eval/match-faces';
import { exited, spawnCli } from '../../device/test/helpers/agent-process';

const LAB_ROOT = resolve(__dirname, '..');

const publicTest = resolve(__dirname, '../../../shared/data/fer2013/publictest.csv');
const HAVE_FER = existsSync(publicTest);
if (!HAVE_FER) console.warn(`composed-scene eval tests skipped: ${publicTest} is missing (the ../shared data folder)`);
const dir = mkdtempSync(join(tmpdir(), 'lectern-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawnCli(args, LAB_ROOT);
  const code = await exited(child);
  return { code, out: child.output() };
}

function lastJson(out: string): Record<string, unknown> {
  const line = out.trim().split('\n').at(-1)!;
  return JSON.parse(line) as Record<string, unknown>;
}

describe('audience scenes', () => {
  it('places every face inside the frame, without overlaps, the same way for the same seed', () => {
    const face = { width: 48, height: 48, data: new Uint8Array(48 * 48).fill(128) };
    const faces = Array.from({ length: 18 }, () => face);
    const a = composeScene(faces, DEFAULT_SCENE, seededRandom(1));
    const b = composeScene(faces, DEFAULT_SCENE, seededRandom(1));
    expect(a.image.data).toEqual(b.image.data);
    expect(a.faces).toHaveLength(18);
    for (const f of a.faces) {
      expect(f.box.x).toBeGreaterThanOrEqual(0);
      expect(f.box.y).toBeGreaterThanOrEqual(0);
      expect(f.box.x + f.box.width).toBeLessThanOrEqual(DEFAULT_SCENE.width);
      expect(f.box.y + f.box.height).toBeLessThanOrEqual(DEFAULT_SCENE.height);
    }
    expect(
      matchDetections(
        a.faces.map((f) => f.box),
        a.faces.map((f) => f.box),
      ),
    ).toEqual(a.faces.map((_, i) => i));
    expect(() => composeScene([...faces, face], DEFAULT_SCENE, seededRandom(1))).toThrow(/holds 18 faces/);
  });

  it('matches each true face to at most one detection', () => {
    const truth = [
      { x: 0, y: 0, width: 100, height: 100 },
      { x: 300, y: 0, width: 100, height: 100 },
    ];
    const detections = [
      { x: 5, y: 5, width: 90, height: 90 },
      { x: 0, y: 0, width: 100, height: 100 },
      { x: 150, y: 0, width: 100, height: 100 },
    ];
    expect(matchDetections(truth, detections)).toEqual([1, -1]);
  });
});

describe.skipIf(!HAVE_FER)(`lectern-lab eval${HAVE_FER ? '' : ` (skipped: missing ${publicTest})`}`, () => {
  it('runs the device pipeline on composed PublicTest scenes and reports recall and accuracy', async () => {
    const { code, out } = await runCli([
      'eval',
      '--csv',
      publicTest,
      '--json',
      '--limit',
      '36',
      '--detector',
      'haar-wasm',
    ]);
    expect(code, out).toBe(0);
    const r = lastJson(out);
    expect(r.faces).toBe(36);
    expect(r.scenes).toBe(2);
    for (const key of ['recall', 'accuracy', 'tightCropAccuracy']) {
      expect(r[key]).toBeGreaterThanOrEqual(0);
      expect(r[key]).toBeLessThanOrEqual(1);
    }
    // Haar finds most FER2013 faces and the classifier beats chance (1/7) by far on them.
    expect(r.recall).toBeGreaterThan(0.7);
    expect(r.accuracy).toBeGreaterThan(0.4);
    expect(r.detected).toBe(Math.round((r.recall as number) * 36));
    // The score is that of the detector with its tilt passes, as an installer would enable them.
    expect((r.detection as { rotations?: number[] }).rotations).toEqual(TILT_ROTATIONS);
  });

  it('composes faces over a size range, gates the small ones and scores each model on the same scenes', async () => {
    const { code, out } = await runCli([
      'eval',
      '--csv',
      publicTest,
      '--json',
      '--limit',
      '72',
      '--face-px-range',
      '12-28',
      '--min-readable-px',
      '20',
      '--model',
      'int8,previous',
    ]);
    expect(code, out).toBe(0);
    const lines = out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.model)).toEqual(['int8', 'previous']);
    for (const r of lines) {
      const gate = r.gate as {
        read: number;
        unread: number;
        trulyBelow: number;
        agreementClear: number;
        boxToFaceRatio: number;
        minReadablePx: number;
      };
      expect(r.faces).toBe(72);
      expect(gate.minReadablePx).toBe(20);
      // Sizes 12-28 around a threshold of 20: the gate holds some faces back and lets others through. It
      // measures detector boxes, not the truth: near the threshold a box a pixel or two off flips the decision,
      // and at 12-16 px YuNet's boxes scatter by 20 % and more (measured on 144 faces: agreement 72 %, 84 % on
      // faces 20 % or more from the threshold, box/face 1.09; unread 43 against 50 composed below).
      expect(gate.read).toBeGreaterThan(0);
      expect(gate.unread).toBeGreaterThan(0);
      expect(gate.read + gate.unread).toBe(r.detected);
      expect(gate.agreementClear).toBeGreaterThan(0.75);
      expect(gate.boxToFaceRatio).toBeGreaterThan(0.8);
      expect(gate.boxToFaceRatio).toBeLessThan(1.25);
      expect(Math.abs(gate.unread - gate.trulyBelow)).toBeLessThanOrEqual(0.3 * gate.trulyBelow);
    }
    // Same scenes for both models: detection does not depend on the classifier.
    expect(lines[0]!.detected).toBe(lines[1]!.detected);
    expect((lines[0]!.gate as { unread: number }).unread).toBe((lines[1]!.gate as { unread: number }).unread);
    expect(lines[0]!.modelId).not.toBe(lines[1]!.modelId);

    const bad = await runCli(['eval', '--csv', publicTest, '--face-px-range', '40-24']);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/--face-px-range must look like 24-40/);
  });

  it('skips malformed rows with their row numbers and refuses a missing file', async () => {
    const lines = readFileSync(publicTest, 'utf8').split('\n', 8);
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, [lines[0], lines[1], '9,1 2 3,PublicTest', ...lines.slice(2, 7)].join('\n') + '\n');
    const { code, out } = await runCli(['eval', '--csv', csv, '--json', '--detector', 'haar-wasm']);
    expect(code, out).toBe(0);
    const r = lastJson(out);
    expect(r.faces).toBe(6);
    const invalid = r.invalidRows as { row: number; reason: string }[];
    expect(invalid.map((i) => i.row)).toEqual([3]);
    expect(invalid[0]!.reason).toMatch(/label "9"/);

    const missing = await runCli(['eval', '--csv', join(dir, 'nope.csv')]);
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/no such file/);
  });
});
