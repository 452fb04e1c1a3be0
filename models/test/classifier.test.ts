import { describe, expect, it } from 'vitest';
import { EmotionClassifier } from '@lectern/vision';
import { argmax } from '../src/eval/metrics';
import { flipHorizontal, resizeBilinear, type GrayImage } from '@lectern/vision';
import { loadManifest } from '@lectern/vision';
import { MODEL_INPUT_SIZE, toModelInput } from '@lectern/vision';
import { artifactPath } from '@lectern/vision';
import { existsSync } from 'node:fs';
import { HAVE_FER, PUBLIC_TEST_CSV, readRows } from './helpers';

const gradient = (w: number, h: number): GrayImage => ({
  width: w,
  height: h,
  data: Uint8Array.from({ length: w * h }, (_, i) => (i % w) * Math.floor(255 / Math.max(1, w - 1))),
});

describe('preprocessing', () => {
  it('scales gray to [-1, 1] in NCHW order and resizes other sizes', () => {
    const face: GrayImage = { width: 64, height: 64, data: new Uint8Array(64 * 64).fill(255) };
    face.data[0] = 0;
    const input = toModelInput([face, gradient(48, 48)]);
    expect(input.length).toBe(2 * MODEL_INPUT_SIZE * MODEL_INPUT_SIZE);
    expect(input[0]).toBe(-1);
    expect(input[1]).toBe(1);
    expect(input[4096]).toBe(-1); // left edge of the resized gradient stays black
  });

  it('reuses a large enough output buffer', () => {
    const buf = new Float32Array(3 * 4096);
    const out = toModelInput([gradient(64, 64)], buf);
    expect(out.buffer).toBe(buf.buffer);
    expect(out.length).toBe(4096);
  });

  it('resizes bilinearly with pixel-centre alignment and flips', () => {
    const src: GrayImage = { width: 2, height: 1, data: Uint8Array.from([0, 200]) };
    expect(Array.from(resizeBilinear(src, 4, 1).data)).toEqual([0, 50, 150, 200]);
    expect(Array.from(flipHorizontal(src).data)).toEqual([200, 0]);
    expect(() => resizeBilinear({ width: 2, height: 2, data: new Uint8Array(3) }, 4, 4)).toThrow(/3 pixels for a 2x2/);
  });
});

describe('EmotionClassifier', () => {
  it('names the committed artifacts, cascade included', () => {
    for (const name of ['fp32', 'int8', 'cascade', 'manifest'] as const)
      expect(existsSync(artifactPath(name))).toBe(true);
    expect(loadManifest().labels).toEqual(['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral']);
  });

  it.each(['fp32', 'int8'] as const)('%s: one softmax per face, independent of batch composition', async (variant) => {
    const c = await EmotionClassifier.create({ variant });
    expect(c.modelId).toBe(`lectern-emotion-${variant}@${loadManifest().version}`);
    const faces = [gradient(64, 64), gradient(48, 48), flipHorizontal(gradient(80, 60))];
    const batch = await c.classify(faces);
    expect(batch).toHaveLength(3);
    for (const p of batch) {
      expect(p).toHaveLength(7);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    const single = await c.classify([faces[1] as GrayImage]);
    for (let i = 0; i < 7; i++) expect(single[0]?.[i]).toBeCloseTo(batch[1]?.[i] ?? NaN, 5);
    expect(await c.classify([])).toEqual([]);
    await c.close();
  });

  it.skipIf(!HAVE_FER)('recognises clear expressions in real faces', async () => {
    const rows = await readRows(PUBLIC_TEST_CSV, 200);
    const c = await EmotionClassifier.create({ variant: 'int8' });
    const probs = await c.classify(rows.map((r) => r.image));
    await c.close();
    const happy = rows.map((r, i) => ({ r, p: probs[i] ?? new Float32Array(7) })).filter(({ r }) => r.label === 3);
    expect(happy.length).toBeGreaterThan(20);
    const hits = happy.filter(({ p }) => argmax(p) === 3).length;
    expect(hits / happy.length).toBeGreaterThan(0.75);
  });

  it('rejects bad options and missing files with clear errors', async () => {
    await expect(EmotionClassifier.create({ modelPath: '/nonexistent/model.onnx' })).rejects.toThrow(
      /not found at \/nonexistent/,
    );
    await expect(EmotionClassifier.create({ threads: 0 })).rejects.toThrow(/threads/);
  });
});
