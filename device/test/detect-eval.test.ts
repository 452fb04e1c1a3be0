import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, spawnCli } from './helpers/agent-process';

/** The development set of real photos with hand-checked boxes (lab/devset, photos from npm packages, MIT). */
const DEVSET = resolve(__dirname, '../../lab/devset');
const dir = mkdtempSync(join(tmpdir(), 'lectern-detect-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Figures {
  detector: string;
  images: number;
  faces: number;
  recall: number;
  precision: number;
  ap: number;
  msPerImage: number;
  shrink: number;
  bands: Record<string, { faces: number; found: number; recall: number }>;
}

async function detectEval(args: string[]): Promise<{ code: number | null; out: string; json: Figures | null }> {
  const child = spawnCli(['detect-eval', ...args]);
  const code = await exited(child);
  const out = child.output();
  const last = out.trim().split('\n').at(-1) ?? '';
  return { code, out, json: last.startsWith('{') ? (JSON.parse(last) as Figures) : null };
}

describe('lectern-device detect-eval on real photos', () => {
  it('YuNet (the default) finds the faces at every shrink down to 25 % with precision >= 0.9', async () => {
    for (const [shrink, minRecall] of [
      [1, 0.95],
      [0.5, 0.95],
      [0.33, 0.95],
      [0.25, 0.85],
    ] as const) {
      const { code, out, json } = await detectEval([
        '--labels',
        join(DEVSET, 'labels.txt'),
        '--shrink',
        String(shrink),
        '--json',
      ]);
      expect(code, out).toBe(0);
      expect(json!.detector).toBe('yunet');
      expect(json!.images).toBe(7);
      expect(json!.shrink).toBe(shrink);
      expect(json!.recall, `recall at ${shrink}`).toBeGreaterThanOrEqual(minRecall);
      expect(json!.precision, `precision at ${shrink}`).toBeGreaterThanOrEqual(0.9);
      expect(out).toMatch(/band \(px\)/);
    }
  });

  it('YuNet finds >= 95 % of the 85 faces in the crowded frame, Haar far fewer', async () => {
    const yunet = await detectEval(['--labels', join(DEVSET, 'crowd.txt'), '--json']);
    const haar = await detectEval(['--labels', join(DEVSET, 'crowd.txt'), '--detector', 'haar', '--json']);
    expect(yunet.code, yunet.out).toBe(0);
    expect(haar.code, haar.out).toBe(0);
    expect(yunet.json!.faces).toBe(85);
    expect(yunet.json!.recall).toBeGreaterThanOrEqual(0.95);
    expect(haar.json!.detector).toMatch(/^haar-(native|wasm)$/);
    expect(haar.json!.recall).toBeLessThan(yunet.json!.recall);
    // Every labelled face falls in exactly one size band.
    const bandFaces = Object.values(yunet.json!.bands).reduce((n, b) => n + b.faces, 0);
    expect(bandFaces).toBe(85);
  });

  it('refuses a malformed label file naming the line, and an unknown detector', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '# images/none.jpg\n10 20 abc 40\n');
    const r = await detectEval(['--labels', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bad\.txt:2: expected "x y w h"/);
    const missing = join(dir, 'missing.txt');
    writeFileSync(missing, '# nothing-here.png\n1 2 3 4\n');
    const m = await detectEval(['--labels', missing]);
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/cannot read image .*nothing-here\.png/);
    const k = await detectEval(['--labels', bad, '--detector', 'mtcnn']);
    expect(k.code).toBe(1);
    expect(k.out).toMatch(/--detector must be one of yunet, haar/);
  });
});
